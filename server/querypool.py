"""The query processes of one server worker: the hard time limit, the memory bound,
and short queries never waiting behind long ones.

pyoxigraph cannot stop a query, and an aggregate or a sort computes everything
before its first row, so each job runs in a process of its own
(:mod:`policykg.runtime.query_process`) that opens the store read-only. While a
job runs, the worker watches it:

- past its time limit the process is killed (SIGKILL), the caller gets
  :class:`JobTimeout`, and a fresh process takes its place;
- past the memory bound of one query (its resident size, sampled every
  :data:`SAMPLE` seconds) it is killed and the caller gets :class:`MemoryExceeded`;
- once it has run :attr:`QueryPool.long_after` seconds it counts as *long*: its
  process is lowered in priority (nice), so that short queries get the CPU first,
  and at most ``long_queries`` long ones run at once; one more that turns long is
  stopped with :class:`TooManyLong` (503: try again later).

``idle`` processes are kept started and waiting, and a new one is started in the
background as soon as one is taken, so that a short query never waits for a
process to start while long ones hold the others.
"""

from __future__ import annotations

import atexit
import os
import pickle
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from policykg.runtime.executor import Answer, Failure
from policykg.runtime.streaming import DONE, PIECE, WHOLE_LIMIT

#: Seconds between looks at a running job's memory.
SAMPLE = 0.05
_PAGE = os.sysconf("SC_PAGE_SIZE")


class JobTimeout(Exception):
    """The job ran past its limit and its process was killed."""


class PoolBusy(Exception):
    """No query process became free in time."""


class TooManyLong(PoolBusy):
    """As many long queries as allowed were running, and this one turned long too."""


class MemoryExceeded(Exception):
    """The job's process grew past the memory limit of one query and was killed."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"over {limit} bytes")
        self.limit = limit


class ProcessLost(Exception):
    """The query process ended without answering (it crashed or was killed)."""


class StreamBroken(Exception):
    """A streamed answer failed after it had begun: the response is cut off."""


@dataclass
class StreamedAnswer:
    """A large answer whose bytes are still coming: iterate ``chunks`` (once) to send them."""

    fmt: str
    generation: str
    chunks: Iterator[bytes]
    body = None


class ForkServer:
    """The process that query processes are forked from (:mod:`policykg.runtime.forkserver`),
    started again if it is gone."""

    def __init__(self, store: Path, keep_generations: int, environ: dict[str, str] | None = None) -> None:
        self.store, self.keep = store, keep_generations
        #: Added to the fork server's environment (where a remote store is: ``Settings.store_environ``).
        self.environ = environ or {}
        self.lock = threading.Lock()
        self.process: subprocess.Popen | None = None
        self.control: socket.socket | None = None
        self.closed = False

    def _start(self) -> None:
        ours, theirs = socket.socketpair()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "policykg.runtime.forkserver", str(theirs.fileno()), str(self.store), str(self.keep)],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            env={**os.environ, **self.environ} if self.environ else None,
        )
        theirs.close()
        self.control = ours

    def fork(self) -> tuple[int, Connection]:
        """A new query process: its pid and our end of its socket."""
        ours, theirs = socket.socketpair()
        try:
            with self.lock:
                if self.closed:  # the pool closed while a background start was on its way
                    raise ProcessLost("the query processes are shut down")
                for attempt in (1, 2):
                    if self.process is None or self.process.poll() is not None:
                        self._start()
                    try:
                        socket.send_fds(self.control, [b"f"], [theirs.fileno()])
                        answer = self.control.recv(4, socket.MSG_WAITALL)
                        if len(answer) == 4:
                            return struct.unpack("!i", answer)[0], Connection(ours.detach())
                    except OSError:
                        pass
                    self._stop()  # gone or broken: start another and try once more
                raise ProcessLost("the query processes' fork server does not answer")
        finally:
            theirs.close()

    def close(self) -> None:
        """Stop the fork server for good: a fork asked for afterwards is refused (ProcessLost)."""
        with self.lock:  # not while a fork is being asked for
            self.closed = True
            self._stop()

    def _stop(self) -> None:
        if self.control is not None:
            self.control.close()
            self.control = None
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait()
            self.process = None


class QueryProcess:
    """One query process, forked by the fork server."""

    def __init__(self, forks: ForkServer) -> None:
        self.pid, self.connection = forks.fork()
        self._ending = threading.Lock()
        self._closed = False
        self.ready = False
        self.long = False
        self.peak = 0

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Until it has opened the store (its first message)."""
        if not self.ready:
            self.receive(time.monotonic() + timeout, lambda process: None)
            self.ready = True

    def rss(self) -> int:
        """Resident memory in bytes (0 once it is gone)."""
        try:
            with open(f"/proc/{self.pid}/statm", "rb") as statm:
                return int(statm.read().split()[1]) * _PAGE
        except (OSError, IndexError, ValueError):
            return 0

    def send(self, job) -> None:
        try:
            self.connection.send_bytes(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError as error:
            raise ProcessLost(str(error) or type(error).__name__) from None

    def receive(self, deadline: float, watch) -> tuple:
        """The next message, watching the job (``watch(process, elapsed)``) while it waits."""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise JobTimeout()
            try:
                if self.connection.poll(min(remaining, SAMPLE)):
                    return pickle.loads(self.connection.recv_bytes())
            except (EOFError, OSError) as error:
                raise ProcessLost(str(error) or type(error).__name__) from None
            watch(self)

    def renice(self, niceness: int) -> None:
        try:
            os.setpriority(os.PRIO_PROCESS, self.pid, niceness)
        except OSError:
            pass  # not allowed here: the long query just keeps its priority

    def stop(self) -> None:
        """Kill it (the fork server reaps it); a thread reading its connection then gets EOF."""
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        """Kill it and close its connection, once (by the thread that uses it, or for an idle one)."""
        self.stop()
        with self._ending:
            if self._closed:
                return
            self._closed = True
        try:
            self.connection.close()
        except OSError:
            pass

    def alive(self) -> bool:
        try:
            with open(f"/proc/{self.pid}/stat", "rb") as stat:
                return stat.read().rsplit(b")", 1)[1].split()[0] not in (b"Z", b"X")
        except (OSError, IndexError):
            return False


class QueryPool:
    """The query processes of one worker on the store at ``store``, started on first use."""

    def __init__(
        self,
        store: Path,
        idle: int = 1,
        *,
        long_queries: int = 8,
        long_after: float = 1.0,
        memory_bytes: int = 1 << 30,
        keep_generations: int = 2,
        max_processes: int | None = None,
        environ: dict[str, str] | None = None,
    ) -> None:
        self.store = Path(store)
        self.idle_target = idle
        self.long_queries = long_queries
        self.long_after = long_after
        self.memory_bytes = memory_bytes
        self.keep_generations = keep_generations
        self.max_processes = max_processes or (long_queries + idle + 8)
        self._idle: list[QueryProcess] = []
        self._all: set[QueryProcess] = set()
        self._long = 0
        self._starting = 0
        self._lock = threading.Condition()
        self._closed = False
        self._forks = ForkServer(self.store, keep_generations, environ)
        atexit.register(self.close)

    # --- processes ------------------------------------------------------------------

    def _spawn(self) -> QueryProcess:
        process = QueryProcess(self._forks)
        with self._lock:
            self._all.add(process)
        return process

    def _top_up(self) -> None:
        """Start processes in the background until ``idle`` of them wait (within the maximum)."""
        with self._lock:
            wanted = self.idle_target - len(self._idle) - self._starting
            room = self.max_processes - len(self._all) - self._starting
            count = max(0, min(wanted, room))
            self._starting += count
        for _ in range(count):
            threading.Thread(target=self._start_one, daemon=True).start()

    def _start_one(self) -> None:
        process = None
        try:
            if not self._closed:
                process = self._spawn()
                process.wait_ready()
        except ProcessLost:
            self._forget(process)
            process = None
        finally:
            with self._lock:
                self._starting -= 1
                if process is not None and self._closed:
                    process.kill()  # started while the pool closed
                elif process is not None:
                    self._idle.append(process)
                self._lock.notify()

    def warm(self) -> None:
        """Start the idle processes now (a server worker calls this before its first query)."""
        self._top_up()

    def _forget(self, process: QueryProcess | None) -> None:
        if process is not None:
            with self._lock:
                self._all.discard(process)
            process.kill()

    def _acquire(self, wait: float) -> QueryProcess:
        deadline = time.monotonic() + wait
        with self._lock:
            while True:
                if self._closed:
                    raise ProcessLost("the query pool is closed")
                if self._idle:
                    process = self._idle.pop()
                    break
                # none ready: wait for one already on its way, else start one here
                if not self._starting and len(self._all) < self.max_processes:
                    process = None
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise PoolBusy("Every query process of this server is busy; try again in a few seconds.")
                self._lock.wait(remaining)
        if process is None:
            process = self._spawn()
        self._top_up()
        return process



    def _release(self, process: QueryProcess) -> None:
        """Back to the idle processes, unless there are enough of them already."""
        if process.long:
            process.renice(0)
        with self._lock:
            if process.long:
                process.long = False
                self._long -= 1
            surplus = len(self._idle) >= self.idle_target + 2 or self._closed
            if surplus:
                self._all.discard(process)
            else:
                self._idle.append(process)
            self._lock.notify()
        if surplus:
            process.kill()

    def _discard(self, process: QueryProcess) -> None:
        """Kill it (it timed out, grew too large, broke or was interrupted) and start another."""
        with self._lock:
            if process.long:
                process.long = False
                self._long -= 1
            self._all.discard(process)
            self._lock.notify()
        process.kill()
        if not self._closed:
            self._top_up()

    # --- running jobs -----------------------------------------------------------------

    def _watch(self, process: QueryProcess, started: float) -> None:
        rss = process.rss()
        process.peak = max(process.peak, rss)
        if rss > self.memory_bytes:
            raise MemoryExceeded(self.memory_bytes)
        if not process.long and time.monotonic() - started >= self.long_after:
            with self._lock:
                if self._long >= self.long_queries:
                    raise TooManyLong(
                        f"This server is already running {self.long_queries} long queries at once, as many as it allows, "
                        "and this one ran long too; it was stopped. Try again later, or make it more selective."
                    )
                self._long += 1
                process.long = True
            process.renice(10)

    def run(self, job, timeout: float, *, wait: float | None = None):
        """Run ``job``: its answer (an :class:`Answer`, a :class:`StreamedAnswer`, a description or a
        :class:`Failure`), or :class:`JobTimeout`, :class:`MemoryExceeded`, :class:`PoolBusy`,
        :class:`ProcessLost`."""
        if self._closed:
            raise ProcessLost("the query pool is closed")
        started = time.monotonic()
        deadline = started + timeout
        process = self._acquire(timeout if wait is None else wait)
        watch = lambda p: self._watch(p, started)  # noqa: E731
        try:
            process.wait_ready(max(0.001, deadline - time.monotonic()))
            process.send(job)
            message = process.receive(deadline, watch)
        except ProcessLost:
            self._discard(process)
            if process.peak > self.memory_bytes // 2:
                raise MemoryExceeded(self.memory_bytes) from None  # it died growing: the allocator gave up
            raise
        except BaseException:
            self._discard(process)  # timed out, too large, or interrupted mid-call
            raise
        if message[0] == DONE:
            self._release(process)
            return message[1]
        return self._stream(process, message, deadline, watch)

    def _stream(self, process: QueryProcess, head: tuple, deadline: float, watch):
        """A streamed answer: the first part is gathered here, so that what fails early
        still gets a proper error; the rest is passed on as it comes."""
        _, fmt, generation = head
        gathered: list[bytes] = []
        size = 0
        try:
            while size < WHOLE_LIMIT:
                message = process.receive(deadline, watch)
                if message[0] == PIECE:
                    gathered.append(message[1])
                    size += len(message[1])
                    continue
                self._release(process)
                result = message[1]
                if isinstance(result, Failure):
                    return result
                return Answer(fmt, b"".join(gathered), generation, result.rows)
        except BaseException:
            self._discard(process)
            raise
        return StreamedAnswer(fmt, generation, self._rest(process, gathered, deadline, watch))

    def _rest(self, process: QueryProcess, gathered: list[bytes], deadline: float, watch) -> Iterator[bytes]:
        finished = False
        try:
            yield from gathered
            gathered.clear()
            while True:
                message = process.receive(deadline, watch)
                if message[0] == PIECE:
                    yield message[1]
                    continue
                finished = True
                self._release(process)
                if isinstance(message[1], Failure):
                    raise StreamBroken(message[1].message)
                return
        except GeneratorExit:
            pass  # the client went away before the end
        except (JobTimeout, MemoryExceeded, ProcessLost, PoolBusy) as error:
            raise StreamBroken(str(error) or type(error).__name__) from None
        finally:
            if not finished:
                self._discard(process)

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(p.pid for p in self._all if p.alive())

    def close(self) -> None:
        self._closed = True
        with self._lock:
            processes, idle, self._all, self._idle = list(self._all), list(self._idle), set(), []
            self._lock.notify_all()
        for process in processes:
            process.stop()  # one in use or starting: its thread gets EOF and closes its connection
        for process in idle:
            process.kill()
        self._forks.close()
