"""The traceability questions (queries/*.rq), each with the answer that the hand-written
work of tests/data/work.ttl (on top of the program) implies."""

from __future__ import annotations

import pytest
from helpers import named_answerer

from policykg.paths import queries_dir
from policykg.runtime.querylib import load_queries

B = "https://w3id.org/policykg/umea/"
PKG = "https://w3id.org/policykg/ontology#"
SDG = "http://metadata.un.org/sdg/"


@pytest.fixture(scope="module")
def queries():
    return load_queries(queries_dir())


@pytest.fixture(scope="module")
def ask(work_store, work_settings):
    return named_answerer(work_store, work_settings)


def short(iri: str | None) -> str | None:
    return iri[len(B):] if iri and iri.startswith(B) else iri


def test_work_serving_a_goal_directly_and_through_projects_with_why(ask):
    rows = ask("work-serving-goal", goal="goal/2")
    assert sorted((short(r["item"]), r["route"], short(r["project"]), r["basis_en"], r["file"], r["row"]) for r in rows) == sorted([
        ("project/ungdomsutbyte", "direct", None, "Asserted in a registry", "projects.csv", "2"),
        ("activity/studieresa-abo", "through its project", "project/ungdomsutbyte", "Asserted in a registry", "projects.csv", "2"),
    ], key=str)
    four = ask("work-serving-goal", goal="goal/4")
    assert {(short(r["item"]), r["basis"], short(r["rule"])) for r in four} == {
        ("activity/eu-veckan", PKG + "AssertedInRegistry", None),
        ("membership/kulturnamnden-eurocities", PKG + "InferredByRule", "inference-rule/network-purpose"),
    }
    assert ask("work-serving-goal", goal="goal/1") == []


def test_coverage_of_goals_by_focus_areas(ask):
    rows = ask("coverage")
    assert len(rows) == 20 and [short(r["goal"]) for r in rows[:4]] == ["goal/1"] * 4
    covered = {(short(r["goal"]), short(r["focus_area"])): (r["works"], r["bodies"], r["budget"]) for r in rows if r["empty"] == "false"}
    assert covered == {
        ("goal/2", "focus-area/international-umea"): ("2", "1", "250000"),  # the youth exchange and its study trip
        ("goal/5", "focus-area/international-umea"): ("3", "2", "750000"),  # ... and the Dodoma project
    }
    assert sum(r["empty"] == "true" for r in rows) == 18


def test_work_linked_to_no_goal_or_focus_area(ask):
    rows = ask("unlinked-work")
    assert [(short(r["item"]), short(r["type"].replace(PKG, "")), short(r["body"])) for r in rows] == [
        ("activity/studiebesok-tallinn", "Activity", "body/kulturnamnden"),
        ("membership/kommunstyrelsen-ccre", "NetworkMembership", None),
    ]


def test_sdg_targets_and_through_what(ask):
    rows = ask("sdg-targets")
    assert [(r["item"], r["sdg"], r["works"], r["activities_through_projects"]) for r in rows] == [
        (SDG + "17.17", SDG + "17", "1", "0"),
        (SDG + "4.7", SDG + "4", "1", "1"),
        (SDG + "6.5", SDG + "6", "1", "0"),
    ]


def test_sdgs_touched_and_untouched(ask):
    rows = ask("sdg-coverage")
    assert [r["number"] for r in rows] == [str(n) for n in range(1, 18)]
    touched = {r["number"]: (r["targets"], r["works"]) for r in rows if r["untouched"] == "false"}
    assert touched == {"4": ("1", "2"), "6": ("1", "1"), "17": ("1", "1")}
    assert rows[3]["label_en"] == "Quality education"


def test_everything_one_body_does_by_year(ask):
    rows = ask("body-work", body="body/kulturnamnden")
    assert [(short(r["item"]), r["role"], r["started"]) for r in rows] == [
        ("membership/kulturnamnden-eurocities", "member", "2019-01-01"),
        ("project/ungdomsutbyte", "responsible", "2022-01-01"),
        ("activity/studieresa-abo", "responsible", "2022-05-02"),
        ("activity/studiebesok-tallinn", "responsible", "2024-09-02"),
    ]
    assert sorted(rows[1]["goals"].split()) == [B + "goal/2", B + "goal/5"]
    in_2022 = ask("body-work", body="body/kulturnamnden", year="2022")
    assert [short(r["item"]) for r in in_2022] == ["project/ungdomsutbyte", "activity/studieresa-abo"]
    board = ask("body-work", body="body/kommunstyrelsen")
    assert {(short(r["item"]), r["role"]) for r in board} == {
        ("membership/kommunstyrelsen-ccre", "member"),
        ("project/bistand-dodoma", "responsible"),
        ("activity/eu-veckan", "responsible"),
    }


def test_network_memberships_due_for_review(ask):
    rows = ask("network-memberships", reviewed_before="2020-01-01")
    facts = {short(r["item"]): (short(r["network"]), short(r["member"]), r["since"], r["last_reviewed"], r["fee"], r["due"]) for r in rows}
    assert facts == {
        "membership/kommunstyrelsen-ccre": ("network/ccre", "body/kommunstyrelsen", None, None, None, "true"),
        "membership/kulturnamnden-eurocities": ("network/eurocities", "body/kulturnamnden", "2019-01-01", "2023-05-10", "1500", "false"),
    }
    assert {r["due"] for r in ask("network-memberships", reviewed_before="2024-01-01")} == {"true"}
    assert {r["due"] for r in ask("network-memberships")} == {None}


def test_aid_projects_and_their_financing(ask):
    rows = ask("aid-projects")
    assert [(short(r["item"]), r["amount"], r["currency"], r["source_kind"], r["programme_label"], r["external_only"]) for r in rows] == [
        ("project/bistand-dodoma", "500000", "SEK", PKG + "ExternalFunding", "Sida", "true"),
    ]


def test_youth_involvement(ask):
    rows = ask("youth-involvement")
    assert [(short(r["item"]), r["child_and_youth_focus"], r["participants"], r["young_participants"]) for r in rows] == [
        ("activity/studieresa-abo", None, "12", "12"),
        ("project/ungdomsutbyte", "true", "40", "25"),
    ]


def test_partners_by_sector(ask):
    rows = ask("partners-by-sector")
    assert {(r["item"], r["label_en"], r["partners"], r["works"]) for r in rows} == {
        (PKG + "AcademicSector", "Academia", "1", "1"),
        (PKG + "PublicSector", "Public sector", "1", "1"),
    }


def test_the_chain_upwards_from_an_activity(ask):
    rows = ask("activity-chain", activity="activity/studieresa-abo")
    chain = {(r["property"].replace(PKG, ""), short(r["item"]), short(r["via"]), r["row"], r["section_sv"]) for r in rows}
    assert chain == {
        ("appliesPrinciple", "principle/children-and-youth", "project/ungdomsutbyte", None, "4. Principer"),
        ("contributesToTarget", SDG + "4.7", "project/ungdomsutbyte", "2", None),
        ("responsibleBody", "body/kulturnamnden", "activity/studieresa-abo", None, None),
        ("responsibleBody", "body/kulturnamnden", "project/ungdomsutbyte", None, None),
        ("servesGoal", "goal/2", "project/ungdomsutbyte", "2", "2. Mål"),
        ("servesGoal", "goal/5", "project/ungdomsutbyte", "2", "2. Mål"),
        ("withinFocusArea", "focus-area/international-umea", "project/ungdomsutbyte", None, "3. Inriktning"),
    }
    direct = ask("activity-chain", activity="activity/eu-veckan")
    assert {(r["property"].replace(PKG, ""), short(r["via"]), r["basis"]) for r in direct} == {
        ("servesGoal", "activity/eu-veckan", PKG + "AssertedInRegistry"),
        ("contributesToTarget", "activity/eu-veckan", None),
        ("responsibleBody", "activity/eu-veckan", None),
    }


def test_the_nine_questions_of_the_design_are_in_the_library(queries):
    traceability = {name for name, query in queries.items() if "traceability" in query.tags}
    assert traceability >= {
        "work-serving-goal",  # 1
        "coverage",  # 2
        "unlinked-work",  # 3
        "sdg-targets", "sdg-coverage",  # 4
        "body-work",  # 6
        "network-memberships",  # 7
        "aid-projects", "youth-involvement", "partners-by-sector",  # 8
        "activity-chain",  # 9
    }
    assert "responsibilities" in queries  # 5
