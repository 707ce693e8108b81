"""The program as data (ontology/program.ttl) says what the document says.

The document is ``seeds/000_a214cf19dbf0a886.txt`` in the shared data
(``../shared`` beside the repository; ``POLICYKG_SHARED_DIR`` overrides it). Tests that need it skip, saying why,
when it is absent.
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers import REPO, require_shared, shared_dir
from rdflib import Graph, Literal, URIRef

from policykg.namespaces import (
    ADMS,
    CPOV,
    DCT,
    DEFAULT_BASE_IRI,
    ELI,
    EU_FREQUENCY,
    EU_LANGUAGE,
    NUTS,
    ORG,
    OWL,
    PKG,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SDG,
    SDG_SCHEME,
    SKOS,
    WD,
    XSD,
    Iris,
)

PROGRAM_TTL = REPO / "ontology" / "program.ttl"
SEED = Path("seeds") / "000_a214cf19dbf0a886.txt"
IRIS = Iris(DEFAULT_BASE_IRI)
LABELS = (RDFS.label, SKOS.prefLabel, ELI.title, DCT.title)


def shared_file(relative: Path | str) -> Path:
    return require_shared(str(relative))


def normalise(text: str) -> str:
    """Runs of whitespace collapsed to one space."""
    return re.sub(r"\s+", " ", text).strip()


def seed_text() -> str:
    """The document's text, whitespace-normalised. The seed marks emphasis
    (italics) Markdown-style with asterisks; they are formatting, not text."""
    return normalise(shared_file(SEED).read_text(encoding="utf-8").replace("*", ""))


def u(path: str) -> URIRef:
    return URIRef(IRIS(path))


@pytest.fixture(scope="module")
def g() -> Graph:
    return Graph().parse(PROGRAM_TTL, format="turtle", publicID=DEFAULT_BASE_IRI)


def lang_values(graph: Graph, subject, predicate, lang: str) -> list[str]:
    return [str(o) for o in graph.objects(subject, predicate) if isinstance(o, Literal) and o.language == lang]


def one(graph: Graph, subject, predicate):
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, f"{subject} {predicate}: {values}"
    return values[0]


def instances(graph: Graph, cls: URIRef) -> set:
    return set(graph.subjects(RDF.type, cls))


# --- parsing and the configurable base ------------------------------------------------


def test_pyoxigraph_reads_the_same_triples(g: Graph) -> None:
    quads = list(ox.parse(path=str(PROGRAM_TTL), format=ox.RdfFormat.TURTLE, base_iri=DEFAULT_BASE_IRI))
    assert len(quads) == len(g)


def test_file_has_no_base_and_no_absolute_instance_iris() -> None:
    text = PROGRAM_TTL.read_text(encoding="utf-8")
    assert not re.search(r"^\s*(@base|BASE)\b", text, re.M | re.I)
    assert f"<{DEFAULT_BASE_IRI}" not in text
    other = Graph().parse(PROGRAM_TTL, format="turtle", publicID="http://localhost:5000/kg/")
    iris = {t for triple in other for t in triple if isinstance(t, URIRef)}
    assert not [i for i in iris if i.startswith(DEFAULT_BASE_IRI)]
    assert URIRef("http://localhost:5000/kg/goal/1") in iris


# --- labels ---------------------------------------------------------------------------------


def test_every_typed_resource_has_a_label_in_swedish_and_english(g: Graph) -> None:
    missing = []
    for subject in set(g.subjects(RDF.type, None)):
        for lang in ("sv", "en"):
            if not any(lang_values(g, subject, p, lang) for p in LABELS):
                missing.append(f"{subject} @{lang}")
    assert not missing


def test_program_items_have_one_pref_label_per_language(g: Graph) -> None:
    for cls in (PKG.Goal, PKG.FocusArea, PKG.Commitment, PKG.Principle, PKG.Responsibility, PKG.Body, PKG.BodyCategory):
        for item in instances(g, cls):
            for lang in ("sv", "en"):
                assert len(lang_values(g, item, SKOS.prefLabel, lang)) == 1, (item, lang)


# --- the document ----------------------------------------------------------------------------


def test_the_document(g: Graph) -> None:
    program = u("program")
    assert {PKG.Program, ELI.LegalResource} <= set(g.objects(program, RDF.type))
    assert instances(g, PKG.Program) == {program}
    assert lang_values(g, program, ELI.title, "sv") == ["Internationellt program för Umeå kommun"]
    assert lang_values(g, program, ELI.title, "en")
    assert one(g, program, ELI.passed_by) == u("body/kommunfullmaktige")
    assert one(g, program, ELI.date_document) == Literal("2018-03-26", datatype=XSD.date)
    assert one(g, program, ELI.id_local) == Literal("KS-2017/00536-15")
    assert one(g, program, ELI.version) == Literal("1.0")
    assert one(g, program, PKG.documentOwner) == u("body/tillvaxt-naringslivsservice")
    assert lang_values(g, u("body/tillvaxt-naringslivsservice"), SKOS.prefLabel, "sv") == ["Tillväxt/Näringslivsservice"]
    assert one(g, program, ELI.language) == EU_LANGUAGE.SWE


SECTIONS = {
    1: "Bakgrund",
    2: "Mål",
    3: "Inriktning",
    4: "Principer",
    5: "Organisation och ansvarsfördelning",
    6: "Uppföljning",
}


def test_six_sections_with_their_titles(g: Graph) -> None:
    program = u("program")
    sections = instances(g, PKG.ProgramSection)
    assert sections == {u(f"program/section/{n}") for n in SECTIONS}
    assert set(g.objects(program, ELI.has_part)) == sections
    for number, title in SECTIONS.items():
        section = u(f"program/section/{number}")
        assert one(g, section, ELI.is_part_of) == program
        assert one(g, section, ELI.number) == Literal(str(number))
        assert lang_values(g, section, ELI.title, "sv") == [title]
        assert len(lang_values(g, section, ELI.title, "en")) == 1
        if (shared_dir() / SEED).is_file():
            assert f"{number}. {title}" in seed_text()


# --- goals, focus areas, commitments, principles ---------------------------------------------

GOALS = {  # the start of each goal's text, in the document's order
    1: "Umeå kommun uppfyller de kommunövergripande målen i den strategiska planen",
    2: "Skapa mervärde för Umeås invånare och näringsliv",
    3: "Synliggöra och profilera Umeå som en attraktiv kommun",
    4: "Synliggöra och positionera Umeå på den internationella arenan",
    5: "Ett närmande sker mellan folk, städer och regioner",
}

FOCUS_AREAS = {  # key: (ordinal, notation, Swedish name, number of commitments)
    "influence": (1, "i", "Påverkan och omvärldsbevakning", 5),
    "positioning": (2, "ii", "Positionering och näringsliv", 7),
    "international-umea": (3, "iii", "Internationella Umeå", 3),
    "organisational-development": (4, "iv", "Verksamhetsutveckling", 5),
}

PRINCIPLES = {  # key: (ordinal, the start of its text)
    "collaboration": (1, "Samarbete mellan Umeå kommun, akademi"),
    "strategic-focus": (2, "Umeå kommuns internationella arbete ska fokusera på samarbeten och projekt"),
    "strategic-networks": (3, "Nätverken som Umeå väljer att ingå i"),
    "agenda-2030": (4, "Umeå kommuns internationella arbete bidrar till att uppfylla FN:s globala"),
    "children-and-youth": (5, "Umeå kommun har ett tydligt barn och ungdomsfokus"),
    "aid-projects": (6, "Umeå kommun kan engagera sig i projekt av biståndskaraktär"),
}


def test_counts(g: Graph) -> None:
    assert len(instances(g, PKG.Goal)) == 5
    assert len(instances(g, PKG.FocusArea)) == 4
    assert len(instances(g, PKG.Principle)) == 6
    assert len(instances(g, PKG.ProgramSection)) == 6
    assert len(instances(g, PKG.Commitment)) == sum(n for *_, n in FOCUS_AREAS.values())


@pytest.mark.parametrize("number, start", sorted(GOALS.items()))
def test_goal(g: Graph, number: int, start: str) -> None:
    goal = u(f"goal/{number}")
    assert {PKG.Goal, SKOS.Concept} <= set(g.objects(goal, RDF.type))
    assert one(g, goal, PKG.ordinal) == Literal(number)
    assert one(g, goal, SKOS.notation) == Literal(str(number))
    assert one(g, goal, SKOS.inScheme) == u("scheme/goals")
    assert one(g, goal, SKOS.topConceptOf) == u("scheme/goals")
    assert one(g, goal, PKG.statedIn) == u("program/section/2")
    assert str(one(g, goal, PKG.verbatimText)).startswith(start)
    assert one(g, goal, PKG.translatedText).language == "en"


@pytest.mark.parametrize("key", sorted(FOCUS_AREAS))
def test_focus_area_and_its_commitments(g: Graph, key: str) -> None:
    ordinal, notation, name, count = FOCUS_AREAS[key]
    area = u(f"focus-area/{key}")
    assert {PKG.FocusArea, SKOS.Concept} <= set(g.objects(area, RDF.type))
    assert one(g, area, PKG.ordinal) == Literal(ordinal)
    assert one(g, area, SKOS.notation) == Literal(notation)
    assert lang_values(g, area, SKOS.prefLabel, "sv") == [name]
    assert one(g, area, SKOS.inScheme) == u("scheme/focus-areas")
    assert one(g, area, PKG.statedIn) == u("program/section/3")
    commitments = set(g.objects(area, PKG.hasCommitment))
    assert commitments == {u(f"focus-area/{key}/commitment/{n}") for n in range(1, count + 1)}
    area_text = normalise(str(one(g, area, PKG.verbatimText)))
    for n in range(1, count + 1):
        commitment = u(f"focus-area/{key}/commitment/{n}")
        assert {PKG.Commitment, SKOS.Concept} <= set(g.objects(commitment, RDF.type))
        assert one(g, commitment, PKG.ordinal) == Literal(n)
        assert one(g, commitment, SKOS.notation) == Literal(f"{notation}.{n}")
        assert one(g, commitment, SKOS.broader) == area
        assert one(g, commitment, SKOS.inScheme) == u("scheme/focus-areas")
        assert one(g, commitment, PKG.statedIn) == u("program/section/3")
        assert normalise(str(one(g, commitment, PKG.verbatimText))) in area_text


def test_commitments_are_distinct_and_in_document_order(g: Graph) -> None:
    for key in FOCUS_AREAS:
        area_text = normalise(str(one(g, u(f"focus-area/{key}"), PKG.verbatimText)))
        texts = [
            normalise(str(one(g, u(f"focus-area/{key}/commitment/{n}"), PKG.verbatimText)))
            for n in range(1, FOCUS_AREAS[key][3] + 1)
        ]
        positions = [area_text.index(t) for t in texts]
        assert positions == sorted(positions) and len(set(texts)) == len(texts), key


@pytest.mark.parametrize("key", sorted(PRINCIPLES))
def test_principle(g: Graph, key: str) -> None:
    ordinal, start = PRINCIPLES[key]
    principle = u(f"principle/{key}")
    assert {PKG.Principle, SKOS.Concept} <= set(g.objects(principle, RDF.type))
    assert one(g, principle, PKG.ordinal) == Literal(ordinal)
    assert one(g, principle, SKOS.inScheme) == u("scheme/principles")
    assert one(g, principle, PKG.statedIn) == u("program/section/4")
    assert str(one(g, principle, PKG.verbatimText)).startswith(start)


def test_concept_schemes_hold_their_top_concepts(g: Graph) -> None:
    for scheme, cls in (("goals", PKG.Goal), ("focus-areas", PKG.FocusArea), ("principles", PKG.Principle)):
        assert set(g.objects(u(f"scheme/{scheme}"), SKOS.hasTopConcept)) == instances(g, cls)
        assert lang_values(g, u(f"scheme/{scheme}"), SKOS.prefLabel, "sv")


# --- organisation and responsibilities ---------------------------------------------------------

RESPONSIBILITIES = {  # kind: (holder, {section: words of the sentence})
    "AdoptsProgram": ("kommunfullmaktige", {5: "Kommunfullmäktige antar det internationella programmet"}),
    "RepresentsOfficially": ("kommunfullmaktige", {5: "företräder kommunen vid officiell representation"}),
    "DecidesOnTwinTowns": ("kommunfullmaktige", {5: "fattar beslut om vänorter"}),
    "LeadsAndFollowsUp": ("kommunstyrelsen", {5: "löpande hantering, ledning och uppföljning"}),
    "AdoptsGuidelines": ("kommunstyrelsen", {5: "antar riktlinjer för internationellt arbete"}),
    "GovernsOwnWork": ("namnder-och-bolagsstyrelser", {5: "ansvarar för att styra och följa upp"}),
    "MonitorsOwnField": ("namnder-och-bolagsstyrelser", {5: "sin egen internationella omvärldsbevakning"}),
    "Supports": (
        "internationella-enheten",
        {5: "med stöd från internationella enheten", 3: "bistår Internationella enheten med stöd"},
    ),
}


@pytest.mark.parametrize("kind", sorted(RESPONSIBILITIES))
def test_responsibility(g: Graph, kind: str) -> None:
    holder, sections = RESPONSIBILITIES[kind]
    found = set(g.subjects(PKG.responsibilityKind, PKG[kind]))
    assert found and found <= instances(g, PKG.Responsibility)
    assert {one(g, r, PKG.heldBy) for r in found} == {u(f"body/{holder}")}
    by_section = {int(str(one(g, r, PKG.statedIn)).rsplit("/", 1)[1]): r for r in found}
    assert set(by_section) == set(sections) and len(by_section) == len(found)
    for number, words in sections.items():
        responsibility = by_section[number]
        assert words in str(one(g, responsibility, PKG.verbatimText))
        assert one(g, responsibility, PKG.translatedText).language == "en"
        assert str(responsibility).startswith(IRIS(f"responsibility/{holder}/"))


def test_support_says_whom_it_supports(g: Graph) -> None:
    supported = {
        one(g, r, PKG.statedIn): one(g, r, PKG.inSupportOf)
        for r in g.subjects(PKG.responsibilityKind, PKG.Supports)
    }
    assert supported == {
        u("program/section/5"): u("body/namnder-och-bolagsstyrelser"),
        u("program/section/3"): u("body/verksamheter-och-bolag"),
    }


def test_every_responsibility_kind_is_used() -> None:
    ont = Graph().parse(REPO / "ontology" / "policykg.ttl", format="turtle")
    assert set(ont.subjects(SKOS.inScheme, PKG.ResponsibilityKinds)) == {PKG[k] for k in RESPONSIBILITIES}


BODIES = {  # key: (pkg class, Swedish name)
    "kommunfullmaktige": (PKG.MunicipalCouncil, "Kommunfullmäktige"),
    "kommunstyrelsen": (PKG.ExecutiveBoard, "Kommunstyrelsen"),
    "internationella-enheten": (PKG.AdministrativeUnit, "Internationella enheten"),
    "tillvaxt-naringslivsservice": (PKG.AdministrativeUnit, "Tillväxt/Näringslivsservice"),
}


@pytest.mark.parametrize("key", sorted(BODIES))
def test_body(g: Graph, key: str) -> None:
    cls, name = BODIES[key]
    body = u(f"body/{key}")
    assert {cls, PKG.Body, ORG.OrganizationalUnit} <= set(g.objects(body, RDF.type))
    assert lang_values(g, body, SKOS.prefLabel, "sv") == [name]
    assert one(g, body, ORG.subOrganizationOf) == u("body/umea-kommun")
    assert (u("body/umea-kommun"), ORG.hasUnit, body) in g


@pytest.mark.parametrize(
    "key, classes",
    [
        ("namnder-och-bolagsstyrelser", {PKG.Board, PKG.CompanyBoard}),
        ("verksamheter-och-bolag", {PKG.AdministrativeUnit, PKG.Company}),
    ],
)
def test_body_category(g: Graph, key: str, classes: set) -> None:
    category = u(f"body/{key}")
    assert set(g.objects(category, RDF.type)) == {PKG.BodyCategory}
    assert set(g.objects(category, PKG.appliesToEach)) == classes
    assert one(g, category, PKG.withinOrganization) == u("body/umea-kommun")


def test_umea_kommun(g: Graph) -> None:
    kommun = u("body/umea-kommun")
    assert {ORG.FormalOrganization, CPOV.PublicOrganisation} <= set(g.objects(kommun, RDF.type))
    assert lang_values(g, kommun, SKOS.prefLabel, "sv") == ["Umeå kommun"]
    assert lang_values(g, kommun, SKOS.prefLabel, "en") == ["Umeå Municipality"]
    assert one(g, kommun, PKG.organisationNumber) == Literal("212000-2627")
    assert one(g, kommun, PKG.municipalityCode) == Literal("2480")
    assert one(g, kommun, PKG.nutsRegion) == NUTS.SE331
    # its link to Wikidata is a reviewed mapping (registries/umea/mappings/wikidata.sssom.tsv), not typed in here
    assert not list(g.objects(kommun, OWL.sameAs))
    assert one(g, kommun, SCHEMA.location) == WD.Q25579
    identifiers = {one(g, i, DCT.type): one(g, i, SKOS.notation) for i in g.objects(kommun, ADMS.identifier)}
    assert identifiers == {PKG.SwedishOrganisationNumbers: Literal("212000-2627"), PKG.ScbMunicipalityCodes: Literal("2480")}
    for identifier in g.objects(kommun, ADMS.identifier):
        assert (identifier, RDF.type, ADMS.Identifier) in g


def test_umea_kommun_identifiers_match_the_shared_reference_data() -> None:
    rows = list(csv.DictReader(shared_file("data/links/wikidata-ids/verified-qids.csv").open(encoding="utf-8")))
    municipality = next(r for r in rows if r["kind"] == "municipality" and r["entity"].startswith("Umeå"))
    assert municipality["qid"] == "Q507709" and "212000-2627" in municipality["evidence"]
    city = next(r for r in rows if r["kind"] == "city" and r["entity"].startswith("Umeå"))
    assert city["qid"] == "Q25579"


# --- rules ---------------------------------------------------------------------------------------


def test_follow_up_rule(g: Graph) -> None:
    rule = u("rule/follow-up")
    assert {PKG.FollowUpRule, PKG.GovernanceRule} <= set(g.objects(rule, RDF.type))
    assert one(g, rule, DCT.accrualPeriodicity) == EU_FREQUENCY.ANNUAL
    assert one(g, rule, PKG.reportedTo) == u("body/kommunstyrelsen")
    assert one(g, rule, PKG.performedBy) == u("body/verksamheter-och-bolag")
    assert one(g, rule, PKG.withinProcess) == PKG.OrdinaryFollowUp
    assert one(g, rule, PKG.concerns) == u("program")
    assert one(g, rule, PKG.statedIn) == u("program/section/6")
    assert "redovisas årligen till Kommunstyrelsen" in str(one(g, rule, PKG.verbatimText))


def test_review_rule(g: Graph) -> None:
    rule = u("rule/review")
    assert {PKG.ReviewRule, PKG.GovernanceRule} <= set(g.objects(rule, RDF.type))
    assert one(g, rule, PKG.occasion) == PKG.StartOfMandatePeriod
    assert one(g, rule, PKG.concerns) == u("program")
    assert one(g, rule, PKG.statedIn) == u("program/section/1")
    assert str(one(g, rule, PKG.verbatimText)) == "Det ska omprövas i början av varje mandatperiod."


def test_network_review_rule_from_the_principle(g: Graph) -> None:
    rule = u("rule/network-review")
    assert PKG.ReviewRule in set(g.objects(rule, RDF.type))
    assert one(g, rule, PKG.concerns) == PKG.NetworkMembership
    assert one(g, rule, PROV.wasDerivedFrom) == u("principle/strategic-networks")
    assert one(g, rule, PKG.statedIn) == u("program/section/4")


# --- background facts, the strategic plan, Agenda 2030 ----------------------------------------------


def test_background_facts(g: Graph) -> None:
    facts = instances(g, PKG.BackgroundFact)
    assert facts == {u("fact/foreign-born-share"), u("fact/agenda-2030-adopted"), u("fact/capital-of-culture-2014")}
    for fact in facts:
        assert one(g, fact, PKG.statedIn) == u("program/section/1")
    share = u("fact/foreign-born-share")
    value = one(g, share, PKG.populationShare)
    assert value.datatype == XSD.decimal and value.toPython() == Decimal("0.10")
    assert one(g, share, PKG.isLowerBound) == Literal(True)
    assert str(one(g, share, PKG.verbatimText)).startswith("Mer än 10 procent av befolkningen")
    agenda = u("fact/agenda-2030-adopted")
    assert one(g, agenda, PKG.referenceYear) == Literal("2015", datatype=XSD.gYear)
    assert one(g, agenda, PKG.statedCount) == Literal(17)
    assert one(g, agenda, DCT.subject) == URIRef(SDG_SCHEME)
    assert str(one(g, agenda, PKG.verbatimText)).startswith("Hösten 2015 antog FN 17 globala utvecklingsmål")
    culture = u("fact/capital-of-culture-2014")
    assert one(g, culture, PKG.referenceYear) == Literal("2014", datatype=XSD.gYear)
    assert "kulturhuvudstadsåret 2014" in str(one(g, culture, PKG.verbatimText))


def test_strategic_plan_vision_and_overall_goal(g: Graph) -> None:
    plan, vision, overall = u("strategic-plan"), u("strategic-plan/vision-2050"), u("strategic-plan/overall-goal")
    assert {PKG.StrategicPlan, ELI.LegalResource} <= set(g.objects(plan, RDF.type))
    assert set(g.objects(u("goal/1"), PKG.contributesTo)) == {plan, vision, overall}
    assert one(g, vision, PKG.targetPopulation) == Literal(200000)
    assert one(g, vision, PKG.targetYear) == Literal("2050", datatype=XSD.gYear)
    assert one(g, plan, PKG.hasVision) == vision
    assert one(g, plan, PKG.hasOverallGoal) == overall
    assert set(g.objects(overall, PKG.sustainabilityDimension)) == {
        PKG.SocialSustainability,
        PKG.EcologicalSustainability,
        PKG.CulturalSustainability,
        PKG.EconomicSustainability,
    }
    assert one(g, u("program"), ELI.cites) == plan


def test_the_program_and_its_principle_contribute_to_agenda_2030(g: Graph) -> None:
    agenda = URIRef(SDG_SCHEME)
    assert set(g.subjects(PKG.contributesTo, agenda)) == {u("program"), u("principle/agenda-2030")}


def test_the_17_sdgs(g: Graph) -> None:
    goals = [SDG[str(n)] for n in range(1, 18)]
    for goal in goals:
        assert len(lang_values(g, goal, RDFS.label, "sv")) == 1, goal
        assert len(lang_values(g, goal, RDFS.label, "en")) == 1, goal
        assert not list(g.objects(goal, SKOS.prefLabel)), "the UN's files carry the prefLabels"
        assert str(one(g, goal, SKOS.exactMatch)).startswith(str(WD))
    assert lang_values(g, SDG["11"], RDFS.label, "en") == ["Sustainable cities and communities"]
    assert lang_values(g, SDG["17"], RDFS.label, "en") == ["Partnerships for the goals"]
    # Nothing else under the SDG namespace: targets and indicators come from the UN's files.
    sdg_subjects = {s for s in g.subjects() if str(s).startswith(str(SDG))}
    assert sdg_subjects == set(goals)


def test_sdg_names_and_wikidata_items_match_the_shared_reference_data(g: Graph) -> None:
    names = {
        r["un_sdg_iri"]: r["name_sv"]
        for r in csv.DictReader(shared_file("data/un-sdg/sdg-goals-sv.csv").open(encoding="utf-8"))
    }
    assert len(names) == 17
    for iri, name in names.items():
        assert lang_values(g, URIRef(iri), RDFS.label, "sv") == [name]
    qids = {}
    for row in csv.DictReader(shared_file("data/links/wikidata-ids/verified-qids.csv").open(encoding="utf-8")):
        match = re.match(r"SDG (\d+):", row["entity"])
        if match:
            qids[SDG[match.group(1)]] = URIRef(row["wikidata_iri"])
    assert len(qids) == 17
    for goal, item in qids.items():
        assert one(g, goal, SKOS.exactMatch) == item


# --- qualified links ------------------------------------------------------------------------------


def test_every_stated_link_has_its_qualified_form(g: Graph) -> None:
    stated = set(g.subject_objects(PKG.contributesTo))
    qualified = set()
    for link in instances(g, PKG.TraceLink):
        source, prop, target = (one(g, link, p) for p in (PKG.linkSource, PKG.linkProperty, PKG.linkTarget))
        assert (source, prop, target) in g, link
        assert (source, PKG.qualifiedLink, link) in g, link
        assert one(g, link, PKG.basis) == PKG.StatedInProgram
        assert PKG.ProgramSection in set(g.objects(one(g, link, PROV.wasDerivedFrom), RDF.type))
        if prop == PKG.contributesTo:
            qualified.add((source, target))
    assert qualified == stated


# --- verbatim text --------------------------------------------------------------------------------


def test_every_verbatim_text_is_in_the_document(g: Graph) -> None:
    document = seed_text()
    values = list(g.subject_objects(PKG.verbatimText))
    assert len(values) > 50
    missing = [f"{s}: {str(o)[:60]}" for s, o in values if normalise(str(o)) not in document]
    assert not missing, "\n".join(missing)
    assert all(o.language == "sv" for _, o in values)


def test_every_verbatim_text_has_an_english_translation(g: Graph) -> None:
    for subject in set(g.subjects(PKG.verbatimText, None)):
        translations = list(g.objects(subject, PKG.translatedText))
        assert [t.language for t in translations] == ["en"], subject
        assert str(translations[0]) != str(one(g, subject, PKG.verbatimText))


def test_the_whole_of_sections_2_to_6_is_carried_by_the_data(g: Graph) -> None:
    """Every sentence of the goals, focus areas, principles, responsibilities and
    follow-up is some item's verbatim text (headings and lead-ins aside)."""
    document = shared_file(SEED).read_text(encoding="utf-8").replace("*", "")
    body = document[document.index("2. Mål") :]
    carried = " ".join(normalise(str(o)) for o in g.objects(None, PKG.verbatimText))
    headings = {"Kommunfullmäktige", "Kommunstyrelsen", "Nämnder och bolagsstyrelser"}
    for line in body.splitlines():
        line = normalise(line.lstrip("- "))
        if not line or re.match(r"^(\d\.|[iv]+\))", line) or line in headings:
            continue
        for sentence in re.split(r"(?<=[.:])\s+(?=[A-ZÅÄÖ])", line):
            assert sentence.rstrip(".") in carried, sentence
