"""The service on a remote SPARQL server (``POLICYKG_STORE_URL``), holding the samples built
through the standard protocols, answers as the embedded store does: the same tests on each
server the ``remote_server`` fixture starts (Oxigraph server, from PyPI, the `test` extra;
Virtuoso, from Debian's virtuoso-opensource, skipped where it is not installed)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers import answer_rows, make_settings, shared_dir, write_manifest
from live_server import free_port
from live_server import start as start_server

from policykg.build import build_store
from policykg.config import load_settings
from policykg.namespaces import PKG, RDFS, REMOTE_CONTROL_GRAPH, REMOTE_STAGING_PREFIX
from policykg.paths import queries_dir
from policykg.publication.answers import stored_queries
from policykg.publication.inputs import footprint
from policykg.publication.recorded import recorded_change
from policykg.remote.changes import write_changes
from policykg.remote.protocol import RemoteStoreError
from policykg.remote.store import RemoteStore
from policykg.runtime.describe import Reader, describe
from policykg.runtime.querylib import ParameterError, load_queries
from policykg.store import EmbeddedStore, StoreError, open_store

@pytest.fixture(scope="module")
def remote_settings(remote_server, tmp_path_factory: pytest.TempPathFactory):
    settings = make_settings(tmp_path_factory.mktemp("remote-local") / "store", **remote_server.settings)
    build_store(settings, dumps=False)
    return settings


def test_a_question_the_server_refuses_is_not_stored_and_the_build_says_so(remote_server, remote_settings, tmp_path: Path) -> None:
    """Every named question is stored on both servers; one that Virtuoso refuses (two EXISTS
    joined by && in a SELECT expression: its SQ074) is left unstored there, and the build's
    summary says which and why."""
    from policykg.publication.answers import write_answers

    goals = (queries_dir() / "goals.rq").read_text(encoding="utf-8")
    refusable = tmp_path / "queries"
    refusable.mkdir()
    (refusable / "goals.rq").write_text(goals, encoding="utf-8")
    untold = "SELECT (NOT EXISTS { ?item pkg:verbatimText ?text } && EXISTS { ?item pkg:statedIn ?any } AS ?untold) ?item ?ordinal"
    stored = goals.replace("#+ tags: [program]", "#+ tags: [program]\n#+ stored: true")
    (refusable / "goals-with-text.rq").write_text(stored.replace("SELECT ?item ?ordinal", untold), encoding="utf-8")
    report = write_answers(open_store(remote_settings), load_queries(queries_dir()), remote_settings.iris, force=True)
    assert report.answers > 0 and not report.unstored, report.unstored
    report = write_answers(open_store(remote_settings), load_queries(refusable), remote_settings.iris, force=True)
    refused = {name for name, _ in report.unstored}
    if remote_server.name == "Virtuoso":
        assert refused == {"goals-with-text"}, report.unstored
        assert "not stored, the store refused them, could not send them whole or stopped them at a time limit (answered per request): goals-with-text" in report.summary()
        assert "SQ074" in report.explanation()
    else:
        assert not refused, report.unstored


@pytest.fixture(scope="module")
def store(remote_server, tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    """The same build on the embedded store."""
    settings = make_settings(tmp_path_factory.mktemp("embedded") / "store")
    build_store(settings, dumps=False)
    return EmbeddedStore(settings.store)


@pytest.fixture(scope="module")
def remote(remote_settings) -> RemoteStore:
    store = open_store(remote_settings)
    assert isinstance(store, RemoteStore)
    return store


def test_every_named_query_answers_the_same_on_the_remote_store(remote: RemoteStore, store: EmbeddedStore, remote_settings) -> None:
    """Each named question, with its example's parameters and with none (where it needs none),
    gives the same rows on the remote store as on the embedded one, up to what the standard
    leaves open (answer_rows: the order within a list, a number's lexical form)."""
    compared = 0
    for query in load_queries(queries_dir()).values():
        if "SERVICE" in query.sparql.upper():
            continue  # federated queries leave both stores
        for values in (query.example, {}):
            try:
                substitutions = query.bind(values, remote_settings.iris)
            except ParameterError:
                continue  # a required parameter left out
            embedded = answer_rows(query.sparql, store.query(query.sparql, substitutions=substitutions))
            remote_rows = answer_rows(query.sparql, remote.query(query.sparql, substitutions=substitutions))
            assert remote_rows == embedded, f"{query.name} {values}: {len(remote_rows)} rows on the remote store, {len(embedded)} embedded"
            compared += 1
    assert compared >= 50


@pytest.mark.parametrize("path", ["goal/2", "body/kommunstyrelsen", "principle/strategic-focus", "program", "project/p-2021-002"])
def test_a_page_is_described_the_same_from_the_remote_store(remote: RemoteStore, store: EmbeddedStore, remote_settings, path: str) -> None:
    node = ox.NamedNode(remote_settings.iris(path))
    theirs = comparable(describe(Reader(remote.reader()), node, "g", {}))
    ours = comparable(describe(Reader(store.reader()), node, "g", {}))
    assert theirs == ours
    assert len(str(ours)) > 1000, f"{path} has little to show"


def comparable(description) -> dict:
    """A description without when each graph was loaded (the two builds differ in that alone),
    each list of types sorted (they come in the store's order: Virtuoso's is another)."""
    found = dataclasses.asdict(description)
    for facts in found["graphs"].values():
        facts.pop("generated")
    return _types_sorted(found)


def _types_sorted(value):
    if isinstance(value, dict):
        return {key: sorted(item) if key == "types" and isinstance(item, (list, tuple)) else _types_sorted(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_types_sorted(item) for item in value)
    return value


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
            staged = list(writer.staged.values())
            assert staged and all(g.startswith(REMOTE_STAGING_PREFIX) for g in staged)
            # staged, not published: readers see the generation they saw
            assert len(remote.reader()) == before_count
            raise RuntimeError("the load failed half way")
    assert remote.current_generation() == before_generation
    assert len(remote) == before_count
    assert [remote.client.get_graph(g) for g in staged] == [None] * len(staged)  # dropped: the graph store has no such graph


def test_a_graph_not_yet_published_is_written_in_place_and_seen_once_published(remote: RemoteStore) -> None:
    """No staging graph and no MOVE (which copies on Virtuoso) for a graph the pointer does
    not list: readers cannot see it before the publish; a failed write drops it."""
    graph, failed = "http://example.org/graph/written-in-place", "http://example.org/graph/failed-in-place"
    subject = ox.NamedNode("http://example.org/in-place")
    quad = ox.Quad(subject, ox.NamedNode("http://example.org/p"), ox.Literal("in place"))
    try:
        with remote.writer(replacing=[graph]) as writer:
            writer.replace_graph(graph, [quad])
            assert writer.staged == {graph: graph}
            assert b"in place" in remote.client.get_graph(graph).read()  # on the server, under its name
            assert graph not in remote.reader().graphs and not list(remote.reader().quads_for_pattern(subject, None, None))
            for query in (f"SELECT ?o FROM <{graph}> WHERE {{ ?s ?p ?o }}", f"SELECT ?o FROM NAMED <{graph}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
                          f"CONSTRUCT {{ ?s ?p ?o }} FROM <{graph}> WHERE {{ ?s ?p ?o }}"):
                assert not list(remote.query(query)), query  # not even by its name in a FROM
        assert graph in remote.named_graphs()
        assert [q.object for q in remote.reader().quads_for_pattern(subject, None, None)] == [quad.object]
        with pytest.raises(RuntimeError, match="half way"):
            with remote.writer(replacing=[failed]) as writer:
                writer.replace_graph(failed, [quad])
                raise RuntimeError("the load failed half way")
        assert remote.client.get_graph(failed) is None
        assert failed not in remote.named_graphs()
    finally:
        with remote.writer() as writer:
            writer.remove_graph(graph)
    assert graph not in remote.named_graphs()


def test_a_write_records_what_it_changed_for_the_stored_answers(remote: RemoteStore) -> None:
    """A remote store keeps no older generation: the writer records, before it publishes, the
    triples it adds and removes, and for a graph too large to compare, the predicates its
    published version held (policykg.remote.changes)."""
    graph = "http://example.org/graph/recorded"
    s, p, q = ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), ox.NamedNode("http://example.org/q")
    kept, old, new = ox.Quad(s, p, ox.Literal("kept")), ox.Quad(s, p, ox.Literal("old")), ox.Quad(s, q, ox.Literal("new"))
    try:
        with remote.writer(replacing=[graph]) as writer:
            writer.replace_graph(graph, [kept, old])
        first = remote.current_generation()
        with remote.writer(replacing=[graph]) as writer:
            writer.replace_graph(graph, [kept, new])
        record = remote.recorded_changes(remote.current_generation())
        assert record["from"] == first and record["changed"] == [graph] and record["compared"] == [graph]
        assert [str(quad) for quad in ox.parse(record["added"].encode(), ox.RdfFormat.N_QUADS)] == [str(ox.Quad(s, q, new.object, ox.NamedNode(graph)))]
        assert [str(quad) for quad in ox.parse(record["removed"].encode(), ox.RdfFormat.N_QUADS)] == [str(ox.Quad(s, p, old.object, ox.NamedNode(graph)))]
        assert remote.changes_between(first, remote.current_generation()) == {graph}
        staged = REMOTE_STAGING_PREFIX + "test/recorded"
        remote.client.put_graph(staged, b'<http://example.org/s> <http://example.org/r> "1" .\n')
        too_large = write_changes(remote.client, [graph], {graph: staged}, [], limit=1)
        assert too_large["compared"] == [] and too_large["wholesale"] == {graph: ["http://example.org/p", "http://example.org/q"]}
        remote.client.update(f"DROP SILENT GRAPH <{staged}>")
    finally:
        with remote.writer() as writer:
            writer.remove_graph(graph)
    record = remote.recorded_changes(remote.current_generation())
    assert record["changed"] == [graph] and record["removed"].count("\n") == 2 and not record["added"]


def test_a_graph_larger_than_one_request_is_sent_in_parts(remote: RemoteStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """A PUT, then POSTs (policykg.remote.store.REQUEST_BYTES): new and published graphs alike."""
    monkeypatch.setattr("policykg.remote.store.REQUEST_BYTES", 1000)
    graph = "http://example.org/graph/in-parts"

    def chunks(n: int) -> list[bytes]:
        return [f'<http://example.org/s{i}> <http://example.org/p> "{i}" .\n'.encode() for i in range(n)]

    def held() -> int:
        return int(next(iter(remote.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")))["n"].value)

    sent = []
    monkeypatch.setattr(remote.client, "post_graph", lambda target, body, **options: sent.append(target) or type(remote.client).post_graph(remote.client, target, body, **options))
    try:
        for n in (400, 300):  # written in place, then staged and moved
            sent.clear()
            with remote.writer(replacing=[graph]) as writer:
                assert writer.load_graph(graph, chunks(n)) == n
            assert held() == n and len(sent) > 5
    finally:
        with remote.writer() as writer:
            writer.remove_graph(graph)


def test_a_graph_changed_wholesale_counts_by_the_predicates_it_held(remote: RemoteStore) -> None:
    """A graph too large to compare (no older generation on the server): a question reading a
    predicate the graph held before, or may have held (not recorded), may see the change; one
    reading only what the graph holds in neither generation cannot."""
    graph = "http://example.org/graph/too-large"
    reads_p = footprint("SELECT ?o WHERE { ?s <http://example.org/p> ?o }")
    reads_q = footprint("SELECT ?o WHERE { ?s <http://example.org/q> ?o }")

    def change(predicates):
        return recorded_change([{"changed": [graph], "compared": [], "wholesale": {graph: predicates}, "added": "", "removed": ""}], remote.reader())

    assert change(["http://example.org/p"]).affects(reads_p) is not None
    assert change(["http://example.org/p"]).affects(reads_q) is None
    assert change(None).affects(reads_q) is not None


def test_the_anchors_asked_together_give_the_verdicts_asked_one_by_one(remote: RemoteStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a change on a remote store, the anchors of the changed triples' terms are asked a
    batch at a time (policykg.publication.recorded): each stored question's verdict is the one
    that asking each term alone (an ASK each) gives, and the anchors do bound some of them."""
    monkeypatch.setattr("policykg.publication.recorded.HOLDING_BATCH", 7)
    subjects = [ox.NamedNode(f"http://example.org/unknown/{n}") for n in range(12)]
    for kind in (PKG.Decision, PKG.Project):  # the decisions fail the anchors of the questions that list work; the projects pass some
        rows = remote.query(f"SELECT DISTINCT ?s WHERE {{ ?s a {ox.NamedNode(kind)} ; {ox.NamedNode(RDFS.label)} ?l }} LIMIT 10",
                            use_default_graph_as_union=True)
        subjects += [row["s"] for row in rows]
    assert len(subjects) > 20
    graph = ox.NamedNode("http://example.org/graph/labels")
    added = "".join(f"{ox.Quad(s, ox.NamedNode(RDFS.label), ox.Literal('edited'), graph)} .\n" for s in subjects)
    record = {"changed": [graph.value], "compared": [graph.value], "wholesale": {}, "added": added, "removed": ""}
    together = recorded_change([record], remote.reader())
    alone = dataclasses.replace(recorded_change([record], remote.reader()), holding=None)
    verdicts = {}
    for query in stored_queries(load_queries(queries_dir())):
        found = footprint(query.sparql)
        verdicts[query.name] = together.affects(found)
        assert (verdicts[query.name] is None) == (alone.affects(found) is None), query.name
    assert together._held and any(v is None for v in verdicts.values()) and any(v is not None for v in verdicts.values()), verdicts


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


def test_graphs_that_are_not_ours_are_neither_published_nor_dropped(remote: RemoteStore) -> None:
    """The published graphs are those the control graph lists: a server's own graphs
    (Virtuoso's virtrdf#, ...) and anyone else's are left alone, even by a build from empty.
    The published graphs are read whole from the graph store and written back whole."""
    foreign = "http://example.org/graph/not-policykgs"
    remote.client.put_graph(foreign, b'<http://example.org/a> <http://example.org/p> "kept" .\n')
    graphs, count = set(remote.named_graphs()), len(remote)
    with remote.writer(from_empty=True) as writer:
        for graph in sorted(graphs):
            writer.load_graph(graph, remote.client.get_graph(graph).chunks())
    assert (set(remote.named_graphs()), len(remote)) == (graphs, count)
    assert b"kept" in remote.client.get_graph(foreign).read()
    remote.client.update(f"DROP SILENT GRAPH <{foreign}>")


def test_blank_nodes_are_written_and_followed(remote: RemoteStore) -> None:
    graph, subject = "http://example.org/graph/blank-nodes", ox.NamedNode("http://example.org/s")
    has, says = ox.NamedNode("http://example.org/has"), ox.NamedNode("http://example.org/says")
    first, second = ox.BlankNode(), ox.BlankNode()
    with remote.writer(replacing=[graph]) as writer:
        writer.replace_graph(graph, [ox.Quad(subject, has, first), ox.Quad(first, says, ox.Literal("put"))])
        writer.add(graph, [ox.Quad(subject, has, second), ox.Quad(second, says, ox.Literal("added"))])
    try:
        reader = remote.reader()
        objects = [quad.object for quad in reader.quads_for_pattern(subject, has, None)]
        assert len(objects) == 2 and all(isinstance(o, ox.BlankNode) for o in objects)
        said = sorted(q.object.value for o in objects for q in reader.quads_for_pattern(o, says, None))
        assert said == ["added", "put"]
    finally:
        with remote.writer() as writer:
            writer.remove_graph(graph)
    assert graph not in remote.named_graphs()


def test_an_unreachable_remote_store_is_named_in_the_error(tmp_path: Path) -> None:
    # settings of its own, not the run's store's (on Virtuoso those name its endpoints one by one)
    settings = load_settings({"store": tmp_path / "local", "store_url": f"http://127.0.0.1:{free_port()}"}, environ={})
    with pytest.raises(RemoteStoreError, match="cannot reach the remote store"):
        open_store(settings).current_generation()
    assert issubclass(RemoteStoreError, StoreError)


def test_the_server_answers_from_the_remote_store_over_http(remote_server, remote_settings, remote: RemoteStore, tmp_path: Path) -> None:
    from SPARQLWrapper import JSON, SPARQLWrapper

    server = start_server(remote_settings.store, tmp_path / "server.log", **remote_server.settings, result_cache_bytes=0)
    try:
        client = SPARQLWrapper(server.url + "sparql", returnFormat=JSON)
        client.setQuery("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        count = int(client.queryAndConvert()["results"]["bindings"][0]["n"]["value"])
        # the full build (with ../shared's reference data) or the samples' alone
        assert count == len(remote) > (50_000 if shared_dir().joinpath("data").is_dir() else 5_000)
        status, _, body = server.request("GET", "/goal/2", headers={"Accept": "text/html"})
        assert status == 200 and "Umeå" in body.decode("utf-8")
        status, _, body = server.request("GET", "/api/goals", headers={"Accept": "application/json"})
        assert status == 200 and body.count(b"/goal/") >= 5
    finally:
        server.stop()


def test_updates_and_graph_store_writes_reach_the_remote_store(remote_server, remote_settings, remote: RemoteStore, tmp_path: Path) -> None:
    server = start_server(remote_settings.store, tmp_path / "server.log", **remote_server.settings, result_cache_bytes=0)
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


def test_the_rules_find_the_same_on_the_remote_store(remote_server, remote: RemoteStore, store: EmbeddedStore, remote_settings) -> None:
    from policykg.compliance.evaluate import CheckContext, evaluate
    from policykg.compliance.rules import load_rules

    rules = load_rules(remote_settings.base_iri)
    context = CheckContext(dt.date(2025, 6, 1))

    def found(reader) -> set[tuple]:
        return {(f.rule.key, f.focus.value, str(f.value)) for f in evaluate(reader, rules, context).findings}

    reader = remote.reader()
    asked: list[str] = []
    query = reader.query
    reader.query = lambda sparql, **options: asked.append(sparql) or query(sparql, **options)
    try:
        theirs = found(reader)
    finally:
        del reader.query
    ours = found(store.reader())
    assert theirs == ours
    assert len({key for key, _, _ in ours}) >= 10  # most rules find something in the samples
    # Whether each focus is of a class the rule targets: asked together, a request a rule (up to
    # 200 focuses), not one a focus (the 1 000 000-activity set's 38 427 findings: a request each).
    looked_up = [text for text in asked if "?p1 ?o1" in text]
    focused = {(key, focus) for key, focus, _ in ours}
    assert len(looked_up) <= len({key for key, _ in focused}) < len(focused), (len(looked_up), len(focused))


def test_a_query_past_the_time_limit_is_stopped_and_said_to_be(remote_server) -> None:
    """No limit goes with a query by default: the request is abandoned at ours (the connection
    closed; the server's own limit stops the query there). Where the server is set to take one
    with the query (Virtuoso's ``timeout``), it stops the query itself and says so (S1TAT).
    Either way: RemoteTimeout, within a few seconds of the limit."""
    import dataclasses
    import time

    from policykg.remote.protocol import Client, RemoteTimeout

    client = remote_server.client()
    client.update("INSERT DATA { GRAPH <http://example.org/slow> { "
                  + " ".join(f"<http://example.org/s{i}> <http://example.org/p> {i} ." for i in range(300)) + " } }")
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <http://example.org/slow> { ?a ?p ?x . ?b ?p ?y . ?c ?p ?z . ?d ?p ?w } }"
    clients = [(client, "did not answer the query within 3 s")]
    if remote_server.name == "Virtuoso":
        clients.append((Client(dataclasses.replace(client.endpoints, timeout_parameter="timeout")), "stopped the query at the time limit"))
    for sender, said in clients:
        started = time.monotonic()
        with pytest.raises(RemoteTimeout, match=said):
            sender.query(runaway, accept="application/sparql-results+json", timeout=3).read()
        assert time.monotonic() - started < 10
        if sender is not client:
            sender.close()
    client.update("DROP SILENT GRAPH <http://example.org/slow>")
    assert client.query("ASK {}", accept="application/sparql-results+json", timeout=10).read()


@pytest.mark.parametrize("path", ["goal/2", "body/kommunstyrelsen", "project/p-2021-002", "activity/a-2022-0018"])
def test_a_page_costs_a_few_requests_on_the_remote_store(remote: RemoteStore, remote_settings, path: str) -> None:
    """The look-ups of a page's lists go in batches (policykg.runtime.lookups): a request per
    look-up made a goal's page some hundreds of requests, and a hub's page minutes; the
    provenance of a page's own statements made a project's page 131 requests."""
    reader = remote.reader()
    sent = []
    send = reader.client._send

    def counted(method, url, *args, **options):
        sent.append(method)
        return send(method, url, *args, **options)

    reader.client._send = counted
    try:
        found = describe(Reader(reader), ox.NamedNode(remote_settings.iris(path)), "g", {})
    finally:
        reader.client._send = send
    assert found.labels
    assert found.work if path.split("/")[0] in ("goal", "body", "project") else found.why  # the page's lists, or its own links' provenance
    assert len(sent) <= 50, f"{len(sent)} requests"  # 24, 37, 27, 16 (619 for goal/2 one look-up at a time)


def test_a_query_past_the_time_limit_on_the_remote_store_is_a_gateway_timeout(remote_server, remote_settings, tmp_path: Path) -> None:
    """The remote store's time limit is this service's (504, said so), never the client's fault
    (it was 400 on Virtuoso: its S1TAT went to the answer as an evaluation error)."""
    from urllib.parse import quote

    server = start_server(remote_settings.store, tmp_path / "server.log", **remote_server.settings, result_cache_bytes=0, query_timeout=4)
    try:
        runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z . ?d ?t ?w }"
        status, _, body = server.request("GET", "/sparql?query=" + quote(runaway), headers={"Accept": "application/sparql-results+json"})
        assert status == 504, body
        assert b"time limit" in body
        status, _, _ = server.request("GET", "/sparql?query=" + quote("ASK {}"), headers={"Accept": "application/sparql-results+json"})
        assert status == 200
    finally:
        server.stop()


def test_a_remote_store_that_cannot_be_reached_is_said_so_without_a_trace(remote_settings, tmp_path: Path) -> None:
    """Health and every answer say the store cannot be reached (503), and the log holds no
    traceback: an unreachable store is expected, not a failure of the service."""
    gone = f"http://127.0.0.1:{free_port()}/sparql"
    settings = {"store_query_url": gone, "store_update_url": gone, "store_graph_store_url": gone + "-graph-crud"}
    log = tmp_path / "server.log"
    server = start_server(remote_settings.store, log, result_cache_bytes=0, healthy=False, **settings)
    try:
        for path in ("/health", "/sparql?query=ASK%20%7B%7D", "/goal/2", "/api/goals"):
            status, _, body = server.request("GET", path, headers={"Accept": "application/json"})
            assert status == 503, (path, status, body)
            assert b"cannot reach the remote store" in body, (path, body)
    finally:
        server.stop()
    assert "Traceback" not in log.read_text(encoding="utf-8")


def test_a_snapshot_pairs_a_generation_with_its_own_graphs(remote_settings) -> None:
    """A publish that comes between reading the pointer and listing the published graphs
    cannot pair one generation with another's graphs: they come from one answer."""
    graph = "http://example.org/graph/published-meanwhile"
    quad = ox.Quad(ox.NamedNode("http://example.org/meanwhile"), ox.NamedNode("http://example.org/p"), ox.Literal("meanwhile"))
    reading, writing = open_store(remote_settings), open_store(remote_settings)  # new: nothing read yet
    published: list[str] = []
    asked: list[str] = []
    query = reading.client.query

    def publishing_before_the_second(sparql: str, **options):
        if len(asked) == 1:  # the pointer was read: now another writer publishes
            with writing.writer(replacing=[graph]) as writer:
                writer.replace_graph(graph, [quad])
            published.append(writing.current_generation())
        asked.append(sparql)
        return query(sparql, **options)

    reading.client.query = publishing_before_the_second
    try:
        generation, reader = reading.snapshot()
        assert published, "another writer published between the snapshot's requests"
        assert (graph in reader.graphs) == (generation == published[0]), (generation, published)
    finally:
        with writing.writer() as writer:
            writer.remove_graph(graph)
