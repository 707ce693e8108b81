"""What ``policykg link TARGET`` compares: our organisations, and the candidates of each target,
read from the published store (``policykg build`` loads the reference datasets first).

Targets: ``wikidata`` (items of Swedish public bodies and places, ``owl:sameAs``),
``se-municipalities`` (Sweden's municipalities and counties, ``skos:exactMatch``) and
``eu-projects`` (organisations as the EU project records name them, ``owl:sameAs``; one
organisation may appear under several spellings there, so it may link to several).
"""

from __future__ import annotations

import pyoxigraph as ox

from policykg.config import Settings
from policykg.namespaces import (
    ADMS,
    CPOV,
    DCT,
    EURIO,
    ORG,
    OWL,
    PKG,
    RDFS,
    SCHEMA,
    SKOS,
    WIKIDATA_DATASET,
    nn,
)
from policykg.loaders.identifiers import SCHEMES

from .discovery import Record, Target

#: The identifier schemes by their concept (``dct:type`` of an identifier).
SCHEME_OF = {scheme.concept: key for key, scheme in SCHEMES.items()}
LINK_PREDICATES = (OWL.sameAs, SKOS.exactMatch, SKOS.closeMatch, SCHEMA.sameAs)

PREFIXES = f"""
PREFIX adms: <{ADMS}>
PREFIX cpov: <{CPOV}>
PREFIX dct: <{DCT}>
PREFIX eurio: <{EURIO}>
PREFIX org: <{ORG}>
PREFIX pkg: <{PKG}>
PREFIX rdfs: <{RDFS}>
PREFIX skos: <{SKOS}>
"""

OUR_ORGANISATIONS = PREFIXES + """
SELECT DISTINCT ?base ?s ?name ?rank WHERE {
  { ?s a org:Organization } UNION { ?s a org:FormalOrganization } UNION { ?s a pkg:Body } UNION { ?s a cpov:PublicOrganisation }
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?base))
  { ?s skos:prefLabel ?name BIND(0 AS ?rank) } UNION { ?s rdfs:label ?name BIND(1 AS ?rank) }
} ORDER BY ?s ?rank (LANG(?name) != "sv") ?name"""

_IDENTIFIERS = """
  { ?s adms:identifier [ skos:notation ?code ; dct:type ?scheme ] }
  UNION { ?s pkg:organisationNumber ?code BIND(pkg:SwedishOrganisationNumbers AS ?scheme) }
  UNION { ?s pkg:municipalityCode ?code BIND(pkg:ScbMunicipalityCodes AS ?scheme) }"""
IDENTIFIERS = PREFIXES + "SELECT DISTINCT ?s ?scheme ?code WHERE {" + _IDENTIFIERS + "\n}"
IDENTIFIERS_IN_GRAPH = PREFIXES + "SELECT DISTINCT ?g ?s ?scheme ?code WHERE { GRAPH ?g {" + _IDENTIFIERS + "\n} }"

CANDIDATES = {
    "wikidata": PREFIXES + """
SELECT DISTINCT ?g ?s ?name ?rank WHERE { GRAPH ?g {
  { ?s skos:prefLabel ?name BIND(0 AS ?rank) } UNION { ?s skos:altLabel ?name BIND(1 AS ?rank) } } }
ORDER BY ?s ?rank (LANG(?name) != "sv") ?name""",
    "se-municipalities": PREFIXES + """
SELECT DISTINCT ?g ?s ?name ?rank WHERE { GRAPH ?g { { ?s a pkg:Municipality } UNION { ?s a pkg:County }
  { ?s skos:prefLabel ?name BIND(0 AS ?rank) } UNION { ?s skos:altLabel ?name BIND(1 AS ?rank) } } }
ORDER BY ?s ?rank (LANG(?name) != "sv") ?name""",
    "eu-projects": PREFIXES + """
SELECT DISTINCT ?g ?s ?name WHERE { GRAPH ?g { ?s a eurio:Organisation ; eurio:legalName ?name } } ORDER BY ?s ?name""",
}

EXISTING_LINKS = """
SELECT DISTINCT ?mine ?s ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?g != ?mine) }"""


def targets(settings: Settings) -> dict[str, Target]:
    iris = settings.iris
    return {
        "wikidata": Target("wikidata", "Wikidata", str(OWL.sameAs), WIKIDATA_DATASET),
        "se-municipalities": Target("se-municipalities", "Sweden's municipalities and counties", str(SKOS.exactMatch),
                                    iris.graph("se-municipalities")),
        "eu-projects": Target("eu-projects", "EU project records of Västerbotten", str(OWL.sameAs),
                              iris.graph("eu-projects"), one_to_one=False),
    }


def _records(rows, keys: dict[str, dict[str, set[str]]]) -> list[Record]:
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row["s"].value, []).append(row["name"].value)
    return [Record(iri, names, keys.get(iri, {})) for iri, names in found.items()]


def _identifiers(reader: ox.Store, graph: str | None = None) -> dict[str, dict[str, set[str]]]:
    query = IDENTIFIERS if graph is None else IDENTIFIERS_IN_GRAPH
    bindings = {} if graph is None else {ox.Variable("g"): nn(graph)}
    keys: dict[str, dict[str, set[str]]] = {}
    for row in reader.query(query, substitutions=bindings, use_default_graph_as_union=True):
        scheme = SCHEME_OF.get(row["scheme"].value)
        if scheme:
            keys.setdefault(row["s"].value, {}).setdefault(scheme, set()).add(row["code"].value)
    return keys


def our_organisations(reader: ox.Store, settings: Settings) -> list[Record]:
    """Our bodies and partners, with their names (any language) and identifiers."""
    rows = reader.query(OUR_ORGANISATIONS, substitutions={ox.Variable("base"): ox.Literal(settings.base_iri)},
                        use_default_graph_as_union=True)
    return _records(rows, _identifiers(reader))


def candidates(reader: ox.Store, settings: Settings, target: Target) -> list[Record]:
    """The entities of the target's graph, with their names and identifiers."""
    graph = settings.iris.graph(target.name)
    rows = reader.query(CANDIDATES[target.name], substitutions={ox.Variable("g"): nn(graph)})
    return _records(rows, _identifiers(reader, graph))


def existing_links(reader: ox.Store, settings: Settings, target: Target) -> set[tuple[str, str]]:
    """(subject, object) pairs already linked outside the target's own linkset graph (a registry's
    Wikidata column, the reference data): discovery does not propose them again (nor, for a
    one-to-one target, anything else for their subjects)."""
    mine = nn(settings.iris.graph(f"linkset/{target.name}"))
    pairs: set[tuple[str, str]] = set()
    for predicate in LINK_PREDICATES:
        query = EXISTING_LINKS.replace("?s ?p ?o", f"?s <{predicate}> ?o")
        pairs |= {(r["s"].value, r["o"].value) for r in reader.query(query, substitutions={ox.Variable("mine"): mine})}
    return pairs
