"""No reading pyoxigraph accepts escapes the scanner: generated queries and updates put a
SERVICE or LOAD, spelled and glued every way pyoxigraph takes, in many places (some
hidden in strings, comments, or behind a '<' that is read as less-than), and run on an
empty store. Whenever pyoxigraph connects to the loopback listener, the scanner must
have reported a target there (or a variable target, which is refused as such).
"""

from __future__ import annotations

import socket
import threading

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policykg.runtime.sparqlscan import QueryTooComplex, scan


@pytest.fixture(scope="module")
def port_and_hits():
    """A loopback port that counts the connections made to it (and closes each at once)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    server.settimeout(0.2)
    hits: list[int] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            hits.append(1)  # before the close, so before pyoxigraph's call can fail
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], hits
    stop.set()
    thread.join()
    server.close()


TARGET = "http://127.0.0.1:PORT/"
PROLOGUES = [
    "PREFIX : <http://127.0.0.1:PORT/> PREFIX s: <http://127.0.0.1:PORT/s/> ",
    "PREFIX s: <urn:x:> PREFIX s: <http://127.0.0.1:PORT/s/> PREFIX : <http://127.0.0.1:PORT/> ",
    "PREFIX:<http://127.0.0.1:PORT/>PREFIX s:<http://127.0.0.1:PORT/s/>",
    "prefix : <http:\\u002F/127.0.0.1:PORT/> PREFIX s: <http://127.0.0.1:PORT/s/>\n",
]
KEYWORDS = ["SERVICE", "service", "SeRvIcE", "SERVICE SILENT", "SERVICESILENT", "SERVICE#c\n", "SERVICE\t", "SERVICE\nsilent\n"]
GLUE = ["", " ", "\n", "true", "false", "1", "1.5", "[]", "()", ".", "'s'", "<urn:x:o>", "# c\n", "?o"]
TARGETS = [
    "<http://127.0.0.1:PORT/a>",
    "<http:\\u002F/127.0.0.1:PORT/a>",
    "<http://127.0.0.1:PORT/\\u0061>",
    ":a",
    "s:a",
    ":\\~a",
    "s:a.b",
    ":",
    "?v",
]
BODIES = ["{}", "{ }", "{?x ?y ?z}", "{ BIND(2 AS ?b) }"]
CONTEXTS = [
    "SELECT * WHERE { BIND(1 AS ?a) BIND(<http://127.0.0.1:PORT/v> AS ?v) ?s ?p X }",
    "SELECT * WHERE { BIND(<http://127.0.0.1:PORT/v> AS ?v) ?s ?p ?o, X }",
    "SELECT * WHERE { BIND(1 AS ?a) BIND(<http://127.0.0.1:PORT/v> AS ?v) X }",
    "SELECT * WHERE { BIND(1 AS ?a) OPTIONAL { X } }",
    "SELECT * WHERE { { BIND(1 AS ?a) X } UNION { } }",
    "SELECT * WHERE { BIND(1 AS ?a) { SELECT * WHERE { X } } }",
    "SELECT * WHERE { BIND(1 AS ?a) FILTER(?a<2#>'''\n) X #'''\n}",
    "SELECT * WHERE { BIND(1 AS ?a) FILTER(?a<'#>' || true) X FILTER(?a != '') }",
    'SELECT * WHERE { BIND(1 AS ?a) FILTER(?a<2||?a>"\n) X #"\n}',
    "SELECT * WHERE { BIND(1 AS ?a) FILTER(?a<2&&?a>0) X }",
    "ASK { BIND(1 AS ?a) X }",
    "CONSTRUCT { ?a ?a ?a } WHERE { BIND(<urn:x:a> AS ?a) X }",
    # hidden: the scanner may report these, pyoxigraph must not call
    "SELECT * WHERE { BIND(1 AS ?a) ?s ?p 'X' }",
    "SELECT * WHERE { BIND(1 AS ?a) # X\n}",
    'SELECT * WHERE { BIND(1 AS ?a) ?s ?p """\nX\n""" }',
]
SEPARATORS = ["", " ", "#c\n"]  # SERVICE:a is SERVICE :a, SERVICEs:a is SERVICE s:a
queries = st.builds(
    lambda prologue, context, glue, keyword, separator, target, body: prologue
    + context.replace("X", glue + keyword + separator + target + body),
    st.sampled_from(PROLOGUES),
    st.sampled_from(CONTEXTS),
    st.sampled_from(GLUE),
    st.sampled_from(KEYWORDS),
    st.sampled_from(SEPARATORS),
    st.sampled_from(TARGETS),
    st.sampled_from(BODIES),
)
#: LOAD in updates: (operation before, the keyword as written, target)
LOADS = ["LOAD", "load", "LOAD SILENT", "LOADSILENT", "LOAD#c\n", "LOAD\n"]
BEFORE = ["", "INSERT DATA { <urn:x:s> <urn:x:p> 1 } ;", "CLEAR SILENT DEFAULT;", "CLEAR ALL ;\n# c\n"]
updates = st.builds(
    lambda prologue, before, keyword, separator, target, after: prologue + before + keyword + separator + target + after,
    st.sampled_from(PROLOGUES),
    st.sampled_from(BEFORE),
    st.sampled_from(LOADS),
    st.sampled_from(SEPARATORS),
    st.sampled_from([t for t in TARGETS if t != "?v"]),
    st.sampled_from(["", " INTO GRAPH <urn:x:g>", "INTO GRAPH<urn:x:g>", " ; CLEAR SILENT DEFAULT"]),
)
_seen = {"calls": 0, "cases": 0}


def _connects(run, port: int, hits: list) -> bool:
    before = len(hits)
    try:
        result = run()
        if isinstance(result, ox.QuerySolutions):
            list(result)
    except (OSError, SyntaxError, RuntimeError, ValueError):
        pass
    return len(hits) > before


def _reported(text: str, port: int, update: bool) -> bool:
    try:
        targets = scan(text, update=update).targets
    except QueryTooComplex:
        return True  # refused before evaluation
    return any(t.variable or (t.iri or "").startswith(TARGET.replace("PORT", str(port))) for t in targets)


@settings(max_examples=1500, deadline=None, database=None, derandomize=True)
@given(queries)
def test_no_query_pyoxigraph_would_send_escapes_the_scanner(port_and_hits, template):
    port, hits = port_and_hits
    query = template.replace("PORT", str(port))
    _seen["cases"] += 1
    if _connects(lambda: ox.Store().query(query), port, hits):
        _seen["calls"] += 1
        assert _reported(query, port, update=False), query


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(updates)
def test_no_update_pyoxigraph_would_load_escapes_the_scanner(port_and_hits, template):
    port, hits = port_and_hits
    update = template.replace("PORT", str(port))
    if _connects(lambda: ox.Store().update(update), port, hits):
        _seen["calls"] += 1
        assert _reported(update, port, update=True), update


def test_the_generated_queries_did_make_calls():
    """The property above means something only if many cases really connect."""
    assert _seen["cases"] >= 1200 and _seen["calls"] >= _seen["cases"] // 5, _seen
