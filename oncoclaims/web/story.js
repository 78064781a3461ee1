/* The story page: GET /stories/{id}: the text with each claim highlighted at its span (hedge and
   hype markers marked inside it), and the list of its claims with their status. */
"use strict";

(() => {
  const { h } = oc;
  const message = document.getElementById("message");

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  /** The words of one span, with its hedge and hype markers wrapped. */
  function markedWords(text, hedges, hype) {
    const markers = [...hedges.map((m) => [m, "hedge"]), ...hype.map((m) => [m, "hype"])]
      .filter(([m]) => m && m.trim());
    if (!markers.length) return [text];
    const pattern = new RegExp(markers.map(([m]) => escapeRegExp(m)).join("|"), "gi");
    const kinds = new Map(markers.map(([m, kind]) => [m.toLowerCase(), kind]));
    const parts = [];
    let last = 0;
    for (const match of text.matchAll(pattern)) {
      parts.push(text.slice(last, match.index));
      const kind = kinds.get(match[0].toLowerCase()) || "hedge";
      parts.push(h(kind === "hype" ? "strong" : "em", { class: kind }, match[0]));
      last = match.index + match[0].length;
    }
    parts.push(text.slice(last));
    return parts;
  }

  /** The text as nodes, each claim span a <mark> linking to the claim's entry below. */
  function highlighted(text, claims) {
    const spans = claims.flatMap((claim, index) => claim.spans.map(([start, end]) => ({ start, end, claim, index })))
      .sort((a, b) => a.start - b.start || b.end - a.end);
    const nodes = [];
    let at = 0;
    for (const span of spans) {
      if (span.start < at || span.end > text.length) continue; // overlapping spans: the first one is shown
      nodes.push(text.slice(at, span.start));
      nodes.push(h("mark", { class: "claim-span", id: `span-${span.index + 1}`, "data-claim": span.claim.iri },
        h("a", { href: `#claim-${span.index + 1}`, class: "span-link" },
          ...markedWords(text.slice(span.start, span.end), span.claim.hedges, span.claim.hype)),
        h("sup", {}, String(span.index + 1))));
      at = span.end;
    }
    nodes.push(text.slice(at));
    return nodes;
  }

  function claimEntry(claim, index) {
    const markers = [
      claim.hedges.length ? `hedged: ${claim.hedges.join(", ")}` : null,
      claim.hype.length ? `hype: ${claim.hype.join(", ")}` : null,
    ].filter(Boolean).join("; ");
    const candidates = claim.candidates.map((c) => h("li", { class: "candidate" },
      `${(c.identifiers || []).join(", ") || oc.shortName(c.record)}: ${c.title || ""} `,
      `(${(c.sponsors || []).join("; ") || "no sponsor in the graph"}; ${oc.verdictWords(c.independent)}` +
      `${c.review ? `; judged ${c.review.verdict} by ${c.review.by}` : "; not reviewed"})`));
    return h("li", { class: "claim-item", id: `claim-${index + 1}` },
      h("a", { href: oc.claimPage(claim.id), class: "claim-link" }, claim.label || claim.id),
      " ", oc.statusBadge(claim.status),
      markers ? h("div", { class: "claim-text" }, markers) : null,
      claim.candidate_count
        ? h("div", { class: "claim-text" }, `candidate evidence (${claim.candidate_count}; judge it on the claim's page):`,
          h("ul", {}, ...candidates))
        : h("div", { class: "claim-text" }, "no candidate evidence in the graph"));
  }

  function field(name, value) {
    return value && (!Array.isArray(value) || value.length)
      ? h("div", {}, h("strong", {}, `${name}: `), Array.isArray(value) ? value.join("; ") : value) : null;
  }

  function showOrigin(story) {
    const studies = story.studies.map((s) => h("section", { class: "study" },
      field("venue", s.venue), field("date", s.date), field("people", s.people),
      field("institutions", s.institutions), field("funders and suppliers", s.funders),
      field("identifiers", s.identifiers), field("design", s.design), field("evidence level", s.evidence_level),
      s.record ? h("div", {}, h("strong", {}, "record in the graph: "), s.record) : null));
    document.getElementById("story-studies").replaceChildren(
      ...(studies.length ? studies : [h("p", {}, "No study reference found in this story.")]));
    const voices = story.voices.map((v) => h("tr", { class: oc.verdictClass(v.independent) },
      h("td", {}, v.name), h("td", {}, v.affiliations.join("; ") || "—"), h("td", {}, v.role),
      h("td", {}, h("span", { class: `verdict ${oc.verdictClass(v.independent)}` },
        v.independent === true ? "independent" : v.independent === false ? "tied" : "unknown")),
      h("td", { class: "reason" }, v.reason)));
    document.querySelector("#story-voices tbody").replaceChildren(
      ...(voices.length ? voices : [h("tr", {}, h("td", { colspan: 5 }, "No one is quoted by name."))]));
    const others = story.same_study.flatMap((g) => g.sources.map((o) => h("li", {},
      h("a", { href: oc.url(`view/story?id=${encodeURIComponent(o.source.replace(/^.*\/source\//, ""))}`),
        class: "same-study-link" }, o.title || oc.shortName(o.source)))));
    document.getElementById("story-same-study").replaceChildren(
      ...(others.length ? others : [h("li", {}, "None in the graph.")]));
  }

  function show(story, id) {
    document.title = `oncoclaims: ${story.title || "story"}`;
    document.getElementById("story-title").textContent = story.title || oc.shortName(story.source);
    const meta = [oc.shortName(story.type || "").replace(/^source-/, ""), story.publisher_label, story.date]
      .filter(Boolean).join(" · ");
    document.getElementById("story-meta").replaceChildren(meta,
      ...(story.url ? [" · ", h("a", { href: story.url, rel: "noopener noreferrer" }, story.url)] : []));
    document.getElementById("story-text").replaceChildren(...highlighted(story.text || "", story.claims));
    document.getElementById("story-claims").replaceChildren(...(story.claims.length
      ? story.claims.map(claimEntry) : [h("li", {}, "No claim was found in this story.")]));
    const json = document.getElementById("story-json");
    json.href = oc.url(`stories/${encodeURIComponent(id)}`);
    json.textContent = `/stories/${id}`;
    showOrigin(story);
    oc.markSeen(story.claims);
    message.hidden = true;
    document.getElementById("story").hidden = false;
  }

  async function load() {
    const id = new URLSearchParams(location.search).get("id");
    if (!id) {
      message.replaceChildren("No story chosen: ", h("a", { href: oc.url("view/desk") }, "submit one"), ".");
      return;
    }
    try {
      show(await oc.getJSON(`stories/${encodeURIComponent(id)}`), id);
    } catch (error) {
      message.textContent = `The story could not be loaded: ${error.message}`;
    }
  }

  load();
})();
