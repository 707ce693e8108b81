"""The activities registry: visits, delegations, conferences, exchanges, hosted visits ...

IRIs are ``BASE/activity/ID``. An activity may belong to a project
(``pkg:partOf``, a traceability link: the project's goals hold for it too).
"""

from __future__ import annotations

import sys

from policykg.namespaces import PKG

from .. import ntriples as nt
from ..registry import RegistrySpec
from .common import (
    CHILD_YOUTH,
    COUNTRY,
    END_DATE,
    INTERNATIONAL_WORK,
    LOCATION,
    START_DATE,
    TRACE_REFERENCES,
    R,
    boolean,
    check_dates,
    date,
    enum_reference,
    labels,
    trace_links,
)

TYPES = (R(PKG.Activity), INTERNATIONAL_WORK)
KIND = R(PKG.activityKind)
PARTICIPANTS = R(PKG.participants)
YOUNG = R(PKG.youngParticipants)
KINDS = {
    "visit": PKG.Visit,
    "delegation": PKG.Delegation,
    "conference": PKG.Conference,
    "exchange": PKG.Exchange,
    "study-trip": PKG.StudyTrip,
    "hosting": PKG.Hosting,
    "meeting": PKG.Meeting,
    "training": PKG.Training,
    "other": PKG.OtherActivity,
}


def check(catalogue):
    dates = check_dates("date", "end_date", "the activity ends before it begins")

    def problems(row):
        yield from dates(row)
        if row.young_participants is not None and row.participants is not None and row.young_participants > row.participants:
            yield "young_participants", "more young participants than participants", \
                f"at most {row.participants}, the number of participants"

    return problems


def emit(out, row) -> None:
    subject = out.entity(row, *TYPES)
    labels(out, subject, row.title_sv, row.title_en)
    out.add(subject, KIND, R(row.kind))
    out.add(subject, START_DATE, date(row.date))
    if row.end_date:
        out.add(subject, END_DATE, date(row.end_date))
    if row.place:
        out.add(subject, LOCATION, nt.string(row.place))
    if row.country:
        out.add(subject, COUNTRY, R(row.country))
    if row.participants is not None:
        out.add(subject, PARTICIPANTS, nt.integer(row.participants))
    if row.young_participants is not None:
        out.add(subject, YOUNG, nt.integer(row.young_participants))
    if row.child_youth_focus is not None:
        out.add(subject, CHILD_YOUTH, boolean(row.child_youth_focus))
    out.link(PKG.responsibleBody, row.responsible_body)
    if row.project:
        out.link(PKG.partOf, row.project)
    trace_links(out, row)


SPEC = RegistrySpec(
    name="activities",
    title_en="International activities",
    title_sv="Internationella aktiviteter",
    kind="activity",
    sheet_names=("activities", "aktiviteter"),
    references={
        "project": "project",
        "responsible_body": "body",
        "kind": enum_reference("activity-kind", "kind of activity", KINDS),
        "country": "country",
        **TRACE_REFERENCES,
    },
    emit=emit,
    module=sys.modules[__name__],
    check=check,
)
