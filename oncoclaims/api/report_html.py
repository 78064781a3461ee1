"""The confirmation report as plain HTML, for readers without JavaScript.

``/view/claim?id=...`` is drawn by ``claim.js``; without JavaScript the page shows the
``<noscript>`` block instead, and the server fills that block with :func:`report_html`: the
status, the explanation, the sources, the evidence with its verdicts and the interested
parties, as text and tables. Every value from the graph is escaped; nothing is taken as HTML.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

__all__ = ["NOSCRIPT_MARK", "report_html"]

#: The comment in ``claim.html`` the server replaces with the report.
NOSCRIPT_MARK = "<!-- report without JavaScript -->"


def _text(value: Any) -> str:
    return escape("" if value is None else str(value))


def _verdict(independent: bool | None) -> str:
    return {True: "independent", False: "not independent"}.get(independent, "independence unknown")  # type: ignore[arg-type]


def _row(cells: Iterable[Any]) -> str:
    return "<tr>" + "".join(f"<td>{_text(c)}</td>" for c in cells) + "</tr>"


def _names(iris: Iterable[str], labels: Mapping[str, str]) -> str:
    return ", ".join(labels.get(iri, iri) for iri in iris) or "—"


def report_html(report: Mapping[str, Any]) -> str:
    """The report (as ``/claims/{id}`` answers it) as an HTML fragment."""
    labels = dict(report.get("labels") or {})
    labels.update({s["iri"]: s.get("title") or s["iri"] for s in report.get("sources", [])})
    labels.update({p["iri"]: p.get("label") or p["iri"] for p in report.get("interested_parties", [])})
    claim, status = report["claim"], report["status"]
    parts = [
        f"<h2>{_text(claim.get('label'))}</h2>",
        f"<blockquote>{_text(claim.get('text'))}</blockquote>",
        f"<p>Status: <strong>{_text(status.get('label'))}</strong></p>",
        f"<p>{_text(report.get('explanation'))}</p>",
        "<h3>Evidence and verdicts</h3>",
        "<table><thead><tr><th>evidence</th><th>relation</th><th>level</th><th>reported in</th>"
        "<th>verdict</th><th>reason</th></tr></thead><tbody>",
    ]
    for item in report.get("evidence", []):
        parts.append(_row([item.get("label"), item.get("relation"), item.get("level_label") or "—",
                           _names(item.get("reported_in", []), labels), _verdict(item.get("independent")),
                           item.get("reason")]))
    parts.append("</tbody></table><h3>Sources</h3><table><thead><tr><th>source</th><th>type</th>"
                 "<th>publisher</th><th>origin</th></tr></thead><tbody>")
    for source in report.get("sources", []):
        parts.append(_row([source.get("title"), source.get("type_label") or "—",
                           source.get("publisher_label") or "—", "origin" if source.get("origin") else "—"]))
    parts.append("</tbody></table><h3>Interested parties</h3><table><thead><tr><th>party</th><th>roles</th>"
                 "</tr></thead><tbody>")
    for party in report.get("interested_parties", []):
        parts.append(_row([party.get("label"), "; ".join(party.get("roles", []))]))
    parts.append("</tbody></table>")
    return "\n".join(parts)
