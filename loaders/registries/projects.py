"""The projects registry: international projects with partners, funding and links to the program.

IRIs: the project ``BASE/project/ID``; its fundings ``BASE/project/ID/funding/municipal``
and ``BASE/project/ID/funding/PROGRAMME`` (``pkg:Funding`` with amount, currency,
source and programme). ``external_funding`` holds ``PROGRAMME=AMOUNT`` pairs.
"""

from __future__ import annotations

import sys

from policykg.namespaces import PKG, PROV

from .. import ntriples as nt
from ..registry import RegistrySpec
from ..schema import CellError, parse_decimal
from .common import (
    BUDGET,
    CHILD_YOUTH,
    CURRENCY,
    DESCRIPTION,
    END_DATE,
    INTERNATIONAL_WORK,
    PARTNER,
    START_DATE,
    STATUS,
    STATUSES,
    TRACE_REFERENCES,
    R,
    boolean,
    check_dates,
    date,
    decimal,
    enum_reference,
    labels,
    trace_links,
)

TYPES = (R(PKG.Project), INTERNATIONAL_WORK)
FUNDING = R(PKG.Funding)
HAS_FUNDING = R(PKG.hasFunding)
AMOUNT = R(PKG.amount)
FUNDING_SOURCE = R(PKG.fundingSource)
FUNDING_PROGRAMME = R(PKG.fundingProgramme)
MUNICIPAL = R(PKG.MunicipalFunding)
EXTERNAL = R(PKG.ExternalFunding)
AID = R(PKG.aidProject)
TYPE = R("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DERIVED = R(PROV.wasDerivedFrom)
PAIR_EXPECTED = "PROGRAMME=AMOUNT, such as interreg-aurora=1 200 000"


def funding_pairs(catalogue):
    """``external_funding``: each part ``PROGRAMME=AMOUNT`` -> (programme IRI, amount)."""
    programmes = catalogue.vocabulary("funding-programme")

    def convert(text: str):
        programme, sep, amount = text.partition("=")
        if not sep or not programme.strip() or not amount.strip():
            raise CellError("not a programme and an amount", PAIR_EXPECTED)
        iri = programmes.resolve(programme.strip())
        try:
            value = parse_decimal(amount.strip())
        except CellError:
            raise CellError(f"the amount for '{programme.strip()}' is not a number", PAIR_EXPECTED) from None
        if value < 0:
            raise CellError(f"the amount for '{programme.strip()}' is negative", "an amount of at least 0")
        return iri, value

    return convert


def check(catalogue):
    dates = check_dates("start", "end", "the project ends before it starts")

    def problems(row):
        yield from dates(row)
        if row.budget is not None:
            total = (row.municipal_funding or 0) + sum(amount for _, amount in row.external_funding or ())
            if total > row.budget:
                yield "budget", f"the funding adds up to more than the budget ({format(total, 'f')})", \
                    f"a budget of at least {format(total, 'f')}"

    return problems


def emit(out, row) -> None:
    subject = out.entity(row, *TYPES)
    labels(out, subject, row.title_sv, row.title_en)
    labels(out, subject, row.description_sv, row.description_en, DESCRIPTION)
    out.add(subject, START_DATE, date(row.start))
    if row.end:
        out.add(subject, END_DATE, date(row.end))
    out.add(subject, STATUS, R(row.status))
    for partner in row.partners:
        out.add(subject, PARTNER, R(partner))
    currency = nt.string(row.currency or "SEK")
    if row.budget is not None:
        out.add(subject, BUDGET, decimal(row.budget))
    if row.budget is not None or row.municipal_funding is not None or row.external_funding:
        out.add(subject, CURRENCY, currency)
    local = f"<{out.base}project/{row.slug_}/funding/"
    if row.municipal_funding is not None:
        _funding(out, subject, f"{local}municipal>", row.municipal_funding, currency, MUNICIPAL, None)
    for programme, amount in row.external_funding:
        _funding(out, subject, f"{local}{programme.rsplit('/', 1)[-1]}>", amount, currency, EXTERNAL, programme)
    if row.aid_project is not None:
        out.add(subject, AID, boolean(row.aid_project))
    if row.child_youth_focus is not None:
        out.add(subject, CHILD_YOUTH, boolean(row.child_youth_focus))
    out.link(PKG.responsibleBody, row.responsible_body)
    trace_links(out, row)


def _funding(out, subject, funding, amount, currency, source, programme) -> None:
    out.add(subject, HAS_FUNDING, funding)
    out.add(funding, TYPE, FUNDING)
    out.add(funding, AMOUNT, decimal(amount))
    out.add(funding, CURRENCY, currency)
    out.add(funding, FUNDING_SOURCE, source)
    if programme:
        out.add(funding, FUNDING_PROGRAMME, R(programme))
    out.add(funding, DERIVED, out.row_iri)


SPEC = RegistrySpec(
    name="projects",
    title_en="International projects",
    title_sv="Internationella projekt",
    kind="project",
    sheet_names=("projects", "projekt"),
    references={
        "responsible_body": "body",
        "partners": "partner",
        "status": enum_reference("status", "status", STATUSES),
        "external_funding": funding_pairs,
        **TRACE_REFERENCES,
    },
    emit=emit,
    module=sys.modules[__name__],
    defines="project",
    check=check,
    labels=lambda row: (row.title_sv, row.title_en),
)
