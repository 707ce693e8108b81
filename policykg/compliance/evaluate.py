"""Run the compliance rules on a pyoxigraph store: each rule's query once.

SHACL describes a SPARQL-based constraint as a query run once per focus node,
with ``$this`` bound to it. On a million activities that is a million queries;
instead each rule's query repeats its target in its own pattern (see
``ontology/rules/functions.ttl``) and is run once, unbound, giving every
violation at once; rules targeting a few named nodes (``sh:targetNode``) are
run once per node with ``$this`` substituted. Each result becomes a
:class:`Finding` as pySHACL would report it: the focus node (``$this``), the
value (``?value``, else the focus node), the path (``?path``) and the rule's
messages with ``{?var}`` replaced by the row's values. Tests run the same rules
through pySHACL and require the same findings.

The functions the rules call (``pkg:asOf``, ``pkg:mandatePeriodStart``,
``pkg:followUpDue``) are given to pyoxigraph as Python functions
(:mod:`policykg.compliance.calendar`), with the check day and the due day of
the settings.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from policykg.namespaces import PKG, RDF, XSD, nn

from . import calendar
from .portable import inline_functions
from .rules import SEVERITIES, Rule, RuleSet

_DATE = nn(XSD.date)
_TYPE = nn(RDF.type)
_GYEAR = str(XSD.gYear)
_THIS, _VALUE, _PATH = ox.Variable("this"), ox.Variable("value"), ox.Variable("path")
_PLACEHOLDER = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")
_ORDER = {level: i for i, level in enumerate(SEVERITIES)}
_IS_TARGET = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
ASK { ?focus a/rdfs:subClassOf* ?class }"""


class RuleError(RuntimeError):
    """A rule's query failed or gave a result its target does not allow; the message names the rule."""


@dataclass(frozen=True)
class Finding:
    """One result of one rule: about which resource, what value, what the rule says of it."""

    rule: Rule
    focus: ox.NamedNode | ox.BlankNode
    value: ox.NamedNode | ox.BlankNode | ox.Literal
    path: ox.NamedNode | None
    messages: dict[str, str] = field(hash=False, compare=False)

    @property
    def severity(self) -> str:
        return self.rule.severity

    @property
    def level(self) -> str:
        return self.rule.level

    @property
    def year(self) -> int | None:
        """The year the finding is about, when its value is one (a follow-up that is missing)."""
        value = self.value
        if isinstance(value, ox.Literal) and value.datatype.value == _GYEAR and value.value[:4].isdigit():
            return int(value.value[:4])
        return None

    def sort_key(self) -> tuple:
        return (_ORDER[self.severity], self.rule.file, self.rule.key, self.focus.value, str(self.value))


@dataclass(frozen=True)
class CheckContext:
    """What the time-dependent rules count from."""

    as_of: dt.date
    follow_up_due: str = calendar.DEFAULT_FOLLOW_UP_DUE

    @classmethod
    def of(cls, settings, as_of: dt.date | None = None) -> "CheckContext":
        """The context of the settings: ``check_date`` (else today, unless ``as_of`` is given) and ``follow_up_due``."""
        if as_of is None:
            as_of = dt.date.fromisoformat(settings.check_date) if settings.check_date else dt.date.today()
        return cls(as_of, settings.follow_up_due)

    def functions(self) -> dict[ox.NamedNode, Callable]:
        as_of = ox.Literal(self.as_of.isoformat(), datatype=_DATE)

        def period_start(day):
            parsed = _date(day)
            return None if parsed is None else ox.Literal(calendar.mandate_period_start(parsed).isoformat(), datatype=_DATE)

        def due(year):
            text = getattr(year, "value", "")[:4]
            if not text.isdigit():
                return None
            return ox.Literal(calendar.follow_up_due(int(text), self.follow_up_due).isoformat(), datatype=_DATE)

        return {nn(PKG.asOf): lambda program: as_of, nn(PKG.mandatePeriodStart): period_start, nn(PKG.followUpDue): due}


def _date(term) -> dt.date | None:
    try:
        return dt.date.fromisoformat(term.value[:10])
    except (AttributeError, ValueError):
        return None


@dataclass
class Evaluation:
    """The findings of a run, and how long each rule took (seconds)."""

    context: CheckContext
    findings: list[Finding]
    seconds: dict[str, float]

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "violation"]


def evaluate(
    store: ox.Store,
    rules: RuleSet,
    context: CheckContext,
    *,
    only: Iterable[str] | None = None,
    query_options: dict | None = None,
) -> Evaluation:
    """Run ``rules`` (or the rules whose keys are in ``only``) on ``store``.

    ``query_options`` are passed to every query; by default the default graph is
    the union of the named graphs, as in the published store.
    """
    options = {"use_default_graph_as_union": True} if query_options is None else dict(query_options)
    functions = context.functions()
    wanted = None if only is None else set(only)
    findings: list[Finding] = []
    seconds: dict[str, float] = {}
    for rule in rules.rules:
        if wanted is not None and rule.key not in wanted:
            continue
        started = time.perf_counter()
        found = _run(store, rule, rules.prefixes, functions, options, context)
        _check_targets(store, rule, found, options)
        findings += found
        seconds[rule.key] = time.perf_counter() - started
    findings.sort(key=Finding.sort_key)
    return Evaluation(context, findings, seconds)


def _run(store, rule: Rule, prefixes, functions, options, context: CheckContext) -> list[Finding]:
    bindings = [{_THIS: nn(node)} for node in rule.target_nodes] or [None]
    select = rule.select
    if getattr(store, "remote", False):  # a SPARQL server: the functions written out (policykg.compliance.portable)
        select = inline_functions(select, prefixes, context.as_of.isoformat(), context.follow_up_due)
        functions = None
    seen: set = set()
    found = []
    for substitutions in bindings:
        try:
            solutions = store.query(select, prefixes=prefixes, custom_functions=functions,
                                    substitutions=substitutions, **options)
        except (SyntaxError, OSError, ValueError) as error:
            raise RuleError(f"rule {rule.key} ({rule.file}.ttl): {error}") from None
        names = [v.value for v in solutions.variables]
        for solution in solutions:
            row = {name: solution[name] for name in names if solution[name] is not None}
            focus = row.get("this") or (substitutions or {}).get(_THIS)
            if focus is None:
                raise RuleError(f"rule {rule.key} ({rule.file}.ttl): a result without $this")
            key = tuple(sorted((k, str(v)) for k, v in row.items()))
            if key in seen:
                continue
            seen.add(key)
            value = row.get("value", focus)
            path = row.get("path")
            found.append(Finding(rule, focus, value, path, _messages(rule, row, focus, value)))
    return found


def _messages(rule: Rule, row: dict, focus, value) -> dict[str, str]:
    """The rule's messages with ``{?var}`` replaced as pySHACL does (a literal by its lexical form)."""
    values = {name: term.value for name, term in row.items()}
    values["this"] = focus.value
    values["value"] = value.value
    return {lang: _PLACEHOLDER.sub(lambda m: values.get(m[1], m[0]), text) for lang, text in rule.messages.items()}


def _stated(store, focuses: set, classes: list) -> set:
    """Those of ``focuses`` stated to be of one of ``classes``: an index look-up each on the
    embedded store; on a remote one, where a look-up is a request, asked together (the 38 427
    findings of the 1 000 000-activity set were a request each)."""
    if hasattr(store, "statements_of"):
        wanted = set(classes)
        return {q.subject for q in store.statements_of([f for f in focuses if isinstance(f, ox.NamedNode)], [_TYPE]) if q.object in wanted}
    return {f for f in focuses if any(next(iter(store.quads_for_pattern(f, _TYPE, cls, None)), None) for cls in classes)}


def _check_targets(store, rule: Rule, found: list[Finding], options) -> None:
    """Every focus node is one the rule targets: a query that strays is a fault of the rule, not a finding."""
    focuses = {f.focus for f in found}
    if not rule.target_classes:
        stray = focuses - {nn(n) for n in rule.target_nodes}
    else:
        classes = [nn(c) for c in rule.target_classes]
        stray = set()
        for focus in focuses - _stated(store, focuses, classes):  # stated: the common case
            if not any(store.query(_IS_TARGET, substitutions={ox.Variable("focus"): focus, ox.Variable("class"): cls},
                                   **options) for cls in classes):
                stray.add(focus)
    if stray:
        raise RuleError(f"rule {rule.key} ({rule.file}.ttl) reports nodes it does not target: "
                        + ", ".join(sorted(s.value for s in stray)[:5]))
