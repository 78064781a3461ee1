"""One JSON shape for every error the HTTP service returns.

``{"error": {"status": 404, "title": "Not found", "detail": "..."}}``

A client that goes away before sending its whole body (Starlette's ``ClientDisconnect``,
from any route reading a body) is not a failure of the server: one INFO line on the
``oncoclaims.api`` logger, instead of uvicorn's ERROR with a traceback per request.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import Response

from oncoclaims.backends.errors import BackendAuthError, BackendUnavailableError
from oncoclaims.errors import QueryTimeoutError, StoreError

__all__ = ["ErrorBody", "ErrorResponse", "error_response", "install_error_handlers"]

_log = logging.getLogger("oncoclaims.api")


class ErrorBody(BaseModel):
    """What went wrong, for people and programs."""

    status: int
    title: str
    detail: str


class ErrorResponse(BaseModel):
    """The envelope of every error answer."""

    error: ErrorBody


def error_response(status: int, title: str, detail: str) -> JSONResponse:
    """An error answer in the one JSON shape."""
    body = ErrorResponse(error=ErrorBody(status=status, title=title, detail=detail))
    return JSONResponse(body.model_dump(), status_code=status)


def install_error_handlers(app: FastAPI) -> None:
    """Make unknown routes, wrong methods, invalid parameters and unexpected failures answer in
    the same shape."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {404: "Not found", 405: "Method not allowed"}
        return error_response(exc.status_code, titles.get(exc.status_code, "HTTP error"), str(exc.detail))

    @app.exception_handler(ClientDisconnect)
    async def gone(request: Request, _: ClientDisconnect) -> Response:
        client = request.client
        _log.info("%s %s from %s: the client disconnected before sending the whole body",
                  request.method, request.url.path, client.host if client else "an unknown client")
        return Response(status_code=400)  # nobody reads it: the connection is gone

    @app.exception_handler(BackendUnavailableError)
    async def unavailable(_: Request, exc: BackendUnavailableError) -> JSONResponse:
        return error_response(503, "SPARQL server unavailable", str(exc))

    @app.exception_handler(BackendAuthError)
    async def refused(_: Request, exc: BackendAuthError) -> JSONResponse:
        return error_response(502, "SPARQL server refused the credentials", str(exc))

    @app.exception_handler(QueryTimeoutError)
    async def too_slow(_: Request, exc: QueryTimeoutError) -> JSONResponse:
        return error_response(503, "Time limit reached", str(exc))

    @app.exception_handler(StoreError)
    async def store_failed(_: Request, exc: StoreError) -> JSONResponse:
        return error_response(500, "Store error", str(exc))

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        # Starlette still raises the exception after this answer, so the server logs its traceback.
        detail = f"an unexpected {type(exc).__name__}; the server log has the details"
        return error_response(500, "Internal error", detail)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        return error_response(422, "Invalid request", detail)
