"""Loading one registry file: input as staff produce it, every bad input with its exact
message and the store unchanged, provenance to the row, reloads and replacement.

The fixtures are in tests/data/registries/ (see its README); each is a variant
of the first three rows of the sample projects registry.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers import DATA, make_settings, write_manifest
from policykg.loaders.errors import InputError
from policykg.loaders.manifest import single_registry_source
from policykg.loaders.publish import publish

from policykg.build import build_store
from policykg.store import EmbeddedStore, open_store

FIXTURES = DATA / "registries"


@pytest.fixture(scope="module")
def sample_settings(tmp_path_factory):
    """A store built from the samples, for this module (failed loads must leave it as it is)."""
    settings = make_settings(tmp_path_factory.mktemp("registry") / "store")
    build_store(settings)
    return settings


def fingerprint(store: EmbeddedStore) -> tuple[str, int, str]:
    """The published generation, its size and a digest of the projects graph."""
    rows = store.query("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRENDS(STR(?g), '/graph/projects')) }")
    digest = hashlib.sha256("\n".join(sorted(f"{r['s']} {r['p']} {r['o']}" for r in rows)).encode()).hexdigest()
    return store.current_generation(), len(store), digest


def load(settings, path: Path, registry: str = "projects"):
    return publish(open_store(settings), [single_registry_source(settings, registry, path)], settings)


def problems_of(settings, path: Path, registry: str = "projects") -> list[str]:
    """The report lines of a load that must fail, with the fixture directory cut off."""
    store = open_store(settings)
    before = fingerprint(store)
    with pytest.raises(InputError) as caught:
        load(settings, path, registry)
    assert fingerprint(store) == before, "a failed load changed the store"
    return [str(p).replace(str(FIXTURES) + "/", "") for p in caught.value.problems]


BAD_INPUT = {
    "projects-cp1252-bad.csv": [
        "projects-cp1252-bad.csv:3:responsible_body: unknown body; did you mean 'kulturnamnden'? "
        "(value 'Kulturnämden'; expected a body of the program or the organisations registry)"
    ],
    "projects-semicolon-bad.csv": [
        "projects-semicolon-bad.csv:4:budget: not a number (value '1 2345,00'; expected a number such as 1234,50 or 1 234.50)"
    ],
    "projects-bad-decimal.csv": [
        "projects-bad-decimal.csv:2:municipal_funding: not a number (value '12,50,00'; expected a number such as 1234,50 or 1 234.50)"
    ],
    "projects-bad-date.csv": [
        "projects-bad-date.csv:2:start: no such date (value '2018-02-30'; expected a date as YYYY-MM-DD)",
        "projects-bad-date.csv:3:end: not a date (value '31/12/2020'; expected a date as YYYY-MM-DD)",
    ],
    "projects-missing-value.csv": [
        "projects-missing-value.csv:3:title_sv: a value is required (expected the project's title in Swedish)"
    ],
    "projects-unknown-reference.csv": [
        "projects-unknown-reference.csv:2:goals: unknown goal (value '7'; expected one of 1, 2, 3, 4, 5)",
        "projects-unknown-reference.csv:3:responsible_body: unknown body; did you mean 'kulturnamnden'? "
        "(value 'kulturnamden'; expected a body of the program or the organisations registry)",
        "projects-unknown-reference.csv:4:sdg_targets: unknown SDG target (value '11.9'; "
        "expected one of goal 11's targets: 11.1, 11.2, 11.3, 11.4, 11.5, 11.6, 11.7, 11.a, 11.b, 11.c)",
    ],
    "projects-duplicate-id.csv": [
        "projects-duplicate-id.csv:4:id: the id is already used in row 2 (value 'P-2018-001'; expected a unique id)"
    ],
    "projects-truncated.csv": [
        "projects-truncated.csv:4: the last row has only 3 of 20 cells (is the file truncated?) "
        "(expected one cell per column of the header)"
    ],
    "projects-truncated-quote.csv": ["projects-truncated-quote.csv:4: the file ends inside a quoted value (is it truncated?)"],
    "projects-empty.csv": [
        "projects-empty.csv: the file is empty (expected a header row naming the columns, then one row per entry)"
    ],
    "projects-extra-sheet.xlsx": [
        "projects-extra-sheet.xlsx: the workbook has 2 sheets ('Blad1', 'Anteckningar') and none is named 'projects' "
        "(expected the registry in a sheet named 'projects', or a workbook with one sheet)"
    ],
    "projects-bom-bad.csv": [
        "projects-bom-bad.csv:2:status: unknown status (value 'pausat'; expected one of planned, ongoing, completed, cancelled)"
    ],
}


@pytest.mark.parametrize("name", sorted(BAD_INPUT))
def test_bad_input_is_reported_exactly_and_the_store_is_unchanged(sample_settings, name):
    assert problems_of(sample_settings, FIXTURES / name) == BAD_INPUT[name]


def test_every_problem_of_a_file_is_reported_at_once(sample_settings, tmp_path):
    text = (FIXTURES / "projects-utf8.csv").read_text(encoding="utf-8")
    broken = text.replace("2018-09-01", "2018-13-01").replace("kulturnamnden", "kultur").replace(",completed,", ",done,", 1)
    path = tmp_path / "projects.csv"
    path.write_text(broken, encoding="utf-8")
    lines = problems_of(sample_settings, path)
    assert [re.match(r"[^:]+:(\d+):(\w+):", line).groups() for line in lines] == [
        ("2", "start"), ("2", "status"), ("3", "responsible_body")
    ]


def graph_lines(settings, path: Path) -> list[str]:
    """The N-Triples a valid file gives, with its file name made neutral. JSON has no header
    row, so its rows are numbered from 1: they are shifted to compare with CSV's."""
    result = single_registry_source(settings, "projects", path).read_files(settings)
    text = b"".join(result.ntriples).decode().replace(path.name, "F")
    if path.suffix == ".json":
        text = re.sub(r"#row=(\d+)", lambda m: f"#row={int(m[1]) + 1}", text)
        text = re.sub(r'rowNumber> "(\d+)"', lambda m: f'rowNumber> "{int(m[1]) + 1}"', text)
    return sorted(text.splitlines())


@pytest.mark.parametrize(
    "name, description",
    [
        ("projects-bom.csv", "CSV, UTF-8 with BOM, comma-separated"),
        ("projects-semicolon.csv", "CSV, UTF-8, semicolon-separated"),
        ("projects-cp1252.csv", "CSV, Windows-1252, semicolon-separated"),
        ("projects-decimal-comma.csv", "CSV, UTF-8, comma-separated"),
        ("projects-named-sheet.xlsx", "Excel, sheet 'projects' of 2"),
        ("projects.json", "JSON, UTF-8"),
    ],
)
def test_input_as_staff_produce_it_gives_the_same_graph(sample_settings, name, description):
    result = single_registry_source(sample_settings, "projects", FIXTURES / name).read_files(sample_settings)
    assert result.note == f"projects: {name}: 3 rows ({description})"
    assert graph_lines(sample_settings, FIXTURES / name) == graph_lines(sample_settings, FIXTURES / "projects-utf8.csv")


@pytest.fixture
def projects_settings(tmp_path):
    """A store of the samples without the registries that refer to projects (so that a
    file of three projects may replace the thirteen)."""
    manifest = write_manifest(tmp_path / "registries", ["organisations", "partners", "funding-programmes", "projects"])
    settings = make_settings(tmp_path / "store", registries=manifest)
    build_store(settings)
    return settings


def test_reloading_an_unchanged_file_changes_nothing(projects_settings):
    settings = projects_settings
    store = open_store(settings)
    first = load(settings, FIXTURES / "projects-utf8.csv")
    assert [key for key, _, _ in first.loaded] == ["projects"]
    generation = store.current_generation()
    again = load(settings, FIXTURES / "projects-utf8.csv")
    assert again.loaded == [] and again.unchanged == ["projects"]
    assert store.current_generation() == generation


@pytest.mark.embedded_only("a reader keeps the generation it opened; a remote store's graphs are replaced in place")
def test_a_new_version_replaces_the_graph_and_the_old_one_is_read_until_then(projects_settings):
    settings = projects_settings
    store = open_store(settings)
    count = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a <https://w3id.org/policykg/ontology#Project> }"
    reader = store.reader()  # a reader that opened the published generation before the load
    assert int(next(iter(reader.query(count, use_default_graph_as_union=True)))["n"].value) == 13
    load(settings, FIXTURES / "projects-utf8.csv")
    assert int(next(iter(reader.query(count, use_default_graph_as_union=True)))["n"].value) == 13
    assert int(next(iter(store.query(count)))["n"].value) == 3  # the new generation: the file's three
    graph = settings.iris.graph("projects")
    names = {r["name"].value for r in store.query(
        "SELECT ?g ?name WHERE { GRAPH ?g { ?g <http://www.w3.org/ns/prov#wasDerivedFrom> ?f . "
        "?f <https://w3id.org/policykg/ontology#fileName> ?name } }", substitutions={ox.Variable("g"): ox.NamedNode(graph)})}
    assert names == {"projects-utf8.csv", "projects.csv-metadata.json"}


def test_an_unknown_registry_is_named(sample_settings):
    with pytest.raises(InputError, match=r"unknown registry 'budgets' \(expected one of organisations, partners"):
        single_registry_source(sample_settings, "budgets", FIXTURES / "projects-utf8.csv")


def test_a_registry_loaded_alone_may_not_take_away_what_others_refer_to(sample_settings):
    # The three projects of the fixture lack p-2021-002 and others, which activities in the store belong to.
    lines = problems_of(sample_settings, FIXTURES / "projects-utf8.csv")
    # activities and partnerships refer to 8 of the projects the file leaves out, follow-up to 8 (not all the same)
    follow_up = [line for line in lines if "follow-up.csv" in line]
    lines = [line for line in lines if "follow-up.csv" not in line]
    assert len(lines) == 8
    assert len(follow_up) == 8
    assert follow_up[0] == (
        "projects-utf8.csv: the project 'p-2021-002' is gone, but follow-up.csv row 10 (and 2 more) still refers to it "
        "(expected the project kept, or follow-up loaded together without the reference)"
    )
    assert lines[0] == (
        "projects-utf8.csv: the project 'p-2021-005' is gone, but activities.csv row 7 still refers to it "
        "(expected the project kept, or activities loaded together without the reference)"
    )
    assert lines[1].startswith("projects-utf8.csv: the project 'p-2021-002' is gone, but activities.csv row 8 (and 1 more)")
    assert lines[-1] == (
        "projects-utf8.csv: the project 'p-2021-002' is gone, but partnerships.csv row 9 still refers to it "
        "(expected the project kept, or partnerships loaded together without the reference)"
    )
