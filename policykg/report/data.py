"""The report's data, gathered from the graph with the named queries of ``queries/``.

Every figure keeps the name and parameters of the query that computed it (the
API answers it at ``api/query/NAME?...``) and the listing queries that give the
registry rows behind it, so a reader can follow any number back to the rows it
counts. Long lists are cut at :data:`LIST_ROWS` rows (the query gives them all).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

import pyoxigraph as ox

from policykg.config import Settings
from policykg.paths import queries_dir
from policykg.publication.samples import NOTICE, illustrative_graphs
from policykg.runtime.binding import ask
from policykg.runtime.querylib import NamedQuery, load_queries

#: Rows of a list shown in the report; the query gives the rest.
LIST_ROWS = 200
LANGS = ("sv", "en")


@dataclass
class Column:
    key: str
    title: str  # a key of texts.TEXTS
    kind: str = "text"  # text | number | date | label (a {sv, en} dict) | iri
    link: str | None = None  # the row key of an IRI this column's cell links to


@dataclass
class Figure:
    key: str  # also the key of its title in texts.TEXTS ("f.KEY")
    query: str
    params: dict[str, str]
    columns: list[Column]
    rows: list[dict]
    chart: tuple | None = None  # ("bar", label column, [value columns]) or ("line", ...)
    total: int | None = None  # the query's row count, when the rows shown are cut
    sources: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # listings of the registry rows

    def query_path(self) -> str:
        return api_path(self.query, self.params)


@dataclass
class Section:
    key: str
    figures: list[Figure]


@dataclass
class Report:
    year: int
    body: str | None
    body_label: dict[str, str]
    as_of: str | None  # the day the stored findings were checked as of
    generated: str
    illustrative: bool
    notice: dict[str, str]
    sections: list[Section]
    base_iri: str

    def figures(self) -> list[Figure]:
        return [figure for section in self.sections for figure in section.figures]


def api_path(query: str, params: dict[str, str]) -> str:
    """The API path of a named query with its parameters (relative to the server's root)."""
    return f"api/query/{query}" + (f"?{urlencode(params)}" if params else "")


def _value(term):
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value.rsplit("#", 1)[-1]
        if datatype in ("integer", "int", "long", "nonNegativeInteger"):
            return int(term.value)
        if datatype == "decimal":
            number = Decimal(term.value)
            return int(number) if number == number.to_integral_value() else float(number)
        return term.value
    return term.value


class _Asker:
    """Runs named queries on one generation, bound as the API binds them."""

    def __init__(self, reader: ox.Store, settings: Settings) -> None:
        self.reader = reader
        self.settings = settings
        self.queries: dict[str, NamedQuery] = load_queries(queries_dir())

    def rows(self, name: str, params: dict[str, str]) -> list[dict]:
        query = self.queries[name]
        solutions = ask(self.reader, query.sparql, query.bind(params, self.settings.iris), use_default_graph_as_union=True)
        names = [v.value for v in solutions.variables]
        return [{n: _value(s[n]) for n in names} for s in solutions]


def _label(row: dict, key: str = "label") -> dict[str, str]:
    sv, en = row.get(f"{key}_sv"), row.get(f"{key}_en")
    return {"sv": sv or en or "", "en": en or sv or ""}


def _cut(rows: list[dict]) -> tuple[list[dict], int | None]:
    return (rows[:LIST_ROWS], len(rows)) if len(rows) > LIST_ROWS else (rows, None)


def gather(reader: ox.Store, settings: Settings, year: int, body: str | None = None) -> Report:
    """The report on ``year`` for the whole municipality, or for ``body`` (an IRI or ``body/KEY``)."""
    ask = _Asker(reader, settings)
    iris = settings.iris
    if body is not None and not body.startswith("http"):
        body = iris(body if body.startswith("body/") else f"body/{body}")
    params = {"year": str(year), **({"body": body} if body else {})}
    body_params = {"body": body} if body else {}
    listings = [("projects", params), ("activities", params), ("networks", body_params), ("partnerships", body_params)]
    sections = [
        Section("work", _work(ask, params, listings)),
        Section("items", _items(ask, params, body_params, year)),
        Section("funding", [_funding(ask, params)]),
        Section("sdg", [_sdg(ask, params, listings)]),
        Section("indicators", _indicators(ask, params)),
        Section("follow_up", [_follow_up(ask, params)]),
        Section("findings", [_findings(ask, params)]),
        Section("changes", [_changes(ask, params)]),
        Section("trend", [_trend(ask, params, listings)]),
    ]
    as_of = next((row["as_of"] for row in sections[6].figures[0].rows if row.get("as_of")), None)
    if as_of is None:  # no finding concerns the year: the day all were checked as of
        as_of = next((row["as_of"] for row in ask.rows("findings", {}) if row.get("as_of")), None)
    label = {"sv": "", "en": ""}
    if body:
        from policykg.runtime.describe import Reader

        labels = Reader(reader).labels(body)
        label = {lang: labels.get(lang) or labels.get("sv") or body.rsplit("/", 1)[-1] for lang in LANGS}
    illustrative = bool(illustrative_graphs(reader))
    return Report(year, body, label, as_of, dt.date.today().isoformat(), illustrative, NOTICE, sections, settings.base_iri)


def _work(ask: _Asker, params, listings) -> list[Figure]:
    rows = ask.rows("report-work-by-aim", params)
    aims = {"goal": ask.rows("goals", {}), "focus-area": ask.rows("focus-areas", {})}
    figures = []
    for kind, key in (("goal", "goals"), ("focus-area", "focus_areas")):
        counted = {row["aim"]: row for row in rows if row["aim_kind"] == kind}
        table = []
        for aim in aims[kind]:
            iri = aim.get("item") or aim.get("goal") or aim.get("focus_area")
            found = counted.get(iri, {})
            counts = {k: found.get(k) or 0 for k in ("projects", "activities", "memberships", "partnerships")}
            table.append({"aim": iri, "label": _label(aim), **counts, "total": sum(counts.values())})
        figures.append(Figure(key, "report-work-by-aim", params, [
            Column("label", "c.aim", "label", link="aim"), Column("projects", "c.projects", "number"),
            Column("activities", "c.activities", "number"), Column("memberships", "c.memberships", "number"),
            Column("partnerships", "c.partnerships", "number"), Column("total", "c.total", "number"),
        ], table, chart=("bar", "label", ["projects", "activities", "memberships", "partnerships"]), sources=listings))
    return figures


def _items(ask: _Asker, params, body_params, year: int) -> list[Figure]:
    projects, total = _cut(ask.rows("projects", params))
    for row in projects:
        row["label"] = _label(row)
        row["body_label"] = {"sv": row.get("body_sv") or "", "en": row.get("body_sv") or ""}
    activities, activities_total = _cut(ask.rows("activities", params))
    for row in activities:
        row["label"] = _label(row)
        row["body_label"] = {"sv": row.get("body_sv") or "", "en": row.get("body_sv") or ""}
    as_of = {"as_of": f"{year}-12-31"}
    memberships = [row for row in ask.rows("networks", {**body_params, **as_of}) if _active(row.get("since"), row.get("until"), year)]
    for row in memberships:
        row["label"] = _label(row)
        row["due"] = "v.yes" if row.get("due_for_review") in (True, "true", "1", 1) else ""
    partnerships = [row for row in ask.rows("partnerships", body_params)
                    if _active(row.get("signed"), row.get("terminated") or row.get("ends"), year)]
    for row in partnerships:
        row["label"] = _label(row)
    return [
        Figure("projects", "projects", params, [
            Column("label", "c.item", "label", link="item"), Column("body_sv", "c.body"), Column("status_en", "c.status"),
            Column("start", "c.start", "date"), Column("end", "c.end", "date"), Column("budget", "c.budget", "number"),
            Column("currency", "c.currency")], projects, total=total),
        Figure("activities", "activities", params, [
            Column("label", "c.item", "label", link="item"), Column("body_sv", "c.body"), Column("kind_en", "c.kind"),
            Column("date", "c.date", "date"), Column("place", "c.place"), Column("young_participants", "c.young", "number")],
            activities, total=activities_total),
        Figure("memberships", "networks", {**body_params, **as_of}, [
            Column("label", "c.item", "label", link="item"), Column("network_name", "c.network"), Column("body_sv", "c.body"),
            Column("last_reviewed", "c.reviewed", "date"), Column("due", "c.due", "flag")], memberships),
        Figure("partnerships", "partnerships", body_params, [
            Column("label", "c.item", "label", link="item"), Column("kind_en", "c.kind"), Column("body_sv", "c.body"),
            Column("signed", "c.signed", "date"), Column("ends", "c.end", "date")], partnerships),
    ]


def _active(start, end, year: int) -> bool:
    return (not start or int(str(start)[:4]) <= year) and (not end or int(str(end)[:4]) >= year)


def _funding(ask: _Asker, params) -> Figure:
    rows = ask.rows("report-funding", params)
    for row in rows:
        row["source_label"] = _label(row, "source")
        row["programme_label"] = _label(row, "programme") if row.get("programme") else {"sv": "–", "en": "–"}
        row["chart_label"] = {lang: f"{row['programme_label'][lang] if row.get('programme') else row['source_label'][lang]}"
                              f" ({row.get('currency')})" for lang in LANGS}
    return Figure("funding", "report-funding", params, [
        Column("source_label", "c.source", "label"), Column("programme_label", "c.programme", "label", link="programme"),
        Column("total", "c.amount", "number"), Column("currency", "c.currency"), Column("projects", "c.projects", "number")],
        rows, chart=("bar", "chart_label", ["total"]), sources=[("projects", params)])


def _sdg(ask: _Asker, params, listings) -> Figure:
    rows = ask.rows("report-sdg", params)
    for row in rows:
        row["label"] = {lang: f"{row['number']}. {_label(row)[lang]}" for lang in LANGS}
    return Figure("sdg", "report-sdg", params, [
        Column("label", "c.sdg", "label", link="sdg"), Column("targets", "c.targets", "number"),
        Column("works", "c.works", "number")],
        rows, chart=("bar", "label", ["works"]), sources=listings)


def _indicators(ask: _Asker, params) -> list[Figure]:
    rows = ask.rows("report-indicators", params)
    for row in rows:
        row["label"] = _label(row, "measure")
        row["share"] = round(100 * row["count"] / row["total"]) if row.get("total") else 0
    youth = ask.rows("report-youth", params)
    youth_rows = []
    if youth and youth[0].get("total"):
        found = youth[0]
        youth_rows = [
            {"label": {"sv": "Projekt och aktiviteter med barn och unga", "en": "Projects and activities with children and young people"},
             "value": found.get("involving") or 0, "share": round(100 * (found.get("involving") or 0) / found["total"])},
            {"label": {"sv": "Projekt och aktiviteter totalt", "en": "Projects and activities in all"}, "value": found["total"], "share": 100},
            {"label": {"sv": "Unga deltagare", "en": "Young participants"}, "value": found.get("young") or 0, "share": None},
        ]
    return [
        Figure("collaboration", "report-indicators", params, [
            Column("label", "c.sector", "label", link="measure"), Column("count", "c.projects", "number"),
            Column("total", "c.total", "number"), Column("share", "c.share", "number")],
            rows, chart=("bar", "label", ["share"]), sources=[("projects", params)]),
        Figure("youth", "report-youth", params, [
            Column("label", "c.measure", "label"), Column("value", "c.value", "number"), Column("share", "c.share", "number")],
            youth_rows, sources=[("projects", params), ("activities", params)]),
    ]


def _follow_up(ask: _Asker, params) -> Figure:
    rows = ask.rows("follow-up-status", params)
    for row in rows:
        row["body_label"] = _label(row, "body")
        row["work_label"] = _label(row, "work") if row.get("work") else {"sv": "(hela arbetet)", "en": "(the work as a whole)"}
        row["status_label"] = _label(row, "status") if row.get("status") else {"sv": "", "en": ""}
        row["outcome"] = _label(row, "outcome")
        row["row_label"] = f"{row.get('file')}:{row.get('row')}" if row.get("row") else ""
    return Figure("follow_up", "follow-up-status", params, [
        Column("body_label", "c.body", "label", link="body"), Column("work_label", "c.work", "label", link="work"),
        Column("status_label", "c.status", "label"), Column("outcome", "c.outcome", "label"),
        Column("reported", "c.reported", "date"), Column("reference", "c.reference"), Column("row_label", "c.row", link="report")],
        rows)


def _findings(ask: _Asker, params) -> Figure:
    rows = ask.rows("findings", params)
    for row in rows:
        row["severity_key"] = "v." + str(row.get("severity", "")).rsplit("#", 1)[-1].lower()
        row["about"] = _label(row, "focus")
        if row.get("finding_year"):
            row["about"] = {lang: f"{row['about'][lang]} ({row['finding_year']})" for lang in LANGS}
        row["message"] = _label(row, "message")
    return Figure("findings", "findings", params, [
        Column("severity_key", "c.severity", "flag"), Column("about", "c.about", "label", link="focus"),
        Column("message", "c.message", "label", link="rule")], rows)


def _changes(ask: _Asker, params) -> Figure:
    rows = ask.rows("report-changes", params)
    for row in rows:
        row["change_key"] = f"v.{row['change']}"
        row["label"] = _label(row)
        if row["change"] == "status":
            row["detail"] = {lang: f"{row.get('before_' + lang) or ''} → {row.get('after_' + lang) or ''}" for lang in LANGS}
        else:
            row["detail"] = {lang: str(row.get("day") or "") for lang in LANGS}
    return Figure("changes", "report-changes", params, [
        Column("change_key", "c.change", "flag"), Column("label", "c.item", "label", link="work"),
        Column("detail", "c.date", "label")], rows)


def _trend(ask: _Asker, params, listings) -> Figure:
    rows = ask.rows("report-trend", params)
    return Figure("trend", "report-trend", params, [
        Column("in_year", "c.year"), Column("projects", "c.projects", "number"), Column("activities", "c.activities", "number"),
        Column("memberships", "c.memberships", "number"), Column("partnerships", "c.partnerships", "number")],
        rows, chart=("line", "in_year", ["projects", "activities", "memberships", "partnerships"]), sources=listings)
