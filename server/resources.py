"""Linked data: every IRI the project mints dereferences on this server.

The IRI ``BASE/goal/2`` is served at ``/goal/2`` (the path under the base is
the path under this server's root; an IRI with non-ASCII characters at its
percent-encoded path, as RFC 3987 maps an IRI to a URI), as HTML or in any RDF
syntax: by a suffix (``/goal/2.ttl``), ``?format=`` or ``Accept``
(``Vary: Accept``). Every answer lists the others in ``Link: rel="alternate"``.
The UN's SDG IRIs (``http://metadata.un.org/sdg/11.3``) are shown at
``/sdg/11.3``, and any other IRI the store describes at ``/resource?iri=...``.
An IRI the store knows nothing about is 404.

The catch-all route is registered last and Werkzeug prefers rules with fixed
parts (``/sparql``, ``/api/<name>``, ``/static/...``), so it never shadows
another blueprint's route; it answers only for IRIs that are in the store.
"""

from __future__ import annotations

from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, request

from policykg import formats
from policykg.namespaces import PREFIXES, uri_path
from policykg.runtime.describe import INCOMING_PAGE, WORK_PAGE, DescribeJob, exists
from policykg.runtime.executor import Limits

from . import answering, context, linking
from .errors import BadRequest, UnknownResource
from .negotiation import negotiate
from .present import iri_of_path, language
from .rendering import Output

resources = Blueprint("resources", __name__)

#: A page for people, then RDF in every syntax (a dataset syntax carries the description as its default graph).
OFFERS = formats.PAGE_OFFERS
#: The variants listed in ``Link`` and on the page, by their suffix.
VARIANTS = tuple(fmt for fmt in OFFERS if fmt.suffix)



def _known(iri: str) -> bool:
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return False
    answering.generation()  # 503 before the first build
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
        raise BadRequest("parameter iri: missing; give the IRI of a resource, e.g. /resource?iri=http://metadata.un.org/sdg/11")
    try:
        ox.NamedNode(iri)
    except ValueError as error:
        raise BadRequest(f"parameter iri: {iri!r} is not an absolute IRI ({error})") from None
    if not _known(iri):
        raise UnknownResource(iri)
    return serve(iri, None, lambda suffix: f"{request.script_root}/resource?iri={quote(iri, safe='')}&format={suffix}")


@resources.get("/<path:path>")
def by_path(path: str):
    """A minted IRI (or a suffix variant of one), else 404."""
    iri = iri_of_path(path)
    suffix = None
    if not _known(iri):
        stem, dot, ending = path.rpartition(".")
        if not (dot and stem and any(ending in f.suffixes for f in OFFERS) and _known(iri_of_path(stem))):
            raise UnknownResource(iri)
        iri, suffix, path = iri_of_path(stem), ending, stem
    root = request.script_root + "/" + uri_path(path)
    return serve(iri, suffix, lambda ending: f"{root}.{ending}")


def serve(iri: str, suffix: str | None, variant_url) -> Output:
    """The resource in the chosen variant, with ``Link`` to the others."""
    fmt = negotiate(OFFERS, suffix=suffix)
    settings = context.settings()
    limits = Limits(settings.max_result_rows, settings.max_response_bytes)
    base = context.public_base().rstrip("/")
    headers = {
        "Link": ", ".join(f'<{base}{variant_url(f.suffix)}>; rel="alternate"; type="{f.media_types[0]}"' for f in VARIANTS),
    }
    if suffix is None:
        headers["Content-Location"] = variant_url(fmt.suffix)
    if fmt is formats.HTML:
        return _page(iri, limits, variant_url, headers)
    job = DescribeJob(iri, limits, fmt.key)
    answered = answering.answer(job, what="description", cache_key=("describe", iri, fmt.key))
    return Output(answered.value.body, fmt, headers=headers)


def _page(iri: str, limits: Limits, variant_url, headers: dict) -> Output:
    """The page of ``iri``: its stored description when it is a hub's default view."""
    offsets = tuple(sorted(_offsets().items()))
    job = DescribeJob(iri, limits, None, offsets)
    answered = answering.answer(
        job,
        what="description",
        cache_key=("describe", iri, None, offsets),
        stored=(lambda answers: answers.description(iri)) if not offsets else None,
    )
    found = answered.value
    data = {
        "d": found,
        "formats": [(f.label, f.media_types[0], f.suffix) for f in VARIANTS if f is not formats.HTML],
        "alternates": {f.suffix: variant_url(f.suffix) for f in VARIANTS},
        "graph_ids": {graph: str(index) for index, graph in enumerate(found.graphs, 1)},
        "work_page": WORK_PAGE,
        "incoming_page": INCOMING_PAGE,
        "linking": linking.page_sections(found),
    }
    return Output(
        data,
        formats.HTML,
        template="resource.html",
        headers=headers,
        vary=("Accept", "Accept-Language"),
        cache_key=("page", iri, language(), request.script_root, request.full_path),
        generation=answered.generation,
    )


def _expand(key: str) -> str:
    prefix, _, local = key.partition(":")
    return PREFIXES[prefix] + local if prefix in PREFIXES else key


def _offsets() -> dict[str, int]:
    """``offset.pkg:servesGoal=25`` (and ``offset.via:pkg:servesGoal``) -> {IRI: 25}."""
    found = {}
    for name, value in request.args.items():
        value = value.strip()
        if not name.startswith("offset.") or not (value.isascii() and value.isdigit()) or len(value) > 9:
            continue
        key = name[len("offset.") :]
        via = key.startswith("via:")
        iri = _expand(key[4:] if via else key)
        found[("via:" if via else "") + iri] = int(value)
    return found
