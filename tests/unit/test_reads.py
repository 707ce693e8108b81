"""What describing a page read (policykg.runtime.reads), and whether a change touches it
(Change.touched): on small stores of two generations."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from policykg.publication.inputs import Change
from policykg.runtime.describe import describe
from policykg.runtime.lookups import Reader
from policykg.runtime.reads import EVERYTHING, RecordingStore, pattern

EX = "http://example.org/"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
GRAPH = ox.NamedNode(EX + "g")


def stores(before: list[tuple], after: list[tuple]) -> tuple[ox.Store, ox.Store]:
    made = []
    for triples in (before, after):
        store = ox.Store()
        store.extend(ox.Quad(s, ox.NamedNode(p), o, GRAPH) for s, p, o in triples)
        made.append(store)
    return made[0], made[1]


def iri(name: str) -> ox.NamedNode:
    return ox.NamedNode(EX + name)


def test_every_look_up_is_noted_and_a_query_that_does_not_say_reads_everything() -> None:
    store = ox.Store()
    store.add(ox.Quad(iri("a"), iri("p"), ox.BlankNode("b1"), GRAPH))
    recording = RecordingStore(store)
    list(recording.quads_for_pattern(iri("a"), None, ox.Literal("x"), None))
    list(recording.quads_for_pattern(ox.BlankNode("b1"), iri("p"), None, GRAPH))
    assert recording.patterns == {(EX + "a", None, None, None), ("_:b1", EX + "p", None, EX + "g")}  # a literal: any
    recording.reads([pattern(o=iri("a"))])
    list(recording.query("SELECT * WHERE { ?s ?p ?o }"))
    assert (None, None, EX + "a", None) in recording.patterns and EVERYTHING not in recording.patterns
    list(recording.query("SELECT * WHERE { ?s ?p ?o }"))  # said nothing: it may read anything
    assert EVERYTHING in recording.patterns
    with pytest.raises(AttributeError):
        recording.statements_of  # noqa: B018 - the embedded store has no batches, so neither has its recording
    with pytest.raises(AttributeError):
        recording.update  # noqa: B018 - a look-up not offered fails, rather than going unnoted


def test_a_page_is_touched_by_a_changed_triple_it_read_and_not_by_another() -> None:
    base = [(iri("goal"), LABEL, ox.Literal("goal")), (iri("w1"), EX + "serves", iri("goal")), (iri("w1"), LABEL, ox.Literal("w1")),
            (iri("other"), LABEL, ox.Literal("other"))]
    older, newer = stores(base, [*base[:3], (iri("other"), LABEL, ox.Literal("other, edited"))])
    recording = RecordingStore(older)
    describe(Reader(recording), iri("goal"), "g0", {})
    change = Change.between(older, newer, [EX + "g"])
    assert change.touched(recording.patterns) is None  # the page does not name "other"
    older, newer = stores(base, [*base[:2], (iri("w1"), LABEL, ox.Literal("w1, edited")), base[3]])
    recording = RecordingStore(older)
    describe(Reader(recording), iri("goal"), "g0", {})
    why = Change.between(older, newer, [EX + "g"]).touched(recording.patterns)
    assert why is not None and "w1" in why  # it lists w1 by its label
    older, newer = stores(base, [*base, (iri("w2"), EX + "serves", iri("goal"))])
    why = Change.between(older, newer, [EX + "g"]).touched([pattern(p=iri("serves"), o=iri("goal"))])
    assert why is not None  # a new work links to it


def test_a_blank_node_read_is_touched_only_by_its_own_change() -> None:
    blank = ox.BlankNode("file1")
    base = [(iri("graph"), EX + "file", blank), (blank, EX + "checksum", ox.Literal("abc")), (iri("x"), LABEL, ox.Literal("x"))]
    older, newer = stores(base, [*base[:2], (iri("x"), LABEL, ox.Literal("x, edited"))])
    change = Change.between(older, newer, [EX + "g"])
    assert change.touched([pattern(blank), pattern(iri("graph"))]) is None
    older, newer = stores(base, [base[0], (blank, EX + "checksum", ox.Literal("def")), base[2]])
    assert Change.between(older, newer, [EX + "g"]).touched([pattern(blank)]) is not None


def test_a_graph_changed_wholesale_touches_what_it_holds_in_either_generation_within_a_budget() -> None:
    before = [(iri("w1"), EX + "serves", iri("goal"))]
    older, newer = stores(before, [*before, (iri("w2"), EX + "serves", iri("goal"))])
    change = Change.between(older, newer, [EX + "g"], limit=1)
    assert change.wholesale == [EX + "g"] and not change.triples
    assert change.touched([pattern(p=iri("serves"), o=iri("goal"))]) is not None
    assert change.touched([pattern(p=iri("serves"), o=iri("elsewhere")), pattern(iri("w9"))]) is None
    assert change.touched([pattern(p=iri("serves"), o=iri("goal"), g=iri("another-graph"))]) is None
    many = [pattern(iri(f"n{index}")) for index in range(5)]
    why = change.touched(many, budget=3)
    assert why is not None and "more than 3" in why  # too many to ask: it may
    assert change.touched(many[:2], budget=3) is None  # those asked before are remembered
