"""The compliance rules (ontology/rules/): each is documented, linked to what it
checks, quotes the program, and its examples behave as they say, evaluated as
``policykg check`` does (:mod:`policykg.compliance.evaluate`, on pyoxigraph).

An example ``NAME.valid.ttl`` gives no finding of the rules of ``NAME.ttl``;
``NAME.invalid.ttl`` gives exactly the findings its ``# expect: RULE FOCUS VALUE``
lines list ("-": the value is the focus node; a quoted value is a literal's
lexical form), and every rule of the file appears there. Examples are checked
as of 2026-12-04 with the default due day. tests/unit/test_rules_pyshacl.py
shows that pySHACL finds the same.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers import ONTOLOGY_DIR
from rdflib import Graph, URIRef

from policykg.compliance.calendar import mandate_period, mandate_period_start
from policykg.compliance.evaluate import CheckContext, RuleError, evaluate
from policykg.compliance.rules import load_rules, rule_files
from policykg.namespaces import DEFAULT_BASE_IRI, PKG, RDF, SKOS

RULES_DIR = ONTOLOGY_DIR / "rules"
EXAMPLES_DIR = RULES_DIR / "examples"
RULE_FILES = [p for p in rule_files() if p.stem != "functions"]
AS_OF = dt.date(2026, 12, 4)
EXPECT = re.compile(r"^#\s*expect:\s*(\S+)\s+(\S+)\s+(\S+)\s*$", re.M)
GRAPH = ox.NamedNode("http://example.org/graph/example")


@lru_cache(maxsize=1)
def rules():
    return load_rules(DEFAULT_BASE_IRI)


@lru_cache(maxsize=1)
def program() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "program.ttl", format="turtle", publicID=DEFAULT_BASE_IRI)


def example_store(path: Path) -> ox.Store:
    """The ontology and the example, each in a named graph, as in the published store."""
    store = ox.Store()
    store.load(path=str(ONTOLOGY_DIR / "policykg.ttl"), format=ox.RdfFormat.TURTLE,
               to_graph=ox.NamedNode("http://example.org/graph/ontology"))
    store.load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=DEFAULT_BASE_IRI, to_graph=GRAPH)
    return store


def findings_of(path: Path, file: str) -> set[tuple[str, str, str]]:
    keys = [rule.key for rule in rules().rules if rule.file == file]
    evaluation = evaluate(example_store(path), rules(), CheckContext(AS_OF), only=keys)
    return {(f.rule.key, f.focus.value, f.value.value) for f in evaluation.findings}


def expected_findings(path: Path) -> set[tuple[str, str, str]]:
    graph = Graph().parse(path, format="turtle", publicID=DEFAULT_BASE_IRI)

    def expand(term: str) -> str:
        if term.startswith("<"):
            return DEFAULT_BASE_IRI + term[1:-1]
        return str(graph.namespace_manager.expand_curie(term))

    expected = set()
    for key, focus, value in EXPECT.findall(path.read_text(encoding="utf-8")):
        focus_iri = expand(focus)
        if value == "-":
            value_text = focus_iri
        elif value.startswith('"'):
            value_text = value.strip('"')
        else:
            value_text = expand(value)
        expected.add((key, focus_iri, value_text))
    return expected


# --- the rules themselves -------------------------------------------------------------


def test_there_is_a_rule_for_each_principle_and_governance_rule() -> None:
    checked = {item for rule in rules().rules for item in rule.checks}
    for key in ("collaboration", "strategic-focus", "strategic-networks", "agenda-2030", "children-and-youth", "aid-projects"):
        assert DEFAULT_BASE_IRI + f"principle/{key}" in checked, key
    for key in ("follow-up", "review", "network-review"):
        assert DEFAULT_BASE_IRI + f"rule/{key}" in checked, key
    assert DEFAULT_BASE_IRI + "responsibility/kommunfullmaktige/decides-on-twin-towns" in checked
    assert len(rules().rules) >= 15


def test_each_rule_is_documented_and_has_one_constraint_with_messages() -> None:
    for rule in rules().rules:
        assert rule.iri == DEFAULT_BASE_IRI + f"check/{rule.key}"
        assert set(rule.label) == {"sv", "en"} and set(rule.comment) == {"sv", "en"}, rule.key
        assert set(rule.messages) == {"sv", "en"}, rule.key
        assert rule.level in ("violation", "warning", "info")
        assert rule.target_classes or rule.target_nodes, rule.key
        assert "$this" in rule.select, rule.key


def test_each_rule_checks_items_of_the_program() -> None:
    data = program()
    kinds = {PKG.Principle, PKG.Responsibility, PKG.GovernanceRule, PKG.ProgramScope}
    for rule in rules().rules:
        assert rule.checks, rule.key
        for item in rule.checks:
            assert set(data.objects(URIRef(item), RDF.type)) & kinds, f"{rule.key}: {item}"


def test_each_rule_quotes_the_program_verbatim_in_both_messages() -> None:
    """The quote is the program's own text (of an item the rule checks, or of the item's
    section), and both messages give it in quotation marks."""
    data = program()
    for rule in rules().rules:
        texts = " ".join(str(o) for item in rule.checks for o in data.objects(URIRef(item), PKG.verbatimText))
        if rule.key.startswith("twin-town-decided"):
            texts += " " + " ".join(str(o) for o in data.objects(None, PKG.verbatimText))
        assert rule.quote and rule.quote in texts, rule.key
        assert f"”{rule.quote}”" in rule.messages["sv"], rule.key
        assert f"“{rule.quote}”" in rule.messages["en"], rule.key


def test_the_rules_graph_declares_the_prefixes_its_queries_use() -> None:
    declared = set(rules().prefixes)
    for rule in rules().rules:
        used = set(re.findall(r"\b([a-z]+):[A-Za-z]", rule.select)) - {"http", "https"}
        assert used <= declared, (rule.key, used - declared)


# --- mandate periods -------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, start, end",
    [
        ("2026-12-04", "2026-10-15", "2030-10-14"),
        ("2026-10-15", "2026-10-15", "2030-10-14"),
        ("2026-10-14", "2022-10-15", "2026-10-14"),
        ("2018-10-15", "2018-10-15", "2022-10-14"),
        ("2018-03-26", "2014-10-15", "2018-10-14"),
        ("2030-12-31", "2030-10-15", "2034-10-14"),
    ],
)
def test_mandate_periods_are_four_years_from_15_october_of_the_election_year(day, start, end) -> None:
    assert mandate_period(dt.date.fromisoformat(day)) == (dt.date.fromisoformat(start), dt.date.fromisoformat(end))


def test_the_sparql_definition_of_the_mandate_period_agrees_with_the_code() -> None:
    """pkg:mandatePeriodStart in functions.ttl (for other SHACL engines) gives what the code gives."""
    graph = Graph().parse(RULES_DIR / "functions.ttl", format="turtle", publicID=DEFAULT_BASE_IRI)
    body = str(graph.value(PKG.mandatePeriodStart, URIRef("http://www.w3.org/ns/shacl#select")))
    query = "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n" + body.replace("$day", "?day").replace("SELECT ?result", "SELECT ?result ?day")
    store = ox.Store()
    day = dt.date(2009, 1, 1)
    while day < dt.date(2040, 1, 1):
        for probe in (day, day.replace(month=10, day=14), day.replace(month=10, day=15)):
            literal = ox.Literal(probe.isoformat(), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
            row = next(iter(store.query(query, substitutions={ox.Variable("day"): literal})))
            assert row["result"].value == mandate_period_start(probe).isoformat(), probe
        day = day.replace(year=day.year + 1)


# --- examples --------------------------------------------------------------------------


@pytest.mark.parametrize("rule_file", RULE_FILES, ids=lambda p: p.stem)
def test_each_rule_file_has_a_valid_and_an_invalid_example(rule_file: Path) -> None:
    for kind in ("valid", "invalid"):
        assert (EXAMPLES_DIR / f"{rule_file.stem}.{kind}.ttl").is_file(), kind


@pytest.mark.parametrize("rule_file", RULE_FILES, ids=lambda p: p.stem)
def test_valid_example_gives_no_finding(rule_file: Path) -> None:
    assert findings_of(EXAMPLES_DIR / f"{rule_file.stem}.valid.ttl", rule_file.stem) == set()


@pytest.mark.parametrize("rule_file", RULE_FILES, ids=lambda p: p.stem)
def test_invalid_example_gives_exactly_the_expected_findings(rule_file: Path) -> None:
    path = EXAMPLES_DIR / f"{rule_file.stem}.invalid.ttl"
    expected = expected_findings(path)
    found = findings_of(path, rule_file.stem)
    assert found == expected, f"unexpected: {sorted(found - expected)}\nmissing: {sorted(expected - found)}"
    keys = {rule.key for rule in rules().rules if rule.file == rule_file.stem}
    assert {key for key, _, _ in expected} == keys, "every rule of the file is shown failing"


def test_examples_use_example_org_iris_or_the_programs_own() -> None:
    for path in sorted(EXAMPLES_DIR.glob("*.ttl")):
        graph = Graph().parse(path, format="turtle", publicID=DEFAULT_BASE_IRI)
        subjects = {str(s) for s in graph.subjects() if isinstance(s, URIRef)}
        strays = {s for s in subjects if not s.startswith("http://example.org/") and not s.startswith(DEFAULT_BASE_IRI + "principle/")}
        assert not strays, path.name


# --- what the evaluator reports --------------------------------------------------------


def test_messages_are_filled_in_from_the_query() -> None:
    store = example_store(EXAMPLES_DIR / "aid-projects.invalid.ttl")
    evaluation = evaluate(store, rules(), CheckContext(AS_OF), only=["aid-municipal-funding", "aid-external-share"])
    messages = {(f.rule.key, f.focus.value.rsplit("/", 1)[-1]): f.messages for f in evaluation.findings}
    assert "(100000 SEK)" in messages[("aid-municipal-funding", "co-funded")]["sv"]
    assert "only 80 % of the funding (400000 of 500000 EUR)" in messages[("aid-external-share", "under-funded")]["en"]
    assert "{?" not in " ".join(m for ms in messages.values() for m in ms.values())


def test_the_day_of_the_check_decides_the_mandate_period() -> None:
    path = EXAMPLES_DIR / "governance.invalid.ttl"
    before = evaluate(example_store(path), rules(), CheckContext(dt.date(2026, 10, 14)), only=["program-review"])
    after = evaluate(example_store(path), rules(), CheckContext(AS_OF), only=["program-review"])
    assert not before.findings  # reviewed 2023-01-30, in the period 2022-10-15 .. 2026-10-14
    assert [f.value.value for f in after.findings] == ["2023-01-30"]
    assert "2026-10-15" in after.findings[0].messages["sv"]


def test_the_due_day_is_a_setting() -> None:
    # the program's follow-ups reached the board on 2025-04-15 and 2026-04-30: in time for 30 April, not for 31 March
    path = EXAMPLES_DIR / "follow-up.valid.ttl"
    late = evaluate(example_store(path), rules(), CheckContext(AS_OF, follow_up_due="03-31"), only=["annual-follow-up"])
    assert [(f.rule.key, f.year) for f in late.findings] == [("annual-follow-up", 2024), ("annual-follow-up", 2025)]


def test_a_rule_that_reports_what_it_does_not_target_is_an_error() -> None:
    rule_set = rules()
    rule = next(r for r in rule_set.rules if r.key == "sdg-target")
    stray = type(rule)(**{**rule.__dict__, "select": "SELECT $this WHERE { $this a <http://example.org/Thing> }"})
    broken = type(rule_set)((stray,), rule_set.prefixes, rule_set.graph)
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://example.org/x"), ox.NamedNode(str(RDF.type)),
                      ox.NamedNode("http://example.org/Thing"), GRAPH))
    with pytest.raises(RuleError, match="sdg-target .* does not target: http://example.org/x"):
        evaluate(store, broken, CheckContext(AS_OF))


def test_sector_labels_come_from_the_ontology() -> None:
    # the collaboration indicator names sectors by their prefLabels in the ontology
    ont = Graph().parse(ONTOLOGY_DIR / "policykg.ttl", format="turtle")
    assert {str(o) for o in ont.objects(PKG.AcademicSector, SKOS.prefLabel)} == {"Akademi", "Academia"}
