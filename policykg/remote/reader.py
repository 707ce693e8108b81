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

import functools
import itertools
import json
import re
from collections.abc import Iterable, Iterator, Sequence

import pyoxigraph as ox

from policykg.runtime.sparqllex import SYNTAX_POSITION, Lexer, resolved_tokens

from policykg.runtime.binding import bind
from .dumped import DumpedGeneration, each_once
from .graph_reads import ACCEPT_GRAPH, COUNT, EMPTY_GRAPH, GRAPHS, READ_ROWS, graph_triples
from .protocol import Client, RemoteStoreError, RemoteSyntaxError

SOLUTIONS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
#: What a query's answer may come as, by the query's form. JSON results first: pyoxigraph's
#: reader of XML results trims the whitespace around a literal's value ("eau " came back "eau");
#: Virtuoso's JSON writes an xsd:boolean as "1"/"0", put back as "true"/"false"
#: (_VIRTUOSO_BOOLEAN). N-Triples for graphs (Virtuoso and Oxigraph send it); a graph is not
#: offered results formats (Virtuoso then fails a CONSTRUCT) nor the other way round.
ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"


def query_form(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first of them after the prologue."""
    for kind, start, end, _ in Lexer(sparql).tokens():
        if kind == "word" and (word := sparql[start:end].upper()) in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            return word
    return "SELECT"


#: The quads of a pattern, with what each blank node among the objects says: a blank node
#: cannot be named in a later query, so its description comes along.
_QUADS = "SELECT ?s ?p ?o ?g ?p1 ?o1 WHERE {{ {values}GRAPH ?g {{ ?s ?p ?o OPTIONAL {{ ?o ?p1 ?o1 FILTER (isBlank(?o)) }} }} }}"
#: The deepest chain of blank nodes followed (a chain may be a cycle).
BLANK_DEPTH = 16
#: Rows of a pattern's first request. Most look-ups read a few quads (whether there is one, a page
#: of a list); one that reads on gets the rest in a second request, so that a pattern matching a
#: million quads (the work serving a goal) costs one small request where a few are wanted.
FIRST_ROWS = 1000
#: Subjects named in one request of :meth:`RemoteReader.statements_of`.
SUBJECTS_PER_REQUEST = 200
#: (subject, predicate) pairs named in one request of :meth:`RemoteReader.statements_of`, at most.
PAIRS_PER_REQUEST = 1000


def _chained(depth: int, values: str = "") -> str:
    """Asked only when the blank nodes of an answer ``depth - 1`` levels deep say something of
    further blank nodes (a membership's period: interval, then instant): the quads with blank
    objects again, ``depth`` levels deep, in one answer (blank node labels hold within an answer
    only). A nested OPTIONAL in _QUADS would cost every call ten times more on Oxigraph."""
    nested = ""
    for level in range(depth, 1, -1):
        nested = f" OPTIONAL {{ ?o{level - 1} ?p{level} ?o{level} FILTER (isBlank(?o{level - 1})){nested} }}"
    columns = " ".join(f"?p{level} ?o{level}" for level in range(1, depth + 1))
    return f"SELECT ?s ?p ?o ?g {columns} WHERE {{ {values}GRAPH ?g {{ ?s ?p ?o . ?o ?p1 ?o1 FILTER (isBlank(?o)){nested} }} }}"


def _levels(depth: int) -> list[tuple[str, str, str]]:
    """Each level of nesting in an answer ``depth`` levels deep: (the blank node, its predicate, its object)."""
    return [("o" if level == 1 else f"o{level - 1}", f"p{level}", f"o{level}") for level in range(1, depth + 1)]


#: Blank nodes whose descriptions a reader keeps, at most.
BLANK_CACHE = 100_000
#: The triples held by more than one graph (a blank node too can be in several: the shapes'
#: lists). Their blank nodes match the graph store's reads where the server keeps one label per
#: blank node across answers (Oxigraph server and Virtuoso do); elsewhere such a triple would be
#: written once per graph that holds it.
_SHARED = "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?a { ?s ?p ?o } GRAPH ?b { ?s ?p ?o } FILTER (?a != ?b) }"


def _prologue(sparql: str, base_iri: str | None = None) -> list[tuple[str, int, int, str, str | None]]:
    """The tokens before the WHERE clause's ``{`` (kind, start, end, a word upper-cased, the
    IRI a name or an IRI reference stands for); a ``CONSTRUCT`` template is passed over
    (``FROM`` may follow it)."""
    found: list[tuple[str, int, int, str, str | None]] = []
    depth = 0
    for token in resolved_tokens(sparql, base_iri):
        punct = sparql[token[1]] if token[0] == "punct" else ""
        if depth:
            depth += (punct == "{") - (punct == "}")
        elif punct == "{" and found and found[-1][3] == "CONSTRUCT":
            depth = 1
        elif punct == "{":
            break
        else:
            found.append(token)
    return found


def _from_clauses(tokens: list[tuple[str, int, int, str, str | None]]) -> Iterator[tuple[int, bool, tuple]]:
    """Each ``FROM`` clause of a prologue: (where it starts, whether NAMED, its graph's token)."""
    for index, (_, start, _, word, _) in enumerate(tokens):
        if word == "FROM":
            named = index + 1 < len(tokens) and tokens[index + 1][3] == "NAMED"
            yield start, named, tokens[min(index + (2 if named else 1), len(tokens) - 1)]


def without_dataset_clause(sparql: str) -> str:
    """``sparql`` without its ``FROM`` and ``FROM NAMED`` clauses. The protocol's dataset
    (``default-graph-uri``, ``named-graph-uri``) overrides the query's own, as the SPARQL 1.1
    Protocol says; Virtuoso keeps the query's instead, so a query that goes with a dataset goes
    without its own."""
    for start, _, graph in reversed(list(_from_clauses(_prologue(sparql)))):
        sparql = sparql[:start] + " " + sparql[graph[2]:]
    return sparql


def has_dataset_clause(sparql: str) -> bool:
    """Whether the query names its own dataset (``FROM`` or ``FROM NAMED``)."""
    return any(token[3] == "FROM" for token in _prologue(sparql))


def dataset_clause(sparql: str, base_iri: str | None = None) -> tuple[list[str], list[str]]:
    """The graphs of the query's own ``FROM`` and ``FROM NAMED`` clauses, as absolute IRIs
    (read by its ``PREFIX`` and ``BASE`` declarations)."""
    defaults: list[str] = []
    named: list[str] = []
    for _, is_named, graph in _from_clauses(_prologue(sparql, base_iri)):
        if graph[4]:
            (named if is_named else defaults).append(graph[4])
    return defaults, named


#: Virtuoso labels the blank nodes of its SELECT answers ``nodeID://b1234``, which is no blank
#: node label (pyoxigraph refuses it); the label is what follows (``b1234``), stable on that server.
_VIRTUOSO_BNODE = {
    "application/sparql-results+xml": (re.compile(rb"<bnode>nodeID://"), b"<bnode>"),
    "application/sparql-results+json": (re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")nodeID://'), rb"\1"),
}


#: Virtuoso's JSON results give an xsd:boolean's value as "1" or "0" (a lexical form the
#: standard allows, but not the canonical one every other reader of ours and the embedded store
#: give): written back as "true" and "false".
_VIRTUOSO_BOOLEAN = re.compile(rb'("datatype"\s*:\s*"http://www\.w3\.org/2001/XMLSchema#boolean"\s*,\s*"value"\s*:\s*")([01])"')


def _canonical_boolean(match: re.Match) -> bytes:
    return match.group(1) + (b'true"' if match.group(2) == b"1" else b'false"')


def parse_answer(media_type: str, body: bytes):
    """pyoxigraph's result for a protocol answer: solutions, a boolean, or a list of triples."""
    if media_type in SOLUTIONS:
        if media_type in _VIRTUOSO_BNODE and b"nodeID://" in body:
            pattern, replacement = _VIRTUOSO_BNODE[media_type]
            body = pattern.sub(replacement, body)
        if media_type == "application/sparql-results+json" and b"XMLSchema#boolean" in body:
            body = _VIRTUOSO_BOOLEAN.sub(_canonical_boolean, body)
        return ox.parse_query_results(body, SOLUTIONS[media_type])
    if media_type in GRAPHS:
        return [q if isinstance(q, ox.Triple) else ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, GRAPHS[media_type])]
    raise RemoteStoreError(f"the remote store answered in {media_type or 'an unnamed format'}, which is not a SPARQL result or RDF format")


class RemoteReader:
    """The published graphs of one generation of a remote store, read like a pyoxigraph store."""

    #: Binds a query's substitutions itself (by VALUES) and gives their terms back as given.
    binds_parameters = True

    #: What runs pyoxigraph custom functions writes them out in standard SPARQL for this reader.
    remote = True

    def __init__(self, client: Client, graphs: Sequence[str], *, timeout: float | None = None, read_rows: int = READ_ROWS) -> None:
        self.client = client
        self.read_rows = read_rows
        self.graphs = tuple(graphs)
        self._graph_set = frozenset(self.graphs)
        self.timeout = timeout
        self._blanks: dict[str, list[ox.Quad]] = {}

    # --- queries -----------------------------------------------------------------

    def query(
        self, query: str, *, base_iri: str | None = None, prefixes=None, use_default_graph_as_union: bool = False,
        default_graph=None, named_graphs=None, substitutions=None, custom_functions=None, custom_aggregate_functions=None,
        among: tuple[ox.Variable, list] | None = None,
    ):
        """As :meth:`pyoxigraph.Store.query`; ``among`` (a variable and terms: not in pyoxigraph)
        keeps the answer to the rows where the variable is one of them (:func:`bind`)."""
        if custom_functions or custom_aggregate_functions:
            raise RemoteStoreError("custom functions cannot be sent to a remote store (the program's rules use them: run 'policykg check' on an embedded copy)")
        _check_syntax(query, base_iri, prefixes)
        text = bind(query, substitutions, among)
        head = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in (prefixes or {}).items())
        if base_iri:
            head = f"BASE <{base_iri}>\n" + head
        defaults, named = self._dataset(head + query, use_default_graph_as_union, default_graph, named_graphs)
        if has_dataset_clause(text):  # the protocol's dataset goes instead (below)
            text = without_dataset_clause(text)
        try:
            response = self.client.query(head + text, accept=ACCEPT_GRAPH if query_form(query) in ("CONSTRUCT", "DESCRIBE") else ACCEPT, default_graphs=defaults, named_graphs=named, timeout=self.timeout)
        except RemoteSyntaxError as error:
            raise _shifted(error, head.count("\n")) from None
        body = response.read()
        answer = parse_answer(response.media_type, body)
        if substitutions and isinstance(answer, ox.QuerySolutions):
            answer = _as_bound(answer, substitutions, lambda: parse_answer(response.media_type, body))
        return answer

    def _dataset(self, sparql, union, default_graph, named_graphs) -> tuple[list[str], list[str]]:
        # Neither list may be empty on the wire: the protocol would then fall back to the server's
        # own dataset (every graph, staged ones too); a graph never written stands for "none".
        # A query's own FROM and FROM NAMED are kept to the published graphs: a graph being
        # staged or written for its first publish is not seen, as on the embedded store.
        if default_graph is not None or named_graphs is not None:
            if default_graph is None:
                defaults = list(self.graphs) if union else []
            else:
                given = default_graph if isinstance(default_graph, list) else [default_graph]
                defaults = [g.value for g in given if isinstance(g, ox.NamedNode)]
            named = list(self.graphs) if named_graphs is None else [g.value for g in named_graphs]
            return defaults or [self._empty()], named or [self._empty()]
        if has_dataset_clause(sparql):
            own = dataset_clause(sparql)
            return ([g for g in own[0] if g in self._graph_set] or [self._empty()]), ([g for g in own[1] if g in self._graph_set] or [self._empty()])
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
        return self._paged(bound)

    def _paged(self, bound: dict) -> Iterator[ox.Quad]:
        """The quads of a pattern: the first :data:`FIRST_ROWS` rows, then, if the reader reads
        on, the whole answer without the quads already given (in whatever order it comes)."""
        given, complete = self._fetch(bound, limit=FIRST_ROWS)
        yield from given
        if not complete:
            seen = set(given)
            yield from (quad for quad in self._fetch(bound)[0] if quad not in seen)

    def statements_of(self, subjects: Iterable[ox.NamedNode], predicates: Sequence[ox.NamedNode] = ()) -> list[ox.Quad]:
        """Every published quad whose subject is one of ``subjects`` (and predicate one of
        ``predicates``, if given), in a request per :data:`SUBJECTS_PER_REQUEST` subjects or
        :data:`PAIRS_PER_REQUEST` (subject, predicate) pairs (a look-up of each would be a request)."""
        named = list(dict.fromkeys(s for s in subjects if isinstance(s, ox.NamedNode)))
        predicates = list(dict.fromkeys(predicates))
        step = min(SUBJECTS_PER_REQUEST, max(1, PAIRS_PER_REQUEST // len(predicates))) if predicates else SUBJECTS_PER_REQUEST
        found: list[ox.Quad] = []
        for start in range(0, len(named), step):
            batch = named[start : start + step]
            if predicates:
                # The pairs in one VALUES, not a VALUES of subjects beside one of predicates:
                # Virtuoso 7.2 evaluates that product by scanning each predicate (200 projects by
                # the five traceability properties at 1 000 000 activities: 10.7 s; as pairs 0.2 s).
                values = "VALUES (?s ?p) { " + " ".join(f"({s} {p})" for s in batch for p in predicates) + " } "
            else:
                values = "VALUES ?s { " + " ".join(str(s) for s in batch) + " } "
            found += self._fetch({}, values=values)[0]
        return found

    def _fetch(self, bound: dict, *, values: str = "", limit: int | None = None) -> tuple[list[ox.Quad], bool]:
        """(the quads, whether that is all of them) of _QUADS with ``bound`` and ``values``, the
        statements of their blank objects kept (whole: they are kept first)."""
        graphs = [ox.NamedNode(g) for g in self.graphs]
        text = _QUADS.format(values=values) + (f" LIMIT {limit}" if limit else "")
        rows, depth = list(self.query(text, substitutions=bound, named_graphs=graphs, default_graph=[])), 1
        complete = limit is None or len(rows) < limit
        while depth < BLANK_DEPTH and any(isinstance(row[f"o{depth}"], ox.BlankNode) for row in rows):
            depth += 1
            deeper = self.query(_chained(depth, values), substitutions=bound, named_graphs=graphs, default_graph=[])
            rows = [row for row in rows if row["p1"] is None] + list(deeper)
        return self._quads(rows, _levels(depth)), complete

    def _quads(self, rows, levels: list[tuple[str, str, str]]) -> list[ox.Quad]:
        found: list[ox.Quad] = []
        seen: set[ox.Quad] = set()  # a quad comes once per statement of its blank object (and theirs)
        said: set[ox.Quad] = set()  # the statements of blank nodes (a quad of the pattern too may be one)
        brought: dict[str, list[ox.Quad]] = {}  # the statements of the blank nodes this answer brings
        for row in rows:
            quad = ox.Quad(row["s"], row["p"], row["o"], row["g"])
            if quad not in seen:
                seen.add(quad)
                found.append(quad)
            for node_name, predicate_name, value_name in levels:
                if row[predicate_name] is None:
                    break
                node = row[node_name]
                statement = ox.Quad(node, row[predicate_name], row[value_name], row["g"])
                if statement not in said:
                    said.add(statement)
                    brought.setdefault(node.value, []).append(statement)
        # Threads share this reader (a server's, the hub pages described together): the cache is
        # replaced or updated in one step each, never left half-filled for another to read.
        if len(self._blanks) + len(brought) > BLANK_CACHE:
            self._blanks = brought
        else:
            self._blanks.update(brought)
        return found

    def __iter__(self) -> Iterator[ox.Quad]:
        """Every published quad, graph by graph, streamed from the graph store endpoint."""
        return (quad for graph in self.graphs for quad in self.graph_quads(graph))

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        return (ox.NamedNode(g) for g in self.graphs)

    def contains_named_graph(self, graph) -> bool:
        return isinstance(graph, ox.NamedNode) and graph.value in self._graph_set

    def __len__(self) -> int:
        if not self.graphs:
            return 0
        rows = list(self.query(COUNT, named_graphs=[ox.NamedNode(g) for g in self.graphs], default_graph=[]))
        return int(rows[0]["n"].value) if rows else 0

    # --- whole graphs --------------------------------------------------------------

    def graph_quads(self, graph: str) -> Iterator[ox.Quad]:
        """The quads of one published graph, streamed from the remote store (in parts where it
        is larger than one answer may be: :mod:`policykg.remote.graph_reads`)."""
        node = ox.NamedNode(graph)
        for triple in graph_triples(self, graph, read_rows=self.read_rows):
            yield ox.Quad(triple.subject, triple.predicate, triple.object, node)

    def shared_triples(self) -> set[ox.Triple]:
        """The triples that more than one published graph holds (few: each graph is one source's)."""
        dataset = [ox.NamedNode(g) for g in self.graphs]
        return {ox.Triple(row["s"], row["p"], row["o"]) for row in self.query(_SHARED, named_graphs=dataset, default_graph=[])}

    def union_triples(self, graphs: Sequence[ox.NamedNode]) -> Iterator[ox.Triple]:
        """The triples of ``graphs`` (in that order), each once, streamed graph by graph from the
        graph store endpoint; a triple that more than one graph holds is written with the first."""
        quads = (quad for graph in graphs for quad in self.graph_quads(graph.value))
        return each_once(quads, self.shared_triples())

    def from_dump(self, path) -> DumpedGeneration:
        """This generation as its N-Quads dump at ``path`` holds it (the other dumps are written
        from that file: the server is read once)."""
        return DumpedGeneration(self, path)

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


def _check_syntax(query: str, base_iri: str | None, prefixes) -> None:
    """A syntax error raised here, with its line and column, as on the embedded store (servers
    say it their own way: Virtuoso gives the line of its own rewritten text and no column).
    Parsed by pyoxigraph against an empty store; evaluation, lazy, is not asked for. A query
    calling a SERVICE is left to the server: the check must not reach out."""
    if "SERVICE" not in query.upper():
        _parses(query, base_iri, tuple(sorted((prefixes or {}).items())))


@functools.lru_cache(maxsize=512)
def _parses(query: str, base_iri: str | None, prefixes: tuple) -> None:
    """Raises pyoxigraph's SyntaxError; remembers the texts that parse (a named question's text
    is the same on every request: checking its 5 kB took 1.6 ms, a remembered one nothing)."""
    try:
        ox.Store().query(query, base_iri=base_iri, prefixes=dict(prefixes) or None)
    except SyntaxError:
        raise
    except Exception:  # noqa: BLE001 - only the syntax is checked here; the server evaluates
        return


def _as_bound(solutions: ox.QuerySolutions, substitutions, again) -> ox.QuerySolutions:
    """The solutions with each bound parameter's column holding the term it was bound to.

    A server may give a bound term back in another form (Virtuoso answers ``true`` bound by
    VALUES as ``"1"^^xsd:integer``); a substitution's value is, by definition, the term given.
    The first solution tells: if it holds the bound terms, the answer is parsed again as it came."""
    variables = [v.value for v in solutions.variables]
    fixed = {var.value: term for var, term in substitutions.items() if var.value in variables}
    rows = iter(solutions)
    first = next(rows, None)
    if not fixed or first is None or all(first[name] == term for name, term in fixed.items()):
        return again()
    bindings = []
    for solution in itertools.chain([first], rows):
        values = {name: solution[name] for name in variables if solution[name] is not None}
        values.update(fixed)
        bindings.append({name: _json_term(term) for name, term in values.items()})
    document = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    return ox.parse_query_results(json.dumps(document).encode(), ox.QueryResultsFormat.JSON)


def _json_term(term) -> dict:
    """A term in the SPARQL 1.1 Query Results JSON Format."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        if term.language:
            return {"type": "literal", "value": term.value, "xml:lang": term.language}
        return {"type": "literal", "value": term.value, "datatype": term.datatype.value}
    raise RemoteStoreError(f"a parameter cannot be bound to {term!r} on a remote store")


def _shifted(error: RemoteSyntaxError, lines: int) -> RemoteSyntaxError:
    """The server's syntax error with its line as in the query we were given (without the
    ``BASE`` and ``PREFIX`` lines put before it)."""
    found = SYNTAX_POSITION.match(error.msg)
    if not lines or not found or int(found.group(1)) <= lines:
        return error
    return RemoteSyntaxError(f"error at {int(found.group(1)) - lines}:{found.group(2)}: " + error.msg[found.end():])


def _matches(quad: ox.Quad, predicate, obj, graph_name) -> bool:
    return (predicate is None or quad.predicate == predicate) and (obj is None or quad.object == obj) and (
        graph_name is None or quad.graph_name == graph_name
    )
