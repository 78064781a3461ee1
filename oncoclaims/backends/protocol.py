"""HTTP for the SPARQL 1.1 protocols: credentials, and server answers turned into project errors.

One boundary (as ``map_httpcore_exceptions`` in httpx): every httpx exception and every
error status becomes an :mod:`oncoclaims.errors` type whose message names the URL, the
server's own words and what to do.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from contextlib import contextmanager

import httpx

from oncoclaims.backends.errors import BackendAuthError, BackendUnavailableError
from oncoclaims.errors import (
    ConfigError,
    NotFoundError,
    QuerySyntaxError,
    QueryTimeoutError,
    StoreError,
)

__all__ = ["BearerAuth", "make_auth", "raise_for_answer", "translate_transport_errors"]

#: How much of a server's error text a message quotes.
_MESSAGE_CHARS = 600


class BearerAuth(httpx.Auth):
    """``Authorization: Bearer <token>`` on every request."""

    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


def make_auth(
    kind: str | None,
    *,
    user: str | None = None,
    password: str | None = None,
    token: str | None = None,
) -> httpx.Auth | None:
    """Credentials for ``kind``: ``None``/``"none"``, ``"bearer"``, ``"basic"`` or ``"digest"``.

    :raises ConfigError: an unknown kind, or one without the user, password or token it needs.
    """
    if kind in (None, "", "none"):
        return None
    if kind == "bearer":
        if not token:
            raise ConfigError("bearer credentials need a token ($ONCOCLAIMS_SPARQL_TOKEN)")
        return BearerAuth(token)
    if kind in ("basic", "digest"):
        if user is None or password is None:
            raise ConfigError(
                f"{kind} credentials need a user and a password "
                "($ONCOCLAIMS_SPARQL_USER, $ONCOCLAIMS_SPARQL_PASSWORD)"
            )
        return (
            httpx.BasicAuth(user, password) if kind == "basic" else httpx.DigestAuth(user, password)
        )
    raise ConfigError(f"unknown credentials kind {kind!r}; use none, bearer, basic or digest")


def _server_words(response: httpx.Response) -> str:
    try:
        text = response.text
    except (UnicodeDecodeError, httpx.ResponseNotRead):
        return ""
    text = " ".join(text.split())
    return text[:_MESSAGE_CHARS] + ("..." if len(text) > _MESSAGE_CHARS else "")


def raise_for_answer(response: httpx.Response, *, what: str, limit: float = 0.0) -> None:
    """Raise the project error for an error status (``what`` says which request it was;
    ``limit`` is the time limit in seconds that a timeout error reports).

    :raises BackendAuthError: 401, 403.
    :raises NotFoundError: 404 (a graph that is not there).
    :raises QuerySyntaxError: 400 (the server could not parse or run the request).
    :raises QueryTimeoutError: 503 or 504 with a timeout message.
    :raises StoreError: any other error status.
    """
    status = response.status_code
    if status < 400:
        return
    url = str(response.request.url).split("?")[0]
    words = _server_words(response)
    if status in (401, 403):
        raise BackendAuthError(
            f"{what}: the SPARQL server at {url} refused the credentials (HTTP {status}). "
            f"Check the user, password or token and the kind (basic, digest, bearer). {words}"
        )
    if status == 404:
        raise NotFoundError(f"{what}: not found at {url} (HTTP 404). {words}")
    if status == 400:
        raise QuerySyntaxError(f"{what}: the SPARQL server at {url} refused it: {words}")
    if status in (503, 504) and "timeout" in words.lower():
        raise QueryTimeoutError(f"{what}: the SPARQL server at {url} timed out: {words}", limit)
    raise StoreError(f"{what}: the SPARQL server at {url} answered HTTP {status}: {words}")


@contextmanager
def translate_transport_errors(url: str, *, what: str, timeout: float) -> Iterator[None]:
    """Turn httpx's connection and timeout errors into project errors.

    :raises BackendUnavailableError: the server cannot be reached.
    :raises QueryTimeoutError: no answer within ``timeout`` seconds.
    """
    try:
        yield
    except httpx.TimeoutException as exc:
        raise QueryTimeoutError(
            f"{what}: no answer from {url} within {timeout:g} s ({type(exc).__name__}); "
            "the server is slow or stuck. Raise the time limit or simplify the query.",
            timeout,
        ) from exc
    except (
        httpx.ConnectError,
        httpx.RemoteProtocolError,
        httpx.ReadError,
        httpx.WriteError,
    ) as exc:
        raise BackendUnavailableError(
            f"{what}: cannot reach the SPARQL server at {url}: {exc}. Is it running, and is "
            "the URL right (--query-url, --update-url, --gsp-url or $ONCOCLAIMS_*_URL)?"
        ) from exc
    except httpx.HTTPError as exc:
        raise BackendUnavailableError(f"{what}: request to {url} failed: {exc}") from exc
