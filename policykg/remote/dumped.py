"""A remote generation read back from its own N-Quads dump.

The dumps are four files (N-Quads, TriG, Turtle, JSON-LD); on a remote store each would read
every graph from the server again (at 1 000 000 activities, 57 M quads a time). The N-Quads
file is written first, from the server; :class:`DumpedGeneration` then gives the other
formats the same quads from that file. Queries (the graphs' sizes, the statistics, the
triples several graphs hold) still go to the server.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox


def each_once(quads: Iterable[ox.Quad], shared: set[ox.Triple]) -> Iterator[ox.Triple]:
    """The triples of ``quads``, each once: only those in ``shared`` (held by more than one
    graph) are remembered."""
    written: set[ox.Triple] = set()
    for quad in quads:
        triple = ox.Triple(quad.subject, quad.predicate, quad.object)
        if triple in shared:
            if triple in written:
                continue
            written.add(triple)
        yield triple


class DumpedGeneration:
    """The quads of ``reader``'s generation as the N-Quads dump at ``path`` (gzip) holds them;
    everything else as ``reader`` answers it."""

    def __init__(self, reader, path: Path) -> None:
        self._reader, self.path = reader, Path(path)

    def __getattr__(self, name: str):
        return getattr(self._reader, name)

    def __len__(self) -> int:
        return len(self._reader)

    def __iter__(self) -> Iterator[ox.Quad]:
        with gzip.open(self.path, "rb") as handle:
            yield from ox.parse(handle, ox.RdfFormat.N_QUADS)

    def dump(self, output=None, format=None, *, prefixes=None):
        """As :meth:`pyoxigraph.Store.dump` of the whole dataset."""
        return ox.serialize(iter(self), output, format, **({"prefixes": prefixes} if prefixes else {}))

    def union_triples(self, graphs) -> Iterator[ox.Triple]:
        """The triples of every graph, each once (in the file's order of graphs: ``graphs`` are all of them)."""
        return each_once(iter(self), self._reader.shared_triples())
