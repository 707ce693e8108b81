"""The query API: one route per named query (``queries/NAME.rq``) under /api/.

``GET /api/NAME?param=value&limit=100&offset=0`` checks each parameter against
the query's header (:meth:`NamedQuery.bind`) and binds it as an RDF term
(pyoxigraph substitutions); nothing a caller sends is pasted into query text.
The answer comes from the one answer path (stored answers, result cache, query
process). It is JSON by default, CSV (made safe for spreadsheets), HTML (a page
with a form) or SPARQL JSON: by a suffix (``NAME.json``, ``.csv``, ``.html``),
``format=`` or ``Accept``.

Pagination: the query gets ``LIMIT limit+1 OFFSET offset`` appended after its
own solution modifiers (two integers formatted by us); every named query ends
with an ORDER BY (or streams in store order), so pages are deterministic. The
extra row tells whether there is a next page (``next`` in JSON, ``Link: rel="next"``).
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Blueprint, request, url_for

from policykg import formats
from policykg.namespaces import XSD
from policykg.publication.answers import arguments_key
from policykg.runtime.executor import Limits, QueryJob
from policykg.runtime.querylib import (
    DEFAULT_PAGE_ROWS,
    MAX_OFFSET,
    MAX_PAGE_ROWS,
    RESERVED_PARAMETERS,
    NamedQuery,
    ParameterError,
)
from policykg.runtime.federation import route_query
from policykg.runtime.remotes import RemoteRefused
from policykg.store import StoreNotBuilt

from . import answering, context
from .api_forms import class_choices, input_type
from .api_openapi import openapi_document
from .errors import BadRequest, Forbidden, NotFound, ServiceError
from .negotiation import negotiate
from .present import language
from .rendering import Output, Table

api = Blueprint("api", __name__, url_prefix="/api")

#: What an answer is offered as, best first.
OFFERS = (formats.API_JSON, formats.API_CSV, formats.HTML, formats.API_SPARQL_JSON)
INDEX_OFFERS = (formats.HTML, formats.API_JSON)
_INTEGERS = {str(XSD[t]) for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
_NUMBERS = {str(XSD[t]) for t in ("decimal", "double", "float")}
_BOOLEAN = str(XSD.boolean)



def paged(sparql: str, limit: int, offset: int) -> str:
    """The query with a page's solution modifiers after its own (integers only)."""
    return f"{sparql.rstrip()}\nLIMIT {int(limit)}\nOFFSET {int(offset)}\n"


def friendly(cell: dict | None):
    """A SPARQL JSON term as a plain JSON value: IRIs and strings as strings,
    numbers and booleans as such, unbound as null."""
    if cell is None:
        return None
    if cell["type"] == "bnode":
        return "_:" + cell["value"]
    if cell["type"] in ("uri", "iri"):
        return cell["value"]
    datatype = cell.get("datatype")
    try:
        if datatype in _INTEGERS:
            return int(cell["value"])
        if datatype in _NUMBERS:
            return float(cell["value"])
    except ValueError:
        return cell["value"]
    if datatype == _BOOLEAN:
        return cell["value"] in ("true", "1")
    return cell["value"]


@api.get("/", endpoint="index")
def index():
    """The named queries: an HTML page, or JSON by ``Accept``."""
    queries = context.named_queries()
    fmt = negotiate(INDEX_OFFERS)
    if fmt is formats.HTML:
        return Output({"queries": queries}, fmt, template="api_index.html")
    base = context.public_base() + "api/"
    listing = [
        {
            "name": name,
            "title": q.title,
            "description": q.description,
            "url": base + name,
            "parameters": {p.name: {"type": p.type, "required": p.required} for p in q.parameters.values()},
        }
        for name, q in queries.items()
    ]
    return Output({"queries": listing, "openapi": base + "openapi.json"}, fmt)


@api.get("/openapi.json", endpoint="openapi")
def openapi():
    document = openapi_document(context.named_queries(), context.public_base(), context.settings())
    return Output(document, formats.API_JSON, vary=())


@api.get("/<name>", endpoint="query")
def run_query(name: str):
    queries = context.named_queries()
    suffix = None
    if name not in queries:
        stem, dot, ending = name.rpartition(".")
        if dot and stem in queries and any(ending in f.suffixes for f in OFFERS):
            name, suffix = stem, ending
        else:
            raise NotFound(f"There is no query named {name!r}; the queries are listed at /api/.")
    query = queries[name]
    fmt = negotiate(OFFERS, suffix=suffix)
    values, problems = _arguments(query)
    limit, offset = _page_arguments(problems)
    if fmt is formats.HTML and not request.args and any(p.required for p in query.parameters.values()):
        return _html(query, values, None, problems=[], limit=limit, offset=offset)
    bindings = {}
    if not problems:
        try:
            bindings = query.bind(values, context.settings().iris)
        except ParameterError as error:
            problems = [{"parameter": p, "message": m} for p, m in error.problems]
    if problems:
        if fmt is formats.HTML:
            return _html(query, values, None, problems=problems, limit=limit, offset=offset, status=400)
        detail = "; ".join(f"parameter {e['parameter']!r}: {e['message']}" for e in problems)
        raise BadRequest(detail, problems=problems)
    table, total = _page(query, bindings, limit, offset)
    more = len(table.rows) > limit
    table.rows = table.rows[:limit]
    links = _page_links(name, suffix, limit, offset, more)
    answered = "computed" if total is None else "stored"
    headers = {"Policykg-Answered": answered}
    if links:
        headers["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items())
    if fmt is formats.API_JSON:
        data = {
            "query": name,
            "title": query.title,
            "parameters": {variable.value: term.value for variable, term in bindings.items()},
            "columns": table.columns,
            "rows": [{c: friendly(row.get(c)) for c in table.columns} for row in table.rows],
            "limit": limit,
            "offset": offset,
            "next": links.get("next"),
            "prev": links.get("prev"),
            "total": total,
            "answered": answered,
        }
        return Output(data, fmt, headers=headers)
    if fmt is formats.HTML:
        output = _html(query, values, (table.columns, table.rows), problems=[], limit=limit, offset=offset, links=links)
        output.headers.update(headers)
        return output
    return Output(table, fmt, headers=headers)


def _arguments(query: NamedQuery) -> tuple[dict[str, str], list[dict]]:
    values, problems = {}, []
    for key in request.args:
        if key in RESERVED_PARAMETERS:
            continue
        given = request.args.getlist(key)
        if len(given) > 1:
            problems.append({"parameter": key, "message": f"given {len(given)} times; give it once"})
        values[key] = given[0]
    return values, problems


def _page_arguments(problems: list[dict]) -> tuple[int, int]:
    def number(name: str, default: int, low: int, high: int) -> int:
        raw = request.args.get(name, "").strip()
        if not raw:
            return default
        if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(high)) or not low <= int(raw) <= high:
            problems.append({"parameter": name, "message": f"expected an integer from {low} to {high}; got {raw[:40]!r}"})
            return default
        return int(raw)

    return number("limit", DEFAULT_PAGE_ROWS, 1, MAX_PAGE_ROWS), number("offset", 0, 0, MAX_OFFSET)


def _page(query: NamedQuery, bindings: dict, limit: int, offset: int) -> tuple[Table, int | None]:
    """One page (plus one row) of the answer, and its size when it is known (stored)."""
    settings = context.settings()
    substitutions = {variable.value: term for variable, term in bindings.items()}
    arguments = arguments_key(substitutions)
    try:
        text = route_query(query.sparql, settings)  # a federated query calls only what the operator allows
    except RemoteRefused as error:
        raise Forbidden(f"This query calls a remote endpoint: {error}") from None
    job = QueryJob(
        sparql=paged(text, limit + 1, offset),
        limits=Limits(settings.max_result_rows, settings.max_response_bytes),
        solutions_format="json",
        graph_format=None,
        substitutions=substitutions,
    )
    answered = answering.answer(
        job,
        text=query.sparql,
        stored=(lambda answers: answers.page(query, arguments, limit + 1, offset)) if query.stored else None,
        cache_key=("api", query.name, arguments, limit, offset),
    )
    if answered.source == "stored":
        columns, rows, total = answered.value
        return Table(columns, rows), total
    parsed = json.loads(answered.value.body)
    return Table(parsed["head"]["vars"], parsed["results"]["bindings"]), None
from policykg.runtime.federation import route_query
from policykg.runtime.remotes import RemoteRefused


def _page_links(name: str, suffix: str | None, limit: int, offset: int, more: bool) -> dict[str, str]:
    base = context.public_base() + "api/" + name + (f".{suffix}" if suffix else "")
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in ("limit", "offset")]
    links = {}
    if more:
        links["next"] = base + "?" + urlencode(args + [("limit", limit), ("offset", offset + limit)])
    if offset > 0:
        links["prev"] = base + "?" + urlencode(args + [("limit", limit), ("offset", max(0, offset - limit))])
    return links


def _choices(query: NamedQuery) -> dict[str, list[tuple[str, str]]]:
    """For IRI parameters of a class with few members: (IRI, label) to choose from."""
    found = {}
    for p in query.parameters.values():
        if p.type == "iri" and p.rdf_class:
            try:
                found[p.name] = class_choices(p.rdf_class, language())
            except (ServiceError, StoreNotBuilt):
                found[p.name] = []  # the form still works: the suggestions are a convenience
    return found


def _html(query: NamedQuery, values, result, *, problems, limit, offset, links=None, status=200) -> Output:
    context_data = {
        "query": query,
        "values": values,
        "result": result,
        "errors": problems,
        "limit": limit,
        "offset": offset,
        "links": links or {},
        "choices": _choices(query),
        "input_type": input_type,
        "default_limit": DEFAULT_PAGE_ROWS,
        "max_limit": MAX_PAGE_ROWS,
        "editor_url": url_for("editor.editor", named=query.name, **{k: v for k, v in values.items() if k in query.parameters}),
    }
    return Output(context_data, formats.HTML, status, template="api_query.html", vary=("Accept", "Accept-Language"))
