"""N-Triples text: every literal escaped as the grammar requires, checked by pyoxigraph's strict parser."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from policykg.loaders import ntriples as nt

TRICKY = ['plain', 'quote " inside', "back\\slash", "new\nline", "carriage\rreturn", "tab\tand ünïcödé Umeå –", "\\n literal", ""]


@pytest.mark.parametrize("text", TRICKY)
def test_literals_round_trip(text):
    lines = (f"<http://example.org/s> <http://example.org/p> {nt.string(text)} .\n"
             f"<http://example.org/s> <http://example.org/q> {nt.lang(text, 'sv')} .\n")
    parsed = list(ox.parse(lines.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES))
    assert [q.object.value for q in parsed] == [text, text]
    assert parsed[1].object.language == "sv"


def test_typed_literals_and_integers():
    lines = (f"<http://example.org/s> <http://example.org/p> {nt.typed('2020-01-02', nt.XSD_DATE)} .\n"
             f"<http://example.org/s> <http://example.org/p> {nt.integer(42)} .\n"
             f"<http://example.org/s> <http://example.org/p> {nt.TRUE} .\n")
    values = {(q.object.value, q.object.datatype.value.rsplit("#", 1)[1]) for q in ox.parse(lines.encode(), format=ox.RdfFormat.N_TRIPLES)}
    assert values == {("2020-01-02", "date"), ("42", "integer"), ("true", "boolean")}


@pytest.mark.parametrize("bad", ["http://example.org/a b", "http://example.org/<x>", 'http://example.org/"', "http://example.org/{x}"])
def test_iris_with_forbidden_characters_are_refused(bad):
    with pytest.raises(ValueError, match="not an IRI"):
        nt.iri(bad)
