"""The dataset's metadata: VoID at ``/.well-known/void``, the DCAT-AP-SE catalogue at ``/catalog``.

Both are negotiated (Turtle by default; N-Triples, JSON-LD, RDF/XML, TriG,
N-Quads, N3 by ``Accept`` or ``?format=``) and built from the statistics and
dumps of the newest generation that has them, so a request runs no query.
The IRIs of the dataset's own parts (``BASE/dataset``, ``BASE/distribution/...``,
``BASE/service/...``) dereference here too.
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, current_app, redirect, request, url_for

from policykg.publication.catalog import catalog_triples
from policykg.publication.documents import Site, serialize
from policykg.publication.dumps import Dumps, latest
from policykg.publication.void import void_triples
from policykg.runtime.results import MEDIA_TYPES

from . import context
from .errors import error_response
from .negotiation import GRAPH_MEDIA, UnknownFormat, best, negotiate, offered

metadata = Blueprint("metadata", __name__)

#: The formats a metadata document is offered in, and the ``format`` names of each.
FORMAT_PARAMETERS = {"turtle": "ttl", "nt": "nt", "jsonld": "jsonld", "rdfxml": "rdfxml", "trig": "trig", "nquads": "nquads", "n3": "n3"}


class NotAcceptable(Exception):
    """The request accepts none of the formats offered; the message says which there are."""


def choose_format(*, html: bool) -> str:
    """The format for this request: ``?format=`` wins over ``Accept``; ``html`` offers an HTML page
    (first, as browsers and ``*/*`` get it) besides the RDF formats (Turtle first)."""
    asked = request.args.get("format")
    if asked:
        if html and asked.strip().lower() == "html":
            return "html"
        try:
            fmt = negotiate(None, asked).graph
        except UnknownFormat as error:
            raise NotAcceptable(str(error)) from None
        if fmt is None:
            raise NotAcceptable(f"parameter format: {asked!r} is not an RDF format; offered: {offered('graph')}")
        return fmt
    offers = ([("text/html", "html"), ("application/xhtml+xml", "html")] if html else []) + GRAPH_MEDIA
    fmt = best(request.headers.get("Accept"), offers)
    if fmt is None:
        kinds = "text/html, " + offered("graph") if html else offered("graph")
        raise NotAcceptable(f"This document is offered as {kinds}.")
    return fmt


def alternates(endpoint: str, *, html: bool = False) -> str:
    """A ``Link`` header listing the document's other formats."""
    links = [
        f'<{url_for(endpoint, format=name)}>; rel="alternate"; type="{MEDIA_TYPES[fmt].split(";")[0]}"'
        for fmt, name in FORMAT_PARAMETERS.items()
    ]
    if html:
        links.insert(0, f'<{url_for(endpoint, format="html")}>; rel="alternate"; type="text/html"')
    return ", ".join(links)


def rdf_response(body: bytes, fmt: str, *, etag: str, links: str) -> Response:
    response = Response(body, content_type=MEDIA_TYPES[fmt])
    response.vary.add("Accept")
    response.headers["Link"] = links
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "no-cache"
    response.set_etag(f"{etag}-{fmt}", weak=True)
    return response.make_conditional(request)


def site() -> Site:
    return Site(context.public_base())


def current_dumps() -> Dumps | None:
    return latest(context.store())


def missing_dumps() -> Response:
    return error_response(
        503,
        "The dataset's metadata is made with its dumps, and this store has none yet: "
        "run 'policykg dumps' (or 'policykg build') on the server.",
    )


def cached(key: tuple, make) -> bytes:
    """A serialized document, cached per application (a few dozen: per dumps, public URL and format)."""
    cache = current_app.extensions.setdefault("policykg.publication.documents", {})
    if key not in cache:
        if len(cache) >= 64:
            cache.clear()
        cache[key] = make()
    return cache[key]


def document(kind: str, endpoint: str) -> Response:
    try:
        fmt = choose_format(html=False)
    except NotAcceptable as error:
        return error_response(406, str(error))
    dumps = current_dumps()
    if dumps is None:
        return missing_dumps()
    base_url = context.public_base()
    build = void_triples if kind == "void" else catalog_triples
    body = cached(
        (kind, dumps.generation, dumps.created, base_url, fmt),
        lambda: serialize(build(dumps, context.settings(), Site(base_url)), fmt),
    )
    tag = hashlib.blake2b(f"{dumps.generation}|{dumps.created}|{base_url}".encode(), digest_size=8).hexdigest()
    return rdf_response(body, fmt, etag=tag, links=alternates(endpoint))


@metadata.route("/.well-known/void", methods=["GET", "HEAD"])
def void():
    """VoID: statistics, subsets (one per named graph), linksets, the endpoint and the dumps."""
    return document("void", "metadata.void")


@metadata.route("/dataset", methods=["GET", "HEAD"], endpoint="dataset")
@metadata.route("/catalog", methods=["GET", "HEAD"])
def catalog():
    """The DCAT-AP-SE catalogue: catalogue, dataset, distributions, data services."""
    return document("catalog", "metadata.catalog")


@metadata.get("/distribution/<key>")
@metadata.get("/service/<key>")
def part(key: str):
    """The IRI of a distribution or a data service: described in the catalogue."""
    return redirect(url_for("metadata.catalog", **request.args), code=303)
