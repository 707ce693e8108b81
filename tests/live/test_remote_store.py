"""The service on a remote SPARQL server (``POLICYKG_STORE_URL``): Oxigraph server, started
here (``oxigraph serve``, from PyPI, the `test` extra), holding the samples built through the
standard protocols, answers as the embedded store does."""

from __future__ import annotations

import dataclasses
import datetime as dt
import http.client
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers import make_settings, write_manifest
from live_server import free_port
from live_server import start as start_server

from policykg.build import build_store
from policykg.namespaces import REMOTE_CONTROL_GRAPH, REMOTE_STAGING_PREFIX
from policykg.paths import queries_dir
from policykg.remote.protocol import RemoteStoreError
from policykg.remote.store import RemoteStore
from policykg.runtime.describe import Reader, describe
from policykg.runtime.querylib import load_queries
from policykg.store import EmbeddedStore, StoreError, open_store


def oxigraph_binary() -> Path:
    found = Path(sys.executable).parent / "oxigraph"
    if not found.exists():
        found = Path(shutil.which("oxigraph") or "")
    if not found.is_file():
        pytest.skip("the oxigraph server is not installed (pip install oxigraph; `make install` does it)")
    return found


@pytest.fixture(scope="module")
def oxigraph_url(tmp_path_factory: pytest.TempPathFactory):
    where = tmp_path_factory.mktemp("oxigraph-server")
    port = free_port()
    log = open(where / "server.log", "wb")
    process = subprocess.Popen(
        [str(oxigraph_binary()), "serve", "--location", str(where / "data"), "--bind", f"127.0.0.1:{port}"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/query?query=ASK%7B%7D")
            if connection.getresponse().status == 200:
                break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"oxigraph serve did not start: {(where / 'server.log').read_text(errors='replace')[-2000:]}")
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(10)
    log.close()


@pytest.fixture(scope="module")
def remote_settings(oxigraph_url: str, tmp_path_factory: pytest.TempPathFactory):
    settings = make_settings(tmp_path_factory.mktemp("remote-local") / "store", store_url=oxigraph_url)
    build_store(settings, dumps=False)
    return settings


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    """The same build on the embedded store."""
    settings = make_settings(tmp_path_factory.mktemp("embedded") / "store")
    build_store(settings, dumps=False)
    return EmbeddedStore(settings.store)


@pytest.fixture(scope="module")
def remote(remote_settings) -> RemoteStore:
    store = open_store(remote_settings)
    assert isinstance(store, RemoteStore)
    return store


def rows(result) -> list[tuple]:
    names = [v.value for v in result.variables]
    return sorted(tuple(str(row[n]) if row[n] is not None else "" for n in names) for row in result)


def test_every_named_query_answers_the_same_on_the_remote_store(remote: RemoteStore, store: EmbeddedStore, remote_settings) -> None:
    compared = 0
    for query in load_queries(queries_dir()).values():
        if "SERVICE" in query.sparql.upper():
            continue  # federated queries leave both stores
        substitutions = query.bind(query.example, remote_settings.iris)
        embedded = rows(store.query(query.sparql, substitutions=substitutions))
        remote_rows = rows(remote.query(query.sparql, substitutions=substitutions))
        assert remote_rows == embedded, f"{query.name}: {len(remote_rows)} rows on the remote store, {len(embedded)} embedded"
        compared += 1
    assert compared >= 25


@pytest.mark.parametrize("path", ["goal/2", "body/kommunstyrelsen", "principle/strategic-focus", "program", "project/p-2021-002"])
def test_a_page_is_described_the_same_from_the_remote_store(remote: RemoteStore, store: EmbeddedStore, remote_settings, path: str) -> None:
    node = ox.NamedNode(remote_settings.iris(path))
    theirs = comparable(describe(Reader(remote.reader()), node, "g", {}))
    ours = comparable(describe(Reader(store.reader()), node, "g", {}))
    assert theirs == ours
    assert len(str(ours)) > 1000, f"{path} has little to show"


def comparable(description) -> dict:
    """A description without when each graph was loaded (the two builds differ in that alone)."""
    found = dataclasses.asdict(description)
    for facts in found["graphs"].values():
        facts.pop("generated")
    return found


def test_the_remote_store_holds_the_published_graphs_and_its_pointer_only(remote: RemoteStore, store: EmbeddedStore) -> None:
    assert set(remote.named_graphs()) == set(store.named_graphs())
    generation = remote.current_generation()
    assert generation and generation.startswith("gen-")
    assert REMOTE_CONTROL_GRAPH not in remote.named_graphs()


def test_parameters_are_bound_as_terms_not_pasted(remote: RemoteStore) -> None:
    before = len(remote)
    hostile = ox.Literal('x" } } ; DROP ALL ; SELECT * { ?s ?p "')
    found = list(remote.query("SELECT ?s WHERE { ?s ?p ?label }", substitutions={ox.Variable("label"): hostile}))
    assert found == []
    assert len(remote) == before > 0


def test_a_failed_write_leaves_the_remote_store_as_it_was_and_nothing_staged(remote: RemoteStore, remote_settings) -> None:
    graph = remote_settings.iris.graph("projects")
    before_generation, before_count = remote.current_generation(), len(remote)
    with pytest.raises(RuntimeError, match="half way"):
        with remote.writer(replacing=[graph]) as writer:
            writer.replace_graph(graph, [ox.Quad(ox.NamedNode("http://example.org/x"), ox.NamedNode("http://example.org/p"), ox.Literal("1"))])
            # staged, not published: readers see the generation they saw
            assert len(remote.reader()) == before_count
            raise RuntimeError("the load failed half way")
    assert remote.current_generation() == before_generation
    assert len(remote) == before_count
    everything = remote.client.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", accept="application/sparql-results+json")
    graphs = [row["g"].value for row in ox.parse_query_results(everything.read(), ox.QueryResultsFormat.JSON)]
    assert not [g for g in graphs if g.startswith(REMOTE_STAGING_PREFIX)]


def test_a_failed_build_leaves_the_remote_store_as_it_was(remote_settings, remote: RemoteStore, tmp_path: Path) -> None:
    registries = write_manifest(tmp_path / "registries", ["projects"])
    manifest = registries / "registries.toml"
    source = Path(manifest.read_text(encoding="utf-8").split('projects = "')[1].split('"')[0])
    lines = source.read_text(encoding="utf-8").splitlines()
    broken = registries / "projects.csv"  # row 3's start day is no day
    broken.write_text("\n".join([lines[0], lines[1], lines[2].replace(",20", ",not a day ", 1), *lines[3:]]) + "\n", encoding="utf-8")
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(str(source), str(broken)), encoding="utf-8")
    before_generation, before_count = remote.current_generation(), len(remote)
    with pytest.raises(Exception) as failed:
        build_store(dataclasses.replace(remote_settings, registries=manifest), dumps=False, answers=False)
    assert "projects.csv" in str(failed.value)
    assert (remote.current_generation(), len(remote)) == (before_generation, before_count)


def test_an_unreachable_remote_store_is_named_in_the_error(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "local", store_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(RemoteStoreError, match="cannot reach the remote store"):
        open_store(settings).current_generation()
    assert issubclass(RemoteStoreError, StoreError)


def test_the_server_answers_from_the_remote_store_over_http(remote_settings, remote: RemoteStore, tmp_path: Path) -> None:
    from SPARQLWrapper import JSON, SPARQLWrapper

    server = start_server(remote_settings.store, tmp_path / "server.log", store_url=remote_settings.store_url, result_cache_bytes=0)
    try:
        client = SPARQLWrapper(server.url + "sparql", returnFormat=JSON)
        client.setQuery("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        count = int(client.queryAndConvert()["results"]["bindings"][0]["n"]["value"])
        assert count == len(remote) > 50_000
        status, _, body = server.request("GET", "/goal/2", headers={"Accept": "text/html"})
        assert status == 200 and "Umeå" in body.decode("utf-8")
        status, _, body = server.request("GET", "/api/goals", headers={"Accept": "application/json"})
        assert status == 200 and body.count(b"/goal/") >= 5
    finally:
        server.stop()


def test_updates_and_graph_store_writes_reach_the_remote_store(remote_settings, remote: RemoteStore, tmp_path: Path) -> None:
    server = start_server(remote_settings.store, tmp_path / "server.log", store_url=remote_settings.store_url, result_cache_bytes=0)
    graph = "http://example.org/graph/written-through-policykg"
    try:
        before = remote.current_generation()
        status, _, body = server.request(
            "POST", "/update", f"INSERT DATA {{ GRAPH <{graph}> {{ <http://example.org/a> <http://example.org/p> 1 }} }}",
            {"Content-Type": "application/sparql-update"}, auth=True,
        )
        assert status == 204, body
        status, _, body = server.request(
            "POST", "/update", "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> <http://example.org/p> }",
            {"Content-Type": "application/sparql-update"}, auth=True,
        )
        assert status == 400 and b"line 1" in body.lower(), body  # a syntax error says where, as on the embedded store
        status, _, body = server.request(
            "PUT", "/store?graph=" + graph, "<http://example.org/b> <http://example.org/p> _:x .\n",
            {"Content-Type": "application/n-triples"}, auth=True,
        )
        assert status == 204, body
        remote._read_pointer(fresh=True)
        assert remote.current_generation() != before
        found = [(str(r["s"]), str(r["o"])[:2]) for r in remote.query(f"SELECT ?s ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")]
        assert found == [("<http://example.org/b>", "_:")]
        status, _, _ = server.request("DELETE", "/store?graph=" + graph, auth=True)
        assert status == 204
        remote._read_pointer(fresh=True)
        assert graph not in remote.named_graphs()
    finally:
        server.stop()


def test_the_rules_find_the_same_on_the_remote_store(remote: RemoteStore, store: EmbeddedStore, remote_settings) -> None:
    from policykg.compliance.evaluate import CheckContext, evaluate
    from policykg.compliance.rules import load_rules

    rules = load_rules(remote_settings.base_iri)
    context = CheckContext(dt.date(2025, 6, 1))

    def found(reader) -> set[tuple]:
        return {(f.rule.key, f.focus.value, str(f.value)) for f in evaluate(reader, rules, context).findings}

    theirs, ours = found(remote.reader()), found(store.reader())
    assert theirs == ours
    assert len({key for key, _, _ in ours}) >= 10  # most rules find something in the samples
