"""Fetching one story from a URL a user gave, without letting that URL reach inside.

A server that fetches addresses its users name is a server-side request forgery waiting to
happen: ``http://127.0.0.1:8080/admin``, ``http://169.254.169.254/`` (cloud metadata), a
public name whose DNS answer is ``10.0.0.1``, or a public page that redirects to any of them.
:func:`fetch_public_url` therefore:

- takes ``http`` and ``https`` only, with no user name or password in the URL;
- resolves the host itself and refuses it unless *every* address it resolves to is a public
  unicast address (:func:`is_public_address`: no loopback, private, link-local, shared,
  multicast, reserved, documentation or IPv4-mapped private ranges); it then connects to the
  address it checked, not to a second DNS answer (the request goes to the IP, with the
  ``Host`` header and the TLS server name set to the host, so certificates are still checked);
- follows at most :data:`MAX_REDIRECTS` redirects, each checked the same way before it is
  requested;
- stops reading past ``max_bytes`` and past ``timeout`` seconds in all (a slow body counts);
- sends no cookies and keeps none, and accepts only the content types a story comes in.

A refused address is never contacted. ``allow_loopback`` exists for tests, which serve pages on
127.0.0.1; the server turns it on only from ``$ONCOCLAIMS_FETCH_ALLOW_LOOPBACK`` (never a
command-line option).
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from oncoclaims import __version__
from oncoclaims.errors import FetchError

__all__ = [
    "ACCEPTED_CONTENT_TYPES",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_TIMEOUT",
    "MAX_REDIRECTS",
    "FetchedPage",
    "UnsafeURLError",
    "fetch_public_url",
    "is_public_address",
]

#: Bytes a fetched story may have (the news ingest's own limit, 5 MiB).
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
#: Seconds a whole fetch may take, redirects and a slow body included.
DEFAULT_TIMEOUT = 15.0
#: Redirects followed before the fetch is refused.
MAX_REDIRECTS = 5
#: Media types a story is read from (HTML pages, plain text, FakeHealth-style JSON).
ACCEPTED_CONTENT_TYPES = frozenset(
    {"text/html", "application/xhtml+xml", "text/plain", "application/json"})

Resolver = Callable[[str, int], Iterable[str]]


class UnsafeURLError(FetchError):
    """A URL the server will not fetch: its scheme, its address, or what it answered."""


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """What a URL answered: the URL asked for, the URL that answered, its media type and body."""

    url: str
    final_url: str
    content_type: str
    body: bytes


def is_public_address(address: str) -> bool:
    """Whether ``address`` (an IPv4 or IPv6 address) is a public unicast address.

    >>> is_public_address("93.184.216.34"), is_public_address("10.0.0.1"), is_public_address("::1")
    (True, False, False)
    >>> is_public_address("169.254.169.254"), is_public_address("::ffff:127.0.0.1")
    (False, False)
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_loopback
                                 or ip.is_link_local or ip.is_private or ip.is_unspecified)


def _system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeURLError(f"cannot resolve the host {host!r}: {exc}") from exc
    return [str(info[4][0]) for info in infos]


def _checked_target(url: str, resolver: Resolver, allow_loopback: bool) -> tuple[str, str, int, str]:
    """``(scheme, host, port, address)`` of ``url`` once every check passed."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURLError(f"{url!r} is not a URL: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsafeURLError(f"{url!r}: only http and https URLs are fetched, not {scheme or 'a relative URL'}")
    if parts.username is not None or parts.password is not None:
        raise UnsafeURLError(f"{url!r}: a URL with a user name or password is not fetched")
    host = parts.hostname
    if not host:
        raise UnsafeURLError(f"{url!r} names no host")
    port = port or (443 if scheme == "https" else 80)
    addresses = list(dict.fromkeys(resolver(host, port)))
    if not addresses:
        raise UnsafeURLError(f"the host {host!r} resolves to no address")
    for address in addresses:
        loopback = ipaddress.ip_address(address.split("%", 1)[0]).is_loopback
        if not (is_public_address(address) or (allow_loopback and loopback)):
            raise UnsafeURLError(
                f"{url!r} resolves to {address}, which is not a public address; "
                "the server fetches only public web pages")
    return scheme, host, port, addresses[0]


def _media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def fetch_public_url(
    url: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = DEFAULT_TIMEOUT,
    allow_loopback: bool = False,
    resolver: Resolver = _system_resolver,
) -> FetchedPage:
    """GET ``url``, a public web page, under the protections in this module's docstring.

    :raises UnsafeURLError: for a refused scheme, address, redirect, media type or size.
    :raises FetchError: when the page cannot be fetched (time-out, connection, HTTP error).
    """
    deadline = time.monotonic() + timeout
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        scheme, host, port, address = _checked_target(current, resolver, allow_loopback)
        parts = urlsplit(current)
        ip_host = f"[{address}]" if ":" in address else address
        target = urlunsplit((scheme, f"{ip_host}:{port}", parts.path or "/", parts.query, ""))
        host_header = host if parts.port is None else f"{host}:{parts.port}"
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(f"{url!r}: no answer within {timeout:g} s")
        headers = {"Host": host_header, "User-Agent": f"oncoclaims/{__version__}",
                   "Accept": ", ".join(sorted(ACCEPTED_CONTENT_TYPES))}
        try:
            with httpx.Client(timeout=remaining, follow_redirects=False, trust_env=False) as client:
                request = client.build_request("GET", target, headers=headers,
                                               extensions={"sni_hostname": host})
                response = client.send(request, stream=True)
                try:
                    if response.is_redirect:
                        location = response.headers.get("location")
                        if not location:
                            raise FetchError(f"{current!r} redirects without saying where")
                        current = urljoin(current, location)
                        continue
                    if response.status_code >= 400:
                        raise FetchError(f"{current!r} answered HTTP {response.status_code}")
                    media = _media_type(response)
                    if media not in ACCEPTED_CONTENT_TYPES:
                        raise UnsafeURLError(
                            f"{current!r} is {media or 'of no stated type'}; a story is read from "
                            + ", ".join(sorted(ACCEPTED_CONTENT_TYPES)))
                    body = _read_body(response, max_bytes, deadline, current, timeout)
                finally:
                    response.close()
        except httpx.TimeoutException as exc:
            raise FetchError(f"{url!r}: no answer within {timeout:g} s") from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"{current!r} could not be fetched: {exc}") from exc
        return FetchedPage(url=url, final_url=current, content_type=media, body=body)
    raise UnsafeURLError(f"{url!r}: more than {MAX_REDIRECTS} redirects")


def _read_body(response: httpx.Response, max_bytes: int, deadline: float, url: str, timeout: float) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise UnsafeURLError(f"{url!r} is {int(declared)} bytes, over the limit of {max_bytes}")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise UnsafeURLError(f"{url!r} is over the limit of {max_bytes} bytes")
        if time.monotonic() > deadline:
            raise FetchError(f"{url!r}: the page did not arrive within {timeout:g} s")
        chunks.append(chunk)
    return b"".join(chunks)
