"""Human-readable pages: the landing page, and the health check."""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template

from policykg.runtime.executor import Limits, QueryJob
from policykg.store import StoreNotBuilt

from . import context, dispatch

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


def _select(key: str, sparql: str) -> list[dict] | Response:
    """Rows (SPARQL JSON bindings) of one of our own queries, through the query pool, cached per generation."""
    store = context.store()
    generation = store.current_generation()
    if generation is None:
        raise StoreNotBuilt("no data")
    cache = context.result_cache()
    hit = cache.get(generation, ("pages", key)) if cache.enabled else None
    if hit is not None:
        return json.loads(hit[1])["results"]["bindings"]
    settings = context.settings()
    answer = dispatch.run(QueryJob(sparql, Limits(settings.max_result_rows, settings.max_response_bytes)), settings.query_timeout)
    if isinstance(answer, Response):
        return answer
    if cache.enabled:
        cache.put(answer.generation, ("pages", key), answer.fmt, answer.body)
    return json.loads(answer.body)["results"]["bindings"]


@pages.get("/")
def landing():
    """What the dataset is, what it holds, where to start, how to get and cite it."""
    counts, items = {}, {"Goal": [], "FocusArea": [], "Principle": []}
    try:
        rows = _select("counts", COUNTS)
        if isinstance(rows, Response):
            return rows
        counts = {row["class"]["value"].rsplit("#", 1)[-1]: int(row["count"]["value"]) for row in rows}
        rows = _select("goals", GOALS)
        if isinstance(rows, Response):
            return rows
        for row in rows:
            labels = {code: row[code]["value"] for code in ("sv", "en") if code in row}
            items[row["kind"]["value"].rsplit("#", 1)[-1]].append((row["item"]["value"], labels))
        built = True
    except StoreNotBuilt:
        built = False
    settings = context.settings()
    page = render_template(
        "landing.html",
        counts=[(name, counts[name]) for name in COUNTED if counts.get(name)],
        items=items,
        built=built,
        queries=context.named_queries(),
        settings=settings,
        example_iri=settings.iris.goal(2),
        sparql_url=context.public_base() + "sparql",
    )
    response = Response(page, content_type="text/html; charset=utf-8")
    response.vary.add("Accept-Language")
    return response


@pages.get("/health")
def health():
    """For load balancers: 200 when the store answers."""
    try:
        context.store().query("ASK {}")
    except StoreNotBuilt as error:
        return {"status": "unavailable", "reason": str(error)}, 503
    return {"status": "ok", "generation": context.store().version}
