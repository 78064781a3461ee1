"""Where the graph lives: the embedded pyoxigraph store, or a SPARQL 1.1 server.

Every caller reads and writes through one :class:`Backend`; :func:`open_backend` picks it
from options or the environment (:mod:`oncoclaims.backends.settings`).
"""

from __future__ import annotations

from oncoclaims.backends.base import Backend, Rows
from oncoclaims.backends.embedded import EmbeddedBackend
from oncoclaims.backends.errors import BackendAuthError, BackendUnavailableError, BackendWriteError
from oncoclaims.backends.settings import BackendSettings, open_backend
from oncoclaims.backends.sparql import SparqlBackend, SparqlEndpoints

__all__ = [
    "Backend",
    "BackendAuthError",
    "BackendSettings",
    "BackendUnavailableError",
    "BackendWriteError",
    "EmbeddedBackend",
    "Rows",
    "SparqlBackend",
    "SparqlEndpoints",
    "open_backend",
]
