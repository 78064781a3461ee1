/* The claim page: the confirmation report of /claims/{id} as text, a drawn graph and tables. */
"use strict";

(() => {
  const { h } = oc;
  const message = document.getElementById("message");

  function cell(...content) {
    return h("td", {}, ...content);
  }

  function list(items) {
    return items.length ? items.flatMap((item, i) => (i ? [", ", item] : [item])) : ["—"];
  }

  /** "rests on 2 inferences: ..." under a verdict that rests on curated links no document states. */
  function restsOn(inferences) {
    if (!inferences || !inferences.length) return [];
    const count = `${inferences.length} inference${inferences.length > 1 ? "s" : ""}`;
    return [h("div", { class: "inferences" }, `rests on ${count}: `,
      ...inferences.flatMap((i, n) => [n ? "; " : "", h("span", { title: i.quotes.join(" … ") }, `${i.text} (${i.reason})`)]))];
  }

  function fillEvidence(report, partyLabels, sourceTitles) {
    const rows = report.evidence.map((e) => h("tr", { class: oc.verdictClass(e.independent) },
      cell(e.label, e.retracted ? h("span", { class: "retracted" }, " (retracted)") : null),
      cell(e.relation),
      cell(e.study_type_label || "—"),
      cell(e.level_label ? `${e.level_label} (${e.rank})` : "—"),
      cell(...list(e.reported_in.map((iri) => sourceTitles.get(iri) || oc.shortName(iri)))),
      cell(...list(e.responsible_parties.map((iri) => partyLabels.get(iri) || oc.shortName(iri)))),
      cell(h("span", { class: `verdict ${oc.verdictClass(e.independent)}` }, oc.verdictWords(e.independent))),
      h("td", { class: "reason" }, e.reason, ...restsOn(e.inferences))));
    const body = document.querySelector("#evidence-table tbody");
    body.replaceChildren(...(rows.length ? rows : [h("tr", {}, h("td", { colspan: 8 }, "No evidence is linked to this claim."))]));
  }

  const TOKEN_KEY = "oncoclaims-update-token";
  const REVIEWER_KEY = "oncoclaims-reviewer";
  const reviewMessage = document.getElementById("review-message");
  const reviewerInput = document.getElementById("reviewer");
  const tokenInput = document.getElementById("review-token");
  reviewerInput.value = sessionStorage.getItem(REVIEWER_KEY) || "";
  tokenInput.value = sessionStorage.getItem(TOKEN_KEY) || "";
  reviewerInput.addEventListener("change", () => sessionStorage.setItem(REVIEWER_KEY, reviewerInput.value.trim()));
  tokenInput.addEventListener("change", () => sessionStorage.setItem(TOKEN_KEY, tokenInput.value));

  /** Send a review (or its withdrawal) with the token; reload the report so the status shows at once. */
  async function sendReview(method, path, body) {
    const token = tokenInput.value;
    if (!token || (body && !reviewerInput.value.trim())) {
      reviewMessage.textContent = body ? "Give your name and the update token first." : "Give the update token first.";
      return;
    }
    const headers = { Authorization: `Bearer ${token}`, Accept: "application/json" };
    if (body) headers["Content-Type"] = "application/json";
    const response = await fetch(oc.url(path), { method, headers, body: body ? JSON.stringify(body) : undefined });
    const answer = await response.json().catch(() => null);
    if (!response.ok) {
      const detail = answer && answer.error ? `${answer.error.title}: ${answer.error.detail}` : response.statusText;
      reviewMessage.textContent = `Not recorded (${response.status}). ${detail}`;
      return;
    }
    reviewMessage.textContent = body ? `Recorded: ${body.verdict}, by ${body.by}.` : "Review withdrawn.";
    await load();
  }

  function reviewCell(claimId, candidate) {
    if (candidate.review) {
      const withdraw = h("button", { type: "button", class: "withdraw" }, "Withdraw");
      const reviewId = candidate.review.iri.replace(/^.*\//, "");
      withdraw.addEventListener("click", () =>
        sendReview("DELETE", `claims/${encodeURIComponent(claimId)}/reviews/${encodeURIComponent(reviewId)}`));
      return h("td", { class: "review" },
        `${candidate.review.verdict}, by ${candidate.review.by} (${candidate.review.when}) `, withdraw);
    }
    const choice = h("select", { "aria-label": `verdict on ${candidate.title || candidate.record}` },
      ...["supports", "disputes", "inconclusive", "unrelated"].map((v) => h("option", { value: v }, v)));
    const judge = h("button", { type: "button", class: "judge" }, "Judge");
    judge.addEventListener("click", () => sendReview("POST", `claims/${encodeURIComponent(claimId)}/reviews`,
      { candidate: candidate.record, verdict: choice.value, by: reviewerInput.value.trim() }));
    return h("td", { class: "review" }, "not reviewed ", choice, " ", judge);
  }

  function fillCandidates(report, claimId) {
    const rows = (report.candidates || []).map((c) => h("tr", { class: oc.verdictClass(c.independent) },
      cell(c.title || oc.shortName(c.record)),
      cell(...list(c.identifiers)),
      cell(c.score.toFixed(2)),
      cell(...list(c.matched_on)),
      cell(c.evidence_level || "—"),
      cell(...list(c.sponsors)),
      cell(h("span", { class: `verdict ${oc.verdictClass(c.independent)}` }, oc.verdictWords(c.independent))),
      h("td", { class: "reason" }, c.reason),
      reviewCell(claimId, c)));
    document.querySelector("#candidate-table tbody").replaceChildren(...(rows.length ? rows
      : [h("tr", {}, h("td", { colspan: 9 }, "No trial or paper of this therapy is in the graph."))]));
  }

  function fillSources(report, sourceTitles) {
    const rows = report.sources.map((s) => h("tr", { class: s.origin ? "origin" : "" },
      cell(s.title),
      cell(s.type_label || "—"),
      cell(s.publisher_label || (s.publisher ? oc.shortName(s.publisher) : "—")),
      cell(...list(s.derived_from.map((iri) => sourceTitles.get(iri) || oc.shortName(iri)))),
      cell(s.origin ? "origin" : "—"),
      cell(s.confirmatory ? "yes" : "no")));
    document.querySelector("#source-table tbody").replaceChildren(...rows);
  }

  function fillOrigins(report, sourceTitles) {
    const entries = Object.entries(report.story_origins || {}).map(([source, origin]) => h("section", { class: "origin-of" },
      h("h4", {}, sourceTitles.get(source) || oc.shortName(source)),
      ...origin.studies.map((s) => h("p", { class: "study" }, `Reports: ${s.label}`)),
      origin.voices.length ? h("ul", {}, ...origin.voices.map((v) => h("li", { class: `voice ${oc.verdictClass(v.independent)}` },
        `${v.name} (${v.role}): `,
        h("span", { class: `verdict ${oc.verdictClass(v.independent)}` },
          v.independent === true ? "independent" : v.independent === false ? "tied" : "unknown"),
        ` — ${v.reason}`))) : null));
    document.getElementById("story-origins").replaceChildren(
      ...(entries.length ? entries : [h("p", {}, "No source of this claim names a study or quotes anyone.")]));
  }

  function fillParties(report) {
    const rows = report.interested_parties.map((p) => h("tr", {}, cell(p.label), cell(p.roles.join("; "))));
    document.querySelector("#party-table tbody").replaceChildren(
      ...(rows.length ? rows : [h("tr", {}, h("td", { colspan: 2 }, "None found."))]));
  }

  function show(report, id) {
    // names of the IRIs the report gives without one (sources derived from, reports,
    // responsible parties): the report carries them, so no list of every source is fetched
    const known = Object.entries(report.labels || {});
    document.title = `oncoclaims: ${report.claim.label}`;
    document.getElementById("claim-label").textContent = report.claim.label;
    document.getElementById("claim-text").textContent = report.claim.text;
    const iri = document.getElementById("claim-iri");
    iri.textContent = report.claim.iri;
    iri.href = report.claim.iri;
    document.getElementById("claim-status").replaceWith(
      Object.assign(oc.statusBadge(report.status.iri, report.status.label), { id: "claim-status" }));
    document.getElementById("claim-explanation").textContent = report.explanation;
    const origins = report.origins.length;
    document.getElementById("claim-echo").textContent =
      `${report.sources.length} source${report.sources.length === 1 ? "" : "s"}, ` +
      `${origins} origin${origins === 1 ? "" : "s"}` +
      (report.echo_factor === null ? "" : `, echo factor ${report.echo_factor}`) +
      (report.circular_reporting ? "; circular reporting" : "") + ".";
    const json = document.getElementById("claim-json");
    json.href = oc.url(`claims/${encodeURIComponent(id)}`);
    json.textContent = `/claims/${id}`;

    const partyLabels = new Map([...known, ...report.interested_parties.map((p) => [p.iri, p.label])]);
    const sourceTitles = new Map([...known, ...report.sources.map((s) => [s.iri, s.title])]);
    fillEvidence(report, partyLabels, sourceTitles);
    fillCandidates(report, id);
    fillSources(report, sourceTitles);
    fillOrigins(report, sourceTitles);
    fillParties(report);
    oc.markSeen([{ iri: report.claim.iri, id, label: report.claim.label, status: report.status.iri }]);
    message.hidden = true;
    document.getElementById("claim").hidden = false;
    window.ocClaimGraph = ocGraph.draw(document.getElementById("graph"), report, sourceTitles);
  }

  async function load() {
    const id = new URLSearchParams(location.search).get("id");
    if (!id) {
      message.replaceChildren("No claim chosen: ", h("a", { href: oc.url("") }, "search for one"), ".");
      return;
    }
    try {
      show(await oc.getJSON(`claims/${encodeURIComponent(id)}`), id);
    } catch (error) {
      message.textContent = `The claim could not be loaded: ${error.message}`;
    }
  }

  load();
})();
