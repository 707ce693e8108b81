"""Bulk loads fed by forked producers (policykg.bulkload): graphs load together with their
counts, and whatever fails (a producer, a load, an abort) every child is reaped and no load is
left running."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest

from policykg import bulkload
from policykg.storebase import StoreError

G1, G2 = ox.NamedNode("http://example.org/g1"), ox.NamedNode("http://example.org/g2")


def triples(prefix: str, n: int, per_chunk: int = 1000):
    for start in range(0, n, per_chunk):
        yield "".join(
            f"<http://example.org/{prefix}{i}> <http://example.org/p> \"{i}\" .\n" for i in range(start, min(n, start + per_chunk))
        ).encode()


@pytest.fixture
def forked(monkeypatch) -> list[int]:
    """The children forked during the test (os.fork noted, not replaced)."""
    pids: list[int] = []
    fork = os.fork

    def noting() -> int:
        pid = fork()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", noting)
    return pids


def all_reaped(pids: list[int]) -> bool:
    """Whether every one of ``pids`` has ended and been waited for (no zombie, none alive)."""
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            continue
        return False
    return bool(pids)


def finished(work, seconds: float = 60):
    """What ``work()`` returned or raised, run in a thread of its own: a hang fails the test
    (a bound for a hang, not a timing: each of these takes well under a second)."""
    outcome: list = []

    def run() -> None:
        try:
            outcome.append(("returned", work()))
        except BaseException as error:  # noqa: BLE001 - handed to the test
            outcome.append(("raised", error))

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert outcome, f"still running after {seconds} s"
    return outcome[0]


def test_graphs_load_together_with_their_counts(tmp_path: Path, forked):
    store = ox.Store(str(tmp_path / "db"))
    loads = bulkload.BulkLoads(store)
    loads.start(G1, triples("a", 25_000))
    loads.start(G2, triples("b", 7_000))
    assert loads.finish() == {G1: 25_000, G2: 7_000}
    assert len(list(store.quads_for_pattern(None, None, None, G1))) == 25_000
    assert len(list(store.quads_for_pattern(None, None, None, G2))) == 7_000
    assert all_reaped(forked)


def test_a_producer_that_fails_fails_the_loads_after_every_one_ended(tmp_path: Path, forked, capfd):
    def broken():
        yield from triples("a", 3000)
        raise ValueError("a row the producer could not write")

    store = ox.Store(str(tmp_path / "db"))
    loads = bulkload.BulkLoads(store)
    loads.start(G1, broken())
    loads.start(G2, triples("b", 5000))
    with pytest.raises(StoreError, match="producing the triples of <http://example.org/g1> failed"):
        loads.finish()
    assert "a row the producer could not write" in capfd.readouterr().err
    assert len(list(store.quads_for_pattern(None, None, None, G2))) == 5000  # the other load ended
    assert all_reaped(forked)


def test_a_load_that_fails_is_raised_and_its_producer_stopped(tmp_path: Path, forked):
    def endless_after_a_bad_line():
        yield b"<http://example.org/a> <http://example.org/p> this is not N-Triples .\n"
        while True:  # never ends by itself: only stopping it does
            yield from triples("a", 1000)

    store = ox.Store(str(tmp_path / "db"))
    loads = bulkload.BulkLoads(store)
    loads.start(G1, endless_after_a_bad_line())
    how, what = finished(loads.finish)
    assert how == "raised" and isinstance(what, SyntaxError), (how, what)
    assert all_reaped(forked)


def test_abort_stops_producers_that_would_never_end(tmp_path: Path, forked):
    def endless():
        while True:
            yield from triples("a", 1000)

    store = ox.Store(str(tmp_path / "db"))
    loads = bulkload.BulkLoads(store)
    loads.start(G1, endless())
    loads.start(G2, endless())
    assert finished(loads.abort) == ("returned", None)
    assert all_reaped(forked)


def test_a_reader_waiting_to_open_the_fifo_is_let_through_to_its_end(tmp_path: Path):
    fifo = tmp_path / "graph.nt"
    os.mkfifo(fifo)
    read = []
    reader = threading.Thread(target=lambda: read.append(fifo.read_bytes()), daemon=True)
    reader.start()  # blocks in open(): no writer yet
    load = bulkload._Load(G1, fifo, tmp_path / "count", pid=-1, status=0)
    for _ in range(600):  # the reader may not have reached open() yet: as abort does, again
        load.end_fifo()
        reader.join(0.1)
        if not reader.is_alive():
            break
    assert read == [b""]
