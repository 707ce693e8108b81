"""The ``policykg`` command end to end, in a subprocess as a user runs it, and in-process."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, shared_dir, store_at, store_environ, write_manifest


def policykg(*args: str, store: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return run_policykg(*args, store=store, env=env)


def run_policykg(*args: str, store: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("POLICYKG_")}
    environment.update({**store_environ(store), "POLICYKG_SHARED_DIR": str(shared_dir()), **(env or {})})
    command = [str(Path(sys.executable).parent / "policykg"), *args]
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=300, cwd=REPO)


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("cli") / "store"
    done = policykg("build", store=store)
    assert done.returncode == 0, done.stderr
    assert "published generation" in done.stdout
    return store


def test_build_twice_changes_nothing(cli_store):
    again = policykg("build", store=cli_store)
    assert again.returncode == 0, again.stderr
    assert "nothing to do: the store is up to date" in again.stdout


def test_goals_as_csv(cli_store):
    done = policykg("query", "goals", "--format", "csv", store=cli_store)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(rows) == 5
    assert {"item", "label_sv", "label_en"} <= set(rows[0])
    assert all(r["label_sv"] and r["label_en"] and r["label_sv"] != r["label_en"] for r in rows)
    assert [r["item"].rsplit("/", 1)[-1] for r in rows] == ["1", "2", "3", "4", "5"]


@pytest.mark.parametrize("name, count", [("focus-areas", 4), ("principles", 6), ("program", 1)])
def test_listings_as_json(cli_store, name, count):
    done = policykg("query", name, "--format", "json", store=cli_store)
    assert done.returncode == 0, done.stderr
    bindings = json.loads(done.stdout)["results"]["bindings"]
    assert len(bindings) == count
    assert all(b["label_sv"]["xml:lang"] == "sv" and b["label_en"]["xml:lang"] == "en" for b in bindings)


def test_table_is_the_default_format(cli_store):
    done = policykg("query", "principles", store=cli_store)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].split()[:4] == ["item", "ordinal", "label_sv", "label_en"]
    assert done.stdout.rstrip().endswith("(6 rows)")


def test_parameters_select_one_body(cli_store):
    done = policykg("query", "responsibilities", "--param", "body=body/kommunfullmaktige", "-f", "csv", store=cli_store)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(rows) == 3 and {r["body_sv"] for r in rows} == {"Kommunfullmäktige"}


def test_any_query_with_sparql(cli_store):
    done = policykg("query", "--sparql", "ASK { ?g a <https://w3id.org/policykg/ontology#Goal> }", store=cli_store)
    assert (done.returncode, done.stdout) == (0, "true\n")


@pytest.mark.parametrize(
    "args, message",
    [
        (("query", "nonesuch"), "no query named 'nonesuch'"),
        (("query", "responsibilities", "--param", "body=not an iri"), "parameter 'body'"),
        (("query", "goals", "--param", "colour=red"), "parameter 'colour': unknown"),
        (("query", "--sparql", "SELECT ?x WHERE {\n  ?x ?y\n}"), "query syntax: error at 3:2"),
        (("query", "--sparql", "CONSTRUCT WHERE { ?s ?p ?o }", "-f", "csv"), "can be given as turtle"),
    ],
)
def test_bad_input_says_what_and_where(cli_store, args, message):
    done = policykg(*args, store=cli_store)
    assert done.returncode != 0
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_query_before_build_says_to_build(tmp_path):
    done = policykg("query", "goals", store=tmp_path / "empty")
    assert done.returncode == 1
    assert "run 'policykg build' first" in done.stderr


@pytest.mark.parametrize("command", [("status",), ("query", "goals"), ("check",), ("answers",)])
def test_a_remote_store_that_cannot_be_reached_is_said_so_without_a_trace(tmp_path, command):
    """Any command on a remote store that fails (here: nobody listens) says what failed, in
    one line, and exits 1; `status` showed a traceback (a query past the time limit on the
    1 000 000-activity set on Virtuoso)."""
    from live_server import free_port

    gone = f"http://127.0.0.1:{free_port()}"
    nowhere = {"POLICYKG_STORE_URL": gone, "POLICYKG_STORE_QUERY_URL": f"{gone}/query",
               "POLICYKG_STORE_UPDATE_URL": f"{gone}/update", "POLICYKG_STORE_GRAPH_STORE_URL": f"{gone}/store"}
    done = policykg(*command, store=tmp_path / "local", env=nowhere)  # in a run on a remote store too
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    assert f"cannot reach the remote store ({gone}/query)" in done.stderr


def test_bad_setting_in_environment_is_named(tmp_path):
    done = policykg("status", store=tmp_path / "s", env={"POLICYKG_BASE_IRI": "urn:nope"})
    assert done.returncode == 2 and "POLICYKG_BASE_IRI" in done.stderr


def test_status_lists_graphs(runner, built_settings):
    result = runner.invoke(runner.cli, ["--store", str(built_settings.store), "status"])
    assert result.exit_code == 0, result.output
    for key in ("ontology", "shapes", "program"):
        assert built_settings.iris.graph(key) in result.output


def test_list_names_every_query(runner):
    result = runner.invoke(runner.cli, ["query", "--list"])
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.output.splitlines()] == sorted(
        p.stem for p in (REPO / "queries").glob("*.rq")
    )


# --- registries: validate, load, generate ------------------------------------------------

FIXTURES = REPO / "tests" / "data" / "registries"


def test_validate_reports_every_problem_and_exits_1(cli_store):
    done = policykg("validate", "projects", str(FIXTURES / "projects-bad-date.csv"), store=cli_store)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "2 problems found",
        f"  {FIXTURES}/projects-bad-date.csv:2:start: no such date (value '2018-02-30'; expected a date as YYYY-MM-DD)",
        f"  {FIXTURES}/projects-bad-date.csv:3:end: not a date (value '31/12/2020'; expected a date as YYYY-MM-DD)",
    ]
    good = policykg("validate", "projects", str(FIXTURES / "projects-cp1252.csv"), store=cli_store)
    assert (good.returncode, good.stdout) == (0, "projects: projects-cp1252.csv: 3 rows (CSV, Windows-1252, semicolon-separated): valid\n")


def test_load_dry_run_writes_nothing_and_load_twice_changes_nothing(tmp_path):
    store = tmp_path / "store"
    manifest = write_manifest(tmp_path / "registries", ["organisations", "partners", "funding-programmes", "projects"])
    env = {"POLICYKG_REGISTRIES": str(manifest)}

    def policykg(*args, store):
        return run_policykg(*args, store=store, env=env)

    assert policykg("build", store=store).returncode == 0
    generation = store_at(store).current_generation()
    dry = policykg("load", "projects", str(FIXTURES / "projects.json"), "--dry-run", store=store)
    assert dry.returncode == 0, dry.stderr
    assert re.fullmatch(r"projects: projects\.json: 3 rows \(JSON, UTF-8\): valid; would load \d+ triples into "
                        r"<https://w3id.org/policykg/umea/graph/projects> \(dry run: nothing written\)\n", dry.stdout)
    assert store_at(store).current_generation() == generation
    first = policykg("load", "projects", str(FIXTURES / "projects-named-sheet.xlsx"), store=store)
    assert first.returncode == 0, first.stderr
    assert "loaded projects:" in first.stdout and store_at(store).current_generation() != generation
    again = policykg("load", "projects", str(FIXTURES / "projects-named-sheet.xlsx"), store=store)
    assert "nothing to do: the store is up to date" in again.stdout
    bad = policykg("load", "projects", str(FIXTURES / "projects-extra-sheet.xlsx"), store=store)
    assert bad.returncode == 1 and "none is named 'projects'" in bad.stderr and "nothing was written" in bad.stderr


def test_generate_writes_a_loadable_set(tmp_path):
    done = policykg("generate", "--projects", "5", "--activities", "20", "--out", str(tmp_path / "set"), store=tmp_path / "store")
    assert done.returncode == 0, done.stderr
    assert "activities: 20 rows" in done.stdout
    built = policykg("build", store=tmp_path / "store", env={"POLICYKG_REGISTRIES": str(tmp_path / "set")})
    assert built.returncode == 0, built.stderr
    assert "activities: activities.csv: 20 rows (CSV, UTF-8, comma-separated)" in built.stdout
