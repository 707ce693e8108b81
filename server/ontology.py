"""The ontology and the shapes, served at the paths their IRIs map to.

``https://w3id.org/policykg/ontology`` is served at ``/ontology``: the HTML
documentation that pyLODE generates (:mod:`policykg.publication.ontology_docs`;
English or Swedish by ``Accept-Language`` or ``?lang=``) for browsers, the
ontology itself in Turtle (the file as written) or any other RDF syntax for RDF
clients, with ``Vary: Accept`` and ``Link: rel=alternate``. Suffixes ask for one
format without negotiation: ``/ontology.ttl``, ``/ontology.en.html``.
``https://w3id.org/policykg/shapes`` is served at ``/shapes`` in the RDF formats.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, url_for

from policykg import formats
from policykg.namespaces import ONTOLOGY_VERSION
from policykg.paths import ontology_dir
from policykg.publication import ontology_docs
from policykg.publication.documents import METADATA_PREFIXES

from . import context
from .errors import NotFound
from .negotiation import negotiate, negotiate_language
from .rendering import Output

ontology = Blueprint("ontology", __name__)

RDF_OFFERS = formats.GRAPH_OFFERS
PAGE_OFFERS = (formats.HTML, *RDF_OFFERS)



def _files(kind: str) -> list[Path]:
    if kind == "ontology":
        return [ontology_docs.ontology_file()]
    return sorted((ontology_dir() / "shapes").glob("*.ttl"))


def _language() -> str:
    return negotiate_language(ontology_docs.LANGUAGES, "en")


def _links(kind: str) -> str:
    base = url_for(f"ontology.{kind}")
    links = [f'<{base}.{lang}.html>; rel="alternate"; type="text/html"; hreflang="{lang}"' for lang in ontology_docs.LANGUAGES] if kind == "ontology" else []
    links += [f'<{base}.{fmt.suffix}>; rel="alternate"; type="{fmt.media_types[0]}"' for fmt in RDF_OFFERS]
    return ", ".join(links)


def _respond(kind: str, fmt: formats.Format, language: str | None, *, vary: tuple[str, ...]) -> Output:
    files = _files(kind)
    stamp = tuple((str(p), p.stat().st_mtime_ns) for p in files)
    tag = hashlib.blake2b(repr((kind, fmt.key, language, stamp)).encode(), digest_size=12).hexdigest()
    headers = {"Link": _links(kind)}
    if fmt is formats.HTML:
        headers["Content-Language"] = language or "en"
        data = ontology_docs.page(context.settings(), language or "en").encode("utf-8")
    elif kind == "ontology" and fmt is formats.TURTLE:
        data = files[0].read_bytes()  # the file as written, comments and all
    else:
        data = lambda: [t for path in files for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]  # noqa: E731
    return Output(
        data, fmt, vary=vary, headers=headers, etag=tag, prefixes=METADATA_PREFIXES,
        cache_key=("vocabulary", kind, fmt.key, stamp), generation=context.store().current_generation(),
    )


@ontology.route("/ontology", methods=["GET", "HEAD"], endpoint="ontology")
@ontology.route(f"/ontology/{ONTOLOGY_VERSION}", methods=["GET", "HEAD"], endpoint="ontology_version")
def ontology_view():
    """The ontology: its documentation for people, itself for programs."""
    fmt = negotiate(PAGE_OFFERS)
    return _respond("ontology", fmt, _language() if fmt is formats.HTML else None, vary=("Accept", "Accept-Language"))


def _by_suffix(suffix: str, offers) -> formats.Format:
    found = next((f for f in offers if suffix in f.suffixes), None)
    if found is None:
        names = ", ".join("." + s for f in offers for s in f.suffixes)
        raise NotFound(f"No format with the suffix .{suffix}; there are: {names}.")
    return found


@ontology.route("/ontology.<suffix>", methods=["GET", "HEAD"])
def ontology_file(suffix: str):
    """One format of the ontology: ``/ontology.ttl``, ``/ontology.jsonld``, ``/ontology.sv.html`` ..."""
    if suffix in ("html", *(f"{lang}.html" for lang in ontology_docs.LANGUAGES)):
        language = suffix.split(".")[0] if suffix != "html" else _language()
        return _respond("ontology", formats.HTML, language, vary=("Accept-Language",) if suffix == "html" else ())
    return _respond("ontology", _by_suffix(suffix, RDF_OFFERS), None, vary=())


@ontology.route("/shapes", methods=["GET", "HEAD"], endpoint="shapes")
def shapes_view():
    """The SHACL shapes (every file of ontology/shapes/, as one graph)."""
    return _respond("shapes", negotiate(RDF_OFFERS), None, vary=("Accept",))


@ontology.route("/shapes.<suffix>", methods=["GET", "HEAD"])
def shapes_file(suffix: str):
    return _respond("shapes", _by_suffix(suffix, RDF_OFFERS), None, vary=())
