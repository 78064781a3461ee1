"""How the service runs under uvicorn: httptools on uvloop, no access log unless asked for."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from uvicorn.protocols.http import httptools_impl

from oncoclaims.api.http_limits import LimitedHttpToolsProtocol
from oncoclaims.api.serving import server_config

uvloop = pytest.importorskip("uvloop", reason="no uvloop for Windows; asyncio stands in")


def test_the_server_parses_http_with_httptools_on_a_uvloop_loop() -> None:
    config = server_config(FastAPI(), "127.0.0.1", 0)
    config.load()
    assert config.http_protocol_class is LimitedHttpToolsProtocol  # with the head limits
    assert issubclass(config.http_protocol_class, httptools_impl.HttpToolsProtocol)
    loop = config.get_loop_factory()()
    try:
        assert isinstance(loop, uvloop.Loop)
    finally:
        loop.close()


def test_the_access_log_is_off_unless_asked_for() -> None:
    assert server_config(FastAPI(), "127.0.0.1", 0).access_log is False
    assert server_config(FastAPI(), "127.0.0.1", 0, access_log=True).access_log is True
