#+ summary: Replace whole named graphs in one request (one transaction): empty every graph of the first VALUES block, then insert every (?newS ?newP ?newO ?newGraph) row of the second. The rows are filled in by oncoclaims/discover/writing.py, as terms pyoxigraph writes.
#+ params: (the rows of the two empty VALUES blocks below, filled in as data)
#+ defined-in: oncoclaims/discover/writing.py
DELETE { GRAPH ?old { ?oldS ?oldP ?oldO } }
WHERE { VALUES ?old { } GRAPH ?old { ?oldS ?oldP ?oldO } } ;
INSERT { GRAPH ?newGraph { ?newS ?newP ?newO } }
WHERE { VALUES (?newS ?newP ?newO ?newGraph) { } }
