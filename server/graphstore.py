"""The SPARQL 1.1 Graph Store HTTP Protocol at /store (only when an update token is configured).

A graph is named indirectly (``/store?graph=IRI``, ``/store?default``) or directly
(``/store/some/path``: the graph whose IRI is that URL). Every method needs the
token. ``GET /store`` with neither gives the whole dataset (N-Quads or TriG: the
only place where quads mean something); ``POST /store`` creates a new graph and
answers with its IRI in ``Location``.
"""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Response, request

from policykg.runtime.executor import (
    GRAPH_INPUT_FORMATS,
    GraphReadJob,
    GraphWriteJob,
    Limits,
)
from policykg.runtime.results import DATASET_FORMATS, MEDIA_TYPES

from . import context, dispatch
from .auth import refuse_unless_authorized
from .errors import error_response
from .negotiation import GRAPH_MEDIA, best
from .sparql import BadRequest

graphstore = Blueprint("graphstore", __name__)

METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]
GRAPH_OFFERS = [(media, key) for media, key in GRAPH_MEDIA if key not in DATASET_FORMATS]
DATASET_OFFERS = [(media, key) for media, key in GRAPH_MEDIA if key in DATASET_FORMATS]
_DEFAULT = object()


@graphstore.route("/store", methods=METHODS)
@graphstore.route("/store/", methods=METHODS)
def indirect():
    return _handle(direct_path=None)


@graphstore.route("/store/<path:path>", methods=METHODS)
def direct(path: str):
    return _handle(direct_path=path)


def _handle(direct_path: str | None) -> Response:
    refusal = refuse_unless_authorized()
    if refusal is not None:
        return refusal
    try:
        graph = _graph(direct_path)
        if request.method in ("GET", "HEAD"):
            return _read(graph)
        return _write(graph)
    except BadRequest as error:
        return error_response(error.status, error.message)


def _graph(direct_path: str | None):
    """The graph's IRI, ``_DEFAULT`` for the default graph, or None when none is named."""
    if direct_path is not None:
        if "graph" in request.args or "default" in request.args:
            raise BadRequest(400, "A graph named by its URL takes no graph or default parameter.")
        return context.public_base() + quote(f"store/{direct_path}", safe="/:@!$&'()*+,;=-._~%")
    graphs = request.args.getlist("graph")
    if graphs and "default" in request.args:
        raise BadRequest(400, "Give either ?graph=IRI or ?default, not both.")
    if len(graphs) > 1:
        raise BadRequest(400, f"parameter graph: given {len(graphs)} times; name one graph.")
    if "default" in request.args:
        return _DEFAULT
    if not graphs:
        return None
    try:
        ox.NamedNode(graphs[0])
    except ValueError as error:
        raise BadRequest(400, f"parameter graph: {graphs[0]!r} is not an absolute IRI ({error}).") from None
    return graphs[0]


def _limits() -> Limits:
    settings = context.settings()
    return Limits(settings.max_result_rows, settings.max_response_bytes)


def _read(graph) -> Response:
    whole = graph is None
    offers = DATASET_OFFERS if whole else GRAPH_OFFERS
    fmt = best(request.headers.get("Accept"), offers)
    if fmt is None:
        kinds = ", ".join(dict.fromkeys(media for media, _ in offers))
        raise BadRequest(406, f"This resource can be given as {kinds}.")
    job = GraphReadJob(fmt, _limits(), graph=None if graph in (None, _DEFAULT) else graph, dataset=whole)
    answer = dispatch.run(job, context.settings().query_timeout, what="read")
    if isinstance(answer, Response):
        return answer
    response = Response(answer.body, content_type=MEDIA_TYPES[fmt])
    response.vary.add("Accept")
    return response


def _parts() -> tuple[tuple[bytes, str], ...]:
    """The request's RDF documents with their media types (several for multipart/form-data)."""
    mimetype = request.mimetype
    if mimetype == "multipart/form-data":
        parts = []
        for name, part in request.files.items(multi=True):
            media = (part.mimetype or "").lower()
            if media not in GRAPH_INPUT_FORMATS:
                raise BadRequest(415, f"part {name!r}: Content-Type {media or 'missing'} is not an RDF graph format we read.")
            parts.append((part.read(), media))
        return tuple(parts)
    if not mimetype:
        raise BadRequest(415, f"Send the graph with a Content-Type: {', '.join(GRAPH_INPUT_FORMATS)}.")
    if mimetype not in GRAPH_INPUT_FORMATS:
        raise BadRequest(415, f"Content-Type {mimetype} is not an RDF graph format we read; use {', '.join(GRAPH_INPUT_FORMATS)}.")
    return ((request.get_data(cache=False), mimetype),)


def _write(graph) -> Response:
    method = request.method
    created_iri = None
    if graph is None:
        if method != "POST":
            raise BadRequest(400, "Name the graph: /store?graph=IRI, /store?default or /store/PATH.")
        created_iri = graph = context.public_base() + f"store/{uuid.uuid4()}"
    parts = () if method == "DELETE" else _parts()
    settings = context.settings()
    target = None if graph is _DEFAULT else graph
    base = target or context.public_base() + "store"
    job = GraphWriteJob(method, target, parts, base_iri=base, wait=min(10.0, settings.update_timeout))
    answer = dispatch.run(job, settings.update_timeout, what="graph")
    if isinstance(answer, Response):
        return answer
    if created_iri is not None:
        return Response(status=201, headers={"Location": created_iri})
    return Response(status=201 if answer.created and method != "DELETE" else 204)


