"""The reference datasets read from the publishers' live services instead of the local files:
the EU's SPARQL endpoint (the country table) and Kolada's API (values of the indicator KPIs).
The tests never reach the internet: a local stand-in answers at the URL the setting names,
``oxigraph serve`` holding the shared extract for the endpoint, and a small HTTP server
answering as Kolada's API v3 does for the API (its one value is made up, and says so)."""

from __future__ import annotations

import http.server
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers import make_settings, require_shared
from policykg.loaders.publish import publish
from policykg.loaders.reference import countries, kolada

from policykg.namespaces import EU_COUNTRY, KOLADA_KPI, SKOS
from policykg.store import open_store


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def eu_endpoint(tmp_path):
    """``oxigraph serve`` on a loopback port, holding the country table's extract."""
    extract = require_shared("data", "links", "eu-country-authority", "countries-skos-subset.ttl")
    oxigraph = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if oxigraph is None:
        pytest.skip("the oxigraph CLI is not installed (make install installs it)")
    location = tmp_path / "endpoint"
    subprocess.run([oxigraph, "load", "--location", str(location), "--file", str(extract)], check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([oxigraph, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(timeout=10)


def test_the_country_table_is_read_from_a_sparql_endpoint(tmp_path, eu_endpoint):
    settings = make_settings(tmp_path / "store", eu_sparql=eu_endpoint)
    notes: list[str] = []
    source = countries.country_source(settings, notes)
    assert source is not None, notes
    publish(open_store(settings), [source], settings)
    store = open_store(settings)
    graph = settings.iris.graph("eu-countries")
    labels = {q.object.value for q in store.reader().quads_for_pattern(
        ox.NamedNode(str(EU_COUNTRY.SWE)), ox.NamedNode(str(SKOS.prefLabel)), None, ox.NamedNode(graph))}
    assert labels == {"Sverige", "Sweden"}
    # the provenance names the request it came from
    location = next(iter(store.query(f"""SELECT ?url {{ GRAPH <{graph}> {{ <{graph}> <http://www.w3.org/ns/prov#wasDerivedFrom>/<http://purl.org/dc/terms/source> ?url }} }}""")))
    assert location["url"].value.startswith(eu_endpoint + "?query=")


def test_an_endpoint_that_does_not_answer_is_said_and_skipped(tmp_path):
    settings = make_settings(tmp_path / "store", eu_sparql=f"http://127.0.0.1:{free_port()}/query")
    notes: list[str] = []
    assert countries.country_source(settings, notes) is None
    assert notes and notes[0].startswith("eu-countries: cannot query http://127.0.0.1:")


class KoladaStandIn(http.server.BaseHTTPRequestHandler):
    """Answers /v3/data/kpi/K/municipality/M,... as Kolada's API v3 does, with one made-up value."""

    requests: list[str] = []

    def do_GET(self):  # noqa: N802 - the handler's name
        KoladaStandIn.requests.append(self.path)
        parts = self.path.strip("/").split("/")
        if parts[:3] != ["v3", "data", "kpi"] or parts[4] != "municipality":
            self.send_error(404)
            return
        body = {"values": [{"kpi": parts[3], "municipality": "2480", "period": 2020,
                            "values": [{"gender": "T", "count": 1, "status": "", "value": 1.5}]}], "next_url": None}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


def test_kolada_values_of_the_indicator_kpis_are_fetched_from_the_api(tmp_path):
    require_shared("data", "links", "kolada")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), KoladaStandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        api = f"http://127.0.0.1:{server.server_address[1]}/v3/"
        settings = make_settings(tmp_path / "store", kolada_api=api)
        notes: list[str] = []
        source = kolada.kolada_source(settings, notes, kpis=("N03702",))
        publish(open_store(settings), [source], settings)
    finally:
        server.shutdown()
    assert len(KoladaStandIn.requests) == 1
    path = KoladaStandIn.requests[0]
    assert path.startswith("/v3/data/kpi/N03702/municipality/2480,")  # Umeå, then its comparison group
    assert path.count("2480") == 1
    rows = list(open_store(settings).query(f"""
        PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
        PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
        SELECT ?value ?from {{ ?o <https://w3id.org/policykg/ontology#kpi> <{KOLADA_KPI.N03702}> ;
          sdmx-dimension:refArea <{settings.iris.municipality('2480')}> ; sdmx-measure:obsValue ?value ;
          <http://www.w3.org/ns/prov#wasDerivedFrom> ?from }}"""))
    assert [(r["value"].value, r["from"].value) for r in rows] == [("1.5", f"http://127.0.0.1:{server.server_address[1]}{path}")]


def test_a_kolada_api_that_does_not_answer_leaves_the_local_files(tmp_path):
    require_shared("data", "links", "kolada")
    settings = make_settings(tmp_path / "store", kolada_api=f"http://127.0.0.1:{free_port()}/v3/")
    notes: list[str] = []
    source = kolada.kolada_source(settings, notes, kpis=("N03702",))
    assert source is not None and notes[0].startswith("kolada: cannot fetch values from http://127.0.0.1:")
    assert not any(path.name == kolada.FETCHED for path in source.files)
