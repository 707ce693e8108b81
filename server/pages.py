"""Human-readable pages: the landing page, and the health check."""

from __future__ import annotations

import json

from flask import Blueprint

from policykg import formats
from policykg.runtime.executor import Limits, QueryJob
from policykg.store import StoreNotBuilt

from . import answering, context, linking
from .rendering import Output

pages = Blueprint("pages", __name__)

#: What the landing page counts; partnerships are typed with their subclasses.
COUNTS = """
PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?class (COUNT(DISTINCT ?item) AS ?count) WHERE {
  { VALUES ?class { pkg:Goal pkg:FocusArea pkg:Principle pkg:Body pkg:Responsibility
                    pkg:Project pkg:Activity pkg:Network pkg:NetworkMembership }
    ?item a ?class }
  UNION
  { BIND(pkg:Partnership AS ?class) ?item a/rdfs:subClassOf* pkg:Partnership }
} GROUP BY ?class"""
GOALS = """
PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?kind ?item ?ordinal ?sv ?en WHERE {
  VALUES ?kind { pkg:Goal pkg:FocusArea pkg:Principle }
  ?item a ?kind ; pkg:ordinal ?ordinal .
  OPTIONAL { ?item skos:prefLabel ?sv FILTER(lang(?sv) = "sv") }
  OPTIONAL { ?item skos:prefLabel ?en FILTER(lang(?en) = "en") }
} ORDER BY ?kind ?ordinal"""
#: The order of the counts on the page.
COUNTED = ("Goal", "FocusArea", "Principle", "Body", "Responsibility", "Project", "Activity", "Network", "NetworkMembership", "Partnership")


def _select(key: str, sparql: str) -> list[dict]:
    """Rows (SPARQL JSON bindings) of one of our own queries, on the answer path."""
    settings = context.settings()
    job = QueryJob(sparql, Limits(settings.max_result_rows, settings.max_response_bytes))
    return json.loads(answering.answer(job, cache_key=("pages", key)).value.body)["results"]["bindings"]


@pages.get("/")
def landing():
    """What the dataset is, what it holds, where to start, how to get and cite it."""
    counts, items = {}, {"Goal": [], "FocusArea": [], "Principle": []}
    built = context.store().current_generation() is not None
    if built:
        rows = _select("counts", COUNTS)
        counts = {row["class"]["value"].rsplit("#", 1)[-1]: int(row["count"]["value"]) for row in rows}
        for row in _select("goals", GOALS):
            labels = {code: row[code]["value"] for code in ("sv", "en") if code in row}
            items[row["kind"]["value"].rsplit("#", 1)[-1]].append((row["item"]["value"], labels))
    settings = context.settings()
    data = {
        "counts": [(name, counts[name]) for name in COUNTED if counts.get(name)],
        "items": items,
        "built": built,
        "queries": context.named_queries(),
        "settings": settings,
        "example_iri": settings.iris.goal(2),
        "linked_datasets": linking.linked_datasets() if built else [],
        "sparql_url": context.public_base() + "sparql",
    }
    return Output(data, formats.HTML, template="landing.html", vary=("Accept-Language",))


@pages.get("/health")
def health():
    """For load balancers: 200 when the store answers."""
    try:
        context.store().query("ASK {}")
    except StoreNotBuilt as error:
        return Output({"status": "unavailable", "reason": str(error)}, formats.API_JSON, 503, vary=())
    return Output({"status": "ok", "generation": context.store().version}, formats.API_JSON, vary=())
