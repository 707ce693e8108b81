"""Human-readable pages: the landing page."""

from __future__ import annotations

from flask import Blueprint, render_template

from policykg.store import StoreNotBuilt

from . import context

pages = Blueprint("pages", __name__)

COUNTS = """
PREFIX pkg: <https://w3id.org/policykg/ontology#>
SELECT ?class (COUNT(DISTINCT ?item) AS ?count) WHERE {
  VALUES ?class { pkg:Goal pkg:FocusArea pkg:Principle pkg:Body pkg:Responsibility }
  ?item a ?class .
} GROUP BY ?class"""


@pages.get("/")
def landing():
    """What the dataset is and what it holds."""
    try:
        rows = context.store().query(COUNTS)
        counts = {row["class"].value.rsplit("#", 1)[-1]: int(row["count"].value) for row in rows}
        built = True
    except StoreNotBuilt:
        counts, built = {}, False
    return render_template(
        "landing.html",
        counts=counts,
        built=built,
        queries=context.named_queries(),
        settings=context.settings(),
    )


@pages.get("/health")
def health():
    """For load balancers: 200 when the store answers."""
    try:
        context.store().query("ASK {}")
    except StoreNotBuilt as error:
        return {"status": "unavailable", "reason": str(error)}, 503
    return {"status": "ok", "generation": context.store().version}
