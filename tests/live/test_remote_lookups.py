"""Look-ups on a remote store that read little of a large answer: a pattern's quads come a page
first (the rest only when read on), and the statements of many subjects come in a few requests.
Run on each server the tests start (Oxigraph server, Virtuoso)."""

from __future__ import annotations

import itertools

import pyoxigraph as ox
import pytest

from policykg.remote.reader import FIRST_ROWS, SUBJECTS_PER_REQUEST, RemoteReader

GRAPH = "http://example.org/lookups"
P, Q, TARGET = (ox.NamedNode(f"http://example.org/{name}") for name in ("p", "q", "target"))
MANY = FIRST_ROWS * 5


@pytest.fixture(scope="module")
def reader(remote_server):
    """A reader of one graph: MANY subjects linked to TARGET, each with a period (blank nodes two deep)."""
    client = remote_server.client()
    lines = []
    for i in range(MANY):
        lines.append(f"<http://example.org/s{i}> <{P.value}> <{TARGET.value}> .")
        lines.append(f"<http://example.org/s{i}> <{Q.value}> _:period{i} .")
        lines.append(f"_:period{i} <{Q.value}> _:start{i} .")
        lines.append(f'_:start{i} <{Q.value}> "{2000 + i % 30}" .')
    client.put_graph(GRAPH, "\n".join(lines).encode("utf-8") + b"\n")
    yield RemoteReader(client, [GRAPH], timeout=60)
    client.update(f"DROP SILENT GRAPH <{GRAPH}>")


def _counting(reader: RemoteReader) -> list[int]:
    """The size of each answer the reader reads from now on (until ``del reader.client._send``)."""
    sizes: list[int] = []
    send = reader.client._send

    def counted(method, url, *args, **options):
        response = send(method, url, *args, **options)
        read = response.read
        response.read = lambda: sizes.append(len(body := read())) or body
        return response

    reader.client._send = counted
    return sizes


def test_a_few_quads_of_a_large_pattern_cost_one_small_request_and_reading_on_gives_every_quad_once(reader: RemoteReader) -> None:
    sizes = _counting(reader)
    try:
        first = list(itertools.islice(reader.quads_for_pattern(None, P, TARGET), 5))
        assert len(first) == 5 and all(q.predicate == P and q.object == TARGET for q in first)
        assert len(sizes) == 1
        quads = list(reader.quads_for_pattern(None, P, TARGET))
    finally:
        del reader.client._send
    assert len(quads) == MANY
    assert {q.subject.value for q in quads} == {f"http://example.org/s{i}" for i in range(MANY)}
    assert len(sizes) == 3 and sizes[0] * 3 < sizes[2], sizes  # a page of FIRST_ROWS, then the whole


def test_the_statements_of_many_subjects_come_in_a_few_requests_and_equal_one_look_up_each(reader: RemoteReader) -> None:
    subjects = [ox.NamedNode(f"http://example.org/s{i}") for i in range(SUBJECTS_PER_REQUEST + 50)]
    sizes = _counting(reader)
    try:
        together = reader.statements_of(subjects + subjects[:3])  # named twice: fetched once
    finally:
        del reader.client._send
    assert len(sizes) <= 2 * 2  # two batches, each with one request more for the blank nodes' chains
    one_by_one = [q for s in subjects for q in reader.quads_for_pattern(s, None, None)]

    def comparable(quads):
        """Quads with each blank object written as what it says, two levels down."""
        def said(term, depth=0):
            if not isinstance(term, ox.BlankNode) or depth > 2:
                return str(term)
            return sorted((str(q.predicate), said(q.object, depth + 1)) for q in reader.quads_for_pattern(term, None, None))
        return sorted((str(q.subject), str(q.predicate), str(said(q.object))) for q in quads)

    assert len(together) == len(one_by_one) == 2 * len(subjects)
    assert comparable(together) == comparable(one_by_one)
    assert all("20" in str(entry[2]) for entry in comparable(together) if entry[1] == f"<{Q.value}>")


def test_the_statements_of_many_subjects_by_some_predicates_are_asked_as_pairs_and_equal_one_look_up_each(reader: RemoteReader) -> None:
    """Each (subject, predicate) pair in one VALUES: a VALUES of subjects beside a VALUES of
    predicates made Virtuoso 7.2 scan each predicate (a goal's page at 1 000 000 activities:
    10.7 s a request, 30 s a page; 0.2 s as pairs)."""
    subjects = [ox.NamedNode(f"http://example.org/s{i}") for i in range(SUBJECTS_PER_REQUEST + 50)]
    asked: list[str] = []
    query = reader.query

    def noted(sparql, **options):
        asked.append(sparql)
        return query(sparql, **options)

    reader.query = noted
    try:
        together = reader.statements_of(subjects, [Q, P, Q])  # a predicate named twice: asked once
    finally:
        del reader.query
    assert asked and all("VALUES (?s ?p)" in text and "VALUES ?p" not in text for text in asked), asked[0][:300]
    assert len(asked) <= 2 * 2  # PAIRS_PER_REQUEST // 2 subjects a request, and one more each for the blank nodes' chains
    one_by_one = [q for s in subjects for p in (Q, P) for q in reader.quads_for_pattern(s, p, None)]
    assert len(together) == len(one_by_one) == 2 * len(subjects)
    assert sorted(map(str, (q for q in together if q.predicate == P))) == sorted(map(str, (q for q in one_by_one if q.predicate == P)))
    periods = [q.object for q in together if q.predicate == Q]
    assert all(isinstance(o, ox.BlankNode) and list(reader.quads_for_pattern(o, Q, None)) for o in periods)  # their chains came along
