"""Benchmark of the program's rules (policykg check) and of the annual report, on a built store.

    .venv/bin/python -m bench.checks --store STORE [--as-of 2026-12-04] [--year 2024] [--runs 3] [--pyshacl]

Times :func:`policykg.compliance.evaluate.evaluate` (every rule's SPARQL query
run once on the pyoxigraph store, as ``policykg check`` does) ``--runs`` times,
with each rule's share, and then gathers and renders the annual report of
``--year`` (whole municipality; HTML, PDF, xlsx). With ``--pyshacl`` it also
runs the same rules through pySHACL over an in-memory rdflib copy of the store,
as the reference, and gives the ratio (only for small stores: an rdflib copy of
the 1 M-activity set does not fit in memory). Figures go to stdout and, as
JSON, to ``bench/results/checks-*.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: pySHACL is tried only below this many quads (an rdflib graph needs about 1 KiB per triple).
PYSHACL_LIMIT = 2_000_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--as-of", default="2026-12-04")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-report", action="store_true", help="time the checks only")
    parser.add_argument("--pyshacl", action="store_true", help="also run pySHACL on an rdflib copy (small stores only)")
    args = parser.parse_args()

    from policykg.compliance.evaluate import CheckContext, evaluate
    from policykg.compliance.rules import load_rules
    from policykg.config import load_settings
    from policykg.store import EmbeddedStore

    settings = load_settings({"store": args.store}, environ={})
    reader = EmbeddedStore(args.store).reader()
    quads = len(reader)
    rules = load_rules(settings.base_iri)
    context = CheckContext(dt.date.fromisoformat(args.as_of), settings.follow_up_due)
    runs, per_rule, findings = [], {}, 0
    for _ in range(args.runs):
        started = time.perf_counter()
        evaluation = evaluate(reader, rules, context)
        runs.append(time.perf_counter() - started)
        for key, seconds in evaluation.seconds.items():
            per_rule.setdefault(key, []).append(seconds)
        findings = len(evaluation.findings)
    result = {
        "store": str(args.store), "quads": quads, "as_of": args.as_of, "rules": len(rules.rules), "findings": findings,
        "check_seconds": {"min": min(runs), "median": statistics.median(runs), "runs": runs},
        "per_rule_median": {k: statistics.median(v) for k, v in sorted(per_rule.items(), key=lambda kv: -statistics.median(kv[1]))},
    }
    print(f"{quads:,} quads, {len(rules.rules)} rules, {findings:,} findings")
    print(f"check: median {result['check_seconds']['median']:.1f} s, min {result['check_seconds']['min']:.1f} s over {args.runs} runs")
    for key, seconds in list(result["per_rule_median"].items())[:6]:
        print(f"  {key:<32} {seconds:6.2f} s")

    if not args.no_report:
        _time_report(reader, settings, args.year, result)
    if args.pyshacl:
        result["pyshacl"] = _pyshacl(reader, rules, args.as_of, quads, result["check_seconds"]["median"])
    out = ROOT / "bench" / "results" / f"checks-{dt.datetime.now():%Y%m%dT%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")


def _time_report(reader, settings, year: int, result: dict) -> None:
    """Gather the report of ``year`` (each named query timed) and render it as HTML, PDF and xlsx."""
    from policykg.report import data as report_data
    from policykg.report.render import RENDERERS

    queries: dict[str, float] = {}
    ask_rows = report_data._Asker.rows

    def timed(asker, name, params):
        started = time.perf_counter()
        try:
            return ask_rows(asker, name, params)
        finally:
            queries[name] = queries.get(name, 0.0) + time.perf_counter() - started

    report_data._Asker.rows = timed
    started = time.perf_counter()
    try:
        report = report_data.gather(reader, settings, year)
    finally:
        report_data._Asker.rows = ask_rows
    gathered = time.perf_counter() - started
    rendered = {}
    for fmt in ("html", "pdf", "xlsx"):
        started = time.perf_counter()
        content = RENDERERS[fmt](report, "sv", "")
        rendered[fmt] = {"seconds": time.perf_counter() - started, "bytes": len(content)}
    result["report"] = {"year": year, "gather_seconds": gathered, "queries": queries, "render": rendered}
    print(f"report {year}: gathered in {gathered:.1f} s; " + ", ".join(f"{f} {r['seconds']:.1f} s ({r['bytes']:,} bytes)" for f, r in rendered.items()))
    for name, seconds in sorted(queries.items(), key=lambda kv: -kv[1])[:6]:
        print(f"  {name:<32} {seconds:6.2f} s")


def _pyshacl(reader, rules, as_of: str, quads: int, ours: float) -> dict:
    if quads > PYSHACL_LIMIT:
        print(f"pySHACL: not run ({quads:,} quads; an rdflib copy of more than {PYSHACL_LIMIT:,} does not fit here)")
        return {"skipped": quads}
    import pyoxigraph as ox
    from pyshacl import validate
    from rdflib import Graph, Literal

    from policykg.namespaces import PKG, SH

    started = time.perf_counter()
    data = Graph().parse(data=ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in reader.quads_for_pattern(None, None, None, None)),
                                           format=ox.RdfFormat.N_TRIPLES), format="nt")
    copied = time.perf_counter() - started
    shapes = Graph() + rules.graph
    shapes.set((PKG.asOf, SH.select, Literal(f'SELECT ?result WHERE {{ BIND ("{as_of}"^^xsd:date AS ?result) }}')))
    started = time.perf_counter()
    validate(data, shacl_graph=shapes, advanced=True, inference="none", allow_warnings=True)
    seconds = time.perf_counter() - started
    print(f"pySHACL (reference): {seconds:.1f} s (+ {copied:.1f} s to copy into rdflib); ours is {seconds / ours:.0f} times faster")
    return {"seconds": seconds, "copy_seconds": copied, "ratio": seconds / ours}


if __name__ == "__main__":
    main()
