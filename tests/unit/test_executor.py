"""Jobs run directly on a real store (what a query process does)."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from helpers import SAMPLE_GRAPH, write_sample_store

from policykg.runtime.executor import (
    Failure,
    GraphReadJob,
    GraphWriteJob,
    Limits,
    QueryJob,
    UpdateJob,
)

LIMITS = Limits(1000, 10_000_000)


@pytest.fixture
def store(tmp_path):
    return write_sample_store(tmp_path / "store")


def test_select_in_every_format_with_rows_counted_when_near_the_cap(store):
    formats = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML, "tsv": ox.QueryResultsFormat.TSV}
    query = "SELECT ?s ?note WHERE { ?s <http://example.org/note> ?note }"
    for fmt, parser in formats.items():
        answer = QueryJob(query, LIMITS, solutions_format=fmt).run(store)
        values = [row["note"].value for row in ox.parse_query_results(answer.body, format=parser)]
        assert values == ['line one\nline\ttwo "quoted"'], fmt
    csv = QueryJob(query, LIMITS, solutions_format="csv").run(store)
    assert csv.body.startswith(b"s,note\r\n") and b'"line one\nline\ttwo ""quoted"""' in csv.body


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_more_rows_than_the_cap_is_refused(store, fmt):
    query = "SELECT ?x WHERE { VALUES ?x { " + " ".join(f'"a\\nb{i}"' for i in range(30)) + " } }"
    assert isinstance(QueryJob(query, Limits(30, 10**6), solutions_format=fmt).run(store), type(QueryJob(query, LIMITS).run(store)))
    failure = QueryJob(query, Limits(29, 10**6), solutions_format=fmt).run(store)
    assert isinstance(failure, Failure) and failure.kind == "too-large" and "more than 29 rows" in failure.message


def test_bytes_and_triples_are_capped(store):
    failure = QueryJob("SELECT * WHERE { ?s ?p ?o }", Limits(1000, 200)).run(store)
    assert failure.kind == "too-large" and "200 bytes" in failure.message
    failure = QueryJob("CONSTRUCT WHERE { ?s ?p ?o }", Limits(3, 10**6)).run(store)
    assert failure.kind == "too-large" and "triples" in failure.message


def test_union_default_graph_the_query_dataset_and_the_protocol_dataset(store):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def n(job):
        return int(json.loads(job.run(store).body)["results"]["bindings"][0]["n"]["value"])

    total = n(QueryJob(count, LIMITS))
    assert total > 10  # the union of the named graphs
    assert n(QueryJob(count, LIMITS, union_default=False)) == 0  # the store's own default graph
    from_graph = f"SELECT (COUNT(*) AS ?n) FROM <{SAMPLE_GRAPH}> WHERE {{ ?s ?p ?o }}"
    assert n(QueryJob(from_graph, LIMITS, union_default=False)) == total
    # the protocol's dataset overrides FROM
    assert n(QueryJob(from_graph, LIMITS, default_graphs=("http://example.org/none",))) == 0
    assert n(QueryJob(count, LIMITS, default_graphs=(SAMPLE_GRAPH,))) == total
    named = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert n(QueryJob(named, LIMITS, named_graphs=())) == 0 or n(QueryJob(named, LIMITS, default_graphs=())) == 0
    assert n(QueryJob(named, LIMITS, default_graphs=(), named_graphs=(SAMPLE_GRAPH,))) == total


def test_syntax_errors_carry_line_and_column(store):
    failure = QueryJob("SELECT *\nWHERE { ?s ?p }", LIMITS).run(store)
    assert (failure.kind, failure.line, failure.column) == ("syntax", 2, 16)


def test_a_failed_update_publishes_nothing(store):
    before = store.current_generation()
    failure = UpdateJob(f"INSERT DATA {{ GRAPH <http://example.org/new> {{ <a:s> <a:p> 1 }} }} ; CREATE GRAPH <{SAMPLE_GRAPH}>").run(store)
    # Oxigraph: "already exists"; Virtuoso: "contains triples already"
    assert failure.kind == "evaluation" and ("already exists" in failure.message or "contains triples already" in failure.message)
    assert store.current_generation() == before
    assert "http://example.org/new" not in store.named_graphs()
    answer = UpdateJob("INSERT DATA { GRAPH <http://example.org/new> { <a:s> <a:p> 1 } }").run(store)
    assert answer.generation != before and "http://example.org/new" in store.named_graphs()


def test_graph_store_jobs(store):
    created = GraphWriteJob("PUT", "http://example.org/g", ((b"<a:s> <a:p> <a:o> .", "text/turtle"),)).run(store)
    assert created.created
    merged = GraphWriteJob("POST", "http://example.org/g", ((b'<a:s> <a:p> "x" .', "application/n-triples"),)).run(store)
    assert not merged.created
    read = GraphReadJob("nt", LIMITS, graph="http://example.org/g").run(store)
    assert sorted(read.body.decode().splitlines()) == ['<a:s> <a:p> "x" .', "<a:s> <a:p> <a:o> ."]
    bad = GraphWriteJob("PUT", "http://example.org/g", ((b"<a:s> <a:p> .", "text/turtle"),)).run(store)
    assert bad.kind == "syntax" and bad.line == 1
    assert GraphWriteJob("DELETE", "http://example.org/g").run(store).generation
    assert GraphReadJob("nt", LIMITS, graph="http://example.org/g").run(store).kind == "not-found"
    assert GraphWriteJob("DELETE", "http://example.org/g").run(store).kind == "not-found"
