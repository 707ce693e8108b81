"""What the dataset's metadata documents share: where things are served, and a triple builder.

The IRIs of the dataset, its catalogue, distributions and services are minted
under the base IRI (:class:`~policykg.namespaces.Iris`); the URLs where things
are served (downloads, the endpoint, the documents) come from :class:`Site`,
built from the request's host or ``POLICYKG_PUBLIC_URL``, so that the metadata
is right on a developer's machine and in production alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from policykg import formats
from policykg.namespaces import FORMATS, PREFIXES, RDF, SD, SPDX, VCARD, XSD

#: Prefixes of the metadata documents (Turtle, TriG, RDF/XML).
METADATA_PREFIXES = {**PREFIXES, "vcard": str(VCARD), "sd": str(SD), "formats": str(FORMATS)}


@dataclass(frozen=True)
class Site:
    """The URLs of this server's public resources, under ``base_url`` (ending with '/')."""

    base_url: str

    def url(self, path: str) -> str:
        return self.base_url + path.lstrip("/")

    @property
    def landing(self) -> str:
        return self.base_url

    @property
    def sparql(self) -> str:
        return self.url("sparql")

    @property
    def api(self) -> str:
        return self.url("api")

    @property
    def openapi(self) -> str:
        return self.url("api/openapi.json")

    @property
    def void(self) -> str:
        return self.url(".well-known/void")

    @property
    def catalog(self) -> str:
        return self.url("catalog")

    @property
    def downloads(self) -> str:
        return self.url("downloads/")

    def download(self, name: str) -> str:
        return self.url(f"downloads/{name}")

    @property
    def ontology(self) -> str:
        return self.url("ontology")


class Triples:
    """Collects triples; ``add(s, p, o)`` takes IRIs as ``str`` and terms as pyoxigraph terms."""

    def __init__(self) -> None:
        self.items: list[ox.Triple] = []

    @staticmethod
    def term(value) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        return ox.NamedNode(str(value)) if isinstance(value, str) else value

    def add(self, subject, predicate, obj) -> None:
        self.items.append(ox.Triple(self.term(subject), ox.NamedNode(str(predicate)), self.term(obj)))

    def texts(self, subject, predicate, texts: dict[str, str]) -> None:
        """One literal per language: ``{"sv": "...", "en": "..."}``."""
        for language, text in texts.items():
            self.add(subject, predicate, ox.Literal(text, language=language))


def integer(value: int, datatype=XSD.integer) -> ox.Literal:
    return ox.Literal(str(int(value)), datatype=ox.NamedNode(str(datatype)))


def date_time(iso: str) -> ox.Literal:
    return ox.Literal(iso, datatype=ox.NamedNode(str(XSD.dateTime)))


def date(iso: str) -> ox.Literal:
    return ox.Literal(iso[:10], datatype=ox.NamedNode(str(XSD.date)))


def checksum(triples: Triples, subject: str, sha256: str) -> None:
    """An SPDX SHA-256 checksum of ``subject``, as the loaders record those of source files."""
    node = ox.BlankNode()
    triples.add(subject, SPDX.checksum, node)
    triples.add(node, RDF.type, SPDX.Checksum)
    triples.add(node, SPDX.algorithm, SPDX.checksumAlgorithm_sha256)
    triples.add(node, SPDX.checksumValue, ox.Literal(sha256, datatype=ox.NamedNode(str(XSD.hexBinary))))


def ordered(triples: list[ox.Triple]) -> list[ox.Triple]:
    """Each subject's triples together (blank nodes last), so that Turtle groups them."""
    return sorted(triples, key=lambda t: (isinstance(t.subject, ox.BlankNode), t.subject.value))


def serialize(triples: list[ox.Triple], fmt: str) -> bytes:
    """``triples`` in the RDF format with key ``fmt`` (:mod:`policykg.formats`)."""
    found = formats.of_key(fmt)
    prefixes = METADATA_PREFIXES if found in (formats.TURTLE, formats.TRIG, formats.RDF_XML, formats.N3) else None
    return ox.serialize(ordered(triples), format=found.oxigraph, prefixes=prefixes)
