"""SHACL validation with pySHACL against the shapes in ``ontology/shapes/``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
import rdflib
from pyshacl import validate

from policykg.namespaces import SH
from policykg.paths import ontology_dir

from .errors import Problem


def shape_files() -> list[Path]:
    return sorted((ontology_dir() / "shapes").glob("*.ttl"))


@lru_cache(maxsize=1)
def _shapes_and_ontology() -> tuple[rdflib.Graph, rdflib.Graph]:
    shapes = rdflib.Graph()
    for path in shape_files():
        shapes.parse(path, format="turtle")
    ontology = rdflib.Graph().parse(ontology_dir() / "policykg.ttl", format="turtle")
    return shapes, ontology


def to_rdflib(quads: list[ox.Quad]) -> rdflib.Graph:
    """The triples of ``quads`` as an rdflib graph (through N-Triples: exact, and fast enough)."""
    data = ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in quads], format=ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=data, format="nt")


def shacl_problems(data: rdflib.Graph, *, file: str) -> list[Problem]:
    """Every violation of the shapes in ``data``, as problems naming the focus node and path."""
    shapes, ontology = _shapes_and_ontology()
    conforms, report, _ = validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True, allow_warnings=True
    )
    if conforms:
        return []
    problems = []
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        if report.value(result, SH.resultSeverity) != SH.Violation:
            continue
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        value = report.value(result, SH.value)
        problems.append(
            Problem(
                file,
                f"<{focus}>{' ' + path.n3(report.namespace_manager) if path is not None else ''}: {message}",
                value=None if value is None else str(value),
            )
        )
    return sorted(problems, key=str)
