"""What a stored question reads (policykg.publication.inputs): the cases that read
everything, and a changed triple that a pattern matches, or that the rest of the query
anchors away, on small stores of two generations."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from policykg.publication.inputs import Change, footprint

EX = "http://example.org/"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PREFIXES = f"PREFIX ex: <{EX}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"


@pytest.mark.parametrize("where", [
    "?s ?p ?o",
    "GRAPH ?g { ?s ex:p ?o }",
    "GRAPH ex:g { ?s ex:p ?o }",
    "SERVICE <http://example.org/sparql> { ?s ex:p ?o }",
    "?s ex:p* ?o",
    "?s ex:p? ?o",
    "?s !ex:p ?o",
    "?s ex:p ?o { SELECT ?s WHERE { ?s ?any ?thing } }",
])
def test_what_cannot_be_bounded_reads_everything(where) -> None:
    found = footprint(PREFIXES + f"SELECT * WHERE {{ {where} }}")
    assert found.patterns is None and found.why


def test_a_dataset_clause_a_describe_and_what_does_not_parse_read_everything() -> None:
    assert footprint(PREFIXES + "SELECT * FROM ex:g WHERE { ?s ex:p ?o }").patterns is None
    assert footprint(PREFIXES + "DESCRIBE ex:x").patterns is None
    assert footprint("SELECT * WHERE { ?s").patterns is None


def test_the_predicates_of_patterns_paths_and_exists_are_read() -> None:
    found = footprint(PREFIXES + "SELECT * WHERE { ?s ex:a/ex:b|^ex:c ?o FILTER NOT EXISTS { ?s ex:d+ ?x } "
                      "OPTIONAL { { SELECT ?s WHERE { ?s ex:e ?y } } } }")
    assert found.predicates == {EX + name for name in "abcde"}
    assert footprint(PREFIXES + "SELECT * WHERE { ?m ex:p ?o }", member_class=EX + "C").predicates == {EX + "p", TYPE}


def two_generations(before: list[tuple], after: list[tuple]) -> Change:
    def store(triples):
        made = ox.Store()
        made.extend(ox.Quad(ox.NamedNode(EX + s), ox.NamedNode(p), o, ox.NamedNode(EX + "g")) for s, p, o in triples)
        return made

    return Change.between(store(before), store(after), [EX + "g"])


BASE = [
    ("project", TYPE, ox.NamedNode(EX + "Project")),
    ("project", LABEL, ox.Literal("a project")),
    ("decision", TYPE, ox.NamedNode(EX + "Decision")),
    ("decision", LABEL, ox.Literal("a decision")),
]
TYPED = PREFIXES + "SELECT ?x ?l WHERE { ?x a ex:Project OPTIONAL { ?x rdfs:label ?l } }"
FILTERED = PREFIXES + "SELECT ?x ?l WHERE { ?x a ?t OPTIONAL { ?x rdfs:label ?l } FILTER(?t IN (ex:Project, ex:Activity)) }"
UNTYPED = PREFIXES + "SELECT ?x ?l WHERE { ?x rdfs:label ?l }"


def relabelled(subject: str) -> Change:
    after = [(s, p, ox.Literal("renamed") if (s, p) == (subject, LABEL) else o) for s, p, o in BASE]
    return two_generations(BASE, after)


def test_a_label_the_query_reads_is_seen() -> None:
    change = relabelled("project")
    for query in (TYPED, FILTERED, UNTYPED):
        assert change.affects(footprint(query)) is not None, query


def test_a_label_of_something_the_query_cannot_bind_is_anchored_away() -> None:
    change = relabelled("decision")
    assert change.affects(footprint(TYPED)) is None
    assert change.affects(footprint(FILTERED)) is None
    assert change.affects(footprint(UNTYPED)) is not None  # nothing anchors ?x


def test_a_thing_that_becomes_what_the_query_binds_is_seen() -> None:
    after = [(s, p, ox.NamedNode(EX + "Project") if (s, p) == ("decision", TYPE) else o) for s, p, o in BASE]
    assert two_generations(BASE, after).affects(footprint(TYPED)) is not None
    # and a label added to it in the same change: anchored by the type it has after the change
    after.append(("decision", LABEL, ox.Literal("another")))
    assert two_generations(BASE, after).affects(footprint(PREFIXES + "SELECT ?l WHERE { ?x a ex:Project OPTIONAL { ?x rdfs:label ?l } "
                                                           "FILTER(?x != ex:nothing) }")) is not None


def test_a_type_outside_the_filtered_classes_is_not_read_but_one_inside_is() -> None:
    after = [*BASE, ("other", TYPE, ox.NamedNode(EX + "Decision"))]
    assert two_generations(BASE, after).affects(footprint(FILTERED)) is None
    after = [*BASE, ("other", TYPE, ox.NamedNode(EX + "Activity"))]
    assert two_generations(BASE, after).affects(footprint(FILTERED)) is not None


def test_a_union_anchors_only_what_every_branch_binds() -> None:
    query = PREFIXES + "SELECT ?x ?l WHERE { { ?x ex:a ?y } UNION { ?x ex:b ?y } OPTIONAL { ?x rdfs:label ?l } }"
    before = [*BASE, ("project", EX + "a", ox.Literal(1))]
    assert two_generations(before, [*before, ("decision", LABEL, ox.Literal("x"))]).affects(footprint(query)) is None
    assert two_generations(before, [*before, ("project", LABEL, ox.Literal("x"))]).affects(footprint(query)) is not None
    one_sided = PREFIXES + "SELECT ?x ?l WHERE { { ?x ex:a ?y } UNION { BIND(ex:decision AS ?x) } OPTIONAL { ?x rdfs:label ?l } }"
    assert two_generations(before, [*before, ("decision", LABEL, ox.Literal("x"))]).affects(footprint(one_sided)) is not None


def test_a_large_changed_graph_counts_wholesale_by_its_predicates() -> None:
    before = [("project", TYPE, ox.NamedNode(EX + "Project"))]
    after = [*before, ("project", EX + "budget", ox.Literal(2))]
    older, newer = ox.Store(), ox.Store()
    for store, triples in ((older, before), (newer, after)):
        store.extend(ox.Quad(ox.NamedNode(EX + s), ox.NamedNode(p), o, ox.NamedNode(EX + "g")) for s, p, o in triples)
    change = Change.between(older, newer, [EX + "g"], limit=1)
    assert change.wholesale == [EX + "g"] and not change.triples
    assert change.affects(footprint(PREFIXES + "SELECT * WHERE { ?x ex:budget ?b }")) is not None
    assert change.affects(footprint(PREFIXES + "SELECT * WHERE { ?x ex:other ?b }")) is None
    # by the class of a type pattern, constant or filtered, too
    assert change.affects(footprint(PREFIXES + "SELECT * WHERE { ?x a ex:Project }")) is not None
    assert change.affects(footprint(PREFIXES + "SELECT * WHERE { ?x a ex:Decision }")) is None
    assert change.affects(footprint(PREFIXES + "SELECT * WHERE { ?x a ?t FILTER(?t IN (ex:Decision)) }")) is None
    assert change.affects(footprint(PREFIXES + "SELECT * WHERE { ?x a ?t FILTER(?t IN (ex:Project)) }")) is not None
    assert change.affects(footprint(PREFIXES + "SELECT * WHERE { ?x a ?t }")) is not None


def test_nothing_changed_affects_nothing() -> None:
    change = two_generations(BASE, BASE)
    assert not change
    assert change.affects(footprint(UNTYPED)) is None
