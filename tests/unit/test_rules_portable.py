"""The rules' functions written out in standard SPARQL (policykg.compliance.portable) give
what the Python functions give, for the days and years around each boundary."""

from __future__ import annotations

import datetime as dt

import pyoxigraph as ox
import pytest

from policykg.compliance import calendar
from policykg.compliance.portable import inline_functions

PREFIXES = {"pkg": "https://w3id.org/policykg/ontology#"}


def evaluate(expression: str, as_of: str = "2025-06-01", due: str = "04-30") -> str | None:
    query = inline_functions(f"SELECT ?r WHERE {{ BIND ({expression} AS ?r) }}", PREFIXES, as_of, due)
    row = next(iter(ox.Store().query(query)))
    return None if row["r"] is None else row["r"].value


@pytest.mark.parametrize(
    "day", ["2018-10-14", "2018-10-15", "2021-12-31", "2022-10-14", "2022-10-15", "2026-01-01", "2030-10-16", "2019-02-28"]
)
def test_the_mandate_period_starts_where_the_calendar_says(day: str) -> None:
    expected = calendar.mandate_period_start(dt.date.fromisoformat(day)).isoformat()
    assert evaluate(f'pkg:mandatePeriodStart("{day}"^^<http://www.w3.org/2001/XMLSchema#date>)') == expected
    assert evaluate("pkg:mandatePeriodStart(pkg:asOf(<http://example.org/program>))", as_of=day) == expected


@pytest.mark.parametrize("year,due", [("2024", "04-30"), ('"2023"^^<http://www.w3.org/2001/XMLSchema#gYear>', "03-31"), ("1999", "12-01")])
def test_the_follow_up_is_due_where_the_calendar_says(year: str, due: str) -> None:
    number = int(year.strip('"')[:4])
    assert evaluate(f"pkg:followUpDue({year})", due=due) == calendar.follow_up_due(number, due).isoformat()


def test_a_call_inside_a_string_or_a_comment_is_left_alone() -> None:
    query = 'SELECT ?r WHERE { BIND ("pkg:asOf(1)" AS ?r) } # pkg:asOf(2)\n'
    assert inline_functions(query, PREFIXES, "2025-01-01", "04-30") == query


def test_a_value_that_is_no_year_gives_no_day() -> None:
    assert evaluate('pkg:followUpDue("soon")') is None
