"""Limits on a request's head (request line and header fields), enforced in uvicorn's protocol
classes before the head is buffered whole.

uvicorn with httptools has no limit of its own: httptools joins the pieces of a header field
as they arrive, so a 128 MiB field is read whole (quadratically, in the event loop) before
the application sees anything. h11 has a limit on its receive buffer, but uvicorn answers it
with a 400 and it has no limit on the number of fields. The subclasses here answer **431**
(Request Header Fields Too Large) and close the connection when

- the request line and header fields of one request exceed :data:`MAX_HEADER_BYTES`
  (counted as the bytes arrive, over however many reads: a head that trickles in is refused
  at the same size), or
- a request has more than :data:`MAX_HEADER_COUNT` header fields;

and **408** (Request Timeout) and close when a head is not complete
:data:`HEAD_TIMEOUT_SECONDS` after the connection opened or after its first byte arrived
(a client sending a small head very slowly, or nothing at all, holds a connection for that
long at most; between requests uvicorn's keep-alive timeout applies as before).

With httptools, bytes are fed to the parser in slices that never take a head past the limit
(a read that ends one request's body and starts the next request's head can let that head
reach at most twice the limit before the check). In a chunked body, what is not body (chunk
sizes, extensions, and trailer fields, which httptools buffers like header fields) counts
against the same limit, checked after each slice of at most the limit (the slice in which
the body ends is not counted: at most twice the limit again). With h11, the parser's own receive-buffer
limit is set to :data:`MAX_HEADER_BYTES` and its refusal answered with 431 instead of 400.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

__all__ = [
    "HEAD_TIMEOUT_SECONDS",
    "MAX_HEADER_BYTES",
    "MAX_HEADER_COUNT",
    "LimitedH11Protocol",
    "LimitedHttpToolsProtocol",
    "header_refusal",
]

#: Bytes of request line and header fields one request may send (64 KiB).
MAX_HEADER_BYTES = 64 * 1024
#: Header fields one request may send.
MAX_HEADER_COUNT = 100
#: Seconds a request's head may take to arrive, from the connection or from its first byte.
HEAD_TIMEOUT_SECONDS = 20.0


class _HeadTooLarge(Exception):
    """Raised in a parser callback to stop parsing a head over a limit."""


def header_refusal(detail: str, status: int = 431) -> bytes:
    """The whole 431 (or 408) answer, in the service's JSON error shape, closing the connection."""
    title = {431: "Request header fields too large", 408: "Request timeout"}[status]
    body = json.dumps({"error": {"status": status, "title": title, "detail": detail}}).encode()
    reason = {431: b"Request Header Fields Too Large", 408: b"Request Timeout"}[status]
    return (b"HTTP/1.1 " + str(status).encode() + b" " + reason + b"\r\ncontent-type: application/json\r\n"
            b"content-length: " + str(len(body)).encode() + b"\r\nconnection: close\r\n\r\n" + body)


_TOO_MANY_BYTES = (f"the request line and header fields are over {MAX_HEADER_BYTES} bytes; "
                   f"send a shorter URL (or the query by POST) and fewer or shorter headers")
_TOO_MANY_FIELDS = f"the request has more than {MAX_HEADER_COUNT} header fields"
_TOO_MUCH_FRAMING = (f"the chunk sizes, extensions and trailer fields of the body are over {MAX_HEADER_BYTES} "
                     f"bytes; send the body in fewer, larger chunks and without large trailers")


def _refuse(transport: asyncio.Transport, detail: str, status: int = 431) -> None:
    if not transport.is_closing():
        transport.write(header_refusal(detail, status))
        transport.close()


class _HeadTimer:
    """Closes a connection with 408 when a head takes longer than HEAD_TIMEOUT_SECONDS."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._handle: asyncio.TimerHandle | None = None

    def start(self, transport: asyncio.Transport) -> None:
        """Start timing a head, unless one is being timed already."""
        if self._handle is None:
            self._handle = self._loop.call_later(HEAD_TIMEOUT_SECONDS, self._expired, transport)

    def stop(self) -> None:
        """The head is complete (or the connection gone)."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _expired(self, transport: asyncio.Transport) -> None:
        self._handle = None
        _refuse(transport, f"the request's head did not arrive within {HEAD_TIMEOUT_SECONDS:g} s", 408)


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the head limits of this module."""

    def __init__(self, config: Config, server_state: ServerState, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._in_head = True  # between requests or inside a head: bytes count against the limit
        self._head_bytes = 0
        self._head_fields = 0
        self._framing = 0  # bytes of the body phase that were not body (chunked framing, trailers)
        self._body_in_slice = 0
        self._messages = 0
        self._refusal: str | None = None
        self._head_timer = _HeadTimer(self.loop)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_timer.start(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_timer.stop()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            self._head_timer.start(self.transport)
        while data and not self.transport.is_closing():
            if not self._in_head:
                # In a body: the head after it is counted from the next slice on.
                piece, data = data[:MAX_HEADER_BYTES], data[MAX_HEADER_BYTES:]
                self._body_in_slice, messages = 0, self._messages
                super().data_received(piece)
                if self._messages == messages:  # still in the same body
                    self._framing += len(piece) - self._body_in_slice
                    if self._framing > MAX_HEADER_BYTES and not self.transport.is_closing():
                        _refuse(self.transport, _TOO_MUCH_FRAMING)
                        return
                continue
            room = MAX_HEADER_BYTES - self._head_bytes
            if room <= 0:
                _refuse(self.transport, _TOO_MANY_BYTES)
                return
            piece, data = (data, b"") if len(data) <= room else (data[:room], data[room:])
            self._head_bytes += len(piece)
            super().data_received(piece)
            if self._in_head and self._head_bytes >= MAX_HEADER_BYTES and not self.transport.is_closing():
                _refuse(self.transport, _TOO_MANY_BYTES)
                return

    def send_400_response(self, msg: str) -> None:
        # uvicorn answers every parser error with 400; a head over a limit gets its 431.
        if self._refusal is not None:
            _refuse(self.transport, self._refusal)
        else:
            super().send_400_response(msg)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        self._head_fields = 0

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_fields += 1
        if self._head_fields > MAX_HEADER_COUNT:
            self._refusal = _TOO_MANY_FIELDS
            raise _HeadTooLarge(_TOO_MANY_FIELDS)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._head_timer.stop()
        self._in_head = False
        self._head_bytes = 0
        self._framing = 0
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        self._body_in_slice += len(body)
        super().on_body(body)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True
        self._messages += 1


def _head_size(request: h11.Request) -> int:
    """The size of ``request``'s head as sent, give or take optional whitespace."""
    line = len(request.method) + len(request.target) + len(b"  HTTP/1.1\r\n")
    return line + sum(len(name) + len(value) + 4 for name, value in request.headers) + 2


class LimitedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with the head limits of this module."""

    def __init__(self, config: Config, server_state: ServerState, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEADER_BYTES)
        self._refusal: str | None = None
        self._head_timer = _HeadTimer(self.loop)
        next_event = self.conn.next_event

        def checked_next_event() -> Any:
            try:
                event = next_event()
            except h11.RemoteProtocolError as exc:
                if exc.error_status_hint == 431:
                    self._refusal = _TOO_MANY_BYTES
                raise
            if isinstance(event, h11.Request):
                self._head_timer.stop()
                # h11 checks its buffer only while a head is incomplete: one that completes in
                # the read that takes it past the limit is measured here.
                if len(event.headers) > MAX_HEADER_COUNT:
                    self._refusal = _TOO_MANY_FIELDS
                elif _head_size(event) > MAX_HEADER_BYTES:
                    self._refusal = _TOO_MANY_BYTES
                if self._refusal is not None:
                    raise h11.RemoteProtocolError(self._refusal, error_status_hint=431)
            return event

        self.conn.next_event = checked_next_event  # type: ignore[method-assign]

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_timer.start(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_timer.stop()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:  # waiting for (the rest of) a request's head
            self._head_timer.start(self.transport)
        super().data_received(data)

    def send_400_response(self, msg: str) -> None:
        # uvicorn answers every parser error with 400; a head over a limit gets its 431.
        if self._refusal is not None:
            _refuse(self.transport, self._refusal)
        else:
            super().send_400_response(msg)
