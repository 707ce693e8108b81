"""The partners registry: cities, regions and organisations the municipality works with.

IRIs are ``BASE/organisation/KEY``; each partner has a sector (``pkg:sector``),
a country (``pkg:country``, an IRI of the EU country table) and the identifiers
its row gives (organisation number, municipality code, Wikidata item, PIC, VAT
number: ``adms:identifier``; a Wikidata item is also ``owl:sameAs``).
"""

from __future__ import annotations

import sys

from policykg.namespaces import ORG, PKG

from ..registry import RegistrySpec
from .common import (
    COUNTRY,
    HOMEPAGE,
    PREF_LABEL,
    SECTORS,
    R,
    enum_reference,
    identifiers,
    labels,
)

TYPES = (R(ORG.Organization), R(ORG.FormalOrganization))
SECTOR = R(PKG.sector)


def emit(out, row) -> None:
    subject = out.entity(row, *TYPES)
    labels(out, subject, row.name_sv, row.name_en, PREF_LABEL)
    out.add(subject, SECTOR, R(row.sector))
    out.add(subject, COUNTRY, R(row.country))
    if row.website:
        out.add(subject, HOMEPAGE, R(row.website))
    identifiers(out, subject, row)


SPEC = RegistrySpec(
    name="partners",
    title_en="Partners: cities, regions and organisations",
    title_sv="Partner: städer, regioner och organisationer",
    kind="organisation",
    sheet_names=("partners", "partner"),
    references={"sector": enum_reference("sector", "sector", SECTORS), "country": "country"},
    emit=emit,
    module=sys.modules[__name__],
    defines="partner",
    labels=lambda row: (row.name_sv, row.name_en),
)
