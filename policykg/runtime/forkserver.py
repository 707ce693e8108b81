"""Where query processes come from: a small process that has already imported what they
run, and forks one on request. A fresh interpreter takes over a second to start while
long queries hold the CPU; a fork of this one answers in milliseconds.

Run as ``python -m policykg.runtime.forkserver FD STORE KEEP`` by the server's query
pool. It reads requests on the socket FD: each carries one end of a new socket pair
(passed as a file descriptor); it forks a child that serves jobs on it
(:func:`policykg.runtime.query_process.serve`) and answers with the child's pid. It
is single-threaded, so forking is safe; it reaps its children, and it exits when the
socket closes (its worker is gone), after which its children exit too.
"""

from __future__ import annotations

import os
import signal
import socket
import struct
import sys

# What every query process needs, imported once here rather than in each child.
from policykg.runtime import describe, executor, query_process  # noqa: F401


def _reap(*_) -> None:
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def main(fd: int, store: str, keep: int) -> None:
    control = socket.socket(fileno=fd)
    signal.signal(signal.SIGCHLD, _reap)
    while True:
        try:
            message, fds, _flags, _address = socket.recv_fds(control, 16, 1)
        except InterruptedError:
            continue
        except OSError:
            return
        if not message:
            return  # the worker is gone
        child_fd = fds[0]
        pid = os.fork()
        if pid == 0:
            control.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            try:
                query_process.serve(child_fd, store, keep)
            finally:
                os._exit(0)
        os.close(child_fd)
        try:
            control.sendall(struct.pack("!i", pid))
        except OSError:
            return


if __name__ == "__main__":
    from policykg.runtime.forkserver import main as _main

    _main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]))
