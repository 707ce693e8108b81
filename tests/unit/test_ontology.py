"""The vocabulary (ontology/policykg.ttl): it parses, its header is complete,
every term is labelled and defined in Swedish and English, it reuses and
specialises the standard vocabularies, and every pkg: term that the data, the
shapes and the examples use is defined in it."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers import ONTOLOGY_DIR
from rdflib import BNode, Graph, Literal, URIRef

from policykg.namespaces import (
    DCT,
    DEFAULT_BASE_IRI,
    ELI,
    LICENCE_ONTOLOGY,
    ONTOLOGY_IRI,
    ONTOLOGY_VERSION,
    ONTOLOGY_VERSION_IRI,
    ORG,
    OWL,
    PKG,
    PROV,
    RDF,
    RDFS,
    SDGO,
    SH,
    SKOS,
    VANN,
    XSD,
)

ONTOLOGY = URIRef(ONTOLOGY_IRI)


@pytest.fixture(scope="module")
def ont() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "policykg.ttl", format="turtle")


def texts(graph: Graph, subject, predicate) -> dict[str | None, list[str]]:
    """The literals of subject/predicate by language tag."""
    by_lang: dict[str | None, list[str]] = {}
    for value in graph.objects(subject, predicate):
        if isinstance(value, Literal):
            by_lang.setdefault(value.language, []).append(str(value))
    return by_lang


def terms(graph: Graph) -> set[URIRef]:
    """Every term: what says it is defined by the ontology, and every subject in the pkg namespace."""
    found = set(graph.subjects(RDFS.isDefinedBy, ONTOLOGY))
    found |= {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(str(PKG))}
    return found


def pkg_terms_used(graph: Graph) -> set[URIRef]:
    """Every IRI in the pkg namespace that a graph uses, in any position."""
    used = set()
    for triple in graph:
        used |= {t for t in triple if isinstance(t, URIRef) and str(t).startswith(str(PKG))}
    return used


# --- parsing and header ---------------------------------------------------------


def test_ontology_parses_identically_with_rdflib_and_pyoxigraph(ont: Graph) -> None:
    quads = list(ox.parse(path=str(ONTOLOGY_DIR / "policykg.ttl"), format=ox.RdfFormat.TURTLE))
    assert len(ont) == len(quads) > 1000


def test_ontology_has_no_relative_iris(ont: Graph) -> None:
    # The vocabulary is absolute: nothing may resolve against an instance base.
    assert not [t for triple in ont for t in triple if isinstance(t, URIRef) and t.startswith(DEFAULT_BASE_IRI)]


def test_header(ont: Graph) -> None:
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in ont
    assert ont.value(ONTOLOGY, OWL.versionIRI) == URIRef(ONTOLOGY_VERSION_IRI)
    assert ont.value(ONTOLOGY, OWL.versionInfo) == Literal(ONTOLOGY_VERSION)
    assert ont.value(ONTOLOGY, DCT.license) == URIRef(LICENCE_ONTOLOGY)
    for date in (DCT.created, DCT.modified):
        value = ont.value(ONTOLOGY, date)
        assert isinstance(value, Literal) and value.datatype == XSD.date, date
    assert str(ont.value(ONTOLOGY, DCT.modified)) >= str(ont.value(ONTOLOGY, DCT.created))
    for prop in (DCT.title, DCT.description):
        assert set(texts(ont, ONTOLOGY, prop)) >= {"sv", "en"}, prop
    for prop in (DCT.creator, DCT.publisher):
        assert ont.value(ONTOLOGY, prop) is not None, prop
    assert ont.value(ONTOLOGY, VANN.preferredNamespacePrefix) == Literal("pkg")
    assert str(ont.value(ONTOLOGY, VANN.preferredNamespaceUri)) == str(PKG)


# --- every term labelled and defined ---------------------------------------------


def test_there_are_terms(ont: Graph) -> None:
    assert len(terms(ont)) > 150


def test_every_term_is_labelled_defined_and_attributed(ont: Graph) -> None:
    problems = []
    for term in sorted(terms(ont)):
        labels = texts(ont, term, RDFS.label)
        definitions = texts(ont, term, SKOS.definition) or texts(ont, term, RDFS.comment)
        for lang in ("sv", "en"):
            if len(labels.get(lang, [])) != 1:
                problems.append(f"{term}: {len(labels.get(lang, []))} rdfs:label @{lang}")
            if len(definitions.get(lang, [])) != 1:
                problems.append(f"{term}: {len(definitions.get(lang, []))} definitions @{lang}")
        if ont.value(term, RDFS.isDefinedBy) != ONTOLOGY:
            problems.append(f"{term}: rdfs:isDefinedBy is not the ontology")
        if not set(ont.objects(term, RDF.type)):
            problems.append(f"{term}: no rdf:type")
    assert not problems, "\n".join(problems)


def test_every_term_in_the_namespace_is_declared_as_a_kind_of_term(ont: Graph) -> None:
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual, SKOS.ConceptScheme}
    undeclared = [t for t in terms(ont) if not set(ont.objects(t, RDF.type)) & kinds]
    assert not undeclared


def test_properties_are_either_object_or_datatype_properties(ont: Graph) -> None:
    both = set(ont.subjects(RDF.type, OWL.ObjectProperty)) & set(ont.subjects(RDF.type, OWL.DatatypeProperty))
    assert not both
    for prop in ont.subjects(RDF.type, OWL.DatatypeProperty):
        ranges = set(ont.objects(prop, RDFS.range))
        assert len(ranges) == 1 and (str(next(iter(ranges))).startswith(str(XSD)) or RDF.langString in ranges), prop


# --- the terms other code relies on --------------------------------------------------

CLASSES = """Program ProgramSection StrategicPlan Vision BackgroundFact Goal FocusArea Commitment Principle
Body MunicipalCouncil ExecutiveBoard Board Company CompanyBoard AdministrativeUnit BodyCategory Responsibility
GovernanceRule FollowUpRule ReviewRule Network NetworkMembership Project Activity Partnership TwinTownAgreement
CooperationAgreement ProjectPartnership Funding FundingProgramme TraceLink LinkBasis SourceFile RegistryRow
IdentifierScheme Municipality County Indicator KeyPerformanceIndicator
ProgramScope Decision DecisionKind FollowUpReport ComplianceRule""".split()

OBJECT_PROPERTIES = """documentOwner statedIn hasCommitment commitmentOf contributesTo appliesToEach nutsRegion heldBy
hasResponsibility responsibilityKind performedBy reportedTo occasion withinProcess activityKind partner sector
fundingSource fundingProgramme hasFunding status country servesGoal withinFocusArea appliesPrinciple
contributesToTarget responsibleBody partOf qualifiedLink linkSource linkProperty linkTarget basis rule
reviewDecision county indicatorOf kpi
reviewDecision hasScope coversOrganization followUpExpectedFrom decisionKind decidedBy decisionConcerns prioritises
reportingBody followsUp followUpStatus submittedTo checks""".split()

DATATYPE_PROPERTIES = {
    "targetPopulation": XSD.integer,
    "targetYear": XSD.gYear,
    "verbatimText": RDF.langString,
    "translatedText": RDF.langString,
    "ordinal": XSD.integer,
    "organisationNumber": XSD.string,
    "municipalityCode": XSD.string,
    "membershipPurpose": RDF.langString,
    "lastReviewed": XSD.date,
    "annualFee": XSD.decimal,
    "signed": XSD.date,
    "ends": XSD.date,
    "terminable": XSD.boolean,
    "terminated": XSD.date,
    "decisionReference": XSD.string,
    "amount": XSD.decimal,
    "currency": XSD.string,
    "budget": XSD.decimal,
    "aidProject": XSD.boolean,
    "childAndYouthFocus": XSD.boolean,
    "participants": XSD.integer,
    "youngParticipants": XSD.integer,
    "fileName": XSD.string,
    "rowCount": XSD.integer,
    "tripleCount": XSD.integer,
    "rowNumber": XSD.integer,
    "loaderVersion": XSD.string,
    "iriPrefix": XSD.string,
    "reviewStatus": XSD.string,
    "rationale": RDF.langString,
    "followUpYear": XSD.gYear,
    "outcome": RDF.langString,
    "reportedOn": XSD.date,
    "checkedAsOf": XSD.date,
    "findingYear": XSD.gYear,
    "illustrative": XSD.boolean,
}


@pytest.mark.parametrize("name", CLASSES)
def test_class_exists(ont: Graph, name: str) -> None:
    assert (PKG[name], RDF.type, OWL.Class) in ont


@pytest.mark.parametrize("name", OBJECT_PROPERTIES)
def test_object_property_exists(ont: Graph, name: str) -> None:
    assert (PKG[name], RDF.type, OWL.ObjectProperty) in ont


@pytest.mark.parametrize("name, datatype", sorted(DATATYPE_PROPERTIES.items()))
def test_datatype_property_exists_with_its_range(ont: Graph, name: str, datatype: URIRef) -> None:
    assert (PKG[name], RDF.type, OWL.DatatypeProperty) in ont
    assert ont.value(PKG[name], RDFS.range) == datatype


@pytest.mark.parametrize(
    "sub, sup",
    [
        (PKG.Program, ELI.LegalResource),
        (PKG.ProgramSection, ELI.LegalResourceSubdivision),
        (PKG.StrategicPlan, ELI.LegalResource),
        (PKG.Body, ORG.Organization),
        (PKG.Network, ORG.Organization),
        (PKG.NetworkMembership, ORG.Membership),
        (PKG.Project, PROV.Activity),
        (PKG.Activity, PROV.Activity),
        (PKG.SourceFile, PROV.Entity),
        (PKG.RegistryRow, PROV.Entity),
        (PKG.TraceLink, PROV.Influence),
        (PKG.Goal, SKOS.Concept),
        (PKG.FocusArea, SKOS.Concept),
        (PKG.Commitment, SKOS.Concept),
        (PKG.Principle, SKOS.Concept),
        (PKG.LinkBasis, SKOS.Concept),
        (PKG.FollowUpRule, PKG.GovernanceRule),
        (PKG.ReviewRule, PKG.GovernanceRule),
        (PKG.MunicipalCouncil, PKG.Body),
        (PKG.ExecutiveBoard, PKG.Board),
        (PKG.Board, PKG.Body),
        (PKG.Company, PKG.Body),
        (PKG.CompanyBoard, PKG.Body),
        (PKG.AdministrativeUnit, PKG.Body),
        (PKG.TwinTownAgreement, PKG.Partnership),
        (PKG.CooperationAgreement, PKG.Partnership),
        (PKG.ProjectPartnership, PKG.Partnership),
        (PKG.ProgramScope, PKG.ProgramItem),
        (PKG.Decision, PROV.Activity),
        (PKG.FollowUpReport, PROV.Entity),
        (PKG.ComplianceRule, SH.NodeShape),
    ],
)
def test_class_specialises_the_standard_or_its_parent(ont: Graph, sub: URIRef, sup: URIRef) -> None:
    assert (sub, RDFS.subClassOf, sup) in ont


@pytest.mark.parametrize(
    "sub, sup",
    [
        (PKG.statedIn, DCT.source),
        (PKG.partOf, DCT.isPartOf),
        (PKG.organisationNumber, DCT.identifier),
        (PKG.municipalityCode, DCT.identifier),
        (PKG.nutsRegion, DCT.spatial),
        (PKG.country, DCT.spatial),
        (PKG.documentOwner, ELI.responsibility_of),
        (PKG.qualifiedLink, PROV.qualifiedInfluence),
        (PKG.linkTarget, PROV.influencer),
        (PKG.decidedBy, PROV.wasAssociatedWith),
        (PKG.reportingBody, PROV.wasAttributedTo),
    ],
)
def test_property_specialises_the_standard(ont: Graph, sub: URIRef, sup: URIRef) -> None:
    assert (sub, RDFS.subPropertyOf, sup) in ont


@pytest.mark.parametrize(
    "prop, inverse",
    [(PKG.heldBy, PKG.hasResponsibility), (PKG.hasCommitment, PKG.commitmentOf), (PKG.qualifiedLink, PKG.linkSource)],
)
def test_inverse_properties(ont: Graph, prop: URIRef, inverse: URIRef) -> None:
    assert (prop, OWL.inverseOf, inverse) in ont and (inverse, OWL.inverseOf, prop) in ont


@pytest.mark.parametrize(
    "prop, range_",
    [
        (PKG.statedIn, PKG.ProgramSection),
        (PKG.servesGoal, PKG.Goal),
        (PKG.withinFocusArea, PKG.FocusArea),
        (PKG.appliesPrinciple, PKG.Principle),
        (PKG.contributesToTarget, SDGO.Target),
        (PKG.responsibleBody, ORG.Organization),
        (PKG.partOf, PKG.Project),
        (PKG.responsibilityKind, PKG.ResponsibilityKind),
        (PKG.basis, PKG.LinkBasis),
    ],
)
def test_property_ranges(ont: Graph, prop: URIRef, range_: URIRef) -> None:
    assert ont.value(prop, RDFS.range) == range_


# --- concept schemes of the vocabulary ---------------------------------------------------

SCHEMES = {
    "ResponsibilityKinds": """AdoptsProgram RepresentsOfficially DecidesOnTwinTowns LeadsAndFollowsUp
        AdoptsGuidelines GovernsOwnWork MonitorsOwnField Supports""",
    "LinkBases": "StatedInProgram AssertedInRegistry InferredByRule",
    "ActivityKinds": "Visit Delegation Conference Exchange StudyTrip Hosting Meeting Training OtherActivity",
    "Sectors": "AcademicSector BusinessSector CivilSocietySector PublicSector InternationalSector",
    "FundingSourceKinds": "MunicipalFunding ExternalFunding",
    "ProjectStatuses": "Planned Ongoing Completed Cancelled Postponed",
    "DecisionKinds": "ProgramAdoption ProgramReview GuidelinesAdoption TwinTownDecision MembershipReview",
    "SustainabilityDimensions": """SocialSustainability EcologicalSustainability CulturalSustainability
        EconomicSustainability""",
    "Occasions": "StartOfMandatePeriod",
    "GovernanceProcesses": "OrdinaryFollowUp",
    "ReviewDecisions": "ContinueParticipation ChangeParticipation EndParticipation",
    "IdentifierSchemes": """SwedishOrganisationNumbers ScbMunicipalityCodes ScbCountyCodes Iso3166SubdivisionCodes
        NutsCodes EuCountryCodes WikidataItems ParticipantIdentificationCodes VatNumbers EuProjectIds""",
}


@pytest.mark.parametrize("scheme, members", sorted(SCHEMES.items()))
def test_concept_scheme_has_exactly_its_concepts(ont: Graph, scheme: str, members: str) -> None:
    expected = {PKG[name] for name in members.split()}
    assert (PKG[scheme], RDF.type, SKOS.ConceptScheme) in ont
    assert set(ont.subjects(SKOS.inScheme, PKG[scheme])) == expected
    assert set(ont.subjects(SKOS.topConceptOf, PKG[scheme])) == expected
    for concept in expected:
        types = set(ont.objects(concept, RDF.type))
        assert {SKOS.Concept, OWL.NamedIndividual} <= types, concept
        # ... and an instance of the vocabulary's class for that kind of concept
        assert any((t, RDFS.subClassOf, SKOS.Concept) in ont for t in types), concept
        assert set(texts(ont, concept, SKOS.prefLabel)) >= {"sv", "en"}, concept


def test_schemes_do_not_repeat_their_concepts_with_has_top_concept(ont: Graph) -> None:
    # pySHACL deep-copies owl:NamedIndividuals of the ont_graph ten links deep:
    # links both ways between schemes and concepts make validation explode.
    assert not list(ont.triples((None, SKOS.hasTopConcept, None)))


# --- every pkg: term used elsewhere is defined here -----------------------------------------


#: Shapes of a standard profile (the DCAT-AP-SE catalogue record) use only the profile's vocabularies.
STANDARD_PROFILE_SHAPES = "dcat-ap-se-shapes"


def used_files() -> list[Path]:
    shapes = [p for p in sorted((ONTOLOGY_DIR / "shapes").rglob("*.ttl")) if not p.name.startswith(STANDARD_PROFILE_SHAPES)]
    rules = sorted((ONTOLOGY_DIR / "rules").rglob("*.ttl"))
    return [ONTOLOGY_DIR / "program.ttl", *shapes, *rules]


@pytest.mark.parametrize("path", used_files(), ids=lambda p: str(p.relative_to(ONTOLOGY_DIR)))
def test_every_pkg_term_used_is_defined(ont: Graph, path: Path) -> None:
    graph = Graph().parse(path, format="turtle", publicID=DEFAULT_BASE_IRI)
    used = pkg_terms_used(graph)
    assert used, f"{path.name} uses no pkg: term"
    assert not sorted(used - terms(ont))


def test_ontology_uses_only_its_own_terms(ont: Graph) -> None:
    # Catches a typo inside the ontology (an object or superclass that is never defined).
    assert not sorted(pkg_terms_used(ont) - terms(ont))


def test_no_blank_node_terms(ont: Graph) -> None:
    # Only the creator and publisher of the header are blank nodes.
    blank_subjects = {s for s in ont.subjects() if isinstance(s, BNode)}
    assert blank_subjects == set(ont.objects(ONTOLOGY, DCT.creator)) | set(ont.objects(ONTOLOGY, DCT.publisher))
