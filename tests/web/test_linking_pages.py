"""What the pages show of the links with other datasets (server/linking.py): a resource's
identifiers and outside links with where each came from and who reviewed it, an
organisation's EU project participations with their sources, a goal's indicators as a
chart with its table, and the landing page's linked datasets; in Swedish and English,
escaped, on the built samples and on a small store of hostile values."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from helpers import make_settings, require_shared

from policykg.namespaces import (
    ADMS,
    DCT,
    EURIO,
    KOLADA_KPI,
    OWL,
    PKG,
    PROV,
    RDF,
    SDMX_CODE,
    SDMX_DIMENSION,
    SDMX_MEASURE,
    SEMAPV,
    SKOS,
    SSSOM,
)
from policykg.store import open_store

HTML = {"Accept": "text/html"}
BASE = "https://w3id.org/policykg/umea/"


def section(page: str, ident: str) -> str:
    """The <section> whose heading has id ``ident``."""
    found = re.search(rf'<section aria-labelledby="{ident}">.*?</section>', page, re.S)
    assert found, f"no section {ident}"
    return found.group(0)


def rows(store, sparql: str) -> list[dict]:
    """The solutions of ``sparql`` on the store, by variable name."""
    result = store.reader().query(sparql, use_default_graph_as_union=True)
    names = [v.value for v in result.variables]
    return [{name: row[name] for name in names} for row in result]


@pytest.fixture(autouse=True)
def _links():
    require_shared("data", "links")


@pytest.mark.parametrize("lang, heading, origin", [
    ("sv", "Identifierare och länkar till andra datamängder", "granskad mappningsmängd"),
    ("en", "Identifiers and links to other datasets", "reviewed mapping set"),
])
def test_umea_kommun_shows_its_identifiers_and_outside_links(client, lang, heading, origin):
    page = client.get(f"/body/umea-kommun?lang={lang}", headers=HTML).get_data(as_text=True)
    links = section(page, "outside-links")
    assert f'<h2 id="outside-links">{heading}</h2>' in links
    assert "<code>212000-2627</code>" in links and "<code>2480</code>" in links
    # Wikidata Q507709 (the municipality), linked at the publisher, from the reviewed mapping set
    wikidata = re.search(r"<tr>(?:(?!</tr>).)*entity/Q507709(?:(?!</tr>).)*</tr>", links, re.S).group(0)
    assert '<a href="http://www.wikidata.org/entity/Q507709">' in wikidata
    assert f"({origin})" in wikidata and "semapv:LexicalMatching" in wikidata
    assert "organisation number 212000-2627 in both" in wikidata
    # NUTS SE331 from the program
    assert '<a href="http://data.europa.eu/nuts/code/SE331">' in links
    # and the municipality as a place of Sweden's table (se-municipalities mapping set)
    assert '<a href="/place/municipality/2480">' in links


def test_the_county_links_to_nuts_and_wikidata_from_the_reference_data(client):
    page = client.get("/place/county/24?lang=en", headers=HTML).get_data(as_text=True)
    links = section(page, "outside-links")
    assert '<a href="http://data.europa.eu/nuts/code/SE331">' in links
    assert '<a href="http://www.wikidata.org/entity/Q104877">' in links
    assert "<code>SE331</code>" in links and "<code>SE-AC</code>" in links and "(reference dataset)" in links


def test_a_mapping_a_person_reviewed_names_the_reviewer(client, store):
    reviewed = rows(store, f"""PREFIX sssom: <{SSSOM}> PREFIX owl: <{OWL}>
        SELECT ?s ?r WHERE {{ ?m sssom:reviewer_label ?r ; owl:annotatedSource ?s }} ORDER BY ?s LIMIT 1""")
    assert reviewed, "the sample mapping sets have a row a person reviewed"
    subject, reviewer = reviewed[0]["s"].value, reviewed[0]["r"].value
    path = "/" + subject[len(BASE):]
    for lang, said in (("sv", "granskad av"), ("en", "reviewed by")):
        page = client.get(f"{path}?lang={lang}", headers=HTML).get_data(as_text=True)
        assert f"{said} {reviewer}" in section(page, "outside-links")


@pytest.mark.parametrize("lang, heading, source", [("sv", "Deltagande i EU-projekt", "Källa"), ("en", "Participation in EU projects", "Source")])
def test_umea_kommun_lists_its_eu_participations_with_their_sources(client, store, lang, heading, source):
    expected = rows(store, f"""PREFIX owl: <{OWL}> PREFIX eurio: <{EURIO}>
        SELECT ?project ?title ?record WHERE {{ <{BASE}body/umea-kommun> owl:sameAs ?p .
          ?part eurio:isRoleOf ?p ; eurio:isInvolvedIn ?project ; <{PROV.wasDerivedFrom}> ?record .
          ?project eurio:title ?title }}""")
    assert len(expected) == 13  # 10 in Interreg 2021-2027, 3 in the ERDF 2014-2020 project bank
    page = client.get(f"/body/umea-kommun?lang={lang}", headers=HTML).get_data(as_text=True)
    eu = section(page, "eu-participations")
    assert f"{heading} <span class=\"count\">(13)</span>" in eu and f'<th scope="col">{source}</th>' in eu
    for row in expected:
        record_path = "/" + row["record"].value[len(BASE):]
        line = re.search(rf'<tr>(?:(?!</tr>).)*href="/{re.escape(row["project"].value[len(BASE):])}"(?:(?!</tr>).)*</tr>', eu, re.S)
        assert line, row["title"].value
        assert str(row["title"].value.replace("'", "&#39;")) in line.group(0) or row["title"].value in line.group(0)
        assert f'href="{record_path}"' in line.group(0).replace("%23", "#")
    assert "http://projektbank.tillvaxtverket.se/projektbanken2020" in eu  # the ERDF rows' project bank


def kolada_value(store, kpi: str, area: str, year: str) -> str:
    found = rows(store, f"""PREFIX pkg: <{PKG}>
        PREFIX sdmx-dimension: <{SDMX_DIMENSION}>
        PREFIX sdmx-measure: <{SDMX_MEASURE}>
        SELECT ?value WHERE {{ ?o pkg:kpi <{KOLADA_KPI[kpi]}> ;
          sdmx-dimension:refArea <{BASE}place/municipality/{area}> ; sdmx-dimension:refPeriod ?year ;
          sdmx-dimension:sex <{SDMX_CODE["sex-T"]}> ; sdmx-measure:obsValue ?value
          FILTER(STR(?year) = "{year}") }}""")
    assert len(found) == 1
    return found[0]["value"].value


@pytest.mark.parametrize("lang, heading, notice", [
    ("sv", "Indikatorer", "Valet av indikatorer är illustrativt"),
    ("en", "Indicators", "The choice of indicators is illustrative"),
])
def test_a_goal_shows_its_indicators_as_a_chart_and_a_table(client, store, lang, heading, notice):
    page = client.get(f"/goal/2?lang={lang}", headers=HTML).get_data(as_text=True)
    part = re.search(r'<section aria-labelledby="indicators">.*?<h2 id="statements">', page, re.S).group(0)
    assert f'<h2 id="indicators">{heading}</h2>' in part and notice in part
    # goal 2's KPIs, with their rationale
    assert 'href="https://api.kolada.se/v3/kpi/N03702"' in part and 'href="https://api.kolada.se/v3/kpi/N03703"' in part
    assert ("Bruttoregionprodukt per invånare visar" if lang == "sv" else "Gross regional product per inhabitant shows") in part
    first = section(part, "indicator-1")
    chart = re.search(r"<svg[^>]*>.*?</svg>", first, re.S).group(0)
    assert 'role="img"' in chart and 'aria-labelledby="chart-1-t chart-1-d"' in chart
    assert '<title id="chart-1-t">Bruttoregionprodukt, kommun (BRP), 1000 kr/invånare</title>' in chart
    assert chart.count("<polyline") >= 2
    table = re.search(r'<table class="values">.*?</table>', first, re.S).group(0)
    # the store has no values of Umeå in the extracts: the page says so and shows the others'
    assert ("inga värden för Umeå" if lang == "sv" else "no values of Umeå") in first
    stockholm = kolada_value(store, "N03702", "0180", "2014")
    assert re.search(rf'<th scope="row">2014</th><td>{re.escape(stockholm)}</td>', table)
    assert '<a href="/place/municipality/0180">' in table


def test_pages_without_links_show_no_such_section(client, store):
    principle = rows(store, f"PREFIX pkg: <{PKG}> SELECT ?p WHERE {{ ?p a pkg:Principle }} ORDER BY ?p LIMIT 1")[0]["p"].value
    page = client.get("/" + principle[len(BASE):] + "?lang=en", headers=HTML)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="indicators"' not in text and 'id="eu-participations"' not in text


@pytest.mark.parametrize("lang, heading, site", [("sv", "Länkade datamängder", "utgivarens webbplats"), ("en", "Linked datasets", "the publisher&#39;s site")])
def test_the_landing_page_lists_the_linked_datasets(client, store, lang, heading, site):
    page = client.get(f"/?lang={lang}").get_data(as_text=True)
    listed = re.search(r'<h2 id="linked-datasets">.*?</ul>', page, re.S).group(0)
    assert heading in listed
    for source, homepage, title in (
        ("https://www.kolada.se/", "https://www.kolada.se/", {"sv": "Kolada: nyckeltal", "en": "Kolada: key performance indicators"}),
        ("http://data.europa.eu/nuts", "https://ec.europa.eu/eurostat/web/nuts", {"sv": "NUTS: Nomenklaturen", "en": "NUTS: Nomenclature"}),
        ("http://www.wikidata.org/entity/Q2013", "https://www.wikidata.org/", {"sv": "Wikidata", "en": "Wikidata"}),
    ):
        item = re.search(rf'<li><a href="{re.escape(source)}">(?:(?!</li>).)*</li>', listed, re.S)
        assert item, source
        assert title[lang] in item.group(0) and f'<a href="{homepage}">{site}</a>' in item.group(0)


# --- escaping: a store of hostile values -----------------------------------------------------

HOSTILE = '<script>alert("x")</script>'
RTL = "\u202eעברית"


@pytest.fixture
def hostile_client(tmp_path):
    from policykg.server import create_app

    settings = make_settings(tmp_path / "store")
    iris = settings.iris
    body, participant, project = iris.body("hostile"), iris.eu_participant("hostile"), iris.eu_project("erdf", "1")
    identifier, mapping, graph = iris.identifier(body, "organisation-number"), iris("mapping-set/x/mapping/1"), iris.graph("linkset/x")
    n, lit = ox.NamedNode, ox.Literal

    def prop(p):
        return p if isinstance(p, ox.NamedNode) else n(str(p))
    registry = [ox.Quad(n(s), prop(p), o, n(iris.graph("registry"))) for s, p, o in (
        (body, RDF.type, n(str(PKG.Body))),
        (body, SKOS.prefLabel, lit("Hostile body", language="en")),
        (body, ADMS.identifier, n(identifier)),
        (identifier, SKOS.notation, lit(HOSTILE + RTL)),
        (identifier, DCT.type, n(str(PKG.SwedishOrganisationNumbers))),
        (iris("eu-part/1"), EURIO.isRoleOf, n(participant)),
        (iris("eu-part/1"), EURIO.isInvolvedIn, n(project)),
        (iris("eu-part/1"), PROV.wasDerivedFrom, n(iris("record/1"))),
        (project, EURIO.title, lit(HOSTILE)),
        (project, EURIO.hasAssociatedFundingScheme, n(iris("programme/1"))),
        (iris("programme/1"), EURIO.title, lit(RTL)),
    )]
    linkset = [ox.Quad(n(s), prop(p), o, n(graph)) for s, p, o in (
        (body, OWL.sameAs, n(participant)),
        (mapping, OWL.annotatedSource, n(body)),
        (mapping, OWL.annotatedProperty, n(str(OWL.sameAs))),
        (mapping, OWL.annotatedTarget, n(participant)),
        (mapping, SSSOM.mapping_justification, n(str(SEMAPV.ManualMappingCuration))),
        (mapping, SSSOM.reviewer_label, lit(HOSTILE)),
        (mapping, PKG.reviewStatus, lit("<b>accepted</b>")),
    )]
    open_store(settings).replace_graphs({iris.graph("registry"): registry, graph: linkset})
    application = create_app({**settings.as_dict(), "update_token": None})
    application.config["TESTING"] = True
    yield application.test_client()
    application.extensions["policykg.querypool"].close()


def test_hostile_values_are_escaped_and_isolated(hostile_client):
    response = hostile_client.get("/body/hostile?lang=en", headers=HTML)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<script>" not in page and "<b>accepted</b>" not in page
    links, eu = section(page, "outside-links"), section(page, "eu-participations")
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in links  # the code, and the reviewer
    assert "reviewed by &lt;script&gt;" in links and "status: &lt;b&gt;accepted&lt;/b&gt;" in links
    assert "<bdi>" in links and "<bdi>" in eu  # right-to-left text is isolated
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</a>" in eu
