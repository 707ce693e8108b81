"""Link discovery's parts on hand-made records: names made comparable, keys before names,
the three outcomes, and two candidates alike sent to review."""

from __future__ import annotations

import pytest

from policykg.linking.discovery import Record, Target, Thresholds, compare, discover, evaluate
from policykg.linking.names import normalise, similarity
from policykg.namespaces import OWL

TARGET = Target("test", "Test", str(OWL.sameAs), "http://example.org/dataset")


def record(key: str, *names: str, **keys: str) -> Record:
    return Record(f"http://example.org/{key}", list(names), {k.replace("_", "-"): {v} for k, v in keys.items()})


@pytest.mark.parametrize("a, b", [
    ("Umeå universitet", "Umea University"),
    ("Universitetet i Würzburg", "University of Würzburg"),
    ("Länsstyrelsen Västerbotten", "Länsstyrelsen i Västerbottens län"),
    ("Västerbotten County Administrative Board", "Länsstyrelsen Västerbotten"),
    ("Uminova Innovation AB", "Uminova Innovation"),
    ("Gold of Lappland Ekonomisk förening", "Gold of Lappland"),
    ("Umeå univeristet", "Umeå universitet"),
])
def test_variants_of_one_name_normalise_alike(a, b):
    assert normalise(a) == normalise(b)


@pytest.mark.parametrize("a, b", [("Umeå kommun", "Kumla kommun"), ("Region Västerbotten", "Västerbottens län"),
                                  ("Uminova Innovation AB", "Uminova Expression AB")])
def test_different_things_stay_apart(a, b):
    assert normalise(a) != normalise(b)
    assert similarity(normalise(a), normalise(b)) < 0.75


def test_a_key_in_common_wins_over_the_names():
    ours = record("a", "Länsstyrelsen", organisation_number="202100-2460")
    theirs = record("b", "Länsstyrelsen i Västerbottens län", organisation_number="202100-2460")
    found = compare(ours, theirs, TARGET.keys)
    assert found.score == 1.0 and "organisation number 202100-2460" in found.reason


def test_a_swedish_vat_number_stands_for_its_organisation_number():
    assert record("a", "X", vat="SE202100247801").keys["organisation-number"] == {"202100-2478"}


def test_three_outcomes_by_the_thresholds():
    subjects = [record("s1", "Skellefteå kommun"), record("s2", "Skellefta kommun"), record("s3", "Harstad kommun")]
    candidates = [record("c1", "Skellefteå kommun"), record("c2", "Halmstads kommun")]
    found = {(m.subject_id[-2:], m.object_id[-2:]): (m.review_status, m.confidence) for m in
             discover(subjects, candidates, TARGET, Thresholds(), author="http://example.org/tool", date="2026-01-01")}
    assert found[("s1", "c1")] == ("accepted", 0.97)
    status, score = found[("s2", "c1")]
    assert status == "review" and 0.80 <= score < 0.95
    assert found[("s3", "c2")][0] == "rejected"


def test_two_candidates_alike_go_to_review_when_one_thing_has_one_link():
    subjects = [record("s", "Nordic Lab")]
    candidates = [record("c1", "Nordic Lab AB"), record("c2", "Nordic Lab Ekonomisk förening")]
    found = discover(subjects, candidates, TARGET, Thresholds(), author="http://example.org/tool")
    assert {m.review_status for m in found} == {"review"}
    assert all("ambiguous" in m.comment for m in found)
    many = Target("many", "Many", str(OWL.sameAs), "http://example.org/dataset", one_to_one=False)
    assert {m.review_status for m in discover(subjects, candidates, many, Thresholds(), author="x")} == {"accepted"}


def test_thresholds_must_be_in_order():
    with pytest.raises(ValueError, match="review"):
        Thresholds(accept=0.8, review=0.9)


def test_evaluate_counts_pairs():
    found = discover([record("s", "Vännäs kommun")], [record("c", "Vännäs kommun")], TARGET, Thresholds(), author="x")
    score = evaluate(found, {("http://example.org/s", "http://example.org/c"), ("http://example.org/s2", "http://example.org/c")})
    assert (score.precision, score.recall) == (1.0, 0.5)
