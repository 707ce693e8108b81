"""``policykg check`` and the findings stored with each published generation."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from helpers import TEST_STORES, make_settings
from rdflib import Graph

from policykg.build import after_publish, build_store
from policykg.cli import cli
from policykg.compliance.rules import load_rules
from policykg.namespaces import PKG, SH
from policykg.store import open_store

AS_OF = "2026-12-04"


def check(runner, settings, *args):
    return runner.invoke(cli, ["--store", str(settings.store), "check", "--as-of", AS_OF, *args])


def test_the_table_names_each_finding_and_quotes_the_program(runner, built_settings) -> None:
    result = check(runner, built_settings, "--lang", "sv")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "Kontroll av arbetet mot programmets regler, per 2026-12-04"
    assert "illustrativa exempel" in lines[1]
    assert any(line.startswith("ÖVERTRÄDELSE aid-municipal-funding  project/p-2021-002") for line in lines)
    assert any("”Det ska omprövas i början av varje mandatperiod.”" in line for line in lines)
    assert lines[-1] == "28 resultat: överträdelse: 10, varning: 13, info: 5"


def test_the_labels_of_the_findings_are_fetched_together(runner, built_settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a remote store a look-up is a request: the focuses' labels come in a few, not one or
    two a finding (the 1 000 000-activity set's 38 427 findings on Virtuoso: 565.6 s)."""
    from policykg.remote.protocol import Client

    sent: list[str] = []
    send = Client._send
    monkeypatch.setattr(Client, "_send", lambda self, method, url, *args, **options: sent.append(url) or send(self, method, url, *args, **options))
    result = check(runner, built_settings, "--format", "json")
    findings = json.loads(result.output)["findings"]
    labelled = {f["focus"]: f["focus_label"] for f in findings}
    assert labelled[built_settings.base_iri + "project/p-2021-002"]["en"]  # labels are still there
    if not TEST_STORES.remote:
        assert not sent
        return
    rules = load_rules(built_settings.base_iri).rules
    # each rule's query and the look-up of its focuses' classes, the labels, the published generation
    assert len(findings) == 28 and len(sent) <= 2 * len(rules) + 6, len(sent)  # 143 with the labels one by one


def test_a_year_keeps_the_findings_about_it(runner, built_settings) -> None:
    result = check(runner, built_settings, "--year", "2023", "--format", "json")
    found = {(f["rule"], f["focus"].rsplit("/", 1)[-1], f["year"]) for f in json.loads(result.output)["findings"]}
    assert ("body-follow-up", "kulturnamnden", 2023) in found
    assert not any(rule == "body-follow-up" and year != 2023 for rule, _, year in found)
    assert not any(rule == "annual-follow-up" for rule, _, _ in found)  # 2018 and 2025 only
    assert ("strategic-focus", "p-2024-005", None) not in found  # that project ran in 2024
    assert ("guidelines-by-executive-board", "tns-2023-riktlinjer", None) in found
    assert ("program-review", "program", None) in found  # about the program as a whole


def test_only_warnings_exit_0(runner, built_settings) -> None:
    result = check(runner, built_settings, "--rule", "sdg-target", "--rule", "program-review")
    assert result.exit_code == 0, result.output
    assert "2 findings: violation: 0, warning: 2, info: 0" in result.output


def test_an_unknown_rule_is_named(runner, built_settings) -> None:
    result = check(runner, built_settings, "--rule", "no-such-rule")
    assert result.exit_code == 2
    assert "unknown rule no-such-rule; known: aid-external-share" in result.output


def test_the_report_as_turtle_is_a_shacl_validation_report(runner, built_settings) -> None:
    result = check(runner, built_settings, "--format", "ttl")
    graph = Graph().parse(data=result.output, format="turtle")
    assert len(set(graph.subjects(None, SH.ValidationResult))) == 28
    report = next(graph.subjects(None, SH.ValidationReport))
    assert str(graph.value(report, SH.conforms)) == "false"
    assert str(graph.value(report, PKG.checkedAsOf)) == AS_OF


def test_a_store_without_data_says_so(runner, settings) -> None:
    result = runner.invoke(cli, ["--store", str(settings.store), "check"])
    assert result.exit_code == 1
    assert "run 'policykg build' first" in result.output


FINDINGS = """
PREFIX sh: <http://www.w3.org/ns/shacl#>
PREFIX pkg: <https://w3id.org/policykg/ontology#>
SELECT ?g ?rule ?focus ?severity ?sv ?en ?principle WHERE {
  GRAPH ?g { ?report sh:result ?r . ?r sh:sourceShape ?rule ; sh:focusNode ?focus ; sh:resultSeverity ?severity ;
             sh:resultMessage ?sv , ?en ; pkg:checks ?principle .
             FILTER (lang(?sv) = "sv" && lang(?en) = "en") }
}"""


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("checked") / "store", check_date=AS_OF)
    build_store(settings, dumps=False, answers=False)
    return settings


def test_each_generation_stores_its_findings_as_a_validation_report(checked) -> None:
    store = open_store(checked)
    graph = ox.NamedNode(checked.iris.findings_graph)
    rows = list(store.query(FINDINGS, substitutions={ox.Variable("g"): graph}))
    assert len({row["rule"].value + row["focus"].value for row in rows}) == 28 - 4  # two findings per focus of two rules
    aid = [row for row in rows if row["rule"].value.endswith("check/aid-municipal-funding")]
    assert aid[0]["principle"].value == checked.iris.principle("aid-projects")
    assert aid[0]["severity"].value == str(SH.Violation)
    assert "kommunal finansiering" in aid[0]["sv"].value and "municipal funding" in aid[0]["en"].value
    assert store.query(f"ASK {{ GRAPH <{graph.value}> {{ ?r <{SH.conforms}> false }} }}")


def test_the_same_findings_publish_nothing_new(checked) -> None:
    store = open_store(checked)
    before = store.current_generation()
    done = after_publish(checked, dumps=False, answers=False)
    assert done.findings.published is False
    assert store.current_generation() == before


def test_other_findings_are_published_in_a_new_generation(checked) -> None:
    store = open_store(checked)
    before = store.current_generation()
    done = after_publish(checked.replace(check_date="2026-10-14"), dumps=False, answers=False)
    assert done.findings.published is True
    assert store.current_generation() != before
    reviews = {f.focus.value.rsplit("/", 1)[-1] for f in done.findings.evaluation.findings if f.rule.key == "membership-review"}
    # the day before the period began, the memberships reviewed in that period (2022-10-15 on) were not due
    assert reviews == {"m-energy-cities", "m-iclei", "m-nordic-safe-cities", "m-ubc"}
    graph = checked.iris.findings_graph
    assert store.query(f'ASK {{ GRAPH <{graph}> {{ ?r <{PKG.checkedAsOf}> "2026-10-14"^^<http://www.w3.org/2001/XMLSchema#date> }} }}')
