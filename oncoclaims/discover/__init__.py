"""Evidence discovery: from a claim to the trials, papers and decisions that bear on it.

- :mod:`~oncoclaims.discover.names` (pure): therapy names to one key, combinations' parts;
- :mod:`~oncoclaims.discover.conditions` (pure): conditions as comparable features;
- :mod:`~oncoclaims.discover.ranking` (pure): scoring and ranking records for a claim;
- :mod:`~oncoclaims.discover.independence`: the true/false/null tie verdict of a candidate;
- :mod:`~oncoclaims.discover.candidates`: the store I/O, one candidate graph per claim;
- :mod:`~oncoclaims.discover.reviews`: a person's judgement of a candidate, withdrawable;
- :mod:`~oncoclaims.discover.report`: candidates as the report shows them, and the sentence.

Candidates are never ``supports``: only a review turns one into evidence.
"""

from oncoclaims.discover.candidates import (
    ClaimCandidates,
    DiscoverReport,
    candidate_graph_iri,
    discover_claims,
    find_candidates,
    touched_claims,
)

__all__ = [
    "ClaimCandidates",
    "DiscoverReport",
    "candidate_graph_iri",
    "discover_claims",
    "find_candidates",
    "touched_claims",
]
