"""The SHACL shapes (ontology/shapes/*.ttl): they are documented, the program
as data conforms to them, and each shape file's examples behave as they say:
``NAME.valid.ttl`` conforms, and ``NAME.invalid.ttl`` has exactly the
violations its ``# expect: FOCUS PATH COMPONENT`` comment lines list.

Validation is done as the loader does it (loaders/shacl.py): all shape files
together, the ontology as ``ont_graph``, no inference, SHACL-AF enabled.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest
from helpers import ONTOLOGY_DIR
from pyshacl import validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection

from policykg.namespaces import (
    DEFAULT_BASE_IRI,
    PKG,
    RDF,
    RDFS,
    SH,
    SHAPES,
    SHAPES_IRI,
    SKOS,
    XSD,
)

SHAPES_DIR = ONTOLOGY_DIR / "shapes"
EXAMPLES_DIR = SHAPES_DIR / "examples"
SHAPE_FILES = sorted(SHAPES_DIR.glob("*.ttl"))
EXPECT = re.compile(r"^#\s*expect:\s*(\S+)\s+(\S+)\s+(\S+)\s*$", re.M)


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    graph = Graph()
    for path in SHAPE_FILES:
        graph.parse(path, format="turtle")
    return graph


@lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "policykg.ttl", format="turtle")


def program_graph() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "program.ttl", format="turtle", publicID=DEFAULT_BASE_IRI)


def run(data: Graph, inference: str = "none") -> tuple[bool, Graph, str]:
    conforms, report, text = validate(
        data,
        shacl_graph=shapes_graph(),
        ont_graph=ontology_graph(),
        inference=inference,
        advanced=True,
        allow_warnings=True,
    )
    return conforms, report, text


def path_key(report: Graph, path) -> str | None:
    """A result path as text: an IRI, ``^IRI`` for an inverse path, None for none."""
    if path is None:
        return None
    if isinstance(path, BNode):
        inverse = report.value(path, SH.inversePath)
        assert inverse is not None, "only inverse paths are used"
        return f"^{inverse}"
    return str(path)


def violations(report: Graph) -> set[tuple[str, str | None, str]]:
    """(focus node, path, constraint component) of every violation."""
    found = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        assert report.value(result, SH.resultSeverity) == SH.Violation
        focus = report.value(result, SH.focusNode)
        component = str(report.value(result, SH.sourceConstraintComponent))
        found.add((str(focus), path_key(report, report.value(result, SH.resultPath)), component))
    return found


def expected_violations(path: Path) -> set[tuple[str, str | None, str]]:
    """The ``# expect:`` lines of an invalid example, with its prefixes expanded."""
    graph = Graph().parse(path, format="turtle")
    manager = graph.namespace_manager

    def expand(name: str) -> str:
        return str(manager.expand_curie(name))

    expected = set()
    for focus, path_text, component in EXPECT.findall(path.read_text(encoding="utf-8")):
        if path_text == "-":
            result_path = None
        elif path_text.startswith("^"):
            result_path = "^" + expand(path_text[1:])
        else:
            result_path = expand(path_text)
        expected.add((expand(focus), result_path, f"{SH}{component}ConstraintComponent"))
    return expected


# --- the shapes themselves ---------------------------------------------------------------


def test_there_are_shape_files_for_each_concern() -> None:
    assert {p.stem for p in SHAPE_FILES} >= {
        "policykg-shapes",
        "traceability-shapes",
        "work-shapes",
        "provenance-shapes",
    }


@pytest.mark.parametrize("path", SHAPE_FILES, ids=lambda p: p.name)
def test_shape_file_parses_and_uses_absolute_iris(path: Path) -> None:
    graph = Graph().parse(path, format="turtle", publicID="http://relative.invalid/")
    assert len(graph) > 10
    assert not [t for triple in graph for t in triple if isinstance(t, URIRef) and "relative.invalid" in t]


def test_node_shapes_are_labelled_and_attributed() -> None:
    graph = shapes_graph()
    node_shapes = set(graph.subjects(RDF.type, SH.NodeShape))
    assert len(node_shapes) > 20
    for shape in node_shapes:
        assert isinstance(shape, URIRef) and shape.startswith(str(SHAPES)), shape
        langs = {o.language for o in graph.objects(shape, RDFS.label)}
        assert langs == {"sv", "en"}, shape
        assert {o.language for o in graph.objects(shape, RDFS.comment)} == {"sv", "en"}, shape
        assert graph.value(shape, RDFS.isDefinedBy) == URIRef(SHAPES_IRI), shape


def test_constraints_have_messages_in_english_and_swedish() -> None:
    """Every constraint of a targeted shape says what is wrong, in both languages
    (the helper shapes used inside sh:or, sh:node and qualified shapes need not)."""
    graph = shapes_graph()
    targets = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
    targeted = {s for t in targets for s in graph.subjects(t, None)}
    constraints = [c for s in targeted for p in (SH.property, SH.sparql) for c in graph.objects(s, p)]
    assert len(constraints) > 80
    unmessaged = [c for c in constraints if {o.language for o in graph.objects(c, SH.message)} != {"sv", "en"}]
    assert not unmessaged


def test_the_shapes_graph_declares_the_prefixes_its_sparql_uses() -> None:
    graph = shapes_graph()
    declared = {str(graph.value(d, SH.prefix)) for d in graph.objects(URIRef(SHAPES_IRI), SH.declare)}
    for constraint in graph.objects(None, SH.sparql):
        assert graph.value(constraint, SH.prefixes) == URIRef(SHAPES_IRI)
        query = str(graph.value(constraint, SH.select))
        assert set(re.findall(r"\b([a-z]+):[A-Za-z]", query)) <= declared, query


def scheme_lists() -> list[tuple[str, list]]:
    """Every sh:in list of the shapes whose members are concepts of the vocabulary."""
    graph, ont = shapes_graph(), ontology_graph()
    concepts = set(ont.subjects(SKOS.inScheme, None))
    found = []
    for shape, head in graph.subject_objects(SH["in"]):
        members = list(Collection(graph, head))
        if all(m in concepts for m in members):
            found.append((str(graph.value(shape, SH.path)), members))
    return found


def test_closed_lists_of_concepts_are_whole_schemes_of_the_ontology() -> None:
    ont = ontology_graph()
    lists = scheme_lists()
    assert len(lists) >= 8
    for path, members in lists:
        schemes = {ont.value(m, SKOS.inScheme) for m in members}
        assert len(schemes) == 1, path
        scheme = schemes.pop()
        assert set(members) == set(ont.subjects(SKOS.inScheme, scheme)), f"{path}: sh:in is not all of {scheme}"


def test_concept_valued_properties_are_checked_against_their_schemes() -> None:
    paths = {path for path, _ in scheme_lists()}
    for prop in ("responsibilityKind", "basis", "activityKind", "status", "fundingSource", "sector"):
        assert str(PKG[prop]) in paths, prop
    assert "http://purl.org/dc/terms/type" in paths  # an identifier's scheme


# --- the program as data -------------------------------------------------------------------


def test_program_and_ontology_conform() -> None:
    conforms, report, text = run(program_graph())
    assert conforms, text
    assert not violations(report)


def test_program_conforms_with_rdfs_inference_too() -> None:
    # The ontology's domains and ranges draw no conclusion that the shapes reject.
    conforms, _, text = run(program_graph(), inference="rdfs")
    assert conforms, text


def iri(path: str) -> URIRef:
    return URIRef(DEFAULT_BASE_IRI + path)


def test_shapes_catch_a_broken_program() -> None:
    data = program_graph()
    # a goal loses its English label, a responsibility its section, the document its date's type
    data.remove((iri("goal/3"), SKOS.prefLabel, Literal("Umeå as an attractive municipality", lang="en")))
    data.remove((iri("responsibility/kommunstyrelsen/adopts-guidelines"), PKG.statedIn, None))
    data.set((iri("program"), URIRef("http://data.europa.eu/eli/ontology#date_document"), Literal("2018-03-26")))
    # a principle strays into the goals' scheme
    data.add((iri("principle/aid-projects"), SKOS.inScheme, iri("scheme/goals")))
    conforms, report, _ = run(data)
    assert not conforms
    found = {(focus, path) for focus, path, _ in violations(report)}
    assert (str(iri("goal/3")), str(SKOS.prefLabel)) in found
    assert (str(iri("responsibility/kommunstyrelsen/adopts-guidelines")), str(PKG.statedIn)) in found
    assert (str(iri("program")), "http://data.europa.eu/eli/ontology#date_document") in found
    assert (str(iri("principle/aid-projects")), str(SKOS.inScheme)) in found
    assert (str(iri("goal/1")), str(SKOS.inScheme)) in found  # its scheme now holds a principle


# --- examples ------------------------------------------------------------------------------


@pytest.mark.parametrize("shape_file", SHAPE_FILES, ids=lambda p: p.stem)
def test_each_shape_file_has_a_valid_and_an_invalid_example(shape_file: Path) -> None:
    for kind in ("valid", "invalid"):
        assert (EXAMPLES_DIR / f"{shape_file.stem}.{kind}.ttl").is_file(), kind


def examples(kind: str) -> list[Path]:
    return sorted(EXAMPLES_DIR.glob(f"*.{kind}.ttl"))


def test_examples_use_example_org_iris_only() -> None:
    for path in examples("valid") + examples("invalid"):
        graph = Graph().parse(path, format="turtle")
        subjects = {s for s in graph.subjects() if isinstance(s, URIRef)}
        assert all(s.startswith("http://example.org/") for s in subjects), path.name


@pytest.mark.parametrize("path", examples("valid"), ids=lambda p: p.name)
def test_valid_example_conforms(path: Path) -> None:
    conforms, report, text = run(Graph().parse(path, format="turtle"))
    assert conforms, text
    assert not violations(report)


@pytest.mark.parametrize("path", examples("invalid"), ids=lambda p: p.name)
def test_invalid_example_has_exactly_the_expected_violations(path: Path) -> None:
    expected = expected_violations(path)
    assert expected, f"{path.name} lists no '# expect:' lines"
    conforms, report, _ = run(Graph().parse(path, format="turtle"))
    assert not conforms
    found = violations(report)
    assert found == expected, f"unexpected: {sorted(found - expected)}\nmissing: {sorted(expected - found)}"


def test_a_checksum_as_the_loader_writes_it_conforms() -> None:
    # loaders/provenance.py types the SHA-256 value xsd:hexBinary and uses the SPDX algorithm IRI.
    data = Graph()
    source, checksum = URIRef("http://example.org/graph/source/program.ttl"), BNode()
    data.add((source, RDF.type, PKG.SourceFile))
    data.add((source, PKG.fileName, Literal("program.ttl")))
    data.add((source, URIRef("http://spdx.org/rdf/terms#checksum"), checksum))
    data.add((checksum, URIRef("http://spdx.org/rdf/terms#algorithm"), URIRef("http://spdx.org/rdf/terms#checksumAlgorithm_sha256")))
    data.add((checksum, URIRef("http://spdx.org/rdf/terms#checksumValue"), Literal("ab" * 32, datatype=XSD.hexBinary)))
    data.add((source, PKG.rowCount, Literal(3)))
    conforms, _, text = run(data)
    assert conforms, text
