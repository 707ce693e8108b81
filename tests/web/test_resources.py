"""The linked-data pages through the application: every minted IRI dereferences, in
every format, in Swedish or English; unknown IRIs are 404; lists stay bounded."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
import rdflib
from helpers import make_settings
from rdflib.compare import isomorphic

from policykg.runtime.describe import SORT_LIMIT, WORK_PAGE
from policykg.store import open_store

BASE = "https://w3id.org/policykg/umea/"
HTML = {"Accept": "text/html"}
RDF_FORMATS = {
    "ttl": ("text/turtle", "turtle"),
    "jsonld": ("application/ld+json", "json-ld"),
    "nt": ("application/n-triples", "nt"),
    "rdf": ("application/rdf+xml", "xml"),
}


def minted(store) -> list[str]:
    """Every IRI under the base that is the subject or object of a statement."""
    found = set()
    for quad in store.reader().quads_for_pattern(None, None, None, None):
        for term in (quad.subject, quad.object):
            if isinstance(term, ox.NamedNode) and term.value.startswith(BASE):
                found.add(term.value)
    return sorted(found)


def test_every_minted_iri_dereferences(work_client, work_store):
    iris = minted(work_store)
    assert len(iris) > 100
    for iri in iris:
        path = "/" + iri[len(BASE):]
        response = work_client.get(path, headers=HTML)
        assert response.status_code == 200, (path, response.status_code)
        assert response.content_type == "text/html; charset=utf-8"
        assert f"<code>{iri}</code>" in response.get_data(as_text=True)


def test_unknown_iri_is_404_in_the_readers_language(work_client):
    sv = work_client.get("/goal/99", headers={"Accept": "text/html", "Accept-Language": "sv-SE,sv;q=0.9"})
    assert sv.status_code == 404 and '<html lang="sv">' in sv.get_data(as_text=True)
    assert "Datamängden säger ingenting om https://w3id.org/policykg/umea/goal/99" in sv.get_data(as_text=True)
    en = work_client.get("/goal/99?lang=en", headers=HTML)
    assert en.status_code == 404 and '<html lang="en">' in en.get_data(as_text=True)
    plain = work_client.get("/goal/99", headers={"Accept": "text/turtle"})
    assert plain.status_code == 404 and plain.content_type.startswith("text/plain")
    assert work_client.get("/goal/99.ttl").status_code == 404
    assert work_client.get("/sdg/99.99", headers=HTML).status_code == 404


@pytest.mark.parametrize("suffix", list(RDF_FORMATS))
def test_every_format_by_accept_suffix_and_parameter_is_the_same_graph(work_client, suffix):
    media, parser = RDF_FORMATS[suffix]
    bodies = [
        work_client.get("/project/ungdomsutbyte", headers={"Accept": media}),
        work_client.get(f"/project/ungdomsutbyte.{suffix}"),
        work_client.get(f"/project/ungdomsutbyte?format={suffix}"),
    ]
    for response in bodies:
        assert response.status_code == 200 and response.content_type.split(";")[0] == media
    graphs = [rdflib.Graph().parse(data=r.data, format=parser) for r in bodies]
    turtle = rdflib.Graph().parse(data=work_client.get("/project/ungdomsutbyte.ttl").data, format="turtle")
    assert all(isomorphic(g, turtle) for g in graphs)
    project = rdflib.URIRef(BASE + "project/ungdomsutbyte")
    assert (project, rdflib.URIRef("https://w3id.org/policykg/ontology#servesGoal"), rdflib.URIRef(BASE + "goal/2")) in turtle
    # labels of what it links to, and the activity that points at it
    assert (rdflib.URIRef(BASE + "goal/2"), rdflib.URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"), rdflib.Literal("Mervärde för invånare och näringsliv", lang="sv")) in turtle
    assert (rdflib.URIRef(BASE + "activity/studieresa-abo"), rdflib.URIRef("https://w3id.org/policykg/ontology#partOf"), project) in turtle


def test_blank_nodes_come_with_their_statements(work_client):
    graph = rdflib.Graph().parse(data=work_client.get("/membership/kulturnamnden-eurocities.ttl").data, format="turtle")
    dates = list(graph.objects(None, rdflib.URIRef("http://www.w3.org/2006/time#inXSDDate")))
    assert [str(d) for d in dates] == ["2019-01-01"]


def test_a_chain_of_blank_nodes_is_read_to_its_end(tmp_path):
    """A remote store's reader followed blank nodes two levels deep: a third level was lost."""
    chain = '<http://example.org/s> <http://example.org/p> [ <http://example.org/p> [ <http://example.org/p> [ ' \
        '<http://example.org/p> [ <http://example.org/v> "end" ] ] ] ] .'
    store = open_store(make_settings(tmp_path / "store"))
    store.replace_graphs({"http://example.org/graph/chain": ox.parse(chain, format=ox.RdfFormat.TURTLE)})
    reader, step = store.reader(), ox.NamedNode("http://example.org/p")
    node, depth = ox.NamedNode("http://example.org/s"), 0
    while found := list(reader.quads_for_pattern(node, step, None, None)):
        node, depth = found[0].object, depth + 1
    assert depth == 4 and isinstance(node, ox.BlankNode)
    assert [q.object.value for q in reader.quads_for_pattern(node, ox.NamedNode("http://example.org/v"), None, None)] == ["end"]


def test_headers_vary_and_link_to_every_variant(work_client):
    response = work_client.get("/goal/2", headers=HTML)
    assert {"Accept", "Accept-Language"} <= set(response.vary)
    links = response.headers["Link"]
    for suffix, (media, _) in RDF_FORMATS.items():
        assert f'<http://localhost/goal/2.{suffix}>; rel="alternate"; type="{media}"' in links
    assert '<http://localhost/goal/2.html>; rel="alternate"; type="text/html"' in links
    assert response.headers["Content-Location"] == "/goal/2.html"
    turtle = work_client.get("/goal/2", headers={"Accept": "text/turtle;q=0.9, text/html;q=0.5"})
    assert turtle.content_type.startswith("text/turtle") and turtle.headers["Content-Location"] == "/goal/2.ttl"
    assert "Content-Location" not in work_client.get("/goal/2.ttl").headers


def test_not_acceptable_and_unknown_format(work_client):
    assert work_client.get("/goal/2", headers={"Accept": "image/png"}).status_code == 406
    # one negotiator everywhere: a format= that names no format is a bad request, as on /sparql
    assert work_client.get("/goal/2?format=docx").status_code == 400


def test_a_path_that_ends_like_a_suffix_is_the_resource_itself_first(work_client):
    # the provenance of the program graph names its file, program.ttl, as a resource of its own
    response = work_client.get("/graph/program/source/program.ttl", headers=HTML)
    assert response.status_code == 200 and "program.ttl" in response.get_data(as_text=True)
    assert response.content_type.startswith("text/html")


def test_language_by_parameter_then_accept_language_then_swedish(work_client):
    def lang(**kwargs):
        return re.search(r'<html lang="(\w+)">', work_client.get("/goal/2", **kwargs).get_data(as_text=True)).group(1)

    assert lang(headers=HTML) == "sv"
    assert lang(headers={**HTML, "Accept-Language": "en-GB,en;q=0.9"}) == "en"
    assert lang(headers={**HTML, "Accept-Language": "fi, en-US;q=0.5, sv;q=0.4"}) == "en"
    assert lang(headers={**HTML, "Accept-Language": "de"}) == "sv"
    assert lang(headers={**HTML, "Accept-Language": "en"}, query_string={"lang": "sv"}) == "sv"


def test_labels_in_the_page_language_and_others_marked(work_client):
    sv = work_client.get("/goal/2?lang=sv", headers=HTML).get_data(as_text=True)
    assert "<h1>Mervärde för invånare och näringsliv</h1>" in sv
    assert '<span lang="en">Added value for inhabitants and businesses</span>' in sv
    en = work_client.get("/goal/2?lang=en", headers=HTML).get_data(as_text=True)
    assert "<h1>Added value for inhabitants and businesses</h1>" in en
    assert '<span lang="sv">Mervärde för invånare och näringsliv</span>' in en
    assert "Work that serves this goal" in en and "Arbete som tjänar målet" in sv


def test_goal_page_shows_the_work_that_serves_it_and_why(work_client):
    page = work_client.get("/goal/2?lang=en", headers=HTML).get_data(as_text=True)
    assert '<a href="/project/ungdomsutbyte">Youth exchange with Turku</a>' in page
    assert "Asserted in a registry" in page and "projects.csv, row 2" in page
    # the activity serves it through its project
    assert "Activities that serve this goal through their project" in page
    assert '<a href="/activity/studieresa-abo">Study trip to Turku</a>' in page
    # the overview: bodies, focus areas and SDG targets of that work
    overview = page[page.index('id="summary"'):page.index("Work that serves this goal <span")]
    for expected in ('href="/body/kulturnamnden"', 'href="/focus-area/international-umea"', 'href="/sdg/4.7"', 'href="/principle/children-and-youth"'):
        assert expected in overview


def test_goal_four_shows_each_basis(work_client):
    page = work_client.get("/goal/4?lang=en", headers=HTML).get_data(as_text=True)
    assert "Inferred by a rule" in page and "A network for influence serves goal 4" in page
    assert "projects.csv, row 3" in page  # the EU week, asserted in row 3


def test_body_page_shows_everything_it_does(work_client):
    page = work_client.get("/body/kulturnamnden?lang=en", headers=HTML).get_data(as_text=True)
    assert "Work this body is responsible for" in page and "Memberships" in page
    assert '<a href="/membership/kulturnamnden-eurocities">' in page
    ks = work_client.get("/body/kommunstyrelsen?lang=en", headers=HTML).get_data(as_text=True)
    assert "/responsibility/kommunstyrelsen/leads-and-follows-up" in ks and "/activity/eu-veckan" in ks


def test_sdg_target_page_shows_the_work_that_contributes(work_client):
    response = work_client.get("/sdg/4.7?lang=en", headers=HTML)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<code>http://metadata.un.org/sdg/4.7</code>" in page and "Work that contributes to this target" in page
    assert '<a href="/project/ungdomsutbyte">' in page
    turtle = work_client.get("/sdg/4.7.ttl")
    graph = rdflib.Graph().parse(data=turtle.data, format="turtle")
    target = rdflib.URIRef("http://metadata.un.org/sdg/4.7")
    assert list(graph.subjects(rdflib.URIRef("https://w3id.org/policykg/ontology#contributesToTarget"), target)) == [rdflib.URIRef(BASE + "project/ungdomsutbyte")]
    assert work_client.get("/sdg", headers=HTML).status_code == 200  # Agenda 2030 itself


def test_activity_page_shows_the_chain_upwards(work_client):
    page = work_client.get("/activity/studieresa-abo?lang=en", headers=HTML).get_data(as_text=True)
    upward = page[page.index('id="upward"'):page.index('id="statements"')]
    assert 'href="/goal/2"' in upward and 'href="/goal/5"' in upward and 'href="/sdg/4.7"' in upward
    assert "Asserted in a registry" in upward


def test_provenance_names_each_graph_and_its_file(work_client):
    page = work_client.get("/project/ungdomsutbyte?lang=en", headers=HTML).get_data(as_text=True)
    section = page[page.index('id="provenance"'):]
    assert "International work (test data)" in section and "projects.csv" in section and "SHA-256" in section
    assert "Generated" in section and "Loader version" in section


def test_other_iris_the_store_describes_are_shown_by_parameter(work_client):
    response = work_client.get("/resource", query_string={"iri": "https://w3id.org/policykg/ontology#Goal", "lang": "en"}, headers=HTML)
    assert response.status_code == 200 and "<h1>Goal</h1>" in response.get_data(as_text=True)
    assert work_client.get("/resource", query_string={"iri": "http://example.org/nothing"}, headers=HTML).status_code == 404
    assert work_client.get("/resource", query_string={"iri": "not an iri"}).status_code == 400
    assert work_client.get("/resource").status_code == 400
    ttl = work_client.get("/resource", query_string={"iri": "https://w3id.org/policykg/ontology#Goal", "format": "ttl"})
    assert ttl.content_type.startswith("text/turtle")


def test_other_routes_are_not_shadowed(work_client):
    assert work_client.get("/health").get_json()["status"] == "ok"
    assert work_client.get("/api/goals").content_type == "application/json"
    assert work_client.get("/editor").status_code == 200
    assert work_client.get("/static/site.css").status_code == 200
    assert work_client.get("/update").status_code == 404  # disabled without a token, says so
    assert b"Updates are not enabled" in work_client.get("/update").data


def test_pages_escape_what_they_show(tmp_path):
    """A label with markup in it is shown as text."""
    from policykg.server import create_app

    settings = make_settings(tmp_path / "store")
    store = open_store(settings)
    node = ox.NamedNode(settings.iris("project/x"))
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    store.replace_graphs({settings.iris.graph("t"): [ox.Quad(node, label, ox.Literal('<script>alert("x")</script>', language="sv"))]})
    app = create_app(settings.as_dict())
    try:
        page = app.test_client().get("/project/x", headers=HTML).get_data(as_text=True)
    finally:
        app.extensions["policykg.querypool"].close()
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


@pytest.fixture(scope="module")
def crowded(tmp_path_factory):
    """A goal served by more works than are listed by name, and a project with many activities."""
    settings = make_settings(tmp_path_factory.mktemp("crowded") / "store")
    pkg = "https://w3id.org/policykg/ontology#"
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    goal = ox.NamedNode(settings.iris.goal(3))
    quads = [ox.Quad(goal, rdf_type, ox.NamedNode(pkg + "Goal"))]
    for number in range(SORT_LIMIT + 30):
        work = ox.NamedNode(settings.iris(f"activity/a{number:05d}"))
        quads += [
            ox.Quad(work, rdf_type, ox.NamedNode(pkg + "Activity")),
            ox.Quad(work, label, ox.Literal(f"Aktivitet {number:05d}", language="sv")),
            ox.Quad(work, ox.NamedNode(pkg + "servesGoal"), goal),
        ]
    open_store(settings).replace_graphs({settings.iris.graph("crowded"): quads})
    from policykg.server import create_app

    app = create_app({**settings.as_dict(), "result_cache_bytes": 0})
    yield app.test_client()
    app.extensions["policykg.querypool"].close()


def test_long_lists_are_paged_in_a_stable_order_without_overlap(crowded):
    total = SORT_LIMIT + 30
    seen = []
    offset = 0
    while offset < 4 * WORK_PAGE:
        page = crowded.get(f"/goal/3?lang=en&offset.pkg:servesGoal={offset}", headers=HTML).get_data(as_text=True)
        section = page[page.index("Work that serves this goal"):page.index('id="statements"')]
        assert f"({total})" in section and "shown in the store" in section
        items = re.findall(r'href="/activity/(a\d{5})"', section)
        assert len(items) == WORK_PAGE
        seen += items
        offset += WORK_PAGE
    assert len(set(seen)) == len(seen) == 4 * WORK_PAGE
    again = crowded.get(f"/goal/3?lang=en&offset.pkg:servesGoal={WORK_PAGE}", headers=HTML).get_data(as_text=True)
    assert re.findall(r'href="/activity/(a\d{5})"', again)[:WORK_PAGE] == seen[WORK_PAGE : 2 * WORK_PAGE]
    assert f"offset.pkg:servesGoal={2 * WORK_PAGE}" in again  # the next page's link


def test_rdf_variants_stay_bounded(crowded):
    from policykg.runtime.describe import RDF_INCOMING

    graph = rdflib.Graph().parse(data=crowded.get("/goal/3.nt").data, format="nt")
    serving = list(graph.subjects(rdflib.URIRef("https://w3id.org/policykg/ontology#servesGoal"), None))
    assert len(serving) == RDF_INCOMING
