"""What the query guard costs: the fast path on the point query, the nesting count on long texts,
rdflib's parse of a SERVICE query, and a check in the sandbox process (uncached and cached).

    python -m bench.guard     (as a module: bench/http.py would shadow the http package)

Runs in well under a minute. Figures on the 2-core development machine are in
docs/query-guard.md.
"""

from __future__ import annotations

import time
import timeit

from oncoclaims.api.preflight import Sandbox
from oncoclaims.query_guard import check_nesting, inspect_sparql, may_hold_keyword
from oncoclaims.errors import QueryRefusedError

POINT = "SELECT ?p ?o WHERE { <https://w3id.org/oncoclaims/id/therapy/enteromix> ?p ?o }"
SERVICE = "SELECT * WHERE { OPTIONAL { SERVICE <http://a.example/> { ?s ?p ?o } } FILTER(?o > 1) }"


def main() -> None:
    """Print each figure."""
    runs = 20_000
    seconds = timeit.timeit(lambda: (check_nesting(POINT), may_hold_keyword(POINT, update=False)), number=runs)
    print(f"fast path (nesting + keyword) on the point query: {seconds / runs * 1e6:.1f} us")
    for patterns in (100, 1000):
        text = "SELECT * WHERE { " + " ".join(f"?s{i} <http://x.example/p> 'a\\'b' ." for i in range(patterns)) + " }"
        seconds = timeit.timeit(lambda text=text: check_nesting(text), number=20)
        print(f"nesting count, {len(text):,} characters: {seconds / 20 * 1e3:.2f} ms")
    inspect_sparql(SERVICE, update=False)
    seconds = timeit.timeit(lambda: inspect_sparql(SERVICE, update=False), number=20)
    print(f"rdflib parse of a SERVICE query (in this process): {seconds / 20 * 1e3:.1f} ms")

    sandbox = Sandbox()
    try:
        started = time.perf_counter()
        sandbox.check(("query", POINT, None, True), 60)
        print(f"sandbox start and first check: {time.perf_counter() - started:.2f} s")
        texts = [POINT.replace("?o", f"?o{i}") for i in range(300)]
        for label in ("uncached", "cached"):
            started = time.perf_counter()
            for text in texts:
                sandbox.check(("query", text, None, True), 60)
            print(f"sandbox check of the point query, {label}: "
                  f"{(time.perf_counter() - started) / len(texts) * 1e3:.3f} ms")
        started = time.perf_counter()
        for i in range(20):
            try:
                sandbox.check(("query", SERVICE.replace("?o", f"?o{i}"), None, True), 60)
            except QueryRefusedError:
                pass  # refused, as expected
        print(f"sandbox check of a SERVICE query (refused), uncached: {(time.perf_counter() - started) / 20 * 1e3:.1f} ms")
    finally:
        sandbox.close()


if __name__ == "__main__":
    main()
