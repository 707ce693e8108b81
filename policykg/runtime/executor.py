"""The jobs a query process runs: a query, an update, a graph store read or write.

Each runs in a process of its own that the server can kill (pyoxigraph has no
time limit or cancellation; see :mod:`policykg.runtime.query_process`), and
answers with bytes already serialized by pyoxigraph, so that the server only
ships them: whole when small, streamed when large (:mod:`policykg.runtime.streaming`).
Caps on rows and bytes are enforced while serializing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

import pyoxigraph as ox

from policykg import formats
from policykg.runtime.binding import ask
from policykg.runtime.results import prefixes_for, table
from policykg.runtime.sparqllex import SYNTAX_POSITION
from policykg.runtime.streaming import Sink, TooLarge, too_big, too_many
from policykg.store import DEFAULT_GRAPH, EmbeddedStore, StoreBusy, StoreNotBuilt
from policykg.storebase import QueryRefused, StoreError, StoreTimeout, StoreUnreachable



@dataclass(frozen=True)
class Limits:
    max_rows: int
    max_bytes: int


@dataclass(frozen=True)
class Answer:
    """A successful job: a body in the format with key ``fmt`` (:mod:`policykg.formats`), or none."""

    fmt: str | None
    body: bytes | None  # None: it was streamed
    generation: str | None
    rows: int = 0
    created: bool = False


@dataclass(frozen=True)
class Failure:
    """A job that could not be done. ``kind`` decides the HTTP status."""

    kind: str  # syntax, not-acceptable, too-large, not-found, evaluation, remote, timeout, unreachable, not-built, busy, internal
    message: str
    line: int | None = None
    column: int | None = None


def store_failure(error: StoreError) -> Failure:
    """What a store's error means for the request: the time limit (504), a store that cannot be
    reached (503), a query the server refused (400, its message), or another failure of the
    remote store (502)."""
    if isinstance(error, StoreTimeout):
        return Failure("timeout", str(error))
    if isinstance(error, StoreUnreachable):
        return Failure("unreachable", str(error))
    if isinstance(error, StoreNotBuilt):
        return Failure("not-built", str(error))
    if isinstance(error, StoreBusy):
        return Failure("busy", str(error))
    if isinstance(error, QueryRefused):
        return Failure("evaluation", str(error))
    return Failure("remote", str(error))


@dataclass(frozen=True)
class QueryJob:
    sparql: str
    limits: Limits
    #: Formats negotiated for a solutions or boolean result and for a graph result (None: not acceptable).
    solutions_format: str | None = "json"
    graph_format: str | None = "turtle"
    union_default: bool = True
    #: The protocol's default-graph-uri and named-graph-uri (None: not given).
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    base_iri: str | None = None
    substitutions: dict = field(default_factory=dict)
    #: A large answer may be streamed (the protocol endpoint); the server's own uses want it whole.
    stream: bool = False

    def run(self, store: EmbeddedStore, connection: Connection | None = None) -> Answer | Failure:
        generation, reader = store.snapshot()
        options: dict = {"base_iri": self.base_iri}
        if self.default_graphs is not None or self.named_graphs is not None:
            # A dataset given by the protocol replaces the query's own (FROM, FROM NAMED).
            options["default_graph"] = [ox.NamedNode(g) for g in self.default_graphs or ()]
            options["named_graphs"] = [ox.NamedNode(g) for g in self.named_graphs or ()]
        elif self.union_default:
            options["use_default_graph_as_union"] = True
        substitutions = {ox.Variable(k): v for k, v in self.substitutions.items()}
        try:
            result = ask(reader, self.sparql, substitutions, **options)
            return self._serialize(result, generation, connection)
        except SyntaxError as error:
            return syntax_failure(error)
        except TooLarge as error:
            return Failure("too-large", str(error))
        except OSError as error:
            return Failure("remote" if "SERVICE" in self.sparql.upper() else "evaluation", str(error))
        except StoreError as error:
            return store_failure(error)
        except (ValueError, TypeError, RuntimeError) as error:
            return Failure("evaluation", str(error))

    def _sink(self, connection, fmt: str, generation: str, rows: bool = True) -> Sink:
        limits = self.limits
        return Sink(connection, fmt, generation, max_bytes=limits.max_bytes, max_rows=limits.max_rows if rows else None, stream=self.stream)

    def _serialize(self, result, generation: str, connection) -> Answer | Failure:
        limits = self.limits
        if isinstance(result, (ox.QueryBoolean, ox.QuerySolutions)):
            fmt = self.solutions_format
            if fmt is None:
                return _not_acceptable("a SELECT or ASK result", formats.SOLUTION_OFFERS)
            if fmt == formats.TEXT_TABLE.key:
                return self._text_table(result, generation)
            oxigraph = formats.of_key(fmt).oxigraph
            if isinstance(result, ox.QueryBoolean):
                return Answer(fmt, result.serialize(format=oxigraph), generation, 1)
            sink = self._sink(connection, fmt, generation)
            result.serialize(sink, format=oxigraph)
            return Answer(fmt, sink.body(), generation, sink.rows)
        fmt = self.graph_format
        if fmt is None:
            return _not_acceptable("a CONSTRUCT or DESCRIBE result", formats.GRAPH_OFFERS)
        count = 0

        def counted(triples) -> Iterator:
            nonlocal count
            for triple in triples:
                count += 1
                if count > limits.max_rows:
                    raise TooLarge(too_many(limits.max_rows, "triples"))
                yield triple

        sink = self._sink(connection, fmt, generation, rows=False)
        ox.serialize(counted(result), sink, formats.of_key(fmt).oxigraph, prefixes=_prefixes(fmt))
        return Answer(fmt, sink.body(), generation, count)

    def _text_table(self, result, generation: str) -> Answer:
        """A table for people (``Accept: text/plain`` on a SELECT), capped like the others."""
        if isinstance(result, ox.QueryBoolean):
            return Answer(formats.TEXT_TABLE.key, b"true\n" if bool(result) else b"false\n", generation, 1)
        rows = []

        def capped():
            for count, row in enumerate(result, 1):
                if count > self.limits.max_rows:
                    raise TooLarge(too_many(self.limits.max_rows))
                rows.append(row)
                yield row

        class _Solutions:  # what table() reads: variables, then the rows
            variables = result.variables

            def __iter__(self):
                return capped()

        body = table(_Solutions()).encode("utf-8")
        if len(body) > self.limits.max_bytes:
            raise TooLarge(too_big(self.limits.max_bytes))
        return Answer(formats.TEXT_TABLE.key, body, generation, len(rows))


@dataclass(frozen=True)
class UpdateJob:
    """A SPARQL update, written to a new generation that is published only if it succeeds."""

    sparql: str
    base_iri: str | None = None
    wait: float = 10.0
    #: Compact in the background after this many seconds without writes (0: never).
    compact_after: float = 0.0

    def run(self, store: EmbeddedStore, connection: Connection | None = None) -> Answer | Failure:
        try:
            if store.remote:  # the server runs it in its own transaction
                ox.Store().update(self.sparql, base_iri=self.base_iri)  # on nothing: a syntax error is reported as ours are
                store.apply_update(self.sparql, base_iri=self.base_iri)
                return Answer(None, b"", store.current_generation())
            with _writer(store, self.wait) as writer:
                writer.raw.update(self.sparql, base_iri=self.base_iri)  # which graphs it changes is not known: "all"
        except SyntaxError as error:
            return syntax_failure(error)
        except StoreBusy as error:
            return Failure("busy", str(error))
        except OSError as error:
            return Failure("remote" if "LOAD" in self.sparql.upper() else "evaluation", str(error))
        except StoreError as error:
            return store_failure(error)
        except (ValueError, TypeError, RuntimeError) as error:
            return Failure("evaluation", str(error))
        store.schedule_compaction(self.compact_after)
        return Answer(None, b"", store.current_generation())


@dataclass(frozen=True)
class GraphReadJob:
    """A graph of the store (``graph`` None: the default graph), or with ``dataset`` all of it."""

    fmt: str
    limits: Limits
    graph: str | None = None
    dataset: bool = False
    stream: bool = True

    def run(self, store: EmbeddedStore, connection: Connection | None = None) -> Answer | Failure:
        generation, reader = store.snapshot()
        target = ox.DefaultGraph() if self.graph is None else ox.NamedNode(self.graph)
        if self.graph is not None and not reader.contains_named_graph(target):
            return Failure("not-found", f"the store has no graph <{self.graph}>")
        fmt = formats.of_key(self.fmt).oxigraph
        options = {} if self.dataset else {"from_graph": target}
        sink = Sink(connection, self.fmt, generation, max_bytes=self.limits.max_bytes, stream=self.stream)
        try:
            reader.dump(sink, format=fmt, prefixes=_prefixes(self.fmt), **options)
        except TooLarge as error:
            return Failure("too-large", str(error))
        return Answer(self.fmt, sink.body(), generation)


@dataclass(frozen=True)
class GraphWriteJob:
    """PUT (replace), POST (merge) or DELETE one graph (``graph`` None: the default graph).

    ``parts`` are (body, media type) pairs: one for a plain request, several for multipart.
    """

    method: str
    graph: str | None
    parts: tuple[tuple[bytes, str], ...] = ()
    base_iri: str | None = None
    wait: float = 10.0
    #: Compact in the background after this many seconds without writes (0: never).
    compact_after: float = 0.0

    def run(self, store: EmbeddedStore, connection: Connection | None = None) -> Answer | Failure:
        target = ox.DefaultGraph() if self.graph is None else ox.NamedNode(self.graph)
        try:
            existed = self._exists(store, target)
            if self.method == "DELETE" and not existed:
                return Failure("not-found", f"the store has no graph <{self.graph}>")
            if store.remote:
                return self._run_remote(store, existed)
            quads = [
                ox.Quad(t.subject, t.predicate, t.object, target)
                for body, media in self.parts
                # each write's blank nodes are its own: two uploads that say _:b mean two nodes
                for t in ox.parse(
                    body, format=formats.GRAPH_INPUT[media].oxigraph, base_iri=self.base_iri or self.graph, rename_blank_nodes=True
                )
            ]
            with _writer(store, self.wait) as writer:
                raw = writer.writing([DEFAULT_GRAPH if self.graph is None else self.graph])
                if self.method in ("PUT", "DELETE"):
                    if self.graph is None:
                        raw.clear_graph(target)
                    elif raw.contains_named_graph(target):
                        raw.remove_graph(target)
                if self.method != "DELETE":
                    raw.extend(quads)
                    if self.graph is not None:
                        raw.add_graph(target)
        except SyntaxError as error:
            return syntax_failure(error)
        except StoreBusy as error:
            return Failure("busy", str(error))
        store.schedule_compaction(self.compact_after)
        return Answer(None, b"", store.current_generation(), created=not existed)

    def _run_remote(self, store, existed: bool) -> Answer | Failure:
        """On a remote store: the body parsed here (so that a syntax error is ours to report),
        sent as N-Triples to the server's graph store endpoint."""
        if self.graph is None:
            return Failure("evaluation", "on a remote store, writes go to named graphs only (the default graph is the union of them)")
        triples = [
            t for body, media in self.parts
            for t in ox.parse(body, format=formats.GRAPH_INPUT[media].oxigraph, base_iri=self.base_iri or self.graph, rename_blank_nodes=True)
        ]
        body = ox.serialize(triples, None, ox.RdfFormat.N_TRIPLES) if triples else b""
        existed = store.write_graph(self.method, self.graph, body, "application/n-triples")
        return Answer(None, b"", store.current_generation(), created=not existed)

    @staticmethod
    def _exists(store: EmbeddedStore, target) -> bool:
        if isinstance(target, ox.DefaultGraph):
            return True
        if store.remote:  # asked now: another process's write may be newer than this one's view
            return target.value in store.published_graphs()
        try:
            return store.reader().contains_named_graph(target)
        except StoreNotBuilt:
            return False


def syntax_failure(error: SyntaxError) -> Failure:
    """pyoxigraph's message with its position: 'error at L:C: ...' for SPARQL,
    (lineno, offset) for RDF documents."""
    text = str(error.msg if error.msg else error)
    match = SYNTAX_POSITION.match(text)
    if match:
        return Failure("syntax", text[match.end() :], int(match.group(1)), int(match.group(2)))
    return Failure("syntax", text, error.lineno, error.offset)


def _not_acceptable(what: str, offers) -> Failure:
    return Failure("not-acceptable", f"{what} can be given as {formats.describe(offers)}; the request accepts none of them")


def _prefixes(key: str) -> dict[str, str] | None:
    return prefixes_for(formats.of_key(key))


class _writer:
    """``store.writer()``, waiting up to ``wait`` seconds for another writer to finish."""

    def __init__(self, store: EmbeddedStore, wait: float) -> None:
        self.store, self.wait, self.context = store, wait, None

    def __enter__(self):
        deadline = time.monotonic() + self.wait
        while True:
            self.context = self.store.writer()
            try:
                return self.context.__enter__()
            except StoreBusy:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.02)

    def __exit__(self, *exc):
        return self.context.__exit__(*exc)
