"""Virtuoso's own bulk loader (``ld_add`` + ``rdf_loader_run``), driven through its ``isql`` client.

Graph Store ``POST`` per graph loads Virtuoso at about 70k quads a second in small batches
and needs one request per graph; the server's loader reads an N-Quads file from its own
disk and parses it in C (issue 19 measured 89k quads/s at 1M quads). It needs:

* the SQL port (``[Parameters] ServerPort`` of ``virtuoso.ini``) and an account allowed to
  load (``dba`` in a fresh database), given to ``isql`` on its command line;
* a folder that oncoclaims writes to and the server may read (listed in ``DirsAllowed``),
  on the server's machine or a disk both see (``server_folder`` when the server sees it
  under another path).

The load runs without Virtuoso's transaction log (``rdf_loader_run`` switches it off) and
ends with a ``checkpoint``, so the quads are on disk when :meth:`VirtuosoLoader.load_file`
returns. A file that fails to parse is reported with Virtuoso's message; what the loader
wrote of it before the error is the caller's to take back
(:meth:`oncoclaims.backends.sparql.SparqlBackend.bulk_load` does).

The text sent to ``isql`` is made here from a path of our own choosing (quotes doubled as
SQL wants), never from data.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from oncoclaims.errors import ConfigError, StoreError

__all__ = ["LOADED_MARK", "VirtuosoLoader", "load_script", "loader_outcome"]

#: The prefix of the one line of ``isql`` output that reports the file's state and error.
LOADED_MARK = "oncoclaims-load|"


#: The commands for one file; ``$path`` becomes the file's path as a SQL string literal. The
#: graph given to ``ld_add`` is for triples without one (N-Quads name their own); the SELECT
#: line starts with :data:`LOADED_MARK`.
_SCRIPT = """DELETE FROM DB.DBA.load_list WHERE ll_file = $path;
ld_add($path, 'urn:oncoclaims:default-graph');
rdf_loader_run();
commit work;
SELECT 'oncoclaims-load|' || cast(ll_state AS varchar) || '|' || coalesce(ll_error, '')
  FROM DB.DBA.load_list WHERE ll_file = $path;
DELETE FROM DB.DBA.load_list WHERE ll_file = $path;
checkpoint;
"""


def _sql_text(value: str) -> str:
    """A SQL string literal (quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


def load_script(server_path: str) -> str:
    """The ``isql`` commands that load one N-Quads file, report its state and error on one
    line starting with :data:`LOADED_MARK`, forget it in ``DB.DBA.load_list`` and checkpoint.

    >>> print(load_script("/data/a.nq").splitlines()[0])
    DELETE FROM DB.DBA.load_list WHERE ll_file = '/data/a.nq';
    """
    return _SCRIPT.replace("$path", _sql_text(server_path))


def loader_outcome(output: str) -> str | None:
    """The error of a load from ``isql``'s output (stdout and stderr together), or ``None``
    when the file loaded.

    >>> loader_outcome("x\\noncoclaims-load|2|\\n")
    >>> loader_outcome("oncoclaims-load|2|37000 SP029: NQuads RDF loader, line 2: syntax error")
    '37000 SP029: NQuads RDF loader, line 2: syntax error'
    """
    errors = [line.strip() for line in output.splitlines() if line.startswith("*** Error")]
    if errors:
        return "; ".join(errors)
    for line in output.splitlines():
        if line.startswith(LOADED_MARK):
            state, _, error = line.removeprefix(LOADED_MARK).partition("|")
            error = error.strip()
            if error:
                return error
            if state.strip() != "2":
                return (
                    f"the server did not load it (state {state.strip()}, 2 is done): can the "
                    "server read it there? Its folder must be in DirsAllowed of virtuoso.ini "
                    "and seen by the server under that path (server_folder)"
                )
            return None
    return "isql reported no state for the file (was it loaded by another rdf_loader_run?)"


@dataclass(frozen=True, slots=True)
class VirtuosoLoader:
    """How to reach Virtuoso's bulk loader: ``isql`` program, SQL address, account, folder."""

    #: ``host:port`` of Virtuoso's SQL port.
    address: str
    user: str
    password: str
    #: Where oncoclaims writes the files to load; the server must be allowed to read it.
    folder: Path
    #: The same folder as the server sees it (default: ``folder``).
    server_folder: str | None = None
    isql: str = "isql-vt"
    #: Seconds one load may take before ``isql`` is stopped.
    timeout: float = 3600.0

    def _server_path(self, path: Path) -> str:
        if self.server_folder is None:
            return str(path.resolve())
        return f"{self.server_folder.rstrip('/')}/{path.name}"

    def load_file(self, path: Path) -> None:
        """Load one N-Quads file in ``folder`` with the server's loader.

        :raises ConfigError: ``isql`` is missing, or the server refused the account.
        :raises StoreError: the load failed (Virtuoso's message, the file named), or took
            longer than ``timeout``.
        """
        script = load_script(self._server_path(path))
        try:
            done = subprocess.run(  # noqa: S603 (our program and arguments, no shell)
                [self.isql, self.address, self.user, self.password],
                input=script,
                capture_output=True,
                text=True,
                timeout=self.timeout,
                check=False,
            )
        except FileNotFoundError:
            raise ConfigError(
                f"Virtuoso's isql program {self.isql!r} was not found; install "
                "virtuoso-opensource-7-bin (isql-vt) or give its path ($ONCOCLAIMS_VIRTUOSO_ISQL)"
            ) from None
        except subprocess.TimeoutExpired:
            raise StoreError(
                f"Virtuoso's loader did not finish {path.name} within {self.timeout:.0f} s; "
                "it may still be loading: check DB.DBA.load_list before loading again"
            ) from None
        output = done.stdout + "\n" + done.stderr
        if "Bad login" in output or done.returncode != 0:
            first = next((ln for ln in output.splitlines() if "Error" in ln), output.strip())
            raise ConfigError(
                f"isql could not connect to Virtuoso at {self.address} as {self.user!r} "
                f"(exit {done.returncode}): {first[:300]}"
            )
        error = loader_outcome(output)
        if error is not None:
            raise StoreError(
                f"Virtuoso's loader failed on {self._server_path(path)}: {error[:500]}"
            )

    @contextmanager
    def staged(self, quads: Iterable[ox.Quad]) -> Iterator[tuple[Path, set[ox.NamedNode]]]:
        """Write ``quads`` as one N-Quads file in ``folder``; yield it with the named graphs
        it holds (to load with :meth:`load_file`), and delete it afterwards.

        An exception from ``quads`` (bad input) stops before anything reaches the server.

        :raises StoreError: the file cannot be written.
        """
        graphs: set[ox.NamedNode] = set()

        def passing() -> Iterator[ox.Quad]:
            for quad in quads:
                if isinstance(quad.graph_name, ox.NamedNode):
                    graphs.add(quad.graph_name)
                yield quad

        path = self.folder / f"oncoclaims-load-{uuid.uuid4().hex}.nq"
        try:
            try:
                with path.open("xb") as out:
                    ox.serialize(passing(), out, ox.RdfFormat.N_QUADS)
                os.chmod(path, 0o644)  # the server may run as another user
            except OSError as exc:
                raise StoreError(f"cannot write the load file {path}: {exc}") from exc
            yield path, graphs
        finally:
            path.unlink(missing_ok=True)
