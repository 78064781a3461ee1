"""oncoclaims: a knowledge graph of cancer-therapy claims.

For every claim: who said it, in which source, and whether anyone with no tie to the
claimant confirmed it. The Python API::

    from oncoclaims import open_store, confirmation_report, claim_statuses, to_networkx
    store = open_store()                      # the default on-disk store (reference graph if empty)
    report = confirmation_report(store, "100 percent")
    graph = to_networkx(store)                # a networkx.MultiDiGraph
"""

from __future__ import annotations

__version__ = "0.1.0"

from oncoclaims.graph.bootstrap import open_store  # noqa: E402
from oncoclaims.graph.confirmation import claim_statuses, confirmation_report  # noqa: E402
from oncoclaims.graph.metrics import institution_metrics  # noqa: E402
from oncoclaims.graph.projection import to_networkx  # noqa: E402
from oncoclaims.graph.store import ClaimStore  # noqa: E402

__all__ = [
    "ClaimStore",
    "__version__",
    "claim_statuses",
    "confirmation_report",
    "institution_metrics",
    "open_store",
    "to_networkx",
]
