"""The reference datasets as sources (loaders/reference/): each read from the shared extracts
into its own graph, under the publisher's IRIs where it has them, with provenance and the
publisher's licence and attribution; a missing dataset is said and left out; bad input is
named by file, row and column."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from helpers import make_settings, require_shared
from policykg.loaders.errors import InputError
from policykg.loaders.publish import publish
from policykg.loaders.reference import (
    countries,
    euprojects,
    kolada,
    nuts,
    places,
    reference_sources,
    wikidata,
)

from policykg.namespaces import DCT, EU_COUNTRY, NUTS, PKG, SKOS, WD
from policykg.store import open_store


def load(settings, source):
    assert source is not None
    publish(open_store(settings), [source], settings)
    return open_store(settings)


def values(store, graph: str, subject: str, predicate: str) -> set[str]:
    return {q.object.value for q in store.reader().quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate), None, ox.NamedNode(graph))}


@pytest.fixture
def shared_settings(tmp_path):
    require_shared("data", "links")
    return make_settings(tmp_path / "store")


def test_the_country_table_keeps_the_publishers_iris_and_swedish_and_english(shared_settings):
    store = load(shared_settings, countries.country_source(shared_settings, []))
    graph = shared_settings.iris.graph("eu-countries")
    labels = {q.object.language: q.object.value for q in store.reader().quads_for_pattern(
        ox.NamedNode(str(EU_COUNTRY.SWE)), ox.NamedNode(str(SKOS.prefLabel)), None, ox.NamedNode(graph))}
    assert labels == {"sv": "Sverige", "en": "Sweden"}
    assert values(store, graph, graph, str(DCT.license)) == {"https://creativecommons.org/licenses/by/4.0/"}
    count = next(iter(store.query(f"SELECT (COUNT(DISTINCT ?c) AS ?n) {{ GRAPH <{graph}> {{ ?c <{SKOS.inScheme}> <http://publications.europa.eu/resource/authority/country> }} }}")))
    assert int(count["n"].value) == 339


def test_nuts_regions_have_their_code_label_and_parent(shared_settings):
    store = load(shared_settings, nuts.nuts_source(shared_settings, []))
    graph = shared_settings.iris.graph("nuts")
    assert values(store, graph, str(NUTS.SE331), str(SKOS.prefLabel)) == {"Västerbottens län"}
    assert values(store, graph, str(NUTS.SE331), str(SKOS.broader)) == {str(NUTS.SE33)}
    assert values(store, graph, str(NUTS.SE331), str(SKOS.notation)) == {"SE331"}


def test_places_carry_their_codes_and_link_to_wikidata_and_nuts(shared_settings):
    store = load(shared_settings, places.places_source(shared_settings, []))
    iris, graph = shared_settings.iris, shared_settings.iris.graph("se-municipalities")
    umea, county = iris.municipality("2480"), iris.county("24")
    assert values(store, graph, umea, str(PKG.county)) == {county}
    assert values(store, graph, umea, str(SKOS.exactMatch)) == {str(WD.Q507709)}
    assert values(store, graph, umea, str(PKG.municipalityCode)) == {"2480"}
    assert values(store, graph, county, str(SKOS.exactMatch)) == {str(WD.Q104877), str(NUTS.SE331)}
    schemes = {next(iter(values(store, graph, i, str(DCT.type)))): next(iter(values(store, graph, i, str(SKOS.notation))))
               for i in values(store, graph, county, "http://www.w3.org/ns/adms#identifier")}
    assert schemes == {str(PKG.ScbCountyCodes): "24", str(PKG.Iso3166SubdivisionCodes): "SE-AC",
                       str(PKG.WikidataItems): "Q104877", str(PKG.NutsCodes): "SE331"}
    # the join's Wikidata label corrects the first file's genitive ("Faluns kommun")
    assert values(store, graph, iris.municipality("2080"), str(SKOS.prefLabel)) >= {"Falu kommun"}


def test_wikidata_items_come_with_their_organisation_numbers_and_leave_out_the_known_errors(shared_settings):
    store = load(shared_settings, wikidata.wikidata_source(shared_settings, []))
    graph = shared_settings.iris.graph("wikidata")
    assert values(store, graph, str(WD.Q507709), str(PKG.organisationNumber)) == {"212000-2627"}
    # SOURCE.txt: the row se/boras-stad links the urban area (Q26040), not the municipality; it is left out
    assert not values(store, graph, str(WD.Q26040), str(SKOS.prefLabel))


def test_kolada_values_are_observations_of_a_cube_derived_from_their_rows(shared_settings):
    store = load(shared_settings, kolada.kolada_source(shared_settings, [], kpis=("N03702",)))
    rows = list(store.query("""
        PREFIX qb: <http://purl.org/linked-data/cube#>
        PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
        PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
        SELECT ?value ?row { ?o a qb:Observation ; <https://w3id.org/policykg/ontology#kpi> <https://api.kolada.se/v3/kpi/N03702> ;
          sdmx-dimension:refArea <https://w3id.org/policykg/umea/place/municipality/0180> ;
          sdmx-dimension:refPeriod "2012"^^<http://www.w3.org/2001/XMLSchema#gYear> ;
          sdmx-measure:obsValue ?value ; <http://www.w3.org/ns/prov#wasDerivedFrom> ?row }"""))
    assert [(r["value"].value, r["row"].value.rsplit("/", 1)[-1]) for r in rows] == [("777.735791", "kolada-values-kld_data.csv#row=2")]
    graph = shared_settings.iris.graph("kolada")
    assert values(store, graph, graph, str(DCT.bibliographicCitation)) == {"Källa: Kolada (Rådet för främjande av kommunala analyser, RKA)"}


def test_umea_kommuns_participations_are_in_the_eu_project_records(shared_settings):
    store = load(shared_settings, euprojects.eu_projects_source(shared_settings, []))
    rows = list(store.query("""
        PREFIX eurio: <http://data.europa.eu/s66#>
        SELECT ?project ?row { ?role eurio:isRoleOf <https://w3id.org/policykg/umea/eu-participant/umea-kommun> ;
          eurio:isInvolvedIn ?project ; <http://www.w3.org/ns/prov#wasDerivedFrom> ?row }"""))
    assert len(rows) == 13  # 10 in Interreg 2021-2027, 3 in the ERDF 2014-2020 project bank (SOURCE.txt)
    assert sum("/erdf-2014-2020/" in r["project"].value for r in rows) == 3


def test_a_missing_dataset_is_said_and_left_out(tmp_path):
    settings = make_settings(tmp_path / "store", shared_dir=tmp_path / "no-shared")
    notes: list[str] = []
    assert reference_sources(settings, notes) == []
    assert len(notes) == 7 and all("not loaded" in note for note in notes)
    assert any(note.startswith(f"Kolada not found at {tmp_path / 'no-shared' / 'data' / 'links' / 'kolada'}") for note in notes)


def test_a_bad_row_is_named_by_file_row_and_column(tmp_path, shared_settings):
    source = require_shared("data", "links", "nuts2021", "nuts-2021-SE.csv")
    directory = tmp_path / "nuts"
    directory.mkdir()
    lines = source.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("SE11,", "SE1X1,", 1)
    (directory / "nuts-2021-SE.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings = shared_settings.replace(nuts=directory)
    with pytest.raises(InputError) as raised:
        nuts.nuts_source(settings, []).read_files(settings)
    assert f"{directory / 'nuts-2021-SE.csv'}:4:Code 2021: not a NUTS code of its level (value 'SE1X1'" in raised.value.report()


def test_the_setting_chooses_the_reference_datasets(shared_settings):
    notes: list[str] = []
    assert [s.key for s in reference_sources(shared_settings.replace(reference_datasets="nuts,kolada"), notes)] == ["nuts", "kolada"]
    assert reference_sources(shared_settings.replace(reference_datasets="none"), notes) == [] and not notes
    assert reference_sources(shared_settings.replace(reference_datasets="nuts,cordis"), notes)[0].key == "nuts"
    assert notes == ["unknown reference datasets cordis (POLICYKG_REFERENCE_DATASETS): not loaded; known: eu-countries, "
                     "nuts, se-municipalities, wikidata, kolada, eu-projects, eurio"]
