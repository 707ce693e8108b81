"""Matching names, identifiers and property values (policykg.reconcile) on a small store of
hand-made entities, so that each score and decision is known."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from policykg.reconcile.index import build_index
from policykg.reconcile.matching import Condition, Query, code_key, match, name_key, suggest

BASE = "https://example.org/umea/"
TURTLE = """
@prefix pkg: <https://w3id.org/policykg/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix adms: <http://www.w3.org/ns/adms#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
<organisation/a> a org:Organization ; skos:prefLabel "Nordiska rådet"@sv, "Nordic Council"@en .
<organisation/b> a org:Organization ; skos:prefLabel "Nordiska rådet"@sv .
<organisation/c> a org:Organization ; skos:prefLabel "International Centre for Local Democracy (ICLD)"@en ;
    adms:identifier [ a adms:Identifier ; skos:notation "802426-0411" ] ; owl:sameAs <http://www.wikidata.org/entity/Q10541230> .
<body/k> a pkg:Body ; skos:prefLabel "Kulturnämnden"@sv, "Culture Board"@en ; skos:altLabel "KUN"@sv .
<goal/2> a pkg:Goal ; skos:notation "2" ; skos:prefLabel "Mervärde för invånare och näringsliv"@sv .
<project/p> a pkg:Project ; rdfs:label "Kulturbryggan Umeå–Würzburg"@sv ; pkg:responsibleBody <body/k> ; pkg:servesGoal <goal/2> .
<http://elsewhere.example/x> a org:Organization ; skos:prefLabel "Nordiska rådet"@sv .
"""


@pytest.fixture(scope="module")
def index():
    store = ox.Store()
    store.load(TURTLE.encode(), ox.RdfFormat.TURTLE, base_iri=BASE, to_graph=ox.NamedNode(BASE + "graph/test"))
    return build_index(store, BASE, "g1")


def top(index, text, types=None, limit=5):
    return [(c.entity.id, c.score, c.match) for c in match(index, Query([Condition("name", [text])], types, limit))]


def test_keys_fold_case_accents_and_punctuation():
    assert name_key("  Umeå–Universitet (UMU) ") == "umea universitet umu"
    assert code_key("212000-2627") == code_key("2120002627") == "2120002627"


def test_only_entities_under_the_base_are_indexed(index):
    assert set(index.entities) == {"organisation/a", "organisation/b", "organisation/c", "body/k", "goal/2", "project/p"}


def test_two_organisations_with_one_name_are_both_offered_neither_taken(index):
    found = top(index, "Nordiska rådet")
    assert found[:2] == [("organisation/a", 100.0, False), ("organisation/b", 100.0, False)]
    assert top(index, "Nordic Council")[0] == ("organisation/a", 100.0, True)  # the English name tells them apart


def test_misspellings_alternative_names_and_parentheses(index):
    assert top(index, "Kulturnämden")[0][::2] == ("body/k", True)
    assert top(index, "KUN")[0] == ("body/k", 100.0, True)
    assert top(index, "ICLD")[0] == ("organisation/c", 100.0, True)
    assert top(index, "International Centre for Local Democracy")[0] == ("organisation/c", 100.0, True)
    assert top(index, "Mål 2")[0] == ("goal/2", 100.0, True) and top(index, "Goal 2")[0][0] == "goal/2"
    partial = top(index, "Kulturbryggan", ("project",))[0]
    assert partial[0] == "project/p" and 60 <= partial[1] < 88 and not partial[2]  # offered, for review
    assert top(index, "Helt annat namn") == []


def test_identifiers_and_ids(index):
    assert top(index, "8024260411")[0] == ("organisation/c", 100.0, True)
    assert top(index, "Q10541230")[0][0] == "organisation/c"
    assert top(index, BASE + "goal/2")[0] == ("goal/2", 100.0, True)
    assert top(index, "goal/2", ("body",)) == []  # the type still applies


def test_property_conditions(index):
    by_body = Query([Condition("property", ["Kulturnämden"], "responsibleBody")], ("project",))
    assert [(c.entity.id, c.score) for c in match(index, by_body)] == [("project/p", pytest.approx(96.0, abs=4))]
    required = Query([Condition("name", ["Kulturbryggan"]), Condition("property", [{"id": "goal/9"}], "goals", required=True)], ("project",))
    assert match(index, required) == []
    boosted = Query([Condition("name", ["Kulturbryggan"]), Condition("property", [{"id": "goal/2"}], "goals")], ("project",))
    assert match(index, boosted)[0].score > top(index, "Kulturbryggan", ("project",))[0][1]


def test_suggest_by_prefix_then_by_word(index):
    assert [e.id for e, _ in suggest(index, "kult", None, 0, 10)] == ["body/k", "project/p"]
    assert [e.id for e, _ in suggest(index, "würz", None, 0, 10)] == ["project/p"]
    assert [e.id for e, _ in suggest(index, "body/k", None, 0, 10)] == ["body/k"]
    assert len(suggest(index, "", None, 0, 100)) == 6 and len(suggest(index, "", None, 4, 100)) == 2
