"""A graph larger than one answer may be is read whole from a remote store, in parts
(``POLICYKG_STORE_READ_ROWS``): Virtuoso 7.2 sends at most 1 048 576 rows and cuts a graph
store read there without saying so, so the 48.5 M-triple activities graph of the
1 000 000-activity set could not be dumped from it. On each server the ``remote_server``
fixture starts, and on a Virtuoso that cuts every answer at a few thousand rows."""

from __future__ import annotations

import collections
import dataclasses
import gzip

import pyoxigraph as ox
import pytest
from helpers import make_settings, start_virtuoso

from policykg.namespaces import RDF, XSD
from policykg.publication.dumps import latest, write_dumps
from policykg.remote.protocol import IncompleteAnswer
from policykg.store import open_store

GRAPH = "http://example.org/graph/read-in-parts"
EX = "http://example.org/"
#: Subjects written: each has a blank node (whose statement has a blank subject), a label
#: with characters a serialisation must keep, and every tenth a type.
SUBJECTS = 1_200
READ_ROWS = 500


def _written() -> list[ox.Quad]:
    graph = ox.NamedNode(GRAPH)
    has, says, label = (ox.NamedNode(EX + name) for name in ("has", "says", "label"))
    quads = []
    for i in range(SUBJECTS):
        subject, blank = ox.NamedNode(f"{EX}s{i}"), ox.BlankNode()
        quads += [
            ox.Quad(subject, has, blank, graph),
            ox.Quad(blank, says, ox.Literal(str(i), datatype=ox.NamedNode(str(XSD.integer))), graph),
            ox.Quad(subject, label, ox.Literal(f'"citerad" rad\n{i} å\t\\', language="sv"), graph),
        ]
        if i % 10 == 0:
            quads.append(ox.Quad(subject, ox.NamedNode(str(RDF.type)), ox.NamedNode(EX + "Thing"), graph))
    # one subject with more statements of one predicate than a read may have
    quads += [ox.Quad(ox.NamedNode(EX + "hub"), ox.NamedNode(EX + "links"), ox.NamedNode(f"{EX}s{i}"), graph) for i in range(SUBJECTS)]
    return quads


def _masked(triples) -> collections.Counter:
    """The triples with each blank node as "_": a multiset (the server names blank nodes anew)."""
    def term(t):
        return "_" if isinstance(t, ox.BlankNode) else t
    return collections.Counter((term(t.subject), t.predicate, term(t.object)) for t in triples)


def _publish(store, quads) -> None:
    with store.writer(from_empty=True) as writer:
        writer.replace_graph(GRAPH, quads)


@pytest.fixture(scope="module")
def written(remote_server, tmp_path_factory):
    """The graph published on the server: (settings, quads written)."""
    settings = make_settings(tmp_path_factory.mktemp("graph-reads") / "store", **remote_server.settings, store_read_rows=READ_ROWS)
    quads = _written()
    _publish(open_store(settings), quads)
    return settings, quads


def test_a_graph_larger_than_one_read_comes_whole_in_parts(written, monkeypatch) -> None:
    settings, quads = written
    store = open_store(settings)
    asked: list[str] = []
    query = type(store.client).query
    monkeypatch.setattr(store.client, "query", lambda sparql, **options: asked.append(sparql) or query(store.client, sparql, **options))
    read = list(store.reader().graph_quads(GRAPH))
    parts = [q for q in asked if q.startswith("CONSTRUCT")]
    assert len(parts) > 6 and any("ORDER BY" in q for q in parts)  # by predicate, by subject, the hub's in pages
    assert len(read) == len(quads) and _masked(read) == _masked(quads)
    # each blank node is the same node in every part: its statement came in another answer
    said = {q.subject: q.object.value for q in read if q.predicate.value == EX + "says"}
    held = {q.subject.value: said[q.object] for q in read if q.predicate.value == EX + "has"}
    assert held == {f"{EX}s{i}": str(i) for i in range(SUBJECTS)}


def test_a_graph_read_whole_is_the_same(written, monkeypatch) -> None:
    settings, quads = written
    store = open_store(dataclasses.replace(settings, store_read_rows=1_000_000))
    assert store.read_rows > len(quads)
    asked: list[str] = []
    query = type(store.client).query
    monkeypatch.setattr(store.client, "query", lambda sparql, **options: asked.append(sparql) or query(store.client, sparql, **options))
    assert _masked(store.reader().graph_quads(GRAPH)) == _masked(quads)
    assert not [q for q in asked if q.startswith("CONSTRUCT")]  # one graph store GET


@pytest.fixture(scope="module")
def cutting_virtuoso(tmp_path_factory):
    """Virtuoso cutting every answer at 1 000 rows: (where, server)."""
    where = tmp_path_factory.mktemp("cutting")
    server = start_virtuoso(where / "virtuoso", max_rows=1_000)
    try:
        yield where, server
    finally:
        server.stop()


def test_a_graph_past_the_servers_row_limit_is_dumped_whole(cutting_virtuoso) -> None:
    """Read whole, the graph store read stops at the server's limit; in reads of at most that
    many, the dump holds every triple."""
    where, server = cutting_virtuoso
    settings = make_settings(where / "store", **server.settings, store_read_rows=1_000)
    quads = _written()
    _publish(open_store(settings), quads)
    report = write_dumps(open_store(settings), settings.base_iri)
    assert report.written
    with gzip.open(latest(open_store(settings)).path / "policykg.nq.gz", "rb") as handle:
        dumped = list(ox.parse(handle, format=ox.RdfFormat.N_QUADS))
    assert _masked(dumped) == _masked(quads)
    # reads larger than the server sends: an error that names the setting, never a short dump
    whole = open_store(make_settings(where / "store", **server.settings, store_read_rows=10_000))
    with pytest.raises(IncompleteAnswer, match="POLICYKG_STORE_READ_ROWS"):
        list(whole.reader().graph_quads(GRAPH))


def test_the_dumps_read_each_graph_from_the_server_once(written, monkeypatch) -> None:
    """The N-Quads dump is read from the server; TriG, Turtle and JSON-LD from that file (each
    read the whole dataset from the server again: 57 M quads a time at 1 000 000 activities)."""
    settings, quads = written
    store = open_store(dataclasses.replace(settings, store_read_rows=1_000_000))
    fetched: list[str] = []
    get = type(store.client).get_graph
    monkeypatch.setattr(store.client, "get_graph", lambda graph, **options: fetched.append(graph) or get(store.client, graph, **options))
    report = write_dumps(store, settings.base_iri, force=True)
    assert report.written and fetched == [GRAPH]
    folder = latest(store).path
    for name, fmt in (("policykg.trig.gz", ox.RdfFormat.TRIG), ("policykg.jsonld", ox.RdfFormat.JSON_LD), ("policykg.ttl", ox.RdfFormat.TURTLE)):
        opener = gzip.open if name.endswith(".gz") else open
        with opener(folder / name, "rb") as handle:
            assert _masked(ox.parse(handle, format=fmt)) == _masked(quads), name
