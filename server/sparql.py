"""The SPARQL 1.1 Protocol query endpoint at /sparql.

Queries come by GET, POST form-encoded or POST direct; the answer's format is
negotiated; the default graph is the union of all graphs unless the query
(FROM) or the protocol (default-graph-uri, named-graph-uri) says otherwise.
Before a query runs, every SERVICE target it could call is checked
(:mod:`policykg.runtime.remotes`); it then runs in the query pool under the time limit.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

import pyoxigraph as ox
from flask import Blueprint, Response, redirect, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.http import is_resource_modified

from policykg.runtime.executor import Limits, QueryJob
from policykg.runtime.federation import route_query
from policykg.runtime.remotes import RemoteRefused
from policykg.runtime.results import MEDIA_TYPES
from policykg.runtime.sparqlscan import scan

from . import context, dispatch
from .errors import RETRY_AFTER, error_response
from .negotiation import GRAPH_MEDIA, UnknownFormat, best, negotiate, offered
from .service_description import describe, serialize

sparql = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY_MEDIA = "application/sparql-query"
UPDATE_MEDIA = "application/sparql-update"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Retry-After, Content-Type",
}


class BadRequest(Exception):
    """A request we answer with ``status`` and ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@sparql.after_request
def allow_cross_origin(response: Response) -> Response:
    """Queries may come from any web page (they change nothing and carry no credentials)."""
    response.headers.update(CORS_HEADERS)
    return response


@sparql.route("/sparql/", methods=["GET", "POST", "OPTIONS"])
@sparql.route("/sparql", methods=["GET", "POST", "OPTIONS"])  # registered first: url_for's choice
def endpoint():
    """A query (GET or POST), or without one the service description."""
    if request.method == "OPTIONS":
        return Response(
            status=204,
            headers={
                "Allow": "GET, POST, HEAD, OPTIONS",
                "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                "Access-Control-Allow-Headers": "Accept, Content-Type, If-None-Match, If-Modified-Since",
                "Access-Control-Max-Age": "86400",
            },
        )
    try:
        params, text = _request_parameters()
        if text is None:
            return service_description(params)
        return answer_query(text, params)
    except BadRequest as error:
        return error_response(error.status, error.message)


def _request_parameters() -> tuple[MultiDict, str | None]:
    """The request's parameters and its query text (None: no query was given)."""
    if request.method in ("GET", "HEAD"):
        params = request.args
        texts = params.getlist("query")
    else:
        mimetype = request.mimetype
        if mimetype == FORM:
            params = MultiDict(list(request.args.items(multi=True)) + list(request.form.items(multi=True)))
            texts = params.getlist("query")
            if not texts and "update" not in params:
                raise BadRequest(400, "parameter query: missing from the form; send the query as query=...")
        elif mimetype == QUERY_MEDIA:
            params = request.args
            texts = [_utf8_body()] + params.getlist("query")
        elif mimetype == UPDATE_MEDIA:
            raise BadRequest(415, "This endpoint answers queries; send SPARQL updates to /update.")
        elif not mimetype:
            raise BadRequest(
                415, f"A POST needs a Content-Type: {QUERY_MEDIA} (the query as the body) or {FORM} (query=...)."
            )
        else:
            raise BadRequest(415, f"Content-Type {mimetype} is not a query; use {QUERY_MEDIA} or {FORM}.")
    if "update" in params:
        raise BadRequest(400, "parameter update: this endpoint answers queries; send SPARQL updates by POST to /update.")
    if len(texts) > 1:
        raise BadRequest(400, f"parameter query: given {len(texts)} times; send one query per request.")
    if texts and not texts[0].strip():
        raise BadRequest(400, "parameter query: the query is empty.")
    return params, (texts[0] if texts else None)


def _utf8_body() -> str:
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise BadRequest(415, f"The query must be sent as UTF-8; this one says charset={charset}.")
    body = request.get_data(cache=False)
    try:
        return body.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise BadRequest(400, f"The request body is not UTF-8: byte 0x{body[error.start]:02x} at offset {error.start}.") from None


def dataset_parameters(params: MultiDict, default_name: str, named_name: str) -> tuple[tuple | None, tuple | None]:
    """The protocol's graph IRIs (None when a parameter is not given), each checked as an IRI."""
    found = []
    for name in (default_name, named_name):
        values = params.getlist(name)
        for value in values:
            try:
                ox.NamedNode(value)
            except ValueError as error:
                raise BadRequest(400, f"parameter {name}: {value!r} is not an absolute IRI ({error}).") from None
        found.append(tuple(values) if values else None)
    return found[0], found[1]


_TAGS: dict[str, str] = {}


def _etag(generation: str, fmt: str) -> str:
    tag = _TAGS.get(generation)
    if tag is None:
        tag = _TAGS.setdefault(generation, hashlib.blake2b(generation.encode(), digest_size=8).hexdigest())
    return f"{tag}-{fmt}"


def answer_query(text: str, params: MultiDict) -> Response:
    settings = context.settings()
    facts = scan(text)
    if facts.is_update:
        raise BadRequest(400, f"This is a SPARQL update ({facts.form}); this endpoint answers queries: send updates by POST to /update.")
    try:
        text = route_query(text, settings)  # checks every SERVICE target; stand-ins replace theirs
    except RemoteRefused as error:
        raise BadRequest(403, str(error)) from None
    try:
        choice = negotiate(request.headers.get("Accept"), params.get("format") or params.get("output"))
    except UnknownFormat as error:
        raise BadRequest(400, str(error)) from None
    fmt = choice.for_form(facts.form)
    if fmt is None:
        kind = "solutions" if facts.form in ("SELECT", "ASK") or not choice.solutions else "graph"
        what = "a SELECT or ASK query" if kind == "solutions" else "a CONSTRUCT or DESCRIBE query"
        raise BadRequest(406, f"The request accepts no format in which {what} can answer; offered: {offered(kind)}.")
    default_graphs, named_graphs = dataset_parameters(params, "default-graph-uri", "named-graph-uri")
    store = context.store()
    generation = store.current_generation()
    if generation is None:
        return error_response(503, "The store holds no data yet: run 'policykg build'.", {"Retry-After": RETRY_AFTER})
    conditional = request.method in ("GET", "HEAD")
    if conditional and not is_resource_modified(
        request.environ, etag=_etag(generation, fmt), last_modified=_published()
    ):
        return _with_validators(Response(status=304), generation, fmt)

    base = context.public_base() + "sparql"
    key = (text, default_graphs, named_graphs, choice, base)
    cache = context.result_cache()
    if cache.enabled and facts.deterministic:
        hit = cache.get(generation, key)
        if hit is not None:
            return _result(hit[0], hit[1], generation, conditional)
    job = QueryJob(
        sparql=text,
        limits=Limits(settings.max_result_rows, settings.max_response_bytes),
        solutions_format=choice.solutions,
        graph_format=choice.graph,
        union_default=not facts.has_dataset_clause,
        default_graphs=default_graphs,
        named_graphs=named_graphs,
        base_iri=base,
    )
    answer = dispatch.run(job, settings.query_timeout, text=text)
    if isinstance(answer, Response):
        return answer
    if cache.enabled and facts.deterministic:
        cache.put(answer.generation, key, answer.fmt, answer.body)
    return _result(answer.fmt, answer.body, answer.generation, conditional)


def _published() -> datetime | None:
    stamp = context.store().published_at()
    return None if stamp is None else datetime.fromtimestamp(stamp, timezone.utc)


def _with_validators(response: Response, generation: str, fmt: str) -> Response:
    response.set_etag(_etag(generation, fmt), weak=True)
    published = _published()
    if published is not None:
        response.last_modified = published
    response.headers["Cache-Control"] = "no-cache"
    response.vary.add("Accept")
    return response


def _result(fmt: str, body: bytes, generation: str, conditional: bool) -> Response:
    response = Response(body, status=200, content_type=MEDIA_TYPES[fmt])
    if conditional:
        return _with_validators(response, generation, fmt)
    response.vary.add("Accept")
    return response


def service_description(params: MultiDict) -> Response:
    """What this endpoint is and offers; a browser is sent to the query editor."""
    accept = request.headers.get("Accept")
    if params.get("format"):
        try:
            fmt = negotiate(None, params["format"]).graph
        except UnknownFormat as error:
            raise BadRequest(400, str(error)) from None
    else:
        html = best(accept, [("text/html", "html")] + GRAPH_MEDIA)
        if html == "html":
            return redirect(url_for("editor.editor"), code=303)
        fmt = best(accept, GRAPH_MEDIA)
    if fmt is None:
        raise BadRequest(406, f"The service description is RDF; offered: {offered('graph')}.")
    settings = context.settings()
    store = context.store()
    graphs = store.named_graphs() if store.current_generation() else []
    base = context.public_base()
    triples = describe(
        base + "sparql",
        graphs,
        update_endpoint=base + "update" if settings.update_token else None,
        federated=bool(settings.service_allowlist),
    )
    response = Response(serialize(triples, fmt), content_type=MEDIA_TYPES[fmt])
    response.vary.add("Accept")
    return response
