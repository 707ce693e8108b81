"""The SPARQL 1.1 Graph Store HTTP Protocol at /store (only when an update token is configured).

A graph is named indirectly (``/store?graph=IRI``, ``/store?default``) or directly
(``/store/some/path``: the graph whose IRI is that URL). Every method needs the
token. ``GET /store`` with neither gives the whole dataset (N-Quads or TriG: the
only place where quads mean something); ``POST /store`` creates a new graph and
answers with its IRI in ``Location``. Each write gives the blank nodes of what it
sends fresh identities: two uploads that both say ``_:b`` mean two nodes.
"""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, request

from policykg import formats
from policykg.runtime.executor import GraphReadJob, GraphWriteJob, Limits

from . import answering, context
from .auth import require_token
from .errors import BadRequest, UnsupportedMediaType
from .negotiation import negotiate
from .rendering import Output

graphstore = Blueprint("graphstore", __name__)

METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]
#: One graph in any RDF syntax (a dataset syntax carries it as its default graph); the whole store as quads.
GRAPH_OFFERS = tuple(f for f in formats.GRAPH_OFFERS if f.serialises == formats.GRAPH)
DATASET_OFFERS = formats.DATASET_OFFERS
_DEFAULT = object()


@graphstore.route("/store", methods=METHODS)
@graphstore.route("/store/", methods=METHODS)
def indirect():
    return _handle(direct_path=None)


@graphstore.route("/store/<path:path>", methods=METHODS)
def direct(path: str):
    return _handle(direct_path=path)


def _handle(direct_path: str | None) -> Output:
    require_token()
    graph = _graph(direct_path)
    if request.method in ("GET", "HEAD"):
        return _read(graph)
    return _write(graph)


def _graph(direct_path: str | None):
    """The graph's IRI, ``_DEFAULT`` for the default graph, or None when none is named."""
    if direct_path is not None:
        if "graph" in request.args or "default" in request.args:
            raise BadRequest("A graph named by its URL takes no graph or default parameter.")
        return context.public_base() + quote(f"store/{direct_path}", safe="/:@!$&'()*+,;=-._~%")
    graphs = request.args.getlist("graph")
    if graphs and "default" in request.args:
        raise BadRequest("Give either ?graph=IRI or ?default, not both.")
    if len(graphs) > 1:
        raise BadRequest(f"parameter graph: given {len(graphs)} times; name one graph.")
    if "default" in request.args:
        return _DEFAULT
    if not graphs:
        return None
    try:
        ox.NamedNode(graphs[0])
    except ValueError as error:
        raise BadRequest(f"parameter graph: {graphs[0]!r} is not an absolute IRI ({error}).") from None
    return graphs[0]


def _limits() -> Limits:
    settings = context.settings()
    return Limits(settings.max_result_rows, settings.max_response_bytes)


def _read(graph) -> Output:
    whole = graph is None
    fmt = negotiate(DATASET_OFFERS if whole else GRAPH_OFFERS, params=request.args)
    job = GraphReadJob(fmt.key, _limits(), graph=None if graph in (None, _DEFAULT) else graph, dataset=whole)
    answered = answering.run(job, context.settings().query_timeout, what="read")
    return Output(answered.body if answered.body is not None else answered.chunks, fmt)


def _parts() -> tuple[tuple[bytes, str], ...]:
    """The request's RDF documents with their media types (several for multipart/form-data)."""
    mimetype = request.mimetype
    accepted = ", ".join(formats.GRAPH_INPUT)
    if mimetype == "multipart/form-data":
        parts = []
        for name, part in request.files.items(multi=True):
            media = (part.mimetype or "").lower()
            if media not in formats.GRAPH_INPUT:
                raise UnsupportedMediaType(f"part {name!r}: Content-Type {media or 'missing'} is not an RDF graph format we read.")
            parts.append((part.read(), media))
        return tuple(parts)
    if not mimetype:
        raise UnsupportedMediaType(f"Send the graph with a Content-Type: {accepted}.")
    if mimetype not in formats.GRAPH_INPUT:
        raise UnsupportedMediaType(f"Content-Type {mimetype} is not an RDF graph format we read; use {accepted}.")
    return ((request.get_data(cache=True), mimetype),)


def _write(graph) -> Output:
    method = request.method
    created_iri = None
    if graph is None:
        if method != "POST":
            raise BadRequest("Name the graph: /store?graph=IRI, /store?default or /store/PATH.")
        created_iri = graph = context.public_base() + f"store/{uuid.uuid4()}"
    parts = () if method == "DELETE" else _parts()
    settings = context.settings()
    target = None if graph is _DEFAULT else graph
    base = target or context.public_base() + "store"
    job = GraphWriteJob(
        method, target, parts, base_iri=base, wait=min(10.0, settings.update_timeout),
        compact_after=settings.compact_after_writes,
    )
    answered = answering.run(job, settings.update_timeout, what="graph")
    if created_iri is not None:
        return Output(b"", formats.PLAIN_TEXT, 201, headers={"Location": created_iri})
    return Output(b"", formats.PLAIN_TEXT, 201 if answered.created and method != "DELETE" else 204)
