"""The report's tables for staff: an Excel workbook (one sheet per figure), and the
data as JSON and as CSV (one row per cell: figure, row, column, value)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict

from openpyxl import Workbook
from openpyxl.styles import Font

from .data import Report
from .html import cell_text, title_of
from .texts import text


def render_xlsx(report: Report, lang: str = "sv", base_url: str = "") -> bytes:
    workbook = Workbook()
    about = workbook.active
    about.title = text("contents", lang)[:31]
    about.append([title_of(report, lang)])
    about["A1"].font = Font(bold=True, size=14)
    about.append([report.body_label[lang] if report.body else text("whole", lang)])
    if report.illustrative:
        about.append([f"{text('illustrative', lang)}. {report.notice[lang]}"])
    about.append([text("generated", lang, date=report.generated, as_of=report.as_of or "-")])
    about.append([])
    about.append([text("contents", lang), text("query", lang)])
    used: set[str] = set()
    for section in report.sections:
        for figure in section.figures:
            name = text(f"f.{figure.key}", lang)[:31].replace("/", "-")
            while name in used:
                name = name[:29] + str(len(used))
            used.add(name)
            about.append([f"{text(f's.{section.key}', lang)}: {text(f'f.{figure.key}', lang)}", base_url + figure.query_path()])
            sheet = workbook.create_sheet(name)
            sheet.append([text(c.title, lang) for c in figure.columns])
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for row in figure.rows:
                sheet.append([_number_or_text(row, c, lang) for c in figure.columns])
            sheet.append([])
            sheet.append([f"{text('query', lang)}: {base_url}{figure.query_path()}"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _number_or_text(row: dict, column, lang: str):
    value = row.get(column.key)
    if column.kind == "number" and isinstance(value, (int, float)):
        return value
    return cell_text(row, column, lang)


def render_json(report: Report, lang: str = "sv", base_url: str = "") -> bytes:
    data = asdict(report)
    data["title"] = {code: title_of(report, code) for code in ("sv", "en")}
    for section in data["sections"]:
        for figure in section["figures"]:
            figure["query_url"] = base_url + report_query(figure)
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def report_query(figure: dict) -> str:
    from .data import api_path

    return api_path(figure["query"], figure["params"])


def render_csv(report: Report, lang: str = "sv", base_url: str = "") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "figure", "query", "row", "column", "value"])
    for section in report.sections:
        for figure in section.figures:
            for number, row in enumerate(figure.rows, 1):
                for column in figure.columns:
                    writer.writerow([section.key, figure.key, base_url + figure.query_path(), number, column.key,
                                     _number_or_text(row, column, lang)])
    return out.getvalue().encode("utf-8")
