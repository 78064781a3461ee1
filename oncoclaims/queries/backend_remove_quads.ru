#+ summary: Remove the quads $s $p $o in graph $g (an update: a remote backend binds one VALUES row per quad).
#+ params: s=IRI, p=IRI, o=string, g=IRI
DELETE { GRAPH $g { $s $p $o } }
WHERE { GRAPH $g { $s $p $o } }
