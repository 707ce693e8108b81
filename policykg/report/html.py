"""The report as one HTML page (Jinja templates of this package): sections, figures
with their SVG chart and table of data, and links to the queries and registry rows."""

from __future__ import annotations

import base64
import hashlib

from functools import lru_cache

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from . import charts
from .data import Column, Figure, Report, api_path
from .texts import TEXTS, text


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(loader=PackageLoader("policykg.report", "templates"), autoescape=select_autoescape(["html"]),
                       trim_blocks=True, lstrip_blocks=True)


def cell_text(row: dict, column: Column, lang: str) -> str:
    """A cell as text in ``lang``: labels by language, flags by their word, numbers with spaces."""
    value = row.get(column.key)
    if value is None or value == "":
        return ""
    if isinstance(value, dict):
        return value.get(lang) or ""
    if column.kind == "flag":
        return TEXTS[value][lang] if value in TEXTS else str(value)
    if column.kind == "number" and isinstance(value, (int, float)):
        return charts._fmt(value)
    return str(value)


def chart_of(figure: Figure, lang: str, ident: str) -> Markup | None:
    if not figure.chart or not figure.rows:
        return None
    kind, label_key, value_keys = figure.chart
    columns = {c.key: c for c in figure.columns}
    labels = [cell_text(row, columns.get(label_key, Column(label_key, "")), lang) for row in figure.rows]
    series = [(text(columns[key].title, lang), [row.get(key) or 0 for row in figure.rows]) for key in value_keys]
    title = text(f"f.{figure.key}", lang)
    description = "; ".join(
        f"{label}: " + ", ".join(f"{name} {charts._fmt(values[i])}" for name, values in series) for i, label in enumerate(labels))
    draw = charts.line_chart if kind == "line" else charts.bar_chart
    return draw(ident, text("chart_of", lang, title=title), description, labels, series)


def title_of(report: Report, lang: str) -> str:
    title = text("title", lang, year=report.year)
    return title + (" " + text("for_body", lang, body=report.body_label[lang]) if report.body else "")


def render_html(report: Report, lang: str = "sv", base_url: str = "", other_language_url: str | None = None) -> str:
    """The report in ``lang``; links to the queries are under ``base_url`` (the server's root)."""
    template = environment().get_template("report.html")
    return template.render(
        report=report, lang=lang, base_url=base_url, title=title_of(report, lang), other_language_url=other_language_url,
        t=lambda key, **values: text(key, lang, **values), cell=lambda row, column: cell_text(row, column, lang),
        chart=lambda figure, ident: chart_of(figure, lang, ident), api_path=api_path,
    )


@lru_cache(maxsize=1)
def style_source() -> str:
    """The Content-Security-Policy source that allows the report's one style sheet (inline,
    so that a saved or printed report keeps its look): its SHA-256 digest."""
    source = environment().loader.get_source(environment(), "report.html")[0]
    style = source.split("<style>", 1)[1].split("</style>", 1)[0]
    return "'sha256-" + base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode("ascii") + "'"
