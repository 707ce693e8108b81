"""The funding programmes registry: Interreg, Erasmus+, Horizon Europe, Sida ...

IRIs are ``BASE/funding-programme/KEY``; projects name them in ``external_funding``.
"""

from __future__ import annotations

import sys

from policykg.namespaces import PKG

from ..registry import RegistrySpec
from .common import HOMEPAGE, R, labels

TYPES = (R(PKG.FundingProgramme),)


def emit(out, row) -> None:
    subject = out.entity(row, *TYPES)
    labels(out, subject, row.name_sv, row.name_en)
    if row.website:
        out.add(subject, HOMEPAGE, R(row.website))


SPEC = RegistrySpec(
    name="funding-programmes",
    title_en="Funding programmes",
    title_sv="Finansieringsprogram",
    kind="funding-programme",
    sheet_names=("funding-programmes", "finansieringsprogram", "program"),
    references={},
    emit=emit,
    module=sys.modules[__name__],
    defines="funding-programme",
    labels=lambda row: (row.name_sv, row.name_en),
)
