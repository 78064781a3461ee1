/* The worklist: claims whose status changed since this browser last showed them, claims with
   candidate evidence nobody has judged (/claims?unreviewed=true), and the stories in the graph,
   sortable and paged (/sources). */
"use strict";

(() => {
  const { h } = oc;
  const PAGE = 25;

  async function showChanged() {
    const seen = oc.seenClaims();
    const iris = Object.keys(seen).slice(-200);
    const summary = document.getElementById("changed-summary");
    if (!iris.length) {
      summary.textContent = "Nothing to compare yet: open a story or a claim first.";
      return;
    }
    const params = new URLSearchParams({ limit: "500" });
    for (const iri of iris) params.append("iri", iri);
    try {
      const page = await oc.getJSON(`claims?${params}`);
      const changed = page.items.filter((c) => oc.statusName(c.status) !== oc.statusName(seen[c.iri].status));
      summary.textContent = changed.length
        ? `${changed.length} of the ${iris.length} claims you have seen changed status.`
        : `None of the ${iris.length} claims you have seen changed status.`;
      document.getElementById("changed").replaceChildren(...changed.map((c) => h("li", { class: "claim-item" },
        h("a", { href: oc.claimPage(c.id), class: "claim-link" }, c.label || c.id), " ",
        oc.statusBadge(seen[c.iri].status), " → ", oc.statusBadge(c.status))));
    } catch (error) {
      summary.textContent = `Could not compare: ${error.message}`;
    }
  }

  async function showStories(offset) {
    const [sort, order] = document.getElementById("story-sort").value.split(":");
    const params = new URLSearchParams({ limit: String(PAGE), offset: String(offset), sort,
      descending: String(order === "desc") });
    for (const type of document.getElementById("story-types").value.split(",").filter(Boolean)) {
      params.append("type", type);
    }
    const summary = document.getElementById("stories-summary");
    try {
      const page = await oc.getJSON(`sources?${params}`);
      summary.textContent = `${page.total} source${page.total === 1 ? "" : "s"}` +
        (page.total > PAGE ? `, ${offset + 1} to ${Math.min(offset + PAGE, page.total)} shown` : "") + ".";
      document.querySelector("#stories tbody").replaceChildren(...page.items.map((s) => h("tr", {},
        h("td", {}, h("a", { href: oc.url(`view/story?id=${encodeURIComponent(s.iri.replace(/^.*\/source\//, ""))}`),
          class: "story-link" }, s.title || oc.shortName(s.iri))),
        h("td", {}, oc.shortName(s.type || "").replace(/^source-/, "")),
        h("td", {}, s.date || "—"),
        h("td", {}, String(s.claims)))));
      pageButtons(document.getElementById("stories-pager"), offset, page.total, showStories);
    } catch (error) {
      summary.textContent = `Could not list the stories: ${error.message}`;
    }
  }

  /** Buttons to page through a list: Previous and Next as the offset allows. */
  function pageButtons(pager, offset, total, show) {
    pager.replaceChildren();
    if (offset > 0) {
      const previous = h("button", { type: "button" }, "Previous");
      previous.addEventListener("click", () => show(Math.max(0, offset - PAGE)));
      pager.append(previous);
    }
    if (offset + PAGE < total) {
      const next = h("button", { type: "button" }, "Next");
      next.addEventListener("click", () => show(offset + PAGE));
      pager.append(next);
    }
  }

  async function showWaiting(offset) {
    const summary = document.getElementById("waiting-summary");
    try {
      const page = await oc.getJSON(`claims?unreviewed=true&limit=${PAGE}&offset=${offset}`);
      summary.textContent = page.total
        ? `${page.total} claim${page.total === 1 ? " has" : "s have"} candidates nobody has judged.`
        : "Every candidate has been judged (or none was found).";
      document.getElementById("waiting").replaceChildren(...page.items.map((c) => h("li", { class: "claim-item" },
        h("a", { href: oc.claimPage(c.id), class: "claim-link" }, c.label || c.id), " ", oc.statusBadge(c.status),
        h("div", { class: "claim-text" }, `${c.unreviewed} candidate${c.unreviewed === 1 ? "" : "s"} to judge`))));
      pageButtons(document.getElementById("waiting-pager"), offset, page.total, showWaiting);
    } catch (error) {
      summary.textContent = `Could not list them: ${error.message}`;
    }
  }

  document.getElementById("story-filter").addEventListener("submit", (event) => {
    event.preventDefault();
    showStories(0);
  });
  showChanged();
  showWaiting(0);
  showStories(0);
})();
