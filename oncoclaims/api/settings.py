"""What the HTTP service may do: updates, cross-origin access, and the limits on queries.

Updates and cross-origin access are off by default. ``oncoclaims serve --update-token T``
(or ``$ONCOCLAIMS_UPDATE_TOKEN``) enables SPARQL Update and the Graph Store's PUT, POST and
DELETE for requests carrying ``Authorization: Bearer T``; ``--cors-origin URL`` (repeatable, or
``$ONCOCLAIMS_CORS_ORIGINS`` comma-separated) lets pages from those origins call the API.

Every ``/sparql`` query runs under a time limit (``--query-timeout SECONDS``,
``$ONCOCLAIMS_QUERY_TIMEOUT``, default :data:`DEFAULT_QUERY_TIMEOUT`) and a limit on the size
of its serialised result (``--max-result-bytes N``, ``$ONCOCLAIMS_MAX_RESULT_BYTES``, default
:data:`DEFAULT_MAX_RESULT_BYTES`; ``N`` may end in ``KiB``, ``MiB`` or ``GiB``). On an on-disk
store queries run in a pool of ``--query-workers`` processes (``$ONCOCLAIMS_QUERY_WORKERS``,
default :data:`DEFAULT_QUERY_WORKERS`); see :mod:`oncoclaims.api.query_runner`. Brackets in a
query or update may nest ``--max-nesting`` deep (``$ONCOCLAIMS_MAX_NESTING``, default
:data:`~oncoclaims.query_guard.DEFAULT_MAX_NESTING`); see :mod:`oncoclaims.query_guard`.
"""

from __future__ import annotations

import hmac
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from oncoclaims.errors import ConfigError
from oncoclaims.query_guard import DEFAULT_MAX_NESTING

__all__ = [
    "DEFAULT_MAX_NESTING",
    "DEFAULT_MAX_RESULT_BYTES",
    "DEFAULT_QUERY_TIMEOUT",
    "DEFAULT_QUERY_WORKERS",
    "RunnerContext",
    "ServerSettings",
    "parse_byte_size",
    "parse_max_nesting",
    "parse_query_timeout",
    "parse_query_workers",
    "parse_whole_number",
]

#: Seconds a query may run before it is stopped (issue 6).
DEFAULT_QUERY_TIMEOUT = 30.0
#: Bytes a serialised query result may reach (64 MiB).
DEFAULT_MAX_RESULT_BYTES = 64 * 1024 * 1024
#: Worker processes running queries on an on-disk store.
DEFAULT_QUERY_WORKERS = 2

_SIZE = re.compile(r"^\s*(\d+)\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def parse_query_timeout(text: str | float, source: str = "--query-timeout") -> float:
    """Seconds from ``text``: a positive, finite number.

    >>> parse_query_timeout("2.5")
    2.5

    :raises ConfigError: naming ``source`` when ``text`` is not a positive number.
    """
    try:
        seconds = float(text)
    except (TypeError, ValueError):
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        raise ConfigError(f"{source}: {text!r} is not a time limit; give a positive number of seconds, e.g. 30")
    return seconds


def parse_byte_size(text: str | int, source: str = "--max-result-bytes") -> int:
    """Bytes from ``text``: a positive whole number, optionally ending in KiB, MiB or GiB.

    >>> parse_byte_size("64MiB")
    67108864

    :raises ConfigError: naming ``source`` when ``text`` is not a positive size.
    """
    match = _SIZE.match(str(text))
    size = int(match[1]) * _UNITS[match[2][:1].lower()] if match else 0
    if size <= 0:
        raise ConfigError(f"{source}: {text!r} is not a size; give a positive number of bytes, e.g. 67108864 or 64MiB")
    return size


def parse_whole_number(text: str | int, source: str, what: str, most: int, example: int) -> int:
    """A whole number from 1 to ``most`` from ``text`` (an option's or a variable's value).

    :raises ConfigError: naming ``source`` and ``what`` it should be, with ``example``.
    """
    try:
        number = int(str(text).strip())
    except ValueError:
        number = 0
    if not 1 <= number <= most:
        raise ConfigError(
            f"{source}: {text!r} is not {what}; give a whole number from 1 to {most}, e.g. {example}"
        )
    return number


def parse_query_workers(text: str | int, source: str = "--query-workers") -> int:
    """A worker count from ``text``: a whole number from 1 to 64.

    :raises ConfigError: naming ``source`` when ``text`` is not such a number.
    """
    return parse_whole_number(text, source, "a worker count", 64, 2)


def parse_max_nesting(text: str | int, source: str = "--max-nesting") -> int:
    """A nesting limit from ``text``: a whole number from 1 to 500 (pyoxigraph's parser takes
    about 3 KiB of stack per level: past 2,000 levels it overflows a thread's 8 MiB).

    :raises ConfigError: naming ``source`` when ``text`` is not such a number.
    """
    return parse_whole_number(text, source, "a nesting limit", 500, 100)


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """The service's switches; the defaults are read-only, same-origin, with the default query limits.

    :raises ConfigError: when a limit is not positive.
    """

    update_token: str | None = None
    cors_origins: tuple[str, ...] = ()
    query_timeout: float = DEFAULT_QUERY_TIMEOUT
    max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES
    query_workers: int = DEFAULT_QUERY_WORKERS
    #: Let /sparql queries and updates use SERVICE and LOAD, which make the server send requests
    #: (query_guard.py, api/network_wall.py).
    allow_service: bool = False
    #: How deep brackets may nest in a /sparql query or update (query_guard.py).
    max_nesting: int = DEFAULT_MAX_NESTING

    def __post_init__(self) -> None:
        parse_max_nesting(self.max_nesting, "max_nesting")
        parse_query_timeout(self.query_timeout, "query_timeout")
        parse_byte_size(self.max_result_bytes, "max_result_bytes")
        parse_query_workers(self.query_workers, "query_workers")

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> ServerSettings:
        """Settings from ``$ONCOCLAIMS_UPDATE_TOKEN``, ``$ONCOCLAIMS_CORS_ORIGINS``,
        ``$ONCOCLAIMS_ALLOW_SERVICE`` and the limit variables.

        :raises ConfigError: naming the variable whose value cannot be used.
        """
        env = os.environ if environ is None else environ
        origins = tuple(o.strip() for o in env.get("ONCOCLAIMS_CORS_ORIGINS", "").split(",") if o.strip())
        limits: dict[str, float | int] = {}
        if env.get("ONCOCLAIMS_QUERY_TIMEOUT"):
            limits["query_timeout"] = parse_query_timeout(env["ONCOCLAIMS_QUERY_TIMEOUT"], "$ONCOCLAIMS_QUERY_TIMEOUT")
        if env.get("ONCOCLAIMS_MAX_RESULT_BYTES"):
            limits["max_result_bytes"] = parse_byte_size(env["ONCOCLAIMS_MAX_RESULT_BYTES"],
                                                         "$ONCOCLAIMS_MAX_RESULT_BYTES")
        if env.get("ONCOCLAIMS_QUERY_WORKERS"):
            limits["query_workers"] = parse_query_workers(env["ONCOCLAIMS_QUERY_WORKERS"], "$ONCOCLAIMS_QUERY_WORKERS")
        if env.get("ONCOCLAIMS_MAX_NESTING"):
            limits["max_nesting"] = parse_max_nesting(env["ONCOCLAIMS_MAX_NESTING"], "$ONCOCLAIMS_MAX_NESTING")
        allow_service = env.get("ONCOCLAIMS_ALLOW_SERVICE", "").strip().lower()
        if allow_service not in ("", "0", "false", "no", "1", "true", "yes"):
            raise ConfigError(
                f"$ONCOCLAIMS_ALLOW_SERVICE: {allow_service!r} is not yes or no (1/0, true/false)")
        return cls(update_token=env.get("ONCOCLAIMS_UPDATE_TOKEN") or None, cors_origins=origins,
                   allow_service=allow_service in ("1", "true", "yes"),
                   **limits)  # type: ignore[arg-type]

    def authorised(self, header: str | None) -> bool:
        """Whether an ``Authorization`` header carries the update token."""
        if not self.update_token or not header or not header.startswith("Bearer "):
            return False
        return hmac.compare_digest(header.removeprefix("Bearer ").strip(), self.update_token)


class RunnerContext(Protocol):
    """What a query runner reads of the server's state: its settings and the write counter.

    :class:`~oncoclaims.api.state.ServerState` is one; the runners see only this, so that
    they do not import the state (which holds a runner).
    """

    settings: ServerSettings
    #: One more after every write through the server (snapshots refresh on it).
    generation: int
