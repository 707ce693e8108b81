"""What the registry modules share: rendered predicates and classes, labels, enumerations."""

from __future__ import annotations

from decimal import Decimal

from policykg.namespaces import (
    DCT,
    FOAF,
    ORG,
    OWL,
    PKG,
    RDFS,
    SCHEMA,
    SKOS,
    TIME,
    XSD,
)

from .. import ntriples as nt
from ..identifiers import identifier_triples
from ..references import Vocabulary, enumeration

R = nt.iri  # render an IRI

LABEL = R(RDFS.label)
PREF_LABEL = R(SKOS.prefLabel)
DESCRIPTION = R(DCT.description)
HOMEPAGE = R(FOAF.homepage)
SAME_AS = R(OWL.sameAs)
INTERNATIONAL_WORK = R(PKG.InternationalWork)
START_DATE = R(SCHEMA.startDate)
END_DATE = R(SCHEMA.endDate)
LOCATION = R(SCHEMA.location)
COUNTRY = R(PKG.country)
PARTNER = R(PKG.partner)
STATUS = R(PKG.status)
BUDGET = R(PKG.budget)
CURRENCY = R(PKG.currency)
DECISION_REFERENCE = R(PKG.decisionReference)
LAST_REVIEWED = R(PKG.lastReviewed)
REVIEW_DECISION = R(PKG.reviewDecision)
CHILD_YOUTH = R(PKG.childAndYouthFocus)
SUB_ORGANIZATION_OF = R(ORG.subOrganizationOf)
TIME_INTERVAL = R(TIME.Interval)
TIME_INSTANT = R(TIME.Instant)
HAS_BEGINNING = R(TIME.hasBeginning)
HAS_END = R(TIME.hasEnd)
IN_XSD_DATE = R(TIME.inXSDDate)
XSD_STRING = R(XSD.string)

#: The traceability columns every kind of work has, and their properties.
TRACE_COLUMNS = {
    "goals": (PKG.servesGoal, "goal"),
    "focus_areas": (PKG.withinFocusArea, "focus-area"),
    "principles": (PKG.appliesPrinciple, "principle"),
    "sdg_targets": (PKG.contributesToTarget, "sdg-target"),
}
TRACE_REFERENCES = {column: kind for column, (_, kind) in TRACE_COLUMNS.items()}


def labels(out, subject: str, sv: str | None, en: str | None, predicate: str = LABEL) -> None:
    if sv:
        out.add(subject, predicate, nt.lang(sv, "sv"))
    if en:
        out.add(subject, predicate, nt.lang(en, "en"))


def date(value: str) -> str:
    return f'"{value}"^^{nt.XSD_DATE}'


def decimal(value: Decimal) -> str:
    return f'"{format(value.normalize(), "f")}"^^{nt.XSD_DECIMAL}'


def boolean(value: bool) -> str:
    return nt.TRUE if value else nt.FALSE


def trace_links(out, row) -> None:
    """The row's links to goals, focus areas, principles and SDG targets."""
    for column, (prop, _) in TRACE_COLUMNS.items():
        targets = getattr(row, column, None)
        if targets:
            out.links(prop, targets)


#: Registry columns that hold an identifier, and the scheme of each (loaders/identifiers.py).
IDENTIFIER_COLUMNS = {
    "organisation_number": "organisation-number",
    "municipality_code": "municipality-code",
    "wikidata": "wikidata",
    "pic": "pic",
    "vat_number": "vat",
    "eu_project_id": "eu-project",
}


def identifiers(out, subject: str, row) -> None:
    """The row's identifiers (its columns of :data:`IDENTIFIER_COLUMNS`), typed, and the links
    they imply (a Wikidata item is ``owl:sameAs``); ``subject`` is rendered (``<IRI>``)."""
    entity = subject[1:-1]
    for column, scheme in IDENTIFIER_COLUMNS.items():
        code = getattr(row, column, None)
        if not code:
            continue
        for s, p, o in identifier_triples(entity, scheme, code):
            rendered = (nt.lang(o[0], o[1]) if o[1] else nt.string(o[0])) if isinstance(o, tuple) else R(o)
            out.add(R(s), R(p), rendered)


def enum_reference(kind: str, noun: str, terms: dict[str, str]):
    """A reference to a closed list of our ontology's concepts (by key or label), rendered."""

    def make(catalogue) -> callable:
        vocabulary: Vocabulary = enumeration(kind, noun, terms)
        return vocabulary.resolver()

    return make


def check_dates(first: str, second: str, message: str):
    """A row check: ``first`` not after ``second`` when both are given."""

    def problems(row):
        a, b = getattr(row, first), getattr(row, second)
        if a and b and a > b:
            yield second, message, f"a date no earlier than {first} ({a})"

    return problems


STATUSES = {"planned": PKG.Planned, "ongoing": PKG.Ongoing, "completed": PKG.Completed, "cancelled": PKG.Cancelled}
REVIEW_DECISIONS = {"continue": PKG.ContinueParticipation, "change": PKG.ChangeParticipation, "end": PKG.EndParticipation}
SECTORS = {
    "academia": PKG.AcademicSector,
    "business": PKG.BusinessSector,
    "civil-society": PKG.CivilSocietySector,
    "public": PKG.PublicSector,
    "international": PKG.InternationalSector,
}


#: The kinds of work a decision or a follow-up can name, in the order a bare key is looked up.
WORK_KINDS = ("project", "membership", "partnership")
PROGRAM_KEY = "program"


def work_reference(*, program: bool):
    """A reference to a piece of work: ``project/ID``, ``membership/ID`` or ``partnership/ID``,
    or a bare ID looked up in that order; with ``program``, also ``program`` (the program itself)."""
    from ..schema import CellError

    def make(catalogue):
        program_iri = catalogue.iris.program
        kinds = WORK_KINDS

        def convert(text: str) -> str:
            value = text.strip()
            if program and value.lower() == PROGRAM_KEY:
                return program_iri
            kind, sep, key = value.partition("/")
            if sep and kind.lower() in kinds:
                return catalogue.vocabulary(kind.lower()).resolve(key)
            found = [(kind, catalogue.vocabulary(kind).key_of(value)) for kind in kinds]
            found = [(kind, key) for kind, key in found if key is not None]
            if len(found) == 1:
                kind, key = found[0]
                return catalogue.vocabulary(kind).iris[key]
            forms = "project/ID, membership/ID or partnership/ID" + (", or program" if program else "")
            if found:
                return_kinds = " and ".join(f"{kind}/{key}" for kind, key in found)
                raise CellError(f"the key names more than one piece of work ({return_kinds})", f"one of them, as {forms}")
            raise CellError("unknown work", f"a key of the projects, networks (memberships) or partnerships registry: {forms}")

        return convert

    return make
