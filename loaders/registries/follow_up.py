"""The follow-up registry: what each body reported of its international work, year by year.

One row (``BASE/follow-up/ID``, a ``pkg:FollowUpReport``) is a body's follow-up
of one year (``pkg:followUpYear``): of one piece of work (``work``: a project,
membership or partnership), of its international work as a whole (no work), or
of the program itself (``work`` = ``program``: the municipality's annual
follow-up, which the program says is reported to the executive board every
year). It says where the work stood at the end of the year (``status``), what
it achieved (``outcome`` in Swedish, optionally English), the day it was
reported, to whom, and the decision or minutes that record it.
"""

from __future__ import annotations

import sys

from policykg.namespaces import PKG, XSD

from .. import ntriples as nt
from ..registry import RegistrySpec
from .common import DECISION_REFERENCE, STATUSES, R, date, enum_reference, labels, work_reference

TYPES = (R(PKG.FollowUpReport),)
YEAR = R(PKG.followUpYear)
REPORTING_BODY = R(PKG.reportingBody)
FOLLOWS_UP = R(PKG.followsUp)
STATUS = R(PKG.followUpStatus)
OUTCOME = R(PKG.outcome)
REPORTED_ON = R(PKG.reportedOn)
SUBMITTED_TO = R(PKG.submittedTo)
G_YEAR = nt.iri(XSD.gYear)
FOLLOW_UP_STATUSES = {**STATUSES, "postponed": PKG.Postponed}


def check(catalogue):
    program = catalogue.iris.program

    def problems(row):
        if row.reported and row.year and int(row.reported[:4]) < row.year:
            yield "reported", "the follow-up was reported before the year it covers began", f"a date in {row.year} or later"
        if row.work == program and not row.reported_to:
            yield "reported_to", "the follow-up of the program must say to whom it was reported", "kommunstyrelsen"
        if row.work == program and row.status:
            yield "status", "the follow-up of the program as a whole has no status", "no status"

    return problems


def emit(out, row) -> None:
    subject = out.entity(row, *TYPES)
    body_sv, body_en = out.catalogue.vocabulary("body").labels.get(row.body, (None, None))
    name = row.body.rsplit("/", 1)[-1]
    if row.work == out.catalogue.iris.program:
        labels(out, subject, f"Uppföljning av programmet {row.year}: {body_sv or name}",
               f"Follow-up of the program {row.year}: {body_en or body_sv or name}")
    else:
        labels(out, subject, f"Uppföljning {row.year}: {body_sv or name}", f"Follow-up {row.year}: {body_en or body_sv or name}")
    out.add(subject, YEAR, f'"{row.year}"^^{G_YEAR}')
    out.add(subject, REPORTING_BODY, R(row.body))
    if row.work:
        out.add(subject, FOLLOWS_UP, R(row.work))
    if row.status:
        out.add(subject, STATUS, R(row.status))
    labels(out, subject, row.outcome_sv, row.outcome_en, OUTCOME)
    if row.reported:
        out.add(subject, REPORTED_ON, date(row.reported))
    if row.reported_to:
        out.add(subject, SUBMITTED_TO, R(row.reported_to))
    if row.reference:
        out.add(subject, DECISION_REFERENCE, nt.string(row.reference))


SPEC = RegistrySpec(
    name="follow-up",
    title_en="Follow-up of the international work",
    title_sv="Uppföljning av det internationella arbetet",
    kind="follow-up",
    sheet_names=("follow-up", "uppföljning", "uppfoljning"),
    references={
        "body": "body",
        "work": work_reference(program=True),
        "status": enum_reference("status", "status", FOLLOW_UP_STATUSES),
        "reported_to": "body",
    },
    emit=emit,
    module=sys.modules[__name__],
    check=check,
)
