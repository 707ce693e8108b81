"""Dereferencing over real HTTP (Granian, ``policykg serve``): negotiation, headers and
formats that parse back to the same triples."""

from __future__ import annotations

import pytest
import rdflib
from rdflib.compare import isomorphic

pytestmark = pytest.mark.slow

PARSERS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}


@pytest.mark.parametrize("path", ["/goal/2", "/body/kommunstyrelsen", "/project/ungdomsutbyte", "/activity/eu-veckan", "/sdg/4.7", "/graph/program"])
def test_each_format_parses_back_to_the_same_triples(work_live, path):
    graphs = []
    for media, parser in PARSERS.items():
        status, headers, body = work_live.request("GET", path, headers={"Accept": media})
        assert status == 200 and headers["Content-Type"].split(";")[0] == media, (path, media, status)
        assert "Accept" in headers["Vary"]
        graphs.append(rdflib.Graph().parse(data=body, format=parser))
    assert len(graphs[0]) > 0
    assert all(isomorphic(graphs[0], other) for other in graphs[1:]), path


def test_the_minted_iri_path_works_on_this_host(work_live):
    status, headers, body = work_live.request("GET", "/goal/2", headers={"Accept": "text/html", "Accept-Language": "en"})
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"<code>https://w3id.org/policykg/umea/goal/2</code>" in body
    links = headers["Link"]
    assert f'<{work_live.url}goal/2.ttl>; rel="alternate"; type="text/turtle"' in links
    assert f'<{work_live.url}goal/2.jsonld>; rel="alternate"; type="application/ld+json"' in links
    assert set(v.strip() for v in headers["Vary"].split(",")) >= {"Accept", "Accept-Language"}


def test_suffix_variants_and_head(work_live):
    for suffix, media in ((".ttl", "text/turtle"), (".jsonld", "application/ld+json"), (".nt", "application/n-triples"), (".rdf", "application/rdf+xml"), (".html", "text/html")):
        status, headers, _ = work_live.request("GET", "/focus-area/positioning" + suffix)
        assert status == 200 and headers["Content-Type"].split(";")[0] == media
    status, headers, body = work_live.request("HEAD", "/goal/1", headers={"Accept": "text/turtle"})
    assert status == 200 and body == b"" and headers["Content-Type"].startswith("text/turtle")


def test_unknown_iri_is_404_over_http(work_live):
    status, headers, body = work_live.request("GET", "/goal/6", headers={"Accept": "text/html", "Accept-Language": "en"})
    assert status == 404 and b'<html lang="en">' in body
    status, headers, body = work_live.request("GET", "/goal/6", headers={"Accept": "application/ld+json"})
    assert status == 404 and headers["Content-Type"].startswith("text/plain")


def test_the_api_over_http(work_live):
    status, headers, body = work_live.request("GET", "/api/goals?limit=2")
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert f'<{work_live.url}api/goals?limit=2&offset=2>; rel="next"' in headers["Link"]
    status, headers, _ = work_live.request("GET", "/api/openapi.json")
    assert status == 200
