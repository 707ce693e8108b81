"""The query pool: real processes, killed at the time limit and replaced."""

from __future__ import annotations

import threading
import time

import pytest
from helpers import write_sample_store
from policykg.server.querypool import JobTimeout, PoolBusy, QueryPool

from policykg.runtime.executor import Answer, Limits, QueryJob

DIGITS = " ".join(str(i) for i in range(100))
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"VALUES ?v{i} {{ {DIGITS} }}" for i in range(6)) + " }"
LIMITS = Limits(1000, 10**6)


@pytest.fixture
def pool(tmp_path):
    store = write_sample_store(tmp_path / "store")
    pool = QueryPool(store.path, 1, burst=1, grow_after=0.2)
    pool.warm()
    yield pool
    pool.close()


def test_a_job_past_its_limit_is_killed_and_its_process_replaced(pool):
    (before,) = pool.pids()
    started = time.monotonic()
    with pytest.raises(JobTimeout):
        pool.run(QueryJob(RUNAWAY, LIMITS), 1.0)
    assert 1.0 <= time.monotonic() - started < 3
    (after,) = pool.pids()
    assert after != before
    assert isinstance(pool.run(QueryJob("ASK {}", LIMITS), 5), Answer)


def test_a_burst_process_answers_while_a_long_query_runs_then_retires(pool):
    thread = threading.Thread(target=lambda: pytest.raises(JobTimeout, pool.run, QueryJob(RUNAWAY, LIMITS), 2.0))
    thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    assert isinstance(pool.run(QueryJob("ASK {}", LIMITS), 5), Answer)
    assert time.monotonic() - started < 1.0
    assert len(pool.pids()) == 2
    thread.join()
    pool.run(QueryJob("ASK {}", LIMITS), 5)
    assert len(pool.pids()) == 1  # back to its size once the burst is over


def test_busy_when_every_process_stays_busy(tmp_path):
    store = write_sample_store(tmp_path / "store")
    pool = QueryPool(store.path, 1, burst=0, grow_after=0.1)
    try:
        thread = threading.Thread(target=lambda: pytest.raises(JobTimeout, pool.run, QueryJob(RUNAWAY, LIMITS), 1.5))
        thread.start()
        time.sleep(0.3)
        with pytest.raises(PoolBusy):
            pool.run(QueryJob("ASK {}", LIMITS), 5, wait=0.3)
        thread.join()
    finally:
        pool.close()
