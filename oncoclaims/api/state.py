"""What one running HTTP service holds: its settings, the write counter and lock, the query
runner and the sandbox (created on first use, stopped with the server).

This module sits above the runners and the sandbox in the import order (app, then state,
then runner, then execution, then backend): the runners only see the
:class:`~oncoclaims.api.settings.RunnerContext` part of it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from oncoclaims.api.preflight import Sandbox
from oncoclaims.api.query_runner import QueryRunner, create_query_runner
from oncoclaims.api.settings import ServerSettings

if TYPE_CHECKING:
    from oncoclaims.graph.store import ClaimStore

__all__ = ["ServerState", "close_sandbox", "query_runner_for", "sandbox_for"]


@dataclass(slots=True)
class ServerState:
    """Settings, a counter of writes, the writers' lock, the query runner and the sandbox.

    Every write through the server must add one to ``generation``: cached whole-store answers
    and the query workers' snapshots (:mod:`oncoclaims.api.query_runner`) refresh on it. Writes
    (SPARQL updates, Graph Store changes) run one at a time under ``write_lock``, in threads.
    """

    settings: ServerSettings = field(default_factory=ServerSettings)
    generation: int = 0
    query_runner: QueryRunner | None = None
    #: The server's single writer: every write through the server holds it.
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    #: the process that parses client SPARQL before the server runs it (api/preflight.py)
    sandbox: Sandbox | None = None


def query_runner_for(store: ClaimStore, state: ServerState) -> QueryRunner:
    """The server's runner, kept on ``state``; created on first use."""
    if state.query_runner is None:
        state.query_runner = create_query_runner(store, state)
    return state.query_runner


def sandbox_for(state: ServerState) -> Sandbox:
    """The server's sandbox, kept on ``state``; created on first use."""
    if state.sandbox is None:
        state.sandbox = Sandbox()
    return state.sandbox


def close_sandbox(state: ServerState) -> None:
    """Stop the server's sandbox process, if one runs."""
    if state.sandbox is not None:
        state.sandbox.close()
