"""The embedded store: generations, atomic publication, failure and kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from policykg.store import (
    CURRENT,
    EmbeddedStore,
    StoreError,
    StoreNotBuilt,
    _copy_without,
    graph_sizes,
)

G1 = "http://example.org/graph/one"
G2 = "http://example.org/graph/two"
G3 = "http://example.org/graph/three"


def quads(n: int, prefix: str = "s") -> list[ox.Quad]:
    p = ox.NamedNode("http://example.org/p")
    return [ox.Quad(ox.NamedNode(f"http://example.org/{prefix}{i}"), p, ox.Literal(str(i))) for i in range(n)]


def count(store: EmbeddedStore, graph: str) -> int:
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(next(iter(rows))["n"].value)


def test_empty_store_says_to_build(tmp_path: Path):
    store = EmbeddedStore(tmp_path / "store")
    assert store.current_generation() is None
    with pytest.raises(StoreNotBuilt, match="policykg build"):
        store.query("ASK {}")


def test_writer_publishes_named_graphs_and_union_default_graph(tmp_path: Path):
    store = EmbeddedStore(tmp_path / "store")
    store.replace_graphs({G1: quads(3), G2: quads(2, "t")})
    assert store.named_graphs() == [G1, G2]
    assert count(store, G1) == 3 and count(store, G2) == 2
    # The default graph is the union of the named graphs.
    union = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(next(iter(union))["n"].value) == 5
    assert (tmp_path / "store" / CURRENT).is_symlink()


def test_replacing_one_graph_keeps_the_others(tmp_path: Path):
    store = EmbeddedStore(tmp_path / "store")
    store.replace_graphs({G1: quads(3), G2: quads(2, "t")})
    first = store.version
    store.replace_graphs({G1: quads(1)})
    assert store.version != first
    assert count(store, G1) == 1 and count(store, G2) == 2


def test_replacing_most_of_the_store_copies_the_rest_exactly(tmp_path: Path):
    # G1 holds most quads: the new generation is the other graphs bulk-copied (not a checkpoint
    # of everything followed by removing G1), and they must come out unchanged.
    store = EmbeddedStore(tmp_path / "store")
    blank = ox.BlankNode()
    kept = [*quads(2, "t"), ox.Quad(ox.NamedNode("http://example.org/t0"), ox.NamedNode("http://example.org/q"), blank),
            ox.Quad(blank, ox.NamedNode("http://example.org/p"), ox.Literal("ett", language="sv"))]
    store.replace_graphs({G1: quads(500), G2: kept})
    # the choice itself: copy when the replaced graphs outweigh the rest, else checkpoint
    assert not _copy_without(store.reader(), tmp_path / "no", {G2}) and not (tmp_path / "no").exists()
    assert _copy_without(store.reader(), tmp_path / "copy", {G1})
    assert len(ox.Store.read_only(str(tmp_path / "copy"))) == 4
    store.replace_graphs({G1: quads(3, "u")})
    assert count(store, G1) == 3 and count(store, G2) == 4
    copied = store.query(f"SELECT ?o WHERE {{ GRAPH <{G2}> {{ <http://example.org/t0> <http://example.org/q> ?b . ?b ?p ?o }} }}")
    assert [row["o"] for row in copied] == [ox.Literal("ett", language="sv")]
    assert store.named_graphs() == [G1, G2]


def test_graph_sizes_read_what_provenance_records_else_count(tmp_path: Path):
    store = EmbeddedStore(tmp_path / "store")
    triples = ox.NamedNode("http://rdfs.org/ns/void#triples")
    recorded = ox.Quad(ox.NamedNode(G1), triples, ox.Literal("1000", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
    store.replace_graphs({G1: [*quads(2), recorded], G2: quads(3, "t"), G3: []})
    sizes = {g.value: n for g, n in graph_sizes(store.reader()).items()}
    assert sizes == {G1: 1000, G2: 3, G3: 0}


def test_reader_sees_new_generation_after_swap(tmp_path: Path):
    store = EmbeddedStore(tmp_path / "store")
    store.replace_graphs({G1: quads(3)})
    other_process_view = EmbeddedStore(tmp_path / "store")
    assert count(other_process_view, G1) == 3
    store.replace_graphs({G1: quads(7)})
    assert count(other_process_view, G1) == 7


def test_failure_inside_writer_leaves_published_data(tmp_path: Path):
    store = EmbeddedStore(tmp_path / "store")
    store.replace_graphs({G1: quads(3)})
    before = store.version

    def broken():
        yield from quads(5)
        raise ValueError("bad row 6")

    with pytest.raises(ValueError, match="bad row 6"):
        store.replace_graphs({G1: broken()})
    assert store.version == before
    assert count(store, G1) == 3
    assert not [p for p in (tmp_path / "store").iterdir() if p.name.startswith("tmp-")]


def test_old_generations_are_collected(tmp_path: Path):
    store = EmbeddedStore(tmp_path / "store", keep_generations=1)
    for n in range(4):
        store.replace_graphs({G1: quads(n + 1)})
    generations = sorted(p.name for p in (tmp_path / "store").iterdir() if p.name.startswith("gen-"))
    assert len(generations) == 2  # the published one and one before it
    assert store.version == generations[-1]


def test_second_writer_is_refused_while_one_writes(tmp_path: Path):
    store = EmbeddedStore(tmp_path / "store")
    with store.writer() as writer:
        writer.replace_graph(G1, quads(1))
        with pytest.raises(StoreError, match="another process is writing"):
            with EmbeddedStore(tmp_path / "store").writer():
                pass
    assert count(store, G1) == 1


SLOW_WRITER = textwrap.dedent(
    """
    import sys, time
    import pyoxigraph as ox
    from policykg.store import EmbeddedStore

    def slow():
        p = ox.NamedNode("http://example.org/p")
        for i in range(10**9):
            if i == 1000:
                print("writing", flush=True)
            if i >= 1000:
                time.sleep(0.001)
            yield ox.Quad(ox.NamedNode(f"http://example.org/x{i}"), p, ox.Literal("x"))

    EmbeddedStore(sys.argv[1]).replace_graphs({"%s": slow()})
    """
    % G1
)


def test_kill_9_during_a_write_leaves_published_data_readable(tmp_path: Path):
    path = tmp_path / "store"
    store = EmbeddedStore(path)
    store.replace_graphs({G1: quads(3), G2: quads(2, "t")})
    before = store.version
    writer = subprocess.Popen([sys.executable, "-c", SLOW_WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "writing"
        assert [p for p in path.iterdir() if p.name.startswith("tmp-")], "the writer works aside"
        os.kill(writer.pid, signal.SIGKILL)
    finally:
        writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    fresh = EmbeddedStore(path)
    assert fresh.version == before
    assert count(fresh, G1) == 3 and count(fresh, G2) == 2
    # The next writer clears what the killed one left and works normally.
    fresh.replace_graphs({G2: quads(1)})
    assert not [p for p in path.iterdir() if p.name.startswith("tmp-")]
    assert count(fresh, G1) == 3 and count(fresh, G2) == 1


def _sst_sizes(store: EmbeddedStore) -> dict[int, int]:
    """The published generation's table files: inode to size."""
    stats = (entry.stat() for entry in (store.path / store.current_generation()).glob("*.sst"))
    return {stat.st_ino: stat.st_size for stat in stats}


def test_a_small_update_shares_the_store_files_instead_of_compacting_them(tmp_path: Path):
    store = EmbeddedStore(tmp_path / "store", keep_generations=2)
    store.replace_graphs({G1: quads(2000), G2: quads(2000, "t")})
    loaded = _sst_sizes(store)
    assert loaded
    with store.writer() as writer:  # what a SPARQL update or a graph store request does
        writer.add(G3, quads(1, "u"))
    # Not compacted: the new generation is a checkpoint of the last (hard links) plus the change.
    # By bytes, not by file: RocksDB may itself merge a small leftover table in the new copy
    # (one run in six on the 2-core machines); a compaction keeps about a quarter.
    after = _sst_sizes(store)
    shared = sum(size for inode, size in loaded.items() if inode in after)
    assert shared >= 0.9 * sum(loaded.values())
    assert store.uncompacted()
    assert count(store, G3) == 1 and count(store, G1) == 2000
    store.replace_graphs({G3: quads(10, "v")})  # compacted (what it rewrites is up to RocksDB)
    assert count(store, G3) == 10 and count(store, G2) == 2000 and count(store, G1) == 2000


def test_what_small_writes_leave_is_compacted_in_the_background(tmp_path: Path):
    """A string of small writes (updates, graph store requests) leaves a generation of many
    overlapping files; once no write has come for a moment it is compacted aside and published
    in its place, the same data (readers paid up to twice the time before)."""
    from policykg.runtime.executor import UpdateJob

    store = EmbeddedStore(tmp_path / "store", keep_generations=2)
    store.replace_graphs({G1: quads(2000)})
    for i in range(12):
        answer = UpdateJob(f"INSERT DATA {{ GRAPH <{G2}> {{ <http://example.org/u{i}> <http://example.org/p> {i} }} }}", compact_after=0.3).run(store)
        assert answer.generation
    written = store.current_generation()
    assert store.uncompacted()
    deadline = time.monotonic() + 60
    while store.current_generation() == written:
        assert time.monotonic() < deadline, "not compacted within a minute"
        time.sleep(0.1)
    assert not store.uncompacted()
    assert count(store, G1) == 2000 and count(store, G2) == 12


def test_a_compaction_overtaken_by_a_write_publishes_nothing(tmp_path: Path):
    store = EmbeddedStore(tmp_path / "store", keep_generations=2)
    store.replace_graphs({G1: quads(100)})
    with store.writer() as writer:
        writer.add(G2, quads(1, "u"))
    assert store.uncompacted()
    written = store.current_generation()
    assert store.compact() is not None  # an uncompacted generation is compacted and published
    assert not store.uncompacted() and store.current_generation() != written
    assert count(store, G2) == 1
    with store.writer() as writer:
        writer.add(G3, quads(1, "w"))
    assert store.uncompacted()
    generation = store.current_generation()
    import policykg.store as module

    real_backup = ox.Store.backup
    calls = []

    def backup_then_write(self, target):
        real_backup(self, target)
        if not calls:
            calls.append(1)
            with store.writer() as writer:
                writer.add(G3, quads(2, "x"))

    try:
        module.ox.Store.backup = backup_then_write
        assert store.compact() is None  # the published generation changed meanwhile: nothing published
        assert calls, "the write did not come during the compaction"
    finally:
        module.ox.Store.backup = real_backup
    assert store.current_generation() != generation and store.uncompacted()
    assert not any(p.name.startswith("compacting-") for p in store.path.iterdir())


def test_a_writer_gathers_small_writes_into_one_bulk_load(tmp_path: Path, monkeypatch):
    """Quads given to replace_graph and add are bulk-loaded together, with the
    last word on each graph kept: a graph replaced or removed drops what was
    gathered for it, and reads through ``raw`` see everything given so far."""
    loads = []
    real = ox.Store.bulk_extend
    monkeypatch.setattr(ox.Store, "bulk_extend", lambda self, quads: loads.append(1) or real(self, quads), raising=False)
    store = EmbeddedStore(tmp_path / "store")
    with store.writer(from_empty=True) as writer:
        writer.replace_graph(G1, quads(3))
        writer.add(G1, quads(2, "extra"))
        writer.replace_graph(G2, quads(4))
        writer.replace_graph(G2, quads(1, "again"))  # replaces what was gathered for G2
        writer.add(G3, quads(5))
        writer.remove_graph(G3)
        assert loads == []
        assert len(writer.raw) == 6
        assert len(loads) == 1
        writer.add(G3, quads(2))
        writer.load_graph(G3, [b"<http://example.org/a> <http://example.org/p> <http://example.org/b> .\n"])
    assert len(loads) == 1  # what was gathered for G3 went with the load that replaced it
    assert (count(store, G1), count(store, G2), count(store, G3)) == (5, 1, 1)


def test_a_graph_given_quads_is_named_by_its_bulk_load_and_only_an_empty_one_by_a_write(tmp_path: Path, monkeypatch):
    """An ordinary write right after a large bulk load waits until RocksDB has compacted the
    files the load left (138 s on the 1 000 000-activity set, docs/performance.md): so a graph
    given quads is named by the bulk load that writes them, only an empty graph is added by a
    write of its own, and a graph given and then removed is not added."""
    added: list[str] = []
    real = ox.Store.add_graph
    monkeypatch.setattr(ox.Store, "add_graph", lambda self, graph: added.append(graph.value) or real(self, graph), raising=False)
    empty_load, gone = "http://example.org/graph/empty-load", "http://example.org/graph/gone"
    store = EmbeddedStore(tmp_path / "store")
    with store.writer(from_empty=True) as writer:
        writer.load_graph(G1, [b"<http://example.org/a> <http://example.org/p> <http://example.org/b> .\n"])
        writer.load_graph(empty_load, [])
        writer.replace_graph(G2, quads(3))
        writer.replace_graph(G3, [])
        writer.replace_graph(gone, quads(2))
        writer.remove_graph(gone)
    assert sorted(added) == sorted([empty_load, G3])
    graphs = store.named_graphs()
    assert {G1, G2, G3, empty_load} <= set(graphs) and gone not in graphs
    assert (count(store, G1), count(store, G2), count(store, G3)) == (1, 3, 0)
