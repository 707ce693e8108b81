"""The networks registry: one row per membership of a body in a network.

A row says which body (``org:member``) takes part in which network
(``org:organization``), since and until when (``org:memberDuring``, a
``time:Interval``), why, for what fee, and when it was last reviewed and what
that review decided. The network itself (``BASE/network/KEY``) is described by
the first row that names it; every row that names it must give it the same
name and website. The membership is ``BASE/membership/ID``.
"""

from __future__ import annotations

import sys

from policykg.namespaces import ORG, PKG, slug

from .. import ntriples as nt
from ..registry import RegistrySpec
from .common import (
    CURRENCY,
    DECISION_REFERENCE,
    HAS_BEGINNING,
    HAS_END,
    HOMEPAGE,
    IN_XSD_DATE,
    INTERNATIONAL_WORK,
    LAST_REVIEWED,
    REVIEW_DECISION,
    REVIEW_DECISIONS,
    TIME_INSTANT,
    TIME_INTERVAL,
    TRACE_REFERENCES,
    R,
    check_dates,
    date,
    decimal,
    enum_reference,
    labels,
    trace_links,
)

MEMBERSHIP_TYPES = (R(PKG.NetworkMembership), R(ORG.Membership), INTERNATIONAL_WORK)
NETWORK_TYPES = (R(PKG.Network), R(ORG.Organization))
MEMBER = R(ORG.member)
ORGANIZATION = R(ORG.organization)
MEMBER_DURING = R(ORG.memberDuring)
PURPOSE = R(PKG.membershipPurpose)
ANNUAL_FEE = R(PKG.annualFee)
TYPE = R("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
IDENTIFIER = R("http://purl.org/dc/terms/identifier")
DERIVED = R("http://www.w3.org/ns/prov#wasDerivedFrom")


def check(catalogue):
    networks: dict[str, tuple] = {}
    until_after_since = check_dates("since", "until", "the membership ends before it begins")

    def problems(row):
        yield from until_after_since(row)
        if row.network:
            facts = (row.network_name_en, row.network_name_sv, row.website)
            first = networks.setdefault(slug(row.network), (row.rownum_, facts))
            if first[1] != facts:
                yield ("network_name_en", f"the network is named or linked differently in row {first[0]}",
                       f"the same network_name_en, network_name_sv and website on every row of '{row.network}'")

    return problems


def emit(out, row) -> None:
    base = out.base
    network_local = f"network/{slug(row.network)}"
    network = f"<{base}{network_local}>"
    if network_local not in out.seen:
        out.seen.add(network_local)
        for cls in NETWORK_TYPES:
            out.add(network, TYPE, cls)
        out.add(network, IDENTIFIER, nt.string(row.network))
        labels(out, network, row.network_name_sv, row.network_name_en)
        if row.website:
            out.add(network, HOMEPAGE, R(row.website))
        network_row = True
    else:
        network_row = False
    subject = out.entity(row, *MEMBERSHIP_TYPES)
    if network_row:
        out.add(network, DERIVED, out.row_iri)
    body_sv, body_en = out.catalogue.vocabulary("body").labels.get(row.member, (None, None))
    name_sv = row.network_name_sv or row.network_name_en
    labels(out, subject, f"{body_sv or row.member.rsplit('/', 1)[-1]} i {name_sv}",
           f"{body_en or body_sv or row.member.rsplit('/', 1)[-1]} in {row.network_name_en}")
    out.add(subject, MEMBER, R(row.member))
    out.add(subject, ORGANIZATION, network)
    period = f"<{base}membership/{row.slug_}/period>"
    start = f"<{base}membership/{row.slug_}/period/start>"
    out.add(subject, MEMBER_DURING, period)
    out.add(period, TYPE, TIME_INTERVAL)
    out.add(period, HAS_BEGINNING, start)
    out.add(start, TYPE, TIME_INSTANT)
    out.add(start, IN_XSD_DATE, date(row.since))
    if row.until:
        end = f"<{base}membership/{row.slug_}/period/end>"
        out.add(period, HAS_END, end)
        out.add(end, TYPE, TIME_INSTANT)
        out.add(end, IN_XSD_DATE, date(row.until))
    labels(out, subject, row.purpose_sv, row.purpose_en, PURPOSE)
    if row.annual_fee is not None:
        out.add(subject, ANNUAL_FEE, decimal(row.annual_fee))
        out.add(subject, CURRENCY, nt.string(row.currency or "SEK"))
    if row.last_reviewed:
        out.add(subject, LAST_REVIEWED, date(row.last_reviewed))
    if row.review_decision:
        out.add(subject, REVIEW_DECISION, R(row.review_decision))
    if row.decision_reference:
        out.add(subject, DECISION_REFERENCE, nt.string(row.decision_reference))
    out.link(PKG.responsibleBody, row.member)
    trace_links(out, row)


SPEC = RegistrySpec(
    name="networks",
    title_en="Networks and memberships",
    title_sv="Nätverk och medlemskap",
    kind="membership",
    sheet_names=("networks", "nätverk", "natverk", "memberships", "medlemskap"),
    references={
        "member": "body",
        "review_decision": enum_reference("review-decision", "review decision", REVIEW_DECISIONS),
        **TRACE_REFERENCES,
    },
    emit=emit,
    module=sys.modules[__name__],
    defines="membership",
    check=check,
)
