"""The annual follow-up report on the sample registries: its figures agree with the
registry rows, every figure names its query, and it renders as HTML, PDF (its text
read back), xlsx, JSON and CSV, for the whole municipality and for one body."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from policykg.cli import cli
from policykg.report.data import gather
from policykg.report.html import render_html
from policykg.report.pdf import render_pdf
from policykg.report.tables import render_csv, render_json, render_xlsx
from policykg.report.texts import TEXTS
from policykg.runtime.querylib import load_queries
from policykg.paths import queries_dir

SECTIONS = ("work", "items", "funding", "sdg", "indicators", "follow_up", "findings", "changes", "trend")


@pytest.fixture(scope="module")
def whole(store, built_settings):
    return gather(store.reader(), built_settings, 2024)


@pytest.fixture(scope="module")
def culture(store, built_settings):
    return gather(store.reader(), built_settings, 2024, "kulturnamnden")


def figure(report, key):
    return next(f for f in report.figures() if f.key == key)


def test_every_figure_names_a_query_of_the_library_with_its_parameters(whole) -> None:
    library = load_queries(queries_dir())
    assert [s.key for s in whole.sections] == list(SECTIONS)
    for fig in whole.figures():
        assert fig.query in library, fig.key
        assert fig.params.get("year", "2024") == "2024" or fig.key in ("memberships", "partnerships")
        for name, _ in fig.sources:
            assert name in library


def test_the_figures_agree_with_the_registries(whole) -> None:
    goals = {row["aim"].rsplit("/", 1)[-1]: row for row in figure(whole, "goals").rows}
    assert list(goals) == ["1", "2", "3", "4", "5"]  # every goal, in order, with zeros where nothing was done
    projects = {row["item"].rsplit("/", 1)[-1] for row in figure(whole, "projects").rows}
    assert projects == {"p-2021-005", "p-2022-004", "p-2023-001", "p-2023-006", "p-2024-005"}  # running in 2024
    funding = {(row.get("programme") or "").rsplit("/", 1)[-1] + "/" + row["source"].rsplit("#", 1)[-1]: row["total"]
               for row in figure(whole, "funding").rows if row["currency"] == "SEK"}
    assert funding["interreg-aurora/ExternalFunding"] == 3_900_000  # p-2023-006 (p-2024-002 starts in 2025)
    assert funding["/MunicipalFunding"] == 60_000 + 800_000 + 1_700_000 + 80_000
    youth = {row["label"]["en"]: row["value"] for row in figure(whole, "youth").rows}
    assert youth["Young participants"] == 18  # a-2024-0007
    changes = {(row["change"], row["work"].rsplit("/", 1)[-1]) for row in figure(whole, "changes").rows}
    assert ("status", "p-2022-004") in changes and ("new", "p-2024-005") in changes and ("ended", "p-2024-005") in changes
    trend = {row["in_year"]: row for row in figure(whole, "trend").rows}
    assert sorted(trend) == list(range(2018, 2025))
    follow_up = {row["report"].rsplit("/", 1)[-1] for row in figure(whole, "follow_up").rows}
    assert "f-2024-program" in follow_up and "f-2024-umea-vatten-och-avfall-ab" not in follow_up


def test_one_bodys_report_is_about_its_work(culture) -> None:
    assert culture.body_label == {"sv": "Kulturnämnden", "en": "Culture Board"}
    assert not figure(culture, "projects").rows  # its project ended in 2020
    assert [row["item"].rsplit("/", 1)[-1] for row in figure(culture, "memberships").rows] == ["m-eurocities-kultur"]
    findings = {row["rule"].rsplit("/", 1)[-1] for row in figure(culture, "findings").rows}
    assert "membership-review" in findings and "aid-municipal-funding" not in findings


def test_the_html_page_has_each_section_figure_and_chart_and_says_the_data_is_illustrative(whole) -> None:
    page = render_html(whole, "sv", "http://example.org/")
    assert "<h1>Uppföljning av Internationellt program 2024</h1>" in page
    assert "illustrativa exempel" in page
    for fig in whole.figures():
        assert TEXTS[f"f.{fig.key}"]["sv"] in page
        assert f'href="http://example.org/{fig.query_path().replace("&", "&amp;")}"' in page
    assert page.count('role="img"') >= 6 and page.count("<table>") >= 10
    english = render_html(whole, "en")
    assert '<html lang="en">' in english and "Follow-up of the International Program 2024" in english
    assert "illustrative examples" in english


def test_the_pdf_reads_back_with_each_section_and_figure(whole, culture) -> None:
    for report, lang in ((whole, "sv"), (culture, "en")):
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(render_pdf(report, lang))).pages)
        flat = re.sub(r"\s+", " ", text)
        assert TEXTS["title"][lang].format(year=2024) in flat
        for section in SECTIONS:
            assert TEXTS[f"s.{section}"][lang] in flat, section
        for fig in report.figures():
            assert TEXTS[f"f.{fig.key}"][lang] in flat, fig.key
        assert ("illustrativa exempel" if lang == "sv" else "illustrative examples") in flat
    assert "Culture Board" in flat


def test_the_workbook_json_and_csv_hold_the_tables(whole) -> None:
    workbook = load_workbook(io.BytesIO(render_xlsx(whole, "sv")))
    assert len(workbook.sheetnames) == 1 + len(whole.figures())
    goals = workbook[TEXTS["f.goals"]["sv"]]
    assert [c.value for c in goals[1]][:2] == ["Mål eller inriktning", "Projekt"]
    data = json.loads(render_json(whole))
    assert data["year"] == 2024 and data["illustrative"] is True
    assert data["sections"][0]["figures"][0]["query_url"].startswith("api/query/report-work-by-aim?year=2024")
    rows = list(csv.reader(io.StringIO(render_csv(whole).decode("utf-8"))))
    assert rows[0] == ["section", "figure", "query", "row", "column", "value"]
    assert any(row[1] == "funding" and row[4] == "total" and row[5] == "3900000" for row in rows)


@pytest.mark.parametrize("fmt, magic", [("html", b"<!doctype html>"), ("pdf", b"%PDF"), ("xlsx", b"PK"), ("json", b"{"), ("csv", b"section,")])
def test_the_command_writes_each_format(runner, built_settings, tmp_path, fmt, magic) -> None:
    out = tmp_path / f"report.{fmt}"
    result = runner.invoke(cli, ["--store", str(built_settings.store), "report", "--year", "2024", "--body", "kulturnamnden",
                                 "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(magic)


def test_an_unknown_body_is_named(runner, built_settings, tmp_path) -> None:
    result = runner.invoke(cli, ["--store", str(built_settings.store), "report", "--year", "2024", "--body", "kulturnamden",
                                 "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 2 and "unknown body 'kulturnamden'" in result.output
    assert not (tmp_path / "r.html").exists()
