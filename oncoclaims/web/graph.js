/* The drawn path of a confirmation report: claim -> sources -> origins -> evidence -> verdict,
   with cytoscape.js (vendor/cytoscape). Nodes are keyed by IRI; a verdict node belongs to one
   piece of evidence. */
"use strict";

const ocGraph = (() => {
  const COLOURS = {
    claim: "#1f3a5f", source: "#dbe7f3", origin: "#f4b860", unstated: "#eeeeee",
    evidence: "#c9e4de", independent: "#2e7d32", dependent: "#c62828", unknown: "#8d6e00", line: "#8a8a8a",
  };

  const STYLE = [
    { selector: "node", style: {
      "label": "data(label)", "text-wrap": "wrap", "text-max-width": "150px", "font-size": "11px",
      "text-valign": "center", "text-halign": "center", "shape": "round-rectangle",
      "width": "160px", "height": "52px", "border-width": 1, "border-color": "#555555",
      "background-color": COLOURS.source, "color": "#111111" } },
    { selector: "node.claim", style: { "background-color": COLOURS.claim, "color": "#ffffff", "width": "180px", "height": "64px" } },
    { selector: "node.origin", style: { "background-color": COLOURS.origin, "border-width": 2 } },
    { selector: "node.unstated", style: { "background-color": COLOURS.unstated, "border-style": "dashed" } },
    { selector: "node.evidence", style: { "background-color": COLOURS.evidence, "shape": "hexagon" } },
    { selector: "node.verdict", style: { "color": "#ffffff", "shape": "ellipse", "width": "110px", "height": "40px" } },
    { selector: "node.independent", style: { "background-color": COLOURS.independent } },
    { selector: "node.unknown", style: { "background-color": COLOURS.unknown } },
    { selector: "node.dependent", style: { "background-color": COLOURS.dependent } },
    { selector: "edge", style: {
      "width": 1.5, "line-color": COLOURS.line, "target-arrow-color": COLOURS.line,
      "target-arrow-shape": "triangle", "curve-style": "bezier", "label": "data(label)",
      "font-size": "9px", "text-background-color": "#ffffff", "text-background-opacity": 0.85,
      "text-rotation": "autorotate" } },
    { selector: "edge.derived", style: { "line-style": "dashed" } },
  ];

  /** The cytoscape elements of a report (the JSON of /claims/{id}); ``titles`` maps the IRIs
      of sources the report names without a title (IRI -> title). */
  function elements(report, titles) {
    const nodes = new Map();
    const edges = [];
    const addNode = (id, label, classes) => {
      if (!nodes.has(id)) nodes.set(id, { group: "nodes", data: { id, label }, classes });
    };
    const addEdge = (source, target, label, classes) => {
      edges.push({ group: "edges", data: { id: `edge-${edges.length}`, source, target, label }, classes: classes || "" });
    };
    const claim = report.claim.iri;
    addNode(claim, `${report.claim.label}\n[${report.status.label}]`, "claim");
    for (const source of report.sources) {
      const kind = source.type_label ? ` (${source.type_label})` : "";
      addNode(source.iri, `${source.title}${kind}${source.origin ? "\norigin" : ""}`,
        source.origin ? "source origin" : "source");
      addEdge(claim, source.iri, "stated in");
    }
    for (const source of report.sources) {
      for (const parent of source.derived_from) {
        addNode(parent, titles.get(parent) || oc.shortName(parent), "source unstated");
        addEdge(source.iri, parent, "derived from", "derived");
      }
    }
    for (const evidence of report.evidence) {
      const level = evidence.level_label ? `\n${evidence.level_label}` : "";
      addNode(evidence.iri, `${evidence.label}${level}`, "evidence");
      if (evidence.reported_in.length === 0) addEdge(claim, evidence.iri, evidence.relation);
      for (const where of evidence.reported_in) {
        addNode(where, titles.get(where) || oc.shortName(where), "source unstated");
        addEdge(where, evidence.iri, `reports (${evidence.relation})`);
      }
      const verdict = `${evidence.iri}#verdict`;
      addNode(verdict, oc.verdictWords(evidence.independent), `verdict ${oc.verdictClass(evidence.independent)}`);
      addEdge(evidence.iri, verdict, "verdict");
    }
    return [...nodes.values(), ...edges];
  }

  /** Draw the report in ``container``; returns the cytoscape instance. */
  function draw(container, report, titles) {
    const cy = cytoscape({
      container, elements: elements(report, titles || new Map()), style: STYLE,
      minZoom: 0.2, maxZoom: 3,
    });
    cy.layout({
      name: "breadthfirst", directed: true, roots: cy.getElementById(report.claim.iri),
      padding: 20, spacingFactor: 1.15, animate: false,
    }).run();
    return cy;
  }

  return { draw, elements };
})();
