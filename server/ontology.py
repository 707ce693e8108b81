"""The ontology and the shapes, served at the paths their IRIs map to.

``https://w3id.org/policykg/ontology`` is served at ``/ontology``: the HTML
documentation that pyLODE generates (:mod:`policykg.publication.ontology_docs`; English or
Swedish by ``Accept-Language`` or ``?lang=``) for browsers, the ontology itself
in Turtle (the file as written), N-Triples, JSON-LD, RDF/XML, ... for RDF
clients, with ``Vary: Accept`` and ``Link: rel=alternate``. Suffixes ask for
one format without negotiation: ``/ontology.ttl``, ``/ontology.en.html``.
``https://w3id.org/policykg/shapes`` is served at ``/shapes`` in the RDF formats.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request, url_for
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from policykg.publication import ontology_docs
from policykg.namespaces import ONTOLOGY_VERSION
from policykg.paths import ontology_dir
from policykg.publication.documents import METADATA_PREFIXES
from policykg.runtime.results import GRAPH_FORMATS, MEDIA_TYPES

from . import context
from .errors import error_response
from .metadata import NotAcceptable, choose_format

ontology = Blueprint("ontology", __name__)

#: File suffixes and the format each one asks for.
SUFFIXES = {"ttl": "turtle", "nt": "nt", "jsonld": "jsonld", "rdf": "rdfxml", "owl": "rdfxml", "trig": "trig", "nq": "nquads", "n3": "n3"}


def _shape_files() -> list[Path]:
    return sorted((ontology_dir() / "shapes").glob("*.ttl"))


def _rdf(kind: str, fmt: str) -> bytes:
    """The ontology or the shapes in ``fmt``; the ontology's Turtle is its file, comments and all."""
    files = [ontology_docs.ontology_file()] if kind == "ontology" else _shape_files()
    stamp = tuple((str(p), p.stat().st_mtime_ns) for p in files)
    cache = current_app.extensions.setdefault("policykg.vocabularies", {})
    key = (kind, fmt, stamp)
    if key not in cache:
        if kind == "ontology" and fmt == "turtle":
            cache[key] = files[0].read_bytes()
        else:
            triples = [t for path in files for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]
            prefixes = METADATA_PREFIXES if fmt in ("turtle", "trig", "rdfxml", "n3") else None
            cache[key] = ox.serialize(triples, format=GRAPH_FORMATS[fmt], prefixes=prefixes)
    return cache[key]


def _language() -> str:
    asked = (request.args.get("lang") or "").strip().lower()
    if asked in ontology_docs.LANGUAGES:
        return asked
    accept = parse_accept_header(request.headers.get("Accept-Language"), LanguageAccept)
    return accept.best_match(ontology_docs.LANGUAGES, default="en")


def _links(kind: str) -> str:
    base = url_for(f"ontology.{kind}")
    links = [f'<{base}.{lang}.html>; rel="alternate"; type="text/html"; hreflang="{lang}"' for lang in ontology_docs.LANGUAGES] if kind == "ontology" else []
    for suffix, fmt in SUFFIXES.items():
        if suffix != "owl":
            links.append(f'<{base}.{suffix}>; rel="alternate"; type="{MEDIA_TYPES[fmt].split(";")[0]}"')
    return ", ".join(links)


def _respond(kind: str, fmt: str, language: str | None, *, vary: tuple[str, ...]) -> Response:
    if fmt == "html":
        body = ontology_docs.page(context.settings(), language or "en").encode("utf-8")
        response = Response(body, content_type="text/html; charset=utf-8")
        response.content_language.add(language or "en")
    else:
        body = _rdf(kind, fmt)
        response = Response(body, content_type=MEDIA_TYPES[fmt])
    for header in vary:
        response.vary.add(header)
    response.headers["Link"] = _links(kind)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.set_etag(hashlib.blake2b(body, digest_size=12).hexdigest())
    return response.make_conditional(request)


@ontology.route("/ontology", methods=["GET", "HEAD"], endpoint="ontology")
@ontology.route(f"/ontology/{ONTOLOGY_VERSION}", methods=["GET", "HEAD"], endpoint="ontology_version")
def ontology_view():
    """The ontology: its documentation for people, itself for programs."""
    try:
        fmt = choose_format(html=True)
    except NotAcceptable as error:
        return error_response(406, str(error))
    return _respond("ontology", fmt, _language() if fmt == "html" else None, vary=("Accept", "Accept-Language"))


@ontology.route("/ontology.<suffix>", methods=["GET", "HEAD"])
def ontology_file(suffix: str):
    """One format of the ontology: ``/ontology.ttl``, ``/ontology.jsonld``, ``/ontology.sv.html`` ..."""
    if suffix in ("html", *(f"{lang}.html" for lang in ontology_docs.LANGUAGES)):
        language = suffix.split(".")[0] if suffix != "html" else _language()
        return _respond("ontology", "html", language, vary=("Accept-Language",) if suffix == "html" else ())
    if suffix not in SUFFIXES:
        return error_response(404, f"No format with the suffix .{suffix}; there are: .html, .en.html, .sv.html, .{', .'.join(SUFFIXES)}.")
    return _respond("ontology", SUFFIXES[suffix], None, vary=())


@ontology.route("/shapes", methods=["GET", "HEAD"], endpoint="shapes")
def shapes_view():
    """The SHACL shapes (every file of ontology/shapes/, as one graph)."""
    try:
        fmt = choose_format(html=False)
    except NotAcceptable as error:
        return error_response(406, str(error))
    return _respond("shapes", fmt, None, vary=("Accept",))


@ontology.route("/shapes.<suffix>", methods=["GET", "HEAD"])
def shapes_file(suffix: str):
    if suffix not in SUFFIXES:
        return error_response(404, f"No format with the suffix .{suffix}; there are: .{', .'.join(SUFFIXES)}.")
    return _respond("shapes", SUFFIXES[suffix], None, vary=())

