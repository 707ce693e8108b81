"""The form of an API query page: one input per parameter, typed from the query's header."""

from __future__ import annotations

import json

import pyoxigraph as ox

from policykg.runtime.executor import Limits, QueryJob
from policykg.runtime.querylib import Parameter

from . import answering, context

#: IRI parameters get a list of suggestions when their class has at most this many members.
MAX_CHOICES = 200
CHOICES = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?class ?item ?sv ?en WHERE {
  ?item a ?class .
  OPTIONAL { ?item skos:prefLabel|rdfs:label ?sv FILTER(lang(?sv) = "sv") }
  OPTIONAL { ?item skos:prefLabel|rdfs:label ?en FILTER(lang(?en) = "en") }
}
LIMIT 1000"""


def class_choices(rdf_class: str, lang: str) -> list[tuple[str, str]]:
    """(value, label) of the members of ``rdf_class``, by label; none when there are many."""
    settings = context.settings()
    job = QueryJob(CHOICES, Limits(settings.max_result_rows, settings.max_response_bytes), substitutions={"class": ox.NamedNode(rdf_class)})
    body = answering.answer(job, cache_key=("choices", rdf_class)).value.body
    labels: dict[str, dict[str, str]] = {}
    for row in json.loads(body)["results"]["bindings"]:
        entry = labels.setdefault(row["item"]["value"], {})
        for code in ("sv", "en"):
            if code in row:
                entry.setdefault(code, row[code]["value"])
    if len(labels) > MAX_CHOICES:
        return []
    iris = context.settings().iris
    choices = []
    for iri, names in labels.items():
        value = iris.relative(iri) or iri
        choices.append((value, names.get(lang) or names.get("en" if lang == "sv" else "sv") or value))
    return sorted(choices, key=lambda c: (c[1].casefold(), c[0]))


def input_type(parameter: Parameter) -> dict:
    """How to ask for ``parameter``: the element and its attributes."""
    if parameter.enum is not None:
        return {"element": "select", "options": list(parameter.enum)}
    if parameter.type == "boolean":
        return {"element": "select", "options": ["true", "false"]}
    attributes = {
        "date": {"type": "date"},
        "year": {"type": "text", "inputmode": "numeric", "pattern": "[0-9]{4}"},
        "integer": {"type": "number", "step": "1"},
        "decimal": {"type": "text", "inputmode": "decimal"},
        "iri": {"type": "text", "spellcheck": "false", "autocapitalize": "off"},
        "string": {"type": "text"},
    }[parameter.type]
    return {"element": "input", "attributes": attributes}
