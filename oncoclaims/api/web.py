"""The web view: a claim search at ``/``, a claim page, a SPARQL editor, the desk where a story is
submitted, a story page, a worklist, and their static files.

The pages are plain HTML with vanilla JavaScript in ``oncoclaims/web/`` (no build step);
they read the JSON of the REST API and ``/sparql``. Third-party scripts are vendored in
``oncoclaims/web/vendor/`` (see its README), so nothing is loaded from elsewhere.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from oncoclaims.api.report_html import NOSCRIPT_MARK, report_html
from oncoclaims.errors import NotFoundError
from oncoclaims.graph.confirmation import confirmation_report
from oncoclaims.vocab import ID_BASE

__all__ = ["HEADER_MARK", "PAGES", "STATIC_PREFIX", "WEB_DIR", "create_web_router", "install_web_view", "render_page"]

#: The folder of the pages, scripts, styles and vendored libraries (package data).
WEB_DIR = Path(__file__).resolve().parent.parent / "web"

#: Where the files of :data:`WEB_DIR` are served.
STATIC_PREFIX = "/static"

#: Page path -> HTML file in :data:`WEB_DIR`.
PAGES: dict[str, str] = {
    "/": "index.html",
    "/view/claim": "claim.html",
    "/view/sparql": "sparql.html",
    "/view/desk": "desk.html",
    "/view/story": "story.html",
    "/view/worklist": "worklist.html",
}


#: Where each page has the header the pages share (``header.html``).
HEADER_MARK = "<!-- header -->"


@lru_cache(maxsize=None)
def render_page(path: str, filename: str) -> str:
    """The page ``filename`` served at ``path``, with the shared header in place (links relative to it)."""
    root = "." if path.count("/") <= 1 else "/".join([".."] * (path.count("/") - 1))
    header = (WEB_DIR / "header.html").read_text(encoding="utf-8").replace("{root}", root)
    return (WEB_DIR / filename).read_text(encoding="utf-8").replace(HEADER_MARK, header.rstrip("\n"), 1)


def _page_route(router: APIRouter, path: str, filename: str) -> None:
    html = render_page(path, filename)

    @router.get(path, response_class=HTMLResponse, include_in_schema=False, name=f"page:{filename}")
    def page() -> HTMLResponse:
        return HTMLResponse(html)


def _claim_page(request: Request, id: str | None = None) -> HTMLResponse:  # noqa: A002 (the page's parameter)
    """The claim page, with the report as plain HTML in its ``<noscript>`` block."""
    page = render_page("/view/claim", "claim.html")
    if id:
        iri = id if id.startswith(("http://", "https://")) else ID_BASE + "claim/" + id
        try:
            fragment = report_html(confirmation_report(request.app.state.store, iri).to_dict())
        except NotFoundError as exc:
            fragment = f"<p>{escape(str(exc))}</p>"
        page = page.replace(NOSCRIPT_MARK, fragment, 1)
    return HTMLResponse(page)


def create_web_router() -> APIRouter:
    """Return the router serving the HTML pages of :data:`PAGES`."""
    router = APIRouter()
    for path, filename in PAGES.items():
        if filename == "claim.html":
            router.get(path, response_class=HTMLResponse, include_in_schema=False)(_claim_page)
        else:
            _page_route(router, path, filename)
    return router


def install_web_view(app: FastAPI) -> None:
    """Add the pages to ``app`` and serve :data:`WEB_DIR` at :data:`STATIC_PREFIX`."""
    app.include_router(create_web_router())
    app.mount(STATIC_PREFIX, StaticFiles(directory=WEB_DIR), name="static")
