/* The search page: /claims?q=&status= listed with status badges, linking to each claim's page. */
"use strict";

(() => {
  const { h } = oc;
  const PAGE = 50;
  const form = document.getElementById("search");
  const query = document.getElementById("q");
  const status = document.getElementById("status");
  const summary = document.getElementById("summary");
  const results = document.getElementById("results");
  const pager = document.getElementById("pager");

  function claimItem(claim) {
    return h("li", { class: "claim-item" },
      h("a", { href: oc.claimPage(claim.id), class: "claim-link" }, claim.label || claim.text || claim.id),
      " ", oc.statusBadge(claim.status),
      claim.text && claim.text !== claim.label ? h("div", { class: "claim-text" }, claim.text) : null);
  }

  async function search(offset) {
    const params = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
    if (query.value.trim()) params.set("q", query.value.trim());
    if (status.value) params.set("status", status.value);
    summary.textContent = "Searching…";
    results.replaceChildren();
    pager.replaceChildren();
    try {
      const page = await oc.getJSON(`claims?${params}`);
      const words = query.value.trim() ? ` containing “${query.value.trim()}”` : "";
      summary.textContent = page.total === 0
        ? `No claims${words}.`
        : `${page.total} claim${page.total === 1 ? "" : "s"}${words}` +
          (page.total > page.items.length ? `, ${offset + 1} to ${offset + page.items.length} shown` : "") + ".";
      results.replaceChildren(...page.items.map(claimItem));
      if (offset > 0) {
        pager.append(h("button", { type: "button", id: "previous" }, "previous"));
        pager.lastChild.addEventListener("click", () => search(Math.max(0, offset - PAGE)));
      }
      if (offset + page.items.length < page.total) {
        pager.append(h("button", { type: "button", id: "next" }, "next"));
        pager.lastChild.addEventListener("click", () => search(offset + PAGE));
      }
    } catch (error) {
      summary.textContent = `The search failed: ${error.message}`;
    }
  }

  function searchFromForm() {
    const params = new URLSearchParams();
    if (query.value.trim()) params.set("q", query.value.trim());
    if (status.value) params.set("status", status.value);
    history.replaceState(null, "", params.toString() ? `?${params}` : location.pathname);
    search(0);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    searchFromForm();
  });
  status.addEventListener("change", searchFromForm);

  const initial = new URLSearchParams(location.search);
  query.value = initial.get("q") || "";
  status.value = initial.get("status") || "";
  search(0);
})();
