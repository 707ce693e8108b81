"""Real clients against the live server: SPARQLWrapper and rdflib's SPARQLStore."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import rdflib
from helpers import SAMPLE_GRAPH
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

pytestmark = pytest.mark.slow

GOALS = "PREFIX ex: <http://example.org/> SELECT ?goal WHERE { ?goal a ex:Goal } ORDER BY ?goal"


@pytest.fixture
def sample_loaded(live):
    """The sample graph, put back in case a W3C suite emptied the store before."""
    from helpers import SAMPLE_TURTLE

    status, _, _ = live.request(
        "PUT", f"/store?graph={SAMPLE_GRAPH}", SAMPLE_TURTLE, {"Content-Type": "text/turtle"}, auth=True
    )
    assert status in (201, 204)
    return live


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_json(sample_loaded, method):
    client = SPARQLWrapper(sample_loaded.url + "sparql")
    client.setMethod(method)
    client.setQuery(GOALS)
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]
    assert [r["goal"]["value"] for r in rows] == ["http://example.org/goal1", "http://example.org/goal2"]


def test_sparqlwrapper_xml_csv_ask_and_construct(sample_loaded):
    client = SPARQLWrapper(sample_loaded.url + "sparql")
    client.setQuery(GOALS)
    client.setReturnFormat(XML)
    assert len(client.query().convert().getElementsByTagName("result")) == 2
    client.setReturnFormat(CSV)
    assert client.query().convert().decode().splitlines()[0] == "goal"
    client.setQuery("ASK { <http://example.org/goal1> ?p ?o }")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True
    client.setQuery("CONSTRUCT WHERE { <http://example.org/goal1> ?p ?o }")
    client.setReturnFormat(TURTLE)
    graph = rdflib.Graph().parse(data=client.query().convert(), format="turtle")
    assert len(graph) == 4


def test_sparqlwrapper_reports_a_syntax_error(sample_loaded):
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    client = SPARQLWrapper(sample_loaded.url + "sparql")
    client.setQuery("SELECT * WHERE { ?s ?p }")
    client.setReturnFormat(JSON)
    with pytest.raises(QueryBadFormed, match="line 1, column"):
        client.query()


def test_rdflib_sparqlstore(sample_loaded):
    graph = rdflib.Graph(SPARQLStore(sample_loaded.url + "sparql", returnFormat="json"))
    labels = {str(o) for o in graph.objects(rdflib.URIRef("http://example.org/goal1"), rdflib.SKOS.prefLabel)}
    assert labels == {"Mål ett", "Goal one"}
    rows = list(graph.query(GOALS))
    assert [str(r.goal) for r in rows] == ["http://example.org/goal1", "http://example.org/goal2"]
    assert graph.query("ASK { ?s ?p ?o }").askAnswer is True


COMUNICA = Path(__file__).resolve().parent.parent / "comunica" / "node_modules" / ".bin" / "comunica-sparql"


def test_comunica_queries_the_endpoint_as_it_is(sample_loaded):
    """Comunica (its command line, in its default mode) reads the service description at /sparql
    and queries the endpoint it names; with an update token set it used to take /update."""
    if not COMUNICA.is_file():
        pytest.skip(f"Comunica is not installed at {COMUNICA.relative_to(COMUNICA.parents[3])} (make install runs npm ci in tests/comunica)")
    live = sample_loaded
    assert live.token  # the server has an update token: /update exists
    query = "PREFIX ex: <http://example.org/> SELECT ?goal WHERE { ?goal a ex:Goal } ORDER BY ?goal"
    done = subprocess.run([str(COMUNICA), live.url + "sparql", query], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    goals = sorted(row["goal"] for row in json.loads(done.stdout))
    assert goals == ["http://example.org/goal1", "http://example.org/goal2"]


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(
    "name, query",
    [
        ("json", GOALS), ("xml", GOALS), ("csv", GOALS), ("tsv", GOALS),
        ("turtle", "CONSTRUCT WHERE { <http://example.org/goal1> ?p ?o }"),
        ("n3", "CONSTRUCT WHERE { <http://example.org/goal1> ?p ?o }"),
        ("rdf", "CONSTRUCT WHERE { <http://example.org/goal1> ?p ?o }"),
        ("rdf+xml", "CONSTRUCT WHERE { <http://example.org/goal1> ?p ?o }"),
        ("json-ld", "CONSTRUCT WHERE { <http://example.org/goal1> ?p ?o }"),
        ("xml", "DESCRIBE <http://example.org/goal1>"),
    ],
)
def test_every_return_format_of_sparqlwrapper(sample_loaded, name, query, method):
    """SPARQLWrapper sends format=, output= and results= with its own names besides Accept."""
    client = SPARQLWrapper(sample_loaded.url + "sparql")
    client.setMethod(method)
    client.setQuery(query)
    client.setReturnFormat(name)
    result = client.query()
    assert result.response.status == 200
    body = result.response.read()
    assert body, (name, query)
