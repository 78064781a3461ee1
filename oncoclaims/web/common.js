/* Shared helpers of the oncoclaims pages: URLs relative to the server root, JSON fetches,
   safe element building (text only, never HTML from the data) and status names. */
"use strict";

const oc = (() => {
  /** The server root relative to this page, from <body data-root>. */
  const root = (document.body.dataset.root || ".").replace(/\/$/, "");

  /** An absolute URL for a path on this server, e.g. url("claims?q=x"). */
  function url(path) {
    return new URL(`${root}/${path}`, document.baseURI).href;
  }

  /** GET a JSON document; rejects with the server's error detail. */
  async function getJSON(path) {
    const response = await fetch(url(path), { headers: { Accept: "application/json" } });
    if (!response.ok) {
      let detail = response.statusText;
      try {
        const body = await response.json();
        if (body && body.error) detail = `${body.error.title}: ${body.error.detail}`;
      } catch (_) { /* not JSON: keep the status text */ }
      throw new Error(`${response.status} ${detail}`);
    }
    return response.json();
  }

  /** Build an element: h("a", {href: x, class: "y"}, "text", child, ...). Strings become text nodes. */
  function h(tag, attributes, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      element.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return element;
  }

  /** "…#status-self-confirmed" -> "self-confirmed". */
  function statusName(iri) {
    return iri ? iri.replace(/^.*[#/]status-/, "") : "unknown";
  }

  /** A badge for a status IRI or name. */
  function statusBadge(iriOrName, label) {
    const name = statusName(iriOrName);
    return h("span", { class: `status status-${name}` }, label || name);
  }

  /** The last segment of an IRI, for things the report names without a label. */
  function shortName(iri) {
    return decodeURIComponent(String(iri).replace(/[#/]+$/, "").replace(/^.*[#/]/, ""));
  }

  /** A verdict's CSS class: its ``independent`` is true, false or null (independence unknown). */
  function verdictClass(independent) {
    return independent === null || independent === undefined ? "unknown" : independent ? "independent" : "dependent";
  }

  /** A verdict in words, as the CLI prints it. */
  function verdictWords(independent) {
    return { unknown: "independence unknown", independent: "independent", dependent: "not independent" }[verdictClass(independent)];
  }

  /** The page link of a claim id. */
  function claimPage(id) {
    return url(`view/claim?id=${encodeURIComponent(id)}`);
  }

  const SEEN_KEY = "oncoclaims-seen";

  /** The claims this browser has shown, with the status each had then: {iri: {id, label, status}}. */
  function seenClaims() {
    try {
      return JSON.parse(localStorage.getItem(SEEN_KEY) || "{}");
    } catch (_) {
      return {};
    }
  }

  /** Remember that these claims ({iri, id, label, status}) were shown with these statuses. */
  function markSeen(claims) {
    const seen = seenClaims();
    for (const claim of claims) {
      delete seen[claim.iri]; // re-inserted last: the most recently seen come last
      seen[claim.iri] = { id: claim.id, label: claim.label, status: claim.status };
    }
    const kept = Object.entries(seen).slice(-500); // the 500 most recently seen
    try {
      localStorage.setItem(SEEN_KEY, JSON.stringify(Object.fromEntries(kept)));
    } catch (_) { /* storage full or off: the worklist then has nothing to compare */ }
  }

  return { url, getJSON, h, statusName, statusBadge, shortName, claimPage, verdictClass, verdictWords,
    seenClaims, markSeen };
})();
