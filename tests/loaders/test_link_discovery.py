"""Link discovery measured against a gold mapping (tests/data/linking/): precision and recall of
what it accepts, and of what it accepts or queues for review, on name variants, typos, two
organisations with one name and partners with no match, against the real reference data that
the session's build loaded (../shared/data/links)."""

from __future__ import annotations

import csv

import pytest
from helpers import DATA, require_shared

from policykg.linking import targets as target_data
from policykg.linking.discovery import Record, Thresholds, discover, evaluate
from policykg.namespaces import LINK_TOOL, WD

SUBJECT = "http://example.org/subject/"
GOLD = DATA / "linking"
#: The least precision and recall we accept (the figures measured are printed; see docs/linking.md).
#: Measured (2026-12): wikidata accepted P 1.00 R 0.86, with the review queue P 1.00 R 0.93;
#: eu-projects accepted P 1.00 R 0.68, with the queue P 1.00 R 0.72 (the misses are an acronym,
#: a former name and names that only a key could tell apart).
FLOORS = {
    "wikidata": {"precision": 1.0, "recall_accepted": 0.85, "recall_reviewed": 0.9},
    "eu-projects": {"precision": 1.0, "recall_accepted": 0.65, "recall_reviewed": 0.7},
}


def subjects() -> list[Record]:
    with open(GOLD / "subjects.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    records = []
    for row in rows:
        keys = {}
        if row["organisation_number"]:
            keys["organisation-number"] = {row["organisation_number"]}
        if row["vat_number"]:
            keys["vat"] = {row["vat_number"]}
        records.append(Record(SUBJECT + row["id"], [row["name"], row["name_en"]], keys))
    return records


def gold(target: str, settings) -> set[tuple[str, str]]:
    with open(GOLD / "gold.csv", encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["target"] == target and r["object"] != "none"]
    def iri(value: str) -> str:
        return str(WD[value]) if target == "wikidata" else settings.iris.eu_participant(value)
    return {(SUBJECT + r["subject"], iri(r["object"])) for r in rows}


@pytest.fixture(scope="module")
def proposals(store, built_settings):
    require_shared("data", "links")
    reader = store.reader()
    found = {}
    for name, target in target_data.targets(built_settings).items():
        if name in FLOORS:
            candidates = target_data.candidates(reader, built_settings, target)
            assert candidates, f"the build loaded no {name} graph"
            found[name] = discover(subjects(), candidates, target, Thresholds(), author=LINK_TOOL, date="2026-01-01")
    return found


@pytest.mark.parametrize("target", sorted(FLOORS))
def test_precision_and_recall_on_the_gold_mapping(proposals, built_settings, target):
    expected = gold(target, built_settings)
    accepted = evaluate(proposals[target], expected, ("accepted",))
    reviewed = evaluate(proposals[target], expected, ("accepted", "review"))
    print(f"\n{target}: accepted: precision {accepted.precision:.2f} ({accepted.true_positives}/{accepted.proposed}), "
          f"recall {accepted.recall:.2f} ({accepted.true_positives}/{accepted.expected}); "
          f"accepted or queued: precision {reviewed.precision:.2f} ({reviewed.true_positives}/{reviewed.proposed}), "
          f"recall {reviewed.recall:.2f} ({reviewed.true_positives}/{reviewed.expected})")
    floors = FLOORS[target]
    assert accepted.precision >= floors["precision"]
    assert accepted.recall >= floors["recall_accepted"]
    assert reviewed.recall >= floors["recall_reviewed"]


def statuses(proposals, target: str, subject: str) -> dict[str, str]:
    return {m.object_id: m.review_status for m in proposals[target] if m.subject_id == SUBJECT + subject}


def test_keys_tell_apart_two_organisations_with_one_name(proposals):
    assert statuses(proposals, "wikidata", "lansstyrelsen-1") == {str(WD.Q28804179): "accepted"}
    # the VAT number stands for the organisation number it contains
    assert statuses(proposals, "wikidata", "lansstyrelsen-2") == {str(WD.Q25386980): "accepted"}
    # without a key, the name alone links nothing
    assert "accepted" not in statuses(proposals, "wikidata", "lansstyrelsen-3").values()


def test_swedish_and_english_variants_and_typos(proposals, built_settings):
    assert statuses(proposals, "wikidata", "umea-university") == {str(WD.Q1144565): "accepted"}
    assert statuses(proposals, "wikidata", "slu-en")[str(WD.Q1312762)] == "accepted"
    assert statuses(proposals, "wikidata", "lansstyrelsen-ac")[str(WD.Q28804179)] == "accepted"
    # a typo in the distinctive word is queued for a person, not accepted
    assert statuses(proposals, "wikidata", "skelleftea-typo")[str(WD.Q430780)] == "review"
    university = statuses(proposals, "eu-projects", "umea-university")
    assert university == {built_settings.iris.eu_participant("Umeå universitet"): "accepted",
                          built_settings.iris.eu_participant("Umeå University"): "accepted"}


def test_a_partner_with_no_match_gets_no_link(proposals):
    for target in FLOORS:
        for subject in ("eurocities", "kvarkenradet"):
            assert not {s for s in statuses(proposals, target, subject).values()} & {"accepted", "review"}, (target, subject)


def test_another_company_with_a_similar_name_is_not_accepted(proposals, built_settings):
    found = statuses(proposals, "eu-projects", "uminova")
    assert found[built_settings.iris.eu_participant("Uminova Innovation AB")] == "accepted"
    assert found.get(built_settings.iris.eu_participant("Uminova Expression AB"), "rejected") == "rejected"


def test_every_candidate_has_its_score_and_reason(proposals):
    for mappings in proposals.values():
        assert mappings
        for m in mappings:
            assert m.confidence is not None and 0 <= m.confidence <= 1
            assert m.comment and m.review_status in ("accepted", "review", "rejected")
            assert m.review_status != "accepted" or m.confidence >= Thresholds().accept
