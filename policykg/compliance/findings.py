"""The findings of the checks as a SHACL validation report, in a named graph of each generation.

After every publish (:func:`policykg.build.after_publish`) the rules are run on
the new generation and their results are written into ``BASE/graph/findings``
as a ``sh:ValidationReport`` (``BASE/findings``) with one ``sh:ValidationResult``
per finding (``BASE/finding/RULE/DIGEST``: focus node, rule, the program items
it checks, severity, value, messages in Swedish and English, and the year for a
finding about one year), so they can be asked over SPARQL. Writing them
publishes one more generation, a checkpoint of the last with this graph
replaced; when the findings are the same as those stored, nothing is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass

import pyoxigraph as ox

from policykg.config import Settings
from policykg.namespaces import DCT, PKG, PROV, RDF, RDFS, SH, XSD, Iris, nn
from policykg.publication.samples import NOTICE, illustrative_graphs
from policykg.store import open_store

from .evaluate import CheckContext, Evaluation, Finding, evaluate
from .rules import load_rules

TITLE = {"sv": "Kontroll av arbetet mot programmets regler", "en": "Check of the work against the program's rules"}
_GENERATED = nn(PROV.generatedAtTime)


def finding_digest(finding: Finding) -> str:
    """A short, stable digest of what a finding is about (its focus node and value)."""
    key = f"{finding.focus.value}\n{finding.value}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def report_triples(evaluation: Evaluation, iris: Iris, *, illustrative: bool, generated: dt.datetime) -> list[ox.Triple]:
    """The findings of ``evaluation`` as a SHACL validation report (no blank nodes)."""
    graph, report = nn(iris.findings_graph), nn(iris.findings_report)
    out: list[ox.Triple] = []

    def add(s, p, o) -> None:
        out.append(ox.Triple(s, nn(p) if isinstance(p, str) else p, o))

    stamp = ox.Literal(generated.isoformat(timespec="seconds"), datatype=nn(XSD.dateTime))
    for node in (graph, report):
        for lang, text in TITLE.items():
            add(node, DCT.title if node == graph else RDFS.label, ox.Literal(text, language=lang))
        add(node, _GENERATED, stamp)
        if illustrative:
            add(node, PKG.illustrative, ox.Literal(True))
            for lang, text in NOTICE.items():
                add(node, DCT.description, ox.Literal(text, language=lang))
    add(report, RDF.type, nn(SH.ValidationReport))
    add(report, SH.conforms, ox.Literal(not evaluation.violations))
    add(report, PKG.checkedAsOf, ox.Literal(evaluation.context.as_of.isoformat(), datatype=nn(XSD.date)))
    add(report, PROV.wasDerivedFrom, nn(iris.graph("rules")))
    for finding in evaluation.findings:
        node = nn(iris.finding(finding.rule.key, finding_digest(finding)))
        add(report, SH.result, node)
        add(node, RDF.type, nn(SH.ValidationResult))
        add(node, SH.focusNode, finding.focus)
        add(node, SH.resultSeverity, nn(finding.severity))
        add(node, SH.sourceShape, nn(finding.rule.iri))
        add(node, SH.sourceConstraintComponent, nn(SH.SPARQLConstraintComponent))
        add(node, SH.value, finding.value)
        if finding.path is not None:
            add(node, SH.resultPath, finding.path)
        for lang, text in sorted(finding.messages.items()):
            add(node, SH.resultMessage, ox.Literal(text, language=lang))
        for item in finding.rule.checks:
            add(node, PKG.checks, nn(item))
        if finding.year is not None:
            add(node, PKG.findingYear, ox.Literal(str(finding.year), datatype=nn(XSD.gYear)))
    return out


@dataclass
class FindingsWritten:
    """What :func:`write_findings` did."""

    evaluation: Evaluation
    published: bool  # False: the stored findings were the same
    generation: str | None
    seconds: float

    def summary(self) -> str:
        counts = {level: 0 for level in ("violation", "warning", "info")}
        for finding in self.evaluation.findings:
            counts[finding.level] += 1
        what = ", ".join(f"{n} {level}{'s' if n != 1 else ''}" for level, n in counts.items())
        done = f"published in generation {self.generation}" if self.published else "the same as those stored"
        return f"checked the program's rules as of {self.evaluation.context.as_of}: {what}; {done} ({self.seconds:.1f} s)"


class _Unchanged(Exception):
    """The findings are those already stored: the new generation is discarded."""


def write_findings(settings: Settings, *, context: CheckContext | None = None, force: bool = False) -> FindingsWritten | None:
    """Run the rules on the published generation and store their findings (None: nothing is published yet)."""
    store = open_store(settings, batch=True)
    if store.current_generation() is None:
        return None
    started = time.perf_counter()
    context = context or CheckContext.of(settings)
    iris = settings.iris
    rules = load_rules(settings.base_iri)
    graph = iris.findings_graph
    evaluation = None
    try:
        with store.writer() as writer:
            reader = store.reader() if store.remote else writer.view  # a remote writer stages; the published graphs are read
            evaluation = evaluate(reader, rules, context)
            illustrative = any(g != graph for g in illustrative_graphs(reader))
            triples = report_triples(evaluation, iris, illustrative=illustrative, generated=dt.datetime.now(dt.timezone.utc))
            if not force and _comparable(triples) == _comparable(reader.quads_for_pattern(None, None, None, nn(graph))):
                raise _Unchanged
            writer.replace_graph(graph, (ox.Quad(t.subject, t.predicate, t.object) for t in triples))
        published = True
    except _Unchanged:
        published = False
    return FindingsWritten(evaluation, published, store.current_generation(), time.perf_counter() - started)


def _comparable(triples) -> set[tuple]:
    return {(t.subject, t.predicate, t.object) for t in triples if t.predicate != _GENERATED}


_STORED = """
PREFIX sh: <http://www.w3.org/ns/shacl#>
PREFIX pkg: <https://w3id.org/policykg/ontology#>
SELECT ?finding ?rule ?severity ?focus ?value ?year ?sv ?en WHERE {
  GRAPH ?graph {
    ?finding sh:sourceShape ?rule ; sh:resultSeverity ?severity ; sh:focusNode ?focus ; sh:value ?value .
    ?finding pkg:checks ?item .
    OPTIONAL { ?finding pkg:findingYear ?year }
    OPTIONAL { ?finding sh:resultMessage ?sv FILTER (lang(?sv) = "sv") }
    OPTIONAL { ?finding sh:resultMessage ?en FILTER (lang(?en) = "en") }
  }
} ORDER BY ?severity ?rule ?focus ?value"""
_SEVERITY_ORDER = {str(SH.Violation): 0, str(SH.Warning): 1, str(SH.Info): 2}


@dataclass(frozen=True)
class StoredFinding:
    """A finding as the published generation holds it (for pages)."""

    iri: str
    rule: str
    severity: str
    focus: str
    value: str
    year: str | None
    messages: dict[str, str]

    @property
    def level(self) -> str:
        return self.severity.rsplit("#", 1)[-1].lower()


def stored_findings(reader: ox.Store, iris: Iris, *, focus: str | None = None, checks: str | None = None,
                    limit: int | None = None) -> list[StoredFinding]:
    """The stored findings about ``focus``, or of the rules that check ``checks`` (a principle ...), or all."""
    substitutions = {ox.Variable("graph"): nn(iris.findings_graph)}
    query = _STORED.replace("SELECT ?finding", "SELECT ?graph ?finding")
    if focus is not None:
        substitutions[ox.Variable("focus")] = nn(focus)
    if checks is not None:
        query = query.replace("SELECT ?graph", "SELECT ?graph ?item")
        substitutions[ox.Variable("item")] = nn(checks)
    if limit is not None:
        query += f" LIMIT {int(limit)}"
    found, seen = [], set()
    for row in reader.query(query, substitutions=substitutions):
        iri = row["finding"].value
        if iri in seen:
            continue
        seen.add(iri)
        found.append(StoredFinding(iri, row["rule"].value, row["severity"].value, row["focus"].value, row["value"].value,
                                   row["year"].value if row["year"] is not None else None,
                                   {lang: row[lang].value for lang in ("sv", "en") if row[lang] is not None}))
    return sorted(found, key=lambda f: (_SEVERITY_ORDER.get(f.severity, 3), f.rule, f.focus, f.value))
