"""Rendering results: the text table and the standard formats."""

import json

import pyoxigraph as ox
import pytest

from policykg.runtime.results import render, table


@pytest.fixture
def memory_store() -> ox.Store:
    store = ox.Store()
    p = ox.NamedNode("http://example.org/label")
    store.add(ox.Quad(ox.NamedNode("http://example.org/a"), p, ox.Literal("Mål", language="sv")))
    store.add(ox.Quad(ox.NamedNode("http://example.org/b"), p, ox.Literal("x" * 100)))
    return store


def test_table_aligns_and_cuts_long_cells(memory_store):
    text = table(memory_store.query("SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s"), max_width=20)
    lines = text.splitlines()
    assert lines[0].split() == ["s", "o"]
    assert lines[2].startswith("http://example.org/a") and lines[2].endswith("Mål")
    assert lines[3].endswith("x" * 19 + "…")
    assert lines[-1] == "(2 rows)"


def test_standard_formats(memory_store):
    select = "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s"
    assert json.loads(render(memory_store.query(select), "json"))["head"]["vars"] == ["s"]
    assert render(memory_store.query(select), "csv").decode().splitlines()[0] == "s"
    assert render(memory_store.query("ASK { ?s ?p ?o }"), "table") == b"true\n"
    turtle = render(memory_store.query("CONSTRUCT WHERE { ?s ?p ?o }"), "table").decode()
    assert '"Mål"@sv' in turtle


def test_wrong_format_for_the_result_is_an_error(memory_store):
    with pytest.raises(ValueError, match="a SELECT or ASK result can be given as json"):
        render(memory_store.query("SELECT * WHERE { ?s ?p ?o }"), "turtle")
