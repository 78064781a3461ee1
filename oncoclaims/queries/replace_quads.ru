#+ summary: Replace quads in one step: delete every (?oldS ?oldP ?oldO ?oldGraph) row and insert every (?newS ?newP ?newO ?newGraph) row of one VALUES block (UNDEF for the other half), so a batch of candidate graphs changes in one transaction or not at all.
#+ params: (rows of a VALUES block, placed before the closing brace of the WHERE group, which ends this file)
#+ defined-in: oncoclaims/discover/writing.py
DELETE { GRAPH ?oldGraph { ?oldS ?oldP ?oldO } }
INSERT { GRAPH ?newGraph { ?newS ?newP ?newO } }
WHERE {
}
