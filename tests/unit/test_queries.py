"""The registry listings of the query library (queries/networks.rq, projects.rq,
activities.rq, partnerships.rq), with the answers they give on the sample registries."""

from __future__ import annotations

import pytest

from policykg.paths import queries_dir
from policykg.runtime.querylib import load_queries

LIBRARY = load_queries(queries_dir())


def run(store, settings, name: str, **params) -> list[dict]:
    query = LIBRARY[name]
    result = store.query(query.sparql, substitutions=query.bind(params, settings.iris))
    return [{v.value: (row[v].value if row[v] is not None else None) for v in result.variables} for row in result]


def keys(rows) -> list[str]:
    return [r["item"].rsplit("/", 1)[-1] for r in rows]


@pytest.mark.parametrize("name", ["networks", "projects", "activities", "partnerships"])
def test_listings_have_the_house_columns_and_one_row_per_item(store, built_settings, name):
    rows = run(store, built_settings, name)
    assert rows and all(r["item"] and r["label_sv"] for r in rows)
    assert len(keys(rows)) == len(set(keys(rows)))
    assert {"item", "label_sv", "label_en"} <= set(rows[0])


def test_networks_due_for_review(store, built_settings):
    due = run(store, built_settings, "networks", due="true", as_of="2026-01-01")
    assert sorted(keys(due)) == ["m-energy-cities", "m-iclei", "m-nordic-safe-cities", "m-ubc"]
    ubc = next(r for r in due if r["item"].endswith("m-ubc"))
    assert (ubc["last_reviewed"], ubc["body_sv"], ubc["network_name"]) == ("2015-06-01", "Kommunstyrelsen", "Union of the Baltic Cities")
    later = run(store, built_settings, "networks", due="true", as_of="2027-01-01", review_years="4")
    assert sorted(keys(later)) == ["m-energy-cities", "m-eurocities-kultur", "m-iclei", "m-nordic-safe-cities", "m-ubc"]


def test_networks_of_a_body_and_a_goal(store, built_settings):
    assert sorted(keys(run(store, built_settings, "networks", body="body/kommunstyrelsen"))) == ["m-eurocities", "m-north-sweden", "m-ubc"]
    rows = run(store, built_settings, "networks", goal="goal/1")
    assert sorted(keys(rows)) == ["m-climate-alliance", "m-energy-cities", "m-iclei"]
    assert {r["item"].rsplit("/", 1)[-1]: r["annual_fee"] for r in rows}["m-energy-cities"] == "3200.5"


def test_projects_by_goal_year_body_and_aid(store, built_settings):
    assert len(run(store, built_settings, "projects")) == 13
    assert keys(run(store, built_settings, "projects", goal="goal/5")) == ["p-2019-003", "p-2020-007", "p-2021-002", "p-2022-004", "p-2025-001"]
    assert keys(run(store, built_settings, "projects", year="2019")) == ["p-2018-001", "p-2019-003"]
    aid = run(store, built_settings, "projects", aid="true")
    assert keys(aid) == ["p-2021-002"]
    assert (aid[0]["municipal_funding"], aid[0]["external_funding"], aid[0]["external_programmes"]) == (
        "150000", "1350000", "Sida (municipal partnerships through ICLD)")
    assert keys(run(store, built_settings, "projects", body="body/tillvaxt-naringslivsservice")) == ["p-2020-011"]
    no_goal = [r for r in run(store, built_settings, "projects") if r["goals"] is None]
    assert keys(no_goal) == ["p-2024-005"]


def test_activities_serve_goals_directly_or_through_their_project(store, built_settings):
    rows = run(store, built_settings, "activities", goal="goal/5")
    direct = {k for k, r in zip(keys(rows), rows) if r["goals"] and "5" in r["goals"].split()}
    via = {k for k, r in zip(keys(rows), rows) if r["goals_via_project"] and "5" in r["goals_via_project"].split()}
    assert direct == {"a-2021-0044", "a-2022-0030", "a-2024-0020", "a-2025-0009"}
    assert via == {"a-2019-0012", "a-2019-0031", "a-2021-0044", "a-2022-0017", "a-2022-0018", "a-2024-0007", "a-2025-0002"}
    assert set(keys(rows)) == direct | via
    youth = [r for r in run(store, built_settings, "activities") if r["young_participants"]]
    assert {(k, r["young_participants"]) for k, r in zip(keys(youth), youth)} == {
        ("a-2021-0044", "20"), ("a-2024-0007", "18"), ("a-2025-0002", "34")}


def test_activities_of_a_project_and_a_year(store, built_settings):
    assert keys(run(store, built_settings, "activities", project="project/p-2021-002")) == ["a-2022-0017", "a-2022-0018"]
    assert len(run(store, built_settings, "activities", year="2024")) == 6


def test_partnerships_in_force(store, built_settings):
    rows = {k: r for k, r in zip(keys(run(store, built_settings, "partnerships", as_of="2026-01-01")),
                                 run(store, built_settings, "partnerships", as_of="2026-01-01"))}
    assert rows["vanort-petrozavodsk"]["in_force"] == "false" and rows["vanort-petrozavodsk"]["terminated"] == "2022-03-07"
    assert rows["samverkan-universiteten"]["in_force"] == "false"  # ended 2025-01-31
    assert rows["samarbete-kvarken"]["in_force"] == "true"
    assert rows["vanort-wurzburg"]["countries"] == "DEU" and rows["vanort-wurzburg"]["kind_en"] == "Twin town agreement"
    twin = run(store, built_settings, "partnerships", kind="https://w3id.org/policykg/ontology#TwinTownAgreement")
    assert len(twin) == 5 and all(r["terminable"] == "false" for r in twin)
    assert sorted(keys(run(store, built_settings, "partnerships", body="body/kommunfullmaktige"))) == [
        "vanort-harstad", "vanort-petrozavodsk", "vanort-saskatoon", "vanort-vasa", "vanort-wurzburg"]
