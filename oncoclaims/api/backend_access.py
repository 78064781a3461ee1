"""The one place the API gets the backend a store reads and writes through.

A :class:`~oncoclaims.graph.store.ClaimStore` that holds a backend (``store.backend``) is
served through it; one that does not is the embedded pyoxigraph store, wrapped in an
:class:`~oncoclaims.backends.EmbeddedBackend`. Every API module asks :func:`backend_of`
rather than reaching for ``store.inner``, so the HTTP service runs the same on the embedded
store and on a SPARQL server (docs/deployment.md).
"""

from __future__ import annotations

from typing import Any

from oncoclaims.backends import Backend, EmbeddedBackend

__all__ = ["backend_of", "is_remote"]


def backend_of(store: Any) -> Backend:
    """The backend ``store`` reads and writes through: ``store.backend`` if it has one, else
    its embedded pyoxigraph store."""
    backend = getattr(store, "backend", None)
    if backend is not None:
        return backend  # type: ignore[no-any-return]
    return EmbeddedBackend(store.inner)


def is_remote(store: Any) -> bool:
    """Whether ``store`` lives on a SPARQL server (anything but the embedded store)."""
    return not isinstance(backend_of(store), EmbeddedBackend)
