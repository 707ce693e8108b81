"""What each generation records as changed since the one it was made from, and
following those records back (EmbeddedStore.changes_between)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from policykg.runtime.executor import GraphWriteJob, UpdateJob
from policykg.store import DEFAULT_GRAPH, EmbeddedStore

G1, G2, G3 = "http://example.org/g1", "http://example.org/g2", "http://example.org/g3"


def quads(n: int, tag: str = "") -> list[ox.Quad]:
    return [ox.Quad(ox.NamedNode(f"http://example.org/s{i}{tag}"), ox.NamedNode("http://example.org/p"), ox.Literal(str(i))) for i in range(n)]


def test_each_write_records_its_graphs_and_where_it_came_from(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    store.replace_graphs({G1: quads(2), G2: quads(2)})
    first = store.current_generation()
    assert store.recorded_changes(first) == {"generation": first, "from": None, "changed": "all"}  # the first: all new
    with store.writer() as writer:
        writer.add(G3, quads(1, "x"))
    second = store.current_generation()
    assert store.recorded_changes(second) == {"generation": second, "from": first, "changed": [G3]}
    # G1 and G2 are most of the store: the copy leaves them out (policykg.store._copy_without)
    store.replace_graphs({G1: quads(3)}, remove=[G2])
    third = store.current_generation()
    assert store.recorded_changes(third)["changed"] == [G1, G2]
    assert store.changes_between(first, third) == {G1, G2, G3}
    assert store.changes_between(second, third) == {G1, G2}
    assert store.changes_between(third, third) == set()
    assert store.changes_between("gen-unknown", third) is None


def test_a_write_from_empty_or_through_raw_records_all(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    store.replace_graphs({G1: quads(1)})
    before = store.current_generation()
    with store.writer() as writer:
        writer.raw.add(ox.Quad(ox.NamedNode(G1), ox.NamedNode(G2), ox.NamedNode(G3), ox.NamedNode(G3)))
    assert store.recorded_changes(store.current_generation())["changed"] == "all"
    assert store.changes_between(before, store.current_generation()) is None
    with store.writer(from_empty=True) as writer:
        writer.replace_graph(G1, quads(1))
    assert store.recorded_changes(store.current_generation())["from"] is None


def test_reading_during_a_write_changes_nothing(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    store.replace_graphs({G1: quads(1)})
    before = store.current_generation()
    with store.writer() as writer:
        assert len(writer.view) == 1
    assert store.changes_between(before, store.current_generation()) == set()


def test_an_update_records_all_and_a_graph_store_write_its_graph(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    store.replace_graphs({G1: quads(1)})
    UpdateJob(f"INSERT DATA {{ GRAPH <{G2}> {{ <{G1}> <{G2}> 1 }} }}").run(store)
    assert store.recorded_changes(store.current_generation())["changed"] == "all"
    for method, graph, expected in (("PUT", G3, [G3]), ("POST", None, [DEFAULT_GRAPH]), ("DELETE", G3, [G3])):
        body = (b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .", "application/n-triples")
        done = GraphWriteJob(method, graph, parts=() if method == "DELETE" else (body,)).run(store)
        assert done.generation == store.current_generation()
        assert store.recorded_changes(store.current_generation())["changed"] == expected, method


def test_a_compaction_changes_nothing_and_records_go_with_their_generations(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store", keep_generations=1)
    store.replace_graphs({G1: quads(1)})
    with store.writer() as writer:
        writer.add(G2, quads(1))  # a small write: left uncompacted
    small = store.current_generation()
    compacted = store.compact()
    assert compacted and store.recorded_changes(compacted) == {"generation": compacted, "from": small, "changed": []}
    for n in range(3):
        with store.writer() as writer:
            writer.add(G3, quads(1, str(n)))
    records = sorted(p.name for p in store.path.glob(".changes-*.json"))
    generations = sorted(p.name for p in store.path.iterdir() if p.name.startswith("gen-"))
    assert records == [f".changes-{g}.json" for g in generations] and len(generations) == 2
