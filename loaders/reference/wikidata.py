"""Wikidata items of Swedish public bodies and places, into ``graph/wikidata``, under Wikidata's IRIs.

What link discovery compares our organisations with (``policykg link wikidata``):
each item's Swedish and English labels and descriptions and, for a public body,
its organisation number, as Wikidata gave them (CC0). Read from
``POLICYKG_SE_MUNICIPALITIES`` (``okfn-publicbodies-se-wikidata.csv``: only its
columns from Wikidata, "WD ...", whose licence is CC0; the rows that its
SOURCE.txt says link the wrong item are left out), the counties
(``se-counties-iso-wikidata.csv``) and ``POLICYKG_WIKIDATA_IDS``
(``verified-qids.csv``: items verified in real files, such as the city of Umeå).
"""

from __future__ import annotations

import sys
from pathlib import Path

from policykg.config import Settings
from policykg.namespaces import CC0, PKG, SCHEMA, SKOS, WD, WIKIDATA_DATASET, WIKIDATA_HOMEPAGE

from ..errors import InputError, Problem
from ..sources import ReadResult, Source
from . import common
from .common import Publisher, Quads

PUBLIC_BODIES = "okfn-publicbodies-se-wikidata.csv"
COUNTIES = "se-counties-iso-wikidata.csv"
VERIFIED = "verified-qids.csv"
#: Rows of the public-bodies file that link the wrong item (its SOURCE.txt, "Known errors").
WRONG_ROWS = frozenset(f"se/{key}" for key in (
    "haabo-kommun", "boras-stad", "sundbybergs-stad", "lidingo-stad", "vaxholms-stad", "landskrona-stad",
    "molndals-stad", "vasteras-stad", "haparanda-stad"))
PUBLISHER = Publisher(
    WIKIDATA_DATASET,
    "Wikidata",
    "Wikidata",
    homepage=WIKIDATA_HOMEPAGE,
    licence=CC0,
    attribution="Wikidata (CC0), via salgo60/okfnLocal and the files listed in wikidata-ids/verified-qids.csv",
)
QID = "WD Qnumber"


def _item(out: Quads, qid: str, file: Path, line: int, problems: list) -> str | None:
    if not (qid.startswith("Q") and qid[1:].isdigit()):
        problems.append(Problem(str(file), "not a Wikidata item", line=line, value=qid, expected="Q and digits, such as Q507709"))
        return None
    return str(WD[qid])


def read_items(files: dict[str, Path]) -> tuple[Quads, int]:
    out = Quads()
    items: set[str] = set()
    problems: list[Problem] = []
    bodies = files[PUBLIC_BODIES]
    for line, row in common.csv_rows(bodies, ("id", QID, "WD Lsv", "WD Len", "WD Dsv", "WD Den", "WD organisationsnummer (Sverige)")):
        if not row[QID] or row["id"] in WRONG_ROWS:
            continue
        item = _item(out, row[QID], bodies, line, problems)
        if item is None:
            continue
        items.add(item)
        out.text(item, str(SKOS.prefLabel), row["WD Lsv"], "sv")
        out.text(item, str(SKOS.prefLabel), row["WD Len"], "en")
        out.text(item, str(SCHEMA.description), row["WD Dsv"], "sv")
        out.text(item, str(SCHEMA.description), row["WD Den"], "en")
        number = row["WD organisationsnummer (Sverige)"]
        if number:
            out.add(item, str(PKG.organisationNumber), common.literal(number))
    counties = files[COUNTIES]
    for line, row in common.csv_rows(counties, ("wikidata_qid", "county_name")):
        item = _item(out, row["wikidata_qid"], counties, line, problems)
        if item is not None:
            items.add(item)
            out.text(item, str(SKOS.prefLabel), row["county_name"], "sv")
    verified = files.get(VERIFIED)
    if verified is not None:
        for line, row in common.csv_rows(verified, ("entity", "qid", "kind", "status")):
            item = _item(out, row["qid"], verified, line, problems)
            if item is None or item in items:
                continue
            items.add(item)
            name, _, english = row["entity"].partition(" (")
            out.text(item, str(SKOS.prefLabel), name, "en" if row["kind"] in ("country", "sustainable development goal") else "sv")
            if english:
                out.text(item, str(SKOS.altLabel), english.rstrip(")"), "en")
            out.text(item, str(SCHEMA.description), row["kind"], "en")
    if problems:
        raise InputError(problems)
    return out, len(items)


def wikidata_source(settings: Settings, notes: list[str]) -> Source | None:
    """The source of ``graph/wikidata``, or None (with a note) when its files are not there."""
    title = "Wikidata items of Swedish public bodies"
    directory = common.locate(settings, "se_municipalities", (PUBLIC_BODIES, COUNTIES), title, notes)
    if directory is None:
        return None
    files = (directory / PUBLIC_BODIES, directory / COUNTIES)
    verified = settings.links_location("wikidata_ids") / VERIFIED
    if verified.is_file():
        files += (verified,)
    else:
        notes.append(f"{title}: {verified} not found; loaded without the verified items it lists")

    def read(paths: list[Path], settings: Settings) -> ReadResult:
        out, count = read_items({p.name: p for p in paths})
        items = out.items + common.describe_graph(settings.iris.graph("wikidata"), PUBLISHER)
        return ReadResult(items, note=f"wikidata: {count} items of Swedish public bodies and places")

    return Source(
        "wikidata",
        "Wikidata items of Swedish public bodies and places",
        "Wikidata-objekt för svenska offentliga organ och platser",
        files,
        read,
        modules=(common, sys.modules[__name__]),
    )
