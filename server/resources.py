"""Linked data: every IRI the project mints dereferences on this server.

The IRI ``BASE/goal/2`` is served at ``/goal/2`` (the path under the base is
the path under this server's root), as HTML, Turtle, JSON-LD, N-Triples or
RDF/XML: by ``Accept`` (``Vary: Accept``), by a suffix (``/goal/2.ttl``) or by
``?format=``. Every answer lists the others in ``Link: rel="alternate"``.
The UN's SDG IRIs (``http://metadata.un.org/sdg/11.3``) are shown at
``/sdg/11.3``, and any other IRI the store describes at ``/resource?iri=...``.
An IRI the store knows nothing about is 404.

The catch-all route is registered last and Werkzeug prefers rules with fixed
parts (``/sparql``, ``/api/<name>``, ``/static/...``), so it never shadows
another blueprint's route; it answers only for IRIs that are in the store.
"""

from __future__ import annotations

import pickle
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request

from policykg.namespaces import PREFIXES
from policykg.runtime.describe import (
    INCOMING_PAGE,
    WORK_PAGE,
    DescribeJob,
    Description,
    exists,
)
from policykg.runtime.executor import Answer, Limits
from policykg.runtime.results import MEDIA_TYPES
from policykg.store import StoreNotBuilt

from . import context, dispatch
from .errors import RETRY_AFTER, error_response
from .negotiation import best
from .present import IRI_SAFE, iri_of_path, language, text

resources = Blueprint("resources", __name__)

#: (name, media type, suffix, format key) of each variant, HTML first.
FORMATS = (
    ("HTML", "text/html", "html", "html"),
    ("Turtle", "text/turtle", "ttl", "turtle"),
    ("JSON-LD", "application/ld+json", "jsonld", "jsonld"),
    ("N-Triples", "application/n-triples", "nt", "nt"),
    ("RDF/XML", "application/rdf+xml", "rdf", "rdfxml"),
)
SUFFIXES = {suffix: fmt for _, _, suffix, fmt in FORMATS}
FORMAT_PARAMS = {**SUFFIXES, **{fmt: fmt for fmt in SUFFIXES.values()}, "json-ld": "jsonld", "n-triples": "nt", "rdf-xml": "rdfxml"}
OFFERS = [
    ("text/html", "html"),
    ("application/xhtml+xml", "html"),
    ("text/turtle", "turtle"),
    ("application/x-turtle", "turtle"),
    ("application/ld+json", "jsonld"),
    ("application/n-triples", "nt"),
    ("application/rdf+xml", "rdfxml"),
    ("text/plain", "nt"),
]


class Unacceptable(Exception):
    pass


def _choose(suffix_format: str | None) -> str:
    """The variant: a suffix, then ``?format=``, then ``Accept``."""
    if suffix_format:
        return suffix_format
    asked = (request.args.get("format") or "").strip().lower()
    if asked:
        if asked not in FORMAT_PARAMS:
            raise Unacceptable(f"parameter format: {asked!r} is not offered; use one of {', '.join(SUFFIXES)}")
        return FORMAT_PARAMS[asked]
    fmt = best(request.headers.get("Accept"), OFFERS)
    if fmt is None:
        raise Unacceptable(
            "This resource can be given as " + ", ".join(dict.fromkeys(m for m, _ in OFFERS)) + "; the request accepts none of them."
        )
    return fmt


def _known(iri: str) -> bool:
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return False
    return exists(context.store().reader(), node)


@resources.get("/sdg")
@resources.get("/sdg/<path:path>")
def sdg(path: str = ""):
    """The UN's SDG IRIs, shown here because the store links to them."""
    return by_path("sdg/" + path if path else "sdg")


@resources.get("/resource")
def any_resource():
    """Any IRI the store describes, by ``?iri=``."""
    iri = (request.args.get("iri") or "").strip()
    if not iri:
        return error_response(400, "parameter iri: missing; give the IRI of a resource, e.g. /resource?iri=http://metadata.un.org/sdg/11")
    try:
        ox.NamedNode(iri)
    except ValueError as error:
        return error_response(400, f"parameter iri: {iri!r} is not an absolute IRI ({error})")
    try:
        if not _known(iri):
            return not_found(iri)
    except StoreNotBuilt:
        return _not_built()
    return serve(iri, None, lambda suffix: f"{request.script_root}/resource?iri={quote(iri, safe='')}&format={suffix}")


@resources.get("/<path:path>")
def by_path(path: str):
    """A minted IRI (or a suffix variant of one), else 404."""
    try:
        iri = iri_of_path(path)
        suffix_format = None
        if not _known(iri):
            stem, dot, suffix = path.rpartition(".")
            iri = iri_of_path(stem) if dot and stem and suffix in SUFFIXES else None
            if iri is None or not _known(iri):
                return not_found(iri_of_path(path))
            suffix_format = SUFFIXES[suffix]
            path = stem
    except StoreNotBuilt:
        return _not_built()
    root = request.script_root + "/" + quote(path, safe=IRI_SAFE)
    return serve(iri, suffix_format, lambda suffix: f"{root}.{suffix}")


def _not_built() -> Response:
    return error_response(503, "The store holds no data yet: run 'policykg build'.", {"Retry-After": RETRY_AFTER})


def serve(iri: str, suffix_format: str | None, variant_url) -> Response:
    """The resource in the chosen variant, with ``Link`` to the others."""
    try:
        fmt = _choose(suffix_format)
    except Unacceptable as error:
        return error_response(406, str(error))
    settings = context.settings()
    limits = Limits(settings.max_result_rows, settings.max_response_bytes)
    base = context.public_base().rstrip("/")
    links = [f'<{base}{variant_url(suffix)}>; rel="alternate"; type="{media}"' for _, media, suffix, _ in FORMATS]
    if fmt == "html":
        page = _cached_page(iri, limits, variant_url)
        if isinstance(page, Response):
            return page
        response = Response(page, content_type="text/html; charset=utf-8")
        response.vary.add("Accept-Language")
    else:
        answer = _cached_job(DescribeJob(iri, limits, fmt))
        if isinstance(answer, Response):
            return answer
        response = Response(answer.body, content_type=MEDIA_TYPES[fmt])
    response.vary.add("Accept")
    response.headers["Link"] = ", ".join(links)
    if suffix_format is None:
        suffix = next(s for _, _, s, f in FORMATS if f == fmt)
        response.headers["Content-Location"] = variant_url(suffix)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _cached_page(iri: str, limits: Limits, variant_url) -> bytes | Response:
    """The rendered page; kept in the result cache for this generation, language and URL."""
    cache = context.result_cache()
    generation = context.store().current_generation()
    key = ("page", iri, language(), request.script_root, request.full_path)
    if cache.enabled and generation:
        hit = cache.get(generation, key)
        if hit is not None:
            return hit[1]
    found = _cached_job(DescribeJob(iri, limits, None, tuple(sorted(_offsets().items()))))
    if isinstance(found, Response):
        return found
    page = _render(found, variant_url).encode("utf-8")
    if cache.enabled:
        cache.put(found.generation, key, "html", page)
    return page


def _cached_job(job: DescribeJob):
    """The job's answer (a Description or an Answer), from the result cache when it has it."""
    store = context.store()
    generation = store.current_generation()
    cache = context.result_cache()
    key = ("describe", job.iri, job.fmt, job.offsets)
    if job.fmt is None and not job.offsets:
        stored = context.stored_answers(generation)
        found = stored.description(job.iri) if stored is not None else None
        if found is not None:
            return found
    if cache.enabled and generation:
        hit = cache.get(generation, key)
        if hit is not None:
            return pickle.loads(hit[1]) if hit[0] == "description" else Answer(hit[0], hit[1], generation)
    answer = dispatch.run(job, context.settings().query_timeout, what="description")
    if isinstance(answer, Response):
        if answer.status_code == 404:
            return not_found(job.iri)
        return answer
    if cache.enabled:
        if isinstance(answer, Description):
            cache.put(answer.generation, key, "description", pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
        else:
            cache.put(answer.generation, key, answer.fmt, answer.body)
    return answer


def _expand(key: str) -> str:
    prefix, _, local = key.partition(":")
    return PREFIXES[prefix] + local if prefix in PREFIXES else key


def _offsets() -> dict[str, int]:
    """``offset.pkg:servesGoal=25`` (and ``offset.via:pkg:servesGoal``) -> {IRI: 25}."""
    found = {}
    for name, value in request.args.items():
        if not name.startswith("offset.") or not value.strip().isdigit():
            continue
        key = name[len("offset.") :]
        via = key.startswith("via:")
        iri = _expand(key[4:] if via else key)
        found[("via:" if via else "") + iri] = int(value)
    return found


def _render(found: Description, variant_url) -> str:
    graph_ids = {graph: str(index) for index, graph in enumerate(found.graphs, 1)}
    return render_template(
        "resource.html",
        d=found,
        formats=[(name, media, suffix) for name, media, suffix, _ in FORMATS if suffix != "html"],
        alternates={suffix: variant_url(suffix) for _, _, suffix, _ in FORMATS},
        graph_ids=graph_ids,
        work_page=WORK_PAGE,
        incoming_page=INCOMING_PAGE,
    )


def not_found(iri: str) -> Response:
    """404: a page in the reader's language for browsers, plain text for programs."""
    wants = best(request.headers.get("Accept"), [("text/html", "html"), ("text/plain", "text"), ("*/*", "text")])
    message = text("not_found_iri", iri)
    if wants == "html":
        response = Response(render_template("not_found.html", message=message), status=404, content_type="text/html; charset=utf-8")
    else:
        response = error_response(404, f"Not found: the dataset says nothing about <{iri}>.")
    response.vary.add("Accept")
    response.vary.add("Accept-Language")
    return response

