"""The calendar the rules count in: mandate periods and the day a year's follow-up is due.

Swedish municipal councils sit for four years from 15 October of the election
year (2018, 2022, 2026 ...): the periods are computed from that, never typed in.
The program names no day for the annual follow-up; :data:`DEFAULT_FOLLOW_UP_DUE`
(30 April of the following year, when the municipality's annual report is
usually before the executive board) is the default of the setting ``follow_up_due``.

The same functions are declared in SPARQL for other SHACL engines
(``ontology/rules/functions.ttl``); a test checks that both agree.
"""

from __future__ import annotations

import datetime as dt
import re

#: An election year of the municipal councils, and how long they sit.
ELECTION_YEAR = 2018
PERIOD_YEARS = 4
#: The month and day a period begins.
PERIOD_START = (10, 15)
#: The month and day of the following year by which a year's follow-up is to have reached the executive board.
DEFAULT_FOLLOW_UP_DUE = "04-30"
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


def mandate_period_start(day: dt.date) -> dt.date:
    """The first day of the mandate period that ``day`` falls in."""
    election = day.year - (day.year - ELECTION_YEAR) % PERIOD_YEARS
    start = dt.date(election, *PERIOD_START)
    return start if start <= day else dt.date(election - PERIOD_YEARS, *PERIOD_START)


def mandate_period(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and the last day of the mandate period that ``day`` falls in."""
    start = mandate_period_start(day)
    return start, dt.date(start.year + PERIOD_YEARS, *PERIOD_START) - dt.timedelta(days=1)


def parse_month_day(text: str) -> tuple[int, int]:
    """``"04-30"`` -> (4, 30); ValueError naming what is expected."""
    match = _MONTH_DAY.match(text.strip())
    if match:
        month, day = int(match[1]), int(match[2])
        try:
            dt.date(2023, month, day)  # not a leap year: 02-29 would be due on no day in most years
            return month, day
        except ValueError:
            pass
    raise ValueError(f"expected a day of the year as MM-DD, such as {DEFAULT_FOLLOW_UP_DUE}; got {text!r}")


def follow_up_due(year: int, due: str = DEFAULT_FOLLOW_UP_DUE) -> dt.date:
    """The day by which the follow-up of ``year`` is to have reached the executive board."""
    return dt.date(year + 1, *parse_month_day(due))


def due_years(first: int, as_of: dt.date, due: str = DEFAULT_FOLLOW_UP_DUE) -> list[int]:
    """The years from ``first`` whose follow-up was due before ``as_of``."""
    years = []
    year = first
    while follow_up_due(year, due) < as_of:
        years.append(year)
        year += 1
    return years
