"""What the reconciliation service offers: the types one can reconcile against and the
properties one can match on or fetch (data extension), each named in Swedish and English.

A type's id is its class IRI; an entity belongs to it when it has one of ``classes``
(the store does no inference). A property's values are found by ``sparql``, which binds
``?item`` (an entity of the index) and ``?value``; the "work" properties (goals, focus
areas, principles, SDG targets) are those of the entity itself or, for a body, network or
partner, of the work it is responsible for, is the network of, or takes part in.
"""

from __future__ import annotations

from dataclasses import dataclass

from policykg.namespaces import ADMS, CPOV, OWL, ORG, PKG, SCHEMA, SDG, SKOS


@dataclass(frozen=True)
class EntityType:
    key: str
    id: str
    name: dict[str, str]
    description: dict[str, str]
    classes: tuple[str, ...]


@dataclass(frozen=True)
class Property:
    id: str
    name: dict[str, str]
    description: dict[str, str]
    #: "entity" (values are entities of the service, of ``value_type``) or "string".
    kind: str
    value_type: str | None = None
    sparql: str | None = None
    #: How values are compared in a match condition: "entity", "text" or "code" (digits and letters only).
    compare: str = "text"


def _names(sv: str, en: str) -> dict[str, str]:
    return {"sv": sv, "en": en}


TYPES: tuple[EntityType, ...] = (
    EntityType("goal", str(PKG.Goal), _names("Mål", "Goal"),
               _names("Ett av programmets fem mål", "One of the program's five goals"), (str(PKG.Goal),)),
    EntityType("focus-area", str(PKG.FocusArea), _names("Inriktning", "Focus area"),
               _names("En av programmets fyra inriktningar", "One of the program's four focus areas"), (str(PKG.FocusArea),)),
    EntityType("principle", str(PKG.Principle), _names("Princip", "Principle"),
               _names("En av programmets principer", "One of the program's principles"), (str(PKG.Principle),)),
    EntityType("body", str(PKG.Body), _names("Organ", "Body"),
               _names("Nämnd, styrelse, förvaltning eller bolag i kommunen", "A board, committee, unit or company of the municipality"),
               (str(PKG.Body),)),
    EntityType("project", str(PKG.Project), _names("Projekt", "Project"),
               _names("Ett internationellt projekt", "An international project"), (str(PKG.Project),)),
    EntityType("network", str(PKG.Network), _names("Nätverk", "Network"),
               _names("Ett internationellt nätverk", "An international network"), (str(PKG.Network),)),
    EntityType("organisation", str(ORG.Organization), _names("Organisation", "Organisation"),
               _names("Kommunen, en partner, ett nätverk eller ett bolag", "The municipality, a partner, a network or a company"),
               (str(ORG.Organization), str(ORG.FormalOrganization), str(CPOV.PublicOrganisation))),
)
TYPES_BY_ID = {t.id: t for t in TYPES}
TYPES_BY_KEY = {t.key: t for t in TYPES}
#: Types whose members are numbered by the program (skos:notation): "Mål 2", "Goal 2" name them too.
NUMBERED = ("goal", "focus-area", "principle")

_PREFIXES = f"""PREFIX pkg: <{PKG}>
PREFIX org: <{ORG}>
PREFIX skos: <{SKOS}>
PREFIX adms: <{ADMS}>
PREFIX owl: <{OWL}>
PREFIX schema: <{SCHEMA}>
"""


def _through_work(predicate: str) -> str:
    """Values of ``predicate`` on the entity, or on the work it is responsible for, is the network of, or partners in."""
    return _PREFIXES + f"""SELECT DISTINCT ?item ?value WHERE {{
  {{ ?item {predicate} ?value }}
  UNION {{ ?work pkg:responsibleBody ?item ; {predicate} ?value }}
  UNION {{ ?work org:organization ?item ; {predicate} ?value }}
  UNION {{ ?work pkg:partner ?item ; {predicate} ?value }}
}}"""


PROPERTIES: tuple[Property, ...] = (
    Property("goals", _names("Mål som tjänas", "Goals served"),
             _names("Programmets mål som arbetet tjänar (för ett organ, nätverk eller en partner: genom dess arbete)",
                    "The program's goals the work serves (for a body, network or partner: through its work)"),
             "entity", str(PKG.Goal), _through_work("pkg:servesGoal"), "entity"),
    Property("focusAreas", _names("Inriktningar", "Focus areas"),
             _names("Programmets inriktningar som arbetet hör till", "The program's focus areas the work belongs to"),
             "entity", str(PKG.FocusArea), _through_work("pkg:withinFocusArea"), "entity"),
    Property("principles", _names("Principer", "Principles"),
             _names("Programmets principer som arbetet tillämpar", "The program's principles the work applies"),
             "entity", str(PKG.Principle), _through_work("pkg:appliesPrinciple"), "entity"),
    Property("sdgTargets", _names("Delmål i Agenda 2030", "SDG targets"),
             _names("Delmål i FN:s globala mål som arbetet bidrar till (kod, t.ex. 11.3)",
                    "Targets of the UN Sustainable Development Goals the work contributes to (code, e.g. 11.3)"),
             "string", None, _through_work("pkg:contributesToTarget"), "code"),
    Property("responsibleBody", _names("Ansvarigt organ", "Responsible body"),
             _names("Organet som ansvarar för arbetet (för ett nätverk: organen som är medlemmar)",
                    "The body responsible for the work (for a network: the member bodies)"),
             "entity", str(PKG.Body), _PREFIXES + """SELECT DISTINCT ?item ?value WHERE {
  { ?item pkg:responsibleBody ?value } UNION { ?membership org:organization ?item ; org:member ?value }
}""", "entity"),
    Property("partners", _names("Partner", "Partners"),
             _names("Organisationer som arbetet görs tillsammans med", "Organisations the work is done with"),
             "entity", str(ORG.Organization), _PREFIXES + "SELECT DISTINCT ?item ?value WHERE { ?item pkg:partner ?value }", "entity"),
    Property("country", _names("Land", "Country"),
             _names("Landets kod i EU:s landtabell (t.ex. SWE)", "The country's code in the EU country table (e.g. SWE)"),
             "string", None, _PREFIXES + "SELECT DISTINCT ?item ?value WHERE { ?item pkg:country ?value }", "code"),
    Property("identifiers", _names("Identifierare", "Identifiers"),
             _names("Organisationsnummer, kommunkod och andra identifierare (adms:identifier)",
                    "Organisation number, municipality code and other identifiers (adms:identifier)"),
             "string", None, _PREFIXES + """SELECT DISTINCT ?item ?value WHERE {
  { ?item adms:identifier/skos:notation ?value } UNION { ?item pkg:organisationNumber ?value }
  UNION { ?item pkg:municipalityCode ?value }
}""", "code"),
    Property("sameAs", _names("Samma som (andra datamängder)", "Same as (other datasets)"),
             _names("Entitetens IRI i andra datamängder, t.ex. Wikidata", "The entity's IRI in other datasets, e.g. Wikidata"),
             "string", None, _PREFIXES + """SELECT DISTINCT ?item ?value WHERE {
  ?item owl:sameAs|schema:sameAs|skos:exactMatch|skos:closeMatch ?value FILTER(isIRI(?value))
}""", "code"),
    Property("nameSv", _names("Namn på svenska", "Name in Swedish"),
             _names("Entitetens svenska namn", "The entity's Swedish name"), "string"),
    Property("nameEn", _names("Namn på engelska", "Name in English"),
             _names("Entitetens engelska namn", "The entity's English name"), "string"),
)
PROPERTIES_BY_ID = {p.id: p for p in PROPERTIES}
#: A UN SDG target's code is what follows this namespace in its IRI (11.3).
SDG_NAMESPACE = str(SDG)
