"""The partnerships registry: twin towns, cooperation agreements and project partnerships.

IRIs are ``BASE/partnership/ID``, typed with the kind's class
(``pkg:TwinTownAgreement`` ...) and ``pkg:Partnership``. A project partnership
names its project with ``dct:relation``.
"""

from __future__ import annotations

import sys

from policykg.namespaces import DCT, PKG

from .. import ntriples as nt
from ..registry import RegistrySpec
from .common import (
    DECISION_REFERENCE,
    INTERNATIONAL_WORK,
    LAST_REVIEWED,
    PARTNER,
    REVIEW_DECISION,
    REVIEW_DECISIONS,
    TRACE_REFERENCES,
    R,
    boolean,
    check_dates,
    date,
    enum_reference,
    labels,
    trace_links,
)

KINDS = {
    "twin-town": PKG.TwinTownAgreement,
    "cooperation-agreement": PKG.CooperationAgreement,
    "project-partnership": PKG.ProjectPartnership,
}
PARTNERSHIP = R(PKG.Partnership)
SIGNED = R(PKG.signed)
ENDS = R(PKG.ends)
TERMINABLE = R(PKG.terminable)
TERMINATED = R(PKG.terminated)
RELATION = R(DCT.relation)


def check(catalogue):
    ends = check_dates("signed", "ends", "the agreement ends before it was signed")
    terminated = check_dates("signed", "terminated", "the agreement was ended before it was signed")

    def problems(row):
        yield from ends(row)
        yield from terminated(row)

    return problems


def emit(out, row) -> None:
    subject = out.entity(row, R(row.kind), PARTNERSHIP, INTERNATIONAL_WORK)
    labels(out, subject, row.title_sv, row.title_en)
    for partner in row.partners:
        out.add(subject, PARTNER, R(partner))
    if row.signed:
        out.add(subject, SIGNED, date(row.signed))
    if row.ends:
        out.add(subject, ENDS, date(row.ends))
    if row.terminable is not None:
        out.add(subject, TERMINABLE, boolean(row.terminable))
    if row.terminated:
        out.add(subject, TERMINATED, date(row.terminated))
    if row.decision_reference:
        out.add(subject, DECISION_REFERENCE, nt.string(row.decision_reference))
    if row.project:
        out.add(subject, RELATION, R(row.project))
    if row.last_reviewed:
        out.add(subject, LAST_REVIEWED, date(row.last_reviewed))
    if row.review_decision:
        out.add(subject, REVIEW_DECISION, R(row.review_decision))
    if row.responsible_body:
        out.link(PKG.responsibleBody, row.responsible_body)
    trace_links(out, row)


SPEC = RegistrySpec(
    name="partnerships",
    title_en="Partnerships: twin towns and cooperation agreements",
    title_sv="Partnerskap: vänorter och samarbetsavtal",
    kind="partnership",
    sheet_names=("partnerships", "partnerskap"),
    references={
        "kind": enum_reference("partnership-kind", "kind of partnership", KINDS),
        "partners": "partner",
        "responsible_body": "body",
        "project": "project",
        "review_decision": enum_reference("review-decision", "review decision", REVIEW_DECISIONS),
        **TRACE_REFERENCES,
    },
    emit=emit,
    module=sys.modules[__name__],
    defines="partnership",
    check=check,
    labels=lambda row: (row.title_sv, row.title_en),
)
