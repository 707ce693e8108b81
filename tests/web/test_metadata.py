"""VoID (/.well-known/void) and the DCAT-AP-SE catalogue (/catalog): what they say, that
every negotiated format is the same graph, and that they conform to our shapes."""

from __future__ import annotations

from functools import lru_cache

import pytest
import rdflib
from helpers import ONTOLOGY_DIR, require_shared

from policykg import formats

GRAPH_MEDIA = [(media, fmt.key) for fmt in formats.GRAPH_OFFERS for media in fmt.media_types]
from pyshacl import validate
from rdflib.compare import isomorphic

from policykg.namespaces import DCAT, DCT, FOAF, LICENCE_DATA, SPDX, VCARD, VOID, Iris
from policykg.publication.dumps import latest

#: rdflib's parser name for each media type we offer.
RDFLIB_FORMAT = {
    "turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "rdfxml": "xml", "n3": "n3", "nquads": "nquads", "trig": "trig",
}
DOCUMENTS = ("/.well-known/void", "/catalog")


@lru_cache(maxsize=1)
def shapes() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in sorted((ONTOLOGY_DIR / "shapes").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def fetch(client, path: str, media: str = "text/turtle") -> rdflib.Graph:
    response = client.get(path, headers={"Accept": media})
    assert response.status_code == 200, response.get_data(as_text=True)
    fmt = dict(GRAPH_MEDIA)[media]
    graph = rdflib.Dataset() if fmt in ("nquads", "trig") else rdflib.Graph()
    graph.parse(data=response.get_data(), format=RDFLIB_FORMAT[fmt])
    if isinstance(graph, rdflib.Dataset):
        flat = rdflib.Graph()
        for s, p, o, _ in graph.quads():
            flat.add((s, p, o))
        return flat
    return graph


def conforms(graph: rdflib.Graph) -> tuple[bool, str]:
    ok, _, text = validate(graph, shacl_graph=shapes(), inference="none", advanced=True, allow_warnings=True)
    return ok, text


@pytest.mark.parametrize("path", DOCUMENTS)
@pytest.mark.parametrize("media", sorted({m for m, _ in GRAPH_MEDIA}))
def test_every_negotiated_format_is_the_same_graph(client, path: str, media: str) -> None:
    reference = fetch(client, path)
    assert len(reference) > 100
    assert isomorphic(fetch(client, path, media), reference), media


@pytest.mark.parametrize("path", DOCUMENTS)
def test_documents_are_negotiated_with_vary_and_alternates(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "text/turtle"  # the default
    assert "Accept" in response.headers["Vary"]
    assert 'rel="alternate"; type="application/ld+json"' in response.headers["Link"]
    assert client.get(path + "?format=jsonld").mimetype == "application/ld+json"
    refused = client.get(path, headers={"Accept": "image/png"})
    assert refused.status_code == 406 and "text/turtle" in refused.get_data(as_text=True)
    again = client.get(path, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_void_conforms_to_the_shapes_and_states_the_statistics(client, store, built_settings) -> None:
    graph = fetch(client, "/.well-known/void")
    ok, text = conforms(graph)
    assert ok, text
    iris = Iris(built_settings.base_iri)
    dataset = rdflib.URIRef(iris.dataset())
    stats = latest(store).statistics
    assert graph.value(dataset, VOID.triples).toPython() == stats.triples == len(
        {(q.subject, q.predicate, q.object) for q in store.reader().quads_for_pattern(None, None, None, None)})
    assert str(graph.value(dataset, VOID.sparqlEndpoint)) == "http://localhost/sparql"
    assert str(graph.value(dataset, VOID.uriSpace)) == built_settings.base_iri
    dumps = {str(o) for o in graph.objects(dataset, VOID.dataDump)}
    assert dumps == {f"http://localhost/downloads/{f.name}" for f in latest(store).files}
    # one subset per named graph, with its own size
    subsets = {str(s): graph.value(s, VOID.triples).toPython() for s in graph.objects(dataset, VOID.subset)
               if (s, rdflib.RDF.type, VOID.Linkset) not in graph}
    sizes = {row["g"].value: int(row["n"].value) for row in store.query("SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
    assert subsets == sizes
    # links to Wikidata, with their predicate and count
    linksets = list(graph.subjects(rdflib.RDF.type, VOID.Linkset))
    targets = {str(o) for ls in linksets for o in graph.objects(ls, VOID.objectsTarget)}
    assert "http://www.wikidata.org/entity/Q2013" in targets
    assert str(iris.goal(1)) in {str(o) for o in graph.objects(dataset, VOID.exampleResource)}


def test_catalog_conforms_to_the_dcat_ap_se_shapes(client, store) -> None:
    graph = fetch(client, "/catalog")
    ok, text = conforms(graph)
    assert ok, text
    dumps = latest(store)
    # every dump is a distribution with its download URL, size and checksum
    for dump in dumps.files:
        url = rdflib.URIRef(f"http://localhost/downloads/{dump.name}")
        distribution = graph.value(None, DCAT.downloadURL, url)
        assert distribution is not None, dump.name
        assert graph.value(distribution, DCAT.byteSize).toPython() == dump.bytes
        checksum = graph.value(distribution, SPDX.checksum)
        assert str(graph.value(checksum, SPDX.checksumValue)) == dump.sha256
        assert graph.value(distribution, DCT.license) == rdflib.URIRef(LICENCE_DATA)
    services = {str(graph.value(s, DCAT.endpointURL)) for s in graph.subjects(rdflib.RDF.type, DCAT.DataService)}
    assert services == {"http://localhost/sparql", "http://localhost/api"}
    publisher = graph.value(None, rdflib.RDF.type, FOAF.Agent) or next(graph.subjects(rdflib.RDF.type, FOAF.Agent))
    assert str(graph.value(publisher, FOAF.name)) == "Umeå kommun"
    assert str(graph.value(publisher, DCT.type)) == "http://purl.org/adms/publishertype/LocalAuthority"
    contact = next(graph.subjects(rdflib.RDF.type, VCARD.Organization))
    assert str(graph.value(contact, VCARD.hasEmail)) == "mailto:umea.kommun@umea.se"


def test_shapes_catch_a_catalog_without_mandatory_fields(client) -> None:
    graph = fetch(client, "/catalog")
    catalog = next(graph.subjects(rdflib.RDF.type, DCAT.Catalog))
    graph.remove((catalog, DCT.license, None))
    contact = next(graph.subjects(rdflib.RDF.type, VCARD.Organization))
    graph.remove((contact, VCARD.hasEmail, None))
    ok, text = conforms(graph)
    assert not ok and "dct:license" in text and "vcard:hasEmail" in text


def test_urls_follow_the_public_url_and_the_contact_is_configurable(built_settings) -> None:
    from policykg.server import create_app

    app = create_app({**built_settings.as_dict(), "public_url": "https://data.example.org/kg", "contact_email": "data@example.org"})
    graph = fetch(app.test_client(), "/catalog")
    assert rdflib.URIRef("https://data.example.org/kg/sparql") in set(graph.objects(None, DCAT.endpointURL))
    assert rdflib.URIRef("mailto:data@example.org") in set(graph.objects(None, VCARD.hasEmail))


def test_parts_of_the_dataset_dereference_to_the_catalog(client) -> None:
    assert client.get("/dataset").status_code == 200
    response = client.get("/distribution/nquads")
    assert response.status_code == 303 and response.headers["Location"].endswith("/catalog")


def test_without_dumps_the_documents_say_how_to_make_them(sample_store) -> None:
    from helpers import make_endpoint_app

    app = make_endpoint_app(sample_store.path)
    try:
        response = app.test_client().get("/.well-known/void")
        assert response.status_code == 503 and "policykg dumps" in response.get_data(as_text=True)
    finally:
        app.extensions["policykg.querypool"].close()


# --- SEMIC's DCAT-AP 3.0.1 shapes (../shared/data/dcat-ap) -------------------------------

SEMIC_SHAPES = ("data", "dcat-ap", "semiceu-dcat-ap", "releases", "3.0.1", "html", "shacl")


def semic_results(graph: rdflib.Graph, name: str) -> dict[str, list[str]]:
    """The results of one of SEMIC's shape files on ``graph``, by severity (Violation, Warning)."""
    from helpers import require_shared

    shapes_graph = rdflib.Graph().parse(require_shared(*SEMIC_SHAPES, name), format="turtle")
    _, report, _ = validate(graph, shacl_graph=shapes_graph, inference="none", allow_warnings=True)
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    found: dict[str, list[str]] = {}
    for result in report.subjects(rdflib.RDF.type, sh.ValidationResult):
        severity = str(report.value(result, sh.resultSeverity)).rsplit("#", 1)[-1]
        found.setdefault(severity, []).append(f"{report.value(result, sh.focusNode)} {report.value(result, sh.resultPath)}")
    return found


@pytest.mark.parametrize("name", ["shapes.ttl", "range.ttl"])
def test_catalog_passes_semics_mandatory_and_range_shapes(client, name: str) -> None:
    # DCAT-AP 3.0.1's mandatory (shapes.ttl) and range (range.ttl) shapes: no violation, the EU
    # vocabulary terms the record uses typed and labelled.
    results = semic_results(fetch(client, "/catalog"), name)
    assert not results.get("Violation"), results["Violation"]


def test_catalog_has_only_the_recommended_warnings_it_cannot_fill(client) -> None:
    # What is left: availability of the distributions, the catalogue's issue date, the end of the
    # period (the program runs on) and a bounding box and centroid of NUTS SE331.
    results = semic_results(fetch(client, "/catalog"), "shapes_recommended.ttl")
    assert not results.get("Violation")
    left = sorted({line.rsplit(" ", 1)[-1].rsplit("#", 1)[-1].rsplit("/", 1)[-1] for line in results.get("Warning", [])})
    assert left == ["availability", "bbox", "centroid", "endDate", "issued"], left


def test_catalog_lists_the_linked_datasets(client) -> None:
    require_shared("data", "links")  # the build copies those datasets from there
    graph = fetch(client, "/catalog")
    dataset = next(graph.subjects(rdflib.RDF.type, DCAT.Dataset))
    related = {str(o) for o in graph.objects(dataset, DCT.relation)}
    assert {"http://data.europa.eu/nuts", "http://publications.europa.eu/resource/dataset/country",
            "http://www.wikidata.org/entity/Q2013", "https://www.kolada.se/"} <= related, related
    publisher = next(graph.subjects(rdflib.RDF.type, FOAF.Agent))
    assert graph.value(graph.value(publisher, DCT.type), rdflib.RDF.type) == rdflib.SKOS.Concept


def test_void_lists_each_reviewed_mapping_set_as_a_linkset_with_its_count(client, store, built_settings) -> None:
    graph = fetch(client, "/.well-known/void")
    iris = Iris(built_settings.base_iri)
    linksets = {}
    for node in graph.subjects(rdflib.RDF.type, VOID.Linkset):
        source = graph.value(node, DCT.source)
        if source is not None and str(source).startswith(iris("mapping-set/")):
            linksets[(str(source), str(graph.value(node, VOID.linkPredicate)))] = graph.value(node, VOID.triples).toPython()
    accepted = {row["set"].value: int(row["n"].value) for row in store.query(
        "PREFIX sssom: <https://w3id.org/sssom/> PREFIX pkg: <https://w3id.org/policykg/ontology#> "
        "SELECT ?set (COUNT(?m) AS ?n) { GRAPH ?g { ?set sssom:mappings ?m . ?m pkg:reviewStatus 'accepted' } } GROUP BY ?set")}
    assert {s for s, _ in linksets} == set(accepted) == {iris.mapping_set(n) for n in ("wikidata", "se-municipalities", "eu-projects")}
    for (mapping_set, _), count in linksets.items():
        assert count == accepted[mapping_set] > 0
    assert linksets[(iris.mapping_set("wikidata"), "http://www.w3.org/2002/07/owl#sameAs")] >= 1
    # the datasets of others that our graphs copy are listed, with their titles
    require_shared("data", "links")
    dataset = rdflib.URIRef(iris.dataset())
    related = set(graph.objects(dataset, DCT.relation))
    assert rdflib.URIRef("http://data.europa.eu/nuts") in related
    assert graph.value(rdflib.URIRef("https://www.kolada.se/"), DCT.title) is not None


def test_void_and_dcat_say_the_registry_records_are_illustrative(client, built_settings) -> None:
    """The sample registries are marked illustrative (registries.toml): the dataset's
    description says so in both languages, and each registry graph carries the mark."""
    from policykg.namespaces import PKG
    from policykg.publication.samples import NOTICE

    from rdflib import Literal, URIRef

    dataset = URIRef(built_settings.iris.dataset())
    for path in ("/.well-known/void", "/catalog"):
        graph = fetch(client, path)
        descriptions = {d.language: str(d) for d in graph.objects(dataset, DCT.description)}
        assert NOTICE["sv"] in descriptions["sv"] and NOTICE["en"] in descriptions["en"], path
    void = fetch(client, "/.well-known/void")
    projects = URIRef(built_settings.iris.graph("projects"))
    assert (projects, PKG.illustrative, Literal(True)) in void
    assert (URIRef(built_settings.iris.graph("program")), PKG.illustrative, Literal(True)) not in void
