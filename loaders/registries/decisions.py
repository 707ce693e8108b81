"""The decisions registry: the program's adoption and reviews, guidelines, twin towns, membership reviews.

One row is one decision (``BASE/decision/ID``, a ``pkg:Decision``): its kind,
the body that took it (``pkg:decidedBy``), the day (``dct:date``), the case
number or minute (``pkg:decisionReference``), what it concerns
(``pkg:decisionConcerns``: ``program``, or pieces of work) and, for a review,
what it decided (``pkg:reviewDecision``). The work that guidelines prioritise
(networks, twin towns, activities) is ``pkg:prioritises`` instead.
"""

from __future__ import annotations

import sys

from policykg.namespaces import DCT, PKG

from .. import ntriples as nt
from ..registry import RegistrySpec
from .common import (
    DECISION_REFERENCE,
    REVIEW_DECISION,
    REVIEW_DECISIONS,
    R,
    date,
    enum_reference,
    labels,
    work_reference,
)

KINDS = {
    "program-adoption": PKG.ProgramAdoption,
    "program-review": PKG.ProgramReview,
    "guidelines": PKG.GuidelinesAdoption,
    "twin-town": PKG.TwinTownDecision,
    "membership-review": PKG.MembershipReview,
}
TYPES = (R(PKG.Decision),)
KIND = R(PKG.decisionKind)
DECIDED_BY = R(PKG.decidedBy)
DATE = R(DCT.date)
CONCERNS = R(PKG.decisionConcerns)
PRIORITISES = R(PKG.prioritises)
#: What each kind of decision must be about, and what it may decide.
NEEDS = {
    str(PKG.ProgramAdoption): "program",
    str(PKG.ProgramReview): "program",
    str(PKG.TwinTownDecision): "partnership",
    str(PKG.MembershipReview): "membership",
}


def check(catalogue):
    program = catalogue.iris.program
    prefix = {"partnership": catalogue.iris("partnership/"), "membership": catalogue.iris("membership/")}

    def problems(row):
        need = NEEDS.get(row.kind)
        concerns = row.concerns or []
        if need == "program" and program not in concerns:
            yield "concerns", "a decision on the program must name it", "program"
        elif need in prefix and not any(c.startswith(prefix[need]) for c in concerns):
            yield "concerns", f"a decision of this kind must name the {need} it concerns", f"{need}/ID"
        if row.kind == str(PKG.GuidelinesAdoption) and program in concerns:
            yield "concerns", "guidelines prioritise work, not the program", "the networks, twin towns and activities they prioritise"
        if row.outcome and row.kind in (str(PKG.ProgramAdoption), str(PKG.GuidelinesAdoption)):
            yield "outcome", "only a review or a decision on a twin town has an outcome", "no outcome"

    return problems


def emit(out, row) -> None:
    subject = out.entity(row, *TYPES)
    labels(out, subject, row.title_sv, row.title_en)
    out.add(subject, KIND, R(row.kind))
    out.add(subject, DECIDED_BY, R(row.body))
    out.add(subject, DATE, date(row.date))
    if row.reference:
        out.add(subject, DECISION_REFERENCE, nt.string(row.reference))
    predicate = PRIORITISES if row.kind == str(PKG.GuidelinesAdoption) else CONCERNS
    for target in row.concerns:
        out.add(subject, predicate, R(target))
    if row.outcome:
        out.add(subject, REVIEW_DECISION, R(row.outcome))


SPEC = RegistrySpec(
    name="decisions",
    title_en="Decisions on the international work",
    title_sv="Beslut om det internationella arbetet",
    kind="decision",
    sheet_names=("decisions", "beslut"),
    references={
        "kind": enum_reference("decision-kind", "kind of decision", KINDS),
        "body": "body",
        "concerns": work_reference(program=True),
        "outcome": enum_reference("review-decision", "review decision", REVIEW_DECISIONS),
    },
    emit=emit,
    module=sys.modules[__name__],
    check=check,
)
