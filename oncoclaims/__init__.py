"""oncoclaims: a knowledge graph of cancer-therapy claims.

For every claim: who said it, in which source, and whether anyone with no tie to the
claimant confirmed it.
"""

from __future__ import annotations

from oncoclaims.graph.store import ClaimStore

__all__ = ["ClaimStore", "__version__"]

__version__ = "0.1.0"
