"""The W3C SPARQL 1.1 Service Description tests against the live server.

The suite's manifest names three tests without requests; they are implemented
here from the recommendation: GET on the endpoint returns RDF, the description
has an sd:endpoint triple naming the endpoint, and it uses the SD vocabulary as
its schema says."""

from __future__ import annotations

import pytest
import rdflib
from helpers import require_shared
from w3c_runner import Runner, as_json, load_manifest, schema_problems

from policykg.namespaces import SD

RDF_ACCEPTS = ["text/turtle", "application/rdf+xml", "application/n-triples", "application/ld+json"]


@pytest.fixture(scope="module")
def manifest_ids():
    path = require_shared("data", "w3c-sparql11", "service-description", "manifest.ttl")
    return [t.id for t in load_manifest(path)]


def test_the_suite_names_three_tests(manifest_ids):
    assert manifest_ids == ["has-endpoint-triple", "returns-rdf", "conforms-to-schema"]


@pytest.mark.slow
@pytest.mark.parametrize("accept", RDF_ACCEPTS)
def test_returns_rdf(live, manifest_ids, accept):
    status, media, graph = Runner(live.url, live.token).service_description(accept)
    assert (status, media) == (200, accept)
    assert graph is not None and len(graph) > 0


@pytest.mark.slow
def test_has_endpoint_triple(live, manifest_ids):
    _, _, graph = Runner(live.url, live.token).service_description("text/turtle")
    assert (None, SD.endpoint, rdflib.URIRef(live.url + "sparql")) in graph


@pytest.mark.slow
def test_conforms_to_schema(live, manifest_ids):
    _, _, graph = Runner(live.url, live.token).service_description("text/turtle")
    assert not schema_problems(graph), as_json(schema_problems(graph))
    # and says what the endpoint really does: SPARQL 1.1 Query, union default graph; it describes
    # /sparql alone (Comunica takes the last sd:Service it reads as the endpoint to query, so an
    # update service listed here sent its queries to /update)
    assert (None, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (None, SD.feature, SD.UnionDefaultGraph) in graph
    services = set(graph.subjects(rdflib.RDF.type, SD.Service))
    assert len(services) == 1 and list(graph.objects(next(iter(services)), SD.endpoint)) == [rdflib.URIRef(live.url + "sparql")]
    assert (None, SD.supportedLanguage, SD.SPARQL11Update) not in graph


def test_schema_check_finds_departures():
    graph = rdflib.Graph().parse(
        data="""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
        [] a sd:Service ; sd:supportedLanguage sd:SPARQL12Query ; sd:feature sd:Telepathy ; sd:colour "red" .""",
        format="turtle",
    )
    problems = schema_problems(graph)
    assert any("sd:endpoint" in p for p in problems)
    assert any("SPARQL12Query" in p for p in problems)
    assert any("Telepathy" in p for p in problems)
    assert any("sd:colour" in p for p in problems)
