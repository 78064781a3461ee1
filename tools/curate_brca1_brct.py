"""Curate oncoclaims/reference/records/brca1-brct-replication.ttl from the two bundled records.

Every value in the Turtle file is copied here from
``oncoclaims/reference/records/sources/`` (a Semantic Scholar citations record and a Europe
PMC record); only the claim's wording, the evidence's name and the reasons of the inferred
links are the curator's. Every link the confirmation engine reads has a basis (an
``oc:StatedLink`` with the record's words, or an ``oc:InferredLink`` with the reason and the
quotes it joins; oncoclaims/graph/basis.py).
Run from the repository root:

    .venv/bin/python tools/curate_brca1_brct.py [OUTPUT]

``tests/confirm/test_real_confirmation.py`` checks that it reproduces the bundled file.
"""

import hashlib
import json
import sys

from oncoclaims.iris import mint_iri, normalise_name

R = "oncoclaims/reference/records/sources/"
s2p = R + "semanticscholar-pmid20516115-citations.json"
epp = R + "search_pmid_20516115.json"
with open(s2p, encoding="utf-8") as handle:
    s2 = json.load(handle)
with open(epp, encoding="utf-8") as handle:
    ep = json.load(handle)["resultList"]["result"][0]
cit = next(it for it in s2["data"] if it["citingPaper"]["externalIds"].get("PubMed") == "30257991")
mcr = cit["citingPaper"]
attrib = next(c for c in cit["contexts"] if c.startswith("The VUS H1746N"))
summary = next(c for c in cit["contexts"] if c.startswith("In summary, our results"))
validating = next(c for c in cit["contexts"] if c.startswith("For these VUS"))
others = next(c for c in cit["contexts"] if c.startswith("A large-scale analysis"))
def lit(x): return json.dumps(x, ensure_ascii=False)
bases = []
def basis(s, p, o, doc, quotes, reason=None):
    """A stated (no reason) or inferred link basis, as oncoclaims.graph.basis.basis_quads makes it."""
    node = mint_iri("basis", s, p, o).value
    kind = "oc:InferredLink" if reason else "oc:StatedLink"
    lines = [f"<{node}> a {kind} ;", f"    rdf:subject <{s}> ; rdf:predicate <{p}> ; rdf:object <{o}> ;"]
    if reason:
        lines.append(f"    oc:basisReason {lit(reason)} ;")
    lines.append("    oc:quote " + ", ".join(lit(q) for q in quotes) + " ;")
    lines.append(f"    dcterms:source {lit(doc)} .")
    bases.extend(lines)
OA, DCT, OC, CITO = "http://www.w3.org/ns/oa#", "http://purl.org/dc/terms/", "https://w3id.org/oncoclaims/vocab#", "http://purl.org/spar/cito/"
lee = mint_iri("pubmed", ep["pmid"]).value
mcr_iri = mint_iri("pubmed", mcr["externalIds"]["PubMed"]).value
issn = ep["journalIssn"].split(";")[0].strip()
cr = mint_iri("institution", "issn", issn).value
mcrj = mint_iri("institution", mcr["venue"]).value
claim = mint_iri("claim", "brca1 brct variants h1746n and v1833m destabilise the brct domain").value
authors = [a.strip().rstrip(".") for a in ep["authorString"].split(",")]
sha = {p: hashlib.sha256(open(p, "rb").read()).hexdigest() for p in (s2p, epp)}
out = []
w = out.append
w("# A real claim and a real replication: a finding of Lee et al. (Cancer Research 2010) on two BRCA1 BRCT")
w("# variants, and another team's own measurements (Molecular Cancer Research 2018) that agree with it.")
w("# Its independence is unknown: no record bundled here names the 2018 article's authors.")
w("# Every value below is copied by tools/curate_brca1_brct.py from two real records bundled beside this file:")
w(f"#   {s2p}  (sha256 {sha[s2p]})")
w("#     Semantic Scholar Graph API: papers citing PMID 20516115, with the citing sentences ('contexts');")
w("#     the entry for PMID 30257991 gives the 2018 article's title, venue, year, DOI and the quotes used here.")
w(f"#   {epp}  (sha256 {sha[epp]})")
w("#     Europe PMC search result for PMID 20516115: title, authors, journal, ISSN, DOI, PMCID, date, type.")
w("# Origins and licences: oncoclaims/reference/records/README.md. Not stated in either record, so left out:")
w("# the 2018 article's authors and affiliations, and the claim's therapy and claim type (it is a finding")
w("# about variants, not a therapy: the shapes warn about the missing oc:about and oc:claimType).")
w("")
w("@prefix oc: <https://w3id.org/oncoclaims/vocab#> .")
w("@prefix oa: <http://www.w3.org/ns/oa#> .")
w("@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .")
w("@prefix cito: <http://purl.org/spar/cito/> .")
w("@prefix dcterms: <http://purl.org/dc/terms/> .")
w("@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .")
w("@prefix schema: <https://schema.org/> .")
w("@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .")
w("")
w(f"<{claim}> a oc:Claim ;")
w('    rdfs:label "BRCA1 BRCT variants H1746N and V1833M destabilise the BRCT domain" ;')
w('    schema:text "The BRCA1 BRCT variants H1746N and V1833M destabilise the BRCT domain (they are sensitive to proteases)." ;')
w(f"    dcterms:source {lit(s2p)} .")
w("")
st = claim.replace("/claim/", "/statement/") + "-lee-2010"
tg = st + "-target"
w(f"<{st}> a oc:ClaimStatement ;")
w(f"    oa:hasBody <{claim}> ;")
w(f"    oa:hasTarget <{tg}> ;")
w("    # the 2010 article's own text is not in reach: the quote is the 2018 article's words about it")
w(f"    oc:quote {lit(attrib)} ;")
w(f"    oc:quoteSource <{mcr_iri}> ;")
w(f"    dcterms:source {lit(s2p)} .")
w(f"<{tg}> a oa:SpecificResource ; oa:hasSource <{lee}> .")
basis(tg, OA + "hasSource", lee, s2p, [attrib],
      "The 2018 article attributes the finding to 'Lee and colleagues (23)'; the Semantic Scholar record gives this "
      "sentence among the places where the 2018 article cites PMID 20516115, so reference (23) is read as the 2010 "
      "article. The words are the 2018 article's, not the 2010 article's.")
w("")
w(f"<{lee}> a oc:Source ;")
w("    oc:sourceType oc:source-peer-reviewed-article ;")
w(f"    dcterms:title {lit(ep['title'])} ;")
w(f"    dcterms:date {lit(ep['firstPublicationDate'])}^^xsd:date ;")
w(f"    dcterms:publisher <{cr}> ;")
w(f"    oc:pmid {lit(ep['pmid'])} ;")
w(f"    oc:doi {lit(ep['doi'].lower())} ;")
w(f"    oc:pmcid {lit(ep['pmcid'])} ;")
w(f"    rdfs:seeAlso <https://pubmed.ncbi.nlm.nih.gov/{ep['pmid']}/>, <https://doi.org/{ep['doi'].lower()}> ;")
w("    dcterms:creator " + ", ".join(f"<{mint_iri('person', normalise_name(a), 'pubmed', ep['pmid']).value}>" for a in authors) + " ;")
w(f"    dcterms:source {lit(epp)} .")
basis(lee, DCT + "publisher", cr, epp, [ep["journalTitle"]])
for a in authors:
    basis(lee, DCT + "creator", mint_iri("person", normalise_name(a), "pubmed", ep["pmid"]).value, epp, [ep["authorString"]])
for a in authors:
    w(f"<{mint_iri('person', normalise_name(a), 'pubmed', ep['pmid']).value}> a oc:Person ; rdfs:label {lit(a)} .")
w(f"<{cr}> a oc:Institution ; rdfs:label {lit(ep['journalTitle'])} ;")
w(f"    dcterms:identifier {lit('issn:' + issn)} ; oc:institutionKind oc:kind-journal .")
w("")
w(f"<{mcr_iri}> a oc:Source ;")
w("    oc:sourceType oc:source-peer-reviewed-article ;")
w(f"    dcterms:title {lit(mcr['title'])} ;")
w(f"    dcterms:date \"{mcr['year']}\"^^xsd:gYear ;")
w(f"    dcterms:publisher <{mcrj}> ;")
w(f"    oc:pmid {lit(mcr['externalIds']['PubMed'])} ;")
w(f"    oc:doi {lit(mcr['externalIds']['DOI'].lower())} ;")
w(f"    rdfs:seeAlso <https://pubmed.ncbi.nlm.nih.gov/{mcr['externalIds']['PubMed']}/>, <https://doi.org/{mcr['externalIds']['DOI'].lower()}> ;")
w("    # it cites the 2010 article; it does not derive its results from it")
w(f"    cito:cites <{lee}> ;")
w(f"    dcterms:source {lit(s2p)} .")
basis(mcr_iri, DCT + "publisher", mcrj, s2p, [mcr["venue"]])
w(f"<{mcrj}> a oc:Institution ; rdfs:label {lit(mcr['venue'])} ;")
w(f"    oc:normalisedName {lit(normalise_name(mcr['venue']))} ; oc:institutionKind oc:kind-journal .")
w("")
ev = mint_iri("evidence", "pubmed-" + mcr["externalIds"]["PubMed"] + "-brct-stability").value
w(f"<{ev}> a oc:Evidence ;")
w('    rdfs:label "BRCT domain stability of BRCA1 variants, measured by another team (Molecular Cancer Research 2018)" ;')
w("    oc:studyType oc:study-in-vitro ;")
w(f"    cito:supports <{claim}> ;")
w(f"    oc:reportedIn <{mcr_iri}> ;")
w(f"    oc:quote {lit(attrib)}, {lit(summary)}, {lit(validating)}, {lit(others)} ;")
w(f"    dcterms:source {lit(s2p)} .")
basis(ev, OC + "reportedIn", mcr_iri, s2p, [attrib],
      "The quotes are the contexts the Semantic Scholar record gives for the citing paper PMID 30257991; the "
      "measurements they describe ('in our study') are read as reported in that article.")
basis(ev, CITO + "supports", claim, s2p, [attrib, summary],
      "The 2018 team finds the two variants significantly less stable than the wild type in its own study and its "
      "results mostly consistent with those of Lee and colleagues; read as support from its own measurements.")
w("")
w("# The basis of every link above: stated by a record's words, or inferred (the reason and the quotes it joins).")
out.extend(bases)
target = sys.argv[1] if len(sys.argv) > 1 else "oncoclaims/reference/records/brca1-brct-replication.ttl"
with open(target, "w", encoding="utf-8") as handle:
    handle.write("\n".join(out) + "\n")
