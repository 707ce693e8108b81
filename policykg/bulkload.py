"""Bulk loads fed by forked producers: N-Triples made in Python, loaded by pyoxigraph meanwhile.

``Store.bulk_load`` reads a path without holding the GIL, so the N-Triples of a
graph are produced in a forked child that writes them into a FIFO which the load
reads, in a thread of its own: producing and loading overlap, and several graphs
load together. A load parses in one thread, which leaves part of a core that
another load uses: on two cores, a build of the 100 000-activity set took 46 s
with its projects and activities loaded together against 53 s one after the
other (docs/performance.md).
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from policykg.storebase import StoreError


class BulkLoads:
    """Graphs loaded into ``store`` in the background: :meth:`start` each, then
    :meth:`finish`; :meth:`abort` stops them, and what they loaded is the caller's to
    discard (a generation not published)."""

    def __init__(self, store: ox.Store) -> None:
        self._store = store
        self._loads: list[_Load] = []
        self._pool: ThreadPoolExecutor | None = None
        self._scratch: tempfile.TemporaryDirectory | None = None

    def start(self, graph: ox.NamedNode, chunks: Iterable[bytes]) -> None:
        """Start loading the N-Triples ``chunks`` into ``graph`` (IRIs not checked again: the
        sources have validated what they produce)."""
        if self._pool is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="policykg-")
            self._pool = ThreadPoolExecutor(thread_name_prefix="policykg-load")
        load = _Load.fork(Path(self._scratch.name), len(self._loads), graph, chunks)
        self._loads.append(load)
        load.future = self._pool.submit(
            self._store.bulk_load, path=str(load.fifo), format=ox.RdfFormat.N_TRIPLES, to_graph=graph, lenient=True
        )

    def finish(self) -> dict[ox.NamedNode, int]:
        """Wait for every load; the count of each graph's triples. A load that failed is
        raised again; a producer that failed raises :class:`StoreError`."""
        try:
            wait([load.future for load in self._loads])
        except BaseException:
            self.abort()
            raise
        failed = [load for load in self._loads if load.future.exception() is not None]
        for load in failed:
            load.kill()  # it may be waiting for a reader that is gone
        counts = {load.graph: load.reap() for load in self._loads}
        self._close()
        if failed:
            raise failed[0].future.exception()
        for graph, count in counts.items():
            if count is None:
                raise StoreError(f"producing the triples of <{graph.value}> failed; nothing was published")
        return counts

    def abort(self) -> None:
        """Stop every load: its producer killed, its FIFO ended; what was loaded stays."""
        for load in self._loads:
            load.kill()
        for load in self._loads:
            load.reap()
            while not load.future.done():
                load.end_fifo()  # a load still opening its FIFO would wait for a writer for ever
                with contextlib.suppress(Exception):
                    load.future.exception(timeout=0.1)
        self._close()

    def _close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._scratch.cleanup()
        self._pool = self._scratch = None
        self._loads = []


@dataclass
class _Load:
    """A forked child writing a graph's N-Triples into ``fifo``, then their count into ``counted``."""

    graph: ox.NamedNode
    fifo: Path
    counted: Path
    pid: int
    status: int | None = None
    future: Future = field(default_factory=Future)

    @classmethod
    def fork(cls, scratch: Path, number: int, graph: ox.NamedNode, chunks: Iterable[bytes]) -> _Load:
        fifo, counted = scratch / f"{number}.nt", scratch / f"{number}.count"
        os.mkfifo(fifo)
        pid = os.fork()
        if pid == 0:  # pure Python, never touches the store
            _produce(fifo, counted, chunks)
        return cls(graph, fifo, counted, pid)

    def kill(self) -> None:
        if self.status is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)

    def reap(self) -> int | None:
        """Wait for the child: the count it wrote, or None if it failed."""
        if self.status is None:
            _, self.status = os.waitpid(self.pid, 0)
        if self.status != 0 or not self.counted.exists():
            return None
        return int(self.counted.read_text())

    def end_fifo(self) -> None:
        """Open and close the FIFO as a writer: a reader waiting to open it goes on and reads its end."""
        with contextlib.suppress(OSError):
            os.close(os.open(self.fifo, os.O_RDWR | os.O_NONBLOCK))


def _produce(fifo: Path, counted: Path, chunks: Iterable[bytes]) -> None:
    code = 1
    try:
        count = 0
        with open(fifo, "wb", buffering=1 << 20) as out:
            for chunk in chunks:
                out.write(chunk)
                count += chunk.count(b"\n")
        counted.write_text(str(count))
        code = 0
    except BrokenPipeError:
        pass  # the load stopped reading; it reports why
    except BaseException:  # noqa: BLE001 - reported, then the parent fails the load
        import traceback

        traceback.print_exc()
    finally:
        os._exit(code)
