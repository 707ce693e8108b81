"""What the pages show of the links with other datasets (docs/linking.md).

A resource's page shows its identifiers and its links to outside datasets (the named
query ``outside-links``), where each came from and, for a reviewed mapping, who reviewed
it and why; an organisation's page its EU project participations (``eu-participations``);
a goal's or focus area's page its indicators, each KPI's values by year as a chart with
the table beside it; the landing page the datasets of others that our graphs copy.

Every question runs on the one answer path (:mod:`server.answering`) with its
parameters bound as RDF terms; each is asked only of a resource that can have an answer
(one with an identifier or a link; one ``owl:sameAs`` something; a goal or focus area).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pyoxigraph as ox

from policykg.namespaces import ADMS, DCT, FOAF, OWL, PKG, SCHEMA, SDMX_CODE, SDMX_DIMENSION, SDMX_MEASURE, SKOS, SSSOM
from policykg.report.charts import COLOURS, line_chart
from policykg.runtime.executor import Limits, QueryJob

from . import answering, context
from .present import LINK_SCHEMES, language, local_path, pick

#: The properties that link a resource to other people's data (as the query outside-links has them).
LINK_PROPERTIES = tuple(str(p) for p in (OWL.sameAs, SKOS.exactMatch, SKOS.closeMatch, SCHEMA.sameAs, PKG.nutsRegion, PKG.country, PKG.county))
IDENTIFIER = str(ADMS.identifier)
SAME_AS = str(OWL.sameAs)
#: What has indicators (pkg:indicatorOf).
INDICATED = (str(PKG.Goal), str(PKG.FocusArea))
#: Series in one chart at most (one colour each); the table has them all.
MAX_SERIES = len(COLOURS)
#: The review statuses of a mapping (SSSOM review_status) that the pages name in their language.
REVIEW_STATUSES = ("accepted", "review", "rejected")

#: The datasets of others that our graphs copy (as the VoID's dct:relation), named by their title or label.
LINKED_DATASETS = f"""
PREFIX dct: <{DCT}>
PREFIX foaf: <{FOAF}>
PREFIX skos: <{SKOS}>
PREFIX sssom: <{SSSOM}>
SELECT ?g ?source ?title ?homepage ?licence WHERE {{
  GRAPH ?g {{
    ?g dct:source ?source .
    FILTER NOT EXISTS {{ ?source a sssom:MappingSet }}
    OPTIONAL {{ ?source dct:title|skos:prefLabel ?title }}
    OPTIONAL {{ ?source foaf:homepage ?homepage }}
    OPTIONAL {{ ?g dct:license ?licence }}
  }}
}}"""
SCHEMES = f"""
PREFIX skos: <{SKOS}>
PREFIX pkg: <{PKG}>
SELECT ?scheme ?label WHERE {{ ?scheme skos:inScheme pkg:IdentifierSchemes ; skos:prefLabel ?label }}"""
INDICATORS = f"""
PREFIX pkg: <{PKG}>
PREFIX skos: <{SKOS}>
PREFIX sdmx-dimension: <{SDMX_DIMENSION}>
PREFIX sdmx-measure: <{SDMX_MEASURE}>
PREFIX sdmx-code: <{SDMX_CODE}>
SELECT ?goal ?home ?group ?indicator ?graph ?kpi ?kpi_title ?rationale ?area ?area_label ?year ?value WHERE {{
  GRAPH ?graph {{ ?indicator a pkg:Indicator ; pkg:indicatorOf ?goal ; pkg:kpi ?kpi }}
  OPTIONAL {{ ?kpi skos:prefLabel ?kpi_title }}
  OPTIONAL {{ ?indicator pkg:rationale ?rationale }}
  OPTIONAL {{
    ?observation pkg:kpi ?kpi ; sdmx-dimension:refArea ?area ; sdmx-dimension:sex sdmx-code:sex-T ;
                 sdmx-dimension:refPeriod ?year ; sdmx-measure:obsValue ?value .
    FILTER(?area = ?home || EXISTS {{ ?group skos:member ?area }})
    OPTIONAL {{ ?area skos:prefLabel ?area_label }}
  }}
}} ORDER BY ?indicator ?area ?year"""
#: A KPI's values for the first areas that have any, when neither Umeå nor its group has one.
OTHER_AREAS = f"""
PREFIX pkg: <{PKG}>
PREFIX skos: <{SKOS}>
PREFIX sdmx-dimension: <{SDMX_DIMENSION}>
PREFIX sdmx-measure: <{SDMX_MEASURE}>
PREFIX sdmx-code: <{SDMX_CODE}>
SELECT ?kpi ?area ?area_label ?year ?value WHERE {{
  {{ SELECT DISTINCT ?area WHERE {{ ?any pkg:kpi ?kpi ; sdmx-dimension:refArea ?area ; sdmx-dimension:sex sdmx-code:sex-T }}
     ORDER BY ?area LIMIT {MAX_SERIES} }}
  ?observation pkg:kpi ?kpi ; sdmx-dimension:refArea ?area ; sdmx-dimension:sex sdmx-code:sex-T ;
               sdmx-dimension:refPeriod ?year ; sdmx-measure:obsValue ?value .
  OPTIONAL {{ ?area skos:prefLabel ?area_label }}
}} ORDER BY ?area ?year"""


def _rows(key: str, sparql: str, **bindings: ox.NamedNode) -> list[dict]:
    """The rows (SPARQL JSON bindings) of ``sparql`` with ``bindings`` as RDF terms."""
    settings = context.settings()
    job = QueryJob(sparql, Limits(settings.max_result_rows, settings.max_response_bytes), substitutions=bindings)
    cache_key = ("linking", key, tuple(sorted((k, v.value) for k, v in bindings.items())))
    answered = answering.answer(job, text=sparql, cache_key=cache_key)
    return json.loads(answered.value.body)["results"]["bindings"]


def _value(row: dict, name: str) -> str | None:
    cell = row.get(name)
    return cell["value"] if cell else None


def _labels(rows: list[dict], name: str) -> dict[str, str]:
    return {row[name].get("xml:lang", ""): row[name]["value"] for row in rows if row.get(name)}


def page_sections(description) -> dict:
    """What a resource's page shows of its links: each part asked only where it can have an answer."""
    found: dict = {"links": [], "schemes": {}, "origins": {}, "external": set(), "eu": [], "indicators": [], "max_series": MAX_SERIES,
                   "statuses": REVIEW_STATUSES}
    if has_links(description):
        found["links"] = outside_links(description.iri)
        reference = {graph for dataset in linked_datasets() for graph in dataset["graphs"]}
        found["origins"] = {link.graph: graph_kind(link.graph, reference) for link in found["links"]}
        found["external"] = {link.value for link in found["links"]
                             if link.kind == "link" and local_path(link.value) is None and link.value[:7].lower().startswith(LINK_SCHEMES)}
        if any(link.kind == "identifier" for link in found["links"]):
            found["schemes"] = scheme_labels()
    if any(prop == SAME_AS for prop, _, _ in description.outgoing):
        found["eu"] = eu_participations(description.iri)
    if is_indicated(description):
        found["indicators"] = indicators(description.iri)
    return found


# --- identifiers and outside links -------------------------------------------------------


@dataclass
class OutsideLink:
    """An identifier (``kind`` identifier: ``value`` the code) or a link (``value`` an IRI)."""

    kind: str
    property: str
    value: str
    graph: str | None
    scheme: str | None = None
    justification: str | None = None
    confidence: str | None = None
    status: str | None = None
    reviewer: str | None = None
    reason: str | None = None


def has_links(description) -> bool:
    return any(prop == IDENTIFIER or prop in LINK_PROPERTIES for prop, _, _ in description.outgoing)


def outside_links(iri: str) -> list[OutsideLink]:
    """The resource's identifiers and links, by the named query ``outside-links``."""
    query = context.named_queries()["outside-links"]
    found = []
    for row in _rows("outside-links", query.sparql, resource=ox.NamedNode(iri)):
        found.append(OutsideLink(*(_value(row, n) for n in ("kind", "property", "value", "graph", "scheme", "justification",
                                                            "confidence", "status", "reviewer", "reason"))))
    return found


def scheme_labels() -> dict[str, dict[str, str]]:
    """The identifier schemes' labels, by language."""
    found: dict[str, dict[str, str]] = {}
    for row in _rows("schemes", SCHEMES):
        found.setdefault(row["scheme"]["value"], {})[row["label"].get("xml:lang", "")] = row["label"]["value"]
    return found


def graph_kind(graph: str | None, reference: set[str]) -> str:
    """Where a statement comes from: ``mapping-set``, ``reference``, ``program`` or ``registry``."""
    iris = context.settings().iris
    if graph is None:
        return "registry"
    if graph.startswith(iris.graph("linkset/")):
        return "mapping-set"
    if graph in reference:
        return "reference"
    return "program" if graph == iris.graph("program") else "registry"


# --- EU project participations -----------------------------------------------------------


def eu_participations(iri: str) -> list[dict]:
    """The organisation's participations in EU projects (``eu-participations``), as plain values."""
    query = context.named_queries()["eu-participations"]
    rows = _rows("eu-participations", query.sparql, organisation=ox.NamedNode(iri))
    names = ("programme", "project", "title", "role", "start", "end", "amount", "currency", "amount_meaning", "named",
             "record", "source", "mapping", "reviewer")
    found = []
    for row in rows:
        item = {name: _value(row, name) for name in names}
        item["langs"] = {name: row[name].get("xml:lang") for name in ("role", "amount_meaning", "title") if row.get(name)}
        found.append(item)
    return found


# --- indicators ------------------------------------------------------------------------------


@dataclass
class Indicator:
    """One KPI that follows a goal: its rationale and its values by year, by area."""

    iri: str
    graph: str
    kpi: str
    titles: dict[str, str] = field(default_factory=dict)
    rationale: dict[str, str] = field(default_factory=dict)
    areas: dict[str, dict[str, str]] = field(default_factory=dict)  # area -> its labels
    values: dict[str, dict[str, float]] = field(default_factory=dict)  # area -> year -> value
    lexical: dict[tuple[str, str], str] = field(default_factory=dict)  # (area, year) -> the value as stored
    shown: str = "home"  # home (Umeå and its group), others (the first areas that have values), none

    @property
    def years(self) -> list[str]:
        return sorted({year for by_year in self.values.values() for year in by_year})

    def area_name(self, area: str) -> str:
        return pick(self.areas.get(area), language())[0] or area.rsplit("/", 1)[-1]

    def names(self) -> list[str]:
        return [self.area_name(area) for area in list(self.values)[:MAX_SERIES]]

    def shown_value(self, area: str, year: str) -> str:
        return self.lexical.get((area, year), "")

    def chart(self, ident: str, title: str, description: str):
        """An accessible SVG line chart of the first :data:`MAX_SERIES` areas."""
        years = self.years
        series = [(self.area_name(area), [self.values[area].get(year) for year in years])
                  for area in list(self.values)[:MAX_SERIES]]
        return line_chart(ident, title, description, years, series)


def is_indicated(description) -> bool:
    return any(kind in INDICATED for kind in description.types)


def indicators(goal: str) -> list[Indicator]:
    """The goal's indicators with the values of Umeå and its comparison group; for a KPI
    that has none of those, the values of the first areas that have any."""
    settings = context.settings()
    home = ox.NamedNode(settings.iris.municipality(settings.kolada_municipality))
    group = ox.NamedNode(settings.iris.kolada_group(settings.kolada_group))
    rows = _rows("indicators", INDICATORS, goal=ox.NamedNode(goal), home=home, group=group)
    found: dict[str, Indicator] = {}
    for row in rows:
        iri = row["indicator"]["value"]
        item = found.setdefault(iri, Indicator(iri, row["graph"]["value"], row["kpi"]["value"]))
        _add(item, row)
    for item in found.values():
        if not item.values:
            item.shown = "others"
            for row in _rows("indicator-areas", OTHER_AREAS, kpi=ox.NamedNode(item.kpi)):
                _add(item, row)
        if not item.values:
            item.shown = "none"
        elif home.value in item.values:  # Umeå first
            item.values = {home.value: item.values[home.value], **item.values}
    return list(found.values())


def _add(item: Indicator, row: dict) -> None:
    for name, into in (("kpi_title", item.titles), ("rationale", item.rationale)):
        if row.get(name):
            into[row[name].get("xml:lang", "")] = row[name]["value"]
    area = _value(row, "area")
    if area is None or row.get("value") is None:
        return
    if row.get("area_label"):
        item.areas.setdefault(area, {})[row["area_label"].get("xml:lang", "")] = row["area_label"]["value"]
    try:
        item.values.setdefault(area, {})[row["year"]["value"]] = float(row["value"]["value"])
        item.lexical[(area, row["year"]["value"])] = row["value"]["value"]
    except ValueError:
        pass  # not a number: Kolada's values are decimals, so this is not one of its rows


# --- the landing page --------------------------------------------------------------------


def linked_datasets() -> list[dict]:
    """The datasets of others that our graphs copy: title, homepage (the publisher's), licence, graphs."""
    found: dict[str, dict] = {}
    for row in _rows("linked-datasets", LINKED_DATASETS):
        source = row["source"]["value"]
        item = found.setdefault(source, {"iri": source, "titles": {}, "homepage": None, "licence": None, "graphs": []})
        item["titles"].update(_labels([row], "title"))
        item["homepage"] = _value(row, "homepage") or item["homepage"]
        item["licence"] = _value(row, "licence") or item["licence"]
        if row["g"]["value"] not in item["graphs"]:
            item["graphs"].append(row["g"]["value"])
    return sorted(found.values(), key=lambda d: (pick(d["titles"], language())[0] or d["iri"]).casefold())
