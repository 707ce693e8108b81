"""Stored answers: written by build for the published generation, equal to the answers
computed per request, served by the API and the pages, and never stale."""

from __future__ import annotations

import json
import sqlite3

import pyoxigraph as ox
import pytest
from helpers import make_settings, store_at

from policykg.build import build_store, write_stored_answers
from policykg.paths import queries_dir
from policykg.publication.answers import (
    StoredAnswers,
    answers_path,
    answers_root,
    arguments_key,
    stored_queries,
    write_answers,
)
from policykg.publication.hub_pages import hubs
from policykg.runtime.describe import Reader, describe
from policykg.runtime.querylib import NamedQuery, load_queries
from policykg.store import EmbeddedStore, StoreNotBuilt, open_store

QUERIES = load_queries(queries_dir())


def computed(store: EmbeddedStore, query: NamedQuery, substitutions: dict) -> tuple[list[str], list[dict]]:
    """The answer as pyoxigraph serializes it (SPARQL JSON), computed now."""
    result = store.query(query.sparql, substitutions={ox.Variable(k): v for k, v in substitutions.items()})
    parsed = json.loads(result.serialize(format=ox.QueryResultsFormat.JSON))
    return parsed["head"]["vars"], parsed["results"]["bindings"]


def argument_sets(store: EmbeddedStore, query: NamedQuery, iris) -> list[dict]:
    defaults = {n: p.to_term(p.default, iris) for n, p in query.parameters.items() if p.default not in (None, "")}
    required = [p for p in query.parameters.values() if p.required]
    if not required:
        return [defaults]
    (parameter,) = required
    members = store.query(f"SELECT DISTINCT ?m WHERE {{ ?m a <{parameter.rdf_class}> }}")
    return [{**defaults, parameter.name: row["m"]} for row in members]


@pytest.fixture(scope="module")
def hub_settings(tmp_path_factory):
    """A build of its own whose hubs are resources with 3 or more links (the samples are small)."""
    settings = make_settings(tmp_path_factory.mktemp("hubs") / "store", hub_links=3)
    build_store(settings, dumps=False)
    return settings


def test_build_stores_an_answer_of_every_stored_query(store, built_settings) -> None:
    generation = store.current_generation()
    found = StoredAnswers.of(store, generation)
    assert found is not None and found.path == answers_path(store, generation)
    assert found.meta["generation"] == generation
    names = {name for name, _, _ in found.queries()}
    assert names == {q.name for q in stored_queries(QUERIES)}
    assert {"coverage", "work-serving-goal", "body-work", "sdg-targets"} <= names
    per_goal = [arguments for name, arguments, _ in found.queries() if name == "work-serving-goal"]
    assert len(per_goal) == 5  # one answer per goal, even one that nothing serves


@pytest.mark.parametrize("name", sorted(q.name for q in stored_queries(QUERIES)))
def test_every_stored_answer_equals_the_answer_computed_now(store, built_settings, name) -> None:
    query = QUERIES[name]
    found = StoredAnswers.of(store, store.current_generation())
    sets = argument_sets(store, query, built_settings.iris)
    assert sets
    for substitutions in sets:
        columns, rows = computed(store, query, substitutions)
        page = found.page(query, arguments_key(substitutions), 10**6, 0)
        assert page is not None, substitutions
        stored_columns, stored_rows, total = page
        assert stored_columns == columns
        assert total == len(rows)
        stored_rows = [{c: v for c, v in row.items() if v is not None} for row in stored_rows]
        if "store-order" in query.tags:  # no ORDER BY: the same rows, in the order of the run
            key = lambda row: json.dumps(row, sort_keys=True)  # noqa: E731
            assert sorted(stored_rows, key=key) == sorted(rows, key=key)
        else:
            assert stored_rows == rows


def test_a_page_of_a_stored_answer(store) -> None:
    found = StoredAnswers.of(store, store.current_generation())
    whole = found.page(QUERIES["coverage"], arguments_key({}), 100, 0)
    columns, rows, total = found.page(QUERIES["coverage"], arguments_key({}), 3, 18)
    assert total == 20 and rows == whole[1][18:21] and len(rows) == 2
    assert found.page(QUERIES["coverage"], arguments_key({"goal": ox.NamedNode("http://example.org/x")}), 3, 0) is None


def test_an_answer_of_another_query_text_is_not_served(store) -> None:
    query = QUERIES["coverage"]
    edited = NamedQuery(**{**query.__dict__, "sparql": query.sparql + "\n# edited\n"})
    found = StoredAnswers.of(store, store.current_generation())
    assert found.page(query, arguments_key({}), 5, 0) is not None
    assert found.page(edited, arguments_key({}), 5, 0) is None


def test_answering_again_is_skipped_unless_forced_or_a_query_changed(hub_settings) -> None:
    store = open_store(hub_settings)
    path = answers_path(store, store.current_generation())
    before = path.stat().st_mtime_ns
    assert not write_stored_answers(hub_settings).written
    assert path.stat().st_mtime_ns == before
    query = QUERIES["coverage"]
    changed = {**QUERIES, "coverage": NamedQuery(**{**query.__dict__, "sparql": query.sparql + "\n# edited\n"})}
    report = write_answers(store, changed, hub_settings.iris, hub_links=3)
    assert report.written and report.answers >= len(stored_queries(QUERIES))
    report = write_stored_answers(hub_settings, force=True)
    assert report.written and "stored" in report.summary()


def test_an_edited_query_is_answered_again_and_the_rest_is_kept(hub_settings) -> None:
    store = open_store(hub_settings)
    write_stored_answers(hub_settings)
    path = answers_path(store, store.current_generation())
    found = StoredAnswers(path)
    before = {(name, arguments): found.page(QUERIES[name], arguments, 10**6, 0) for name, arguments, _ in found.queries()}
    pages_before = {iri: found.description(iri) for iri in found.pages()}
    found.close()
    query = QUERIES["sdg-coverage"]
    edited = NamedQuery(**{**query.__dict__, "sparql": query.sparql + "\n# edited again\n"})
    report = write_answers(store, {**QUERIES, "sdg-coverage": edited}, hub_settings.iris, hub_links=3)
    assert [name for name, _, _ in report.timings] == ["sdg-coverage"]
    assert sorted(report.reused) == sorted([q.name for q in stored_queries(QUERIES) if q.name != "sdg-coverage"] + ["the hub pages"])
    assert report.pages == len(pages_before) and "kept" in report.summary()
    found = StoredAnswers(path)
    try:
        for (name, arguments), page in before.items():
            assert found.page(edited if name == "sdg-coverage" else QUERIES[name], arguments, 10**6, 0) == page, name
        assert {iri: found.description(iri) for iri in found.pages()} == pages_before
    finally:
        found.close()
    # another hub threshold: the pages are described again, the answers kept
    report = write_answers(store, QUERIES, hub_settings.iris, hub_links=4)
    assert "the hub pages" not in report.reused and report.pages <= len(pages_before)
    assert [name for name, _, _ in report.timings] == ["sdg-coverage"]
    write_stored_answers(hub_settings)  # as the other tests expect it


def test_hub_pages_are_stored_and_equal_the_pages_described_now(hub_settings) -> None:
    store = open_store(hub_settings)
    generation, reader = store.snapshot()
    found = StoredAnswers.of(store, generation)
    pages = found.pages()
    assert pages == hubs(reader, 3)
    goal2 = hub_settings.iris("goal/2")
    assert goal2 in pages
    for iri in pages:
        assert found.description(iri) == describe(Reader(reader), ox.NamedNode(iri), generation, {})
    assert found.description(hub_settings.iris("goal/does-not-exist")) is None


@pytest.mark.embedded_only("an unreachable SERVICE fails the run there; a remote server refuses the question, which is then left "
                            "unstored (tests/live/test_remote_store.py)")
def test_a_failed_run_leaves_the_stored_answers_as_they_were(hub_settings) -> None:
    store = open_store(hub_settings)
    path = answers_path(store, store.current_generation())
    before = path.read_bytes()
    failing = NamedQuery(**{**QUERIES["coverage"].__dict__, "name": "unreachable",
                            "sparql": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"})
    with pytest.raises(OSError):
        write_answers(store, {**QUERIES, "unreachable": failing}, hub_settings.iris, force=True)
    assert path.read_bytes() == before
    assert [p.name for p in answers_root(store).iterdir()] == [path.name]


def test_a_new_generation_gets_its_own_answers_and_the_old_ones_go(tmp_path) -> None:
    settings = make_settings(tmp_path / "store")
    build_store(settings, dumps=False, answers=False)
    store = open_store(settings)
    first = store.current_generation()
    assert not answers_path(store, first).exists()
    write_stored_answers(settings)
    assert answers_path(store, first).exists()
    build_store(settings, dumps=False, force=True)
    second = store.current_generation()
    assert second != first
    assert [p.name for p in answers_root(store).iterdir()] == [answers_path(store, second).name]


def test_a_store_without_the_members_a_question_is_split_by_stores_no_answer_of_it(tmp_path) -> None:
    # a store of other data (as the dumps' tests make): no body, no goal
    store = store_at(tmp_path / "store")
    with store.writer() as writer:
        writer.replace_graph("http://example.org/g", [ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), ox.Literal("o"))])
    report = write_answers(store, QUERIES, make_settings(tmp_path / "store").iris, force=True)
    assert report.unstored == []
    found = StoredAnswers(report.path)
    try:
        split = {q.name for q in stored_queries(QUERIES) if any(p.required for p in q.parameters.values())}
        assert {"body-work", "work-serving-goal"} <= split
        assert not split & {name for name, _, _ in found.queries()}  # no member, no value: no answer
    finally:
        found.close()


def test_before_the_first_build_there_is_nothing_to_answer(settings) -> None:
    with pytest.raises(StoreNotBuilt):
        write_stored_answers(settings)


@pytest.mark.embedded_only("the embedded store's directory given relative to the working directory")
def test_a_store_given_by_a_relative_path(store, monkeypatch) -> None:
    monkeypatch.chdir(store.path.parent)
    relative = EmbeddedStore(store.path.name)
    found = StoredAnswers.of(relative, relative.current_generation())
    assert found.page(QUERIES["coverage"], arguments_key({}), 1, 0)[2] == 20


def test_an_unreadable_file_is_not_served_and_the_answer_is_computed(tmp_path) -> None:
    from policykg.server import create_app

    settings = make_settings(tmp_path / "store")
    build_store(settings, dumps=False)
    store = open_store(settings)
    answers_path(store, store.current_generation()).write_bytes(b"not a database at all" * 100)
    app = create_app({**settings.as_dict(), "result_cache_bytes": 0})
    try:
        response = app.test_client().get("/api/coverage.json")
        assert response.status_code == 200 and response.get_json()["answered"] == "computed"
        assert len(response.get_json()["rows"]) == 20
    finally:
        app.extensions["policykg.querypool"].close()


def test_the_file_is_sqlite_read_only_to_the_server(store) -> None:
    found = StoredAnswers.of(store, store.current_generation())
    with pytest.raises(sqlite3.OperationalError):
        found._db.execute("DELETE FROM answer")


def test_the_api_serves_a_stored_answer_page_by_page_as_it_would_compute_it(built_settings) -> None:
    from policykg.server import create_app

    def pages(stored: bool, url: str) -> list[dict]:
        app = create_app({**built_settings.as_dict(), "stored_answers": stored, "result_cache_bytes": 0})
        try:
            client, found, answered = app.test_client(), [], set()
            while url:
                response = client.get(url)
                assert response.status_code == 200, response.get_data(as_text=True)
                body = response.get_json()
                answered.add((response.headers["Policykg-Answered"], body["answered"]))
                found.append((body["rows"], body["total"]))
                url = body["next"] and body["next"].replace("http://localhost/", "/")
            return found, answered
        finally:
            app.extensions["policykg.querypool"].close()

    for url in ("/api/coverage.json?limit=7", "/api/body-work.json?body=body/kulturnamnden&limit=2"):
        stored, how = pages(True, url)
        computed_pages, computed_how = pages(False, url)
        assert how == {("stored", "stored")} and computed_how == {("computed", "computed")}
        assert [rows for rows, _ in stored] == [rows for rows, _ in computed_pages]
        assert len(stored) > 1
        assert {total for _, total in stored} == {sum(len(rows) for rows, _ in stored)}
        assert {total for _, total in computed_pages} == {None}
    other, how = pages(True, "/api/body-work.json?body=body/kulturnamnden&year=2022")
    assert how == {("computed", "computed")}  # a value not stored is computed


def test_a_hub_page_is_served_from_its_stored_description(hub_settings) -> None:
    import pickle

    from policykg.server import create_app

    def page(stored: bool) -> bytes:
        app = create_app({**hub_settings.as_dict(), "stored_answers": stored, "result_cache_bytes": 0})
        try:
            response = app.test_client().get("/goal/2", headers={"Accept": "text/html"})
            assert response.status_code == 200
            return response.data
        finally:
            app.extensions["policykg.querypool"].close()

    assert page(True) == page(False)
    # the stored description is what is shown: marked in the file, the mark is on the page
    store = open_store(hub_settings)
    path = answers_path(store, store.current_generation())
    original = path.read_bytes()
    goal2 = hub_settings.iris("goal/2")
    try:
        with sqlite3.connect(path) as db:
            (blob,) = db.execute("SELECT description FROM page WHERE iri = ?", (goal2,)).fetchone()
            marked = pickle.loads(blob)
            marked.labels[goal2] = {"sv": "Lagrad beskrivning", "en": "Stored description"}
            db.execute("UPDATE page SET description = ? WHERE iri = ?", (pickle.dumps(marked), goal2))
        assert "Lagrad beskrivning" in page(True).decode() and "Lagrad beskrivning" not in page(False).decode()
    finally:
        path.write_bytes(original)


def test_the_answers_command(runner, hub_settings) -> None:
    from policykg.cli import cli

    result = runner.invoke(cli, ["--store", str(hub_settings.store), "answers"], env={"POLICYKG_HUB_LINKS": "3"})
    assert result.exit_code == 0, result.output
    assert "are already in" in result.output
    result = runner.invoke(cli, ["--store", str(hub_settings.store), "answers"], env={"POLICYKG_HUB_LINKS": "1000"})
    assert result.exit_code == 0, result.output
    assert "and 0 hub pages" in result.output and "kept aid-projects" in result.output  # another threshold: pages only
    result = runner.invoke(cli, ["--store", str(hub_settings.store), "answers", "--force"], env={"POLICYKG_HUB_LINKS": "3"})
    assert result.exit_code == 0, result.output
    store = open_store(hub_settings)
    expected = sum(1 for _, _, _ in StoredAnswers.of(store, store.current_generation()).queries())
    assert f"stored {expected} answers" in result.output
    assert f"and {len(hubs(store.reader(), 3))} hub pages" in result.output


@pytest.mark.parametrize("module", ["describe", "lookups", "reads"])
def test_the_pages_digest_changes_with_the_code_that_makes_a_page(module, tmp_path, monkeypatch) -> None:
    """A stored page made by other page code is not served (StoredAnswers.description): the
    digest covers each module whose code decides what a page holds, not describe.py alone."""
    import importlib

    from policykg.publication.answers import describe_digest

    code = importlib.import_module(f"policykg.runtime.{module}")
    before = describe_digest()
    edited = tmp_path / f"{module}.py"
    edited.write_text(open(code.__file__, encoding="utf-8").read() + "\n# edited\n", encoding="utf-8")
    monkeypatch.setattr(code, "__file__", str(edited))
    describe_digest.cache_clear()
    try:
        assert describe_digest() != before
    finally:
        monkeypatch.undo()
        describe_digest.cache_clear()
    assert describe_digest() == before
