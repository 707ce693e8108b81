"""The EU Publications Office's country table (an EU authority table, SKOS) into ``graph/eu-countries``.

Read from ``countries-skos.rdf.gz`` (the complete table as published) or, without
it, ``countries-skos-subset.ttl`` in ``POLICYKG_EU_COUNTRIES`` (default
``../shared/data/links/eu-country-authority``); or, when ``POLICYKG_EU_SPARQL``
names the EU's SPARQL endpoint, fetched from there (a CONSTRUCT of the same
triples, cached beside the store). The publisher's IRIs are kept
(``.../authority/country/SWE``). Of each country the graph keeps what this
service speaks and links with: its types and schemes, its authority code and ISO
codes, its labels in Swedish and English, whether it is deprecated and when it
was in use; the table's other languages, legacy codes and change notes are at
the publisher.
"""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

import pyoxigraph as ox

from policykg.config import Settings
from policykg.namespaces import CC_BY_4, EUVOC, EU_AUTHORITY_ONTOLOGY, EU_COUNTRY, EU_COUNTRY_SCHEME, EU_DATASET, RDF, RDFS, SKOS

from ..errors import InputError, Problem
from ..sources import ReadResult, Source
from . import common, remote
from .common import Publisher

FULL = "countries-skos.rdf.gz"
SUBSET = "countries-skos-subset.ttl"
PUBLISHER = Publisher(
    str(EU_DATASET.country),
    "Countries and territories (EU authority table, Publications Office of the EU)",
    "Länder och territorier (EU:s auktoritetstabell, EU:s publikationsbyrå)",
    homepage="https://op.europa.eu/en/web/eu-vocabularies",
    licence=CC_BY_4,
    attribution="© European Union, Publications Office of the EU: EU Vocabularies, country authority table",
)
LANGUAGES = ("sv", "en")
KEPT = {
    str(RDF.type), str(SKOS.inScheme), str(SKOS.topConceptOf), str(SKOS.prefLabel), str(SKOS.altLabel),
    str(SKOS.notation), str(RDFS.label), str(EU_AUTHORITY_ONTOLOGY["authority-code"]),
    str(EU_AUTHORITY_ONTOLOGY.deprecated), str(EU_AUTHORITY_ONTOLOGY["start.use"]),
    str(EU_AUTHORITY_ONTOLOGY["end.use"]), str(EU_AUTHORITY_ONTOLOGY["table.version.number"]),
}
#: The notations kept: the ISO 3166-1 codes (the others are codes of EU procedures).
NOTATIONS = {str(EUVOC[name]) for name in ("ISO_3166_1_ALPHA_2", "ISO_3166_1_ALPHA_3", "ISO_3166_1_NUM")}
CONSTRUCT = f"""
CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  {{ ?s <{SKOS.inScheme}> <{EU_COUNTRY_SCHEME}> }} UNION {{ VALUES ?s {{ <{EU_COUNTRY_SCHEME}> }} }}
  ?s ?p ?o .
  FILTER(!isBlank(?o))
}}"""


def kept(quad: ox.Quad) -> bool:
    """The triples of the table this graph keeps (see the module's description)."""
    predicate, obj = quad.predicate.value, quad.object
    if predicate not in KEPT or isinstance(obj, ox.BlankNode) or isinstance(quad.subject, ox.BlankNode):
        return False
    if isinstance(obj, ox.Literal):
        if obj.language and obj.language not in LANGUAGES:
            return False
        if predicate == str(SKOS.notation) and (obj.datatype is None or obj.datatype.value not in NOTATIONS):
            return False
    return True


def parse_table(path: Path) -> list[ox.Quad]:
    """The triples of the table's file (RDF/XML, gzipped, or Turtle)."""
    try:
        if path.suffix == ".nt":
            return list(ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES))
        if path.name.endswith(".rdf.gz"):
            data = gzip.open(path).read()
            # The published file's xml:base lists several IRIs; every IRI in it is absolute, so the first will do.
            found = re.search(rb'xml:base="([^"]*)"', data[:4096])
            if found:
                data = data[: found.start(1)] + found.group(1).split()[0] + data[found.end(1):]
            return list(ox.parse(data, format=ox.RdfFormat.RDF_XML))
        return list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    except (SyntaxError, ValueError) as error:
        raise InputError([Problem(str(path), f"not the country table: {error}")]) from None
    except OSError as error:
        raise InputError([Problem(str(path), f"cannot read: {error}")]) from None


def country_source(settings: Settings, notes: list[str]) -> Source | None:
    """The source of ``graph/eu-countries``, or None (with a note) when its files are not there."""
    origin = None
    if settings.eu_sparql:
        fetched = remote.construct(settings, settings.eu_sparql, CONSTRUCT, "eu-countries", notes)
        if fetched is None:
            return None
        path, origin = fetched
    else:
        directory = settings.links_location("eu_countries")
        path = next((directory / name for name in (FULL, SUBSET) if (directory / name).is_file()), None)
        if path is None:
            notes.append(f"EU country table not found at {directory} (missing {FULL} and {SUBSET}): not loaded")
            return None

    def read(paths: list[Path], settings: Settings) -> ReadResult:
        quads = [q for q in parse_table(paths[0]) if kept(q)]
        countries = {q.subject.value for q in quads if q.predicate.value == str(SKOS.inScheme)
                     and q.object.value == EU_COUNTRY_SCHEME}
        if not countries:
            raise InputError([Problem(str(paths[0]), "no country of the table (skos:inScheme <" + EU_COUNTRY_SCHEME + ">)")])
        quads += common.describe_graph(settings.iris.graph("eu-countries"), PUBLISHER)
        return ReadResult(quads, note=f"eu-countries: {len(countries)} countries and territories from {paths[0].name}")

    return Source(
        "eu-countries",
        "Countries and territories: the EU authority table",
        "Länder och territorier: EU:s auktoritetstabell",
        (path,),
        read,
        modules=(common, sys.modules[__name__]),
        origin=origin,
    )


__all__ = ["country_source", "EU_COUNTRY"]
