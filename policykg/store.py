"""The store: pyoxigraph on disk, written in generations and swapped atomically.

Layout of the store directory (``POLICYKG_STORE``)::

    current -> gen-20261126T201500123456-3f2a   (a symlink: the published generation)
    gen-.../                                    (complete pyoxigraph databases)
    tmp-.../                                    (a generation being written)
    .changes-gen-....json                       (what changed: see below)
    .lock                                       (held by the one writer)

A writer copies the published generation aside (a RocksDB checkpoint: hard
links, so cheap), changes the copy, flushes it, renames it ``gen-*`` and
replaces the ``current`` symlink in one ``rename``. Readers keep answering from
the generation they opened until they see ``current`` move. A failure or a
``kill -9`` at any point before the swap leaves the published generation as it
was; the next writer removes the leftovers.

Each generation a writer publishes has a sidecar ``.changes-GENERATION.json``:
the generation it was made from and the graphs the write changed (replaced,
removed or added to; ``""`` is the default graph), or ``"all"`` when that is
not known (a SPARQL update, or anything written through :attr:`GraphWriter.raw`)
or everything was written anew (``from_empty``). A compaction records that it
changed nothing. :meth:`EmbeddedStore.changes_between` follows them back, so
that work done for an earlier generation (the stored answers) can be kept for
what did not change. A sidecar is removed with its generation.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import pyoxigraph as ox

from policykg import bulkload
from policykg.namespaces import VOID
from policykg.storebase import CHANGES_PREFIX, LOCK, ChangeRecords, StoreBusy, StoreError, StoreNotBuilt, new_generation_name, writer_lock

__all__ = ["EmbeddedStore", "GraphWriter", "LOCK", "StoreBusy", "StoreError", "StoreNotBuilt", "open_store"]

CURRENT = "current"
GEN_PREFIX = "gen-"
TMP_PREFIX = "tmp-"
#: ``.uncompacted-GEN`` marks a generation that a small write left uncompacted.
UNCOMPACTED = ".uncompacted-"
COMPACTING = ".compacting"
COMPACT_PREFIX = "compacting-"
#: The name of the default graph in the changes recorded.
DEFAULT_GRAPH = ""

#: Removing a graph costs about this many times more per quad than copying one
#: (pyoxigraph deletes quad by quad in a transaction; a copy is a bulk load).
REMOVE_TO_COPY_COST = 8


_VOID_TRIPLES = ox.NamedNode(VOID.triples)
_COUNT_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def graph_sizes(reader: ox.Store) -> dict[ox.NamedNode, int]:
    """About how many triples each named graph holds: the count its provenance
    records (``void:triples``, written by every loader), else a count of the graph.
    Cheap on a large store, where counting every graph would scan every quad; for
    choosing how to write, not for statistics."""
    sizes = {}
    for graph in reader.named_graphs():
        recorded = next(iter(reader.quads_for_pattern(graph, _VOID_TRIPLES, None, graph)), None)
        if recorded is not None and isinstance(recorded.object, ox.Literal) and recorded.object.value.isdigit():
            sizes[graph] = int(recorded.object.value)
        else:
            row = next(iter(reader.query(_COUNT_GRAPH, substitutions={ox.Variable("g"): graph})), None)
            sizes[graph] = int(row["n"].value) if row is not None else 0  # an empty graph has no group
    return sizes


def _copy_without(source: ox.Store, target: Path, graphs: set[str]) -> bool:
    """Write the quads of ``source`` except those of ``graphs`` into a new store at
    ``target`` by bulk loads, when that is cheaper than a checkpoint of all of it
    followed by removing ``graphs`` (that is, when they hold much of the store:
    reloading a million activities beside a few thousand other triples). Returns
    whether it did."""
    if not graphs:
        return False
    sizes = {graph.value: n for graph, n in graph_sizes(source).items()}
    replaced = sum(n for g, n in sizes.items() if g in graphs)
    kept = sum(n for g, n in sizes.items() if g not in graphs)
    if replaced * REMOVE_TO_COPY_COST <= kept:
        return False
    store = ox.Store(str(target))
    with tempfile.TemporaryDirectory(prefix="policykg-copy-") as scratch:
        for graph in source.named_graphs():
            if graph.value in graphs:
                continue
            part = os.path.join(scratch, "graph.nt")
            source.dump(part, ox.RdfFormat.N_TRIPLES, from_graph=graph)
            store.bulk_load(path=part, format=ox.RdfFormat.N_TRIPLES, to_graph=graph, lenient=True)
            store.add_graph(graph)
        part = os.path.join(scratch, "default.nt")
        source.dump(part, ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        store.bulk_load(path=part, format=ox.RdfFormat.N_TRIPLES, lenient=True)
    store.flush()
    del store
    return True


#: Quads that a writer gathers before it bulk-loads them in one go.
PENDING_LIMIT = 500_000


class GraphWriter:
    """What a writer may do to the generation it is preparing.

    The quads given to :meth:`replace_graph` and :meth:`add` are gathered (up to
    :data:`PENDING_LIMIT`) and bulk-loaded together before the generation is read
    (:attr:`raw`) or closed: every bulk load writes files of its own, and a build
    makes dozens of small ones (each source, its provenance)."""

    def __init__(self, store: ox.Store, *, compact: bool = False) -> None:
        self._store = store
        self._compact = compact
        #: The generation is compacted before it is published (a bulk load; not a small write).
        self.compacted = compact
        self.replaced: list[str] = []
        #: The graphs this write changed (replaced, removed, added to); ``""`` is the default graph.
        self.changed: set[str] = set()
        #: Whether the write may have changed graphs it did not name (it used :attr:`raw`).
        self.changed_unknown = False
        self._pending: dict[str, list[ox.Quad]] = {}  # graph -> quads not yet written
        self._loads: bulkload.BulkLoads | None = None  # loads started, not yet waited for
        self._pending_count = 0
        self._graphs: list[ox.NamedNode] = []  # graphs that must exist, even empty

    def _gather(self, graph: str, quads: Iterable[ox.Quad]) -> int:
        node = ox.NamedNode(graph)
        more = [ox.Quad(q.subject, q.predicate, q.object, node) for q in quads]
        self._pending.setdefault(graph, []).extend(more)
        self._pending_count += len(more)
        if self._pending_count >= PENDING_LIMIT:
            self._write_pending()
        return len(more)

    def _drop_pending(self, graph: str) -> None:
        self._pending_count -= len(self._pending.pop(graph, ()))

    def _write_pending(self) -> None:
        if self._pending_count:
            self._store.bulk_extend(quad for quads in self._pending.values() for quad in quads)
        self._pending.clear()
        self._pending_count = 0
        # A graph that got quads was named by the bulk loader; only an empty one is added, by
        # an ordinary write. Such a write right after a large bulk load waits until RocksDB
        # has compacted the files the load left (138 s on the 1 000 000-activity set).
        for node in self._graphs:
            if not self._store.contains_named_graph(node):
                self._store.add_graph(node)
        self._graphs.clear()

    def _remove(self, node: ox.NamedNode) -> None:
        self._drop_pending(node.value)
        self._graphs = [graph for graph in self._graphs if graph != node]
        if self._store.contains_named_graph(node):
            self._store.remove_graph(node)

    def replace_graph(self, graph: str, quads: Iterable[ox.Quad]) -> int:
        """Make ``graph`` hold exactly ``quads`` (whose graph name is overwritten); returns their count."""
        node = ox.NamedNode(graph)
        self._remove(node)
        count = self._gather(graph, quads)
        self._graphs.append(node)  # an empty source still has its (empty) graph
        self.replaced.append(graph)
        self.changed.add(graph)
        return count

    def start_load(self, graph: str, chunks: Iterable[bytes]) -> None:
        """Start making ``graph`` hold exactly the N-Triples of ``chunks``, bulk-loaded in the
        background (:mod:`policykg.bulkload`) beside the other loads started; :meth:`finish_loads`
        waits for them. The fast path for large sources, which have validated what they
        produce (so IRIs are not checked again). If a load fails, :meth:`finish_loads`
        raises and the generation is discarded."""
        node = ox.NamedNode(graph)
        self._remove(node)
        if self._loads is None:
            self._loads = bulkload.BulkLoads(self._store)
        self._loads.start(node, chunks)

    def finish_loads(self) -> dict[str, int]:
        """Wait for the loads started; the count of each graph's triples."""
        loads, self._loads = self._loads, None
        counts = loads.finish() if loads is not None else {}
        for node in counts:
            self._graphs.append(node)
            self.replaced.append(node.value)
            self.changed.add(node.value)
        return {node.value: count for node, count in counts.items()}

    def load_graph(self, graph: str, chunks: Iterable[bytes]) -> int:
        """Make ``graph`` hold exactly the N-Triples of ``chunks`` (:meth:`start_load`, then wait)."""
        self.start_load(graph, chunks)
        return self.finish_loads()[graph]

    def add(self, graph: str, quads: Iterable[ox.Quad]) -> None:
        """Add ``quads`` to ``graph`` (their graph name is overwritten)."""
        self.changed.add(graph)
        self._gather(graph, quads)

    def close(self, *, flush: bool = True) -> None:
        """Write what is gathered, flush and drop our handle (the database closes when nobody
        holds it); without ``flush``, loads still running are stopped first."""
        if self._loads is not None and not flush:
            self._loads.abort()
            self._loads = None
        if self._store is not None and flush:
            self.finish_loads()
            self._write_pending()
            self._store.flush()
            if self._compact:
                # A bulk load leaves hundreds of overlapping files, and every read would look
                # in each (four times slower on 100 000 activities). Not after small updates:
                # compacting costs seconds to minutes on a large store.
                self._store.optimize()
        self._store = None

    def remove_graph(self, graph: str) -> None:
        self.changed.add(graph)
        self._remove(ox.NamedNode(graph))

    @property
    def view(self) -> ox.Store:
        """The pyoxigraph store being prepared, to read during the write (not to write), with all that was given written."""
        self._write_pending()
        return self._store

    @property
    def raw(self) -> ox.Store:
        """The pyoxigraph store being prepared, to write to directly: which graphs such a
        write changes is not known, so the generation records that any may have
        (use :meth:`writing` when the caller knows, :attr:`view` to only read)."""
        self.changed_unknown = True
        self._write_pending()
        return self._store

    def writing(self, graphs: Iterable[str]) -> ox.Store:
        """The pyoxigraph store being prepared, for a direct write to ``graphs`` only
        (``""``: the default graph); the generation records that they changed."""
        self.changed.update(graphs)
        self._write_pending()
        return self._store

    def changes(self) -> list[str] | str:
        """What the generation records as changed: the graphs, or ``"all"``."""
        return "all" if self.changed_unknown else sorted(self.changed)


class EmbeddedStore(ChangeRecords):
    """A pyoxigraph database on disk, published in generations."""

    remote = False

    def __init__(self, path: Path | str, *, keep_generations: int = 2) -> None:
        self.path = Path(path)
        self._current = str(self.path / CURRENT)  # read on every request: joined once
        self.keep_generations = keep_generations
        self._reader: tuple[str, ox.Store] | None = None
        self._reader_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"EmbeddedStore({str(self.path)!r})"

    # --- reading ---------------------------------------------------------------

    def current_generation(self) -> str | None:
        """The name of the published generation, or None before the first build."""
        try:
            return os.readlink(self._current)
        except (FileNotFoundError, NotADirectoryError):
            return None

    @property
    def version(self) -> str | None:
        """An identifier of the published data; changes whenever it changes."""
        return self.current_generation()

    def published_at(self) -> float | None:
        """When the published generation was published (seconds since the epoch)."""
        try:
            return os.lstat(self._current).st_mtime
        except FileNotFoundError:
            return None

    def snapshot(self) -> tuple[str, ox.Store]:
        """The published generation's name and a read-only view of it, reopened when it changes."""
        generation = self.current_generation()
        if generation is None:
            raise StoreNotBuilt(f"no data in {self.path}: run 'policykg build' first")
        with self._reader_lock:
            if self._reader is None or self._reader[0] != generation:
                self._reader = (generation, ox.Store.read_only(str(self.path / generation)))
            return self._reader

    def reader(self) -> ox.Store:
        """A read-only view of the published generation, reopened when it changes."""
        return self.snapshot()[1]

    def query(self, sparql: str, **options):
        """Run a SPARQL query; the default graph is the union of all named graphs
        unless ``default_graph`` is given."""
        if "default_graph" not in options:
            options.setdefault("use_default_graph_as_union", True)
        return self.reader().query(sparql, **options)

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.reader().named_graphs())

    def __len__(self) -> int:
        return len(self.reader())

    # --- writing ---------------------------------------------------------------

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        with writer_lock(self.path, f"the store {self.path}"):
            yield

    @contextlib.contextmanager
    def writer(self, *, from_empty: bool = False, replacing: Iterable[str] = ()) -> Iterator[GraphWriter]:
        """Prepare a new generation and publish it when the block ends without error.

        The new generation starts as a copy of the published one (or empty, with
        ``from_empty``). ``replacing`` names the graphs the block will replace:
        when they hold much of the store, the copy leaves them out (see
        :func:`_copy_without`). A generation so loaded (from empty, or replacing
        graphs) is compacted before it is published. An exception inside the block
        discards it.
        """
        replacing = set(replacing)
        with self._lock():
            self._remove_leftovers()
            tmp = self.path / new_generation_name(TMP_PREFIX)
            published = self.current_generation()
            left_out = False
            if published and not from_empty:
                # Through a read-only handle: the published generation is never opened for writing.
                source = ox.Store.read_only(str(self.path / published))
                left_out = _copy_without(source, tmp, replacing)
                if not left_out:
                    source.backup(str(tmp))  # a checkpoint: hard links, so cheap
                del source
            writer = GraphWriter(ox.Store(str(tmp)), compact=from_empty or bool(replacing))
            if left_out:
                writer.changed.update(replacing)  # not copied: changed, whatever the block does
            try:
                yield writer
                writer.close()
            except BaseException:
                writer.close(flush=False)
                shutil.rmtree(tmp, ignore_errors=True)
                raise
            final = self.path / ("gen-" + tmp.name[len(TMP_PREFIX) :])
            os.rename(tmp, final)
            if not writer.compacted:
                (self.path / f"{UNCOMPACTED}{final.name}").touch()
            base = None if from_empty else published
            self._record_changes(final.name, base, "all" if base is None else writer.changes())
            self._publish(final.name)
            self._collect_garbage()

    # --- compacting what small writes left ---------------------------------------------

    def uncompacted(self) -> bool:
        """Whether the published generation was left uncompacted by a small write."""
        generation = self.current_generation()
        return generation is not None and (self.path / f"{UNCOMPACTED}{generation}").exists()

    def compact(self) -> str | None:
        """Compact the published generation if a small write left it so: a copy is compacted
        aside, without the writer's lock, and published in its place unless another write
        came first (then that write's own compaction follows). Returns the new generation."""
        generation = self.current_generation()
        if generation is None or not self.uncompacted():
            return None
        tmp = self.path / new_generation_name(COMPACT_PREFIX)
        try:
            source = ox.Store.read_only(str(self.path / generation))
            source.backup(str(tmp))
            del source
            copy = ox.Store(str(tmp))
            copy.optimize()
            copy.flush()
            del copy
            with self._lock():
                if self.current_generation() != generation:
                    return None
                final = self.path / ("gen-" + tmp.name[len(COMPACT_PREFIX) :])
                os.rename(tmp, final)
                self._record_changes(final.name, generation, [])  # the same data, compacted
                self._publish(final.name)
                self._collect_garbage()
                return final.name
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def schedule_compaction(self, quiet: float) -> None:
        """Compact in the background once no write has come for ``quiet`` seconds
        (``python -m policykg.compaction``), so that readers do not pay for the
        overlapping files a string of small writes leaves."""
        if quiet <= 0:
            return
        subprocess.Popen(
            [sys.executable, "-m", "policykg.compaction", str(self.path), str(quiet)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, start_new_session=True,
        )

    def replace_graphs(self, graphs: Mapping[str, Iterable[ox.Quad]], *, remove: Iterable[str] = ()) -> None:
        """Replace several graphs in one published step."""
        remove = list(remove)
        with self.writer(replacing=[*graphs, *remove]) as writer:
            for graph in remove:
                writer.remove_graph(graph)
            for graph, quads in graphs.items():
                writer.replace_graph(graph, quads)

    def _publish(self, generation: str) -> None:
        link = self.path / f".{CURRENT}-{uuid.uuid4().hex[:8]}"
        os.symlink(generation, link)
        os.replace(link, self.path / CURRENT)
        _fsync_dir(self.path)

    def _remove_leftovers(self) -> None:
        """Generations that a killed writer left behind (we hold the lock: no writer is alive)."""
        for entry in self.path.iterdir():
            if entry.name.startswith(TMP_PREFIX) or entry.name.startswith(f".{CURRENT}-"):
                if entry.is_symlink() or entry.is_file():
                    entry.unlink()
                else:
                    shutil.rmtree(entry, ignore_errors=True)

    def _collect_garbage(self) -> None:
        """Remove old generations, keeping the published one and ``keep_generations`` before it."""
        published = self.current_generation()
        generations = sorted(e.name for e in self.path.iterdir() if e.name.startswith(GEN_PREFIX))
        older = [g for g in generations if g != published]
        for name in older[: max(0, len(older) - self.keep_generations)]:
            shutil.rmtree(self.path / name, ignore_errors=True)
        for record in self.path.glob(f"{CHANGES_PREFIX}*.json"):
            if not (self.path / record.name[len(CHANGES_PREFIX) : -len(".json")]).is_dir():
                record.unlink(missing_ok=True)
        for marker in self.path.glob(f"{UNCOMPACTED}*"):
            if marker.name[len(UNCOMPACTED) :] != published:
                marker.unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def open_store(settings, *, batch: bool = False) -> EmbeddedStore:
    """The store the settings name: a remote SPARQL server when ``store_url`` (or its
    query URL) is set, else the embedded store at ``store``. A remote store's queries
    have ``query_timeout`` as their time limit, ``batch_timeout`` for publication work."""
    if getattr(settings, "store_url", None) or getattr(settings, "store_query_url", None):
        from policykg.remote.protocol import Endpoints
        from policykg.remote.store import RemoteStore

        timeout = settings.batch_timeout if batch else settings.query_timeout
        return RemoteStore(Endpoints.of(settings), settings.store, timeout=timeout, poll=settings.store_poll_seconds,
                           read_rows=settings.store_read_rows)
    return EmbeddedStore(settings.store, keep_generations=settings.keep_generations)
