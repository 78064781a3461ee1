"""Claims a curator typed (claims table) about the real records in tests/data."""

#: Claims as a curator records them (claims table, docs/claims-table.md); the records they
#: are checked against are the real ones in tests/data.
CLAIMS = """claim_text,claim_type,therapy,population,indication,claimant,source_url,source_type,source_title
Opdivo extends survival in squamous non-small-cell lung cancer,efficacy,Opdivo,humans,squamous non-small-cell lung cancer,Bristol-Myers Squibb,https://example.org/bms,press-release,Opdivo press release
Nivolumab extends survival in small-cell lung cancer,efficacy,nivolumab,humans,small-cell lung cancer,,https://example.org/news,news-article,Nivolumab story
Keytruda shrinks lung tumours,efficacy,Keytruda,humans,non-small cell lung cancer,,https://example.org/keytruda,news-article,Keytruda story
Toca 511 helps patients with recurrent high grade glioma,efficacy,Toca 511,humans,recurrent high grade glioma,Tocagen Inc.,https://example.org/toca,press-release,Toca press release
"""
