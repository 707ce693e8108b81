"""The annual follow-up report and the findings of the checks, on the web.

``/report/YYYY`` and ``/report/YYYY/body/KEY`` render :mod:`policykg.report`
(HTML by default; ``?format=pdf|xlsx|json|csv``); ``/compliance`` lists the
findings stored with the published generation by principle and by body. The
pages of principles, projects, memberships and partnerships show their findings
through ``findings_for`` (a template function), and every page that shows registry
data can say it is illustrative through ``illustrative_notice``.
"""

from __future__ import annotations

import functools
from collections import Counter

from flask import Blueprint, request

from policykg import formats

from policykg.compliance.findings import stored_findings
from policykg.namespaces import ORG, PKG, RDF, nn
from policykg.compliance.rules import load_rules
from policykg.publication.samples import NOTICE, illustrative_graphs
from policykg.store import StoreNotBuilt

from . import answering, context
from .errors import NotFound, Unavailable
from .negotiation import negotiate
from .present import language
from .rendering import PAGE_SECURITY, Output

report = Blueprint("report", __name__)
#: Findings listed per principle on /compliance (the counts are of all of them).
SHOWN = 50
#: The words of these pages, in Swedish and English.
TEXTS = {
    "findings": {"sv": "Kontrollernas resultat", "en": "Findings of the checks"},
    "findings_about": {"sv": "Vad kontrollerna fann om detta", "en": "What the checks found about this"},
    "rules": {"sv": "Kontrollregler för principen", "en": "Rules that check this"},
    "no_findings": {"sv": "Inga resultat.", "en": "No findings."},
    "compliance": {"sv": "Efterlevnad av programmet", "en": "Compliance with the program"},
    "compliance_intro": {
        "sv": "Programmets egna regler (principerna, ansvarsfördelningen, uppföljningen och omprövningen) körda mot publicerade data. Varje resultat citerar programmet.",
        "en": "The program's own rules (its principles, division of responsibilities, follow-up and review) run on the published data. Each finding quotes the program.",
    },
    "by_principle": {"sv": "Per princip och styrregel", "en": "By principle and governance rule"},
    "by_body": {"sv": "Per organ", "en": "By body"},
    "body": {"sv": "Organ", "en": "Body"},
    "count": {"sv": "Antal", "en": "Count"},
    "shown": {"sv": "De första {} av {} visas; frågan findings ger alla.", "en": "The first {} of {} are shown; the query findings gives all."},
    "none_body": {"sv": "(programmet eller en princip)", "en": "(the program or a principle)"},
    "violation": {"sv": "Överträdelse", "en": "Violation"},
    "warning": {"sv": "Varning", "en": "Warning"},
    "info": {"sv": "Info", "en": "Info"},
    "totals": {"sv": "{} överträdelser, {} varningar, {} info", "en": "{} violations, {} warnings, {} info"},
    "report": {"sv": "Årsuppföljning", "en": "Annual follow-up report"},
}


def compliance_text(key: str, *args) -> str:
    return TEXTS[key][language()].format(*args)


def _illustrative() -> frozenset[str]:
    """The graphs of the published generation whose records are marked illustrative (asked once
    per generation, not on every page)."""
    store = context.store()
    generation = store.current_generation()
    return frozenset() if generation is None else _illustrative_graphs(store, generation)


@functools.lru_cache(maxsize=8)
def _illustrative_graphs(store, generation: str) -> frozenset[str]:
    try:
        return frozenset(illustrative_graphs(store.reader()))
    except StoreNotBuilt:
        return frozenset()


@report.app_context_processor
def compliance_functions() -> dict:
    def illustrative_notice() -> str | None:
        return NOTICE[language()] if _illustrative() else None

    def illustrative_in(graphs) -> str | None:
        """The notice, when one of ``graphs`` (a page's sources) holds illustrative records."""
        return NOTICE[language()] if _illustrative() & set(graphs or ()) else None

    def findings_for(iri: str) -> dict:
        """The findings about ``iri``, and, for what the rules check (a principle), its rules and their findings."""
        settings = context.settings()
        try:
            reader = context.store().reader()
        except StoreNotBuilt:
            return {"about": [], "rules": []}
        rules = [rule for rule in load_rules(settings.base_iri).rules if iri in rule.checks]
        by_rule = stored_findings(reader, settings.iris, checks=iri, limit=SHOWN) if rules else []
        return {"about": stored_findings(reader, settings.iris, focus=iri),
                "rules": [(rule, [f for f in by_rule if f.rule == rule.iri]) for rule in rules]}

    return {"illustrative_notice": illustrative_notice, "illustrative_in": illustrative_in, "findings_for": findings_for,
            "ct": compliance_text}


def _reader():
    try:
        return context.store().reader()
    except StoreNotBuilt:
        raise Unavailable("The store holds no data yet: run 'policykg build'.") from None


@report.get("/report/<int:year>")
@report.get("/report/<int:year>/body/<key>")
def annual_report(year: int, key: str | None = None) -> Output:
    from policykg.report.html import style_source
    from policykg.report.job import ReportJob

    if not 1990 <= year <= 2100:
        raise NotFound(f"No report of the year {year}: the years are 1990 to 2100.")
    settings = context.settings()
    reader = _reader()
    body = settings.iris.body(key) if key else None
    if body is not None and not any(reader.quads_for_pattern(nn(body), None, None, None)):
        raise NotFound(f"No body {key!r} in the dataset: the report of a body is at /report/{year}/body/KEY.")
    fmt = negotiate(formats.REPORT_OFFERS)
    lang = language()
    other = "en" if lang == "sv" else "sv"
    job = ReportJob(settings, year, body, fmt.key, lang, context.public_base(), f"{request.path}?lang={other}")
    answered = answering.answer(job, what="report", cache_key=("report", year, body, fmt.key, lang, context.public_base()))
    download = None if fmt is formats.REPORT_HTML else f"uppfoljning-{year}{'-' + key if key else ''}.{fmt.suffix}"
    headers = {}
    if fmt.page:  # the report's own inline style sheet, allowed by its digest
        headers["Content-Security-Policy"] = PAGE_SECURITY["Content-Security-Policy"].replace(
            "style-src 'self'", f"style-src 'self' {style_source()}")
    return Output(answered.value.body, fmt, download=download, headers=headers, vary=("Accept", "Accept-Language"))


@report.get("/compliance")
def compliance() -> Output:
    settings = context.settings()
    reader = _reader()
    findings = stored_findings(reader, settings.iris)
    rules = {rule.iri: rule for rule in load_rules(settings.base_iri).rules}
    groups: dict[str, list] = {}
    for finding in findings:
        rule = rules.get(finding.rule)
        for item in (rule.checks if rule else ()):
            if "/principle/" in item or item == rule.checks[0]:
                groups.setdefault(item, []).append(finding)
                break
    owners = Counter(_owner(reader, f.focus) for f in findings)
    counts = Counter(f.level for f in findings)
    data = {"groups": groups, "rules": rules, "owners": owners.most_common(), "counts": counts,
            "shown": SHOWN, "total": len(findings)}
    return Output(data, formats.HTML, template="compliance.html", vary=("Accept-Language",))


def _owner(reader, focus: str) -> str:
    """The body a finding is about: the focus itself if a body, else its responsible body or member."""
    node = nn(focus)
    if next(iter(reader.quads_for_pattern(node, nn(RDF.type), nn(PKG.Body), None)), None) is not None:
        return focus
    for prop in (PKG.responsibleBody, ORG.member, PKG.decidedBy, PKG.reportingBody):
        for quad in reader.quads_for_pattern(node, nn(prop), None, None):
            return quad.object.value
    return ""
