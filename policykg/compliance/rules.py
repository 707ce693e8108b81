"""The compliance rules of ``ontology/rules/*.ttl``, read into plain objects.

A rule is a ``pkg:ComplianceRule`` (a SHACL node shape) with one SPARQL-based
constraint. The files use relative IRIs for the rules (``check/KEY``) and for
the program's items they check, resolved against the instance base, as
``program.ttl`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from policykg.namespaces import PKG, RDF, RDFS, RULES_IRI, SH
from policykg.paths import ontology_dir

#: Severities from the most to the least serious, with their short names.
SEVERITIES = {str(SH.Violation): "violation", str(SH.Warning): "warning", str(SH.Info): "info"}


def rule_files() -> list[Path]:
    """The rule files (not their examples): functions.ttl and one file per principle or concern."""
    return sorted((ontology_dir() / "rules").glob("*.ttl"))


@dataclass(frozen=True)
class Rule:
    """One compliance rule: what it checks, how seriously, what it says, and its query."""

    iri: str
    key: str  # the last segment of the IRI: check/KEY
    file: str  # the rule file's name, without .ttl
    severity: str  # the SHACL severity IRI
    label: dict[str, str]
    comment: dict[str, str]
    messages: dict[str, str]  # language -> template with {?var} and {$this}
    checks: tuple[str, ...]  # the program items it checks (principles, responsibilities, rules)
    quote: str  # the program's words it enforces (pkg:verbatimText)
    target_classes: tuple[str, ...]
    target_nodes: tuple[str, ...]
    select: str  # the query, without prefixes

    @property
    def level(self) -> str:
        """``violation``, ``warning`` or ``info``."""
        return SEVERITIES[self.severity]


@dataclass(frozen=True)
class RuleSet:
    """Every rule, the prefixes their queries use, and the graph they were read from."""

    rules: tuple[Rule, ...]
    prefixes: dict[str, str]
    graph: Graph

    def by_key(self) -> dict[str, Rule]:
        return {rule.key: rule for rule in self.rules}


def _texts(graph: Graph, subject, predicate) -> dict[str, str]:
    return {o.language: str(o) for o in graph.objects(subject, predicate) if isinstance(o, Literal) and o.language}


def read_rules_graph(base_iri: str, files: list[Path] | None = None) -> Graph:
    graph = Graph()
    for path in files if files is not None else rule_files():
        graph.parse(path, format="turtle", publicID=base_iri)
    return graph


@lru_cache(maxsize=4)
def load_rules(base_iri: str) -> RuleSet:
    """The rules of ``ontology/rules/``, their IRIs under ``base_iri``, ordered by file and key."""
    files = rule_files()
    graph = Graph()
    origin: dict[str, str] = {}
    for path in files:
        part = Graph().parse(path, format="turtle", publicID=base_iri)
        for rule in part.subjects(RDF.type, PKG.ComplianceRule):
            origin[str(rule)] = path.stem
        graph += part
    return RuleSet(tuple(_rule(graph, r, origin[str(r)]) for r in sorted(graph.subjects(RDF.type, PKG.ComplianceRule))),
                   _prefixes(graph), graph)


def _prefixes(graph: Graph) -> dict[str, str]:
    declared = {}
    for declaration in graph.objects(URIRef(RULES_IRI), SH.declare):
        declared[str(graph.value(declaration, SH.prefix))] = str(graph.value(declaration, SH.namespace))
    return declared


def _rule(graph: Graph, node: URIRef, file: str) -> Rule:
    constraints = list(graph.objects(node, SH.sparql))
    if len(constraints) != 1:
        raise ValueError(f"rule {node} has {len(constraints)} sh:sparql constraints; a rule has exactly one")
    constraint = constraints[0]
    quote = graph.value(node, PKG.verbatimText)
    return Rule(
        iri=str(node),
        key=str(node).rsplit("/", 1)[-1],
        file=file,
        severity=str(graph.value(node, SH.severity) or SH.Violation),
        label=_texts(graph, node, RDFS.label),
        comment=_texts(graph, node, RDFS.comment),
        messages=_texts(graph, constraint, SH.message),
        checks=tuple(sorted(str(o) for o in graph.objects(node, PKG.checks))),
        quote=str(quote) if quote is not None else "",
        target_classes=tuple(sorted(str(o) for o in graph.objects(node, SH.targetClass))),
        target_nodes=tuple(sorted(str(o) for o in graph.objects(node, SH.targetNode))),
        select=str(graph.value(constraint, SH.select)),
    )
