"""The built samples linked with national and EU datasets (what issue 13 asks for): Umeå kommun
to Wikidata Q507709, its county to NUTS SE331 and its Wikidata item, every country to the EU
table, every entity with a known outside identifier to it, Umeå kommun's real EU project
participations with their sources; each link from a reviewed mapping set with its provenance."""

from __future__ import annotations

import csv

import pytest
from helpers import named_answerer, require_shared, shared_dir

from policykg.loaders.identifiers import SCHEMES
from policykg.namespaces import ADMS, DCT, EU_COUNTRY, NUTS, OWL, PKG, SKOS, WD


@pytest.fixture(scope="module", autouse=True)
def _shared():
    require_shared("data", "links")


def ask_rows(store, query: str) -> list[dict]:
    return [{k: (row[k].value if row[k] is not None else None) for k in (v.value for v in result.variables)}
            for result in [store.query(query)] for row in result]


def test_umea_kommun_is_the_same_as_q507709_by_a_reviewed_mapping(store, built_settings):
    iris = built_settings.iris
    rows = ask_rows(store, f"""
        SELECT ?g ?reason ?status {{ GRAPH ?g {{ <{iris.body('umea-kommun')}> <{OWL.sameAs}> <{WD.Q507709}> .
          ?m <{OWL.annotatedSource}> <{iris.body('umea-kommun')}> ; <{OWL.annotatedTarget}> <{WD.Q507709}> ;
             <http://www.w3.org/2000/01/rdf-schema#comment> ?reason ; <{PKG.reviewStatus}> ?status }} }}""")
    assert rows == [{"g": iris.graph("linkset/wikidata"), "reason": "organisation number 212000-2627 in both", "status": "accepted"}]


def test_its_county_is_linked_to_nuts_se331_and_its_wikidata_item(store, built_settings):
    iris = built_settings.iris
    rows = ask_rows(store, f"""
        SELECT DISTINCT ?county ?link {{ <{iris.body('umea-kommun')}> <{SKOS.exactMatch}> ?place .
          ?place <{PKG.county}> ?county . ?county <{SKOS.exactMatch}> ?link }} ORDER BY ?link""")
    assert rows == [{"county": iris.county("24"), "link": str(NUTS.SE331)}, {"county": iris.county("24"), "link": str(WD.Q104877)}]


def test_every_country_is_one_of_the_eu_table(store, built_settings):
    rows = ask_rows(store, f"""
        SELECT DISTINCT ?country ?label {{ ?s <{PKG.country}> ?country .
          OPTIONAL {{ GRAPH <{built_settings.iris.graph('eu-countries')}> {{ ?country <{SKOS.prefLabel}> ?label FILTER(lang(?label) = "sv") }} }} }}""")
    assert len(rows) >= 8
    assert all(r["country"].startswith(str(EU_COUNTRY)) and r["label"] for r in rows), rows


def test_every_entity_with_a_known_outside_identifier_links_to_it(store, built_settings):
    # The fifth star: a code whose scheme has IRIs at its publisher (Wikidata, NUTS, the EU
    # country table) is also a link to that IRI, from the entity that has the code.
    prefixes = {scheme.concept: scheme.iri_prefix for scheme in SCHEMES.values() if scheme.iri_prefix}
    rows = ask_rows(store, f"""
        SELECT DISTINCT ?entity ?scheme ?code {{ ?entity <{ADMS.identifier}> ?id . ?id <{DCT.type}> ?scheme ;
          <{SKOS.notation}> ?code }}""")
    checked = 0
    for row in rows:
        prefix = prefixes.get(row["scheme"])
        if prefix is None:
            continue
        target = prefix + row["code"]
        linked = store.query(f"ASK {{ <{row['entity']}> ?p <{target}> }}")
        assert linked, f"{row['entity']} has the code {row['code']} but no link to {target}"
        checked += 1
    assert checked > 300  # the places' Wikidata items and NUTS regions, the partners' Wikidata items


def test_partners_with_a_known_identifier_link_to_it(store, built_settings):
    iris = built_settings.iris
    links = {(r["s"], r["o"]) for r in ask_rows(store, f"SELECT ?s ?o {{ ?s <{OWL.sameAs}> ?o }}")}
    for partner, item in (("umea-universitet", "Q1144565"), ("region-vasterbotten", "Q3233375"),
                          ("lansstyrelsen-vasterbotten", "Q28804179"), ("skelleftea-kommun", "Q430780"),
                          ("slu", "Q1312762"), ("vannas-kommun", "Q500210")):
        assert (iris.of("organisation", partner), str(WD[item])) in links, partner


def test_umea_kommuns_eu_participations_come_from_the_public_records(store, built_settings):
    rows = named_answerer(store, built_settings)("eu-participations", organisation="body/umea-kommun")
    assert len(rows) == 13
    path = shared_dir() / "data" / "links" / "eu-projects" / "eu-participations-vasterbotten.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        records = {number: row for number, row in enumerate(csv.DictReader(handle), start=2)}
    for row in rows:
        record = records[int(row["record"].rsplit("#row=", 1)[1])]
        assert record["participant_name"] == "Umeå kommun" and record["project_title"] == row["title"]
        assert row["record"].startswith(built_settings.iris.graph("eu-projects") + "/source/")
        assert row["mapping"] is not None
    assert {r["source"] for r in rows if r["programme"].endswith("(ERDF 2014-2020)")} == {"http://projektbank.tillvaxtverket.se/projektbanken2020"}


def test_each_linkset_graph_says_where_it_comes_from(store, built_settings):
    for name in ("wikidata", "se-municipalities", "eu-projects"):
        graph = built_settings.iris.graph(f"linkset/{name}")
        rows = ask_rows(store, f"""
            SELECT ?file ?version {{ GRAPH <{graph}> {{ <{graph}> <http://www.w3.org/ns/prov#wasDerivedFrom>/<{PKG.fileName}> ?file ;
              <{PKG.loaderVersion}> ?version }} }}""")
        assert rows and rows[0]["file"] == f"{name}.sssom.tsv", name


def test_a_reviewer_is_named_where_a_person_accepted_a_link(store, built_settings):
    rows = ask_rows(store, f"""
        SELECT ?object ?reviewer {{ GRAPH <{built_settings.iris.graph('linkset/eu-projects')}> {{
          ?m <{OWL.annotatedSource}> <{built_settings.iris.of('organisation', 'slu')}> ; <{OWL.annotatedTarget}> ?object ;
             <https://w3id.org/sssom/reviewer_label> ?reviewer }} }}""")
    assert rows == [{"object": built_settings.iris.eu_participant("SLU"), "reviewer": "policykg maintainers"}]


def test_the_indicators_of_a_goal_and_their_values(store, built_settings):
    ask = named_answerer(store, built_settings)
    rows = ask("indicators", goal="goal/2", area="place/municipality/0180")
    kpis = {r["kpi"].rsplit("/", 1)[-1] for r in rows}
    assert kpis == {"N03702", "N03703"}
    stockholm = {(r["kpi"].rsplit("/", 1)[-1], r["year"]): r["value"] for r in rows}
    assert stockholm[("N03702", "2012")] == "777.735791"  # kolada-values-kld_data.csv
    # no values of Umeå in the shared extracts: its KPIs are listed without a year
    umea = ask("indicators", goal="goal/2")
    assert {r["year"] for r in umea} == {None} and len(umea) == 2


def test_compare_municipalities_ranks_each_year(store, built_settings):
    rows = named_answerer(store, built_settings)("compare-municipalities", kpi="https://api.kolada.se/v3/kpi/N03702", year="2019")
    assert [r["rank"] for r in rows] == [str(n) for n in range(1, len(rows) + 1)]
    assert rows[0]["area"] == built_settings.iris.municipality("0180") and len(rows) == 11
