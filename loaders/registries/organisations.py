"""The organisations registry: the municipality's boards (nämnder), companies (bolag) and units.

IRIs are ``BASE/body/KEY``, the same as the program's bodies: a row whose key
is a body of the program (``kommunstyrelsen``) describes that body, and must
give it the program's Swedish name and kind. Boards and company boards are
members (``foaf:member``) of the program's category "Nämnder och
bolagsstyrelser"; units and companies of "Verksamheterna och bolagen".

Of a program body the registry states only what the program does not (its id,
row, identifiers, website, category): the default graph of a query is
the union of the named graphs, and pyoxigraph repeats a triple once per graph
that holds it, so restating the program's types and labels would double every
row that joins on them.
"""

from __future__ import annotations

import sys
from functools import lru_cache

from policykg.namespaces import FOAF, ORG, PKG

from ..references import program_items
from ..registry import RegistrySpec
from .common import HOMEPAGE, PREF_LABEL, SUB_ORGANIZATION_OF, R, identifiers, labels

KINDS = {
    "council": (PKG.MunicipalCouncil, PKG.Body, ORG.OrganizationalUnit),
    "executive-board": (PKG.ExecutiveBoard, PKG.Board, PKG.Body, ORG.OrganizationalUnit),
    "board": (PKG.Board, PKG.Body, ORG.OrganizationalUnit),
    "company": (PKG.Company, PKG.Body, ORG.FormalOrganization),
    "company-board": (PKG.CompanyBoard, PKG.Body, ORG.OrganizationalUnit),
    "unit": (PKG.AdministrativeUnit, PKG.Body, ORG.OrganizationalUnit),
}
_RENDERED = {key: tuple(R(c) for c in classes) for key, classes in KINDS.items()}
CATEGORIES = {
    "executive-board": "namnder-och-bolagsstyrelser",
    "board": "namnder-och-bolagsstyrelser",
    "company-board": "namnder-och-bolagsstyrelser",
    "company": "verksamheter-och-bolag",
    "unit": "verksamheter-och-bolag",
}
MEMBER = R(FOAF.member)
HAS_UNIT = R(ORG.hasUnit)


def kind_reference(catalogue):
    def convert(text: str) -> str:
        from ..schema import CellError

        key = text.strip().lower()
        if key not in KINDS:
            raise CellError("unknown kind of body", "one of " + ", ".join(KINDS))
        return key

    return convert


def check(catalogue):
    """A row about a body of the program must say what the program says of it."""
    base = catalogue.iris.base
    program = {iri[len(base) + 5:]: entry for iri, entry in program_items(base)["body"]}
    classes = {key: {str(c) for c in classes} for key, classes in KINDS.items()}
    loose = {str(PKG.Board), str(PKG.Body)}

    def problems(row):
        entry = program.get(row.slug_)
        if entry is None:
            return
        if row.name_sv and row.name_sv != entry["sv"]:
            yield "name_sv", "the program names this body differently", f"'{entry['sv']}', as in the program"
        if row.kind and not classes[row.kind] <= entry["types"] | loose:
            known = [k for k, c in classes.items() if c <= entry["types"] | loose]
            yield "kind", "the program makes this body another kind", " or ".join(known) or "its kind in the program"

    return problems


@lru_cache(maxsize=4)
def _program_bodies(base: str) -> frozenset[str]:
    """The keys of the bodies that the program itself describes."""
    return frozenset(iri[len(base) + 5 :] for iri, _ in program_items(base)["body"])


def emit(out, row) -> None:
    of_program = row.slug_ in _program_bodies(out.catalogue.iris.base)
    subject = out.entity(row, *(() if of_program else _RENDERED[row.kind]))
    if not of_program:
        labels(out, subject, row.name_sv, row.name_en, PREF_LABEL)
    if row.parent and not of_program:
        out.add(subject, SUB_ORGANIZATION_OF, R(row.parent))
        if row.kind != "company":
            out.add(R(row.parent), HAS_UNIT, subject)
    category = CATEGORIES.get(row.kind)
    if category:
        out.add(R(out.catalogue.iris(f"body/{category}")), MEMBER, subject)
    identifiers(out, subject, row)
    if row.website:
        out.add(subject, HOMEPAGE, R(row.website))


SPEC = RegistrySpec(
    name="organisations",
    title_en="Umeå Municipality's organisation: boards, companies and units",
    title_sv="Umeå kommuns organisation: nämnder, bolag och enheter",
    kind="body",
    sheet_names=("organisations", "organisationer", "organisation"),
    references={"parent": "body", "kind": kind_reference},
    emit=emit,
    module=sys.modules[__name__],
    defines="body",
    check=check,
    labels=lambda row: (row.name_sv, row.name_en),
)
