"""The same rules through pySHACL (the reference SHACL engine, with $this bound per
focus node and SHACL-AF functions from ontology/rules/functions.ttl) give the same
findings as the project's own evaluation on pyoxigraph (policykg check): on every
example of ontology/rules/examples/ and on the sample registries, checked as of
2026-12-04 (the check day is given to pySHACL by fixing pkg:asOf's query)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyshacl import validate
from rdflib import Graph, Literal
from test_rules import AS_OF, EXAMPLES_DIR, example_store, rules

from policykg.compliance.evaluate import CheckContext, evaluate
from policykg.namespaces import PKG, RDF, SH


def pyshacl_findings(data: Graph, as_of: dt.date) -> set[tuple]:
    shapes = Graph() + rules().graph  # a copy: pkg:asOf is fixed to the check day
    shapes.set((PKG.asOf, SH.select, Literal(f'SELECT ?result WHERE {{ BIND ("{as_of.isoformat()}"^^xsd:date AS ?result) }}')))
    _, report, _ = validate(data, shacl_graph=shapes, advanced=True, inference="none", allow_warnings=True)
    found = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        found.add((
            str(report.value(result, SH.sourceShape)),
            str(report.value(result, SH.focusNode)),
            str(report.value(result, SH.value)),
            str(report.value(result, SH.resultSeverity)),
            frozenset(str(m) for m in report.objects(result, SH.resultMessage)),
        ))
    return found


def own_findings(store: ox.Store, as_of: dt.date) -> set[tuple]:
    return {
        (f.rule.iri, f.focus.value, f.value.value, f.severity, frozenset(f.messages.values()))
        for f in evaluate(store, rules(), CheckContext(as_of)).findings
    }


def as_rdflib(store: ox.Store, leave_out: set[str] = frozenset()) -> Graph:
    quads = (q for q in store.quads_for_pattern(None, None, None, None) if q.graph_name.value not in leave_out)
    data = ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in quads), format=ox.RdfFormat.N_TRIPLES)
    return Graph().parse(data=data, format="nt")


@pytest.mark.parametrize("path", sorted(EXAMPLES_DIR.glob("*.ttl")), ids=lambda p: p.name)
def test_pyshacl_finds_the_same_in_each_example(path: Path) -> None:
    store = example_store(path)
    ours = own_findings(store, AS_OF)
    assert pyshacl_findings(as_rdflib(store), AS_OF) == ours
    if path.name.endswith(".invalid.ttl"):
        assert ours


def test_pyshacl_finds_the_same_in_the_samples(store, built_settings) -> None:
    reader = store.reader()
    ours = own_findings(reader, AS_OF)
    theirs = pyshacl_findings(as_rdflib(reader, {built_settings.iris.findings_graph}), AS_OF)
    assert len(ours) >= 25
    assert theirs == ours, f"only pySHACL: {sorted(theirs - ours)}\nonly ours: {sorted(ours - theirs)}"
