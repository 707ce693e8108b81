"""The query API: one route per named query (``queries/NAME.rq``) under /api/.

``GET /api/NAME?param=value&limit=100&offset=0`` checks each parameter against
the query's header (:meth:`NamedQuery.bind`) and binds it as an RDF term
(pyoxigraph substitutions); nothing a caller sends is pasted into query text.
The query runs in the query pool like any /sparql query (time limit, caps,
result cache). The answer is JSON by default, CSV, HTML (a page with a form) or
SPARQL JSON, by ``Accept`` or by a suffix (``NAME.json``, ``.csv``, ``.html``).

Pagination: the query gets ``LIMIT limit+1 OFFSET offset`` appended after its
own solution modifiers (two integers formatted by us); every named query ends
with an ORDER BY, so pages are deterministic. The extra row tells whether
there is a next page (``next`` in JSON, ``Link: rel="next"``).
"""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request, url_for

from policykg.publication.answers import arguments_key
from policykg.runtime.executor import Limits, QueryJob
from policykg.runtime.federation import route_query
from policykg.runtime.querylib import DEFAULT_PAGE_ROWS as DEFAULT_LIMIT
from policykg.runtime.querylib import MAX_PAGE_ROWS as MAX_LIMIT
from policykg.runtime.querylib import RESERVED_PARAMETERS as RESERVED
from policykg.runtime.querylib import NamedQuery, ParameterError
from policykg.runtime.remotes import RemoteRefused
from policykg.store import StoreNotBuilt

from . import context, dispatch
from .api_forms import input_type
from .api_openapi import openapi_document
from .errors import RETRY_AFTER, error_response
from .negotiation import best
from .present import language

api = Blueprint("api", __name__, url_prefix="/api")

SUFFIX_FORMATS = {"json": "json", "csv": "csv", "html": "html"}
OFFERS = [
    ("application/json", "json"),
    ("text/csv", "csv"),
    ("text/html", "html"),
    ("application/sparql-results+json", "sparql-json"),
]
FORMAT_NAMES = {"json": "json", "csv": "csv", "html": "html", "sparql-json": "sparql-json"}
PROBLEM = "application/problem+json"
_INTEGERS = {f"http://www.w3.org/2001/XMLSchema#{t}" for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
_NUMBERS = {f"http://www.w3.org/2001/XMLSchema#{t}" for t in ("decimal", "double", "float")}
_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


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


def problem(status: int, title: str, detail: str, errors: list[dict] | None = None) -> Response:
    """An RFC 9457 problem details answer."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    return Response(json.dumps(body, ensure_ascii=False, indent=1), status=status, content_type=PROBLEM)


def _format(suffix: str | None, offers=OFFERS) -> str | None:
    if suffix:
        return SUFFIX_FORMATS[suffix]
    asked = (request.args.get("format") or "").strip().lower()
    if asked in FORMAT_NAMES:
        return FORMAT_NAMES[asked]
    return best(request.headers.get("Accept"), offers)


@api.get("/", endpoint="index")
def index():
    """The named queries: an HTML page, or JSON by ``Accept``."""
    queries = context.named_queries()
    fmt = _format(None, [("text/html", "html"), ("application/json", "json")])
    if fmt == "json":
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
        response = Response(json.dumps({"queries": listing, "openapi": base + "openapi.json"}, ensure_ascii=False, indent=1), content_type="application/json")
    else:
        response = Response(render_template("api_index.html", queries=queries), content_type="text/html; charset=utf-8")
    response.vary.add("Accept")
    return response


@api.get("/openapi.json", endpoint="openapi")
def openapi():
    document = openapi_document(context.named_queries(), context.public_base(), context.settings())
    response = Response(json.dumps(document, ensure_ascii=False, indent=1), content_type="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@api.get("/<name>", endpoint="query")
def run_query(name: str):
    queries = context.named_queries()
    suffix = None
    if name not in queries:
        stem, dot, ending = name.rpartition(".")
        if dot and stem in queries and ending in SUFFIX_FORMATS:
            name, suffix = stem, ending
        else:
            return problem(404, "Not found", f"There is no query named {name!r}; the queries are listed at /api/.")
    query = queries[name]
    fmt = _format(suffix)
    if fmt is None:
        return problem(406, "Not acceptable", "The answer can be given as " + ", ".join(m for m, _ in OFFERS) + ".")
    values, errors = _arguments(query)
    limit, offset = _page_arguments(errors)
    if fmt == "html" and not request.args and any(p.required for p in query.parameters.values()):
        return _html(query, values, None, errors=[], limit=limit, offset=offset)
    bindings = {}
    if not errors:
        try:
            bindings = query.bind(values, context.settings().iris)
        except ParameterError as error:
            errors = [{"parameter": p, "message": m} for p, m in error.problems]
    if errors:
        if fmt == "html":
            return _html(query, values, None, errors=errors, limit=limit, offset=offset, status=400)
        detail = "; ".join(f"parameter {e['parameter']!r}: {e['message']}" for e in errors)
        return problem(400, "Bad parameters", detail, errors)
    answer = _answer(query, bindings, limit, offset)
    if isinstance(answer, Response):
        return _as_problem(answer)
    columns, rows, total = answer
    more = len(rows) > limit
    rows = rows[:limit]
    bound = {variable.value: term.value for variable, term in bindings.items()}
    links = _page_links(name, suffix, limit, offset, more)
    if fmt == "json":
        body = {
            "query": name,
            "title": query.title,
            "parameters": bound,
            "columns": columns,
            "rows": [{c: friendly(row.get(c)) for c in columns} for row in rows],
            "limit": limit,
            "offset": offset,
            "next": links.get("next"),
            "prev": links.get("prev"),
            "total": total,
            "answered": "computed" if total is None else "stored",
        }
        response = Response(json.dumps(body, ensure_ascii=False, indent=1), content_type="application/json")
    elif fmt == "sparql-json":
        body = {"head": {"vars": columns}, "results": {"bindings": [{c: v for c, v in row.items() if v is not None} for row in rows]}}
        response = Response(json.dumps(body, ensure_ascii=False), content_type="application/sparql-results+json")
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else _csv_value(row[c]) for c in columns])
        response = Response(out.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        response = _html(query, values, (columns, rows), errors=[], limit=limit, offset=offset, links=links)
    if links:
        response.headers["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items())
    response.headers["Policykg-Answered"] = "computed" if total is None else "stored"
    response.vary.add("Accept")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _csv_value(cell: dict) -> str:
    return ("_:" if cell["type"] == "bnode" else "") + cell["value"]


def _arguments(query: NamedQuery) -> tuple[dict[str, str], list[dict]]:
    values, errors = {}, []
    for key in request.args:
        if key in RESERVED:
            continue
        given = request.args.getlist(key)
        if len(given) > 1:
            errors.append({"parameter": key, "message": f"given {len(given)} times; give it once"})
        values[key] = given[0]
    return values, errors


def _page_arguments(errors: list[dict]) -> tuple[int, int]:
    def number(name: str, default: int, low: int, high: int | None) -> int:
        raw = request.args.get(name, "").strip()
        if not raw:
            return default
        if not raw.isdigit() or int(raw) < low or (high is not None and int(raw) > high):
            bounds = f"from {low} to {high}" if high is not None else f"{low} or more"
            errors.append({"parameter": name, "message": f"expected an integer {bounds}; got {raw!r}"})
            return default
        return int(raw)

    return number("limit", DEFAULT_LIMIT, 1, MAX_LIMIT), number("offset", 0, 0, None)


def _answer(query: NamedQuery, bindings: dict, limit: int, offset: int):
    """(columns, rows of SPARQL JSON cells, the answer's size if known) of one page
    (plus one row), from the stored answers or computed; or an error response."""
    settings = context.settings()
    store = context.store()
    generation = store.current_generation()
    if generation is None:
        return error_response(503, "The store holds no data yet: run 'policykg build'.", {"Retry-After": RETRY_AFTER})
    substitutions = {variable.value: term for variable, term in bindings.items()}
    stored = context.stored_answers(generation) if query.stored else None
    if stored is not None:
        found = stored.page(query, arguments_key(substitutions), limit + 1, offset)
        if found is not None:
            return found
    key = ("api", query.name, tuple(sorted((k, str(v)) for k, v in substitutions.items())), limit, offset)
    cache = context.result_cache()
    hit = cache.get(generation, key) if cache.enabled else None
    if hit is not None:
        body = hit[1]
    else:
        try:
            text = route_query(query.sparql, settings)  # a federated query calls only what the operator allows
        except RemoteRefused as error:
            return error_response(403, f"This query calls a remote endpoint: {error}")
        job = QueryJob(
            sparql=paged(text, limit + 1, offset),
            limits=Limits(settings.max_result_rows, settings.max_response_bytes),
            solutions_format="json",
            graph_format=None,
            substitutions=substitutions,
        )
        answer = dispatch.run(job, settings.query_timeout, text=query.sparql)
        if isinstance(answer, Response):
            return answer
        body = answer.body
        if cache.enabled:
            cache.put(answer.generation, key, answer.fmt, body)
    parsed = json.loads(body)
    return parsed["head"]["vars"], parsed["results"]["bindings"], None


def _as_problem(response: Response) -> Response:
    """A plain-text error of the query pool, as problem details."""
    detail = response.get_data(as_text=True).strip()
    answer = problem(response.status_code, response.status.split(" ", 1)[-1], detail)
    if "Retry-After" in response.headers:
        answer.headers["Retry-After"] = response.headers["Retry-After"]
    return answer


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
    from .api_forms import class_choices

    return {p.name: class_choices(p.rdf_class, language()) for p in query.parameters.values() if p.type == "iri" and p.rdf_class}


def _html(query: NamedQuery, values, result, *, errors, limit, offset, links=None, status=200) -> Response:
    try:
        choices = _choices(query)
    except StoreNotBuilt:
        choices = {}
    page = render_template(
        "api_query.html",
        query=query,
        values=values,
        result=result,
        errors=errors,
        limit=limit,
        offset=offset,
        links=links or {},
        choices=choices,
        input_type=input_type,
        default_limit=DEFAULT_LIMIT,
        max_limit=MAX_LIMIT,
        editor_url=url_for("editor.editor", named=query.name, **{k: v for k, v in values.items() if k in query.parameters}),
    )
    response = Response(page, status=status, content_type="text/html; charset=utf-8")
    response.vary.add("Accept-Language")
    return response
