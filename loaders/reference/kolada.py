"""Kolada (the Swedish municipalities' KPI database, RKA) into ``graph/kolada``: KPIs, the
groups of municipalities that Kolada compares, and values as RDF Data Cube observations.

Read from ``POLICYKG_KOLADA`` (default ``../shared/data/links/kolada``), the
extracts of Kolada's API as the rKolada client flattened them:

* ``kolada-kpi.csv.gz``: every KPI, ``https://api.kolada.se/v3/kpi/ID`` (the API's own
  resource for it), with its Swedish title; the KPIs of
  ``kolada-kpi-subset-sustainability.csv`` and those with values here also with their definition;
* ``kolada-municipality-groups-with-2480.json``: the groups that Umeå is a member of
  (``BASE/kolada-group/ID``, a ``skos:Collection`` of places);
* ``kolada-values-*.csv``: values, one ``qb:Observation`` each in the cube
  ``BASE/cube/kolada``: KPI, area (a municipality or county of ``graph/se-municipalities``,
  or Sweden), year, gender, value and status, derived from its row of the file.

With ``POLICYKG_KOLADA_API`` set (e.g. ``https://api.kolada.se/v3/``), the values of the
KPIs that the indicator registry names (``kpis``) for ``POLICYKG_KOLADA_MUNICIPALITY``
and the members of ``POLICYKG_KOLADA_GROUP`` are fetched from the API as well
(``/data/kpi/K,.../municipality/M,...``, 25 at a time), into ``STORE/../cache/kolada/``.
Kolada asks to be credited ("Källa: Kolada"); the graph says so.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from policykg.config import Settings
from policykg.namespaces import (
    DCT,
    EU_COUNTRY,
    KOLADA_API,
    KOLADA_KPI,
    KOLADA_SITE,
    PKG,
    PROV,
    QB,
    RDF,
    SDMX_ATTRIBUTE,
    SDMX_CODE,
    SDMX_DIMENSION,
    SDMX_MEASURE,
    SKOS,
    XSD,
)

from ..errors import InputError, Problem
from ..registry import source_file_iri
from ..sources import ReadResult, Source
from . import common, remote
from .common import Publisher, Quads

KPIS = "kolada-kpi.csv.gz"
SUSTAINABILITY = "kolada-kpi-subset-sustainability.csv"
MUNICIPALITIES = "kolada-municipality.csv"
GROUPS = "kolada-municipality-groups-with-2480.json"
VALUES_PREFIX = "kolada-values-"
FETCHED = "fetched-values.json"
KPI_SCHEME = KOLADA_API + "kpi"
VALUE_COLUMNS = ("gender", "status", "value", "kpi", "year", "municipality_id")
#: Kolada's genders, as SDMX's sex codes.
SEX = {"T": SDMX_CODE["sex-T"], "K": SDMX_CODE["sex-F"], "M": SDMX_CODE["sex-M"]}
PER_REQUEST = 25  # Kolada answers for at most 25 KPIs or municipalities per request
PUBLISHER = Publisher(
    KOLADA_SITE,
    "Kolada: key performance indicators of Swedish municipalities and regions (RKA)",
    "Kolada: nyckeltal för Sveriges kommuner och regioner (RKA)",
    homepage=KOLADA_SITE,
    licence=None,  # Kolada's terms are on kolada.se; we have not verified a licence IRI
    attribution="Källa: Kolada (Rådet för främjande av kommunala analyser, RKA)",
)


def read_kpis(path: Path, described: set[str]) -> tuple[Quads, set[str]]:
    """The ``described`` KPIs of the list (id, title, definition), and the ids of them all.

    The list has some 6 000 KPIs; the graph holds those it has values of, those the indicator
    registry names and the sustainability subset, so that the rest stay at Kolada."""
    out = Quads()
    known = set()
    for _, row in common.csv_rows(path, ("id", "title", "description")):
        kpi = row["id"]
        known.add(kpi)
        if kpi not in described:
            continue
        node = str(KOLADA_KPI[kpi])
        out.add(node, str(RDF.type), str(PKG.KeyPerformanceIndicator))
        out.add(node, str(SKOS.inScheme), KPI_SCHEME)
        out.add(node, str(SKOS.notation), common.literal(kpi))
        out.text(node, str(SKOS.prefLabel), row["title"], "sv")
        out.text(node, str(SKOS.definition), row["description"], "sv")
    return out, known


def area(settings: Settings, code: str, kind: str) -> str:
    """The place a Kolada municipality id stands for: a municipality, a region's county, or Sweden."""
    if code == "0000":
        return str(EU_COUNTRY.SWE)
    if kind == "L":
        return settings.iris.county(code[2:])
    return settings.iris.municipality(code)


def read_groups(path: Path, settings: Settings) -> tuple[Quads, dict[str, list[str]]]:
    """The groups of municipalities, as collections of places; and each group's member ids."""
    out = Quads()
    members: dict[str, list[str]] = {}
    try:
        groups = json.loads(path.read_text(encoding="utf-8"))
        for group in groups:
            node = settings.iris.kolada_group(group["id"])
            out.add(node, str(RDF.type), str(SKOS.Collection))
            out.add(node, str(DCT.identifier), common.literal(group["id"]))
            out.text(node, str(SKOS.prefLabel), group["title"], "sv")
            members[group["id"]] = [m["member_id"] for m in group["members"]]
            for member in group["members"]:
                out.add(node, str(SKOS.member), settings.iris.municipality(member["member_id"]))
    except (ValueError, KeyError, TypeError) as error:
        raise InputError([Problem(str(path), f"not Kolada's groups of municipalities ({error})",
                                  expected="a JSON array of {id, title, members: [{member_id, member_title}]}")]) from None
    return out, members


def observation(out: Quads, settings: Settings, kinds: dict[str, str], row: dict, where: str) -> str | None:
    """One value as an observation of the cube; the problem with it as text, or None."""
    kpi, code, year, gender = row["kpi"], row["municipality_id"], str(row["year"]), row["gender"]
    if code not in kinds:
        return f"unknown Kolada municipality {code!r}"
    if gender not in SEX:
        return f"unknown gender {gender!r} (expected T, K or M)"
    if not (len(year) == 4 and year.isdigit()):
        return f"not a year: {year!r}"
    node = settings.iris.observation("kolada", kpi, code, year, gender)
    out.add(node, str(RDF.type), str(QB.Observation))
    out.add(node, str(QB.dataSet), settings.iris.cube("kolada"))
    out.add(node, str(PKG.kpi), str(KOLADA_KPI[kpi]))
    out.add(node, str(SDMX_DIMENSION.refArea), area(settings, code, kinds[code]))
    out.add(node, str(SDMX_DIMENSION.refPeriod), common.year(year))
    out.add(node, str(SDMX_DIMENSION.sex), str(SEX[gender]))
    value = row.get("value")
    if value not in (None, "", "NA"):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return f"not a number: {value!r}"
        out.add(node, str(SDMX_MEASURE.obsValue), common.literal(format(number, "f"), datatype=str(XSD.decimal)))
    if row.get("status"):
        out.add(node, str(SDMX_ATTRIBUTE.obsStatus), common.literal(str(row["status"])))
    out.add(node, str(PROV.wasDerivedFrom), where)
    return None


def cube_description(settings: Settings) -> list[ox.Quad]:
    """The cube and its structure (qb:DataStructureDefinition)."""
    out = Quads()
    cube, structure = settings.iris.cube("kolada"), settings.iris.cube("kolada/structure")
    out.add(cube, str(RDF.type), str(QB.DataSet))
    out.text(cube, str(DCT.title), "Kolada-värden för kommuner och grupper av kommuner", "sv")
    out.text(cube, str(DCT.title), "Kolada values of municipalities and groups of municipalities", "en")
    out.add(cube, str(DCT.source), KOLADA_SITE)
    out.text(cube, str(DCT.bibliographicCitation), PUBLISHER.attribution)
    out.add(cube, str(QB.structure), structure)
    out.add(structure, str(RDF.type), str(QB.DataStructureDefinition))
    for kind, prop in (
        (QB.dimension, PKG.kpi), (QB.dimension, SDMX_DIMENSION.refArea), (QB.dimension, SDMX_DIMENSION.refPeriod),
        (QB.dimension, SDMX_DIMENSION.sex), (QB.measure, SDMX_MEASURE.obsValue), (QB.attribute, SDMX_ATTRIBUTE.obsStatus),
    ):
        component = f"{structure}/{str(prop).rsplit('#', 1)[-1]}"
        out.add(structure, str(QB.component), component)
        out.add(component, str(RDF.type), str(QB.ComponentSpecification))
        out.add(component, str(kind), str(prop))
    return out.items


def fetch_values(settings: Settings, kpis: Iterable[str], municipalities: list[str], notes: list[str]) -> Path | None:
    """The values of ``kpis`` for ``municipalities`` from Kolada's API, into the cache; None (with a
    note) when the API cannot be reached."""
    base = settings.kolada_api if settings.kolada_api.endswith("/") else settings.kolada_api + "/"
    kpis = sorted(set(kpis))
    municipalities = list(dict.fromkeys(municipalities))
    requests, values = [], []
    try:
        for i in range(0, len(kpis), PER_REQUEST):
            for j in range(0, len(municipalities), PER_REQUEST):
                url = f"{base}data/kpi/{','.join(kpis[i:i + PER_REQUEST])}/municipality/{','.join(municipalities[j:j + PER_REQUEST])}"
                while url:
                    requests.append(url)
                    page = remote.get_json(url)
                    for record in page.get("values", []):
                        for value in record.get("values", []):
                            values.append({"kpi": record["kpi"], "municipality_id": record["municipality"],
                                           "year": record["period"], "gender": value.get("gender", "T"),
                                           "status": value.get("status") or "", "value": value.get("value"),
                                           "request": len(requests) - 1})
                    url = page.get("next_url") or page.get("next_page")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        notes.append(f"kolada: cannot fetch values from {base} ({error}); loaded the local files only")
        return None
    path = remote.cache_dir(settings, "kolada") / FETCHED
    path.write_text(json.dumps({"requests": requests, "values": values}, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def kolada_source(settings: Settings, notes: list[str], kpis: Iterable[str] = (), kpi_file: Path | None = None) -> Source | None:
    """The source of ``graph/kolada``, or None (with a note) when its files are not there.
    ``kpis``: the KPIs the indicator registry (``kpi_file``, one of the source's files so that
    a changed registry reloads the graph) names; they are described, and their values are
    fetched when the API is set."""
    kpis = tuple(kpis)
    directory = common.locate(settings, "kolada", (KPIS, MUNICIPALITIES, GROUPS), "Kolada", notes)
    if directory is None:
        return None
    value_files = tuple(sorted(directory.glob(VALUES_PREFIX + "*.csv")))
    files = (directory / KPIS, directory / MUNICIPALITIES, directory / GROUPS, *value_files)
    if (directory / SUSTAINABILITY).is_file():
        files += (directory / SUSTAINABILITY,)
    if kpi_file is not None:
        files += (kpi_file,)
    if settings.kolada_api:
        group = _group_members(directory / GROUPS, settings.kolada_group)
        fetched = fetch_values(settings, kpis, [settings.kolada_municipality, *group], notes)
        if fetched is not None:
            files += (fetched,)

    def read(paths: list[Path], settings: Settings) -> ReadResult:
        by_name = {p.name: p for p in paths}
        graph = settings.iris.graph("kolada")
        kinds = {row["id"]: row["type"] for _, row in common.csv_rows(by_name[MUNICIPALITIES], ("id", "title", "type"))}
        out, members = read_groups(by_name[GROUPS], settings)
        problems: list[Problem] = []
        rows: dict[str, int] = {}
        valued: set[str] = set()
        for path in (p for p in paths if p.name.startswith(VALUES_PREFIX)):
            count = 0
            for line, row in common.csv_rows(path, VALUE_COLUMNS):
                count += 1
                valued.add(row["kpi"])
                where = f"{source_file_iri(graph, path.name)}#row={line}"
                problem = observation(out, settings, kinds, row, where)
                if problem:
                    problems.append(Problem(str(path), problem, line=line))
            rows[path.name] = count
        if FETCHED in by_name:
            data = json.loads(by_name[FETCHED].read_text(encoding="utf-8"))
            for request in data["requests"]:
                out.add(graph, str(PROV.wasDerivedFrom), request)
            for index, row in enumerate(data["values"]):
                valued.add(row["kpi"])
                problem = observation(out, settings, kinds, row, data["requests"][row["request"]])
                if problem:
                    problems.append(Problem(str(by_name[FETCHED]), problem, line=index + 1))
        described = set(valued) | set(kpis)
        if SUSTAINABILITY in by_name:
            described |= {row["id"] for _, row in common.csv_rows(by_name[SUSTAINABILITY], ("id",))}
        kpi_quads, titles = read_kpis(by_name[KPIS], described)
        unknown = sorted(valued - titles)
        if unknown:
            problems.append(Problem(str(by_name[KPIS]), "values of KPIs that the KPI list does not have", value=", ".join(unknown)))
        if problems:
            raise InputError(problems)
        quads = kpi_quads.items + out.items + cube_description(settings) + common.describe_graph(graph, PUBLISHER)
        observations = sum(rows.values())
        return ReadResult(quads, rows=rows, note=f"kolada: {len(described & titles)} KPIs, {len(members)} groups, "
                                                 f"{observations} values from {directory}")

    return Source(
        "kolada",
        "Kolada: key performance indicators of Swedish municipalities, with values",
        "Kolada: nyckeltal för Sveriges kommuner, med värden",
        files,
        read,
        modules=(common, sys.modules[__name__]),
    )


def _group_members(path: Path, group: str) -> list[str]:
    """The member ids of Kolada group ``group`` (none when the file does not have it)."""
    try:
        groups = json.loads(path.read_text(encoding="utf-8"))
        return next(([m["member_id"] for m in g["members"]] for g in groups if g["id"] == group), [])
    except (ValueError, KeyError, TypeError):
        return []


def kpi_list(settings: Settings) -> Path | None:
    """Kolada's list of KPIs, when it is there."""
    path = settings.links_location("kolada") / KPIS
    return path if path.is_file() else None


def read_kpi_titles(path: Path) -> dict[str, str]:
    """Kolada's KPIs, id -> title."""
    return {row["id"]: row["title"] for _, row in common.csv_rows(path, ("id", "title"))}
