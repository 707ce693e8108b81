"""The dumps, for download: ``/downloads/`` (an index) and ``/downloads/NAME`` (the files).

Files are sent as they are on disk (``send_file``): with their size, a strong
ETag (their SHA-256), ``Last-Modified``, and byte ranges, so a broken download
can be resumed; ``Cache-Control: no-transform`` keeps the server from
compressing them again on the way (which would lose the size and the ranges).
"""

from __future__ import annotations

from flask import Blueprint, Response, send_file

from policykg import formats
from policykg.namespaces import LICENCE_DATA, LICENCE_ONTOLOGY
from policykg.publication.dumps import CHECKSUMS, Dumps, latest

from . import context
from .errors import NotFound
from .rendering import Output

downloads = Blueprint("downloads", __name__)

#: What a gzip-compressed dump is sent as (its content type is in the catalogue).
GZIP_MEDIA = "application/gzip"


def status(dumps: Dumps | None) -> dict:
    """What the index and the landing page say about the dumps."""
    store = context.store()
    published = store.current_generation()
    return {
        "dumps": dumps,
        "published": published,
        "stale": dumps is not None and published is not None and dumps.generation != published,
    }


def citation(dumps: Dumps | None) -> dict:
    """How to cite the dataset: its IRI and version (the day its data was published)."""
    settings = context.settings()
    version = dumps.published[:10] if dumps else None
    return {
        "iri": settings.iris.dataset(),
        "version": version,
        "publisher": settings.publisher_name,
        "title": "Umeå kommun's International Program as linked data",
        "year": version[:4] if version else None,
    }


def page_context() -> dict:
    """Everything the download section of a page needs."""
    dumps = latest(context.store())
    return {
        **status(dumps),
        "citation": citation(dumps),
        "licence_data": LICENCE_DATA,
        "licence_ontology": LICENCE_ONTOLOGY,
    }


@downloads.app_context_processor
def download_section() -> dict:
    """``download_context()`` for any template (the landing page includes the section)."""
    return {"download_context": page_context}


@downloads.get("/downloads/")
def index():
    """The dumps with their formats, sizes, checksums and licence, and how to cite them."""
    return Output(page_context(), formats.HTML, template="downloads.html", vary=("Accept-Language",))


@downloads.get("/downloads/<name>")
def file(name: str):
    dumps = latest(context.store())
    if dumps is None:
        raise NotFound("There are no dumps yet: run 'policykg dumps' (or 'policykg build') on the server to write them.")
    if name == CHECKSUMS:
        response = send_file(dumps.path / CHECKSUMS, mimetype="text/plain", conditional=True, max_age=0)
        return _no_transform(response)
    dump = dumps.file(name)
    if dump is None:
        names = ", ".join([f.name for f in dumps.files] + [CHECKSUMS])
        raise NotFound(f"No dump named {name!r}; there are: {names}.")
    media = GZIP_MEDIA if dump.format.gzip else dump.media_type
    response = send_file(
        dumps.path / dump.name,
        mimetype=media,
        as_attachment=True,
        download_name=dump.name,
        conditional=True,
        etag=dump.sha256,
        max_age=0,
    )
    return _no_transform(response)


def _no_transform(response: Response) -> Response:
    response.cache_control.no_transform = True
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
