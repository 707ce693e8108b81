"""Benchmark: our /sparql against ``oxigraph serve`` on the same data, in the same run.

    .venv/bin/python -m bench.endpoint --store var/store [--duration 20] [--clients 8]

It dumps the store, loads the dump into an Oxigraph database (``oxigraph load``),
starts ``oxigraph serve --union-default-graph`` and ``policykg serve``
(the production configuration: Granian, query processes, the same time limit),
and drives each with ``--clients`` keep-alive HTTP clients for ``--duration``
seconds, running the named queries (``queries/*.rq``) in turn, their example
parameters bound the same way for both (a trailing VALUES clause). Our server is
measured without and with its result cache; the comparison that counts is
without. Prints throughput and p50/p95/p99 latency and writes JSON under
``bench/results/``.

The machine has 2 cores: the clients (two processes, so that Python's GIL does
not throttle them) compete with the server under test. Measure on a quiet machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from policykg.config import load_settings
from policykg.paths import PROJECT_ROOT, queries_dir
from policykg.runtime.querylib import load_queries
from policykg.store import EmbeddedStore

RESULTS = PROJECT_ROOT / "bench" / "results"
ACCEPT = "application/sparql-results+json"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def query_mix(directory: Path, base_iri: str) -> list[tuple[str, str]]:
    """(name, SPARQL) of each named query, with its example parameters as a trailing VALUES
    (not the federated ones: they call other people's endpoints, which a benchmark must not)."""
    iris = load_settings({"base_iri": base_iri}, environ={}).iris
    mix = []
    for name, query in load_queries(directory).items():
        if "federated" in query.tags:
            continue
        # without the metadata header and comments, as a client sends it (the header alone can
        # take a GET request line past the 8 KB that both servers accept)
        text = "\n".join(line for line in query.sparql.splitlines() if line.strip() and not line.lstrip().startswith("#"))
        bindings = query.bind(query.example, iris) if query.example else {}
        if bindings:
            names = " ".join(f"?{v.value}" for v in bindings)
            terms = " ".join(str(t) for t in bindings.values())
            text = f"{text}\nVALUES ({names}) {{ ({terms}) }}"
        mix.append((name, text))
    return mix


def wait_until_up(port: int, path: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            if connection.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"server on port {port} did not come up: {log.read_text(errors='replace')[-2000:]}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _client(port: int, paths: list[str], start: float, warmup: float, end: float, offset: int, queue) -> None:
    """One keep-alive client: requests in turn until ``end``; reports latencies after ``warmup``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    latencies, errors, index, first_error = [], 0, offset, None
    while True:
        now = time.perf_counter()
        if now >= end:
            break
        path = paths[index % len(paths)]
        index += 1
        try:
            connection.request("GET", path, headers={"Accept": ACCEPT})
            response = connection.getresponse()
            body = response.read()
            ok = response.status == 200
            if not ok and first_error is None:
                first_error = f"{response.status} {body[:200]!r} for {path[:120]}"
        except (OSError, http.client.HTTPException) as error:
            first_error = first_error or repr(error)
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            ok = False
        done = time.perf_counter()
        if now >= start + warmup:
            if ok:
                latencies.append(done - now)
            errors += not ok
    queue.put((latencies, errors, first_error))


def _client_process(port, paths, start, warmup, end, offsets, queue) -> None:
    import threading

    threads = [
        threading.Thread(target=_client, args=(port, paths, start, warmup, end, offset, queue)) for offset in offsets
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def drive(port: int, paths: list[str], clients: int, duration: float, warmup: float = 2.0) -> dict:
    """``clients`` clients in two processes for ``warmup`` + ``duration`` seconds."""
    queue = multiprocessing.get_context("fork").Queue()
    start = time.perf_counter() + 0.5
    end = start + warmup + duration
    groups = [list(range(0, clients, 2)), list(range(1, clients, 2))]
    processes = [
        multiprocessing.get_context("fork").Process(
            target=_client_process, args=(port, paths, start, warmup, end, group, queue)
        )
        for group in groups
        if group
    ]
    for process in processes:
        process.start()
    latencies, errors, first_errors = [], 0, []
    for _ in range(clients):
        got, failed, first = queue.get()
        latencies += got
        errors += failed
        if first:
            first_errors.append(first)
    for process in processes:
        process.join()
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000 if latencies else float("nan")

    return {
        "requests": len(latencies),  # answered with 200 (only these count)
        "errors": errors,
        "first_errors": first_errors[:3],
        "throughput_rps": len(latencies) / duration,
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="a policykg store directory (what 'policykg build' writes)")
    parser.add_argument("--queries", type=Path, default=None, help="directory of named queries (default: queries/)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds measured per server")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="our server worker processes")
    parser.add_argument("--timeout", type=float, default=30.0, help="our query time limit")
    parser.add_argument("--oxigraph-timeout", action="store_true",
                        help="also give oxigraph serve the limit (--timeout-s; it fails under load, see above)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting of our server (e.g. threads=4), as POLICYKG_NAME")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)

    store = EmbeddedStore(args.store)
    if store.current_generation() is None:
        raise SystemExit(f"no data in {args.store}: run 'policykg build' first")
    oxigraph = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if not oxigraph:
        raise SystemExit("the oxigraph CLI is not installed: pip install oxigraph==0.5.13 (make install does)")
    settings = load_settings({"store": args.store})
    mix = query_mix(args.queries or queries_dir(), settings.base_iri)
    work = Path(tempfile.mkdtemp(prefix="policykg-bench-"))
    report: dict = {
        "store": str(args.store),
        "generation": store.current_generation(),
        "quads": len(store),
        "queries": [name for name, _ in mix],
        "clients": args.clients,
        "duration_s": args.duration,
        "cpus": os.cpu_count(),
        "timeout_s": args.timeout,
        "settings": args.set,
        "results": {},
    }
    try:
        dump = work / "dump.nq"
        store.reader().dump(str(dump), format=ox.RdfFormat.N_QUADS)
        subprocess.run([oxigraph, "load", "--location", str(work / "oxigraph"), "--file", str(dump)], check=True, capture_output=True)

        runs = [
            ("oxigraph", None),
            ("policykg", 0),
            ("policykg+cache", 64 * 1024 * 1024),
        ]
        for label, cache in runs:
            port = free_port()
            log = work / f"{label}.log"
            if cache is None:
                command = [oxigraph, "serve", "--location", str(work / "oxigraph"), "--bind", f"127.0.0.1:{port}",
                           "--union-default-graph"]
                if args.oxigraph_timeout:
                    # oxigraph 0.5.13 starts a watchdog thread per query that lives for the whole
                    # limit: at ~1000 req/s and 30 s that is ~30 000 threads, then every request
                    # fails with "Resource temporarily unavailable (os error 11)". Off by default.
                    command += ["--timeout-s", str(int(args.timeout))]
                env = os.environ.copy()
                prefix = "/query?query="
                probe = "/query?query=" + quote("ASK {}")
            else:
                command = [sys.executable, "-m", "policykg.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                           "--workers", str(args.workers)]
                env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYKG_")}
                env.update({"POLICYKG_STORE": str(args.store), "POLICYKG_QUERY_TIMEOUT": str(args.timeout),
                            "POLICYKG_RESULT_CACHE_BYTES": str(cache)})
                env.update({f"POLICYKG_{k.strip().upper()}": v for k, _, v in (item.partition("=") for item in args.set)})
                prefix = "/sparql?query="
                probe = "/health"
            with open(log, "wb") as handle:
                process = subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                wait_until_up(port, probe, process, log)
                paths = [prefix + quote(text) for _, text in mix]
                result = drive(port, paths, args.clients, args.duration)
            finally:
                stop(process)
            report["results"][label] = result
            print(f"{label:15} {result['throughput_rps']:8.1f} req/s  p50 {result['p50_ms']:7.2f} ms  "
                  f"p95 {result['p95_ms']:7.2f} ms  p99 {result['p99_ms']:7.2f} ms  errors {result['errors']}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ours, theirs = report["results"]["policykg"], report["results"]["oxigraph"]
    report["ratios"] = {
        "throughput": ours["throughput_rps"] / theirs["throughput_rps"],
        "p99": ours["p99_ms"] / theirs["p99_ms"],
        "throughput_with_cache": report["results"]["policykg+cache"]["throughput_rps"] / theirs["throughput_rps"],
        "p99_with_cache": report["results"]["policykg+cache"]["p99_ms"] / theirs["p99_ms"],
    }
    print(f"ratios (without cache): throughput {report['ratios']['throughput']:.2f} (goal >= 0.8), "
          f"p99 {report['ratios']['p99']:.2f} (goal <= 1.5)")
    print(f"ratios (with cache):    throughput {report['ratios']['throughput_with_cache']:.2f}, "
          f"p99 {report['ratios']['p99_with_cache']:.2f}")
    out = args.out or RESULTS / f"endpoint-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
