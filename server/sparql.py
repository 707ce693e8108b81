"""The SPARQL 1.1 Protocol query endpoint at /sparql.

Queries come by GET, POST form-encoded or POST direct; the answer's format is
negotiated; the default graph is the union of all graphs unless the query
(FROM) or the protocol (default-graph-uri, named-graph-uri) says otherwise.
Before a query runs, it is scanned (:mod:`policykg.runtime.sparqlscan`, within the
time limit, which the scan counts against): one that pyoxigraph could not survive
(too deep, too long) is refused with 400, and every SERVICE target it could call is
checked (:mod:`policykg.runtime.remotes`); it then runs on the one answer path for
what is left of the time limit.
"""

from __future__ import annotations

import functools
import hashlib
import time
from datetime import datetime, timezone

import pyoxigraph as ox
from flask import Blueprint, redirect, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.http import is_resource_modified

from policykg import formats
from policykg.runtime.executor import Limits, QueryJob
from policykg.runtime.federation import route_query
from policykg.runtime.remotes import RemoteRefused
from policykg.runtime.sparqlscan import QueryTooComplex, Scan, ScanTimeout, scan

from . import answering, context
from .errors import BadRequest, Forbidden, TimedOut, UnsupportedMediaType
from .negotiation import negotiate, negotiate_answer, wants_html
from .rendering import Output
from .requests import utf8_body
from .service_description import SD_PREFIXES, describe

sparql = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY_MEDIA = "application/sparql-query"
UPDATE_MEDIA = "application/sparql-update"
#: What an answer can be given as, by the kind of query.
ANSWER_OFFERS = {"solutions": formats.SOLUTION_OFFERS, "graph": formats.GRAPH_OFFERS}



@sparql.route("/sparql/", methods=["GET", "POST"])
@sparql.route("/sparql", methods=["GET", "POST"])  # registered first: url_for's choice
def endpoint():
    """A query (GET or POST), or without one the service description."""
    params, text = _request_parameters()
    if text is None:
        return service_description(params)
    return answer_query(text, params)


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
                raise BadRequest("parameter query: missing from the form; send the query as query=...")
        elif mimetype == QUERY_MEDIA:
            params = request.args
            texts = [utf8_body("query")] + params.getlist("query")
        elif mimetype == UPDATE_MEDIA:
            raise UnsupportedMediaType("This endpoint answers queries; send SPARQL updates to /update.")
        elif not mimetype:
            raise UnsupportedMediaType(f"A POST needs a Content-Type: {QUERY_MEDIA} (the query as the body) or {FORM} (query=...).")
        else:
            raise UnsupportedMediaType(f"Content-Type {mimetype} is not a query; use {QUERY_MEDIA} or {FORM}.")
    if "update" in params:
        raise BadRequest("parameter update: this endpoint answers queries; send SPARQL updates by POST to /update.")
    if len(texts) > 1:
        raise BadRequest(f"parameter query: given {len(texts)} times; send one query per request.")
    if texts and not texts[0].strip():
        raise BadRequest("parameter query: the query is empty.")
    return params, (texts[0] if texts else None)


def dataset_parameters(params: MultiDict, default_name: str, named_name: str) -> tuple[tuple | None, tuple | None]:
    """The protocol's graph IRIs (None when a parameter is not given), each checked as an IRI."""
    found = []
    for name in (default_name, named_name):
        values = params.getlist(name)
        for value in values:
            try:
                ox.NamedNode(value)
            except ValueError as error:
                raise BadRequest(f"parameter {name}: {value!r} is not an absolute IRI ({error}).") from None
        found.append(tuple(values) if values else None)
    return found[0], found[1]


_TAGS: dict[str, str] = {}


def _etag(generation: str, fmt: str) -> str:
    tag = _TAGS.get(generation)
    if tag is None:
        tag = _TAGS.setdefault(generation, hashlib.blake2b(generation.encode(), digest_size=8).hexdigest())
    return f"{tag}-{fmt}"


def _published() -> datetime | None:
    stamp = context.store().published_at()
    return None if stamp is None else _as_datetime(stamp)


@functools.lru_cache(maxsize=16)
def _as_datetime(stamp: float) -> datetime:
    return datetime.fromtimestamp(stamp, timezone.utc)


def scan_request(text: str, timeout: float, *, update: bool = False) -> Scan:
    """The scan of a request, within its time limit: 400 for a request pyoxigraph could
    not survive (the message says what is too deep or too long, and where), 504 when
    the scan itself runs past the limit."""
    what = "update" if update else "query"
    try:
        return scan(text, update=update, deadline=time.monotonic() + timeout)
    except QueryTooComplex as error:
        raise BadRequest(f"The {what} is too complex for this endpoint: {error}") from None
    except ScanTimeout:
        raise TimedOut(f"The {what} could not be checked within {timeout:g} s, the time limit of this endpoint.") from None


def answer_query(text: str, params: MultiDict) -> Output:
    settings = context.settings()
    started = time.monotonic()  # the scan counts against the query's time limit
    facts = scan_request(text, settings.query_timeout)
    if facts.is_update:
        raise BadRequest(f"This is a SPARQL update ({facts.form}); this endpoint answers queries: send updates by POST to /update.")
    try:
        text = route_query(text, settings, facts)  # checks every SERVICE target; stand-ins replace theirs
    except RemoteRefused as error:
        raise Forbidden(str(error)) from None
    if facts.form in ("SELECT", "ASK"):
        chosen = {"solutions": negotiate(formats.SOLUTION_OFFERS, params=params), "graph": None}
    elif facts.form in ("CONSTRUCT", "DESCRIBE"):
        chosen = {"solutions": None, "graph": negotiate(formats.GRAPH_OFFERS, params=params)}
    else:
        chosen = negotiate_answer(ANSWER_OFFERS, params=params)
    default_graphs, named_graphs = dataset_parameters(params, "default-graph-uri", "named-graph-uri")
    generation = answering.generation()
    fmt = chosen["solutions"] or chosen["graph"]
    conditional = request.method in ("GET", "HEAD")
    published = _published() if conditional else None
    asks_if = "HTTP_IF_NONE_MATCH" in request.environ or "HTTP_IF_MODIFIED_SINCE" in request.environ
    if asks_if and fmt is not None and not is_resource_modified(request.environ, etag=_etag(generation, fmt.key), last_modified=published):
        return Output(b"", fmt, 304, etag=_etag(generation, fmt.key), last_modified=published)
    base = context.public_base() + "sparql"
    job = QueryJob(
        sparql=text,
        limits=Limits(settings.max_result_rows, settings.max_response_bytes),
        solutions_format=chosen["solutions"].key if chosen["solutions"] else None,
        graph_format=chosen["graph"].key if chosen["graph"] else None,
        union_default=not facts.has_dataset_clause,
        default_graphs=default_graphs,
        named_graphs=named_graphs,
        base_iri=base,
        stream=True,
    )
    key = ("sparql", text, default_graphs, named_graphs, job.solutions_format, job.graph_format, base)
    remaining = settings.query_timeout - (time.monotonic() - started)
    if remaining <= 0:
        raise TimedOut(f"Reading the query took longer than {settings.query_timeout:g} s, the time limit of this endpoint.")
    answered = answering.answer(
        job, text=text, cache_key=key if facts.deterministic else None, timeout=remaining, limit=settings.query_timeout
    )
    result = answered.value
    body = result.body if result.body is not None else result.chunks  # a large answer comes as a stream
    if not conditional:
        return Output(body, formats.of_key(result.fmt))
    return Output(body, formats.of_key(result.fmt), etag=_etag(answered.generation, result.fmt), last_modified=published)


def service_description(params: MultiDict) -> Output:
    """What this endpoint is and offers; a browser is sent to the query editor."""
    if not params.get("format") and wants_html():
        return redirect(url_for("editor.editor"), code=303)
    fmt = negotiate(formats.GRAPH_OFFERS, params=params)
    store = context.store()
    graphs = store.named_graphs() if store.current_generation() else []
    triples = describe(
        context.public_base() + "sparql", graphs, federated=bool(context.settings().service_allowlist)
    )
    return Output(triples, fmt, prefixes=SD_PREFIXES)

