"""The query pool: real processes, killed at the time limit or the memory bound and
replaced; long queries lowered and capped so that short ones do not wait behind them."""

from __future__ import annotations

import os
import threading
import time

import pytest
from helpers import make_settings, write_sample_store
from policykg.server.querypool import (
    JobTimeout,
    MemoryExceeded,
    QueryPool,
    StreamedAnswer,
    TooManyLong,
)

from policykg.runtime.executor import Answer, Limits, QueryJob

DIGITS = " ".join(str(i) for i in range(100))
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"VALUES ?v{i} {{ {DIGITS} }}" for i in range(6)) + " }"
#: Sorting a million long strings holds them all in memory at once (hundreds of MB).
HUNGRY = (
    "SELECT ?s WHERE { " + " ".join(f"VALUES ?v{i} {{ {DIGITS} }}" for i in range(3))
    + ' BIND(CONCAT(STR(?v0), STR(?v1), STR(?v2), STRUUID(), STRUUID(), STRUUID(), STRUUID(), STRUUID()) AS ?s) } ORDER BY ?s LIMIT 1'
)
LIMITS = Limits(1000, 10**6)


@pytest.fixture
def store_path(tmp_path):
    return write_sample_store(tmp_path / "store").path


@pytest.fixture
def pool(store_path):
    pool = QueryPool(store_path, 1, long_queries=2, long_after=0.3, environ=make_settings(store_path).store_environ())
    pool.warm()
    yield pool
    pool.close()


def _wait_for(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_a_job_past_its_limit_is_killed_and_its_process_replaced(pool):
    _wait_for(lambda: len(pool.pids()) == 1)
    (before,) = pool.pids()
    started = time.monotonic()
    with pytest.raises(JobTimeout):
        pool.run(QueryJob(RUNAWAY, LIMITS), 1.0)
    assert 1.0 <= time.monotonic() - started < 3
    _wait_for(lambda: pool.pids() and before not in pool.pids())
    assert isinstance(pool.run(QueryJob("ASK {}", LIMITS), 5), Answer)


def test_short_queries_answer_at_once_while_long_ones_run_and_the_long_ones_are_lowered(pool):
    _wait_for(lambda: len(pool.pids()) >= 1)  # warm
    runners = [threading.Thread(target=lambda: pytest.raises(JobTimeout, pool.run, QueryJob(RUNAWAY, LIMITS), 3.0)) for _ in range(2)]
    for runner in runners:
        runner.start()
    # both turn long and are lowered
    _wait_for(lambda: [os.getpriority(os.PRIO_PROCESS, pid) for pid in pool.pids()].count(10) == 2, 2.5)
    for _ in range(5):
        started = time.monotonic()
        assert isinstance(pool.run(QueryJob("ASK {}", LIMITS), 5), Answer)
        assert time.monotonic() - started < 0.5
    for runner in runners:
        runner.join()


def test_one_long_query_more_than_allowed_is_stopped_with_a_reason(pool):
    _wait_for(lambda: len(pool.pids()) >= 1)  # warm
    runners = [threading.Thread(target=lambda: pytest.raises(JobTimeout, pool.run, QueryJob(RUNAWAY, LIMITS), 2.5)) for _ in range(2)]
    for runner in runners:
        runner.start()
    time.sleep(0.5)
    with pytest.raises(TooManyLong, match="2 long queries at once"):
        pool.run(QueryJob(RUNAWAY, LIMITS), 5)
    for runner in runners:
        runner.join()


@pytest.mark.embedded_only("the memory bound is the query process's; on a remote store the server evaluates the query")
def test_a_query_over_the_memory_bound_is_stopped_and_the_others_carry_on(store_path):
    pool = QueryPool(store_path, 1, memory_bytes=200 * 1024 * 1024)
    try:
        other = threading.Thread(target=lambda: pool.run(QueryJob("ASK {}", LIMITS), 5))
        with pytest.raises(MemoryExceeded):
            pool.run(QueryJob(HUNGRY, LIMITS), 60)
        other.start()
        other.join()
        assert isinstance(pool.run(QueryJob("SELECT * WHERE { ?s ?p ?o } LIMIT 1", LIMITS), 5), Answer)
    finally:
        pool.close()


def test_a_large_answer_is_streamed_in_pieces_and_a_small_one_comes_whole(pool):
    padding = "x" * 1000
    many = "SELECT ?a ?b ?c WHERE { " + " ".join(f"VALUES ?{v} {{ {DIGITS} }}" for v in "ab") + f' BIND(CONCAT(STR(?a), "{padding}") AS ?c) }}'

    job = QueryJob(many, Limits(100_000, 10**9), solutions_format="csv", stream=True)
    answer = pool.run(job, 30)
    assert isinstance(answer, StreamedAnswer)
    body = b"".join(answer.chunks)
    assert body.count(b"\n") == 10_001 and len(body) > 10_000_000
    whole = pool.run(QueryJob("SELECT * WHERE { ?s ?p ?o }", LIMITS, stream=True), 5)
    assert isinstance(whole, Answer) and whole.body


def test_a_pool_closed_while_it_starts_its_processes_closes_cleanly(store_path):
    """Closing a pool while a thread was starting a spare process closed that process's
    connection under the thread, which then closed it again: EBADF in the thread (and a file
    descriptor number that another connection may already have been given)."""
    errors: list = []
    previous = threading.excepthook
    threading.excepthook = lambda hook: errors.append(hook.exc_value)
    try:
        for round_ in range(40):
            pool = QueryPool(store_path, 2)
            pool.warm()  # spares start in threads of their own
            time.sleep(0.005 * (round_ % 10))
            pool.close()
        time.sleep(1.0)  # the starting threads notice and finish
    finally:
        threading.excepthook = previous
    assert not errors, errors


def test_a_closed_fork_server_is_not_started_again(store_path):
    """A background start that came after the pool closed met the fork server half-closed (an
    AttributeError in a thread) or started it again, never to be stopped: a fork asked for after
    ``close`` is refused."""
    from policykg.server.querypool import ForkServer, ProcessLost

    forks = ForkServer(store_path, 1, make_settings(store_path).store_environ())
    pid, connection = forks.fork()
    connection.close()
    os.kill(pid, 9)
    forks.close()
    with pytest.raises(ProcessLost, match="shut down"):
        forks.fork()
    assert forks.process is None and forks.control is None
