"""The one place that writes quads to the store: one named graph per source, atomically.

``publish`` reads and validates every changed source first; only when all of
them are good does it open a writer, replace their graphs (data and
provenance) and publish the new generation in one step. A source whose files
and loader are unchanged since it was published is left alone, so loading the
same file twice changes nothing.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from policykg.config import Settings
from policykg.store import EmbeddedStore

from .errors import InputError
from .provenance import fingerprint, provenance_quads, published_fingerprint
from .sources import Source

#: ``progress(key, triples)`` as a source is written. An object may also have
#: ``rows(key, rows)``, called as a large source is read and checked.
Progress = Callable[[str, int], None]


@dataclass
class PublishReport:
    """What a publish did."""

    loaded: list[tuple[str, str, int]] = field(default_factory=list)  # (key, graph, triples)
    unchanged: list[str] = field(default_factory=list)
    generation: str | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)  # what was read, and what was left out

    @property
    def triples(self) -> int:
        return sum(count for _, _, count in self.loaded)

    def summary(self) -> str:
        lines = list(self.notes)
        lines += [f"loaded {key}: {count} triples into <{graph}>" for key, graph, count in self.loaded]
        lines += [f"unchanged {key}" for key in self.unchanged]
        if self.loaded:
            rate = self.triples / self.seconds if self.seconds else 0
            lines.append(
                f"published generation {self.generation}: {self.triples} triples "
                f"in {self.seconds:.2f} s ({rate:,.0f} triples/s)"
            )
        else:
            lines.append("nothing to do: the store is up to date")
        return "\n".join(lines)


def _counted(quads: Iterable[ox.Quad], progress: Progress | None, key: str) -> Iterator[ox.Quad]:
    for count, quad in enumerate(quads, 1):
        if progress and count % 100_000 == 0:
            progress(key, count)
        yield quad


def publish(
    store: EmbeddedStore,
    sources: list[Source],
    settings: Settings,
    *,
    force: bool = False,
    from_empty: bool = False,
    progress: Progress | None = None,
) -> PublishReport:
    """Load ``sources`` into their graphs and publish them together, or raise
    :class:`InputError` listing every problem and leave the store as it was."""
    started = time.perf_counter()
    report = PublishReport()
    problems = []
    facts, versions = {}, {}
    for source in sources:
        try:
            facts[source.key] = source.file_facts()
        except InputError as error:
            problems += error.problems
        versions[source.key] = source.version()
    if problems:
        raise InputError(problems)

    reader = store.reader() if store.current_generation() and not from_empty else None
    todo = []
    for source in sources:
        wanted = fingerprint(versions[source.key], facts[source.key])
        if not force and reader is not None and published_fingerprint(reader, source.graph(settings)) == wanted:
            report.unchanged.append(source.key)
        else:
            todo.append(source)
    if not todo and not from_empty:
        report.generation = store.current_generation()
        report.seconds = time.perf_counter() - started
        return report

    results = {}
    for source in todo:
        try:
            results[source.key] = source.read_files(settings, progress)
        except InputError as error:
            problems += error.problems
    if not problems:
        loading = {source.key for source in todo}
        groups = {id(s.group): s.group for s in todo if s.group is not None}
        for group in groups.values():
            problems += group.dangling(loading)
    if problems:
        raise InputError(problems)
    report.notes += [r.note for r in results.values() if r.note]

    with store.writer(from_empty=from_empty, replacing=[source.graph(settings) for source in todo]) as writer:
        # The large sources load together: a load parses in one thread and leaves part of a
        # core that another uses (loading each as soon as it was checked was slower: the
        # checking of the next ones competed with it; docs/performance.md).
        for source in todo:
            if results[source.key].ntriples is not None:
                writer.start_load(source.graph(settings), results[source.key].ntriples)
        loaded = writer.finish_loads()
        for source in todo:
            graph = source.graph(settings)
            result = results[source.key]
            if result.ntriples is not None:
                count = loaded[graph]
                extra = list(result.quads)
                writer.add(graph, extra)
                count += len(extra)
            else:
                count = writer.replace_graph(graph, _counted(result.quads, progress, source.key))
            files = [dataclasses.replace(f, rows=result.rows.get(f.name)) for f in facts[source.key]]
            writer.add(
                graph,
                provenance_quads(
                    graph,
                    title_en=source.title_en,
                    title_sv=source.title_sv,
                    files=files,
                    version=versions[source.key],
                    triples=count,
                ),
            )
            report.loaded.append((source.key, graph, count))
    report.generation = store.current_generation()
    report.seconds = time.perf_counter() - started
    return report
