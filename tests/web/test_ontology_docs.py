"""The ontology's documentation (pyLODE) and the ontology and shapes at /ontology and /shapes."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib

from policykg import formats

GRAPH_MEDIA = [(media, fmt.key) for fmt in formats.GRAPH_OFFERS for media in fmt.media_types]
from rdflib.compare import isomorphic
from test_metadata import RDFLIB_FORMAT

from policykg.publication import ontology_docs


def ontology_graph() -> rdflib.Graph:
    return rdflib.Graph().parse(ontology_docs.ontology_file(), format="turtle")


def test_pages_are_written_by_pylode_with_lang_attributes(built_settings) -> None:
    for language in ontology_docs.LANGUAGES:
        page = ontology_docs.page(built_settings, language)
        # pyLODE's own signature: its footer and the version it was made with
        assert 'id="pylode"' in page and "https://github.com/rdflib/pyLODE" in page
        assert ontology_docs.pylode_version() in page
        assert f'<html lang="{language}">' in page
        assert "<code>https://w3id.org/policykg/ontology#servesGoal</code>" in page  # pyLODE's entry for a term
    english, swedish = ontology_docs.page(built_settings, "en"), ontology_docs.page(built_settings, "sv")
    assert "Focus area" in english and "Inriktning" not in english
    assert "Inriktning" in swedish and '<h2 lang="en">Classes</h2>' in swedish
    assert "<title>The policykg ontology</title>" in english  # not a concept scheme's title


def test_pages_are_cached_per_ontology_file(built_settings) -> None:
    assert ontology_docs.cached_path(built_settings, "en").is_file()  # written by the build


@pytest.mark.parametrize("media", sorted({m for m, _ in GRAPH_MEDIA}))
def test_ontology_in_every_rdf_format_is_the_ontology(client, media: str) -> None:
    response = client.get("/ontology", headers={"Accept": media})
    assert response.status_code == 200
    assert set(response.headers["Vary"].replace(" ", "").split(",")) >= {"Accept", "Accept-Language"}
    fmt = RDFLIB_FORMAT[dict(GRAPH_MEDIA)[media]]
    if fmt in ("nquads", "trig"):
        dataset = rdflib.Dataset().parse(data=response.get_data(), format=fmt)
        graph = rdflib.Graph()
        for s, p, o, _ in dataset.quads():
            graph.add((s, p, o))
    else:
        graph = rdflib.Graph().parse(data=response.get_data(), format=fmt)
    assert isomorphic(graph, ontology_graph())


def test_browsers_get_the_documentation_in_their_language(client) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    english = client.get("/ontology", headers={"Accept": browser})
    assert english.mimetype == "text/html" and '<html lang="en">' in english.get_data(as_text=True)
    swedish = client.get("/ontology", headers={"Accept": browser, "Accept-Language": "sv-SE,sv;q=0.9,en;q=0.5"})
    assert '<html lang="sv">' in swedish.get_data(as_text=True) and swedish.headers["Content-Language"] == "sv"
    assert '<html lang="sv">' in client.get("/ontology.sv.html").get_data(as_text=True)
    assert 'rel="alternate"; type="text/turtle"' in english.headers["Link"]


def test_turtle_is_the_file_itself_and_suffixes_name_formats(client) -> None:
    assert client.get("/ontology.ttl").get_data() == ontology_docs.ontology_file().read_bytes()
    assert client.get("/ontology.jsonld").mimetype == "application/ld+json"
    assert client.get("/ontology/0.1.0", headers={"Accept": "text/turtle"}).status_code == 200
    missing = client.get("/ontology.docx")
    assert missing.status_code == 404 and ".ttl" in missing.get_data(as_text=True)


def test_shapes_are_served_as_one_graph(client) -> None:
    response = client.get("/shapes")
    assert response.mimetype == "text/turtle" and "Accept" in response.headers["Vary"]
    served = set(ox.parse(response.get_data(), format=ox.RdfFormat.TURTLE))
    assert any(q.subject.value == "https://w3id.org/policykg/shapes#DcatCatalogShape" for q in served)
    assert client.get("/shapes.nt").mimetype == "application/n-triples"
