"""The dataset's metadata: VoID at ``/.well-known/void``, the DCAT-AP-SE catalogue at ``/catalog``.

Both are negotiated (Turtle by default; every RDF syntax by ``Accept``,
``?format=`` or a suffix) and built from the statistics and dumps of the newest
generation that has them, so a request runs no query. The IRIs of the
dataset's own parts (``BASE/dataset``, ``BASE/distribution/...``,
``BASE/service/...``) dereference here too.
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, redirect, request, url_for

from policykg import formats
from policykg.publication.catalog import catalog_triples
from policykg.publication.documents import METADATA_PREFIXES, Site, ordered
from policykg.publication.dumps import latest
from policykg.publication.void import void_triples

from . import context
from .errors import Unavailable
from .negotiation import negotiate
from .rendering import Output

metadata = Blueprint("metadata", __name__)

#: The formats a metadata document is offered in, Turtle first.
OFFERS = formats.GRAPH_OFFERS



def alternates(endpoint: str, offers=OFFERS) -> str:
    """A ``Link`` header listing the document's formats."""
    return ", ".join(
        f'<{url_for(endpoint, format=fmt.names[0])}>; rel="alternate"; type="{fmt.media_types[0]}"' for fmt in offers
    )


def document(kind: str, endpoint: str) -> Output:
    fmt = negotiate(OFFERS)
    dumps = latest(context.store())
    if dumps is None:
        raise Unavailable(
            "The dataset's metadata is made with its dumps, and this store has none yet: "
            "run 'policykg dumps' (or 'policykg build') on the server."
        )
    base_url = context.public_base()
    build = void_triples if kind == "void" else catalog_triples
    tag = hashlib.blake2b(f"{dumps.generation}|{dumps.created}|{base_url}".encode(), digest_size=8).hexdigest()
    return Output(
        lambda: ordered(build(dumps, context.settings(), Site(base_url))),
        fmt,
        prefixes=METADATA_PREFIXES,
        headers={"Link": alternates(endpoint)},
        etag=f"{tag}-{fmt.key}",
        cache_key=(kind, dumps.generation, dumps.created, base_url, fmt.key),
        generation=context.store().current_generation(),
    )


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
