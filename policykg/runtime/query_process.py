"""What a query process does: run one job at a time on the store and send back its answer.

Run as ``python -m policykg.runtime.query_process FD STORE KEEP`` by the server's
query pool (:mod:`policykg.server.querypool`): it reads pickled jobs from the
socket FD and writes back messages (:mod:`policykg.runtime.streaming`): a large
answer as a ``head`` and chunks, and always a final ``done`` with the answer or
the failure. It ends when the socket closes or its parent goes away; the server
kills it at a job's time limit or memory bound and starts another.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
import time
from multiprocessing.connection import Connection

from policykg.runtime.executor import Failure, store_failure
from policykg.runtime.streaming import DONE, READY, send
from policykg.store import EmbeddedStore, StoreError, StoreNotBuilt, open_store


def _watch_parent() -> None:
    """Exit when the parent (the server worker) is gone, even in the middle of a query."""
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def _open(store_path: str, keep_generations: int):
    """The store: remote when the environment names one (``POLICYKG_STORE_URL``), else the embedded one at ``store_path``."""
    if os.environ.get("POLICYKG_STORE_URL") or os.environ.get("POLICYKG_STORE_QUERY_URL"):
        from policykg.config import load_settings

        return open_store(load_settings({"store": store_path}, environ={k: v for k, v in os.environ.items() if k.startswith("POLICYKG_STORE_") or k == "POLICYKG_QUERY_TIMEOUT"}))
    return EmbeddedStore(store_path, keep_generations=keep_generations)


def serve(fd: int, store_path: str, keep_generations: int) -> None:
    """Answer jobs from the socket ``fd`` until it closes."""
    serve_connection(Connection(fd), store_path, keep_generations)


def serve_connection(connection: Connection, store_path: str, keep_generations: int) -> None:
    """Say it is ready (the store opened), then answer jobs from ``connection`` until it closes."""
    threading.Thread(target=_watch_parent, daemon=True).start()
    store = _open(store_path, keep_generations)
    try:
        store.snapshot()
    except (StoreNotBuilt, OSError):
        pass  # the jobs will say so
    try:
        send(connection, (READY,))
    except OSError:
        return
    while True:
        try:
            job = pickle.loads(connection.recv_bytes())
        except (EOFError, OSError):
            return
        try:
            answer = job.run(store, connection)
        except StoreNotBuilt as error:
            answer = Failure("not-built", str(error))
        except StoreError as error:  # a remote store unreachable, past the time limit or refusing: its message says which
            answer = store_failure(error)
        except (BrokenPipeError, ConnectionResetError):
            return  # the server stopped reading (its client went away) and will replace us
        except Exception as error:  # noqa: BLE001 - the server answers 500; the trace goes to our log only
            print(f"policykg query process: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
            answer = Failure("internal", "the query process failed; the error is in the server's log")
        try:
            send(connection, (DONE, answer))
        except OSError:
            return


if __name__ == "__main__":
    # Through the package, so that the answers pickle as the package's classes, not __main__'s.
    from policykg.runtime.query_process import serve as _serve

    _serve(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]))
