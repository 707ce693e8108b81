"""Publishing sources: all or nothing, unchanged sources left alone, provenance in each graph."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox
import pytest
from policykg.loaders import publish as publish_module
from policykg.loaders.errors import InputError
from policykg.loaders.publish import publish
from policykg.loaders.sources import Source, read_ontology

from policykg.store import EmbeddedStore, open_store

GOOD = '@prefix ex: <http://example.org/> .\nex:a ex:p "one" .\nex:b ex:p "two" .\n'
BROKEN = '@prefix ex: <http://example.org/> .\nex:a ex:p "one" .\nex:b ex:p ex:c ex:d .\n'


def source(key: str, path: Path) -> Source:
    return Source(key, f"{key} (en)", f"{key} (sv)", (path,), read_ontology)


def graph_triples(store: EmbeddedStore, graph: str) -> set[tuple[str, str, str]]:
    rows = store.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return {(r["s"].value, r["p"].value, r["o"].value) for r in rows}


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "a.ttl").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.ttl").write_text(GOOD.replace("one", "uno"), encoding="utf-8")
    (tmp_path / "broken.ttl").write_text(BROKEN, encoding="utf-8")
    return {p.stem: p for p in tmp_path.glob("*.ttl")}


def test_each_source_gets_its_graph_with_provenance(settings, files):
    store = open_store(settings)
    report = publish(store, [source("a", files["a"]), source("b", files["b"])], settings)
    assert [key for key, _, _ in report.loaded] == ["a", "b"]
    graph = settings.iris.graph("a")
    assert ("http://example.org/a", "http://example.org/p", "one") in graph_triples(store, graph)
    facts = next(iter(store.query(
        """PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX spdx: <http://spdx.org/rdf/terms#>
           PREFIX pkg: <https://w3id.org/policykg/ontology#> PREFIX void: <http://rdfs.org/ns/void#>
           SELECT ?g ?name ?sha ?version ?when ?triples WHERE { GRAPH ?g {
             ?g prov:wasDerivedFrom ?f ; pkg:loaderVersion ?version ; prov:generatedAtTime ?when ;
                void:triples ?triples .
             ?f pkg:fileName ?name ; spdx:checksum/spdx:checksumValue ?sha } }""",
        substitutions={ox.Variable("g"): ox.NamedNode(graph)},
    )))
    assert facts["name"].value == "a.ttl"
    assert facts["sha"].value == hashlib.sha256(files["a"].read_bytes()).hexdigest()
    assert facts["triples"].value == "2"
    assert facts["version"].value.startswith("0.1.0+")


def test_unchanged_sources_are_not_reloaded(settings, files):
    store = open_store(settings)
    sources = [source("a", files["a"]), source("b", files["b"])]
    publish(store, sources, settings)
    generation = store.version
    again = publish(store, sources, settings)
    assert again.loaded == [] and again.unchanged == ["a", "b"]
    assert store.version == generation  # nothing was written
    files["b"].write_text(GOOD.replace("one", "ett"), encoding="utf-8")
    third = publish(store, sources, settings)
    assert [key for key, _, _ in third.loaded] == ["b"] and third.unchanged == ["a"]
    assert ("http://example.org/a", "http://example.org/p", "ett") in graph_triples(store, settings.iris.graph("b"))


def test_a_bad_file_publishes_nothing_and_names_the_place(settings, files):
    store = open_store(settings)
    publish(store, [source("a", files["a"])], settings)
    generation = store.version
    files["a"].write_text(GOOD.replace("one", "changed"), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        publish(store, [source("a", files["a"]), source("broken", files["broken"])], settings)
    problem = caught.value.problems[0]
    assert (problem.file, problem.line) == (str(files["broken"]), 3)
    assert "broken.ttl:3:" in caught.value.report()
    assert store.version == generation
    assert ("http://example.org/a", "http://example.org/p", "one") in graph_triples(store, settings.iris.graph("a"))


def test_missing_files_are_all_reported(settings, tmp_path):
    store = open_store(settings)
    with pytest.raises(InputError) as caught:
        publish(store, [source("x", tmp_path / "x.ttl"), source("y", tmp_path / "y.ttl")], settings)
    assert [p.message for p in caught.value.problems] == ["file not found", "file not found"]
    assert store.current_generation() is None


def test_force_reloads_and_clean_starts_empty(settings, files):
    store = open_store(settings)
    publish(store, [source("a", files["a"]), source("b", files["b"])], settings)
    forced = publish(store, [source("a", files["a"])], settings, force=True)
    assert [key for key, _, _ in forced.loaded] == ["a"]
    assert settings.iris.graph("b") in store.named_graphs()
    publish(store, [source("a", files["a"])], settings, from_empty=True)
    assert store.named_graphs() == [settings.iris.graph("a")]


def test_progress_is_reported_for_long_sources(settings, tmp_path, monkeypatch):
    lines = "".join(f'<http://example.org/s{i}> <http://example.org/p> "{i}" .\n' for i in range(250_000))
    path = tmp_path / "big.nt"
    path.write_text(lines, encoding="utf-8")
    seen = []
    publish(open_store(settings), [source("big", path)], settings, progress=lambda k, n: seen.append((k, n)))
    assert seen == [("big", 100_000), ("big", 200_000)]
    assert publish_module.PublishReport  # the report type is public


def test_blank_nodes_of_separate_files_stay_apart(settings, tmp_path):
    """Two files that both say ``_:b`` describe two things (RDF: a blank node is local to its
    document), whether they are one source's files or two sources' graphs."""
    for name, value in (("one", "1"), ("two", "2"), ("three", "3")):
        (tmp_path / f"{name}.ttl").write_text(f'_:b <http://example.org/p> "{value}" .\n', encoding="utf-8")
    store = open_store(settings)
    both = Source("both", "both (en)", "both (sv)", (tmp_path / "one.ttl", tmp_path / "two.ttl"), read_ontology)
    publish(store, [both, source("three", tmp_path / "three.ttl")], settings)
    rows = list(store.query("SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE { GRAPH ?g { ?b <http://example.org/p> ?v } }"))
    assert int(rows[0]["n"].value) == 3
    labels = {r["b"].value for r in store.query("SELECT ?b WHERE { GRAPH ?g { ?b <http://example.org/p> ?v } }")}
    assert "b" not in labels  # the store's labels, not the file's
