"""Who may write through HTTP, and how big a request body may be.

Writes (SPARQL Update at ``/sparql``, PUT / POST / DELETE at ``/rdf-graphs``) are refused
with 403 unless the server was started with an update token, and with 401 (and a
``WWW-Authenticate: Bearer`` challenge) unless the request carries
``Authorization: Bearer TOKEN``, and with 403 when the bearer token is the wrong one. Bodies over :data:`MAX_BODY_BYTES` get 413.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from oncoclaims.api.errors import error_response
from oncoclaims.api.state import ServerState

__all__ = ["MAX_BODY_BYTES", "BodyTooLarge", "read_limited_body", "too_large", "write_refusal"]

#: Request bodies larger than this are refused with 413 (1 MiB).
MAX_BODY_BYTES = 1024 * 1024


class BodyTooLarge(Exception):
    """The request body is over :data:`MAX_BODY_BYTES`."""


def write_refusal(state: ServerState, request: Request) -> JSONResponse | None:
    """The 403 or 401 answer when ``request`` may not write, or ``None`` when it may."""
    if not state.settings.update_token:
        return error_response(403, "Writes are disabled",
                              "this server is read-only; start it with --update-token to allow writes")
    header = request.headers.get("authorization")
    if state.settings.authorised(header):
        return None
    if header and header.startswith("Bearer "):
        return error_response(403, "Wrong token", "the bearer token is not this server's update token")
    response = error_response(401, "Not authorised", "send Authorization: Bearer <the update token>")
    response.headers["WWW-Authenticate"] = 'Bearer realm="oncoclaims"'
    return response


async def read_limited_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The whole request body, read no further than ``limit`` bytes.

    :raises BodyTooLarge: when ``Content-Length`` announces more, or the stream brings more.
    """
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def too_large(limit: int = MAX_BODY_BYTES) -> JSONResponse:
    """The 413 answer."""
    return error_response(413, "Request too large", f"the body is over {limit} bytes")
