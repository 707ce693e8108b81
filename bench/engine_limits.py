"""How deep or long a query can be before pyoxigraph's query process dies or hangs.

Each probe runs one query on an empty ``pyoxigraph.Store()`` in a fresh Python
process (its main thread, default stack, as in a query process of the server) and
reads how it ended: answered, refused (SyntaxError or another Python error),
crashed (killed by a signal: a stack overflow aborts the process) or hung (no end
within the probe's timeout). For each shape the size doubles until the process
crashes or hangs or the text passes 1 MiB (the request limit), then a bisection
finds the first size that fails, to within 3 %.

    .venv/bin/python bench/engine_limits.py [SHAPE ...] [--timeout S]

It prints one line a shape: the largest size that worked, the smallest that
failed and how, and the query's size in bytes there. The limits in
``policykg.runtime.sparqlscan`` are set well below these figures.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

#: Runs the query on stdin; exit 0 with "ok"/"refused: ..." on stdout, or dies.
PROBE = r"""
import sys, pyoxigraph as ox
text = sys.stdin.read()
update = text.startswith("#update")
try:
    if update:
        ox.Store().update(text)
    else:
        result = ox.Store().query(text)
        if not isinstance(result, ox.QueryBoolean):
            for _ in result:
                pass
    print("ok")
except Exception as error:
    print("refused:", type(error).__name__, str(error)[:100].replace("\n", " "))
"""

MAX_BYTES = 1024 * 1024


def _nested(open_: str, close: str, middle: str = "", head: str = "SELECT * WHERE ", tail: str = ""):
    return lambda n: head + open_ * n + middle + close * n + tail


def _repeated(unit: str, head: str, tail: str, join: str = ""):
    return lambda n: head + join.join(unit.format(i=i) for i in range(n)) + tail


SHAPES = {
    # nesting
    "groups": _nested("{", "}"),
    "groups-with-triple": _nested("{", "}", " ?s ?p ?o "),
    "parentheses": _nested("(", ")", "1", "SELECT * WHERE { FILTER(", ") }"),
    "subqueries": _nested("{ SELECT * WHERE ", "}", "{}"),
    "optional-nested": _nested("OPTIONAL { ", "}", "", "SELECT * WHERE { ", "}"),
    "minus-nested": _nested("MINUS { ", "}", "", "SELECT * WHERE { ?s ?p ?o ", "}"),
    "graph-nested": _nested("GRAPH ?g { ", "}", "", "SELECT * WHERE { ", "}"),
    "exists-nested": _nested("FILTER EXISTS { ", "}", "", "SELECT * WHERE { ", "}"),
    "function-calls": _nested("STR(", ")", "1", "SELECT * WHERE { FILTER(", ") }"),
    "not-operators": _nested("!", "", "true", "SELECT * WHERE { FILTER(", ") }"),
    "path-parentheses": _nested("(", ")", "a", "SELECT * WHERE { ?s ", " ?o }"),
    "path-inverse": _nested("^", "", "a", "SELECT * WHERE { ?s ", " ?o }"),
    "blank-node-lists": _nested("[ a ", " ]", "1", "SELECT * WHERE { ?s a ", " }"),
    "collections": _nested("(", ")", "", "SELECT * WHERE { ?s a ", " }"),
    "update-groups": _nested("{", "}", "", "#update\nDELETE WHERE { ?s ?p ?o } ; INSERT { ?s ?p ?o } WHERE "),
    "construct-blank-nodes": _nested("[ a ", " ]", "1", "CONSTRUCT { ?s a ", " } WHERE {}"),
    "reifiers": _nested("<< ", " >> ?p ?o", "?s ?p ?o", "SELECT * WHERE { ", " }"),
    "triple-terms": _nested("<<( ?s ?p ", " )>>", "?o", "SELECT * WHERE { ?s ?p ", " }"),
    # length
    "optional-chain": _repeated("OPTIONAL {{ ?s ?p ?o{i} }} ", "SELECT * WHERE { ?s ?p ?o ", "}"),
    "union-chain": _repeated("{{ BIND({i} AS ?x) }}", "SELECT * WHERE { ", " }", " UNION "),
    "minus-chain": _repeated("MINUS {{ ?s ?p {i} }} ", "SELECT * WHERE { ?s ?p ?o ", "}"),
    "filters": _repeated("FILTER(true) ", "SELECT * WHERE { ", "}"),
    "triple-patterns": _repeated("?s{i} ?p ?o{i} . ", "SELECT * WHERE { ", "}"),
    "binds": _repeated("BIND({i} AS ?v{i}) ", "SELECT * WHERE { ", "}"),
    "plus-terms": _repeated("{i}", "SELECT * WHERE { FILTER(", ") }", "+"),
    "or-terms": _repeated("true", "SELECT * WHERE { FILTER(", ") }", "||"),
    "and-terms": _repeated("true", "SELECT * WHERE { FILTER(", ") }", "&&"),
    "concat-arguments": _repeated('"{i}"', "SELECT * WHERE { FILTER(CONCAT(", ")) }", ","),
    "in-list": _repeated("{i}", "SELECT * WHERE { FILTER(1 IN (", ")) }", ","),
    "path-sequence": _repeated("a", "SELECT * WHERE { ?s ", " ?o }", "/"),
    "path-alternatives": _repeated("a", "SELECT * WHERE { ?s ", " ?o }", "|"),
    "values-rows": _repeated("({i})", "SELECT * WHERE { VALUES (?x) { ", " } }", " "),
    "select-expressions": _repeated("({i} AS ?v{i})", "SELECT ", " WHERE {}", " "),
    "construct-triples": _repeated("?s ?p ?o{i} . ", "CONSTRUCT { ", "} WHERE {}"),
    "object-lists": _repeated("?o{i}", "SELECT * WHERE { ?s ?p ", " }", ", "),
    "update-operations": _repeated("CLEAR SILENT DEFAULT", "#update\n", "", " ; "),
}


def probe(text: str, timeout: float) -> str:
    """'ok', 'refused: ...', 'crashed (signal N)', or 'hung'."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", PROBE], input=text, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return "hung"
    if done.returncode < 0:
        last = (done.stderr.strip().splitlines() or [""])[-1][:80]
        return f"crashed (signal {-done.returncode}: {last})"
    if done.returncode != 0:
        return f"crashed (exit {done.returncode})"
    return done.stdout.strip()


def _fails(outcome: str) -> bool:
    return outcome.startswith(("crashed", "hung"))


def limit_of(name: str, timeout: float) -> str:
    make = SHAPES[name]
    good, bad, how = 0, None, ""
    n, last_outcome = 16, ""
    while len(make(n).encode()) <= MAX_BYTES:
        outcome = probe(make(n), timeout)
        if _fails(outcome):
            bad, how = n, outcome
            break
        good, last_outcome = n, outcome
        n *= 2
    if bad is None:
        return f"{name}: no failure up to {good} ({len(make(good).encode())} bytes; last: {last_outcome[:60]})"
    while bad - good > max(1, good // 32):
        middle = (good + bad) // 2
        outcome = probe(make(middle), timeout)
        if _fails(outcome):
            bad, how = middle, outcome
        else:
            good, last_outcome = middle, outcome
    return (
        f"{name}: works at {good} ({last_outcome[:40]}), fails at {bad} "
        f"({len(make(bad).encode())} bytes): {how}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shapes", nargs="*", default=list(SHAPES))
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()
    for name in args.shapes:
        started = time.monotonic()
        print(limit_of(name, args.timeout), f"[{time.monotonic() - started:.0f} s]", flush=True)


if __name__ == "__main__":
    main()
