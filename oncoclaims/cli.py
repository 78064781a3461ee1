"""The ``oncoclaims`` command line: the only module that prints or sets exit codes.

Every command catches :class:`~oncoclaims.errors.OncoclaimsError` once, prints
``error: <message>`` to stderr and exits 1; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import pyoxigraph as ox
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from oncoclaims import queries
from oncoclaims.backend_options import chosen_settings, with_backend_options
from oncoclaims.backends.base import Rows
from oncoclaims.errors import (
    ConfigError,
    ExportError,
    IngestError,
    OncoclaimsError,
)
from oncoclaims.graph.bootstrap import open_store
from oncoclaims.graph.store import DEFAULT_STORE_ENV, ClaimStore, default_store_path
from oncoclaims.vocab import PREFIXES

if TYPE_CHECKING:
    from oncoclaims.api.settings import ServerSettings

__all__ = ["app"]

app = typer.Typer(
    name="oncoclaims",
    help="A knowledge graph of cancer-therapy claims: claim -> source -> independent confirmation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

_state: dict[str, Any] = {"debug": False, "store": None}

StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store",
        help=f"Store directory (default: ${DEFAULT_STORE_ENV} or {default_store_path()}).",
        envvar=DEFAULT_STORE_ENV,
        show_default=False,
    ),
]


@app.callback()
def main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    """oncoclaims: who said it, where, and did anyone independent confirm it?"""
    _state["debug"] = debug


@contextmanager
def _errors() -> Iterator[None]:
    """Turn project errors into ``error: ...`` and exit code 1."""
    message = None
    try:
        yield
    except OncoclaimsError as exc:
        if _state["debug"]:
            raise
        message = str(exc)
    # Raised outside the except block, so no traceback keeps the store (and its lock) alive.
    if message is not None:
        err.print(f"error: {message}", markup=False)
        raise typer.Exit(1)


def _open(store: Path | None) -> ClaimStore:
    """The store the command's options and the environment name (``--store``, or
    ``--backend sparql`` and its URLs: :mod:`oncoclaims.backend_options`)."""
    opened = open_store(settings=chosen_settings(store))
    for message in opened.recovered:
        err.print(f"warning: {message}", markup=False)
    return opened


@contextmanager
def _output_file(file: Path) -> Iterator[IO[bytes]]:
    """``file`` to write, which appears (replacing an older one) only when the block completes.

    The bytes go to a hidden file beside it first, so a failed export leaves neither an
    empty or partial file nor a lost earlier export. ``-`` is standard output.

    :raises ExportError: when the file cannot be written (no such folder, no permission...).
    """
    if str(file) == "-":
        yield sys.stdout.buffer
        return
    partial = file.with_name(f".{file.name}.partial-{os.getpid()}")
    try:
        try:
            out = partial.open("wb")
        except OSError as exc:
            raise ExportError(f"{file}: cannot write the file: {exc.strerror or exc}") from None
        with out:
            yield out
        try:
            os.replace(partial, file)
        except OSError as exc:
            raise ExportError(f"{file}: cannot write the file: {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)


@app.command()
@with_backend_options
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    update_token: Annotated[
        str | None, typer.Option(envvar="ONCOCLAIMS_UPDATE_TOKEN", help="Allow SPARQL Update and Graph Store writes with this bearer token.")
    ] = None,
    cors_origin: Annotated[
        list[str] | None, typer.Option(help="Let pages from this origin call the API (repeatable).")
    ] = None,
    query_timeout: Annotated[
        str | None, typer.Option(metavar="SECONDS", show_default=False,
                                 help="Time limit of a /sparql query (default 30; env ONCOCLAIMS_QUERY_TIMEOUT).")
    ] = None,
    max_result_bytes: Annotated[
        str | None, typer.Option(metavar="BYTES", show_default=False,
                                 help="Size limit of a /sparql result, e.g. 1000000 or 64MiB (default 64MiB; "
                                      "env ONCOCLAIMS_MAX_RESULT_BYTES).")
    ] = None,
    query_workers: Annotated[
        str | None, typer.Option(metavar="N", show_default=False,
                                 help="Processes running /sparql queries on an on-disk store (default 2; "
                                      "env ONCOCLAIMS_QUERY_WORKERS).")
    ] = None,
    access_log: Annotated[
        bool, typer.Option("--access-log", help="Log one line per request (off by default: it costs throughput).")
    ] = False,
    allow_service: Annotated[
        bool, typer.Option(
            "--allow-service",
            help="Let /sparql queries and updates use SERVICE (federated query) and LOAD, which make "
                 "this server send requests where they say: only where every client is trusted "
                 "(env ONCOCLAIMS_ALLOW_SERVICE).")
    ] = False,
    max_nesting: Annotated[
        str | None, typer.Option(metavar="N", show_default=False,
                                 help="How deep brackets may nest in a /sparql query or update (default 100; "
                                      "env ONCOCLAIMS_MAX_NESTING).")
    ] = None,
    workers: Annotated[
        str | None, typer.Option(metavar="N", show_default=False,
                                 help="uvicorn worker processes (default 1; more than one needs the graph on a "
                                      "SPARQL server, --backend sparql: the embedded store is locked by one process).")
    ] = None,
    store: StoreOption = None,
) -> None:
    """Serve the landing page, the REST API, GraphML export, the SPARQL endpoint and the Graph Store."""
    import uvicorn

    from oncoclaims.api import create_app
    from oncoclaims.api.launch import ServeOptions, parse_workers, run
    from oncoclaims.api.serving import http_implementation, loop_implementation, server_options

    with _errors():
        settings = _server_settings(update_token, cors_origin, query_timeout, max_result_bytes,
                                    query_workers, allow_service, max_nesting)
        backend = chosen_settings(store)
        if backend.kind != "embedded" or workers is not None:
            options = ServeOptions(server=settings, backend=backend, host=host, port=port,
                                   workers=parse_workers(workers) if workers is not None else 1,
                                   access_log=access_log)
            where = backend.query_url if backend.kind != "embedded" else backend.store_path or "the default store"
            err.print(f"oncoclaims: serving the graph at {where} on http://{host}:{port}/ with {options.workers} "
                      f"worker(s) ({'read-write with the update token' if settings.update_token else 'read-only'})",
                      markup=False)
            run(options)
            return
    with _errors(), _open(store) as claim_store:
        mode = "read-write with the update token" if settings.update_token else "read-only"
        err.print(f"oncoclaims: serving {len(claim_store)} quads on http://{host}:{port}/ ({mode}; queries limited "
                  f"to {settings.query_timeout:g} s and {settings.max_result_bytes} bytes; "
                  f"{http_implementation()} on {loop_implementation()})")
        uvicorn.run(create_app(claim_store, settings), host=host, port=port, **server_options(access_log=access_log))


def _server_settings(update_token: str | None, cors_origin: list[str] | None, query_timeout: str | None,
                     max_result_bytes: str | None, query_workers: str | None,
                     allow_service: bool = False, max_nesting: str | None = None) -> ServerSettings:
    """The environment's settings with the command line's options on top.

    :raises ConfigError: naming the option or variable whose value cannot be used.
    """
    from oncoclaims.api.settings import (
        ServerSettings,
        parse_byte_size,
        parse_max_nesting,
        parse_query_timeout,
        parse_query_workers,
    )

    settings = ServerSettings.from_environment()
    overrides: dict[str, Any] = {}
    if update_token:
        overrides["update_token"] = update_token
    if cors_origin:
        overrides["cors_origins"] = tuple(cors_origin)
    if allow_service:
        overrides["allow_service"] = True
    if max_nesting is not None:
        overrides["max_nesting"] = parse_max_nesting(max_nesting)
    if query_timeout is not None:
        overrides["query_timeout"] = parse_query_timeout(query_timeout)
    if max_result_bytes is not None:
        overrides["max_result_bytes"] = parse_byte_size(max_result_bytes)
    if query_workers is not None:
        overrides["query_workers"] = parse_query_workers(query_workers)
    return dataclasses.replace(settings, **overrides)


@app.command()
@with_backend_options
def load(
    files: Annotated[list[Path], typer.Argument(help="RDF files: .ttl .trig .nt .nq .jsonld .rdf")],
    store: StoreOption = None,
) -> None:
    """Load RDF files into the store, each file in one transaction."""
    from oncoclaims.ingest import ingest, shown_path

    with _errors(), _open(store) as claim_store:
        for file in files:
            report = ingest(file, claim_store, fmt="rdf")
            out.print(f"{shown_path(file)}: {report.quads_added} new quads", markup=False)


@app.command(name="ingest")
@with_backend_options
def ingest_command(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Files (or folders of files) to ingest; the format is read from "
                            "the content."),
    ],
    fmt: Annotated[
        str | None, typer.Option("--format", help="Format name, when detection is not wanted.")
    ] = None,
    keep_going: Annotated[
        bool, typer.Option("--keep-going", help="Skip bad records with a warning each, and files "
                                                "that cannot be read with an error each.")
    ] = False,
    discover: Annotated[
        bool | None, typer.Option("--discover/--no-discover", help="Update the candidate evidence of the "
                                  "claims the new records touch (default: when discovery has run on the store).")
    ] = None,
    store: StoreOption = None,
) -> None:
    """Ingest records (trials, articles, fact-checks, claim tables, RDF) into the store.

    Each file is one batch, written whole or not at all. A folder stands for the files in
    it and its subfolders, in name order (hidden files, Markdown and README / LICENSE-like
    files left out).
    """
    from oncoclaims.discover.candidates import claims_in_graphs, discover_claims, has_discovered
    from oncoclaims.ingest import ingest, shown_path

    changed_graphs: set[Any] = set()
    with _errors(), _open(store) as claim_store:
        if discover is None:
            discover = has_discovered(claim_store)
        paths = _files_of(paths)
        totals = {"records": 0, "quads": 0, "warnings": 0}
        written: list[str] = []
        failed: list[str] = []
        untried: list[str] = []
        progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        )
        with progress:
            for index, path in enumerate(paths):
                name = shown_path(path)
                task = progress.add_task(name, total=None)
                graphs: set[Any] = set()
                try:
                    report = ingest(
                        path,
                        claim_store,
                        fmt=fmt,
                        keep_going=keep_going,
                        on_record=lambda record, task=task, graphs=graphs: (progress.advance(task), graphs.add(record.graph)),
                    )
                except IngestError as exc:
                    err.print(f"error: {exc}; nothing of this file was written", markup=False)
                    failed.append(name)
                    if not keep_going:
                        untried = [shown_path(later) for later in paths[index + 1:]]
                        break
                    continue
                finally:
                    progress.remove_task(task)
                written.append(name)
                replaced = (f", {report.values_replaced} old values replaced"
                            if report.values_replaced else "")
                out.print(
                    f"{name}: read as {report.format}: {report.records} records, "
                    f"{report.quads_added} new quads{replaced}, {len(report.warnings)} warnings",
                    markup=False,
                )
                for warning in report.warnings:
                    err.print(f"warning: {warning}", markup=False)
                if report.quads_added:  # an unchanged record touches no claim
                    changed_graphs.update(graphs)
                totals["records"] += report.records
                totals["quads"] += report.quads_added
                totals["warnings"] += len(report.warnings)
        out.print(
            f"total: {len(written)} files, {totals['records']} records, "
            f"{totals['quads']} new quads, {totals['warnings']} warnings"
            + (f", {len(failed)} files failed (errors above)" if failed else ""),
            markup=False,
        )
        if discover and changed_graphs:
            found = discover_claims(claim_store, claims_in_graphs(claim_store, changed_graphs))
            out.print(f"candidates: {found.claims} claims touched, {found.written} updated", markup=False)
        if failed:
            for line in _ingest_summary(written, failed, untried):
                out.print(line, markup=False)
            raise typer.Exit(1)


def _ingest_summary(written: list[str], failed: list[str], untried: list[str]) -> list[str]:
    """The lines that say which files of a run were written and which were not."""
    lines = [f"written: {', '.join(written) if written else 'none'}"]
    not_written = [f"{name} (failed)" for name in failed]
    if untried:
        first, *rest = untried
        not_written.append(f"{first} (not tried: the run stopped at {failed[-1]}; "
                           "--keep-going goes on past a failed file)")
        not_written += [f"{name} (not tried)" for name in rest]
    lines.append(f"not written: {', '.join(not_written)}")
    return lines


#: In a folder, files named like these are about the data, not data: never ingested from a
#: folder (a licence read as a news text would yield claims nobody made).
_NOT_DATA = ("README", "LICENSE", "LICENCE", "COPYING", "NOTICE", "CHANGELOG", "CHANGES")


def _files_of(paths: list[Path]) -> list[Path]:
    """``paths`` with each folder replaced by the files in it and its subfolders, in name
    order; hidden files and folders, Markdown and README / LICENSE-like files left out.

    :raises ConfigError: for a folder that holds no file to ingest.
    """
    files: list[Path] = []
    for path in paths:
        if not path.is_dir():
            files.append(path)
            continue
        found = sorted(
            file for file in path.rglob("*")
            if file.is_file()
            and not any(part.startswith(".") for part in file.relative_to(path).parts)
            and not file.name.upper().startswith(_NOT_DATA)
            and file.suffix.lower() != ".md"
        )
        if not found:
            raise ConfigError(f"{path}: the folder holds no file to ingest")
        files.extend(found)
    return files


class FetchService(str, Enum):
    """The public APIs ``oncoclaims fetch`` asks."""

    ctgov = "ctgov"
    pubmed = "pubmed"
    crossref = "crossref"


@app.command()
@with_backend_options
def fetch(
    service: Annotated[FetchService, typer.Argument(help="ctgov (NCT ids), pubmed (PMIDs) or crossref (DOIs).")],
    ids: Annotated[list[str] | None, typer.Argument(help="Identifiers to fetch.")] = None,
    query: Annotated[str | None, typer.Option(help="A search instead of (or besides) ids.")] = None,
    limit: Annotated[int, typer.Option(help="Most records a search returns.")] = 100,
    contact: Annotated[
        str | None, typer.Option(envvar="ONCOCLAIMS_CONTACT", help="Your e-mail, sent to NCBI and Crossref.")
    ] = None,
    cache_dir: Annotated[
        Path | None, typer.Option(help="Where raw responses are kept (default: $ONCOCLAIMS_CACHE or ~/.cache/oncoclaims/http).")
    ] = None,
    base_url: Annotated[str | None, typer.Option(help="Another address for the service (a mirror).")] = None,
    retries: Annotated[int, typer.Option(help="Tries again after 429/5xx, with backoff.")] = 4,
    store: StoreOption = None,
) -> None:
    """Fetch records from a public API, keep the raw answers, and ingest them."""
    from oncoclaims.ingest import fetch as live
    from oncoclaims.ingest import ingest_bytes

    with _errors():
        if not ids and not query:
            raise ConfigError("give identifiers to fetch, or --query TEXT")
        client = live.FetchClient(
            cache_dir=cache_dir or live.default_cache_dir(), retries=retries, contact=contact
        )
        urls = {"base_url": base_url} if base_url else {}
        if service is FetchService.ctgov:
            documents = live.fetch_ctgov(client, ids or (), query=query, limit=limit, **urls)
        elif service is FetchService.pubmed:
            documents = live.fetch_pubmed(client, ids or (), query=query, limit=limit, **urls)
        else:
            if query:
                raise ConfigError("crossref fetches by DOI only; drop --query")
            documents = live.fetch_crossref(client, ids or (), **urls)
        with _open(store) as claim_store:
            for document in documents:
                report = ingest_bytes(document.data, document.origin, claim_store)
                cached = " (cached)" if document.from_cache else ""
                out.print(
                    f"{document.origin}{cached}: read as {report.format}: {report.records} records, "
                    f"{report.quads_added} new quads",
                    markup=False,
                )


def _parse_params(params: list[str]) -> dict[str, str]:
    parsed = {}
    for item in params:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ConfigError(f"--param {item!r}: write name=value")
        parsed[name] = value
    return parsed


def _cell(term: Any, compact: bool = False) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        if compact:
            for prefix, namespace in PREFIXES.items():
                if term.value.startswith(namespace):
                    return f"{prefix}:{term.value[len(namespace):]}"
        return term.value
    if isinstance(term, ox.Literal | ox.BlankNode):
        return term.value
    return str(term)


def _print_solutions(solutions: Rows, fmt: str) -> None:
    if fmt == "json":
        sys.stdout.write(solutions.json())
        sys.stdout.write("\n")
        return
    variables = list(solutions.variables)
    compact = fmt == "table"
    rows = [[_cell(term, compact) for term in row] for row in solutions.rows]
    if fmt in {"csv", "tsv"}:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(variables)
        writer.writerows(rows)
        sys.stdout.write(buffer.getvalue())
        return
    table = Table(*variables, show_lines=False)
    for row in rows:
        table.add_row(*row)
    out.print(table)
    out.print(f"{len(rows)} rows", markup=False)


@app.command()
@with_backend_options
def query(
    text: Annotated[str | None, typer.Argument(help="SPARQL query text.")] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="Read the query from a file.")] = None,
    named: Annotated[
        str | None, typer.Option("--named", "-n", help="Run a named query (see --list).")
    ] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="Named-query parameter name=value.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, json, csv or tsv.")] = "table",
    list_queries: Annotated[bool, typer.Option("--list", help="List the named queries.")] = False,
    store: StoreOption = None,
) -> None:
    """Run SPARQL: query text, a file, or a named query with --param name=value.

    As at /sparql, the default graph is the union of all named graphs (each source's
    statements are in a graph of their own); GRAPH ?g { ... } names them.
    """
    with _errors():
        if fmt not in {"table", "json", "csv", "tsv"}:
            raise ConfigError(f"--format {fmt!r}: use table, json, csv or tsv")
        if list_queries:
            for name in queries.query_names():
                spec = queries.load_query(name)
                params = ", ".join(f"{k}={v}" for k, v in spec.params.items()) or "no parameters"
                out.print(f"{name} ({params})\n    {spec.summary}", markup=False)
            return
        given = [x for x in (text, file, named) if x is not None]
        if len(given) != 1:
            raise ConfigError("give exactly one of: query text, --file FILE, --named NAME")
        if param and named is None:
            raise ConfigError("--param only goes with --named")
        with _open(store) as claim_store:
            if named is not None:
                result = queries.execute(claim_store, named, **_parse_params(param or []))
            else:
                sparql = file.read_text(encoding="utf-8") if file is not None else text
                # as at /sparql: the default graph is the union of every source's graph
                result = claim_store.query(sparql or "", union=True)
            _print_result(result, fmt)


def _print_result(result: Rows | bool | list[ox.Triple], fmt: str) -> None:
    if isinstance(result, Rows):
        _print_solutions(result, fmt)
    elif isinstance(result, bool):
        sys.stdout.write(("true" if result else "false") + "\n")
    else:
        sys.stdout.write(ox.serialize(result, format=ox.RdfFormat.N_TRIPLES).decode("utf-8"))


@app.command()
@with_backend_options
def stats(store: StoreOption = None) -> None:
    """Show how many quads, named graphs and nodes of each class the store holds."""
    with _errors(), _open(store) as claim_store:
        out.print(f"store: {claim_store.path or 'in memory'}", markup=False)
        out.print(f"quads: {len(claim_store)}", markup=False)
        out.print(f"named graphs: {len(claim_store.named_graphs())}", markup=False)
        _print_solutions(queries.rows(claim_store, "class_counts"), "table")


@app.command()
@with_backend_options
def validate(
    files: Annotated[
        list[Path] | None, typer.Argument(help="RDF files to check instead of the store.")
    ] = None,
    store: StoreOption = None,
) -> None:
    """Check the store (or RDF files, or claims tables) against the SHACL shapes; exit 1 on
    any violation. Warns about curated links with no basis (no quote, no inference)."""
    from oncoclaims.graph.basis import unbased_links
    from oncoclaims.graph.store import parse_rdf, rdf_format_for
    from oncoclaims.ingest import read_input, shown_path
    from oncoclaims.ingest.claims_table import ClaimsTableIngester
    from oncoclaims.ontology import validate_quads

    table = ClaimsTableIngester()
    with _errors():
        quads: list[ox.Quad] = []
        other: list[ox.Quad] = []  # RDF files and the store: warned about link by link
        warnings: list[str] = []
        for file in files or []:
            data, name = read_input(file), shown_path(file)
            if file.suffix.lower() in table.suffixes and table.sniff(data, name):
                for record in table.records(data, name):
                    row = list(table.to_quads(record))
                    quads.extend(row)
                    if unbased := unbased_links(row):
                        links = ", ".join(sorted({q.predicate.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1] for q in unbased}))
                        warnings.append(f"{record.location}: the row's links ({links}) have no basis: give basis_quote "
                                        "(the words that state them) or basis_reason with the quotes it joins")
            else:
                other.extend(parse_rdf(data, rdf_format_for(file), name))
        if not files:
            with _open(store) as claim_store:
                other = list(claim_store)
        quads.extend(other)
        warnings += [f"curated link with no basis (no quote, no inference): <{q.subject.value}> <{q.predicate.value}> "
                        f"<{q.object.value}> in {q.graph_name}" for q in unbased_links(other)]
        for warning in warnings:
            err.print(f"warning: {warning}", markup=False)
        report = validate_quads(quads)
        if report.conforms:
            out.print("conforms: no SHACL violations", markup=False)
            return
        out.print(report.text(), markup=False)
        raise typer.Exit(1)



@app.command()
@with_backend_options
def check(
    claim: Annotated[str, typer.Argument(help="A claim IRI, or words that match one claim.")],
    as_json: Annotated[bool, typer.Option("--json", help="The report as JSON (stable shape).")] = False,
    depth: Annotated[int, typer.Option(help="Tie-chain depth: part-of/controlled-by/funded-by steps, 0-4.")] = 3,
    store: StoreOption = None,
) -> None:
    """Claim -> sources -> origins -> evidence -> verdict: is the claim independently confirmed?"""
    from oncoclaims.graph.confirmation import confirmation_report, rests_on

    with _errors(), _open(store) as claim_store:
        report = confirmation_report(claim_store, claim, depth=depth)
    if as_json:
        out.print_json(json.dumps(report.to_dict()))
        return
    out.print(f"[bold]{report.claim['label'] or report.claim['iri']}[/bold]")
    out.print(f"  {report.claim['text']}", markup=False)
    out.print(f"  {report.claim['iri']}", markup=False, style="dim")
    out.print(f"\n[bold]status:[/bold] {report.status['label']}")
    out.print(report.explanation, markup=False)
    echo = f"{report.echo_factor:g}" if report.echo_factor is not None else "-"
    out.print(f"\n[bold]sources[/bold] ({len(report.sources)}, {len(report.origins)} origins, echo factor {echo})")
    for source in report.sources:
        mark = "origin" if source["origin"] else "echo  "
        publisher = f", published by {source['publisher_label']}" if source["publisher_label"] else ""
        out.print(f"  {mark} {source['title']} ({source['type_label'] or 'type unknown'}{publisher})", markup=False)
    _print_origins(report)
    out.print(f"\n[bold]evidence[/bold] ({len(report.evidence)})")
    if not report.evidence:
        out.print("  none")
    for item in report.evidence:
        level = item["level_label"] or "no level"
        out.print(f"  {item['relation']}: {item['label']} ({item['study_type_label'] or 'study type unknown'}, {level})", markup=False)
        out.print(f"    {item['reason']}", markup=False)
        if item["inferences"]:
            out.print(f"    {rests_on(item['inferences'])}", markup=False)
    out.print(f"\n[bold]candidates[/bold] ({len(report.candidates)}, not yet evidence)")
    for cand in report.candidates:
        ids = ", ".join(cand["identifiers"]) or cand["record"]
        sponsors = "; ".join(cand["sponsors"]) or "no sponsor in the graph"
        out.print(f"  {cand['score']:.2f} {ids}: {cand['title'] or ''} ({sponsors})", markup=False)
        out.print(f"    {cand['reason']}", markup=False)


def _print_origins(report: Any) -> None:
    """Where each stating source came from, as the store holds it: its studies and voices
    (docs/trace.md); the explanation above already names them."""
    if not report.story_origins:
        return
    out.print("\n[bold]where the sources came from[/bold]")
    for source in report.sources:
        origin = report.story_origins.get(source["iri"])
        if origin is None:
            continue
        for study in origin["studies"]:
            out.print(f"  {source['title']}: {study['label']}", markup=False)
            level = f" ({study['evidence_level']})" if study["evidence_level"] else ""
            out.print(f"    design: {study['design'] or 'not stated'}{level}", markup=False)
            for key in ("people", "institutions", "funders", "identifiers"):
                if study[key]:
                    out.print(f"    {key}: {'; '.join(study[key])}", markup=False)
        for voice in origin["voices"]:
            mark = {True: "independent", False: "tied", None: "unknown"}[voice["independent"]]
            out.print(f"    [{mark}] {voice['name']} ({voice['role']}): {voice['reason']}", markup=False)


@app.command()
@with_backend_options
def discover(
    target: Annotated[str | None, typer.Argument(
        help="A claim (IRI or words), or a source or record IRI: the claims it touches.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every claim in the store.")] = False,
    depth: Annotated[int, typer.Option(help="Tie-chain depth for the tie verdicts, 0-4.")] = 3,
    fetch: Annotated[bool, typer.Option("--fetch", help="First ask the public APIs for the records of the "
                                        "claims' therapies and studies the store lacks, and ingest them: "
                                        "ClinicalTrials.gov, PubMed, openFDA (docs/fetch.md).")] = False,
    source: Annotated[list[str] | None, typer.Option(
        "--source", help="With --fetch: ask only this source (ctgov, pubmed, drugsfda, label); repeatable.")] = None,
    limit: Annotated[int, typer.Option(help="With --fetch: most records per search.")] = 100,
    cache_dir: Annotated[Path | None, typer.Option(help="With --fetch: where raw answers are kept.")] = None,
    base_url: Annotated[str | None, typer.Option(help="With --fetch: another address for ClinicalTrials.gov.")] = None,
    eutils_url: Annotated[str | None, typer.Option(help="With --fetch: another address for E-utilities.")] = None,
    openfda_url: Annotated[str | None, typer.Option(help="With --fetch: another address for openFDA.")] = None,
    retries: Annotated[int, typer.Option(help="With --fetch: tries again after 429/5xx, with backoff.")] = 4,
    timeout: Annotated[float, typer.Option(help="With --fetch: seconds to wait for an answer.")] = 30.0,
    max_searches: Annotated[int | None, typer.Option(
        help="With --fetch: the most searches to send (default 50); a run needing more asks nothing and "
             "says so.")] = None,
    store: StoreOption = None,
) -> None:
    """Link claims to the trials and papers of their therapy, as ranked candidates (not supports)."""
    from oncoclaims import queries
    from oncoclaims.discover import discover_claims, touched_claims
    from oncoclaims.graph.confirmation import find_claim
    from oncoclaims.ingest import fetch as live

    if (target is None) == (not every):
        err.print("error: name a claim or source, or give --all", markup=False)
        raise typer.Exit(2)
    with _errors(), _open(store) as claim_store:
        if every:
            claims = [row["claim"].value for row in queries.select(claim_store, "claim_iris")]
        elif target is not None and target.startswith(("http://", "https://")):
            claims = touched_claims(claim_store, [target])
        else:
            claims = [find_claim(claim_store, target or "")]
        if fetch:
            from oncoclaims.discover.fetching import SOURCES, Services, fetch_for_claims

            client = live.FetchClient(cache_dir=cache_dir or live.default_cache_dir(), retries=retries,
                                      timeout=timeout)
            services = Services(base_url or live.CTGOV_URL, eutils_url or live.EUTILS_URL,
                                openfda_url or live.OPENFDA_URL)
            fetched = fetch_for_claims(claim_store, claims, client, limit=limit, sources=source or SOURCES,
                                       services=services,
                                       **({} if max_searches is None else {"max_searches": max_searches}))
            out.print(f"fetched {'; '.join(fetched.searches) or 'nothing'}: {fetched.documents} answers, "
                      f"{fetched.records} records, {fetched.quads_added} new quads", markup=False)
        report = discover_claims(claim_store, claims, depth=depth, tables=True if every else None)
    out.print(f"{report.claims} claims: {report.candidates} candidates; {report.written} claims' candidates "
              f"written, {report.unchanged} unchanged", markup=False)
    for claim in report.truncated:
        err.print(f"warning: {claim}: more records than can be ranked at once; the best of the first "
                  "ones are kept", markup=False)


class Verdict(str, Enum):
    """What a reviewer judges a candidate to be."""

    supports = "supports"
    disputes = "disputes"
    inconclusive = "inconclusive"
    unrelated = "unrelated"


@app.command()
@with_backend_options
def review(
    claim: Annotated[str, typer.Argument(help="A claim IRI, or words that match one claim.")],
    candidate: Annotated[str, typer.Argument(help="The candidate record: its IRI or NCT number.")],
    verdict: Annotated[Verdict | None, typer.Argument(help="supports, disputes, inconclusive or unrelated.")] = None,
    by: Annotated[str, typer.Option("--by", help="Who judged (recorded with the time).")] = "",
    withdraw: Annotated[bool, typer.Option("--withdraw", help="Withdraw the review instead.")] = False,
    store: StoreOption = None,
) -> None:
    """Judge a candidate: a link of its own with who and when; the claim's status follows."""
    from oncoclaims.discover.reviews import resolve_record, review_candidate, withdraw_review
    from oncoclaims.errors import ReviewError
    from oncoclaims.graph.confirmation import claim_status, find_claim

    with _errors(), _open(store) as claim_store:
        iri = find_claim(claim_store, claim)
        record = resolve_record(claim_store, candidate)
        if withdraw:
            done = withdraw_review(claim_store, iri, record)
            message = "review withdrawn" if done else "no review to withdraw"
        else:
            if verdict is None:
                raise ReviewError("give a verdict: supports, disputes, inconclusive or unrelated (or --withdraw)")
            judgement = review_candidate(claim_store, iri, record, verdict.value, by=by or os.environ.get("USER", ""))
            message = f"{judgement.verdict}, judged by {judgement.by} at {judgement.when}"
        status = claim_status(claim_store, iri)
    out.print(f"{message}; status now {status.rsplit('status-', 1)[-1]}", markup=False)


@app.command()
@with_backend_options
def metrics(
    fmt: Annotated[str, typer.Option("--format", help="table or csv.")] = "table",
    store: StoreOption = None,
) -> None:
    """Per-claim and per-institution metrics, and echo chambers of sources."""
    from oncoclaims.discover.metrics import candidate_metrics
    from oncoclaims.graph import analysis
    from oncoclaims.graph.confirmation import claim_statuses
    from oncoclaims.graph.metrics import echo_chambers, institution_metrics
    from oncoclaims.graph.projection import to_networkx

    with _errors(), _open(store) as claim_store:
        if fmt not in ("table", "csv"):
            raise ConfigError(f"unknown format {fmt!r}; use table or csv")
        statuses = claim_statuses(claim_store)
        graph = to_networkx(claim_store)
        claims = []
        for claim, status in statuses.items():
            echo = analysis.echo_factor(graph, claim)
            claims.append({
                "claim": claim,
                "label": analysis._label(graph, claim),
                "sources": len(analysis.stating_sources(graph, claim)),
                "origins": len(analysis.origins(graph, claim)),
                "echo_factor": "" if echo is None else round(echo, 3),
                "independent_confirmations": len(analysis.independent_evidence(graph, claim)),
                "status": status.rsplit("status-", 1)[-1],
            })
        institutions = institution_metrics(claim_store, statuses=statuses)
        chambers = echo_chambers(claim_store)
        discovery = candidate_metrics(claim_store)
    tables = {
        "claims": claims,
        "institutions": [{k: (round(v, 5) if isinstance(v, float) else v) for k, v in row.items()} for row in institutions],
        "echo chambers": [{"community": i + 1, "sources": len(c), "members": " ".join(c)} for i, c in enumerate(chambers)],
        "therapies (candidate evidence)": discovery["therapies"],
        "institutions (claims with an independent candidate)": discovery["institutions"],
    }
    for title, rows in tables.items():
        if fmt == "csv":
            writer = csv.writer(sys.stdout, lineterminator="\n")
            out.print(f"# {title}", markup=False)
            if rows:
                writer.writerow(rows[0].keys())
                writer.writerows(row.values() for row in rows)
            continue
        table = Table(title=title)
        for column in rows[0].keys() if rows else ["(none)"]:
            table.add_column(column)
        for row in rows:
            table.add_row(*(str(v) for v in row.values()))
        out.print(table)


class ExportFormat(str, Enum):
    """What ``oncoclaims export`` writes."""

    graphml = "graphml"
    ttl = "ttl"
    trig = "trig"
    nq = "nq"
    nt = "nt"
    jsonld = "jsonld"


@app.command()
@with_backend_options
def export(
    fmt: Annotated[ExportFormat, typer.Argument(metavar="FORMAT", help="graphml, or an RDF dump: ttl, trig, nq, nt, jsonld.")],
    file: Annotated[Path, typer.Argument(help="The file to write ('-' for standard output).")],
    claim: Annotated[str | None, typer.Option(help="GraphML of one claim's neighbourhood: its IRI or words matching it.")] = None,
    depth: Annotated[int, typer.Option(help="Hops around --claim.")] = 2,
    status: Annotated[bool, typer.Option(
        "--status/--no-status",
        help="GraphML: each claim's confirmation status (for the whole graph, every claim's status is computed first).")] = True,
    metrics: Annotated[bool, typer.Option(
        "--metrics", help="GraphML: also each institution's metrics (computed over the whole network).")] = False,
    store: StoreOption = None,
) -> None:
    """Export the graph as GraphML (Gephi, Cytoscape, yEd, graphology) or an RDF dump."""
    from oncoclaims.graph.confirmation import find_claim
    from oncoclaims.graph.export import dump, write_graphml

    with _errors(), _open(store) as claim_store:
        if claim is not None and fmt is not ExportFormat.graphml:
            raise ConfigError("--claim applies to graphml only")
        if metrics and fmt is not ExportFormat.graphml:
            raise ConfigError("--metrics applies to graphml only")
        iri = find_claim(claim_store, claim) if claim is not None else None
        with _output_file(file) as target:
            if fmt is ExportFormat.graphml:
                nodes, edges = write_graphml(
                    claim_store, target, claim=iri, depth=depth, status=status, metrics=metrics)
                summary = f"{nodes} nodes, {edges} edges"
            else:
                dump(claim_store, target, fmt.value)
                summary = f"{len(claim_store)} quads"
        err.print(f"{file}: {fmt.value}, {summary}", markup=False)


@app.command(name="eval-extract")
def eval_extract(
    gold: Annotated[list[Path], typer.Argument(help="Gold annotation files (JSON, see docs/extraction.md).")],
    article: Annotated[
        Path | None, typer.Option("--article", help="Score this article instead of the one the gold file names.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Score claim extraction against gold annotations: precision, recall, F1 per metric."""
    from oncoclaims.extract.evaluate import METRICS, evaluate_file, total

    with _errors():
        if article is not None and len(gold) != 1:
            raise ConfigError("--article goes with exactly one GOLD file")
        evaluations = [evaluate_file(path, article) for path in gold]
        if len(evaluations) > 1:
            evaluations.append(total(evaluations))
        if as_json:
            sys.stdout.write(json.dumps([e.to_dict() for e in evaluations], indent=2) + "\n")
            return
        for evaluation in evaluations:
            table = Table("metric", "P", "R", "F1", "tp", "predicted", "gold", title=evaluation.name)
            for metric in METRICS:
                s = evaluation.scores[metric]
                table.add_row(metric, f"{s.precision:.2f}", f"{s.recall:.2f}", f"{s.f1:.2f}",
                              str(s.tp), str(s.predicted), str(s.gold))
            out.print(table)


@app.command(name="trace")
@with_backend_options
def trace_command(
    inputs: Annotated[
        list[str],
        typer.Argument(help="Story files (news text, HTML or FakeHealth JSON) or IRIs of sources in the store."),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the trace as JSON (the contract in docs/trace.md).")]
    = False,
    store: StoreOption = None,
) -> None:
    """Where each story came from: the study it reports, its voices, and other stories of the same study.

    A story file not yet in the store is ingested first (ingesting it again changes nothing).
    """
    from oncoclaims.trace import trace_document, trace_lines
    from oncoclaims.trace_store import existing_records, trace_input, update_study_groups

    with _errors(), _open(store) as claim_store:
        traces = [trace_input(claim_store, name) for name in inputs]
        groups, _candidates = update_study_groups(claim_store, [t.source for t in traces])
        identifiers = sorted({i for t in traces for s in t.studies for i in s.identifiers})
        document = trace_document(traces, groups, existing_records(claim_store, identifiers))
        if as_json:
            sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
            return
        titles = {t.source: t.title or t.input for t in traces}
        for line in trace_lines(document, titles):
            out.print(line, markup=False)


@app.command(name="eval-trace")
def eval_trace(
    gold: Annotated[list[Path], typer.Argument(help="Trace gold files (JSON, see docs/trace.md).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Score study references, voices and same-study grouping against trace gold: per story, per split."""
    from oncoclaims.extract.evaluate_trace import (
        METRICS,
        evaluate_trace_file,
        load_trace_gold,
        score_grouping,
        total_trace,
    )
    from oncoclaims.extract.study_refs import find_study_references
    from oncoclaims.ingest.news import article_digest
    from oncoclaims.trace import StoryTrace, features_of, group_references

    with _errors():
        evaluations = [evaluate_trace_file(path) for path in gold]
        for split in sorted({e.split for e in evaluations}):
            part = [e for e in evaluations if e.split == split]
            if len(part) > 1:
                evaluations.append(total_trace(part, f"total ({split})"))
        # Grouping over every story given: gold pairs share a study key, predicted pairs a study node.
        golds = [load_trace_gold(path) for path in gold]
        traces = []
        for item in golds:
            date = None
            content = item.article.read_text(encoding="utf-8")
            raw = json.loads(content) if item.article.suffix == ".json" else None
            if isinstance(raw, dict) and isinstance(raw.get("publish_date"), (int, float)):
                from datetime import UTC, datetime

                date = datetime.fromtimestamp(raw["publish_date"], UTC).date().isoformat()
            key = "news:" + article_digest(item.text)
            traces.append(StoryTrace(item.path.name, item.path.name, key, None, None, date,
                                     tuple(find_study_references(item.text)), ()))
        groups, candidates = group_references([f for t in traces for f in features_of(t)])
        grouping = score_grouping({g.path.name: {s["key"] for s in g.studies} for g in golds},
                                  [set(g.sources) for g in groups])
        story_of = {f.reference: f.source for t in traces for f in features_of(t)}
        grouping["candidates"] = [[story_of[r] for r in c.references] + [c.reason] for c in candidates]
        if as_json:
            sys.stdout.write(json.dumps({"stories": [e.to_dict() for e in evaluations], "grouping": grouping},
                                        indent=2) + "\n")
            return
        out.print("precision/recall per story (independence, role: accuracy over voices found / over gold voices)",
                  markup=False)
        out.print(f"{'story':<26}{'split':<10}" + "".join(f"{m:<14}" for m in METRICS), markup=False)
        for e in evaluations:
            out.print(f"{e.name:<26}{e.split:<10}" + "".join(
                f"{e.scores[m].precision:.2f}/{e.scores[m].recall:.2f}".ljust(14) for m in METRICS), markup=False)
        out.print(f"same-study pairs: {len(grouping['found'])} of {len(grouping['gold_pairs'])} found, "
                  f"{len(grouping['false_merges'])} false merges, {len(grouping['candidates'])} candidate links",
                  markup=False)
        for pair in grouping["missed"]:
            out.print(f"  missed: {pair[0]} + {pair[1]}", markup=False)
        for pair in grouping["false_merges"]:
            out.print(f"  false merge: {pair[0]} + {pair[1]}", markup=False)
        for first, second, reason in grouping["candidates"]:
            out.print(f"  candidate: {first} + {second}: {reason}", markup=False)

