"""The web view over plain HTTP: pages and static files, their content types, and no remote URLs."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import httpx
import pytest

from oncoclaims.api.web import PAGES, STATIC_PREFIX, WEB_DIR

OUR_FILES = sorted(p for p in WEB_DIR.rglob("*") if p.is_file() and "vendor" not in p.parts)
VENDOR_FILES = sorted(p for p in (WEB_DIR / "vendor").rglob("*") if p.is_file())
#: RDF namespaces our files name as identifiers in query text (never fetched): the only
#: http(s) URLs allowed in them.
NAMESPACES = ("https://w3id.org/oncoclaims/vocab#", "https://schema.org/")
URL = re.compile(r"https?://[^\s\"'`<>)]+")
CONTENT_TYPES = {
    ".html": "text/html", ".css": "text/css", ".js": ("text/javascript", "application/javascript"),
}


class _Links(HTMLParser):
    """The URLs a page loads (script src, link href) and links to (a href)."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded: list[str] = []
        self.linked: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("script", "img", "iframe") and values.get("src"):
            self.loaded.append(values["src"] or "")
        elif tag == "link" and values.get("href"):
            self.loaded.append(values["href"] or "")
        elif tag == "a" and values.get("href"):
            self.linked.append(values["href"] or "")


def _links(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_is_html(live_server: str, path: str) -> None:
    response = httpx.get(live_server + path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<title>oncoclaims" in response.text


@pytest.mark.parametrize("path", list(PAGES))
def test_every_file_a_page_loads_is_served_with_its_type(live_server: str, path: str) -> None:
    page_url = live_server + path
    loaded = [src for src in _links(httpx.get(page_url).text).loaded if not src.startswith("data:")]
    assert loaded
    for src in loaded:
        url = httpx.URL(page_url).join(src)
        assert url.host == "127.0.0.1", f"{path} loads {src} from elsewhere"
        assert url.path.startswith(STATIC_PREFIX + "/")
        response = httpx.get(url)
        assert response.status_code == 200, url
        suffix = "." + url.path.rsplit(".", 1)[-1]
        assert response.headers["content-type"].split(";")[0].startswith(CONTENT_TYPES[suffix]), url


def test_landing_page_keeps_the_links_to_sparql_docs_and_graphml(live_server: str) -> None:
    linked = _links(httpx.get(live_server + "/").text).linked
    for target in ("sparql", "docs", "export.graphml", "view/sparql", "claims"):
        assert target in linked


def test_every_static_file_is_served(live_server: str) -> None:
    for file in OUR_FILES + VENDOR_FILES:
        relative = file.relative_to(WEB_DIR).as_posix()
        response = httpx.get(f"{live_server}{STATIC_PREFIX}/{relative}")
        assert response.status_code == 200, relative
        assert response.content == file.read_bytes()


def test_files_outside_the_web_folder_are_not_served(live_server: str) -> None:
    for path in ("/static/../api/web.py", "/static/%2e%2e/api/web.py", "/static/nothing-here.js"):
        assert httpx.get(live_server + path).status_code == 404


@pytest.mark.parametrize("file", OUR_FILES, ids=lambda p: p.name)
def test_our_files_name_no_remote_url(file: Path) -> None:
    text = file.read_text(encoding="utf-8")
    for url in URL.findall(text):
        assert url.startswith(NAMESPACES), f"{file}: {url}"
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", text)
    assert not re.search(r"""(url\(|@import|fetch\()\s*["'`]?https?:""", text)


VENDOR_CODE = [p for p in VENDOR_FILES if p.suffix in (".js", ".css")]


@pytest.mark.parametrize("file", VENDOR_CODE, ids=lambda p: p.name)
def test_vendored_files_load_no_remote_script_font_or_style(file: Path) -> None:
    text = file.read_text(encoding="utf-8")
    assert not re.search(r"""<script[^>]*src\s*=\s*["']?https?:""", text)
    assert not re.search(r"""url\(\s*["']?(https?:)?//""", text)
    assert not re.search(r"""@import\s+(url\()?\s*["']?(https?:)?//""", text)
    assert not re.search(r"fonts\.(googleapis|gstatic)\.com|cdn\.jsdelivr|unpkg\.com|cdnjs\.", text)


def test_vendor_readme_names_every_vendored_file_and_version() -> None:
    readme = (WEB_DIR / "vendor" / "README.md").read_text(encoding="utf-8")
    for file in VENDOR_FILES:
        if file.name != "README.md":
            assert file.relative_to(WEB_DIR / "vendor").as_posix() in readme
    assert "cytoscape/cytoscape.min.js" in readme and "3.35.0" in readme


def test_web_files_are_package_data() -> None:
    web = resources.files("oncoclaims").joinpath("web")
    vendored = ["vendor/cytoscape/cytoscape.min.js", "vendor/yasgui/yasgui.min.js"]
    for name in [*PAGES.values(), "app.css", *vendored]:
        assert web.joinpath(name).is_file(), name


def test_the_claim_report_reads_without_javascript(live_server: str) -> None:
    found = httpx.get(live_server + "/claims", params={"q": "totally (100 percent) effective"}).json()["items"][0]
    report = httpx.get(f"{live_server}/claims/{found['id']}").json()
    page = httpx.get(f"{live_server}/view/claim", params={"id": found["id"]}).text
    noscript = page[page.index("<noscript>"):page.index("</noscript>")]
    assert report["status"]["label"] in noscript
    assert html.escape(report["explanation"], quote=True) in noscript
    for evidence in report["evidence"]:
        assert html.escape(evidence["label"]) in noscript
    for source in report["sources"]:
        assert html.escape(source["title"]) in noscript
    missing = httpx.get(f"{live_server}/view/claim", params={"id": "no-such-claim"}).text
    assert "no-such-claim" in missing[missing.index("<noscript>"):]


def test_the_no_javascript_report_escapes_what_the_graph_holds() -> None:
    from oncoclaims.api.report_html import report_html

    hostile = {"claim": {"label": "<script>alert(1)</script>", "text": "a & b"},
               "status": {"label": "unconfirmed"}, "explanation": "<img src=x onerror=alert(1)>",
               "sources": [], "evidence": [], "interested_parties": []}
    rendered = report_html(hostile)
    assert "<script>" not in rendered and "<img" not in rendered
    assert "&lt;script&gt;" in rendered and "a &amp; b" in rendered
