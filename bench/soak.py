"""Soak benchmark: many keep-alive clients for a minute over what the service is used for.

    .venv/bin/python -m bench.soak --store var/store [--clients 64] [--duration 60]

Starts ``policykg serve`` (the production configuration) on a free loopback port and
drives it with ``--clients`` keep-alive connections for ``--duration`` seconds, each
going round a mix of the named queries on /sparql (with their example parameters), the
same questions through the API, and the linked-data pages of goals, bodies, projects
and activities, and the landing page. Every answer must be 200: the errors are counted
and the first ones shown. Prints p50/p95/p99 and throughput; JSON under ``bench/results/``.
Loopback only; bounded in count and time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from policykg.config import load_settings
from policykg.paths import queries_dir
from policykg.store import EmbeddedStore

from .endpoint import RESULTS, drive, free_port, query_mix, stop, wait_until_up
from .pages import targets


def mix(store: EmbeddedStore, base_iri: str) -> list[str]:
    """Paths in the order the clients go round them: questions, API answers, pages."""
    sparql = [f"/sparql?{urlencode({'query': text})}" for _, text in query_mix(queries_dir(), base_iri)]
    kinds = targets(store, base_iri, sample=20)
    pages = [p for kind, paths in kinds.items() if kind != "api" for p in paths]
    paths = []
    for index in range(max(len(sparql), len(kinds.get("api", [])), len(pages))):
        for group in (sparql, kinds.get("api", []), pages):
            if group:
                paths.append(group[index % len(group)])
    return paths + ["/"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="a server setting, as POLICYKG_NAME")
    args = parser.parse_args(argv)
    store = EmbeddedStore(args.store)
    if store.current_generation() is None:
        raise SystemExit(f"no data in {args.store}: run 'policykg build' first")
    base_iri = load_settings().base_iri
    paths = mix(store, base_iri)
    RESULTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYKG_")}
    env.update({"POLICYKG_STORE": str(args.store), "POLICYKG_ACCESS_LOG": "false"})
    env.update({f"POLICYKG_{k.strip().upper()}": v for k, _, v in (item.partition("=") for item in args.set)})
    log = RESULTS / "soak-server.log"
    with open(log, "wb") as handle:
        process = subprocess.Popen([sys.executable, "-m", "policykg.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                                   env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_up(port, "/health", process, log)
        result = drive(port, paths, args.clients, args.duration)
    finally:
        stop(process)
    report = {"store": str(args.store), "clients": args.clients, "duration_s": args.duration, "paths": len(paths), **result}
    print(f"{args.clients} clients, {args.duration:g} s: {result['requests']:,} answers, {result['errors']} errors, "
          f"{result['throughput_rps']:.0f} req/s; p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms"
          + (f"; first errors: {result['first_errors']}" if result["first_errors"] else ""))
    out = RESULTS / f"soak-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=1))
    print(f"wrote {out}")
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
