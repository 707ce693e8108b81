"""Synthetic registries of any size, for benchmarks: the formats and schemas of the samples.

``generate_registries(out, projects=100_000, activities=1_000_000)`` writes every
registry (CSV by default; Excel or JSON for small sets), its CSVW table
description and a ``registries.toml``, so that ``POLICYKG_REGISTRIES=out
policykg build`` loads them. The same seed gives the same files. References are
valid: bodies are the sample organisations and the program's bodies, partners
and programmes are generated or taken from the samples, activities belong to
generated projects, goals, focus areas, principles and SDG targets are the real ones.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from pathlib import Path

from policykg.paths import resource_dir

from .references import fact_sdg_targets

SAMPLES = "umea"
GOALS = ["1", "2", "3", "4", "5"]
FOCUS_AREAS = ["influence", "positioning", "international-umea", "organisational-development"]
PRINCIPLES = ["collaboration", "strategic-focus", "strategic-networks", "agenda-2030", "children-and-youth", "aid-projects"]
KINDS = ["visit", "delegation", "conference", "exchange", "study-trip", "hosting", "meeting", "training", "other"]
STATUSES = ["planned", "ongoing", "completed", "completed", "completed", "cancelled"]
SECTORS = ["academia", "business", "civil-society", "public", "international"]
PLACES = [("Vasa", "FIN"), ("Würzburg", "DEU"), ("Harstad", "NOR"), ("Bryssel", "BEL"), ("Tallinn", "EST"),
          ("Köpenhamn", "DNK"), ("Umeå", "SWE"), ("Skellefteå", "SWE"), ("Gdynia", "POL"), ("Riga", "LVA"),
          ("Oulu", "FIN"), ("Tromsø", "NOR"), ("Saskatoon", "CAN"), ("Kisumu", "KEN"), ("Bilbao", "ESP")]
WORDS = ["hållbar", "digital", "nordisk", "cirkulär", "grön", "ung", "arktisk", "smart", "öppen", "trygg"]
THEMES = ["mobilitet", "energi", "skola", "kultur", "vatten", "omsorg", "innovation", "integration", "klimat", "idrott"]


def _sample(directory: Path, name: str) -> list[dict]:
    with open(directory / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _amount(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def _some(rng: random.Random, items: list[str], most: int) -> str:
    return "|".join(rng.sample(items, rng.randint(0, most)))


def _date(rng: random.Random, start: dt.date, days: int) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(days))


def generate_registries(out: Path, *, projects: int, activities: int, seed: int = 2018, fmt: str = "csv") -> dict[str, int]:
    """Write the registries to ``out``; returns the row count of each."""
    rng = random.Random(seed)
    samples = resource_dir("registries") / SAMPLES
    out.mkdir(parents=True, exist_ok=True)
    targets = list(fact_sdg_targets())
    tables: dict[str, list[dict]] = {}

    tables["organisations"] = _sample(samples, "organisations")
    bodies = [r["id"] for r in tables["organisations"]] + ["kommunfullmaktige", "tillvaxt-naringslivsservice"]
    partner_count = max(20, projects // 10)
    tables["partners"] = [
        {"id": f"partner-{i:05d}", "name_sv": f"Partner {i}", "name_en": f"Partner {i}", "sector": rng.choice(SECTORS),
         "country": rng.choice(PLACES)[1]}
        for i in range(1, partner_count + 1)
    ]
    tables["funding-programmes"] = _sample(samples, "funding-programmes")
    programmes = [r["id"] for r in tables["funding-programmes"]]
    networks = [f"network-{i:03d}" for i in range(1, 41)]
    tables["networks"] = [
        {"id": f"m-{i:04d}", "network": network, "network_name_en": f"Network {network[-3:]}",
         "website": f"https://{network}.example.org/", "member": rng.choice(bodies),
         "since": _date(rng, dt.date(1995, 1, 1), 9000).isoformat(), "purpose_sv": f"Syfte med medlemskap {i}.",
         "goals": _some(rng, GOALS, 2), "focus_areas": _some(rng, FOCUS_AREAS, 2), "principles": _some(rng, PRINCIPLES, 1),
         "sdg_targets": _some(rng, targets, 2), "annual_fee": f"{rng.randint(500, 25000)},{rng.randint(0, 99):02d}",
         "currency": "EUR", "last_reviewed": _date(rng, dt.date(2012, 1, 1), 4700).isoformat() if rng.random() < 0.8 else "",
         "review_decision": rng.choice(["continue", "change", ""])}
        for i, network in enumerate(networks * 2, 1)
        if rng.random() < 0.9 or i <= len(networks)
    ]
    # the rows of one network must agree on its name and website; the loop above keeps them equal
    tables["projects"] = []
    for i in range(1, projects + 1):
        start = _date(rng, dt.date(2015, 1, 1), 3650)
        budget = rng.randint(50, 20000) * 1000
        municipal = rng.randint(0, budget // 1000) * 1000 if rng.random() < 0.8 else 0
        external = budget - municipal
        aid = rng.random() < 0.03
        tables["projects"].append({
            "id": f"p-{i:06d}", "title_sv": f"{rng.choice(WORDS).capitalize()} {rng.choice(THEMES)} {i}",
            "title_en": f"Project {i}", "responsible_body": rng.choice(bodies),
            "partners": "|".join(f"partner-{rng.randint(1, partner_count):05d}" for _ in range(rng.randint(0, 3))),
            "start": start.isoformat(), "end": (start + dt.timedelta(days=rng.randint(90, 1500))).isoformat(),
            "status": rng.choice(STATUSES), "budget": _amount(budget), "municipal_funding": _amount(municipal),
            "external_funding": f"{'sida' if aid else rng.choice(programmes)}={_amount(external)}" if external else "",
            "aid_project": "ja" if aid else "nej", "child_youth_focus": "ja" if rng.random() < 0.15 else "nej",
            "goals": _some(rng, GOALS, 3), "focus_areas": _some(rng, FOCUS_AREAS, 2),
            "principles": _some(rng, PRINCIPLES, 2), "sdg_targets": _some(rng, targets, 3),
        })
    tables["activities"] = []
    for i in range(1, activities + 1):
        place, country = rng.choice(PLACES)
        day = _date(rng, dt.date(2015, 1, 1), 4000)
        participants = rng.randint(1, 60)
        young = rng.randint(0, participants) if rng.random() < 0.2 else 0
        tables["activities"].append({
            "id": f"a-{i:07d}", "title_sv": f"{rng.choice(KINDS).capitalize()} i {place} {i}",
            "project": f"p-{rng.randint(1, projects):06d}" if projects and rng.random() < 0.7 else "",
            "responsible_body": rng.choice(bodies), "kind": rng.choice(KINDS), "date": day.isoformat(),
            "end_date": (day + dt.timedelta(days=rng.randint(1, 5))).isoformat() if rng.random() < 0.4 else "",
            "place": place, "country": country, "participants": str(participants),
            "young_participants": str(young) if young else "", "child_youth_focus": "ja" if young else "",
            "goals": _some(rng, GOALS, 2), "focus_areas": _some(rng, FOCUS_AREAS, 1),
            "principles": _some(rng, PRINCIPLES, 1) if rng.random() < 0.3 else "",
            "sdg_targets": _some(rng, targets, 2),
        })
    tables["partnerships"] = []
    for i in range(1, max(10, projects // 100) + 1):
        signed = _date(rng, dt.date(1990, 1, 1), 12000)
        kind = rng.choice(["twin-town", "cooperation-agreement", "project-partnership"])
        tables["partnerships"].append({
            "id": f"s-{i:05d}", "title_sv": f"Partnerskap {i}", "kind": kind,
            "partners": f"partner-{rng.randint(1, partner_count):05d}", "responsible_body": rng.choice(bodies),
            "signed": signed.isoformat(), "terminable": "nej" if kind == "twin-town" else "ja",
            "ends": (signed + dt.timedelta(days=rng.randint(365, 4000))).isoformat() if kind != "twin-town" else "",
            "project": f"p-{rng.randint(1, projects):06d}" if kind == "project-partnership" and projects else "",
            "goals": _some(rng, GOALS, 2), "focus_areas": _some(rng, FOCUS_AREAS, 1), "sdg_targets": _some(rng, targets, 1),
        })
    tables.update(_governance(random.Random(seed + 1), bodies, tables))
    files = {}
    for name, rows in tables.items():
        metadata = json.loads((samples / f"{name}.csv-metadata.json").read_text(encoding="utf-8"))
        columns = [c["name"] for c in metadata["tableSchema"]["columns"]]
        file = f"{name}.{fmt}"
        metadata["url"] = file
        (out / f"{name}.csv-metadata.json").write_text(json.dumps(metadata, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        _write(out / file, fmt, name, columns, rows)
        files[name] = file
    manifest = [
        "# Synthetic registries for benchmarks, written by `policykg generate`: not real data.",
        "[dataset]",
        f'title_sv = "Syntetiska register ({projects} projekt, {activities} aktiviteter, frö {seed})"',
        f'title_en = "Synthetic registries ({projects} projects, {activities} activities, seed {seed})"',
        'description_sv = "Syntetiska data för prestandamätning, inte verkliga uppgifter."',
        'description_en = "Synthetic data for benchmarks, not real records."',
        "",
        "[registries]",
        *(f'{name} = "{file}"' for name, file in files.items()),
    ]
    (out / "registries.toml").write_text("\n".join(manifest) + "\n", encoding="utf-8")
    return {name: len(rows) for name, rows in tables.items()}


def _write(path: Path, fmt: str, name: str, columns: list[str], rows: list[dict]) -> None:
    if fmt == "csv":
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows([row.get(c, "") for c in columns] for row in rows)
    elif fmt == "json":
        path.write_text(json.dumps([{c: row[c] for c in columns if row.get(c)} for row in rows], ensure_ascii=False), encoding="utf-8")
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(name)
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(c, "") for c in columns])
        workbook.save(path)





def _governance(rng: random.Random, bodies: list[str], tables: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Decisions and follow-up for the generated work (a random stream of their own, so that the
    other registries stay the same as before these two were generated)."""
    decisions = [{"id": "kf-2018-program", "kind": "program-adoption", "title_sv": "Internationellt program antas",
                  "date": "2018-03-26", "body": "kommunfullmaktige", "reference": "KS-2017/00536-15", "concerns": "program"}]
    for year in (2019, 2023):
        decisions.append({"id": f"ks-{year}-riktlinjer", "kind": "guidelines", "title_sv": f"Riktlinjer {year}",
                          "date": f"{year}-02-12", "body": "kommunstyrelsen", "reference": f"KS-{year}/00001",
                          "concerns": "|".join(f"membership/{m['id']}" for m in rng.sample(tables["networks"], 5))})
    for row in tables["partnerships"]:
        if row["kind"] == "twin-town":
            decisions.append({"id": f"d-{row['id']}", "kind": "twin-town", "title_sv": f"Vänort {row['id']}",
                              "date": row["signed"], "body": "kommunfullmaktige" if rng.random() < 0.9 else rng.choice(bodies),
                              "reference": f"KF {row['signed']}", "concerns": f"partnership/{row['id']}"})
    for row in tables["networks"]:
        if rng.random() < 0.6:
            day = _date(rng, dt.date(2015, 1, 1), 4300).isoformat()
            decisions.append({"id": f"d-{row['id']}", "kind": "membership-review", "title_sv": f"Omprövning {row['id']}",
                              "date": day, "body": row["member"], "reference": f"{day} § 1",
                              "concerns": f"membership/{row['id']}", "outcome": rng.choice(["continue", "change"])})
    follow_up = []
    for year in range(2018, 2026):
        for body in bodies:
            if rng.random() < 0.9:
                follow_up.append({"id": f"f-{year}-{body}", "year": str(year), "body": body,
                                  "outcome_sv": f"Uppföljning {year}.", "reported": f"{year + 1}-02-15"})
        if year < 2025:
            follow_up.append({"id": f"f-{year}-program", "year": str(year), "body": "internationella-enheten", "work": "program",
                              "outcome_sv": f"Uppföljning av programmet {year}.", "reported": f"{year + 1}-04-14",
                              "reported_to": "kommunstyrelsen"})
    for row in rng.sample(tables["projects"], len(tables["projects"]) // 20):
        year = min(max(int(row["start"][:4]), 2018), 2025)
        follow_up.append({"id": f"f-{year}-{row['id']}", "year": str(year), "body": row["responsible_body"],
                          "work": f"project/{row['id']}", "status": "ongoing", "outcome_sv": "Enligt plan.",
                          "reported": f"{year + 1}-02-20"})
    return {"decisions": decisions, "follow-up": follow_up}
