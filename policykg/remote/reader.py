"""Reading a remote store as the code reads the embedded one.

:class:`RemoteReader` answers the part of ``pyoxigraph.Store``'s interface that the
service reads with (``query``, ``quads_for_pattern``, ``named_graphs``,
``contains_named_graph``, ``dump``, ``len``) over the SPARQL 1.1 Protocol and the
Graph Store Protocol, and returns pyoxigraph's own objects (solutions parsed by
pyoxigraph, terms, quads), so the pages, the API, the named queries, the stored
answers and the dumps run unchanged on either store.

Every query is sent with its dataset: the published graphs of one generation (the
graphs being staged and the control graph left out), as the default graph when the
union is asked for, and as the named graphs; a query with its own ``FROM`` or ``FROM
NAMED`` keeps its own. So no server's default-graph convention (the union on Virtuoso,
the real default graph on Oxigraph server) changes an answer, and a load being staged
is never seen.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Sequence

import pyoxigraph as ox

from policykg.runtime.sparqllex import Lexer

from .binding import bind
from .protocol import Client, IncompleteAnswer, RemoteStoreError

SOLUTIONS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPHS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}
#: XML results first: Virtuoso writes an xsd:boolean as "1"/"0" in its JSON results (and
#: "true"/"false", as stored, in XML); N-Triples first for graphs (Virtuoso and Oxigraph send it).
ACCEPT = (
    "application/sparql-results+xml, application/sparql-results+json;q=0.9, "
    "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
)
#: The quads of a pattern, with what each blank node among the objects says (one level):
#: a blank node cannot be named in a later query, so its description comes along.
_QUADS = "SELECT ?s ?p ?o ?g ?bp ?bo WHERE { GRAPH ?g { ?s ?p ?o OPTIONAL { ?o ?bp ?bo FILTER (isBlank(?o)) } } }"
#: Blank nodes whose descriptions a reader keeps, at most.
BLANK_CACHE = 100_000
#: A graph never written: the dataset's default graph when the union is not asked for.
EMPTY_GRAPH = "urn:policykg:empty"
_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def has_dataset_clause(sparql: str) -> bool:
    """Whether the query names its own dataset (``FROM`` or ``FROM NAMED``)."""
    lexer = Lexer(sparql)
    pos, size = 0, len(sparql)
    while True:
        pos = lexer.skip(pos)
        if pos >= size:
            return False
        kind, end, _ = lexer.lex(pos)
        if kind == "word" and sparql[pos:end].upper() == "FROM":
            return True
        if kind == "punct" and sparql[pos] == "{":
            return False  # the dataset clause comes before the WHERE clause
        pos = end


#: Virtuoso labels the blank nodes of its SELECT answers ``nodeID://b1234``, which is no blank
#: node label (pyoxigraph refuses it); the label is what follows (``b1234``), stable on that server.
_VIRTUOSO_BNODE = {
    "application/sparql-results+xml": (re.compile(rb"<bnode>nodeID://"), b"<bnode>"),
    "application/sparql-results+json": (re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")nodeID://'), rb"\1"),
}


def parse_answer(media_type: str, body: bytes):
    """pyoxigraph's result for a protocol answer: solutions, a boolean, or a list of triples."""
    if media_type in SOLUTIONS:
        if media_type in _VIRTUOSO_BNODE and b"nodeID://" in body:
            pattern, replacement = _VIRTUOSO_BNODE[media_type]
            body = pattern.sub(replacement, body)
        return ox.parse_query_results(body, SOLUTIONS[media_type])
    if media_type in GRAPHS:
        return [q if isinstance(q, ox.Triple) else ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, GRAPHS[media_type])]
    raise RemoteStoreError(f"the remote store answered in {media_type or 'an unnamed format'}, which is not a SPARQL result or RDF format")


class RemoteReader:
    """The published graphs of one generation of a remote store, read like a pyoxigraph store."""

    #: What runs pyoxigraph custom functions writes them out in standard SPARQL for this reader.
    remote = True

    def __init__(self, client: Client, graphs: Sequence[str], *, timeout: float | None = None) -> None:
        self.client = client
        self.graphs = tuple(graphs)
        self._graph_set = frozenset(self.graphs)
        self.timeout = timeout
        self._blanks: dict[str, list[ox.Quad]] = {}

    # --- queries -----------------------------------------------------------------

    def query(
        self, query: str, *, base_iri: str | None = None, prefixes=None, use_default_graph_as_union: bool = False,
        default_graph=None, named_graphs=None, substitutions=None, custom_functions=None, custom_aggregate_functions=None,
    ):
        if custom_functions or custom_aggregate_functions:
            raise RemoteStoreError("custom functions cannot be sent to a remote store (the program's rules use them: run 'policykg check' on an embedded copy)")
        text = bind(query, substitutions)
        if prefixes:
            text = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in prefixes.items()) + text
        if base_iri:
            text = f"BASE <{base_iri}>\n" + text
        defaults, named = self._dataset(query, use_default_graph_as_union, default_graph, named_graphs)
        response = self.client.query(text, accept=ACCEPT, default_graphs=defaults, named_graphs=named, timeout=self.timeout)
        return parse_answer(response.media_type, response.read())

    def _dataset(self, sparql, union, default_graph, named_graphs) -> tuple[list[str] | None, list[str] | None]:
        if default_graph is not None or named_graphs is not None:
            defaults = default_graph if isinstance(default_graph, list) else [] if default_graph is None else [default_graph]
            return [g.value for g in defaults if isinstance(g, ox.NamedNode)], [g.value for g in named_graphs or ()]
        if has_dataset_clause(sparql):
            return None, None
        # Neither list may be empty on the wire: the protocol would then fall back to the server's own dataset.
        return (list(self.graphs) if union else [self._empty()]), list(self.graphs) or [self._empty()]

    @staticmethod
    def _empty() -> str:
        return EMPTY_GRAPH

    # --- quads -------------------------------------------------------------------

    def quads_for_pattern(self, subject, predicate, obj, graph_name=None) -> Iterator[ox.Quad]:
        if isinstance(graph_name, ox.DefaultGraph):
            return iter(())  # the service keeps everything in named graphs
        if isinstance(subject, ox.BlankNode):  # known only from the answer that brought it
            return iter([q for q in self._blanks.get(subject.value, ()) if _matches(q, predicate, obj, graph_name)])
        bound = {}
        for name, term in (("s", subject), ("p", predicate), ("o", obj), ("g", graph_name)):
            if term is None:
                continue
            if isinstance(term, ox.BlankNode):
                return iter(())  # a remote blank node cannot be named in a query
            bound[ox.Variable(name)] = term
        if graph_name is not None and graph_name.value not in self._graph_set:
            return iter(())
        rows = self.query(_QUADS, substitutions=bound, named_graphs=[ox.NamedNode(g) for g in self.graphs], default_graph=[])
        return iter(self._quads(rows))  # whole: the blank nodes' statements are kept before anyone stops reading

    def _quads(self, rows) -> list[ox.Quad]:
        found = []
        with_blanks: set[ox.Quad] = set()  # a quad comes once per statement of its blank object
        for row in rows:
            quad = ox.Quad(row["s"], row["p"], row["o"], row["g"])
            if row["bp"] is None:
                found.append(quad)
                continue
            if len(self._blanks) >= BLANK_CACHE:
                self._blanks.clear()
            if quad not in with_blanks:
                with_blanks.add(quad)
                self._blanks[row["o"].value] = []
                found.append(quad)
            self._blanks[row["o"].value].append(ox.Quad(row["o"], row["bp"], row["bo"], row["g"]))
        return found

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        return (ox.NamedNode(g) for g in self.graphs)

    def contains_named_graph(self, graph) -> bool:
        return isinstance(graph, ox.NamedNode) and graph.value in self._graph_set

    def __len__(self) -> int:
        if not self.graphs:
            return 0
        rows = list(self.query(_COUNT, named_graphs=[ox.NamedNode(g) for g in self.graphs], default_graph=[]))
        return int(rows[0]["n"].value) if rows else 0

    # --- whole graphs --------------------------------------------------------------

    def graph_quads(self, graph: str) -> Iterator[ox.Quad]:
        """The quads of one published graph, streamed from the graph store endpoint."""
        response = self.client.get_graph(graph, timeout=self.timeout)
        if response is None:
            return
        node, sent = ox.NamedNode(graph), 0
        for triple in ox.parse(_Stream(response.chunks()), GRAPHS.get(response.media_type, ox.RdfFormat.N_TRIPLES)):
            sent += 1
            yield ox.Quad(triple.subject, triple.predicate, triple.object, node)
        # Virtuoso cuts a graph store read at its ResultSetMaxRows too, and says nothing: counted here.
        counted = self.query(_COUNT, named_graphs=[node], default_graph=[])
        held = int(next(iter(counted))["n"].value)
        if sent < held:
            raise IncompleteAnswer(
                f"the remote store sent {sent} of the {held} triples of graph <{graph}> (on Virtuoso: raise "
                "[SPARQL] ResultSetMaxRows in virtuoso.ini, which cuts graph store reads too, without saying so)"
            )

    def dump(self, output=None, format=None, *, from_graph=None, prefixes=None, base_iri=None):
        """Write the dataset (or ``from_graph``) like ``pyoxigraph.Store.dump``, streamed from the remote."""
        if from_graph is not None:
            if isinstance(from_graph, ox.DefaultGraph):
                quads: Iterable = ()
            else:
                quads = (ox.Triple(q.subject, q.predicate, q.object) for q in self.graph_quads(from_graph.value))
        else:
            quads = (quad for graph in self.graphs for quad in self.graph_quads(graph))
        options = {"prefixes": prefixes} if prefixes else {}
        if output is None:
            return ox.serialize(quads, None, format, **options)
        ox.serialize(quads, output, format, **options)
        return None


def _matches(quad: ox.Quad, predicate, obj, graph_name) -> bool:
    return (predicate is None or quad.predicate == predicate) and (obj is None or quad.object == obj) and (
        graph_name is None or quad.graph_name == graph_name
    )


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
