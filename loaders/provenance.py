"""Where a named graph came from, said in the graph itself.

Each graph describes itself: the files it was derived from (name, sha256, size,
rows), the loader and its version, when it was generated and how many triples
it holds. Because the description lives inside the graph, replacing a graph
replaces its provenance in the same step.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from urllib.parse import quote

import pyoxigraph as ox

from policykg import __version__
from policykg.namespaces import DCT, PKG, PROV, RDF, SPDX, VOID, XSD, nn


@dataclass(frozen=True)
class FileFacts:
    """What we record of one input file."""

    name: str
    sha256: str
    size: int
    rows: int | None = None
    location: str | None = None  # the URL it was fetched from, if not a local file

    @classmethod
    def of(cls, path: Path, *, rows: int | None = None, location: str | None = None) -> "FileFacts":
        digest = hashlib.sha256()
        size = 0
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
                size += len(block)
        return cls(path.name, digest.hexdigest(), size, rows, location)


def loader_version(*modules: ModuleType) -> str:
    """The package version plus a digest of the loader's code, so that a changed
    loader is a new version even before anyone bumps the package version."""
    digest = hashlib.sha256()
    for module in modules:
        digest.update(inspect.getsource(module).encode())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def _lit(value, datatype=None) -> ox.Literal:
    return ox.Literal(str(value), datatype=nn(datatype)) if datatype else ox.Literal(str(value))


def provenance_quads(
    graph: str,
    *,
    title_en: str,
    title_sv: str,
    files: list[FileFacts],
    version: str,
    triples: int,
    generated: dt.datetime | None = None,
) -> list[ox.Quad]:
    """The triples that describe ``graph`` (placed in the default graph; the writer retargets them)."""
    generated = generated or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    g = nn(graph)
    activity = nn(f"{graph}/activity")
    triples_out = [
        (g, nn(RDF.type), nn(PROV.Entity)),
        (g, nn(RDF.type), nn(VOID.Dataset)),
        (g, nn(DCT.title), ox.Literal(title_en, language="en")),
        (g, nn(DCT.title), ox.Literal(title_sv, language="sv")),
        (g, nn(PROV.generatedAtTime), _lit(generated.isoformat(), XSD.dateTime)),
        (g, nn(PROV.wasGeneratedBy), activity),
        (g, nn(PKG.loaderVersion), ox.Literal(version)),
        (g, nn(VOID.triples), _lit(triples, XSD.integer)),
        (activity, nn(RDF.type), nn(PROV.Activity)),
        (activity, nn(PROV.endedAtTime), _lit(generated.isoformat(), XSD.dateTime)),
        (activity, nn(PKG.loaderVersion), ox.Literal(version)),
    ]
    for facts in files:
        entity = nn(f"{graph}/source/{quote(facts.name)}")
        checksum = ox.BlankNode()
        triples_out += [
            (g, nn(PROV.wasDerivedFrom), entity),
            (activity, nn(PROV.used), entity),
            (entity, nn(RDF.type), nn(PKG.SourceFile)),
            (entity, nn(PKG.fileName), ox.Literal(facts.name)),
            (entity, nn(DCT.extent), _lit(facts.size, XSD.integer)),
            (entity, nn(SPDX.checksum), checksum),
            (checksum, nn(RDF.type), nn(SPDX.Checksum)),
            (checksum, nn(SPDX.algorithm), nn(SPDX.checksumAlgorithm_sha256)),
            (checksum, nn(SPDX.checksumValue), _lit(facts.sha256, XSD.hexBinary)),
        ]
        if facts.rows is not None:
            triples_out.append((entity, nn(PKG.rowCount), _lit(facts.rows, XSD.integer)))
        if facts.location:
            triples_out.append((entity, nn(DCT.source), nn(facts.location)))
    return [ox.Quad(s, p, o) for s, p, o in triples_out]


FINGERPRINT_QUERY = """
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX spdx: <http://spdx.org/rdf/terms#>
PREFIX pkg: <https://w3id.org/policykg/ontology#>
SELECT ?g ?version ?name ?sha WHERE {
  GRAPH ?g {
    ?g pkg:loaderVersion ?version .
    # Source files first: in a registry graph every entity has prov:wasDerivedFrom (its row).
    OPTIONAL { ?file a pkg:SourceFile ; pkg:fileName ?name ; spdx:checksum/spdx:checksumValue ?sha .
               ?g prov:wasDerivedFrom ?file . }
  }
}"""


def fingerprint(version: str, files: list[FileFacts]) -> tuple[str, frozenset]:
    """What must match for a published graph to count as loaded from these files."""
    return version, frozenset((f.name, f.sha256) for f in files)


def published_fingerprint(reader: ox.Store, graph: str) -> tuple[str, frozenset] | None:
    """The fingerprint recorded in a published graph, or None if it has none."""
    rows = list(reader.query(FINGERPRINT_QUERY, substitutions={ox.Variable("g"): nn(graph)}))
    if not rows:
        return None
    version = rows[0]["version"].value
    files = frozenset((r["name"].value, r["sha"].value) for r in rows if r["name"] is not None)
    return version, files
