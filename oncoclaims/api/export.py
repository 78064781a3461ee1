"""``GET /export.graphml``: the graph, or one claim's neighbourhood, as GraphML.

The writer streams into a temporary file (so memory stays bounded whatever the graph's
size), which is then sent and deleted.
"""

from __future__ import annotations

import os
import tempfile

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from oncoclaims.api.errors import ErrorResponse, error_response
from oncoclaims.errors import NotFoundError
from oncoclaims.graph.confirmation import find_claim
from oncoclaims.graph.export import write_graphml
from oncoclaims.graph.store import ClaimStore

__all__ = ["create_export_router"]


def create_export_router(store: ClaimStore) -> APIRouter:
    """Return the router serving ``/export.graphml`` over ``store``."""
    router = APIRouter(tags=["export"])

    @router.get(
        "/export.graphml",
        response_class=FileResponse,
        responses={200: {"content": {"application/graphml+xml": {}}}, 404: {"model": ErrorResponse}},
    )
    def export_graphml(
        claim: str | None = Query(None, description="A claim IRI or words matching one claim."),
        depth: int = Query(2, ge=0, le=6, description="Hops around the claim."),
        status: bool = Query(True, description="Each claim's confirmation status (for the whole "
                             "graph, every claim's status is computed first)."),
        metrics: bool = Query(False, description="Also each institution's metrics (computed over "
                              "the whole network)."),
    ) -> Response:
        """GraphML for Gephi, Cytoscape, yEd and graphology (typed keys, labels)."""
        try:
            iri = find_claim(store, claim) if claim else None
        except NotFoundError as exc:
            return error_response(404, "Claim not found", str(exc))
        handle = tempfile.NamedTemporaryFile(prefix="oncoclaims-", suffix=".graphml", delete=False)
        with handle:
            write_graphml(store, handle, claim=iri, depth=depth, status=status, metrics=metrics)
        return FileResponse(handle.name, media_type="application/graphml+xml", filename="oncoclaims.graphml",
                            background=BackgroundTask(os.unlink, handle.name))

    return router
