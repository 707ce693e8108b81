"""Bounded descriptions, computed as a query process computes them (the job run on a real store)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from helpers import make_settings

from policykg.runtime.describe import MAX_VALUES, DescribeJob, Description
from policykg.runtime.executor import Answer, Failure, Limits
from policykg.store import open_store

LIMITS = Limits(100_000, 10_000_000)
BASE = "https://w3id.org/policykg/umea/"
PKG = "https://w3id.org/policykg/ontology#"


def test_unknown_iri_is_not_found(work_store):
    failure = DescribeJob(BASE + "goal/77", LIMITS).run(work_store)
    assert isinstance(failure, Failure) and failure.kind == "not-found" and "goal/77" in failure.message


def test_a_project_with_its_reasons_graphs_and_children(work_store):
    found = DescribeJob(BASE + "project/ungdomsutbyte", LIMITS).run(work_store)
    assert isinstance(found, Description) and found.generation == work_store.version
    assert found.types == [PKG + "Project"]
    why = found.why[(PKG + "servesGoal", BASE + "goal/2")]
    assert why.basis == PKG + "AssertedInRegistry" and why.row == 2 and why.file == "projects.csv"
    assert why.source.value == BASE + "graph/hand-made/source/projects.csv/row/2"
    assert why.link == BASE + "trace-link/project/ungdomsutbyte/serves-goal/2"
    assert found.why[(PKG + "responsibleBody", BASE + "body/kulturnamnden")] is None  # not qualified
    [activities] = [g for g in found.work if g.prop == PKG + "partOf"]
    assert activities.count == 1 and activities.items[0].item.value == BASE + "activity/studieresa-abo"
    assert list(found.graphs) == [BASE + "graph/hand-made"]
    facts = found.graphs[BASE + "graph/hand-made"]
    assert facts["titles"]["en"] == "International work (test data)" and facts["loader"] == "test"
    assert [name for _, name, _ in facts["files"]] == ["projects.csv"] and len(facts["files"][0][2]) == 64
    assert found.labels[BASE + "goal/2"]["sv"] == "Mervärde för invånare och näringsliv"
    assert BASE + "goal/2" in found.described
    # a target is described where the UN's SDG framework is loaded (the shared data is present)
    assert ("http://metadata.un.org/sdg/4.7" in found.described) == (BASE + "graph/sdg" in work_store.named_graphs())


def test_a_goal_lists_its_work_with_an_overview(work_store):
    found = DescribeJob(BASE + "goal/2", LIMITS).run(work_store)
    groups = {g.key: g for g in found.work}
    assert set(groups) == {PKG + "servesGoal", "via:" + PKG + "servesGoal"}
    [project] = groups[PKG + "servesGoal"].items
    assert project.activities == 1 and project.bodies == (BASE + "body/kulturnamnden",)
    [activity] = groups["via:" + PKG + "servesGoal"].items
    assert activity.why.through == BASE + "project/ungdomsutbyte" and activity.why.basis == PKG + "AssertedInRegistry"
    assert found.summary[PKG + "servesGoal"] == [(BASE + "goal/5", 1)]  # what else that work serves
    assert found.summary[PKG + "contributesToTarget"] == [("http://metadata.un.org/sdg/4.7", 1)]
    assert not any(g.prop == PKG + "servesGoal" for g in found.incoming)  # listed once, as work


def test_an_activity_shows_its_project_links_upwards(work_store):
    found = DescribeJob(BASE + "activity/studieresa-abo", LIMITS).run(work_store)
    upward = {(prop, target) for parent, prop, target, _ in found.upward}
    assert (PKG + "servesGoal", BASE + "goal/2") in upward and (PKG + "contributesToTarget", "http://metadata.un.org/sdg/4.7") in upward


def test_blank_nodes_are_described_with_their_resource(work_store):
    found = DescribeJob(BASE + "membership/kulturnamnden-eurocities", LIMITS).run(work_store)
    inner = [value.value for statements in found.bnodes.values() for _, value in statements]
    assert "2019-01-01" in inner


@pytest.mark.parametrize("fmt", ["turtle", "nt", "jsonld", "rdfxml"])
def test_rdf_variants_and_their_caps(work_store, fmt):
    answer = DescribeJob(BASE + "goal/2", LIMITS, fmt).run(work_store)
    assert isinstance(answer, Answer) and answer.fmt == fmt and answer.rows > 10
    failure = DescribeJob(BASE + "goal/2", Limits(5, 10**6), fmt).run(work_store)
    assert failure.kind == "too-large" and "more than 5 triples" in failure.message
    failure = DescribeJob(BASE + "goal/2", Limits(10**6, 100), fmt).run(work_store)
    assert failure.kind == "too-large" and "100 bytes" in failure.message


def test_outgoing_values_are_capped_per_property(tmp_path):
    settings = make_settings(tmp_path / "store")
    node = ox.NamedNode(settings.iris("network/big"))
    member = ox.NamedNode("http://www.w3.org/ns/org#hasMember")
    quads = [ox.Quad(node, member, ox.NamedNode(settings.iris(f"body/b{i}"))) for i in range(MAX_VALUES + 50)]
    store = open_store(settings)
    store.replace_graphs({settings.iris.graph("big"): quads})
    found = DescribeJob(node.value, LIMITS).run(store)
    assert len(found.outgoing) == MAX_VALUES and found.outgoing_counts[member.value] == MAX_VALUES + 50
    one = DescribeJob(settings.iris("body/b7"), LIMITS).run(store)  # known only as an object
    assert one.outgoing == [] and one.incoming[0].count == 1 and one.incoming[0].items[0].value == node.value
