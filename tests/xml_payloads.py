"""XML bombs and external entities in their variants, for the tests of every XML path.

Built here, not stored: each is a known attack shape around a tiny document, and the
encodings are applied to it in code so that every shape is tried in every encoding.
"""

from __future__ import annotations

RDF_BODY = (
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="https://example.org/">'
    '<rdf:Description rdf:about="https://example.org/s"><ex:p>&e;</ex:p></rdf:Description></rdf:RDF>'
)

_LAUGHS = "".join(
    f'<!ENTITY l{i} "{"".join(f"&l{i - 1};" for _ in range(10))}">' for i in range(1, 10)
)

#: name -> the DTD (or other prolog) that declares the entity ``e`` the bodies use.
DTDS: dict[str, str] = {
    "billion-laughs": f'<!DOCTYPE r [<!ENTITY l0 "ha">{_LAUGHS}<!ENTITY e "&l9;">]>',
    "quadratic-blowup": f'<!DOCTYPE r [<!ENTITY e "{"x" * 50_000}">]>',
    "external-system": '<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/hostname">]>',
    "external-public": '<!DOCTYPE r [<!ENTITY e PUBLIC "-//X//EN" "file:///etc/hostname">]>',
    "parameter-entity": '<!DOCTYPE r [<!ENTITY % p "<!ENTITY e \'x\'>"> %p;]>',
    "external-dtd-parameter": '<!DOCTYPE r [<!ENTITY % d SYSTEM "file:///etc/hostname"> %d;]>',
    "lowercase-doctype": '<!doctype r [<!ENTITY e "x">]>',
    "after-comment-and-pi": '<!-- a comment --><?pi data?>\n<!DOCTYPE r [<!ENTITY e "x">]>',
    "internal-subset-without-entity": '<!DOCTYPE r [<!ATTLIST r a CDATA "x">]>',
}

#: name -> (XML declaration, codec, byte order mark)
ENCODINGS: dict[str, tuple[str, str, bytes]] = {
    "utf-8": ('<?xml version="1.0"?>\n', "utf-8", b""),
    "utf-8-bom": ('<?xml version="1.0"?>\n', "utf-8", b"\xef\xbb\xbf"),
    "utf-16-le-bom": ('<?xml version="1.0" encoding="UTF-16"?>\n', "utf-16-le", b"\xff\xfe"),
    "utf-16-be-bom": ('<?xml version="1.0" encoding="UTF-16"?>\n', "utf-16-be", b"\xfe\xff"),
    "utf-16-le": ('<?xml version="1.0" encoding="UTF-16LE"?>\n', "utf-16-le", b""),
    "utf-16-be": ('<?xml version="1.0" encoding="UTF-16BE"?>\n', "utf-16-be", b""),
    "latin-1-declared": ('<?xml version="1.0" encoding="ISO-8859-1"?>\n', "latin-1", b""),
}


def payload(dtd: str, body: str, encoding: str = "utf-8") -> bytes:
    """``body`` behind ``dtd`` (a key of :data:`DTDS`), in ``encoding`` (a key of :data:`ENCODINGS`)."""
    declaration, codec, bom = ENCODINGS[encoding]
    return bom + (declaration + DTDS[dtd] + "\n" + body).encode(codec)


def late_doctype(body: str) -> bytes:
    """A DTD inside the root element: not XML, but pyoxigraph reads it."""
    cut = body.index(">") + 1
    return (body[:cut] + '<!DOCTYPE r [<!ENTITY e "late">]>' + body[cut:]).encode()
