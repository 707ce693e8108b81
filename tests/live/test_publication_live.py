"""The real server (Granian, over HTTP) serves the publication with the right media types and Vary."""

from __future__ import annotations

import gzip
import hashlib
import json
import urllib.request

import pyoxigraph as ox
import pytest

from policykg.publication.dumps import latest

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    "path, accept, media, vary",
    [
        ("/.well-known/void", "text/turtle", "text/turtle", "Accept"),
        ("/.well-known/void", "application/ld+json", "application/ld+json", "Accept"),
        ("/catalog", "application/rdf+xml", "application/rdf+xml", "Accept"),
        ("/catalog", "*/*", "text/turtle", "Accept"),
        ("/ontology", "text/html", "text/html", "Accept"),
        ("/ontology", "application/n-triples", "application/n-triples", "Accept"),
        ("/shapes", "text/turtle", "text/turtle", "Accept"),
        ("/downloads/", "text/html", "text/html", None),
    ],
)
def test_media_types_and_vary(published_live, path, accept, media, vary) -> None:
    status, headers, body = published_live.request("GET", path, headers={"Accept": accept})
    assert status == 200, body[:300]
    assert headers["Content-Type"].split(";")[0] == media
    if vary:
        assert vary in headers["Vary"]
    assert body


def test_a_dump_downloads_whole_and_in_part(published_live, store) -> None:
    dump = latest(store).file("policykg.nq.gz")
    status, headers, body = published_live.request("GET", "/downloads/policykg.nq.gz", headers={"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Type"] == "application/gzip"
    assert int(headers["Content-Length"]) == dump.bytes and hashlib.sha256(body).hexdigest() == dump.sha256
    quads = set(ox.parse(gzip.decompress(body), format=ox.RdfFormat.N_QUADS))
    assert quads == set(store.reader().quads_for_pattern(None, None, None, None))
    status, headers, part = published_live.request("GET", "/downloads/policykg.nq.gz", headers={"Range": "bytes=10-19"})
    assert status == 206 and part == body[10:20]


def test_the_metadata_names_this_server(published_live) -> None:
    # Fetched with the standard library, as a notebook would.
    with urllib.request.urlopen(published_live.url + ".well-known/void?format=jsonld", timeout=30) as response:
        document = json.loads(response.read())
    text = json.dumps(document)
    assert published_live.url + "sparql" in text and published_live.url + "downloads/policykg.ttl" in text
