"""The web view: a claim search at ``/``, a claim page, a SPARQL editor, the desk where a story is
submitted, a story page, a worklist, and their static files.

The pages are plain HTML with vanilla JavaScript in ``oncoclaims/web/`` (no build step);
they read the JSON of the REST API and ``/sparql``. Third-party scripts are vendored in
``oncoclaims/web/vendor/`` (see its README), so nothing is loaded from elsewhere.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["PAGES", "STATIC_PREFIX", "WEB_DIR", "create_web_router", "install_web_view"]

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


def _page_route(router: APIRouter, path: str, filename: str) -> None:
    file = WEB_DIR / filename

    @router.get(path, response_class=FileResponse, include_in_schema=False, name=f"page:{filename}")
    def page() -> FileResponse:
        return FileResponse(file, media_type="text/html; charset=utf-8")


def create_web_router() -> APIRouter:
    """Return the router serving the HTML pages of :data:`PAGES`."""
    router = APIRouter()
    for path, filename in PAGES.items():
        _page_route(router, path, filename)
    return router


def install_web_view(app: FastAPI) -> None:
    """Add the pages to ``app`` and serve :data:`WEB_DIR` at :data:`STATIC_PREFIX`."""
    app.include_router(create_web_router())
    app.mount(STATIC_PREFIX, StaticFiles(directory=WEB_DIR), name="static")
