"""The UN SDG framework source: from a directory or a URL, with the UN's licence and citation."""

from __future__ import annotations

import http.server
import shutil
import threading

import pyoxigraph as ox
from helpers import make_settings, require_shared
from policykg.loaders.publish import publish
from policykg.loaders.references import Catalogue
from policykg.loaders.sdg import FILES, VOID, sdg_source

from policykg.store import open_store

DCT = "http://purl.org/dc/terms/"


def facts(store, graph: str) -> dict:
    rows = store.query(
        f"""SELECT ?g ?targets ?citation ?licence ?location WHERE {{ GRAPH ?g {{
            {{ SELECT (COUNT(?t) AS ?targets) WHERE {{ ?t a <http://metadata.un.org/sdg/ontology#Target> }} }}
            OPTIONAL {{ ?g <{DCT}bibliographicCitation> ?citation }}
            OPTIONAL {{ ?g <{DCT}license>/<http://www.w3.org/2000/01/rdf-schema#label> ?licence }}
            OPTIONAL {{ ?g <http://www.w3.org/ns/prov#wasDerivedFrom>/<{DCT}source> ?location }} }} }}""",
        substitutions={ox.Variable("g"): ox.NamedNode(graph)})
    row = next(iter(rows))
    return {k: (row[k].value if row[k] is not None else None) for k in ("targets", "citation", "licence", "location")}


def test_the_framework_loads_from_the_shared_directory(tmp_path):
    directory = require_shared("data", "un-sdg")
    settings = make_settings(tmp_path / "store", un_sdg=str(directory))
    catalogue = Catalogue(settings)
    source = sdg_source(settings, catalogue, [])
    publish(open_store(settings), [source], settings)
    found = facts(open_store(settings), settings.iris.graph("sdg"))
    assert found["targets"] == "169"
    assert found["citation"].startswith("Amit Joshi, Luis Gonzalez Morales, Szymon Klarman, and Aaron Helton. 2019.")
    assert "may be copied freely" in found["licence"]
    assert len(catalogue.sdg_targets()) == 169


def test_an_absent_location_is_said_and_skipped(tmp_path):
    notes = []
    settings = make_settings(tmp_path / "store", un_sdg=str(tmp_path / "nowhere"))
    assert sdg_source(settings, Catalogue(settings), notes) is None
    assert notes == [f"UN SDG framework not found at {tmp_path / 'nowhere'} (missing {', '.join(FILES)}): not loaded; "
                     "SDG targets are checked against the built-in list of the 169 targets"]


def test_the_framework_loads_from_a_url(tmp_path):
    directory = require_shared("data", "un-sdg")
    served = tmp_path / "served"
    served.mkdir()
    for name in (*FILES, VOID):
        shutil.copy(directory / name, served / name)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(served), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/un/"
        (served / "un").mkdir()
        for name in (*FILES, VOID):
            shutil.copy(served / name, served / "un" / name)
        settings = make_settings(tmp_path / "store", un_sdg=url)
        source = sdg_source(settings, Catalogue(settings), [])
        assert source is not None and source.origin == url
        publish(open_store(settings), [source], settings)
    finally:
        server.shutdown()
    found = facts(open_store(settings), settings.iris.graph("sdg"))
    assert found["targets"] == "169"
    assert found["location"].startswith(url)
