"""The SPARQL scanner: every SERVICE/LOAD target pyoxigraph would call, and no false ones
in strings or comments; checked against pyoxigraph itself (does it really connect?)."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time

import pyoxigraph as ox
import pytest

from policykg.runtime.sparqllimits import MAX_DEPTH, MAX_KEYWORDS, MAX_OPERATORS, MAX_UNARY
from policykg.runtime.sparqlscan import QueryTooComplex, ScanTimeout, _Walk, scan, with_using


@pytest.fixture(scope="module")
def listener():
    """A loopback TCP port that counts the connections pyoxigraph makes to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    hits = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                connection, _ = server.accept()
                hits.append(1)
                connection.close()
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], hits
    stop.set()
    thread.join()
    server.close()


def pyoxigraph_calls(query: str, port: int, hits: list) -> bool:
    before = len(hits)
    try:
        ox.Store().query(query)
    except (OSError, SyntaxError, RuntimeError, ValueError):
        pass
    import time

    time.sleep(0.05)
    return len(hits) > before


CALLS = [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:PORT/> { ?s ?p ?o } }",
    "select * where { service <http://127.0.0.1:PORT/> { ?s ?p ?o } }",
    "SELECT * WHERE { sErViCe SILENT <http://127.0.0.1:PORT/> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICESILENT<http://127.0.0.1:PORT/>{ ?s ?p ?o } }",
    "PREFIX : <http://127.0.0.1:PORT/> SELECT * WHERE { SERVICE:x{ ?s ?p ?o } }",
    "PREFIX x: <http://127.0.0.1:PORT/> SELECT * WHERE { SERVICE x:sparql { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE#comment\n<http://127.0.0.1:PORT/> { ?s ?p ?o } }",
    r"SELECT * WHERE { SERVICE <http:\u002F/127.0.0.1:PORT/> { ?s ?p ?o } }",
    # '<' read as less-than by the parser: the string after it is not what a naive scanner thinks
    "SELECT * WHERE { BIND(1 AS ?a) FILTER(?a<'#>' || true) SERVICE <http://127.0.0.1:PORT/> { } FILTER(?a != '') }",
    "SELECT * WHERE { BIND(1 AS ?x) OPTIONAL { SERVICE <http://127.0.0.1:PORT/> { ?a ?b ?c } } }",
]
NO_CALLS = [
    "SELECT * WHERE { ?s ?p \"SERVICE <http://127.0.0.1:PORT/> { }\" }",
    "SELECT * WHERE { ?s ?p '''\nSERVICE <http://127.0.0.1:PORT/> { }\n''' }",
    "SELECT * WHERE { ?s ?p ?o # SERVICE <http://127.0.0.1:PORT/> { }\n }",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:service ?o . ?service ?p ?o }",
    "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
]


@pytest.mark.parametrize("template", CALLS)
def test_every_call_pyoxigraph_makes_is_found(listener, template):
    port, hits = listener
    query = template.replace("PORT", str(port))
    assert pyoxigraph_calls(query, port, hits), "the case should make pyoxigraph connect"
    targets = scan(query).targets
    assert [t.iri for t in targets] == [f"http://127.0.0.1:{port}/" + ("x" if "SERVICE:x" in query else "sparql" if "x:sparql" in query else "")]


@pytest.mark.parametrize("template", NO_CALLS)
def test_strings_comments_and_names_are_not_services(listener, template):
    port, hits = listener
    query = template.replace("PORT", str(port))
    assert not pyoxigraph_calls(query, port, hits)
    assert scan(query).targets == ()


def test_a_variable_target_is_reported_as_such():
    (target,) = scan("SELECT * WHERE { BIND(<http://a.example/> AS ?x) SERVICE ?x { } }").targets
    assert target.iri is None and target.variable == "?x" and (target.line, target.column) == (1, 58)


def test_every_declaration_of_a_prefix_counts():
    query = "PREFIX a: <http://127.0.0.1/> PREFIX a: <http://example.org/> SELECT * WHERE { SERVICE a:q { } }"
    assert sorted(t.iri for t in scan(query).targets) == ["http://127.0.0.1/q", "http://example.org/q"]


def test_load_targets_in_updates():
    update = "INSERT DATA { <a:s> <a:p> 1 } ; load silent <file:///etc/passwd> INTO GRAPH <http://g>"
    (target,) = scan(update, update=True).targets
    assert (target.keyword, target.iri) == ("LOAD", "file:///etc/passwd")
    assert scan(update).targets == ()  # a query has no LOAD


def test_shape_of_queries():
    assert scan("PREFIX a: <http://a/> ASK {}").form == "ASK"
    assert scan("SELECT * FROM <http://g> WHERE { ?s ?p ?o }").has_dataset_clause
    assert not scan('SELECT * WHERE { ?s ?p "FROM" }').has_dataset_clause
    assert scan("INSERT DATA { <a:b> <a:c> 1 }").is_update
    assert not scan("SELECT (RAND() AS ?r) {}").deterministic
    assert scan("SELECT * {}").deterministic


def test_using_clauses_go_before_each_where():
    update = "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o } ; DELETE WHERE { ?a ?b ?c } ; INSERT { ?s a <a:T> } WHERE { ?s ?p 1 }"
    facts = scan(update, update=True)
    assert not facts.has_using_or_with
    rewritten = with_using(update, facts, ["http://d"], ["http://n"])
    assert rewritten.count("USING <http://d> USING NAMED <http://n> WHERE") == 2
    assert "DELETE WHERE" in rewritten
    ox.Store().update(rewritten)  # still a valid update
    assert scan("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", update=True).has_using_or_with


# --- glued keywords pyoxigraph reads (found by trying its grammar) ------------------------
GLUED_CALLS = [
    # true/false are read before a prefixed name: 'trueSERVICE:x' is true, then SERVICE :x
    "PREFIX : <http://127.0.0.1:PORT/> SELECT * WHERE { ?s ?p trueSERVICE:x {} }",
    "PREFIX : <http://127.0.0.1:PORT/> SELECT * WHERE { ?s ?p falseSERVICE:x {} }",
    "PREFIX : <http://127.0.0.1:PORT/> SELECT * WHERE { ?s ?p 1SERVICE:x {} }",
    "PREFIX : <http://127.0.0.1:PORT/> SELECT * WHERE { ?s ?p []SERVICE:x {} }",
    # the '<' of FILTER is less-than; '#' starts a comment there, and a long string here
    'PREFIX : <http://127.0.0.1:PORT/> SELECT * WHERE { BIND(1 AS ?a) FILTER(?a<2#>"""\n) SERVICE :x {} #"""\n}',
]


@pytest.mark.parametrize("template", GLUED_CALLS)
def test_glued_and_hidden_calls_are_found(listener, template):
    port, hits = listener
    query = template.replace("PORT", str(port))
    assert pyoxigraph_calls(query, port, hits), "the case should make pyoxigraph connect"
    assert f"http://127.0.0.1:{port}/x" in [t.iri for t in scan(query).targets]


# --- time: linear in the text, whatever its shape ------------------------------------------
#: Shapes that made the earlier scanner quadratic (or worse): (head, unit, tail); the
#: unit is repeated to about 256 KiB.
SHAPES = {
    "SERVICE written again and again": ("SELECT * { # x\n", "SERVICE", " }"),
    "runs of name characters": ("SELECT * { ?s ?p ", "a-", " } SERVICE <http://a.example/> {}"),
    "IRIs whose other reading is a comment": ("SELECT * { ", "<#>", " } SERVICE <http://a.example/> {}"),
    "strings with no end": ("SELECT * { ?s ?p '''", "a'", " } SERVICE <http://a.example/> {}"),
}


def hostile(name: str, size: int = 1 << 18) -> str:
    head, unit, tail = SHAPES[name]
    return head + unit * (size // len(unit)) + tail


_BUDGET = """
import sys, time
from policykg.runtime.sparqlscan import scan
for text in sys.stdin.read().split("\\x00"):
    try:
        scan(text)
    except Exception as error:  # a refusal is an answer too
        print(type(error).__name__)
print("done")
"""


def test_hostile_texts_of_a_quarter_mebibyte_are_scanned_within_a_hard_budget():
    """In a process of its own with 30 s for all: the earlier scanner needed minutes for
    the first alone (14 s for 112 KiB, growing with the square of the length)."""
    done = subprocess.run(
        [sys.executable, "-c", _BUDGET],
        input="\x00".join(hostile(name) for name in SHAPES),
        text=True,
        capture_output=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("done")


def _work(text: str) -> int:
    walk = _Walk(text, False, None)
    try:
        walk.run()
    except QueryTooComplex:
        pass
    return walk.lexer.work


@pytest.mark.parametrize("name", list(SHAPES))
def test_the_work_grows_with_the_length_not_its_square(name):
    """Characters read for a text and for the same shape four times as long: a ratio of
    about 4 (16 would be quadratic). Counted, not timed."""
    ratio = _work(hostile(name, 1 << 18)) / _work(hostile(name, 1 << 16))
    assert ratio < 5, ratio


# --- limits: what pyoxigraph cannot survive is refused before it runs ----------------------
def test_a_nesting_pyoxigraph_dies_of_is_refused_with_where_it_passes_the_limit():
    query = "SELECT * WHERE " + "{" * 5000 + "}" * 5000
    died = subprocess.run(
        [sys.executable, "-c", "import sys, pyoxigraph; pyoxigraph.Store().query(sys.stdin.read())"],
        input=query, text=True, capture_output=True, timeout=60,
    )  # fmt: skip
    assert died.returncode < 0, "pyoxigraph should die of this (a stack overflow)"
    with pytest.raises(QueryTooComplex) as refused:
        scan(query)
    assert f"more than {MAX_DEPTH} deep" in str(refused.value)
    assert (refused.value.line, refused.value.column) == (1, 16 + MAX_DEPTH)


@pytest.mark.parametrize(
    ("make", "what"),
    [
        (lambda n: "SELECT * WHERE { " + "FILTER(true) " * n + "}", "FILTER"),
        (lambda n: "SELECT * WHERE { ?s ?p ?o " + "MINUS { ?s ?p 1 } " * n + "}", "MINUS"),
        (lambda n: "SELECT * WHERE { " + " ".join(f"BIND({i} AS ?v{i})" for i in range(n)) + " }", "BIND"),
        (lambda n: "SELECT " + " ".join(f"({i} AS ?v{i})" for i in range(n)) + " {}", "AS"),
        (lambda n: "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL { ?s ?p 1 } " * n + "}", "OPTIONAL"),
        (lambda n: "SELECT * WHERE { {} " + "UNION {} " * n + "}", "UNION"),
        (lambda n: "SELECT * WHERE { ?s ?p ?o " + "trueFILTER(true) " * n + "}", "FILTER"),
    ],
)
def test_too_many_of_a_keyword_are_refused_and_the_limit_itself_is_not(make, what):
    limit = MAX_KEYWORDS[what][0]
    assert scan(make(limit)).form == "SELECT"
    with pytest.raises(QueryTooComplex) as refused:
        scan(make(limit + 1))
    assert f"more than {limit} {what}" in str(refused.value) and "line 1, column" in str(refused.value)


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("SELECT * WHERE { FILTER(" + "+".join(["1"] * (MAX_OPERATORS + 2)) + ") }", "operators"),
        ("SELECT * WHERE { FILTER(" + "!" * (MAX_UNARY + 1) + "true) }", "prefix operators"),
        ("SELECT * WHERE { FILTER(" + "STR(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1) + ") }", "deep"),
        ("SELECT * WHERE { " + "<< " * (MAX_DEPTH + 1) + "?s ?p ?o" + " >> ?p ?o" * (MAX_DEPTH + 1) + " }", "deep"),
        # hidden from the reading that takes '<...>' for an IRI: the other one counts
        ("SELECT * WHERE { FILTER(?a<" + "(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1) + ">2) }", "deep"),
    ],
)
def test_deep_and_long_expressions_are_refused(text, what):
    with pytest.raises(QueryTooComplex) as refused:
        scan(text)
    assert what in str(refused.value)


def test_the_depth_is_that_of_the_deepest_reading():
    assert scan("SELECT * WHERE { { ?s ?p ?o } }").depth == 2
    # the primary reading sees an IRI here; the other reading nests three parentheses more
    assert scan("SELECT * WHERE { FILTER(?a<(((1)))>2) }").depth == 5


def test_large_ordinary_requests_are_not_refused():
    rows = "\n".join(f'<http://example.org/item/{i}> <http://www.w3.org/2000/01/rdf-schema#label> "item {i} as-is (a, b; c)"@en-GB .' for i in range(5000))
    facts = scan("INSERT DATA { GRAPH <http://example.org/g> {\n" + rows + "\n} }", update=True)
    assert facts.form == "INSERT" and facts.targets == ()
    values = " ".join(f"(<http://example.org/a/{i}> -{i})" for i in range(1500))
    assert scan(f"SELECT * WHERE {{ VALUES (?x ?n) {{ {values} }} }}").form == "SELECT"


# --- the time limit ----------------------------------------------------------------------
def test_a_scan_past_its_deadline_stops():
    text = "SELECT * WHERE { " + "<'> " * 5000 + "}"
    with pytest.raises(ScanTimeout):
        scan(text, deadline=time.monotonic() - 1)
    facts = scan(text, deadline=time.monotonic() + 60)
    assert facts.seconds > 0


@pytest.mark.parametrize(
    ("text", "deterministic"),
    [
        ("SELECT (STRUUID() AS ?x) {}", False),
        ("SELECT (now\n() AS ?x) {}", False),
        ("SELECT (bnode() AS ?x) {}", False),
        ("SELECT * { ?s <http://a.example/knows> ?o FILTER(xrand(1)) }", True),
        ("SELECT (STR(1) AS ?x) { ?s ?p 'UUID' }", True),
    ],
)
def test_functions_whose_value_changes_make_a_query_uncacheable(text, deterministic):
    assert scan(text).deterministic is deterministic
