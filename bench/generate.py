"""Synthetic claim graphs of realistic shape, for the confirmation and export benchmarks.

Per claim, about 31 triples: the claim (type, text, label, therapy, claim type,
claimant), two statements with their targets, two stating sources (type, source type,
title, publisher, date, an author for a third of them, and a derivation to an earlier
source for a third of them), and for half of the claims a piece of evidence (study type,
sponsor, sample size, stance) reported in a source
of its own (peer-reviewed two times in three). Institutions form part-of, funded-by
and controlled-by chains; persons are affiliated with institutions and author a share of
the sources. Made-up data, deterministic for a seed; nothing here describes real parties.

    .venv/bin/python bench/generate.py 100000 bench/data/100k      # N-Quads + on-disk store
"""

from __future__ import annotations

import os
import sys

# bench/http.py (the name issue 6 gives it) would shadow the standard library's `http` package
# for every script run from this folder: take the folder off the import path first, hence the
# imports after it.
# ruff: noqa: E402
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != _HERE]

import argparse
import random
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

EX = "https://example.org/synthetic/"
OC = "https://w3id.org/oncoclaims/vocab#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
TEXT = ox.NamedNode("https://schema.org/text")
TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
PUBLISHER = ox.NamedNode("http://purl.org/dc/terms/publisher")
CREATOR = ox.NamedNode("http://purl.org/dc/terms/creator")
AFFILIATION = ox.NamedNode("https://schema.org/affiliation")
HAS_BODY = ox.NamedNode("http://www.w3.org/ns/oa#hasBody")
HAS_TARGET = ox.NamedNode("http://www.w3.org/ns/oa#hasTarget")
HAS_SOURCE = ox.NamedNode("http://www.w3.org/ns/oa#hasSource")
ANNOTATION_TARGET = ox.NamedNode("http://www.w3.org/ns/oa#SpecificResource")
SUPPORTS = ox.NamedNode("http://purl.org/spar/cito/supports")
DISPUTES = ox.NamedNode("http://purl.org/spar/cito/disputes")
DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
DATE = ox.NamedNode("http://purl.org/dc/terms/date")
XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
TRUE = ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))


def oc(name: str) -> ox.NamedNode:
    return ox.NamedNode(OC + name)


def ex(kind: str, index: int) -> ox.NamedNode:
    return ox.NamedNode(f"{EX}{kind}/{index}")


def triples(claims: int, seed: int = 1) -> Iterator[tuple[ox.Term, ox.Term, ox.Term]]:
    """The synthetic graph for ``claims`` claims, as triples."""
    rng = random.Random(seed)
    institutions = max(10, claims // 10)
    persons = max(10, claims // 5)
    therapies = max(5, claims // 20)
    for i in range(institutions):
        node = ex("institution", i)
        yield node, RDF_TYPE, oc("Institution")
        yield node, LABEL, ox.Literal(f"Institution {i}")
        if i and rng.random() < 0.5:
            yield node, oc("partOf"), ex("institution", rng.randrange(i))
        if i and rng.random() < 0.2:
            yield node, oc("fundedBy"), ex("institution", rng.randrange(i))
        if i and rng.random() < 0.05:
            yield node, oc("controlledBy"), ex("institution", rng.randrange(i))
    for i in range(persons):
        node = ex("person", i)
        yield node, RDF_TYPE, oc("Person")
        yield node, LABEL, ox.Literal(f"Person {i}")
        yield node, AFFILIATION, ex("institution", rng.randrange(institutions))
    for i in range(therapies):
        node = ex("therapy", i)
        yield node, RDF_TYPE, oc("Therapy")
        yield node, LABEL, ox.Literal(f"Therapy {i}")
        yield node, oc("developedBy"), ex("institution", rng.randrange(institutions))
    source_count = 0
    for c in range(claims):
        claim = ex("claim", c)
        yield claim, RDF_TYPE, oc("Claim")
        yield claim, TEXT, ox.Literal(f"Therapy {c % therapies} works against cancer type {c}.")
        yield claim, LABEL, ox.Literal(f"Claim {c}")
        yield claim, oc("about"), ex("therapy", c % therapies)
        yield claim, oc("claimType"), oc("claim-efficacy")
        yield claim, oc("claimedBy"), ex("institution", rng.randrange(institutions))
        for s in range(2):
            source = ex("source", source_count)
            statement, target = ex("statement", source_count), ex("target", source_count)
            source_count += 1
            yield source, RDF_TYPE, oc("Source")
            yield source, oc("sourceType"), oc("source-news-article")
            yield source, TITLE, ox.Literal(f"Story {source_count}")
            yield source, PUBLISHER, ex("institution", rng.randrange(institutions))
            yield source, DATE, ox.Literal(f"20{10 + c % 16}-{1 + c % 12:02d}-{1 + s + c % 27:02d}", datatype=XSD_DATE)
            if rng.random() < 0.33:
                yield source, CREATOR, ex("person", rng.randrange(persons))
            if s == 1 and rng.random() < 0.66:
                yield source, DERIVED, ex("source", source_count - 2)
            yield statement, HAS_BODY, claim
            yield statement, HAS_TARGET, target
            yield target, RDF_TYPE, ANNOTATION_TARGET
            yield target, HAS_SOURCE, source
        if rng.random() < 0.5:
            evidence, report = ex("evidence", c), ex("report", c)
            yield evidence, RDF_TYPE, oc("Evidence")
            yield evidence, oc("studyType"), oc(rng.choice(["study-phase-1", "study-phase-2", "study-randomised-controlled"]))
            yield evidence, SUPPORTS if rng.random() < 0.85 else DISPUTES, claim
            yield evidence, oc("sponsor"), ex("institution", rng.randrange(institutions))
            yield evidence, oc("sampleSize"), ox.Literal(str(rng.randrange(8, 800)), datatype=XSD_INTEGER)
            yield evidence, oc("reportedIn"), report
            yield report, RDF_TYPE, oc("Source")
            kind = "source-peer-reviewed-article" if rng.random() < 0.66 else "source-press-release"
            yield report, oc("sourceType"), oc(kind)
            yield report, PUBLISHER, ex("institution", rng.randrange(institutions))
            yield report, CREATOR, ex("person", rng.randrange(persons))
            if rng.random() < 0.02:
                yield report, oc("retracted"), TRUE


def write(claims: int, target: Path, seed: int = 1) -> tuple[Path, int]:
    """Write the graph as N-Quads (one named graph) under ``target``; return path and count."""
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"synthetic-{claims}.nq"
    graph = ox.NamedNode(EX + "graph")
    count = 0

    def quads() -> Iterator[ox.Quad]:
        nonlocal count
        for s, p, o in triples(claims, seed):
            count += 1
            yield ox.Quad(s, p, o, graph)

    with path.open("wb") as out:
        ox.serialize(quads(), out, ox.RdfFormat.N_QUADS)
    return path, count


def build_store(claims: int, target: Path, seed: int = 1) -> Path:
    """Generate, then bulk-load into an on-disk store at ``target/store`` with the ontology."""
    from oncoclaims.graph.store import ClaimStore
    from oncoclaims.ontology import ontology_quads

    path, count = write(claims, target, seed)
    start = time.perf_counter()
    with ClaimStore.open(target / "store") as store:
        store.inner.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        store.extend(ontology_quads())
        store.flush()
    print(f"{claims} claims: {count} triples ({count / claims:.1f} per claim), loaded in {time.perf_counter() - start:.1f} s")
    return target / "store"


def main() -> None:
    parser = argparse.ArgumentParser(description="Generate a synthetic oncoclaims graph.")
    parser.add_argument("claims", type=int)
    parser.add_argument("target", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    build_store(args.claims, args.target, args.seed)


if __name__ == "__main__":
    main()
