"""Benchmark: ordinary requests while many slow or idle clients hold connections open.

    .venv/bin/python -m bench.slowclients --store var/store [--slow 1000] [--requests 500]

Starts ``policykg serve`` (the production configuration) on a free loopback port, opens
``--slow`` connections that each send a request line and then one header line a second
(never finishing the request; slowloris), plus as many idle keep-alive connections, and
while they are open sends ``--requests`` ``ASK {}`` queries to /sparql one after another
on a connection of its own: p50, p95, p99 and the maximum, with and without the slow
clients. Loopback only; bounded in count and time. JSON under ``bench/results/``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from policykg.paths import PROJECT_ROOT

RESULTS = PROJECT_ROOT / "bench" / "results"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentiles(values: list[float]) -> dict:
    values = sorted(values)
    pick = lambda q: values[min(len(values) - 1, int(q * len(values)))] * 1000  # noqa: E731
    return {"p50_ms": pick(0.5), "p95_ms": pick(0.95), "p99_ms": pick(0.99), "max_ms": values[-1] * 1000, "n": len(values)}


def asks(port: int, count: int) -> list[float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        connection.request("GET", "/sparql?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"})
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"ASK answered {response.status}")
        timings.append(time.perf_counter() - started)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--slow", type=int, default=1000, help="slow (and as many idle) connections")
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * args.slow + 256)), hard))
    RESULTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYKG_")}
    env.update({"POLICYKG_STORE": str(args.store), "POLICYKG_ACCESS_LOG": "false"})
    log = open(RESULTS / "slowclients-server.log", "wb")
    server = subprocess.Popen([sys.executable, "-m", "policykg.cli", "serve", "--port", str(port)], env=env,
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    sockets: list[socket.socket] = []
    stop = threading.Event()
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                asks(port, 1)
                break
            except (OSError, SystemExit):
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start")
                time.sleep(0.2)
        asks(port, 50)  # warm
        quiet = asks(port, args.requests)
        for index in range(args.slow):
            slow = socket.create_connection(("127.0.0.1", port))
            slow.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            sockets.append(slow)
            idle = socket.create_connection(("127.0.0.1", port))
            sockets.append(idle)

        def trickle() -> None:
            while not stop.is_set():
                for sock in sockets[::2]:
                    try:
                        sock.sendall(b"X-Slow: 1\r\n")
                    except OSError:
                        pass
                stop.wait(1.0)

        threading.Thread(target=trickle, daemon=True).start()
        time.sleep(2)
        loaded = asks(port, args.requests)
        result = {
            "slow_connections": args.slow,
            "idle_connections": args.slow,
            "without": percentiles(quiet),
            "with": percentiles(loaded),
        }
        print(json.dumps(result, indent=1))
        out = RESULTS / f"slowclients-{time.strftime('%Y%m%dT%H%M%S')}.json"
        out.write_text(json.dumps(result, indent=1))
        print(f"wrote {out}")
    finally:
        stop.set()
        for sock in sockets:
            sock.close()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
        log.close()


if __name__ == "__main__":
    main()
