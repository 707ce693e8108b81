"""Which findings concern a year: those about that year, or about work going on in it.

A finding with a year (a follow-up that is missing) concerns that year only. A
finding about a piece of work concerns the years the work went on: a project
or activity from its start to its end, a membership for its time, a
partnership from its signing to its end, a decision its year. A finding about
the program, a principle or a body as a whole concerns every year.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from policykg.namespaces import DCT, ORG, PKG, RDF, SCHEMA, TIME, nn

from .evaluate import Finding

_START = [nn(SCHEMA.startDate), nn(PKG.signed), nn(DCT.date)]
_END = [nn(SCHEMA.endDate), nn(PKG.terminated), nn(PKG.ends)]
_TYPE, _ACTIVITY = nn(RDF.type), nn(PKG.Activity)
_DURING, _BEGINNING, _END_OF, _DATE = nn(ORG.memberDuring), nn(TIME.hasBeginning), nn(TIME.hasEnd), nn(TIME.inXSDDate)


def _first(store: ox.Store, subject, predicate):
    for quad in store.quads_for_pattern(subject, predicate, None, None):
        return quad.object
    return None


def _year(term) -> int | None:
    text = getattr(term, "value", "")[:4]
    return int(text) if text.isdigit() else None


def span(store: ox.Store, node) -> tuple[int | None, int | None] | None:
    """The first and last year of the work ``node`` (None for open), or None if it has no time."""
    during = _first(store, node, _DURING)
    if during is not None:
        start = _first(store, during, _BEGINNING)
        end = _first(store, during, _END_OF)
        return (_year(_first(store, start, _DATE)) if start is not None else None,
                _year(_first(store, end, _DATE)) if end is not None else None)
    start = next((_year(v) for p in _START if (v := _first(store, node, p)) is not None), None)
    end = next((_year(v) for p in _END if (v := _first(store, node, p)) is not None), None)
    if start is None and end is None:
        return None
    if end is None and (_first(store, node, nn(DCT.date)) is not None
                        or next(iter(store.quads_for_pattern(node, _TYPE, _ACTIVITY, None)), None) is not None):
        end = start  # a decision, or an activity without an end: its day
    return start, end


def concerning(findings: Iterable[Finding], store: ox.Store, year: int) -> list[Finding]:
    """The findings that concern ``year``."""
    spans: dict = {}
    kept = []
    for finding in findings:
        if finding.year is not None:
            if finding.year == year:
                kept.append(finding)
            continue
        if finding.focus not in spans:
            spans[finding.focus] = span(store, finding.focus)
        known = spans[finding.focus]
        if known is None:
            kept.append(finding)
            continue
        start, end = known
        if (start is None or start <= year) and (end is None or year <= end):
            kept.append(finding)
    return kept
