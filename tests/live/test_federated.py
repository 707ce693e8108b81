"""The federated named queries (tag ``federated``) against local stand-ins for Wikidata and the
EU Publications Office: ``oxigraph serve-read-only`` processes holding the real extracts in
shared/data/links, reached through POLICYKG_SERVICE_STAND_INS, by the real server over HTTP."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers import require_shared

from policykg.namespaces import EU_PUBLICATIONS_SPARQL, RDFS, WD, WDT, WIKIDATA_SPARQL

pytestmark = pytest.mark.slow

SWEDISH_MUNICIPALITY = WD.Q127448


def _read(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def wikidata_extract(links: Path) -> list[ox.Triple]:
    """Wikidata's statements as the extracts record them: public bodies' names and organisation
    numbers (the columns the extract took from Wikidata), municipalities' codes and counties."""
    triples = []
    add = lambda s, p, o: triples.append(ox.Triple(ox.NamedNode(s), ox.NamedNode(p), o))  # noqa: E731
    for row in _read(links / "se-municipalities" / "okfn-publicbodies-se-wikidata.csv"):
        item = row["WD Qnumber"]
        if not item.startswith("Q"):
            continue
        for column, lang in (("WD Lsv", "sv"), ("WD Len", "en")):
            if row[column]:
                add(WD[item], RDFS.label, ox.Literal(row[column], language=lang))
        if row["WD organisationsnummer (Sverige)"]:
            add(WD[item], WDT.P6460, ox.Literal(row["WD organisationsnummer (Sverige)"]))
    counties = {row["scb_county_code"]: row["wikidata_qid"] for row in _read(links / "se-municipalities" / "se-counties-iso-wikidata.csv")}
    for row in _read(links / "se-municipalities" / "kommuner-scb-code-wikidata-join.csv"):
        item = WD[row["wikidata_qid"]]
        add(item, WDT.P31, ox.NamedNode(SWEDISH_MUNICIPALITY))
        add(item, WDT.P525, ox.Literal(row["municipality_code"]))
        add(item, WDT.P131, ox.NamedNode(WD[counties[row["county_code"]]]))
    return triples


class StandIn:
    """One ``oxigraph serve-read-only`` on a store of its own, on a free loopback port."""

    def __init__(self, where: Path, data: Path, fmt: str) -> None:
        import live_server

        oxigraph = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
        if oxigraph is None:
            pytest.skip("the oxigraph command (PyPI package oxigraph, in the test extra) is not installed")
        subprocess.run([oxigraph, "load", "--location", str(where), "--file", str(data), "--format", fmt], check=True, capture_output=True)
        self.port = live_server.free_port()
        self.url = f"http://127.0.0.1:{self.port}/query"
        self.log = open(where.parent / f"{where.name}.log", "wb")
        self.process = subprocess.Popen(
            [oxigraph, "serve-read-only", "--location", str(where), "--bind", f"127.0.0.1:{self.port}"],
            stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(self.url + "?query=" + urllib.parse.quote("ASK {}"), timeout=2):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the stand-in at {self.url} did not start") from None
                time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        self.log.close()


@pytest.fixture(scope="module")
def links() -> Path:
    return require_shared("data", "links")


@pytest.fixture(scope="module")
def stand_ins(links, tmp_path_factory):
    where = tmp_path_factory.mktemp("stand-ins")
    wikidata_file = where / "wikidata.nt"
    wikidata_file.write_bytes(ox.serialize(wikidata_extract(links), format=ox.RdfFormat.N_TRIPLES))
    wikidata = StandIn(where / "wikidata", wikidata_file, "nt")
    eu = StandIn(where / "eu", links / "eu-country-authority" / "countries-skos-subset.ttl", "ttl")
    yield {WIKIDATA_SPARQL: wikidata.url, EU_PUBLICATIONS_SPARQL: eu.url}
    wikidata.stop()
    eu.stop()


@pytest.fixture(scope="module")
def federating(built_settings, stand_ins, tmp_path_factory):
    """The real server on the built store, allowing the presets, with the stand-ins in their place."""
    import live_server

    server = live_server.start(
        built_settings.store,
        tmp_path_factory.mktemp("federating") / "server.log",
        token="",
        workers=1,
        threads=4,
        service_allowlist="preset:wikidata,preset:eu",
        service_stand_ins=",".join(f"{remote}={local}" for remote, local in stand_ins.items()),
    )
    yield server
    server.stop()


def rows(server, name: str) -> list[dict]:
    status, _, body = server.request("GET", f"/api/{name}?limit=1000")
    assert status == 200, body
    return json.loads(body)["rows"]


def ours(store, query: str) -> list[dict]:
    result = store.query(query)
    return [{v.value: (s[v].value if s[v] is not None else None) for v in result.variables} for s in result]


def test_organisation_numbers_from_wikidata_join_our_links(federating, store, links):
    numbers = {
        row["WD Qnumber"]: row["WD organisationsnummer (Sverige)"]
        for row in _read(links / "se-municipalities" / "okfn-publicbodies-se-wikidata.csv")
        if row["WD organisationsnummer (Sverige)"]
    }
    linked = ours(store, "SELECT ?item ?w WHERE { ?item <http://www.w3.org/2002/07/owl#sameAs>|<https://schema.org/sameAs> ?w "
                         "FILTER(STRSTARTS(STR(?w), 'http://www.wikidata.org/entity/Q')) }")
    expected = {(r["item"], numbers[r["w"].rsplit("/", 1)[1]]) for r in linked if r["w"].rsplit("/", 1)[1] in numbers}
    answer = rows(federating, "wikidata-organisation-numbers")
    assert {(r["item"], r["wikidata_organisation_number"]) for r in answer} == expected
    assert len(expected) >= 4  # the municipality, the university, the region, the county board ...
    kommun = next(r for r in answer if r["item"].endswith("/body/umea-kommun"))
    assert kommun == {**kommun, "wikidata": str(WD.Q507709), "organisation_number": "212000-2627",
                      "wikidata_organisation_number": "212000-2627", "numbers_agree": True, "label_sv": "Umeå kommun"}
    # the partners registry carries the public bodies' organisation numbers too: they agree
    university = next(r for r in answer if r["item"].endswith("/organisation/umea-universitet"))
    assert university == {**university, "organisation_number": "202100-2874", "wikidata_organisation_number": "202100-2874",
                          "numbers_agree": True}


def test_the_municipalities_of_our_county_from_wikidata(federating, links):
    county = {r["municipality_code"]: r for r in _read(links / "se-municipalities" / "kommuner-scb-code-wikidata-join.csv")}
    expected = {code for code, r in county.items() if r["county_code"] == county["2480"]["county_code"]}
    answer = rows(federating, "wikidata-county-municipalities")
    assert {r["municipality_code"] for r in answer} == expected and len(expected) == 15
    assert [r["municipality"] for r in answer if r["ours"]] == [str(WD.Q507709)]
    assert {r["item"].rsplit("/", 2)[-2:] == ["body", "umea-kommun"] for r in answer} == {True}
    skelleftea = next(r for r in answer if r["municipality_code"] == "2482")
    assert skelleftea["municipality_label_sv"] == county["2482"]["wikidata_label_sv"]
    assert skelleftea["municipality_organisation_number"] == county["2482"]["organisationsnummer"]


def test_countries_of_the_work_from_the_eu_table(federating, store):
    counts = {
        r["c"]: (int(r["p"]), int(r["a"]))
        for r in ours(store, """PREFIX pkg: <https://w3id.org/policykg/ontology#> PREFIX org: <http://www.w3.org/ns/org#>
            SELECT ?c (COUNT(DISTINCT ?x) AS ?p) (COUNT(DISTINCT ?y) AS ?a) WHERE {
              { ?x pkg:country ?c ; a org:Organization } UNION { ?y pkg:country ?c ; a pkg:Activity } } GROUP BY ?c""")
    }
    answer = {r["country"]: r for r in rows(federating, "eu-countries-of-work")}
    assert {c: (r["partners"], r["activities"]) for c, r in answer.items()} == counts
    sweden = answer["http://publications.europa.eu/resource/authority/country/SWE"]
    assert (sweden["code"], sweden["label_sv"], sweden["label_en"], sweden["eu_member"]) == ("SWE", "Sverige", "Sweden", True)
    assert answer["http://publications.europa.eu/resource/authority/country/NOR"]["eu_member"] is False
    assert answer["http://publications.europa.eu/resource/authority/country/KEN"]["label_sv"] == "Kenya"


def test_the_sparql_endpoint_routes_to_the_stand_in_but_never_calls_it_by_its_own_address(federating, stand_ins):
    query = f"SELECT ?n WHERE {{ SERVICE <{WIKIDATA_SPARQL}> {{ <{WD.Q507709}> <{WDT.P6460}> ?n }} }}"
    status, _, body = federating.request("POST", "/sparql", query, {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    assert status == 200 and json.loads(body)["results"]["bindings"] == [{"n": {"type": "literal", "value": "212000-2627"}}]
    direct = f"SELECT * WHERE {{ SERVICE <{stand_ins[WIKIDATA_SPARQL]}> {{ ?s ?p ?o }} }}"
    status, _, body = federating.request("POST", "/sparql", direct, {"Content-Type": "application/sparql-query"})
    assert status == 403 and b"not under an allowed prefix" in body


def test_the_cli_routes_too(runner, built_settings, stand_ins):
    env = {
        "POLICYKG_STORE": str(built_settings.store),
        "POLICYKG_SERVICE_ALLOWLIST": "preset:eu",
        "POLICYKG_SERVICE_STAND_INS": f"{EU_PUBLICATIONS_SPARQL}={stand_ins[EU_PUBLICATIONS_SPARQL]}",
    }
    result = runner.invoke(runner.cli, ["query", "eu-countries-of-work", "--format", "csv"], env=env)
    assert result.exit_code == 0, result.output
    assert "SWE,Sverige,Sweden,true" in result.output
    closed = runner.invoke(runner.cli, ["query", "eu-countries-of-work"], env={"POLICYKG_STORE": str(built_settings.store)})
    assert closed.exit_code != 0 and "allow-list is empty" in closed.output


def test_by_default_federated_queries_are_refused(published_live):
    status, _, body = published_live.request("GET", "/api/wikidata-organisation-numbers")
    assert status == 403 and b"allow-list is empty" in body and b"query.wikidata.org" in body
