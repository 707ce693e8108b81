"""``python -m policykg.compaction STORE QUIET``: compact what small writes left, in the background.

A SPARQL update or a graph store write publishes a checkpoint of the previous
generation plus its change, uncompacted (compacting a large store for one quad
would take minutes). Readers then look through many overlapping files: on BSBM
data loaded through the graph store protocol, a query took twice as long. So each
such write starts this process: it waits until no write has come for ``QUIET``
seconds, then compacts the published generation aside and publishes it in its
place (:meth:`policykg.store.EmbeddedStore.compact`). One runs at a time (a lock
file); the others wait for it and find nothing left to do.
"""

from __future__ import annotations

import fcntl
import shutil
import sys
import time
from pathlib import Path

from policykg.store import COMPACT_PREFIX, COMPACTING, EmbeddedStore

POLL = 0.2


def wait_for_quiet(store: EmbeddedStore, quiet: float) -> None:
    """Until the published generation has not changed for ``quiet`` seconds."""
    seen, since = store.current_generation(), time.monotonic()
    while time.monotonic() - since < quiet:
        time.sleep(POLL)
        now = store.current_generation()
        if now != seen:
            seen, since = now, time.monotonic()


def main(path: str, quiet: float) -> None:
    store = EmbeddedStore(Path(path))
    with open(store.path / COMPACTING, "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one at a time; the next finds what is left
        for leftover in store.path.glob(f"{COMPACT_PREFIX}*"):  # of one that was killed
            shutil.rmtree(leftover, ignore_errors=True)
        while store.uncompacted():
            wait_for_quiet(store, quiet)
            store.compact()


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]))
