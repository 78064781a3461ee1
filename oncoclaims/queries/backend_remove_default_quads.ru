#+ summary: Remove the triples $s $p $o of the default graph (an update: a remote backend binds one VALUES row per triple).
#+ params: s=IRI, p=IRI, o=string
DELETE { $s $p $o }
WHERE { $s $p $o }
