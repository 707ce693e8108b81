"""What the tests share besides fixtures: paths, settings, small stores, the sample
registries and a named-query answerer. Imported as ``helpers`` (``tests/`` is on the path)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from policykg.config import Settings, load_settings
from policykg.store import EmbeddedStore

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
ONTOLOGY_DIR = REPO / "ontology"
SAMPLE_REGISTRIES = REPO / "registries" / "umea"

def shared_dir() -> Path:
    """The shared reference data (``POLICYKG_SHARED_DIR`` or ``../shared``)."""
    return Path(os.environ.get("POLICYKG_SHARED_DIR") or REPO.parent / "shared")


def require_shared(*parts: str) -> Path:
    """A path under the shared data, or skip the test saying what is missing."""
    path = shared_dir().joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data {path} is absent (set POLICYKG_SHARED_DIR to its location)")
    return path


def make_settings(store: Path, **overrides) -> Settings:
    """Settings for a test: the environment's POLICYKG_* are ignored, so that a
    developer's own configuration cannot change what a test sees."""
    return load_settings({"store": store, "shared_dir": shared_dir(), **overrides}, environ={})


# --- small stores of our own, and the application on them ---------------------------

SAMPLE_GRAPH = "http://example.org/graph/sample"
SAMPLE_TURTLE = """
@prefix ex: <http://example.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
ex:goal1 a ex:Goal ; skos:prefLabel "Mål ett"@sv, "Goal one"@en ; ex:ordinal 1 .
ex:goal2 a ex:Goal ; skos:prefLabel "Mål två"@sv, "Goal two"@en ; ex:ordinal 2 .
ex:project1 a ex:Project ; ex:serves ex:goal1 ; ex:budget 1200.50 ; ex:note "line one\\nline\\ttwo \\"quoted\\"" .
ex:project2 a ex:Project ; ex:serves ex:goal2, ex:goal1 ; ex:partner [ ex:name "A partner" ] .
"""


def write_sample_store(path: Path) -> EmbeddedStore:
    """A store with one small named graph of sample data (and nothing else)."""
    import pyoxigraph as ox

    store = EmbeddedStore(path)
    store.replace_graphs({SAMPLE_GRAPH: list(ox.parse(SAMPLE_TURTLE, format=ox.RdfFormat.TURTLE))})
    return store


def make_endpoint_app(store: Path, **overrides):
    from policykg.server import create_app

    application = create_app({**make_settings(store, **overrides).as_dict()})
    application.config["TESTING"] = True
    return application



# --- the program plus a little hand-written work (tests/data/work.ttl) ---------------

WORK_GRAPH_KEY = "hand-made"


def add_work_graph(settings: Settings) -> str:
    """Load tests/data/work.ttl into <BASE/graph/hand-made>, with provenance as a loader writes it."""
    import pyoxigraph as ox
    from policykg.loaders.provenance import FileFacts, provenance_quads

    graph = settings.iris.graph(WORK_GRAPH_KEY)
    quads = list(ox.parse(path=str(DATA / "work.ttl"), format=ox.RdfFormat.TURTLE, base_iri=settings.base_iri))
    store = EmbeddedStore(settings.store)
    with store.writer() as writer:
        count = writer.replace_graph(graph, quads)
        writer.add(
            graph,
            provenance_quads(
                graph,
                title_en="International work (test data)",
                title_sv="Internationellt arbete (testdata)",
                files=[FileFacts.of(DATA / "projects.csv", rows=2)],
                version="test",
                triples=count,
            ),
        )
    return graph



# --- registries ------------------------------------------------------------------

def write_manifest(directory: Path, names: list[str]) -> Path:
    """A registries manifest in ``directory`` that loads the named sample registries
    (their files where they are, their schemas copied beside the manifest)."""
    import shutil

    directory.mkdir(parents=True, exist_ok=True)
    lines = ["[dataset]", 'description_en = "Illustrative samples (a subset, for a test)."', "", "[registries]"]
    for name in names:
        shutil.copy(SAMPLE_REGISTRIES / f"{name}.csv-metadata.json", directory)
        lines.append(f'{name} = "{SAMPLE_REGISTRIES / (name + ".csv")}"')
    (directory / "registries.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


def sample_rows(name: str) -> list[tuple[int, dict]]:
    """(row number as the loaders count it, the header being row 1; the row) of a sample registry."""
    import csv

    with open(SAMPLE_REGISTRIES / f"{name}.csv", newline="", encoding="utf-8") as file:
        return list(enumerate(csv.DictReader(file), start=2))


# --- the named queries, answered straight from a store -----------------------------


def named_answerer(store: EmbeddedStore, settings: Settings):
    """A function (name, **parameters) -> rows of that named query on ``store``, each cell its
    lexical value or None; parameters bound as the API binds them."""
    from policykg.paths import queries_dir
    from policykg.runtime.querylib import load_queries

    queries = load_queries(queries_dir())

    def ask(name: str, **values) -> list[dict]:
        query = queries[name]
        result = store.query(query.sparql, substitutions=query.bind(values, settings.iris))
        names = [v.value for v in result.variables]
        return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in result]

    return ask
