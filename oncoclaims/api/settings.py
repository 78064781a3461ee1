"""What the HTTP service may do: updates (behind a bearer token) and cross-origin access.

Both are off by default. ``oncoclaims serve --update-token T`` (or
``$ONCOCLAIMS_UPDATE_TOKEN``) enables SPARQL Update and the Graph Store's PUT, POST and
DELETE for requests carrying ``Authorization: Bearer T``; ``--cors-origin URL`` (repeatable, or
``$ONCOCLAIMS_CORS_ORIGINS`` comma-separated) lets pages from those origins call the API.
"""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass, field

__all__ = ["ServerSettings", "ServerState"]


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """The service's switches; the defaults are read-only and same-origin."""

    update_token: str | None = None
    cors_origins: tuple[str, ...] = ()

    @classmethod
    def from_environment(cls) -> ServerSettings:
        """Settings from ``$ONCOCLAIMS_UPDATE_TOKEN`` and ``$ONCOCLAIMS_CORS_ORIGINS``."""
        origins = tuple(o.strip() for o in os.environ.get("ONCOCLAIMS_CORS_ORIGINS", "").split(",") if o.strip())
        return cls(update_token=os.environ.get("ONCOCLAIMS_UPDATE_TOKEN") or None, cors_origins=origins)

    def authorised(self, header: str | None) -> bool:
        """Whether an ``Authorization`` header carries the update token."""
        if not self.update_token or not header or not header.startswith("Bearer "):
            return False
        return hmac.compare_digest(header.removeprefix("Bearer ").strip(), self.update_token)


@dataclass(slots=True)
class ServerState:
    """Settings plus a counter of writes, so cached whole-store answers know when to refresh."""

    settings: ServerSettings = field(default_factory=ServerSettings)
    generation: int = 0
