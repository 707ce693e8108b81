"""The annual follow-up report and the findings of the checks, on the web.

``/report/YYYY`` and ``/report/YYYY/body/KEY`` render :mod:`policykg.report`
(HTML by default; ``?format=pdf|xlsx|json|csv``); ``/compliance`` lists the
findings stored with the published generation by principle and by body. The
pages of principles, projects, memberships and partnerships show their findings
through ``findings_for`` (a template function), and every page that shows registry
data can say it is illustrative through ``illustrative_notice``.
"""

from __future__ import annotations

from collections import Counter

from flask import Blueprint, Response, abort, render_template, request

from policykg.compliance.findings import stored_findings
from policykg.namespaces import ORG, PKG, RDF, nn
from policykg.compliance.rules import load_rules
from policykg.publication.samples import NOTICE, illustrative_graphs
from policykg.store import StoreNotBuilt

from . import context
from .present import language

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


@report.app_context_processor
def compliance_functions() -> dict:
    def illustrative_notice() -> str | None:
        try:
            reader = context.store().reader()
        except StoreNotBuilt:
            return None
        return NOTICE[language()] if illustrative_graphs(reader) else None

    def illustrative_in(graphs) -> str | None:
        """The notice, when one of ``graphs`` (a page's sources) holds illustrative records."""
        try:
            marked = set(illustrative_graphs(context.store().reader()))
        except StoreNotBuilt:
            return None
        return NOTICE[language()] if marked & set(graphs or ()) else None

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


@report.get("/report/<int:year>")
@report.get("/report/<int:year>/body/<key>")
def annual_report(year: int, key: str | None = None):
    from policykg.report.data import gather
    from policykg.report.render import MEDIA_TYPES, RENDERERS

    if not 1990 <= year <= 2100:
        abort(404)
    settings = context.settings()
    try:
        reader = context.store().reader()
    except StoreNotBuilt:
        return Response("no data: run 'policykg build' first", status=503, content_type="text/plain; charset=utf-8")
    body = settings.iris.body(key) if key else None
    if body is not None and not any(reader.quads_for_pattern(nn(body), None, None, None)):
        abort(404)
    fmt = request.args.get("format", "html")
    if fmt not in RENDERERS:
        return Response(f"unknown format {fmt!r}; one of {', '.join(RENDERERS)}", status=400, content_type="text/plain; charset=utf-8")
    lang = language()
    data = gather(reader, settings, year, body)
    if fmt == "html":
        other = "en" if lang == "sv" else "sv"
        content = RENDERERS[fmt](data, lang, context.public_base(), other_language_url=f"{request.path}?lang={other}")
    else:
        content = RENDERERS[fmt](data, lang, context.public_base())
    response = Response(content, content_type=MEDIA_TYPES[fmt])
    if fmt != "html":
        response.headers["Content-Disposition"] = f'attachment; filename="uppfoljning-{year}{"-" + key if key else ""}.{fmt}"'
    response.vary.add("Accept-Language")
    return response


@report.get("/compliance")
def compliance():
    settings = context.settings()
    try:
        reader = context.store().reader()
    except StoreNotBuilt:
        return Response("no data: run 'policykg build' first", status=503, content_type="text/plain; charset=utf-8")
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
    page = render_template("compliance.html", groups=groups, rules=rules, owners=owners.most_common(), counts=counts,
                           shown=SHOWN, total=len(findings))
    response = Response(page, content_type="text/html; charset=utf-8")
    response.vary.add("Accept-Language")
    return response


def _owner(reader, focus: str) -> str:
    """The body a finding is about: the focus itself if a body, else its responsible body or member."""
    node = nn(focus)
    if next(iter(reader.quads_for_pattern(node, nn(RDF.type), nn(PKG.Body), None)), None) is not None:
        return focus
    for prop in (PKG.responsibleBody, ORG.member, PKG.decidedBy, PKG.reportingBody):
        for quad in reader.quads_for_pattern(node, nn(prop), None, None):
            return quad.object.value
    return ""
