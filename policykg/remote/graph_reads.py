"""Reading a whole graph from a remote store, in parts where it is larger than one answer may be.

A graph of at most ``read_rows`` triples is one Graph Store Protocol ``GET``. A larger one
is read by ``CONSTRUCT`` queries of at most ``read_rows`` triples each (Virtuoso 7.2 sends at
most 1 048 576 rows in one answer, and cuts a graph store read there without saying so):
predicate by predicate, and a predicate with more triples than that by its subjects, grouped
by the first hexadecimal digits of the MD5 of the subject's IRI (the subjects spread evenly,
whatever their IRIs look like). Only a group that no more digits split (the blank subjects',
or one subject's) is read in pages ordered by subject and object (``ORDER BY`` with
``OFFSET``, which sorts the group again for each page; the whole graph in ordered pages would
sort millions of triples for each). Every read is counted against a ``COUNT`` of the graph,
so a read cut short is an error, never a short dump.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pyoxigraph as ox

from .protocol import IncompleteAnswer

#: What a graph may come as, by media type (Virtuoso and Oxigraph server send N-Triples).
GRAPHS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}
ACCEPT_GRAPH = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
#: A graph never written: a dataset's default graph when the union is not asked for (neither
#: list of graphs may be empty on the wire: the server would fall back to its own dataset).
EMPTY_GRAPH = "urn:policykg:empty"
#: The most triples read in one answer by default: below Virtuoso 7.2's 1 048 576.
READ_ROWS = 1_000_000
#: The most hexadecimal digits of a subject's MD5 a predicate's triples are grouped by (16^4 groups).
DEEPEST = 4

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
_PREDICATES = "SELECT ?p (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?p"
#: The group of a triple by its subject: blank subjects together (a blank node has no text to
#: hash in standard SPARQL), the others by the first digits of the MD5 of the subject's IRI.
BLANK = "_"
_KEY = f'IF(isBLANK(?s), "{BLANK}", SUBSTR(MD5(STR(?s)), 1, {{digits}}))'
_GROUPS = "SELECT ?k (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s {p} ?o }} BIND({key} AS ?k) }} GROUP BY ?k"
_PART = "CONSTRUCT {{ ?s {p} ?o }} WHERE {{ GRAPH ?g {{ ?s {p} ?o }}{keys} }}"
#: A group that no more digits split (one subject's, or the blank subjects') in pages, ordered
#: by subject and object: a strict order, as a graph holds a triple once.
_PAGE = "CONSTRUCT {{ ?s {p} ?o }} WHERE {{ GRAPH ?g {{ ?s {p} ?o }} FILTER ({key} = {group}) }} ORDER BY ?s ?o LIMIT {limit} OFFSET {offset}"


def graph_triples(reader, graph: str, *, read_rows: int = READ_ROWS) -> Iterator[ox.Triple]:
    """The triples of the published ``graph`` of ``reader`` (a :class:`RemoteReader`), streamed."""
    node = ox.NamedNode(graph)
    counted = _asked(reader, node, COUNT)
    held = int(counted[0]["n"].value) if counted else 0
    sent = 0
    for triple in _whole(reader, graph) if held <= read_rows else _parts(reader, node, read_rows):
        sent += 1
        yield triple
    if sent < held:
        raise IncompleteAnswer(
            f"the remote store sent {sent} of the {held} triples of graph <{graph}> (on Virtuoso: raise "
            "[SPARQL] ResultSetMaxRows in virtuoso.ini, which cuts graph store reads too, without saying so; "
            f"or read fewer triples at a time: POLICYKG_STORE_READ_ROWS, now {read_rows})"
        )


def _asked(reader, node: ox.NamedNode, query: str) -> list:
    """The solutions of ``query`` with ``node`` as the one named graph."""
    return list(reader.query(query, named_graphs=[node], default_graph=[]))


def _whole(reader, graph: str) -> Iterator[ox.Triple]:
    response = reader.client.get_graph(graph, timeout=reader.timeout)
    if response is None:
        return
    yield from ox.parse(_Stream(response.chunks()), GRAPHS.get(response.media_type, ox.RdfFormat.N_TRIPLES))


def _parts(reader, node: ox.NamedNode, read_rows: int) -> Iterator[ox.Triple]:
    """The graph's triples in reads of at most ``read_rows`` each."""
    counted = sorted((row["p"].value, row["p"], int(row["n"].value)) for row in _asked(reader, node, _PREDICATES))
    for _, predicate, held in counted:
        if held <= read_rows:
            yield from _constructed(reader, node, _PART.format(p=predicate, keys=""))
            continue
        digits, groups = _groups(reader, node, predicate, read_rows)
        key = _KEY.format(digits=digits)
        for keys, together in _packed(groups, read_rows):
            if together <= read_rows:
                listed = ", ".join(f'"{k}"' for k in keys)
                yield from _constructed(reader, node, _PART.format(p=predicate, keys=f" FILTER ({key} IN ({listed}))"))
                continue
            pages = (_PAGE.format(p=predicate, key=key, group=f'"{keys[0]}"', limit=read_rows, offset=offset)
                     for offset in range(0, together, read_rows))
            yield from _once(triple for page in pages for triple in _constructed(reader, node, page))


def _groups(reader, node: ox.NamedNode, predicate: ox.NamedNode, read_rows: int) -> tuple[int, list[tuple[str, int]]]:
    """The fewest digits of the subjects' MD5 (up to :data:`DEEPEST`) that group ``predicate``'s
    triples with named subjects in groups of at most ``read_rows``, and the groups (key, triples)."""
    for digits in range(1, DEEPEST + 1):
        query = _GROUPS.format(p=predicate, key=_KEY.format(digits=digits))
        groups = sorted((row["k"].value, int(row["n"].value)) for row in _asked(reader, node, query))
        if max((n for k, n in groups if k != BLANK), default=0) <= read_rows:
            break
    return digits, groups


def _packed(groups: list[tuple[str, int]], read_rows: int) -> Iterator[tuple[list[str], int]]:
    """The groups' keys in runs of at most ``read_rows`` triples together (a larger group
    alone), with how many triples each run has."""
    keys: list[str] = []
    total = 0
    for key, held in groups:
        if keys and total + held > read_rows:
            yield keys, total
            keys, total = [], 0
        keys.append(key)
        total += held
    if keys:
        yield keys, total


def _once(triples: Iterator[ox.Triple]) -> Iterator[ox.Triple]:
    """Each triple once: pages of a group whose order moved between two of them would repeat
    some (and miss as many, which the count then finds)."""
    seen: set[ox.Triple] = set()
    for triple in triples:
        if triple not in seen:
            seen.add(triple)
            yield triple


def _constructed(reader, node: ox.NamedNode, query: str) -> Iterator[ox.Triple]:
    response = reader.client.query(query, accept=ACCEPT_GRAPH, default_graphs=[EMPTY_GRAPH],
                                   named_graphs=[node.value], timeout=reader.timeout)
    yield from ox.parse(_Stream(response.chunks()), GRAPHS.get(response.media_type, ox.RdfFormat.N_TRIPLES))


class _Stream(io.RawIOBase):
    """A readable file over an iterator of byte chunks (what pyoxigraph's parser reads)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks, self._rest = chunks, b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._rest:
            self._rest = next(self._chunks, b"")
            if not self._rest:
                return 0
        size = min(len(buffer), len(self._rest))
        buffer[:size] = self._rest[:size]
        self._rest = self._rest[size:]
        return size
