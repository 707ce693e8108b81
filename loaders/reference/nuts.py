"""Eurostat's NUTS 2021 regions into ``graph/nuts``, under the publisher's IRIs.

Read from ``nuts-2021.csv`` (every country) or, without it, ``nuts-2021-SE.csv``
(Sweden) in ``POLICYKG_NUTS`` (default ``../shared/data/links/nuts2021``): the
table of Eurostat's NUTS 2021 classification, one row per region with its label
in the national language. Each region is a ``skos:Concept`` of the 2021 scheme,
``http://data.europa.eu/nuts/code/SE331``, with its code as ``skos:notation``,
its label (tagged Swedish for Sweden's regions; untagged elsewhere, where the
table does not say which language) and ``skos:broader`` the region one level up.
With ``POLICYKG_EU_SPARQL`` set, the regions of the 2021 scheme are fetched from
that endpoint instead.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox

from policykg.config import Settings
from policykg.namespaces import CC_BY_4, NUTS, NUTS_DATASET, NUTS_SCHEME_2021, RDF, SKOS

from ..errors import InputError, Problem
from ..sources import ReadResult, Source
from . import common, remote
from .common import Publisher, Quads

FULL = "nuts-2021.csv"
SWEDEN = "nuts-2021-SE.csv"
CODE, LEVEL = "Code 2021", "NUTS level"
LABELS = ("Country", "NUTS level 1", "NUTS level 2", "NUTS level 3")
PUBLISHER = Publisher(
    NUTS_DATASET,
    "NUTS: Nomenclature of territorial units for statistics, 2021 (Eurostat)",
    "NUTS: Nomenklaturen för statistiska territoriella enheter, 2021 (Eurostat)",
    homepage="https://ec.europa.eu/eurostat/web/nuts",
    licence=CC_BY_4,
    attribution="© European Union, Eurostat: NUTS 2021 classification",
)
#: The national language of a country's labels, where the table's labels are in one language.
LANGUAGE = {"SE": "sv"}
CONSTRUCT = f"""
CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  ?s <{SKOS.inScheme}> <{NUTS_SCHEME_2021}> ; ?p ?o .
  VALUES ?p {{ <{RDF.type}> <{SKOS.inScheme}> <{SKOS.notation}> <{SKOS.prefLabel}> <{SKOS.broader}> }}
}}"""


def read_table(path: Path) -> tuple[list[ox.Quad], int]:
    """The regions of the CSV table, and how many there are."""
    out = Quads()
    regions = 0
    problems = []
    for line, row in common.csv_rows(path, (CODE, LEVEL, *LABELS)):
        code, level = row[CODE], row[LEVEL]
        label = next((row[c] for c in LABELS if row.get(c)), "")
        if not code or not level:  # an empty row, or a heading between the table's parts
            continue
        if not (code.isalnum() and code[:2].isalpha() and level.isdigit() and len(code) == 2 + int(level)):
            problems.append(Problem(str(path), "not a NUTS code of its level", line=line, column=CODE, value=code,
                                    expected="two letters and one character per level, such as SE331 (level 3)"))
            continue
        region = str(NUTS[code])
        out.add(region, str(RDF.type), str(SKOS.Concept))
        out.add(region, str(SKOS.inScheme), NUTS_SCHEME_2021)
        out.add(region, str(SKOS.notation), common.literal(code))
        out.text(region, str(SKOS.prefLabel), label, LANGUAGE.get(code[:2]))
        if int(level) > 0:
            out.add(region, str(SKOS.broader), str(NUTS[code[:-1]]))
        regions += 1
    if problems:
        raise InputError(problems)
    return out.items, regions


def nuts_source(settings: Settings, notes: list[str]) -> Source | None:
    """The source of ``graph/nuts``, or None (with a note) when its files are not there."""
    origin = None
    if settings.eu_sparql:
        fetched = remote.construct(settings, settings.eu_sparql, CONSTRUCT, "nuts", notes)
        if fetched is None:
            return None
        path, origin = fetched
    else:
        directory = settings.links_location("nuts")
        path = next((directory / name for name in (FULL, SWEDEN) if (directory / name).is_file()), None)
        if path is None:
            notes.append(f"NUTS 2021 not found at {directory} (missing {FULL} and {SWEDEN}): not loaded")
            return None

    def read(paths: list[Path], settings: Settings) -> ReadResult:
        file = paths[0]
        if file.suffix == ".csv":
            quads, regions = read_table(file)
            rows = {file.name: regions}
        else:
            quads = common.parse_rdf(file)
            regions = sum(1 for q in quads if q.predicate.value == str(SKOS.inScheme))
            rows = {}
        if not regions:
            raise InputError([Problem(str(file), "no NUTS region in the file")])
        quads += common.describe_graph(settings.iris.graph("nuts"), PUBLISHER)
        return ReadResult(quads, rows=rows, note=f"nuts: {regions} NUTS 2021 regions from {file.name}")

    return Source(
        "nuts",
        "NUTS 2021: Eurostat's statistical regions",
        "NUTS 2021: Eurostats statistiska regioner",
        (path,),
        read,
        modules=(common, sys.modules[__name__]),
        origin=origin,
    )
