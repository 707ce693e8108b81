"""What the remote store's client puts on the wire (policykg.remote.protocol), against a
small server of our own that records each request and answers as told: graph bodies go
with their length (Virtuoso 7.2 stores nothing of a chunked PUT), and an answer a server
says it cut short is an error (Virtuoso's ResultSetMaxRows and its "anytime" answers)."""

from __future__ import annotations

import dataclasses
import http.server
import threading
import urllib.parse

import pytest

from policykg.remote.protocol import Client, Deadlocked, Endpoints, IncompleteAnswer, RemoteStoreError, RemoteTimeout

JSON = "application/sparql-results+json"
EMPTY = b'{"head": {"vars": ["s"]}, "results": {"bindings": []}}'


@pytest.fixture
def server():
    """A server on a free loopback port: ``.seen`` the requests, ``.headers``, ``.status`` and
    ``.reply`` what it answers with, or ``.drop`` it closes the connection without an answer;
    ``.failures``: (status, reply) for the next requests, one each, before those."""
    seen: list[dict] = []
    answer_headers: dict[str, str] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = self.headers.get("Content-Length")
            if length is not None:
                body = self.rfile.read(int(length))
            elif self.headers.get("Transfer-Encoding") == "chunked":
                body = b"<chunked>"
            else:
                body = b""
            seen.append({"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body})
            if self.server.drop:  # as a server that crashed on the request
                self.close_connection = True
                return
            status, reply = self.server.failures.pop(0) if self.server.failures else (self.server.status, self.server.reply)
            self.send_response(status or (201 if self.command in ("PUT", "POST") and "graph=" in self.path else 200))
            self.send_header("Content-Type", JSON)
            for name, value in answer_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        do_GET = do_PUT = do_POST = _answer

        def log_message(self, *args) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.seen, httpd.headers, httpd.status, httpd.reply, httpd.drop, httpd.failures = seen, answer_headers, None, EMPTY, False, []
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.client = Client(Endpoints(query=f"{base}/sparql", update=f"{base}/sparql", graph_store=f"{base}/crud", user="u", password="p"))
    yield httpd
    httpd.client.close()
    httpd.shutdown()
    httpd.server_close()


def test_a_graph_is_sent_whole_with_its_length_not_in_chunks(server) -> None:
    chunks = [b'<http://example.org/a> <http://example.org/p> "1" .\n', b"", b'<http://example.org/a> <http://example.org/p> _:b .\n']
    server.client.put_graph("http://example.org/g", iter(chunks))
    request = server.seen[-1]
    assert request["method"] == "PUT" and request["path"] == "/crud?graph=http%3A%2F%2Fexample.org%2Fg"
    assert "Transfer-Encoding" not in request["headers"]
    assert request["headers"]["Content-Length"] == str(len(b"".join(chunks)))
    assert request["body"] == b"".join(chunks)
    assert request["headers"]["Authorization"].startswith("Basic ")


def test_triples_are_added_by_a_graph_store_post(server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("policykg.remote.protocol.SPOOL", 10)  # through a temporary file
    body = b'_:b <http://example.org/p> "blank nodes are fine here" .\n'
    server.client.post_graph("http://example.org/g", body)
    request = server.seen[-1]
    assert (request["method"], request["body"], request["headers"]["Content-Length"]) == ("POST", body, str(len(body)))


#: Virtuoso 7.2's answer to a graph store PUT it gave up as deadlocked (seen publishing the
#: 100 000-activity set into a new database, no other client; the same build passed when run again).
DEADLOCKED = (b'<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html>\n<head>\n<title>Error 500</title>\n</head>\n<body>\n'
              b"<h1>Error 500</h1>\nSPARQL Graph Protocol request failed\n<h3>Error 40001</h3>\n<xmp>SR172: Transaction deadlocked</xmp></body></html>")


@pytest.mark.parametrize("method", ["put_graph", "post_graph", "write_graph"])
def test_a_write_the_server_gave_up_as_deadlocked_is_sent_again_whole(server, monkeypatch: pytest.MonkeyPatch, method: str) -> None:
    """The server rolled the write back (Virtuoso: the whole TTLP): sent again after a pause,
    from the first byte (through the temporary file too); a write through the service's graph
    store (write_graph) too."""
    monkeypatch.setattr("policykg.remote.protocol.SPOOL", 10)
    monkeypatch.setattr("policykg.remote.protocol.DEADLOCK_PAUSES", (0.01, 0.01))
    server.failures[:] = [(500, DEADLOCKED), (500, DEADLOCKED)]
    body = b'<http://example.org/a> <http://example.org/p> "1" .\n_:b <http://example.org/p> "2" .\n'
    if method == "write_graph":
        server.client.write_graph("PUT", "http://example.org/g", body, "application/n-triples")
    else:
        getattr(server.client, method)("http://example.org/g", iter([body[:20], body[20:]]))
    assert [request["body"] for request in server.seen] == [body] * 3
    assert [request["headers"]["Content-Length"] for request in server.seen] == [str(len(body))] * 3


def test_a_write_deadlocked_each_time_is_an_error_saying_so(server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("policykg.remote.protocol.DEADLOCK_PAUSES", (0.01,))
    server.failures[:] = [(500, DEADLOCKED)] * 3
    with pytest.raises(Deadlocked) as raised:
        server.client.put_graph("http://example.org/g", b'<http://example.org/a> <http://example.org/p> "1" .\n')
    assert len(server.seen) == 2 and len(server.failures) == 1
    assert "gave the write of graph <http://example.org/g> up as deadlocked" in str(raised.value)
    assert "SR172: Transaction deadlocked" in str(raised.value) and "(sent 2 times)" in str(raised.value)


def test_an_update_deadlocked_is_not_sent_again(server) -> None:
    """Only graph store writes are sent again: an update may have done part of its work."""
    server.failures[:] = [(500, DEADLOCKED)]
    with pytest.raises(Deadlocked):
        server.client.update("INSERT DATA { <http://example.org/a> <http://example.org/p> 1 }")
    assert len(server.seen) == 1


@pytest.mark.parametrize(
    ("headers", "error", "says"),
    [
        ({"X-SPARQL-MaxRows": "10000"}, IncompleteAnswer, "cut the answer at 10000 rows (Virtuoso's [SPARQL] ResultSetMaxRows"),
        ({"X-SQL-State": "S1TAT", "X-SQL-Message": "RC...: Returning incomplete results"}, RemoteTimeout,
         "stopped the query at the time limit (30 s, sent with it; or Virtuoso's own [SPARQL] MaxQueryExecutionTime"),
        ({"X-SQL-State": "42000", "X-SQL-Message": "something else"}, IncompleteAnswer, "partial answer (42000 something else"),
    ],
)
def test_an_answer_the_server_cut_short_is_an_error(server, headers: dict, error, says: str) -> None:
    server.headers.update(headers)
    with pytest.raises(error) as raised:
        server.client.query("SELECT ?s WHERE { ?s ?p ?o }", accept=JSON, timeout=30)
    assert says in str(raised.value)


def test_a_query_stopped_at_the_time_limit_before_any_row_is_a_timeout(server) -> None:
    """Where the limit passes before a row is ready (a query that takes long to compile),
    Virtuoso 7.2 answers 500 with S1TAT in the body, as seen on the rule body-follow-up."""
    server.status = 500
    server.reply = (b"Virtuoso S1TAT Error RC...: Returning incomplete results, query interrupted by result timeout.  "
                    b"Activity:      6 rnd     29 seq      0 same seg\n\nSPARQL query:\nSELECT ...")
    with pytest.raises(RemoteTimeout) as raised:
        server.client.query("SELECT ?s WHERE { ?s ?p ?o }", accept=JSON, timeout=30)
    assert "stopped the query at the time limit (30 s" in str(raised.value)


def test_a_query_stopped_by_the_servers_own_limit_is_a_timeout(server) -> None:
    """Virtuoso 7.2 past its [SPARQL] MaxQueryExecutionTime, no limit sent with the query:
    500 with SR171 in the body, as measured on the 100 000-activity set."""
    server.status = 500
    server.reply = b"Virtuoso S1T00 Error SR171: Transaction timed out\n\nSPARQL query:\nSELECT ..."
    with pytest.raises(RemoteTimeout) as raised:
        server.client.query("SELECT ?s WHERE { ?s ?p ?o }", accept=JSON, timeout=30)
    assert "stopped the query at its own time limit (Virtuoso's [SPARQL] MaxQueryExecutionTime" in str(raised.value)


def test_no_time_limit_goes_with_the_query_unless_configured(server) -> None:
    """Only the standard's parameters by default: Virtuoso 7.2's `timeout` puts a query on its
    "anytime" path, which crashed it (docs/remote-store.md, "Time limits")."""
    server.client.query("ASK {}", accept=JSON, timeout=30).read()
    assert [name for name, _ in urllib.parse.parse_qsl(server.seen[-1]["body"].decode())] == ["query"]


def test_the_time_limit_goes_with_the_query_where_configured(server) -> None:
    """Virtuoso stops a query at about twice the milliseconds it is sent: half the limit goes."""
    endpoints = dataclasses.replace(server.client.endpoints, timeout_parameter="timeout")
    client = Client(endpoints)
    try:
        client.query("ASK {}", accept=JSON, timeout=30).read()
    finally:
        client.close()
    assert ("timeout", "15000") in urllib.parse.parse_qsl(server.seen[-1]["body"].decode())


def test_a_query_is_not_sent_again_when_the_server_closed_a_new_connection(server) -> None:
    """A connection that was kept open and closed by the server meanwhile is opened again once;
    a query on a new connection that the server dropped (Virtuoso crashing on it) is not sent
    again, which would crash the server again once restarted."""
    server.drop = True
    with pytest.raises(RemoteStoreError, match="closed the connection during the query"):
        server.client.query("ASK {}", accept=JSON, timeout=30)
    assert len(server.seen) == 1


def test_a_malformed_query_is_a_syntax_error_with_what_the_server_said(server) -> None:
    server.status, server.reply = 400, b"error at 3:2: expected one of LATERAL, SERVICE"
    with pytest.raises(SyntaxError) as raised:
        server.client.query("SELECT ?x WHERE {\n ?x ?y\n}", accept=JSON)
    assert raised.value.msg == str(raised.value) == "error at 3:2: expected one of LATERAL, SERVICE"


def test_a_whole_answer_is_read(server) -> None:
    assert server.client.query("SELECT ?s WHERE { ?s ?p ?o }", accept=JSON).read() == EMPTY


def test_without_virtuoso_its_tests_are_skipped_saying_why_unless_required(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    import shutil

    from helpers import VIRTUOSO_MISSING, start_virtuoso

    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("POLICYKG_REQUIRE_VIRTUOSO", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"Virtuoso is not installed \(apt-get install virtuoso-opensource; \.ci/run installs it\)"):
        start_virtuoso(tmp_path)
    monkeypatch.setenv("POLICYKG_REQUIRE_VIRTUOSO", "1")
    with pytest.raises(pytest.fail.Exception, match="must run"):
        start_virtuoso(tmp_path)
    assert VIRTUOSO_MISSING.startswith("Virtuoso is not installed")
