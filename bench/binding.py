"""Benchmark of how a named query's parameters are bound on the embedded store.

    .venv/bin/python -m bench.binding --store STORE [--only NAME ...] [--runs 1]

Asks each named query that has parameters, with its header's example, twice in the same run
on the published generation of ``STORE``: with pyoxigraph's substitutions (SEP-0007, the
reference: what the service did until 2026-12-06) and with the parameters written as VALUES
blocks (:func:`policykg.runtime.binding.bind`, what it does now), and gives the ratio. Both
must give the same rows (else it says so and exits 1). Figures go to stdout and, as JSON,
to ``bench/results/binding-*.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--only", nargs="*", default=None, help="these named queries only")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()

    from policykg.config import load_settings
    from policykg.paths import queries_dir
    from policykg.runtime.binding import bind
    from policykg.runtime.querylib import load_queries
    from policykg.store import EmbeddedStore

    settings = load_settings({"store": args.store}, environ={})
    reader = EmbeddedStore(args.store).reader()
    library = load_queries(queries_dir())
    names = args.only or [name for name, query in library.items() if query.parameters and query.example]
    result, same = {"store": str(args.store), "quads": len(reader), "queries": {}}, True

    def timed(text: str, substitutions) -> tuple[float, list]:
        started = time.perf_counter()
        solutions = reader.query(text, use_default_graph_as_union=True, **({"substitutions": substitutions} if substitutions else {}))
        columns = [variable.value for variable in solutions.variables]
        rows = sorted(tuple(str(solution[c]) for c in columns) for solution in solutions)
        return time.perf_counter() - started, rows

    print(f"{result['quads']:,} quads; seconds, median of {args.runs}")
    for name in names:
        query = library[name]
        substitutions = query.bind(query.example or {}, settings.iris)
        by_substitution, by_values = [], []
        for _ in range(args.runs):
            seconds, reference = timed(query.sparql, substitutions)
            by_substitution.append(seconds)
            seconds, ours = timed(bind(query.sparql, substitutions), None)
            by_values.append(seconds)
            if ours != reference:
                same = False
                print(f"  {name}: the rows differ ({len(reference)} by substitution, {len(ours)} by VALUES)")
        reference_s, ours_s = statistics.median(by_substitution), statistics.median(by_values)
        result["queries"][name] = {"example": query.example, "rows": len(reference), "substitutions": by_substitution,
                                   "values": by_values, "speed_ratio": reference_s / ours_s if ours_s else None}
        print(f"  {name:<28} {len(reference):>8} rows  substitutions {reference_s:8.2f}  VALUES {ours_s:8.2f}"
              f"  ({reference_s / ours_s if ours_s else float('nan'):.2f}x)", flush=True)
    out = ROOT / "bench" / "results" / f"binding-{dt.datetime.now():%Y%m%dT%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
