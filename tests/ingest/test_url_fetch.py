"""Fetching a story from a URL: only public addresses, checked before any request, every hop.

A real HTTP server on 127.0.0.1 stands in for the web. Tests that expect a refusal count the
connections it received: a refused address must never be contacted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from oncoclaims.errors import FetchError
from oncoclaims.ingest.url_fetch import UnsafeURLError, fetch_public_url, is_public_address

STORY = Path(__file__).parents[2] / ".." / "shared" / "data" / "news-articles" / "fakehealth" / "news_reviews_00027.json"


class _Web(ThreadingHTTPServer):
    daemon_threads = True
    hits: list[str]


class _Handler(BaseHTTPRequestHandler):
    server: _Web

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.server.hits.append(self.path)
        if self.path.startswith("/redirect?to="):
            self.send_response(302)
            self.send_header("Location", self.path.removeprefix("/redirect?to="))
            self.end_headers()
        elif self.path == "/story.json":
            body = STORY.read_bytes()
            self._answer(body, "application/json")
        elif self.path == "/big":
            self._answer(b"x" * 4096, "text/plain")
        elif self.path == "/image":
            self._answer(b"\x89PNG", "image/png")
        elif self.path == "/cookie":
            self.send_response(302)
            self.send_header("Set-Cookie", "session=secret")
            self.send_header("Location", "/echo-cookie")
            self.end_headers()
        elif self.path == "/echo-cookie":
            self._answer((self.headers.get("Cookie") or "none").encode(), "text/plain")
        elif self.path == "/slow":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b"a")
                self.wfile.flush()
                time.sleep(0.1)
        else:
            self._answer(b"not here", "text/plain", status=404)

    def _answer(self, body: bytes, media: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def web() -> Iterator[_Web]:
    server = _Web(("127.0.0.1", 0), _Handler)
    server.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _base(web: _Web) -> str:
    return f"http://127.0.0.1:{web.server_address[1]}"


def test_a_real_story_is_fetched_when_loopback_is_allowed_for_tests(web: _Web) -> None:
    page = fetch_public_url(f"{_base(web)}/story.json", allow_loopback=True)
    assert page.body == STORY.read_bytes()
    assert page.content_type == "application/json"


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.1", "169.254.169.254", "::1", "192.168.1.1",
                                     "172.16.0.5", "100.64.0.1", "0.0.0.0", "::ffff:127.0.0.1", "fd00::1",
                                     "fe80::1", "224.0.0.1"])
def test_a_name_resolving_to_an_inner_address_is_refused_without_a_request(web: _Web, address: str) -> None:
    port = web.server_address[1]

    def resolver(host: str, _port: int) -> list[str]:
        return [address]

    with pytest.raises(UnsafeURLError, match="not a public address"):
        fetch_public_url(f"http://news.example.com:{port}/story.json", resolver=resolver)
    assert web.hits == []


def test_one_inner_address_among_public_ones_is_enough_to_refuse(web: _Web) -> None:
    with pytest.raises(UnsafeURLError, match="10.0.0.1"):
        fetch_public_url("http://news.example.com/", resolver=lambda h, p: ["93.184.216.34", "10.0.0.1"])


@pytest.mark.parametrize("url", ["http://127.0.0.1:{port}/story.json", "http://[::1]:{port}/story.json",
                                 "http://localhost:{port}/story.json"])
def test_loopback_urls_are_refused_outside_tests(web: _Web, url: str) -> None:
    with pytest.raises(UnsafeURLError):
        fetch_public_url(url.format(port=web.server_address[1]))
    assert web.hits == []


@pytest.mark.parametrize("target", ["http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/",
                                    "file:///etc/passwd", "gopher://10.0.0.1:70/"])
def test_a_redirect_to_an_inner_address_or_another_scheme_is_refused_before_it_is_followed(
        web: _Web, target: str) -> None:
    with pytest.raises(UnsafeURLError):
        fetch_public_url(f"{_base(web)}/redirect?to={target}", allow_loopback=True, timeout=5)
    assert web.hits == [f"/redirect?to={target}"]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://127.0.0.1:70/", "ftp://example.com/x",
                                 "http://user:secret@example.com/", "/relative/path", "http://"])
def test_other_schemes_and_urls_with_credentials_are_refused(url: str) -> None:
    with pytest.raises(UnsafeURLError):
        fetch_public_url(url, resolver=lambda h, p: ["93.184.216.34"])


def test_an_oversized_body_is_refused(web: _Web) -> None:
    with pytest.raises(UnsafeURLError, match="over the limit of 1000"):
        fetch_public_url(f"{_base(web)}/big", allow_loopback=True, max_bytes=1000)


def test_a_slow_body_is_cut_at_the_time_limit(web: _Web) -> None:
    with pytest.raises(FetchError, match="within 1 s"):
        fetch_public_url(f"{_base(web)}/slow", allow_loopback=True, timeout=1)


def test_a_media_type_a_story_is_not_read_from_is_refused(web: _Web) -> None:
    with pytest.raises(UnsafeURLError, match="image/png"):
        fetch_public_url(f"{_base(web)}/image", allow_loopback=True)


def test_no_cookie_is_kept_across_a_redirect(web: _Web) -> None:
    page = fetch_public_url(f"{_base(web)}/cookie", allow_loopback=True)
    assert page.body == b"none"
    assert page.final_url.endswith("/echo-cookie")


def test_an_http_error_is_a_fetch_error(web: _Web) -> None:
    with pytest.raises(FetchError, match="404"):
        fetch_public_url(f"{_base(web)}/missing", allow_loopback=True)


def test_public_addresses() -> None:
    assert is_public_address("8.8.8.8")
    assert is_public_address("2001:4860:4860::8888")
    assert not is_public_address("198.51.100.7")  # documentation range
