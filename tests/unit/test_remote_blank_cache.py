"""The remote reader's cache of blank-node statements is shared by the threads that use one
reader (a server's threads; the hub pages, described four at a time): one thread's answer must
never empty or half-fill the statements another is filling or reading."""

from __future__ import annotations

import sys
import threading

import pyoxigraph as ox
import pytest

from policykg.remote import reader as remote_reader
from policykg.remote.reader import RemoteReader, _levels

P, DETAIL, G = ox.NamedNode("http://example.org/p"), ox.NamedNode("http://example.org/detail"), ox.NamedNode("http://example.org/g")


def answer(thread: int, size: int = 50) -> list[dict]:
    """Rows of a look-up whose objects are blank nodes, each with two statements of its own."""
    return [
        {"s": ox.NamedNode(f"http://example.org/t{thread}/s{i}"), "p": P, "o": ox.BlankNode(f"t{thread}b{i}"), "g": G,
         "p1": DETAIL, "o1": ox.Literal(f"{i}-{n}")}
        for i in range(size) for n in range(2)
    ]


def test_threads_sharing_a_reader_see_each_blank_node_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(remote_reader, "BLANK_CACHE", 30)  # the cache is replaced often
    reader = RemoteReader(None, ())
    failures: list[str] = []

    def work(thread: int) -> None:
        rows = answer(thread)
        try:
            for _ in range(200):
                found = reader._quads(rows, _levels(1))
                assert len(found) == 50
                for quad in found[:5]:
                    statements = list(reader.quads_for_pattern(quad.object, None, None, None))
                    if statements and len(statements) != 2:  # gone is allowed (evicted); half is not
                        failures.append(f"{quad.object}: {len(statements)} statements")
        except Exception as error:  # noqa: BLE001 - what a thread met is the test's outcome
            failures.append(repr(error))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert not failures, failures[:5]
