"""One JSON shape for every error the HTTP service returns.

``{"error": {"status": 404, "title": "Not found", "detail": "..."}}``
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

__all__ = ["ErrorBody", "ErrorResponse", "error_response", "install_error_handlers"]


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

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        # Starlette still raises the exception after this answer, so the server logs its traceback.
        detail = f"an unexpected {type(exc).__name__}; the server log has the details"
        return error_response(500, "Internal error", detail)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        return error_response(422, "Invalid request", detail)
