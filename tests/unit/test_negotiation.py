"""The one format registry and the one negotiator (policykg.formats.choose)."""

from __future__ import annotations

import pytest

from policykg import formats
from policykg.formats import NotAcceptable, UnknownFormat, choose


def both(accept=None, *, strict=(), lenient=()):
    """The format for a SELECT and for a CONSTRUCT answer (None: not acceptable)."""
    found = []
    for offers in (formats.SOLUTION_OFFERS, formats.GRAPH_OFFERS):
        try:
            found.append(choose(offers, strict_names=strict, names=lenient, accept=accept).key)
        except NotAcceptable:
            found.append(None)
    return tuple(found)


def test_every_format_once_with_unique_keys_and_an_oxigraph_format_for_rdf():
    keys = [f.key for f in formats.ALL]
    assert len(keys) == len(set(keys))
    for fmt in formats.ALL:
        assert fmt.media_types and fmt.media_type.startswith(fmt.media_types[0])
        if fmt.rdf or fmt in formats.SOLUTION_OFFERS[:4]:
            assert fmt.oxigraph is not None, fmt


@pytest.mark.parametrize(
    "accept, expected",
    [
        (None, ("json", "turtle")),
        ("*/*", ("json", "turtle")),
        ("application/sparql-results+xml, text/turtle;q=0.5", ("xml", "turtle")),
        ("text/csv;q=0.1, application/sparql-results+json;q=0.9", ("json", None)),
        ("application/n-triples", (None, "nt")),
        ("text/turtle; charset=utf-8", (None, "turtle")),
        ("application/xml", ("xml", "rdfxml")),
        ("text/plain", ("table", "nt")),
        ("text/n3", (None, "n3")),
        ("application/n-quads", (None, "nquads")),
        ("image/png", (None, None)),
    ],
)
def test_accept(accept, expected):
    assert both(accept) == expected


def test_a_suffix_wins_then_format_then_output_then_accept():
    offers = formats.PAGE_OFFERS
    assert choose(offers, suffix="ttl", strict_names=["jsonld"], accept="text/html") is formats.TURTLE
    assert choose(offers, strict_names=["jsonld"], names=["nt"], accept="text/html") is formats.JSON_LD
    assert choose(offers, names=["nt"], accept="text/html") is formats.N_TRIPLES
    assert choose(offers, accept="text/html") is formats.HTML


def test_format_names_and_unknown_ones():
    assert both("text/csv", strict=["json"]) == ("json", "jsonld")
    assert both(None, strict=["application/sparql-results+xml"]) == ("xml", None)
    # SPARQLWrapper's RDF return format: format=rdf&output=rdf&results=rdf
    assert both(None, strict=["rdf"], lenient=["rdf", "rdf"]) == (None, "rdfxml")
    with pytest.raises(UnknownFormat, match="parameter format"):
        both(None, strict=["docx"])
    with pytest.raises(NotAcceptable, match="not offered for this answer"):
        choose(formats.SOLUTION_OFFERS, strict_names=["pdf"])  # the report's format, not a query's
    # output= and results= we do not know are ignored when Accept can be met
    assert both("application/sparql-results+json", lenient=["sparql-magic", "?"]) == ("json", None)
