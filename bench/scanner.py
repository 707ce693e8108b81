"""How long the SERVICE/LOAD scanner takes on hostile texts of a given size.

Each shape repeats one hostile pattern up to the size (1 MiB, the request limit,
by default); the scan runs three times and the least CPU time counts (the
machine is shared: wall-clock time would measure the neighbours). A shape the
scanner refuses (too deep, too long) still had to be read to the point where it
was refused: that time is shown too, marked "refused".

    .venv/bin/python bench/scanner.py [--size BYTES] [--scanner FILE] [SHAPE ...]

``--scanner FILE`` loads the scanner from another file (for instance the version
before a change, from ``git show REV:policykg/runtime/sparqlscan.py``) to compare.
Each line shows the size and seconds at the size and at a quarter of it, and their
ratio: about 4 for a linear scan, about 16 for a quadratic one.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import sys
import time


#: Every shape ends with a SERVICE call, so that the scanner cannot skip the walk.
_CALL = " SERVICE <http://a.example/> {}"


def _fill(head: str, unit: str, tail: str = "") -> callable:
    tail += _CALL

    def make(size: int) -> str:
        count = max(1, (size - len(head) - len(tail)) // len(unit))
        return head + unit * count + tail

    return make


def _random(size: int) -> str:
    pieces = ["<", ">", "'", '"', "'''", "#", "\n", "\\", ":", "SERVICE", "LOAD", "PREFIX", " ", "a", "{", "(", "?"]
    rng = random.Random(7)
    out, total = [], 0
    while total < size:
        piece = rng.choice(pieces)
        out.append(piece)
        total += len(piece)
    return "".join(out) + _CALL


SHAPES = {
    "service-glued": _fill("SELECT * { # x\n", "SERVICE", " }"),
    "service-spaced": _fill("SELECT * { ", "SERVICE ", "}"),
    "service-targets": _fill("PREFIX : <http://a.example/> SELECT * { ", "SERVICE :x {} ", "}"),
    "service-prefix-colon": _fill("SELECT * { ", "SERVICE:", "}"),
    "less-than": _fill("SELECT * { FILTER(?a", "<", ") }"),
    "iri-hash": _fill("SELECT * { ", "<#>", " }"),
    "iri-quote": _fill("SELECT * { ", "<'>", " }"),
    "iri-long-quote": _fill("SELECT * { ", "<'''>", " }"),
    "iri-unclosed": _fill("SELECT * { ", "<a", " }"),
    "quotes": _fill("SELECT * { ", "'", " }"),
    "long-quotes-unclosed": _fill("SELECT * { '''", "a'", " }"),
    "escaped-quotes": _fill("SELECT * { ?s ?p '", "\\'", "' }"),
    "deep-braces": _fill("SELECT * ", "{", ""),
    "long-comment": _fill("SELECT * { # ", "x", "\n}"),
    "comment-lines": _fill("SELECT * { ", "#\n", "}"),
    "name-dashes": _fill("SELECT * { ?s ?p ", "a-", " }"),
    "name-dots": _fill("SELECT * { ?s ?p x:", "a.", " }"),
    "name-colons": _fill("SELECT * { ?s ?p ", "a:", " }"),
    "local-escapes": _fill("SELECT * { ?s ?p x:", "\\~", " }"),
    "iri-escapes": _fill("SELECT * { ?s ?p <", "\\u0041", "> }"),
    "prefix-declarations": _fill("", "PREFIX p: <http://a.example/> ", "SELECT * { SERVICE p:x {} }"),
    "numbers-words": _fill("SELECT * { ?s ?p ", "1a", " }"),
    "variables": _fill("SELECT * { ?s ?p ", "?a-", " }"),
    "random": _random,
    # ordinary requests, for comparison: data with IRIs, strings and language tags
    "insert-data": _fill(
        "INSERT DATA { GRAPH <http://example.org/g> {\n",
        '<http://example.org/item/1> <http://www.w3.org/2000/01/rdf-schema#label> "an item (a, b; c) as-is"@en-GB .\n',
        "} }",
    ),
    "values-iris": _fill("SELECT * WHERE { VALUES ?x { ", "<http://example.org/a/b-c> ", "} ?x ?p ?o }"),
}


def load_scanner(path: str | None):
    if path is None:
        from policykg.runtime import sparqlscan

        return sparqlscan
    spec = importlib.util.spec_from_file_location("scanner_under_test", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["scanner_under_test"] = module
    spec.loader.exec_module(module)
    return module


def timed(module, text: str) -> tuple[float, str]:
    best, outcome = float("inf"), ""
    for _ in range(3):
        if hasattr(module, "clear_cache"):
            module.clear_cache()
        elif hasattr(module.scan, "cache_clear"):
            module.scan.cache_clear()
        started = time.process_time()
        try:
            result = module.scan(text)
            outcome = f"{len(result.targets)} targets"
        except (module.QueryTooComplex, getattr(module, "ScanTimeout", TimeoutError)) as error:
            outcome = f"refused: {str(error)[:60]}"
        best = min(best, time.process_time() - started)
    return best, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shapes", nargs="*", default=list(SHAPES))
    parser.add_argument("--size", type=int, default=1024 * 1024)
    parser.add_argument("--scanner", help="a sparqlscan.py to load instead of the installed one")
    args = parser.parse_args()
    module = load_scanner(args.scanner)
    print(f"{'shape':22} {'bytes':>8} {'seconds':>8} {'quarter':>8} {'ratio':>6}  outcome")
    worst = 0.0
    for name in args.shapes:
        text = SHAPES[name](args.size)
        quarter, _ = timed(module, SHAPES[name](args.size // 4))
        seconds, outcome = timed(module, text)
        worst = max(worst, seconds)
        ratio = seconds / quarter if quarter > 0 else float("nan")
        print(f"{name:22} {len(text.encode()):8d} {seconds:8.3f} {quarter:8.3f} {ratio:6.1f}  {outcome}", flush=True)
    print(f"slowest: {worst:.3f} s")


if __name__ == "__main__":
    main()
