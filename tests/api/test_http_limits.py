"""Limits on a request's head (issue 18): over a raw socket, a head that is too large or has too
many fields gets 431 and the connection closes, with httptools and with h11, while the server
goes on answering other clients."""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from collections.abc import Iterable, Iterator

import httpx
import pytest
from app_server import serving

from oncoclaims.api import create_app, http_limits
from oncoclaims.api.http_limits import (
    MAX_HEADER_BYTES,
    MAX_HEADER_COUNT,
    LimitedH11Protocol,
    LimitedHttpToolsProtocol,
)
from oncoclaims.graph.store import ClaimStore


@pytest.fixture(scope="module", params=[LimitedHttpToolsProtocol, LimitedH11Protocol], ids=["httptools", "h11"])
def base(request: pytest.FixtureRequest) -> Iterator[str]:
    with serving(create_app(ClaimStore.in_memory()), http=request.param) as url:
        yield url


def _port(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


def _send(base: str, pieces: Iterable[bytes], pause: float = 0.0) -> bytes:
    """Send ``pieces`` one by one (stopping when the server answers or closes); the answer read."""
    with socket.create_connection(("127.0.0.1", _port(base)), timeout=20) as sock:
        for piece in pieces:
            readable, _, _ = select.select([sock], [], [], pause)
            if readable:
                break
            try:
                sock.sendall(piece)
            except OSError:  # the server closed the connection
                break
        answer = b""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            answer += chunk
        return answer


def _chunks(data: bytes, size: int) -> list[bytes]:
    return [data[i:i + size] for i in range(0, len(data), size)]


def _assert_refused(answer: bytes, words: str) -> None:
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 431 "), answer[:200]
    assert b"connection: close" in head.lower()
    error = json.loads(body)["error"]
    assert error["status"] == 431 and words in error["detail"]


def test_a_one_mebibyte_header_gets_431_and_others_are_served(base: str) -> None:
    head = b"GET /sparql HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * (1024 * 1024) + b"\r\n\r\n"
    _assert_refused(_send(base, _chunks(head, 16 * 1024)), f"over {MAX_HEADER_BYTES} bytes")
    assert httpx.get(f"{base}/sparql").status_code == 200


def test_ten_thousand_small_headers_get_431(base: str) -> None:
    fields = b"".join(b"a:%d\r\n" % (n % 10) for n in range(10_000))  # 50 kB: under the byte limit
    assert len(fields) < MAX_HEADER_BYTES
    head = b"GET /sparql HTTP/1.1\r\nHost: t\r\n" + fields + b"\r\n"
    _assert_refused(_send(base, [head]), f"more than {MAX_HEADER_COUNT} header fields")
    assert httpx.get(f"{base}/sparql").status_code == 200


def test_a_huge_url_gets_431(base: str) -> None:
    head = b"GET /sparql?query=" + b"x" * (MAX_HEADER_BYTES + 10) + b" HTTP/1.1\r\nHost: t\r\n\r\n"
    _assert_refused(_send(base, _chunks(head, 8 * 1024)), f"over {MAX_HEADER_BYTES} bytes")


def test_a_header_that_trickles_in_gets_431_while_another_client_is_answered(base: str) -> None:
    head = b"GET /sparql HTTP/1.1\r\nHost: t\r\nX-Slow: " + b"b" * (2 * MAX_HEADER_BYTES) + b"\r\n\r\n"
    answers: list[bytes] = []
    sender = threading.Thread(target=lambda: answers.append(_send(base, _chunks(head, 2048), pause=0.01)))
    sender.start()
    time.sleep(0.2)
    assert sender.is_alive(), "still trickling"
    assert httpx.get(f"{base}/sparql", timeout=10).status_code == 200
    sender.join(timeout=30)
    _assert_refused(answers[0], f"over {MAX_HEADER_BYTES} bytes")


def test_a_huge_trailer_gets_431(base: str) -> None:
    post = b"POST /sparql HTTP/1.1\r\nHost: t\r\nContent-Type: application/sparql-query\r\n" \
           b"Transfer-Encoding: chunked\r\n\r\n"
    trailer = post + b"5\r\nASK{}\r\n0\r\nX-Trailer: " + b"t" * (1024 * 1024) + b"\r\n\r\n"
    _assert_refused(_send(base, _chunks(trailer, 16 * 1024)), f"over {MAX_HEADER_BYTES} bytes")
    assert httpx.get(f"{base}/sparql").status_code == 200


def test_a_body_in_one_byte_chunks_gets_431_with_httptools(base: str, request: pytest.FixtureRequest) -> None:
    if request.node.callspec.params["base"] is not LimitedHttpToolsProtocol:
        pytest.skip("h11 parses each chunk as it comes and holds none of the framing")
    post = b"POST /sparql HTTP/1.1\r\nHost: t\r\nContent-Type: application/sparql-query\r\n" \
           b"Transfer-Encoding: chunked\r\n\r\n"
    tiny = post + b"1\r\n#\r\n" * 70_000 + b"0\r\n\r\n"  # 70 kB of body in 420 kB of framing
    _assert_refused(_send(base, _chunks(tiny, 16 * 1024)), "chunk sizes")


def test_a_head_that_never_completes_gets_408(base: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http_limits, "HEAD_TIMEOUT_SECONDS", 0.5)
    # A few bytes a second: under every size limit, never complete (and nothing at all).
    line = b"GET /sparql HTTP/1.1\r\n"
    for sent in ([line, *[b"X-Slow: 1\r\n"] * 90], [line], []):
        pieces = iter(sent)
        answer = _send(base, pieces, pause=0.05)
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 408 "), answer[:200]
        assert json.loads(body)["error"]["title"] == "Request timeout"
        if len(sent) > 1:
            assert next(pieces, None) is not None, "answered before the client had sent everything"
    with httpx.Client(base_url=base) as client:  # a request slower than that, but whose head is quick
        assert client.get("/sparql").status_code == 200
        time.sleep(0.7)  # idle on a kept-alive connection: uvicorn's keep-alive timeout applies
        assert client.get("/sparql").status_code == 200


def test_heads_under_the_limits_and_keep_alive_requests_pass(base: str) -> None:
    fields = {f"x-f{n}": "v" * 500 for n in range(MAX_HEADER_COUNT - 10)}  # about 50 kB, 90 fields
    with httpx.Client(base_url=base) as client:
        for _ in range(3):  # one connection: each request's head is counted on its own
            assert client.get("/sparql", headers=fields).status_code == 200
        body = "SELECT * WHERE { ?s ?p ?o } LIMIT 1 #" + "x" * (200 * 1024)
        assert client.post("/sparql", content=body, headers={"content-type": "application/sparql-query"}
                           ).status_code == 200
        chunks = (body[i:i + 4096].encode() for i in range(0, len(body), 4096))  # chunked, no length
        assert client.post("/sparql", content=chunks, headers={"content-type": "application/sparql-query"}
                           ).status_code == 200


def test_a_chunked_body_without_length_is_cut_at_the_body_limit(base: str) -> None:
    def body() -> Iterator[bytes]:
        for _ in range(40):
            yield b"#" * (64 * 1024)  # 2.5 MiB in all, over the 1 MiB limit

    response = httpx.post(f"{base}/sparql", content=body(), headers={"content-type": "application/sparql-query"})
    assert response.status_code == 413
