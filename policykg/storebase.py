"""What every store shares: its errors, the writers' lock file, generation names, and the
records of what each write changed."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

#: The lock file a writer holds, in the store's (local) directory.
LOCK = ".lock"
#: ``.changes-GEN.json``: what the write that made GEN changed, and from which generation.
CHANGES_PREFIX = ".changes-"
#: How far back :meth:`ChangeRecords.changes_between` follows the recorded changes.
MAX_CHANGE_STEPS = 64
#: A changed graph larger than this (in either generation) is not compared triple by triple.
DIFF_LIMIT = 200_000


class StoreError(RuntimeError):
    """The store cannot do what was asked; the message says why and where."""


class QueryRefused(StoreError):
    """The store refused a query it was sent (a remote server's SPARQL engine that cannot
    compile or will not run it); the message says which server and what it said."""


class AnswerIncomplete(StoreError):
    """The store could send part of an answer only (a remote server's limit on the rows of
    an answer); the message says which limit."""


class StoreTimeout(StoreError):
    """The store did not answer within the time limit (a remote server)."""


class StoreUnreachable(StoreError):
    """The store could not be reached (a remote server down, or not where the settings say)."""


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


class ChangeRecords:
    """Each generation a writer publishes records, in the store's local directory ``path``,
    the generation it was made from and the graphs the write changed (``""``: the default
    graph), or ``"all"`` when that is not known; a store may record more (a remote store:
    the triples added and removed). Work done for an earlier generation (the stored
    answers) is kept for what did not change by following the records back."""

    path: Path

    def _changes_path(self, generation: str) -> Path:
        return self.path / f"{CHANGES_PREFIX}{generation}.json"

    def _record_changes(self, generation: str, base: str | None, changed: list[str] | str, **details) -> None:
        path = self._changes_path(generation)
        part = path.with_name(f"{path.name}.part")
        part.write_text(json.dumps({"generation": generation, "from": base, "changed": changed, **details}), encoding="utf-8")
        os.replace(part, path)

    def recorded_changes(self, generation: str) -> dict | None:
        """The changes recorded with ``generation`` (``from``, ``changed``, ...), or None."""
        try:
            found = json.loads(self._changes_path(generation).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(found, dict) or found.get("generation") != generation:
            return None
        return found

    def change_records(self, older: str, newer: str) -> list[dict] | None:
        """The records from ``newer`` back to (not including) ``older``, newest first; None
        when a generation on the way records ``"all"``, or has no record, or ``older`` is
        not reached."""
        records: list[dict] = []
        generation = newer
        for _ in range(MAX_CHANGE_STEPS):
            if generation == older:
                return records
            found = self.recorded_changes(generation)
            if found is None or not isinstance(found.get("from"), str) or not isinstance(found.get("changed"), list):
                return None
            records.append(found)
            generation = found["from"]
        return None

    def changes_between(self, older: str, newer: str) -> set[str] | None:
        """The graphs that may differ between generation ``older`` and ``newer``, or None
        when that is not known (:meth:`change_records`)."""
        records = self.change_records(older, newer)
        return None if records is None else {str(graph) for record in records for graph in record["changed"]}
