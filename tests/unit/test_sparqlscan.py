"""The SPARQL scanner: every SERVICE/LOAD target pyoxigraph would call, and no false ones
in strings or comments; checked against pyoxigraph itself (does it really connect?)."""

from __future__ import annotations

import socket
import threading

import pyoxigraph as ox
import pytest

from policykg.runtime.sparqlscan import scan, with_using


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
