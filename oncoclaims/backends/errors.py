"""Errors of the backend layer that the project's tree (``oncoclaims/errors.py``) has no class for.

They subclass the nearest project class, so callers that catch :class:`StoreError` or
:class:`ConfigError` today keep working. TODO(lead): move them into ``oncoclaims/errors.py``
(under ``StoreError`` and ``ConfigError``) and re-export them here.
"""

from __future__ import annotations

from oncoclaims.errors import ConfigError, StoreError

__all__ = ["BackendAuthError", "BackendUnavailableError", "BackendWriteError"]


class BackendUnavailableError(StoreError):
    """The SPARQL server cannot be reached (down, refusing connections, wrong address)."""


class BackendAuthError(ConfigError):
    """The SPARQL server refused the credentials given (HTTP 401 or 403)."""


class BackendWriteError(StoreError):
    """A write to the server failed; ``taken_back`` says whether what the batch created was removed.

    When ``taken_back`` is false the server may hold part of the batch: the message names
    the graphs to check.
    """

    def __init__(self, message: str, *, taken_back: bool, graphs: tuple[str, ...] = ()) -> None:
        self.taken_back = taken_back
        self.graphs = graphs
        super().__init__(message)
