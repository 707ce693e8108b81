"""A small pool of query processes per server worker: the hard time limit.

pyoxigraph cannot stop a query, and an aggregate or a sort computes everything
before its first row, so each job runs in a process of its own
(:mod:`policykg.runtime.executor`) that opens the store read-only and answers with
serialized bytes. When a job outlives its time limit, the process is killed
(SIGKILL), a fresh one takes its place and the caller gets :class:`JobTimeout`;
the other processes go on answering.

The pool keeps ``size`` processes (one per core of work is the cheapest: more
only compete for the CPU). When all of them stay busy for ``grow_after``
seconds (a long query is running), it starts up to ``burst`` more, so that a
runaway query does not hold up the simple ones behind it. A request waits at
most ``wait`` seconds for a process, then gets :class:`PoolBusy`.
"""

from __future__ import annotations

import atexit
import pickle
import queue
import socket
import subprocess
import sys
import threading
from multiprocessing.connection import Connection
from pathlib import Path


class JobTimeout(Exception):
    """The job ran past its limit and its process was killed."""


class PoolBusy(Exception):
    """No query process became free in time."""


class ProcessLost(Exception):
    """The query process ended without answering (it crashed or was killed)."""


class QueryProcess:
    """One child process running :func:`policykg.runtime.executor.serve`."""

    def __init__(self, store: Path, keep_generations: int) -> None:
        ours, theirs = socket.socketpair()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "policykg.runtime.executor", str(theirs.fileno()), str(store), str(keep_generations)],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self.connection = Connection(ours.detach())

    @property
    def pid(self) -> int:
        return self.process.pid

    def call(self, job, timeout: float):
        """Send ``job`` and return its answer; kill the process past ``timeout`` seconds."""
        try:
            self.connection.send_bytes(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
            if not self.connection.poll(timeout):
                self.kill()
                raise JobTimeout(timeout)
            return pickle.loads(self.connection.recv_bytes())
        except (EOFError, OSError) as error:
            self.kill()
            raise ProcessLost(str(error) or type(error).__name__) from None

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.connection.close()

    def alive(self) -> bool:
        return self.process.poll() is None


class QueryPool:
    """``size`` query processes on the store at ``store``, started on first use."""

    def __init__(
        self, store: Path, size: int, *, burst: int = 2, grow_after: float = 0.25, keep_generations: int = 2
    ) -> None:
        self.store = Path(store)
        self.size = size
        self.burst = burst
        self.grow_after = grow_after
        self.keep_generations = keep_generations
        self._idle: queue.LifoQueue[QueryProcess] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._started = 0
        self._all: set[QueryProcess] = set()
        self._closed = False
        atexit.register(self.close)

    def _spawn(self) -> QueryProcess:
        process = QueryProcess(self.store, self.keep_generations)
        with self._lock:
            self._all.add(process)
        return process

    def warm(self) -> None:
        """Start every process now (a server worker calls this before taking requests)."""
        while True:
            with self._lock:
                if self._started >= self.size:
                    return
                self._started += 1
            self._idle.put(self._spawn())

    def _acquire(self, wait: float) -> QueryProcess:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        if self._reserve(self.size):
            return self._spawn()
        try:
            return self._idle.get(timeout=min(wait, self.grow_after))
        except queue.Empty:
            pass
        if self._reserve(self.size + self.burst):
            return self._spawn()
        try:
            return self._idle.get(timeout=max(0.0, wait - self.grow_after))
        except queue.Empty:
            raise PoolBusy(wait) from None

    def _reserve(self, limit: int) -> bool:
        """Count one more process if fewer than ``limit`` were started."""
        with self._lock:
            if self._started < limit:
                self._started += 1
                return True
            return False

    def _replace(self, process: QueryProcess) -> None:
        with self._lock:
            self._all.discard(process)
        if not self._closed:
            self._idle.put(self._spawn())

    def run(self, job, timeout: float, *, wait: float | None = None):
        """Run ``job`` in a free process; :class:`JobTimeout`, :class:`PoolBusy` or :class:`ProcessLost`."""
        if self._closed:
            raise ProcessLost("the query pool is closed")
        process = self._acquire(timeout if wait is None else wait)
        try:
            answer = process.call(job, timeout)
        except (JobTimeout, ProcessLost):
            self._replace(process)
            raise
        except BaseException:
            process.kill()  # interrupted mid-call: its answer would be read by the next job
            self._replace(process)
            raise
        self._release(process)
        return answer

    def _release(self, process: QueryProcess) -> None:
        """Back to the idle processes, unless it is one of a burst that is no longer needed."""
        with self._lock:
            surplus = self._started > self.size and self._idle.qsize() >= self.size
            if surplus:
                self._started -= 1
                self._all.discard(process)
        if surplus:
            process.kill()
        else:
            self._idle.put(process)

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(p.pid for p in self._all if p.alive())

    def close(self) -> None:
        self._closed = True
        with self._lock:
            processes, self._all = list(self._all), set()
        for process in processes:
            process.kill()
