"""What every store shares: its errors, the writers' lock file, generation names."""

from __future__ import annotations

import contextlib
import fcntl
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

#: The lock file a writer holds, in the store's (local) directory.
LOCK = ".lock"


class StoreError(RuntimeError):
    """The store cannot do what was asked; the message says why and where."""


class QueryRefused(StoreError):
    """The store refused a query it was sent (a remote server's SPARQL engine that cannot
    compile or will not run it); the message says which server and what it said."""


class StoreNotBuilt(StoreError):
    """There is no published generation yet."""


class StoreBusy(StoreError):
    """Another process holds the writer's lock; try again when it is done."""


def new_generation_name(prefix: str) -> str:
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    return f"{prefix}{stamp}{time.time_ns() % 1_000_000_000:09d}-{uuid.uuid4().hex[:4]}"


@contextlib.contextmanager
def writer_lock(directory: Path, what: str) -> Iterator[None]:
    """Hold the one writer's lock file in ``directory`` (StoreBusy if another process holds it)."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / LOCK, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreBusy(f"another process is writing to {what}; try again when it is done") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
