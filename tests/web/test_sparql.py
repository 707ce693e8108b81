"""The /sparql blueprint through the application (real store, real query processes)."""

from __future__ import annotations

import gzip

from helpers import make_endpoint_app, write_sample_store

ASK = {"query": "ASK { ?s ?p ?o }"}


def test_conditional_get_with_etag_and_last_modified(endpoint):
    first = endpoint.get("/sparql", query_string=ASK)
    assert first.status_code == 200 and first.headers["ETag"].startswith('W/"')
    assert first.headers["Last-Modified"] and "Accept" in first.headers["Vary"]
    again = endpoint.get("/sparql", query_string=ASK, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    other = endpoint.get("/sparql", query_string=ASK, headers={"If-None-Match": first.headers["ETag"], "Accept": "application/sparql-results+xml"})
    assert other.status_code == 200  # another format is another representation


def test_negotiation_with_q_values_and_format(endpoint):
    answer = endpoint.get("/sparql", query_string=ASK, headers={"Accept": "application/sparql-results+json;q=0.5, application/sparql-results+xml"})
    assert answer.content_type == "application/sparql-results+xml"
    assert endpoint.get("/sparql", query_string={**ASK, "format": "json"}).content_type == "application/sparql-results+json"
    graph = endpoint.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "json"})
    assert graph.content_type == "application/ld+json"
    refused = endpoint.get("/sparql", query_string=ASK, headers={"Accept": "text/turtle"})
    assert refused.status_code == 406 and b"application/sparql-results+json" in refused.data
    assert endpoint.get("/sparql", query_string={**ASK, "format": "docx"}).status_code == 400


def test_cors_and_preflight(endpoint):
    assert endpoint.get("/sparql", query_string=ASK).headers["Access-Control-Allow-Origin"] == "*"
    preflight = endpoint.options("/sparql", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204 and "POST" in preflight.headers["Access-Control-Allow-Methods"]


def test_compression_when_asked(endpoint):
    query = {"query": "SELECT * WHERE { ?s ?p ?o }"}
    plain = endpoint.get("/sparql", query_string=query)
    zipped = endpoint.get("/sparql", query_string=query, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data


def test_syntax_error_names_line_and_column_and_shows_them(endpoint):
    answer = endpoint.post("/sparql", data="SELECT *\nWHERE { ?s ?p }", content_type="application/sparql-query")
    assert answer.status_code == 400
    text = answer.get_data(as_text=True)
    assert "line 2, column 16" in text and "2 | WHERE { ?s ?p }" in text


def test_an_update_sent_to_sparql_is_pointed_to_update(endpoint):
    answer = endpoint.post("/sparql", data={"query": "INSERT DATA { <a:b> <a:c> 1 }"})
    assert answer.status_code == 400 and b"/update" in answer.data


def test_service_description_and_browsers(endpoint):
    turtle = endpoint.get("/sparql", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200 and b"sd:endpoint <http://localhost/sparql>" in turtle.data
    assert b"SPARQL11Update" not in turtle.data  # no token: no update service
    browser = endpoint.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.status_code == 303 and browser.headers["Location"].endswith("/editor")


def test_without_a_token_there_is_no_update_or_graph_store(endpoint):
    for method, path in [("post", "/update"), ("get", "/store"), ("put", "/store/x")]:
        answer = getattr(endpoint, method)(path)
        assert answer.status_code == 404 and b"no update token" in answer.data


def test_the_result_cache_is_bound_to_the_generation(tmp_path):
    store = write_sample_store(tmp_path / "store")
    app = make_endpoint_app(store.path, result_cache_bytes=1 << 20, update_token="t")
    try:
        client = app.test_client()
        query = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}
        first = client.get("/sparql", query_string=query).data
        assert client.get("/sparql", query_string=query).data == first
        assert app.extensions["policykg.resultcache"].hits == 1
        done = client.post("/update", data="INSERT DATA { GRAPH <http://example.org/x> { <a:s> <a:p> 1 } }",
                           content_type="application/sparql-update", headers={"Authorization": "Bearer t"})
        assert done.status_code == 204
        assert client.get("/sparql", query_string=query).data != first
    finally:
        app.extensions["policykg.querypool"].close()


def test_a_query_pyoxigraph_could_not_survive_is_refused_before_it_runs(endpoint):
    """5 000 nested groups kill pyoxigraph's query process (a stack overflow: 500 before)."""
    answer = endpoint.post("/sparql", data="SELECT * WHERE\n" + "{" * 5000 + "}" * 5000, content_type="application/sparql-query")
    assert answer.status_code == 400
    text = answer.get_data(as_text=True)
    assert "too complex" in text and "more than 64 deep" in text and "line 2, column 65" in text


def test_an_update_with_too_many_of_a_keyword_is_refused_before_it_runs(tmp_path):
    store = write_sample_store(tmp_path / "store")
    app = make_endpoint_app(store.path, update_token="t")
    try:
        update = "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o " + "MINUS { ?s ?p 1 } " * 3000 + "}"
        answer = app.test_client().post(
            "/update", data=update, content_type="application/sparql-update", headers={"Authorization": "Bearer t"}
        )
        assert answer.status_code == 400
        assert "more than 256 MINUS" in answer.get_data(as_text=True)
    finally:
        app.extensions["policykg.querypool"].close()
