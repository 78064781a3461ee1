"""Claims from news text: sentences, rule tables, quantities, attribution, hedges, hype, therapies.

Pure logic, no I/O: :func:`extract_claims` takes an article's text (and the therapies
the graph knows) and returns every claim it finds, each with its exact span and the ids
of the rules that produced it. :mod:`.mapping` turns the result into RDF;
:mod:`.evaluate` scores it against hand-written gold annotations.

>>> result = extract_claims("In mice, Enteromix shrank tumours by 60 to 80 percent.", {"Enteromix": ()})
>>> [(c.claim_type, c.population, str(c.quantities[0].min_value)) for c in result.claims]
[('efficacy', 'mice', '60')]
"""

from __future__ import annotations

from oncoclaims.extract.claims import ExtractedClaim, Extraction, extract_claims

__all__ = ["ExtractedClaim", "Extraction", "extract_claims"]
