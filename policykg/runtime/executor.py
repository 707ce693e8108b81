"""What a query process does: run one job on the store and answer with bytes.

A job is a query, an update or a graph-store operation. It runs here, in a
process of its own that the server can kill (pyoxigraph has no time limit or
cancellation), and its answer is already serialized by pyoxigraph, so that the
server only ships bytes. Caps on rows and bytes are enforced while serializing.

Run as ``python -m policykg.runtime.executor FD STORE KEEP`` by :mod:`policykg.server.querypool`:
it reads pickled jobs from the socket FD and writes back pickled answers, until
the socket closes or its parent goes away.
"""

from __future__ import annotations

import csv
import io
import json
import os
import pickle
import re
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from policykg.namespaces import PREFIXES
from policykg.runtime.results import GRAPH_FORMATS, SOLUTION_FORMATS
from policykg.store import EmbeddedStore, StoreBusy, StoreNotBuilt

_POSITION = re.compile(r"error at (\d+):(\d+): ")
#: Formats a graph store body may come in (triples only: a graph holds no graphs).
GRAPH_INPUT_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "text/n3": ox.RdfFormat.N3,
}


class TooLarge(Exception):
    """The answer is over a cap."""


@dataclass(frozen=True)
class Limits:
    max_rows: int
    max_bytes: int


@dataclass(frozen=True)
class Answer:
    """A successful job: a body in format ``fmt`` (a key of results.MEDIA_TYPES), or none."""

    fmt: str | None
    body: bytes
    generation: str | None
    rows: int = 0
    created: bool = False


@dataclass(frozen=True)
class Failure:
    """A job that could not be done. ``kind`` decides the HTTP status."""

    kind: str  # syntax, not-acceptable, too-large, not-found, evaluation, remote, not-built, busy, internal
    message: str
    line: int | None = None
    column: int | None = None


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

    def run(self, store: EmbeddedStore) -> Answer | Failure:
        generation, reader = store.snapshot()
        options: dict = {"base_iri": self.base_iri}
        if self.default_graphs is not None or self.named_graphs is not None:
            # A dataset given by the protocol replaces the query's own (FROM, FROM NAMED).
            options["default_graph"] = [ox.NamedNode(g) for g in self.default_graphs or ()]
            options["named_graphs"] = [ox.NamedNode(g) for g in self.named_graphs or ()]
        elif self.union_default:
            options["use_default_graph_as_union"] = True
        if self.substitutions:
            options["substitutions"] = {ox.Variable(k): v for k, v in self.substitutions.items()}
        try:
            result = reader.query(self.sparql, **options)
            return self._serialize(result, generation)
        except SyntaxError as error:
            return syntax_failure(error)
        except TooLarge as error:
            return Failure("too-large", str(error))
        except OSError as error:
            return Failure("remote" if "SERVICE" in self.sparql.upper() else "evaluation", str(error))
        except (ValueError, TypeError, RuntimeError) as error:
            return Failure("evaluation", str(error))

    def _serialize(self, result, generation: str) -> Answer | Failure:
        limits = self.limits
        if isinstance(result, (ox.QueryBoolean, ox.QuerySolutions)):
            fmt = self.solutions_format
            if fmt is None:
                return _not_acceptable("a SELECT or ASK result", SOLUTION_FORMATS)
            if isinstance(result, ox.QueryBoolean):
                return Answer(fmt, result.serialize(format=SOLUTION_FORMATS[fmt]), generation, 1)
            body = _capped(lambda out: result.serialize(out, format=SOLUTION_FORMATS[fmt]), limits.max_bytes)
            rows = _count_rows(body, fmt, limits.max_rows)
            if rows > limits.max_rows:
                raise TooLarge(_too_many(limits.max_rows))
            return Answer(fmt, body, generation, rows)
        fmt = self.graph_format
        if fmt is None:
            return _not_acceptable("a CONSTRUCT or DESCRIBE result", GRAPH_FORMATS)
        count = 0

        def counted(triples) -> Iterator:
            nonlocal count
            for triple in triples:
                count += 1
                if count > limits.max_rows:
                    raise TooLarge(_too_many(limits.max_rows, "triples"))
                yield triple

        body = _capped(
            lambda out: ox.serialize(counted(result), out, GRAPH_FORMATS[fmt], prefixes=_prefixes(fmt)), limits.max_bytes
        )
        return Answer(fmt, body, generation, count)


@dataclass(frozen=True)
class UpdateJob:
    """A SPARQL update, written to a new generation that is published only if it succeeds."""

    sparql: str
    base_iri: str | None = None
    wait: float = 10.0

    def run(self, store: EmbeddedStore) -> Answer | Failure:
        try:
            with _writer(store, self.wait) as writer:
                writer.raw.update(self.sparql, base_iri=self.base_iri)
        except SyntaxError as error:
            return syntax_failure(error)
        except StoreBusy as error:
            return Failure("busy", str(error))
        except OSError as error:
            return Failure("remote" if "LOAD" in self.sparql.upper() else "evaluation", str(error))
        except (ValueError, TypeError, RuntimeError) as error:
            return Failure("evaluation", str(error))
        return Answer(None, b"", store.current_generation())


@dataclass(frozen=True)
class GraphReadJob:
    """A graph of the store (``graph`` None: the default graph), or with ``dataset`` all of it."""

    fmt: str
    limits: Limits
    graph: str | None = None
    dataset: bool = False

    def run(self, store: EmbeddedStore) -> Answer | Failure:
        generation, reader = store.snapshot()
        target = ox.DefaultGraph() if self.graph is None else ox.NamedNode(self.graph)
        if self.graph is not None and not reader.contains_named_graph(target):
            return Failure("not-found", f"the store has no graph <{self.graph}>")
        fmt = GRAPH_FORMATS[self.fmt]
        options = {} if self.dataset else {"from_graph": target}
        try:
            body = _capped(lambda out: reader.dump(out, format=fmt, prefixes=_prefixes(self.fmt), **options), self.limits.max_bytes)
        except TooLarge as error:
            return Failure("too-large", str(error))
        return Answer(self.fmt, body, generation)


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

    def run(self, store: EmbeddedStore) -> Answer | Failure:
        target = ox.DefaultGraph() if self.graph is None else ox.NamedNode(self.graph)
        try:
            existed = self._exists(store, target)
            if self.method == "DELETE" and not existed:
                return Failure("not-found", f"the store has no graph <{self.graph}>")
            quads = [
                ox.Quad(t.subject, t.predicate, t.object, target)
                for body, media in self.parts
                for t in ox.parse(body, format=GRAPH_INPUT_FORMATS[media], base_iri=self.base_iri or self.graph)
            ]
            with _writer(store, self.wait) as writer:
                raw = writer.raw
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
        return Answer(None, b"", store.current_generation(), created=not existed)

    @staticmethod
    def _exists(store: EmbeddedStore, target) -> bool:
        if isinstance(target, ox.DefaultGraph):
            return True
        try:
            return store.reader().contains_named_graph(target)
        except StoreNotBuilt:
            return False


def syntax_failure(error: SyntaxError) -> Failure:
    """pyoxigraph's message with its position: 'error at L:C: ...' for SPARQL,
    (lineno, offset) for RDF documents."""
    text = str(error.msg if error.msg else error)
    match = _POSITION.match(text)
    if match:
        return Failure("syntax", text[match.end() :], int(match.group(1)), int(match.group(2)))
    return Failure("syntax", text, error.lineno, error.offset)


#: The fewest bytes one row takes in each format ('{},' '<result></result>' '\r\n' '\n').
_MIN_ROW_BYTES = {"json": 3, "xml": 17, "csv": 2, "tsv": 1}


def _count_rows(body: bytes, fmt: str, cap: int) -> int:
    """The rows of a serialized table, counted only when there could be more than ``cap``.

    Returns a number up to ``cap`` when the body is too small to hold more rows.
    """
    if len(body) <= _MIN_ROW_BYTES[fmt] * cap:
        return 0
    if fmt == "json":
        return len(json.loads(body)["results"]["bindings"])
    if fmt == "xml":
        return body.count(b"<result>")  # markup in values is escaped
    if fmt == "tsv":
        return body.count(b"\n") - 1  # newlines in values are escaped
    return sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8"), newline=""))) - 1


def _not_acceptable(what: str, formats) -> Failure:
    return Failure("not-acceptable", f"{what} can be given as {', '.join(formats)}; the request accepts none of them")


def _too_many(limit: int, what: str = "rows") -> str:
    return f"the result has more than {limit:,} {what}, the limit of this endpoint: use LIMIT and OFFSET to page through it"


def _prefixes(fmt: str) -> dict[str, str] | None:
    return PREFIXES if fmt in ("turtle", "trig", "rdfxml", "n3") else None


class _CappedBuffer:
    def __init__(self, cap: int) -> None:
        self.cap, self.size, self.chunks = cap, 0, []

    def write(self, data) -> int:
        self.size += len(data)
        if self.size > self.cap:
            raise TooLarge(f"the response would be larger than {self.cap:,} bytes, the limit of this endpoint")
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def _capped(write, cap: int) -> bytes:
    buffer = _CappedBuffer(cap)
    write(buffer)
    return b"".join(buffer.chunks)


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


def _watch_parent() -> None:
    """Exit when the parent (the server worker) is gone, even in the middle of a query."""
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def serve(fd: int, store_path: str, keep_generations: int) -> None:
    """Answer jobs from the socket ``fd`` until it closes."""
    from multiprocessing.connection import Connection

    threading.Thread(target=_watch_parent, daemon=True).start()
    connection = Connection(fd)
    store = EmbeddedStore(store_path, keep_generations=keep_generations)
    while True:
        try:
            job = pickle.loads(connection.recv_bytes())
        except (EOFError, OSError):
            return
        try:
            answer = job.run(store)
        except StoreNotBuilt as error:
            answer = Failure("not-built", str(error))
        except Exception as error:  # noqa: BLE001 - the server answers 500; the trace goes to our log only
            print(f"policykg query process: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
            answer = Failure("internal", "the query process failed; the error is in the server's log")
        connection.send_bytes(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    # Through the package, so that the answers pickle as policykg.runtime.executor's classes, not __main__'s.
    from policykg.runtime.executor import serve as _serve

    _serve(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]))
