"""A remote SPARQL server as the store, published in generations by the standards alone.

The data graphs keep their own names on the server. Beside them:

* the control graph ``urn:policykg:store`` holds the pointer: ``<urn:policykg:store>
  dct:identifier "gen-…"`` (the published generation), ``dct:modified`` (when) and
  ``dct:hasPart`` each published graph: the published graphs are those it lists, never
  what the server lists (a server has graphs of its own: Virtuoso's ``virtrdf#``, …);
* a writer stages each published graph it replaces under
  ``urn:policykg:staging:TOKEN/GRAPH`` (Graph Store Protocol ``PUT``, streamed), then
  publishes with ONE SPARQL Update request: ``MOVE`` each staged graph onto its name,
  ``DROP`` the removed ones, and move the pointer. A graph that is not published yet is
  written under its own name at once: readers do not see it until the pointer lists it,
  and no ``MOVE`` copies it (Virtuoso's ``MOVE`` copies every triple). Readers never see
  staged or unpublished graphs (every query is sent with the published graphs as its
  dataset, :mod:`policykg.remote.reader`), and a failed load drops what it wrote and
  leaves the published graphs as they were;
* before it publishes, a writer records what it changed (:mod:`policykg.remote.changes`),
  for the stored answers to answer again only what can see the change.

Whether readers can see the publishing update half done is the server's: Oxigraph
server runs an update request in one transaction; Virtuoso does not promise it for a
request of several operations (docs/remote-store.md says what that means). Writers on
one machine take the same lock file as the embedded store's; writers on several
machines are not coordinated.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox

from policykg.namespaces import DCT, REMOTE_CONTROL_GRAPH, REMOTE_STAGING_PREFIX, XSD
from policykg.runtime.sparqllex import resolved_tokens
from policykg.storebase import CHANGES_PREFIX, MAX_CHANGE_STEPS, ChangeRecords, StoreError, StoreNotBuilt, new_generation_name, writer_lock

from .changes import write_changes
from .protocol import Client, Endpoints, RemoteStoreError
from .graph_reads import EMPTY_GRAPH, READ_ROWS
from .reader import RemoteReader


_POINTER = f"SELECT ?generation ?modified WHERE {{ GRAPH <{REMOTE_CONTROL_GRAPH}> {{ <{REMOTE_CONTROL_GRAPH}> <{DCT.identifier}> ?generation OPTIONAL {{ <{REMOTE_CONTROL_GRAPH}> <{DCT.modified}> ?modified }} }} }}"
_GRAPHS = f"SELECT ?g WHERE {{ GRAPH <{REMOTE_CONTROL_GRAPH}> {{ <{REMOTE_CONTROL_GRAPH}> <{DCT.hasPart}> ?g }} }}"
#: The pointer and the graphs it lists, in one answer: a publish between two requests cannot pair them wrongly.
_PUBLISHED = (
    f"SELECT ?generation ?modified ?g WHERE {{ GRAPH <{REMOTE_CONTROL_GRAPH}> {{ <{REMOTE_CONTROL_GRAPH}> <{DCT.identifier}> ?generation "
    f"OPTIONAL {{ <{REMOTE_CONTROL_GRAPH}> <{DCT.modified}> ?modified }} OPTIONAL {{ <{REMOTE_CONTROL_GRAPH}> <{DCT.hasPart}> ?g }} }} }}"
)
#: The graphs of a store published before the list was recorded (Oxigraph server only: it has no graphs of its own).
_ALL_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
#: Triples per chunk of a staged graph's body.
_BATCH = 20_000
#: Bytes of one graph store request, about: a larger graph goes as a PUT and then POSTs
#: (Virtuoso 7.2 failed, and then crashed, reading the 7 GB body of the 48.5 M triples of the
#: 1 000 000-activity set's activities in one request).
REQUEST_BYTES = 64 << 20


def staging_graph(token: str, graph: str) -> str:
    return f"{REMOTE_STAGING_PREFIX}{token}/{urllib.parse.quote(graph, safe='')}"


def _ours(graph: str) -> bool:
    return graph == REMOTE_CONTROL_GRAPH or graph.startswith(REMOTE_STAGING_PREFIX)


class RemoteStore(ChangeRecords):
    """The published generation of a remote SPARQL server (see the module's docstring).
    ``path`` is a local directory for what the service keeps itself (stored answers,
    dumps, the writers' lock)."""

    #: Not the embedded store: what needs pyoxigraph itself (the rules' custom functions) is not run on it.
    remote = True
    #: Its reader binds a query's substitutions itself (:class:`RemoteReader`).
    binds_parameters = True

    def __init__(self, endpoints: Endpoints, path: Path | str, *, timeout: float = 30.0, poll: float = 1.0,
                 read_rows: int = READ_ROWS) -> None:
        self.endpoints = endpoints
        self.read_rows = read_rows
        self.path = Path(path)
        self.client = Client(endpoints, timeout=timeout)
        self.timeout = timeout
        self.poll = poll
        self._pointer: tuple[float, str | None, float | None] | None = None
        self._readers: dict[str, RemoteReader] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoints.query!r})"

    # --- the pointer ---------------------------------------------------------------

    def _read_pointer(self, *, fresh: bool = False) -> tuple[str | None, float | None]:
        with self._lock:
            cached = self._pointer
        if cached is not None and not fresh and time.monotonic() - cached[0] < self.poll:
            return cached[1], cached[2]
        return self._pointed(_POINTER)[:2]

    def _pointed(self, sparql: str) -> tuple[str | None, float | None, list]:
        """The generation, its time and the rows of ``sparql`` (a query of the pointer), noted
        as the pointer last read."""
        response = self.client.query(sparql, accept="application/sparql-results+json")
        rows = list(ox.parse_query_results(response.read(), ox.QueryResultsFormat.JSON))
        generation = rows[0]["generation"].value if rows else None
        modified = None
        if rows and rows[0]["modified"] is not None:
            with contextlib.suppress(ValueError):
                modified = datetime.fromisoformat(rows[0]["modified"].value.replace("Z", "+00:00")).timestamp()
        with self._lock:
            self._pointer = (time.monotonic(), generation, modified)
        return generation, modified, rows

    def current_generation(self) -> str | None:
        return self._read_pointer()[0]

    @property
    def version(self) -> str | None:
        return self.current_generation()

    def published_at(self) -> float | None:
        return self._read_pointer()[1]

    # --- reading ---------------------------------------------------------------------

    def published_graphs(self) -> list[str]:
        """The graphs the control graph lists as published (not the server's own list)."""
        return self._published(self._select(_GRAPHS), self.current_generation())

    def _published(self, listed: list[str], generation: str | None) -> list[str]:
        if not listed and generation is not None:
            listed = [g for g in self._select(_ALL_GRAPHS) if not _ours(g)]
        return sorted(listed)

    def _select(self, sparql: str) -> list[str]:
        response = self.client.query(sparql, accept="application/sparql-results+json")
        found = (row["g"] for row in ox.parse_query_results(response.read(), ox.QueryResultsFormat.JSON))
        return [g.value for g in found if isinstance(g, ox.NamedNode)]

    def snapshot(self) -> tuple[str, RemoteReader]:
        generation = self.current_generation()
        if generation is None:
            raise StoreNotBuilt(f"no data on the remote store {self.endpoints.query}: run 'policykg build' first")
        with self._lock:
            reader = self._readers.get(generation)
        if reader is None:
            # The generation and its graphs from one answer (read again: it may have moved).
            generation, _, rows = self._pointed(_PUBLISHED)
            if generation is None:
                raise StoreNotBuilt(f"no data on the remote store {self.endpoints.query}: run 'policykg build' first")
            listed = [row["g"].value for row in rows if isinstance(row["g"], ox.NamedNode)]
            reader = RemoteReader(self.client, self._published(listed, generation), timeout=self.timeout, read_rows=self.read_rows)
            with self._lock:
                self._readers = {generation: reader}
        return generation, reader

    def reader(self) -> RemoteReader:
        return self.snapshot()[1]

    def query(self, sparql: str, **options):
        if "default_graph" not in options:
            options.setdefault("use_default_graph_as_union", True)
        return self.reader().query(sparql, **options)

    def named_graphs(self) -> list[str]:
        return list(self.reader().graphs)

    def __len__(self) -> int:
        return len(self.reader())

    # --- writing ---------------------------------------------------------------------

    @contextlib.contextmanager
    def writer(self, *, from_empty: bool = False, replacing: Iterable[str] = ()) -> Iterator["RemoteGraphWriter"]:
        """Stage the graphs a writer replaces; publish them in one update if it succeeds."""
        with self._writing():
            writer = RemoteGraphWriter(self.client, uuid.uuid4().hex[:12], published=self.published_graphs())
            try:
                yield writer
                self._publish(writer, from_empty)
            finally:
                writer.discard()

    def _publish(self, writer: "RemoteGraphWriter", from_empty: bool) -> None:
        generation, base = new_generation_name("gen-"), self._read_pointer(fresh=True)[0]
        current = set(self.published_graphs())
        removed = (current - set(writer.staged)) if from_empty else (set(writer.removed) & current)
        published = sorted((current - removed) | set(writer.staged))
        # Compared before the publish replaces the older versions (:mod:`policykg.remote.changes`).
        changes: dict = {"changed": "all"}
        if base:
            with contextlib.suppress(StoreError):  # not recorded: the next stored answers are all computed again
                changes = write_changes(self.client, current, writer.staged, removed)
        operations = [f"MOVE SILENT GRAPH <{staged}> TO GRAPH <{graph}>" for graph, staged in writer.staged.items() if staged != graph]
        operations += [f"DROP SILENT GRAPH <{graph}>" for graph in sorted(removed)]
        operations += _pointer_operations(generation, published)
        self.client.update(" ;\n".join(operations))
        writer.staged.clear()  # moved: nothing left to discard
        self._recorded(generation, base, **changes)

    # --- writes sent as they are (an update, a graph store write through policykg) -------

    def apply_update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL update on the server (one request: the server's own transaction), then
        move the pointer so that readers list the graphs again."""
        with self._writing():
            published = set(self.published_graphs())
            confined, dropped = confine_update(sparql, sorted(published), base_iri=base_iri)
            self.client.update((f"BASE <{base_iri}>\n" if base_iri else "") + confined)
            self._move_pointer((published | graphs_named(sparql, base_iri=base_iri)) - dropped)

    def write_graph(self, method: str, graph: str, body: bytes, media_type: str) -> bool:
        """A graph store write (PUT, POST or DELETE of ``graph``) sent to the server; returns
        whether the graph existed before."""
        with self._writing():
            published = set(self.published_graphs())
            existed = graph in published
            if method == "DELETE":
                self.client.update(f"DROP SILENT GRAPH <{graph}>")
                published.discard(graph)
            else:
                self.client.write_graph(method, graph, body, media_type)
                published.add(graph)
            self._move_pointer(published)
        return existed

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        with writer_lock(self.path, f"the remote store {self.endpoints.update}"):
            yield

    def _move_pointer(self, published: Iterable[str]) -> None:
        """Publish the graphs as they are on the server after a write sent as it was: what
        it changed is recorded as not known."""
        generation, base = new_generation_name("gen-"), self._read_pointer(fresh=True)[0]
        self.client.update(" ;\n".join(_pointer_operations(generation, sorted(set(published) - {REMOTE_CONTROL_GRAPH}))))
        self._recorded(generation, base, changed="all")

    def _recorded(self, generation: str, base: str | None, **changes) -> None:
        """Record what the write that published ``generation`` changed; keep the newest
        records only (a remote store has no older generations to remove them with)."""
        self._read_pointer(fresh=True)
        self._record_changes(generation, base, **changes)
        records = sorted(self.path.glob(f"{CHANGES_PREFIX}*.json"), key=lambda path: path.stat().st_mtime)
        for record in records[:-MAX_CHANGE_STEPS]:
            record.unlink(missing_ok=True)

    # --- what the embedded store does and a remote one need not --------------------------

    def uncompacted(self) -> bool:
        return False

    def compact(self) -> str | None:
        return None  # the server compacts its own storage

    def schedule_compaction(self, quiet: float) -> None:
        return None

    def replace_graphs(self, graphs, *, remove: Iterable[str] = ()) -> None:
        with self.writer(replacing=[*graphs, *remove]) as writer:
            for graph in remove:
                writer.remove_graph(graph)
            for graph, quads in graphs.items():
                writer.replace_graph(graph, quads)


def _pointer_operations(generation: str, published: Iterable[str]) -> list[str]:
    """The update operations that make ``generation``, of the ``published`` graphs, the published one."""
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return [
        f"DROP SILENT GRAPH <{REMOTE_CONTROL_GRAPH}>",
        f"INSERT DATA {{ GRAPH <{REMOTE_CONTROL_GRAPH}> {{ <{REMOTE_CONTROL_GRAPH}> <{DCT.identifier}> {ox.Literal(generation)} ; "
        f"<{DCT.modified}> {ox.Literal(now, datatype=ox.NamedNode(XSD.dateTime))} "
        + "".join(f"; <{DCT.hasPart}> {ox.NamedNode(graph)} " for graph in published)
        + "} }",
    ]


def graphs_named(update: str, *, base_iri: str | None = None) -> set[str]:
    """The graphs an update names (after GRAPH, INTO, TO, WITH, USING NAMED): what it may
    create. A graph it empties stays listed, empty; an IRI that is not a graph costs nothing."""
    tokens = list(resolved_tokens(update, base_iri))
    return {iri for before, (_, _, _, _, iri) in itertools.pairwise(tokens)
            if iri and before[3] in ("GRAPH", "INTO", "TO", "WITH", "NAMED")}


def confine_update(update: str, published: list[str], *, base_iri: str | None = None) -> tuple[str, set[str]]:
    """``update`` confined to the published graphs, and the graphs it drops. ``DROP``/``CLEAR``
    ``ALL`` or ``NAMED`` would reach the server's own graphs too (Virtuoso's ``virtrdf#``, without
    which it cannot answer): they become a ``DROP``/``CLEAR`` of each published graph. ``DEFAULT``
    (the union of the published graphs, never written) becomes a no-op on a graph never written.
    A graph dropped (``DROP GRAPH``, ``MOVE``'s source) is no longer published."""
    tokens = list(resolved_tokens(update, base_iri))
    pieces, dropped, last, index = [], set(), 0, 0
    while index < len(tokens):
        kind, start, _, text, _ = tokens[index]
        if kind == "word" and text in ("DROP", "CLEAR", "MOVE"):
            after = index + 1 + (index + 1 < len(tokens) and tokens[index + 1][3] == "SILENT")
            target = tokens[after] if after < len(tokens) else None
            if target and target[3] == "GRAPH" and after + 1 < len(tokens):
                target = tokens[after + 1]
            if target and target[4] and text != "CLEAR":  # an IRI or a prefixed name it resolves
                dropped.add(target[4])
            elif target and text != "MOVE" and target[3] in ("ALL", "NAMED", "DEFAULT"):
                graphs = published if target[3] != "DEFAULT" else [EMPTY_GRAPH]
                operations = [f"{text} SILENT GRAPH <{graph}>" for graph in graphs] or [f"CLEAR SILENT GRAPH <{EMPTY_GRAPH}>"]
                pieces += [update[last:start], " ;\n".join(operations)]
                last = target[2]
                if target[3] != "DEFAULT" and text == "DROP":
                    dropped.update(published)
                index = after
        index += 1
    return "".join(pieces) + update[last:], dropped


def request_parts(chunks: Iterable[bytes], size: int) -> Iterator[list[bytes]]:
    """N-Triples chunks gathered into parts of about ``size`` bytes, each cut at a line's end.
    A blank node's label holds within one request only: after the first ``_:`` (in a term or,
    to be safe, anywhere) the rest goes in one part."""
    part: list[bytes] = []
    held, blank, tail = 0, False, b""
    for chunk in chunks:
        if not chunk:
            continue
        blank = blank or b"_:" in tail + chunk[:1] or b"_:" in chunk
        tail = chunk[-1:]
        part.append(chunk)
        held += len(chunk)
        if held >= size and not blank:
            data = b"".join(part)
            cut = data.rfind(b"\n") + 1
            if cut:
                yield [data[:cut]]
                part, held = ([data[cut:]], len(data) - cut) if cut < len(data) else ([], 0)
            else:
                part = [data]
    if part:
        yield part


class RemoteGraphWriter:
    """What a writer may do to the generation it prepares on a remote store: each graph
    it writes goes to a staging graph if ``published`` lists it, else to its own name."""

    def __init__(self, client: Client, token: str, *, published: Iterable[str] = ()) -> None:
        self.client, self.token = client, token
        self.published = frozenset(published)
        #: Each graph written: the graph it is written to (a staging graph, or its own name).
        self.staged: dict[str, str] = {}
        self.removed: list[str] = []
        self.replaced: list[str] = []
        self.compacted = False
        self._deferred: dict[str, Iterable[bytes]] = {}  # loads started, sent at finish_loads

    def _stage(self, graph: str) -> str:
        unseen = graph not in self.published and not _ours(graph)
        self.staged[graph] = graph if unseen else staging_graph(self.token, graph)
        if graph in self.removed:
            self.removed.remove(graph)
        self.replaced.append(graph)
        return self.staged[graph]

    def replace_graph(self, graph: str, quads: Iterable[ox.Quad]) -> int:
        count = 0

        def chunks() -> Iterator[bytes]:
            nonlocal count
            batch = []
            for quad in quads:
                batch.append(ox.Triple(quad.subject, quad.predicate, quad.object))
                if len(batch) >= _BATCH:
                    count += len(batch)
                    yield ox.serialize(batch, None, ox.RdfFormat.N_TRIPLES)
                    batch = []
            count += len(batch)
            yield ox.serialize(batch, None, ox.RdfFormat.N_TRIPLES) or b""

        self._send(self._stage(graph), chunks())
        return count

    def load_graph(self, graph: str, chunks: Iterable[bytes]) -> int:
        count = 0

        def counted() -> Iterator[bytes]:
            nonlocal count
            for chunk in chunks:
                count += chunk.count(b"\n")
                if chunk:
                    yield chunk

        self._send(self._stage(graph), counted())
        return count

    def start_load(self, graph: str, chunks: Iterable[bytes]) -> None:
        """Load ``graph`` at :meth:`finish_loads`, after the graphs started before it."""
        self._deferred[graph] = chunks

    def finish_loads(self) -> dict[str, int]:
        """:meth:`load_graph` of each graph started, one after the other; the count of each."""
        deferred, self._deferred = self._deferred, {}
        return {graph: self.load_graph(graph, chunks) for graph, chunks in deferred.items()}

    def _send(self, target: str, chunks: Iterable[bytes]) -> None:
        """The graph's N-Triples to ``target``: a PUT, then a POST for each further part."""
        sent = False
        for part in request_parts(chunks, REQUEST_BYTES):
            (self.client.post_graph if sent else self.client.put_graph)(target, part)
            sent = True
        if not sent:
            self.client.put_graph(target, b"")  # an empty graph

    def add(self, graph: str, quads: Iterable[ox.Quad]) -> None:
        if graph not in self.staged:
            raise RemoteStoreError(f"on a remote store, triples are added only to a graph replaced in the same write (<{graph}>)")
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        if triples:  # Graph Store POST, not INSERT DATA: Virtuoso 7.2 refuses blank nodes in INSERT DATA
            self.client.post_graph(self.staged[graph], ox.serialize(triples, None, ox.RdfFormat.N_TRIPLES))

    def remove_graph(self, graph: str) -> None:
        staged = self.staged.pop(graph, None)
        if staged is not None:
            self.client.update(f"DROP SILENT GRAPH <{staged}>")
        self.removed.append(graph)

    @property
    def raw(self):
        raise StoreError("this write needs the embedded store (on a remote store, updates and graph store writes go through RemoteStore.apply_update and write_graph)")

    def discard(self) -> None:
        """Drop what was staged and not published (a failed or interrupted write)."""
        if not self.staged:
            return
        with contextlib.suppress(StoreError):
            self.client.update(" ;\n".join(f"DROP SILENT GRAPH <{staged}>" for staged in self.staged.values()))
        self.staged.clear()
