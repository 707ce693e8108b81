"""The traceability questions (queries/*.rq) answered on the sample registries that the
build loads (registries/umea/), each checked against the answer worked out here, in
plain Python, from the registry files themselves: the loaders and the queries have to
agree with what the rows say."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest
from helpers import named_answerer, sample_rows

B = "https://w3id.org/policykg/umea/"
PKG = "https://w3id.org/policykg/ontology#"
SDG = "http://metadata.un.org/sdg/"

#: The registries of work, and the path under which each row's item is minted.
WORK = {"projects": "project", "activities": "activity", "networks": "membership", "partnerships": "partnership"}
YES = {"ja", "yes", "true", "1"}


def split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split("|") if part.strip()]


def number(value: str | None) -> Decimal | None:
    text = (value or "").replace(" ", "").replace("\u00a0", "").replace(",", ".")
    return Decimal(text) if text else None


class Work:
    """One registry row of work, with the links it states and those of its project."""

    def __init__(self, name: str, row_number: int, row: dict, projects: dict[str, "Work"] | None = None) -> None:
        self.key = f"{WORK[name]}/{row['id']}"
        self.file, self.row_number, self.row = f"{name}.csv", row_number, row
        self.goals = {f"goal/{g}" for g in split(row.get("goals"))}
        self.focus_areas = {f"focus-area/{f}" for f in split(row.get("focus_areas"))}
        self.targets = {SDG + t for t in split(row.get("sdg_targets"))}
        self.body = f"body/{row.get('responsible_body') or row.get('member')}"
        # activities are part of their project (a partnership's project is only related)
        self.project = projects[row["project"]] if name == "activities" and row.get("project") else None

    def all_goals(self) -> set[str]:
        return self.goals | (self.project.goals if self.project else set())

    def all_focus_areas(self) -> set[str]:
        return self.focus_areas | (self.project.focus_areas if self.project else set())

    def all_bodies(self) -> set[str]:
        return {self.body} | ({self.project.body} if self.project else set())


@pytest.fixture(scope="module")
def work() -> list[Work]:
    projects = {row["id"]: Work("projects", n, row) for n, row in sample_rows("projects")}
    items = list(projects.values())
    for name in ("activities", "networks", "partnerships"):
        items += [Work(name, n, row, projects) for n, row in sample_rows(name)]
    return items


@pytest.fixture(scope="module")
def ask(store, built_settings):
    return named_answerer(store, built_settings)


def short(iri: str | None) -> str | None:
    return iri[len(B):] if iri and iri.startswith(B) else iri


@pytest.mark.parametrize("goal", [1, 2, 3, 4, 5])
def test_work_serving_each_goal_with_the_registry_row_that_says_so(ask, work, goal):
    key = f"goal/{goal}"
    expected = {(w.key, "direct", None, w.file, str(w.row_number)) for w in work if key in w.goals}
    expected |= {
        (w.key, "through its project", w.project.key, w.project.file, str(w.project.row_number))
        for w in work if w.project and key in w.project.goals and key not in w.goals
    }
    rows = ask("work-serving-goal", goal=key)
    found = [(short(r["item"]), r["route"], short(r["project"]), r["file"], r["row"]) for r in rows]
    assert len(found) == len(set(found)), "one row per item and route"
    assert set(found) == expected
    assert {r["basis"] for r in rows} == {PKG + "AssertedInRegistry"}


def test_coverage_counts_the_work_of_each_goal_and_focus_area(ask, work):
    expected = {}
    for goal in range(1, 6):
        for area in ("influence", "positioning", "international-umea", "organisational-development"):
            g, f = f"goal/{goal}", f"focus-area/{area}"
            inside = [w for w in work if g in w.all_goals() and f in w.all_focus_areas()]
            budget = sum((number(w.row.get("budget")) or 0 for w in inside), Decimal(0))
            bodies = {b for w in inside for b in w.all_bodies()}
            expected[(g, f)] = (len(inside), len(bodies), budget, not inside)
    rows = ask("coverage")
    assert len(rows) == 20
    found = {(short(r["goal"]), short(r["focus_area"])): (int(r["works"]), int(r["bodies"]), Decimal(r["budget"]), r["empty"] == "true")
             for r in rows}
    assert found == expected


def test_unlinked_work_is_what_no_row_links_to_the_program(ask, work):
    expected = {(w.key, w.body) for w in work if not (w.all_goals() or w.all_focus_areas())}
    assert expected, "the samples hold unlinked work"
    rows = ask("unlinked-work")
    assert {(short(r["item"]), short(r["body"])) for r in rows} == expected
    assert len(rows) == len(expected)


def test_sdg_targets_count_direct_work_and_activities_through_projects(ask, work):
    direct, through = defaultdict(set), defaultdict(set)
    for w in work:
        for target in w.targets:
            direct[target].add(w.key)
        if w.project:
            for target in w.project.targets:
                through[target].add(w.key)
    expected = {t: (len(direct[t]), len(through[t])) for t in set(direct) | set(through)}
    rows = ask("sdg-targets")
    assert {r["item"]: (int(r["works"]), int(r["activities_through_projects"])) for r in rows} == expected
    assert all(r["sdg"] == r["item"].rsplit(".", 1)[0] for r in rows)


def test_sdgs_touched_are_those_of_the_targets(ask, work):
    touched = {t.rsplit(".", 1)[0].rsplit("/", 1)[1] for w in work for t in w.targets}
    touched |= {t.rsplit(".", 1)[0].rsplit("/", 1)[1] for w in work if w.project for t in w.project.targets}
    rows = ask("sdg-coverage")
    assert [r["number"] for r in rows] == [str(n) for n in range(1, 18)]
    assert {r["number"] for r in rows if r["untouched"] == "false"} == touched


@pytest.mark.parametrize("body", ["kulturnamnden", "kommunstyrelsen", "tekniska-namnden"])
def test_everything_one_body_does(ask, work, body):
    expected = {(w.key, "member" if w.key.startswith("membership/") else "responsible")
                for w in work if w.body == f"body/{body}"}
    expected |= {(w.key, "responsible for its project") for w in work
                 if w.project and w.project.body == f"body/{body}" and w.body != f"body/{body}"}
    rows = ask("body-work", body=f"body/{body}")
    assert {(short(r["item"]), r["role"]) for r in rows} == expected


def test_network_memberships_due_for_review(ask):
    day = "2023-01-01"
    expected = {
        f"membership/{row['id']}": (f"network/{row['network']}", f"body/{row['member']}", row["since"] or None,
                                    row["last_reviewed"] or None, not row["last_reviewed"] or row["last_reviewed"] < day)
        for _, row in sample_rows("networks")
    }
    rows = ask("network-memberships", reviewed_before=day)
    found = {short(r["item"]): (short(r["network"]), short(r["member"]), r["since"], r["last_reviewed"], r["due"] == "true")
             for r in rows}
    assert found == expected
    assert {True, False} == {due for *_, due in expected.values()}, "the samples hold both"


def test_aid_projects_with_each_of_their_fundings(ask):
    expected = set()
    for _, row in sample_rows("projects"):
        if row["aid_project"].strip().lower() in YES:
            currency = row["currency"] or "SEK"
            if number(row["municipal_funding"]):
                expected.add((f"project/{row['id']}", number(row["municipal_funding"]), currency, PKG + "MunicipalFunding", None))
            for part in split(row["external_funding"]):
                programme, amount = part.split("=")
                expected.add((f"project/{row['id']}", number(amount), currency, PKG + "ExternalFunding", f"funding-programme/{programme}"))
    rows = ask("aid-projects")
    assert {(short(r["item"]), Decimal(r["amount"]), r["currency"], r["source_kind"], short(r["programme"])) for r in rows} == expected
    assert {r["external_only"] for r in rows} == {"false"}  # the sample co-finances an aid project


def test_youth_involvement(ask):
    expected = {}
    for name in ("projects", "activities"):
        for _, row in sample_rows(name):
            young = number(row.get("young_participants"))
            focus = row["child_youth_focus"].strip().lower()
            if focus in YES or (young or 0) > 0:
                expected[f"{WORK[name]}/{row['id']}"] = (
                    str(focus in YES).lower() if focus else None,
                    row.get("participants") or None,
                    row.get("young_participants") or None,
                )
    rows = ask("youth-involvement")
    assert {short(r["item"]): (r["child_and_youth_focus"], r["participants"], r["young_participants"]) for r in rows} == expected


def test_partners_by_sector(ask):
    sector_of = {row["id"]: row["sector"] for _, row in sample_rows("partners")}
    partners, works = defaultdict(set), defaultdict(set)
    for name in ("projects", "partnerships"):
        for _, row in sample_rows(name):
            for partner in split(row["partners"]):
                partners[sector_of[partner]].add(partner)
                works[sector_of[partner]].add(f"{name}/{row['id']}")
    expected = sorted((len(partners[s]), len(works[s])) for s in partners)
    rows = ask("partners-by-sector")
    assert sorted((int(r["partners"]), int(r["works"])) for r in rows) == expected
    assert sum(int(r["partners"]) for r in rows) == len({p for s in partners.values() for p in s})


def test_the_chain_upwards_from_an_activity(ask, work):
    [activity] = [w for w in work if w.key == "activity/a-2021-0044"]
    expected = set()
    for carrier in (activity, activity.project):
        expected |= {("servesGoal", g, carrier.key) for g in carrier.goals}
        expected |= {("withinFocusArea", f, carrier.key) for f in carrier.focus_areas}
        expected |= {("appliesPrinciple", f"principle/{p}", carrier.key) for p in split(carrier.row.get("principles"))}
        expected |= {("contributesToTarget", t, carrier.key) for t in carrier.targets}
        expected.add(("responsibleBody", carrier.body, carrier.key))
    rows = ask("activity-chain", activity=activity.key)
    assert {(r["property"].replace(PKG, ""), short(r["item"]), short(r["via"])) for r in rows} == expected
    # every goal link names the registry row that states it
    assert {(short(r["via"]), r["file"], r["row"]) for r in rows if r["property"] == PKG + "servesGoal"} == {
        (activity.key, "activities.csv", str(activity.row_number)),
        (activity.project.key, "projects.csv", str(activity.project.row_number)),
    }
