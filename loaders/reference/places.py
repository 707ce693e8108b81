"""Sweden's municipalities and counties as places of their own, into ``graph/se-municipalities``.

SCB publishes codes but no IRIs, so each place is ours: ``BASE/place/municipality/2480``,
``BASE/place/county/24``. Read from ``POLICYKG_SE_MUNICIPALITIES`` (default
``../shared/data/links/se-municipalities``):

* ``municipality_county.csv``: the 290 municipalities and 21 counties with SCB's codes;
* ``kommuner-scb-code-wikidata-join.csv``: for 281 municipalities, the Wikidata item,
  its Swedish and English labels and the organisation number (the file's own join);
* ``se-counties-iso-wikidata.csv``: each county's ISO 3166-2 code and Wikidata item;
* and, from NUTS (``POLICYKG_NUTS``, ``nuts-2021-SE.csv``), each county's NUTS 3 region,
  found by its name (in Sweden the counties are the NUTS 3 regions).

Each place carries its identifiers (``adms:Identifier``) and ``skos:exactMatch`` its
Wikidata item and NUTS region; a municipality says its county (``pkg:county``).
Where the join found the municipality's Wikidata label, that is its Swedish name
(the first file spells a few genitives wrongly, such as "Faluns kommun").
"""

from __future__ import annotations

import sys
from pathlib import Path

from policykg.config import Settings
from policykg.namespaces import CC0, DCT, PKG, RDF, SCB_HOMEPAGE, SCB_REGIONAL_DIVISIONS, SKOS, WD

from ..errors import InputError, Problem
from ..sources import ReadResult, Source
from . import common
from .common import Publisher, Quads

PLACES = "municipality_county.csv"
JOIN = "kommuner-scb-code-wikidata-join.csv"
COUNTIES = "se-counties-iso-wikidata.csv"
NUTS_SWEDEN = "nuts-2021-SE.csv"
PUBLISHER = Publisher(
    SCB_REGIONAL_DIVISIONS,
    "Counties and municipalities of Sweden: codes (Statistics Sweden), with their Wikidata items",
    "Sveriges län och kommuner: koder (SCB), med sina objekt i Wikidata",
    homepage=SCB_HOMEPAGE,
    licence=CC0,
    attribution="Codes: Statistics Sweden (SCB), via sjbrg/swedish-geodata (CC0); Wikidata items: Wikidata (CC0)",
)


def _nuts_regions(path: Path | None) -> dict[str, str]:
    """NUTS 3 code of each Swedish county, by the county's name in the NUTS table."""
    if path is None:
        return {}
    return {row["NUTS level 3"]: row["Code 2021"] for _, row in common.csv_rows(path, ("Code 2021", "NUTS level 3", "NUTS level"))
            if row["NUTS level"] == "3" and row["NUTS level 3"]}


def read_places(files: dict[str, Path], settings: Settings) -> tuple[Quads, dict[str, int]]:
    iris = settings.iris
    out = Quads()
    joined = {row["municipality_code"]: row for _, row in common.csv_rows(
        files[JOIN], ("municipality_code", "wikidata_qid", "wikidata_label_sv", "wikidata_label_en", "organisationsnummer"))}
    county_rows = {row["scb_county_code"]: row for _, row in common.csv_rows(
        files[COUNTIES], ("iso_3166_2", "wikidata_qid", "scb_county_code", "county_name"))}
    nuts = _nuts_regions(files.get(NUTS_SWEDEN))
    counties: dict[str, str] = {}
    municipalities = 0
    problems = []
    for line, row in common.csv_rows(files[PLACES], ("municipality_code", "municipality_name", "municipality_name_short",
                                                      "county_code", "county_name", "county_name_short")):
        code, county_code = row["municipality_code"], row["county_code"]
        if not (len(code) == 4 and code.isdigit() and code.startswith(county_code) and len(county_code) == 2):
            problems.append(Problem(str(files[PLACES]), "not a municipality code of its county", line=line,
                                    column="municipality_code", value=code, expected="four digits starting with the county's two"))
            continue
        if county_code not in counties:
            counties[county_code] = county = iris.county(county_code)
            out.add(county, str(RDF.type), str(PKG.County))
            out.add(county, str(RDF.type), str(DCT.Location))
            out.text(county, str(SKOS.prefLabel), row["county_name"], "sv")
            out.text(county, str(SKOS.altLabel), row["county_name_short"], "sv")
            out.identifier(county, "county-code", county_code)
            extra = county_rows.get(county_code)
            if extra:
                out.identifier(county, "iso-3166-2", extra["iso_3166_2"])
                out.identifier(county, "wikidata", extra["wikidata_qid"], link=str(SKOS.exactMatch))
            if row["county_name"] in nuts:
                out.identifier(county, "nuts", nuts[row["county_name"]])
        place = iris.municipality(code)
        municipalities += 1
        join = joined.get(code)
        out.add(place, str(RDF.type), str(PKG.Municipality))
        out.add(place, str(RDF.type), str(DCT.Location))
        out.text(place, str(SKOS.prefLabel), join["wikidata_label_sv"] if join else row["municipality_name"], "sv")
        out.text(place, str(SKOS.altLabel), row["municipality_name_short"], "sv")
        out.add(place, str(PKG.county), counties[county_code])
        out.identifier(place, "municipality-code", code)
        if join:
            out.text(place, str(SKOS.prefLabel), join["wikidata_label_en"], "en")
            out.identifier(place, "wikidata", join["wikidata_qid"], link=str(SKOS.exactMatch))
            if join["organisationsnummer"]:
                out.identifier(place, "organisation-number", join["organisationsnummer"])
    if problems:
        raise InputError(problems)
    return out, {"municipalities": municipalities, "counties": len(counties)}


def places_source(settings: Settings, notes: list[str]) -> Source | None:
    """The source of ``graph/se-municipalities``, or None (with a note) when its files are not there."""
    title = "Swedish municipalities and counties"
    directory = common.locate(settings, "se_municipalities", (PLACES, JOIN, COUNTIES), title, notes)
    if directory is None:
        return None
    nuts_file = settings.links_location("nuts") / NUTS_SWEDEN
    files = (directory / PLACES, directory / JOIN, directory / COUNTIES)
    if nuts_file.is_file():
        files += (nuts_file,)
    else:
        notes.append(f"{title}: {nuts_file} not found; the counties are loaded without their NUTS regions")

    def read(paths: list[Path], settings: Settings) -> ReadResult:
        out, counts = read_places({p.name: p for p in paths}, settings)
        items = out.items + common.describe_graph(settings.iris.graph("se-municipalities"), PUBLISHER)
        return ReadResult(items, note=f"se-municipalities: {counts['municipalities']} municipalities, "
                                      f"{counts['counties']} counties from {directory}")

    return Source(
        "se-municipalities",
        "Sweden's municipalities and counties, with their codes and links",
        "Sveriges kommuner och län, med koder och länkar",
        files,
        read,
        modules=(common, sys.modules[__name__], sys.modules["policykg.loaders.identifiers"]),
    )


__all__ = ["places_source", "WD"]
