"""What the reference loaders share: where their files are (and the note when they
are not), CSV rows with their line numbers, quads built from plain values, and the
description of a reference graph: whose dataset it copies, under what licence,
with what attribution.

A reference graph is a copy of (part of) someone else's dataset. Its subjects are
the publisher's own IRIs where the publisher has them (EU country table, NUTS,
Wikidata, Kolada's KPIs) and ours where it has none (Swedish municipalities and
counties, EU project records): ``BASE/place/...``, ``BASE/eu-project/...``.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from policykg.config import Settings
from policykg.namespaces import DCT, FOAF, RDF, VOID, XSD, nn

from ..errors import InputError, Problem
from ..identifiers import identifier_triples


@dataclass(frozen=True)
class Publisher:
    """The dataset of others that a reference graph copies, and how to credit it."""

    dataset: str  # the dataset's IRI (the publisher's own where it has one)
    title_en: str
    title_sv: str
    homepage: str | None = None
    licence: str | None = None  # an IRI; None when the publisher states none we could verify
    attribution: str | None = None  # what a reuser must say, in the publisher's words where they give them


def locate(settings: Settings, name: str, required: tuple[str, ...], title: str, notes: list[str]) -> Path | None:
    """The directory of reference dataset ``name`` if it holds the ``required`` files;
    otherwise None, and a note saying what was left out and why."""
    directory = settings.links_location(name)
    missing = [file for file in required if not (directory / file).is_file()]
    if missing:
        notes.append(f"{title} not found at {directory} (missing {', '.join(missing)}): not loaded")
        return None
    return directory


def open_text(path: Path) -> io.TextIOBase:
    """A text file, gunzipped when its name ends in .gz."""
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path), encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def csv_rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number as a spreadsheet shows it, row) of a CSV file whose header has ``required``."""
    with open_text(path) as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [column for column in required if column not in header]
        if missing:
            raise InputError([Problem(str(path), f"the header lacks the column{'s' if len(missing) > 1 else ''} "
                                      f"{', '.join(missing)}", line=1, expected="the publisher's columns: " + ", ".join(required))])
        for number, row in enumerate(reader, start=2):
            if any((value or "").strip() for value in row.values()):
                yield number, {k: (v or "").strip() for k, v in row.items() if k is not None}


def literal(text: str, language: str | None = None, datatype: str | None = None) -> ox.Literal:
    if datatype:
        return ox.Literal(text, datatype=nn(datatype))
    return ox.Literal(text, language=language) if language else ox.Literal(text)


class Quads:
    """Quads of one graph built from plain values: IRIs as ``str``, literals as ``ox.Literal``."""

    def __init__(self) -> None:
        self.items: list[ox.Quad] = []

    def add(self, subject: str, predicate: str, obj: str | ox.Literal) -> None:
        term = obj if isinstance(obj, ox.Literal) else nn(obj)
        self.items.append(ox.Quad(nn(subject), nn(predicate), term))

    def text(self, subject: str, predicate: str, text: str | None, language: str | None = None) -> None:
        if text:
            self.add(subject, predicate, literal(text, language))

    def identifier(self, entity: str, scheme: str, code: str, *, link: str | None = None) -> None:
        for s, p, o in identifier_triples(entity, scheme, code, link=link):
            self.add(s, p, literal(o[0], o[1]) if isinstance(o, tuple) else o)


def describe_graph(graph: str, publisher: Publisher) -> list[ox.Quad]:
    """What a reference graph says about where it comes from, beside its provenance."""
    out = Quads()
    out.add(graph, str(DCT.source), publisher.dataset)
    if publisher.licence:
        out.add(graph, str(DCT.license), publisher.licence)
    out.text(graph, str(DCT.bibliographicCitation), publisher.attribution)
    out.add(publisher.dataset, str(RDF.type), str(VOID.Dataset))
    out.text(publisher.dataset, str(DCT.title), publisher.title_en, "en")
    out.text(publisher.dataset, str(DCT.title), publisher.title_sv, "sv")
    if publisher.homepage:
        out.add(publisher.dataset, str(FOAF.homepage), publisher.homepage)
    if publisher.licence:
        out.add(publisher.dataset, str(DCT.license), publisher.licence)
    return out.items


def year(value: str) -> ox.Literal:
    return literal(value, datatype=str(XSD.gYear))


def parse_rdf(path: Path) -> list[ox.Quad]:
    """The triples of an RDF file (its format by its name), or :class:`InputError` naming it."""
    from .. import rdf

    return rdf.read_rdf(path)
