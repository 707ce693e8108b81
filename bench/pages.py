"""Benchmark: latency of the API's questions and of resource pages under concurrent clients.

    .venv/bin/python -m bench.pages --store var/store [--duration 15] [--clients 8]

On a remote store, the ``POLICYKG_STORE_*`` settings of the environment (its URLs and
credentials) go to the server it starts; ``--store`` is then the local directory.

It starts the production server (``policykg serve``: Granian, query processes)
on the store, picks its targets from the data (every named query with its
example parameters, as JSON; the goal, the body, some projects and some
activities with the most links, as HTML pages) and drives each kind of target
with ``--clients`` keep-alive clients for ``--duration`` seconds. Each kind runs
twice: without the result cache (every answer computed) and with it (answers
kept per store generation, as served by default). Prints p50/p95/p99 per kind
and writes JSON under ``bench/results/``.

The machine has 2 cores: the clients (two processes) compete with the server.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from policykg.config import load_settings
from policykg.paths import queries_dir
from policykg.runtime.querylib import load_queries
from policykg.store import EmbeddedStore, open_store

from .endpoint import RESULTS, drive, free_port, stop, wait_until_up

PKG = "https://w3id.org/policykg/ontology#"
#: The most linked goal and body (the heaviest pages), and a sample of projects and activities.
BUSIEST = """
PREFIX pkg: <https://w3id.org/policykg/ontology#>
SELECT ?item (COUNT(?w) AS ?n) WHERE {{ ?item a <{cls}> . OPTIONAL {{ ?w <{prop}> ?item }} }}
GROUP BY ?item ORDER BY DESC(?n) ?item LIMIT 1"""
SAMPLE = "SELECT ?item WHERE {{ ?item a <{cls}> }} LIMIT 2000"


def _one(store: EmbeddedStore, cls: str, prop: str) -> list[str]:
    return [row["item"].value for row in store.query(BUSIEST.format(cls=cls, prop=prop))]


def _sample(store: EmbeddedStore, cls: str, count: int, rng: random.Random) -> list[str]:
    found = [row["item"].value for row in store.query(SAMPLE.format(cls=cls))]
    return sorted(rng.sample(found, min(count, len(found))))


def targets(store: EmbeddedStore, base_iri: str, sample: int, seed: int = 7) -> dict[str, list[str]]:
    """Paths of each kind of target (kinds without data are left out)."""
    rng = random.Random(seed)
    settings = load_settings({"base_iri": base_iri}, environ={})
    iris = settings.iris

    def path(iri: str) -> str:
        relative = iris.relative(iri)
        return "/" + relative + ".html" if relative is not None else "/resource?" + urlencode({"iri": iri, "format": "html"})

    api = []
    for name, query in load_queries(queries_dir()).items():
        tagged = "traceability" in query.tags
        api.append((tagged, f"/api/{name}.json" + ("?" + urlencode(query.example) if query.example else "")))
    traceability = [p for tagged, p in api if tagged]
    kinds = {
        "api": traceability or [p for _, p in api],
        "goal page": [path(i) for i in _one(store, PKG + "Goal", PKG + "servesGoal")],
        "body page": [path(i) for i in _one(store, PKG + "Body", PKG + "responsibleBody")],
        "project page": [path(i) for i in _sample(store, PKG + "Project", sample, rng)],
        "activity page": [path(i) for i in _sample(store, PKG + "Activity", sample, rng)],
    }
    return {kind: paths for kind, paths in kinds.items() if paths}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="a policykg store directory (what 'policykg build' writes)")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds measured per kind of target and run")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--sample", type=int, default=50, help="how many projects and activities to visit")
    parser.add_argument("--base-iri", default=None, help="the base IRI the store was built with (default: the configured one)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="a server setting, as POLICYKG_NAME")
    parser.add_argument("--kinds", default=None, help="only these kinds of target, comma-separated (api, goal page, body page, project page, activity page)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)

    store = open_store(load_settings({"store": str(args.store)}))
    if store.current_generation() is None:
        raise SystemExit(f"no data in {args.store}: run 'policykg build' first")
    base_iri = args.base_iri or load_settings().base_iri
    kinds = targets(store, base_iri, args.sample)
    if args.kinds:
        wanted = [kind.strip() for kind in args.kinds.split(",")]
        unknown = [kind for kind in wanted if kind not in kinds]
        if unknown:
            raise SystemExit(f"--kinds: no such kind of target: {', '.join(unknown)} (there are: {', '.join(kinds)})")
        kinds = {kind: kinds[kind] for kind in wanted}
    report: dict = {
        "store": str(args.store),
        "generation": store.current_generation(),
        "quads": len(store),
        "clients": args.clients,
        "duration_s": args.duration,
        "cpus": os.cpu_count(),
        "targets": kinds,
        "results": {},
    }
    work = Path(tempfile.mkdtemp(prefix="policykg-bench-pages-"))
    for label, cache in (("no cache", 0), ("cache", 64 * 1024 * 1024)):
        port = free_port()
        log = work / f"server-{cache}.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYKG_") or k.startswith("POLICYKG_STORE_")}
        env.update({"POLICYKG_STORE": str(args.store), "POLICYKG_BASE_IRI": base_iri, "POLICYKG_RESULT_CACHE_BYTES": str(cache),
                    "POLICYKG_ACCESS_LOG": "false"})
        env.update({f"POLICYKG_{k.strip().upper()}": v for k, _, v in (item.partition("=") for item in args.set)})
        command = [sys.executable, "-m", "policykg.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers)]
        with open(log, "wb") as handle:
            process = subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_until_up(port, "/health", process, log)
            for kind, paths in kinds.items():
                result = drive(port, paths, args.clients, args.duration)
                report["results"].setdefault(label, {})[kind] = result
                print(f"{label:9} {kind:14} {result['throughput_rps']:8.1f} req/s  p50 {result['p50_ms']:8.2f} ms  "
                      f"p95 {result['p95_ms']:8.2f} ms  p99 {result['p99_ms']:8.2f} ms  errors {result['errors']}"
                      + (f"  first: {result['first_errors'][0]}" if result["first_errors"] else ""), flush=True)
        finally:
            stop(process)
    out = args.out or RESULTS / f"pages-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
