/* The desk: submit a story to POST /stories (file, pasted text or URL) with the update token,
   which is asked once and kept in sessionStorage (this tab only), then list its claims. */
"use strict";

(() => {
  const { h } = oc;
  const KEY = "oncoclaims-update-token";
  const progress = document.getElementById("progress");
  const tokenForm = document.getElementById("token-form");
  const tokenState = document.getElementById("token-state");

  function token() {
    return sessionStorage.getItem(KEY);
  }

  function showToken() {
    tokenForm.hidden = Boolean(token());
    tokenState.hidden = !token();
  }

  tokenForm.addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY, document.getElementById("token").value);
    document.getElementById("token").value = "";
    showToken();
  });
  document.getElementById("forget-token").addEventListener("click", () => {
    sessionStorage.removeItem(KEY);
    showToken();
  });

  function showResult(body) {
    const result = document.getElementById("result");
    const storyId = body.source ? body.source.replace(/^.*\/source\//, "") : null;
    const title = document.getElementById("result-title");
    title.replaceChildren(storyId
      ? h("a", { href: oc.url(`view/story?id=${encodeURIComponent(storyId)}`), id: "story-link" }, "Open the story")
      : "Submitted");
    document.getElementById("result-summary").textContent =
      `${body.claims.length} claim${body.claims.length === 1 ? "" : "s"} found (${body.format}; ` +
      `${body.quads_added ? `${body.quads_added} statements added` : "already in the graph"}).` +
      (body.warnings.length ? ` Notes: ${body.warnings.join(" ")}` : "");
    document.getElementById("result-claims").replaceChildren(...body.claims.map((claim) =>
      h("li", { class: "claim-item" },
        h("a", { href: oc.claimPage(claim.id), class: "claim-link" }, claim.label || claim.text || claim.id),
        " ", oc.statusBadge(claim.status))));
    result.hidden = false;
  }

  async function submit(body, contentType) {
    if (!token()) {
      progress.textContent = "Give the update token first.";
      showToken();
      document.getElementById("token").focus();
      return;
    }
    progress.textContent = "Submitting: reading the story and extracting its claims…";
    document.getElementById("result").hidden = true;
    const headers = { Authorization: `Bearer ${token()}`, Accept: "application/json" };
    if (contentType) headers["Content-Type"] = contentType;
    try {
      const response = await fetch(oc.url("stories?background=true"), { method: "POST", headers, body });
      const answer = await response.json().catch(() => null);
      if (!response.ok) {
        refused(response.status, answer);
        return;
      }
      const job = await follow(answer);
      if (job.state === "done") {
        progress.textContent = "Submitted.";
        showResult(job.result);
      } else {
        progress.textContent = `Not submitted (${job.error.status}). ${job.error.title}: ${job.error.detail}`;
      }
    } catch (error) {
      progress.textContent = `Not submitted: ${error.message}`;
    }
  }

  function refused(status, answer) {
    const detail = answer && answer.error ? `${answer.error.title}: ${answer.error.detail}` : "";
    if (status === 401 || status === 403) {
      sessionStorage.removeItem(KEY);
      showToken();
    }
    progress.textContent = `Not submitted (${status}). ${detail}`;
  }

  /** Poll the job until it ends, showing its stage and how many records it has read. */
  async function follow(job) {
    while (job.state === "running") {
      progress.textContent = `Submitting: ${job.stage}` +
        (job.records ? `, ${job.records} record${job.records === 1 ? "" : "s"} read` : "") + "…";
      await new Promise((resolve) => setTimeout(resolve, 250));
      job = await oc.getJSON(`stories/jobs/${encodeURIComponent(job.job)}`);
    }
    return job;
  }

  document.getElementById("file-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = new FormData();
    form.append("file", document.getElementById("file").files[0]);
    submit(form, null);
  });
  document.getElementById("text-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const story = { text: document.getElementById("text").value };
    for (const key of ["title", "publisher", "date"]) {
      const value = document.getElementById(key).value.trim();
      if (value) story[key] = value;
    }
    submit(JSON.stringify(story), "application/json");
  });
  document.getElementById("url-form").addEventListener("submit", (event) => {
    event.preventDefault();
    submit(JSON.stringify({ url: document.getElementById("url").value.trim() }), "application/json");
  });

  showToken();
})();
