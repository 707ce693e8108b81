"""The UN Sustainable Development Goals framework (the UN's SKOS files) into ``graph/sdg``.

The files are read from ``POLICYKG_UN_SDG``: a directory, or an http(s) URL of
one (each file is fetched into ``var/cache/un-sdg/`` beside the store and its
URL recorded in the provenance). The default is ``../shared/data/un-sdg``. The
UN's licence statement and citation (from their ``void.ttl``) are stated on the
graph as ``dct:license`` and ``dct:bibliographicCitation``. The files are never
copied into the project.

When the location does not exist, ``build`` says so and goes on without it;
SDG targets in the registries are then checked against our own list of the 169
target codes (``facts/sdg-targets.txt``).
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from pathlib import Path

import pyoxigraph as ox

from policykg.config import Settings
from policykg.namespaces import DCT, RDF, RDFS, SDG, SDG_SCHEME, SDGO, nn

from . import rdf
from .errors import InputError, Problem
from .references import Catalogue
from .sources import ReadResult, Source

FILES = ("sdgs-ontology.ttl", "sdg-kos-goals-targets-indicators.ttl")
VOID = "void.ttl"
CITATION_MARK = "citation: "


def _fetch(url: str, cache: Path, notes: list[str]) -> Path | None:
    """The files at ``url``, fetched into ``cache``; None (and a note) if that fails."""
    cache.mkdir(parents=True, exist_ok=True)
    for name in (*FILES, VOID):
        try:
            with urllib.request.urlopen(url + name, timeout=60) as response:
                data = response.read()
        except (urllib.error.URLError, OSError, ValueError) as error:
            if name == VOID:
                continue
            notes.append(f"UN SDG framework: cannot fetch {url + name} ({error}); not loaded")
            return None
        (cache / name).write_bytes(data)
    return cache


def sdg_source(settings: Settings, catalogue: Catalogue, notes: list[str]) -> Source | None:
    """The source of ``graph/sdg``, or None (with a note) when the location does not exist."""
    location = settings.un_sdg_location
    origin = None
    if location.startswith(("http://", "https://")):
        origin = location if location.endswith("/") else location + "/"
        directory = _fetch(origin, settings.store.parent / "cache" / "un-sdg", notes)
        if directory is None:
            return None
    else:
        directory = Path(location)
        missing = [name for name in FILES if not (directory / name).is_file()]
        if missing:
            notes.append(
                f"UN SDG framework not found at {directory} (missing {', '.join(missing)}): not loaded; "
                "SDG targets are checked against the built-in list of the 169 targets"
            )
            return None
    files = tuple(directory / name for name in FILES)
    if (directory / VOID).is_file():
        files += (directory / VOID,)

    def read(paths: list[Path], settings: Settings) -> ReadResult:
        quads = [quad for path in paths if path.name in FILES for quad in rdf.read_rdf(path)]
        targets = sorted(q.subject.value[len(SDG):] for q in quads
                         if q.predicate.value == str(RDF.type) and q.object.value == str(SDGO.Target))
        if not targets:
            raise InputError([Problem(str(paths[1]), "no SDG targets (sdgo:Target) in the file")])
        catalogue.register_sdg_targets(targets)
        void = [p for p in paths if p.name == VOID]
        quads += _licence(settings.iris.graph("sdg"), void[0] if void else None)
        return ReadResult(quads, note=f"sdg: {len(targets)} targets from {directory}")

    return Source(
        "sdg",
        "The UN Sustainable Development Goals: goals, targets and indicators",
        "FN:s globala mål för hållbar utveckling: mål, delmål och indikatorer",
        files,
        read,
        modules=(rdf, sys.modules[__name__]),
        origin=origin,
    )


def _licence(graph: str, void: Path | None) -> list[ox.Quad]:
    """The UN's licence statement and citation, on the graph."""
    g = nn(graph)
    quads = [ox.Quad(g, nn(DCT.source), nn(SDG_SCHEME))]
    if void is None:
        return quads
    statements = [q.object.value for q in rdf.read_rdf(void) if q.predicate.value == str(DCT.license) and isinstance(q.object, ox.Literal)]
    if statements:
        statement = statements[0]
        licence = nn(f"{graph}/licence")
        quads += [
            ox.Quad(g, nn(DCT.license), licence),
            ox.Quad(licence, nn(RDF.type), nn(DCT.LicenseDocument)),
            ox.Quad(licence, nn(RDFS.label), ox.Literal(statement, language="en")),
        ]
        if CITATION_MARK in statement:
            citation = statement.split(CITATION_MARK, 1)[1].strip()
            quads.append(ox.Quad(g, nn(DCT.bibliographicCitation), ox.Literal(citation)))
    return quads
