"""What a stored question reads, and whether a change between two generations can alter its answer.

The stored answers of a generation are kept for the next one when nothing a
question reads has changed (:mod:`policykg.publication.answers`). Wrong here
means serving a stale answer, so every rule below errs towards "it may have
changed: answer it again".

**What a query reads** is taken from its algebra (rdflib's SPARQL parser): the
triple patterns of its basic graph patterns, each with its constant predicate
(a property path counts as all the IRIs in it), its constant subject and object
IRIs, and for a variable subject or object, what the rest of the query says
the variable can be bound to (its *anchors*, below). The query reads every
graph, with no further analysis, when it has a variable predicate, a negated
property set, a path that can match zero steps (``*``, ``?``), ``GRAPH``,
``SERVICE``, ``FROM``/``FROM NAMED``, is not a SELECT, ASK or CONSTRUCT query,
or does not parse. A stored query split by a required parameter also reads the
members of the parameter's class (``?member a CLASS``). The default graph is a
graph like the others (the stored queries read the union of all graphs).

**Which triples changed**: the store records the graphs each write changed
(:meth:`policykg.store.EmbeddedStore.changes_between`). For a changed graph
of at most :data:`DIFF_LIMIT` triples in both generations the triples added and
removed are computed exactly; for a larger one, every triple it holds in either
generation counts as changed.

**The rule**: a changed triple ``(s, p, o)`` can alter the answer only if some
pattern of the query matches it (same predicate, same constant subject and
object) and is not *anchored away*. A pattern's variable ``?v`` is anchored by
the patterns that every solution it can join must also satisfy: the rest of its
basic graph pattern, the other side of a join, the left side of an OPTIONAL or
MINUS, the solution an EXISTS filter is evaluated on, and a ``FILTER(?t IN
(...))`` over those (``?v a ?t``); such a filter also bounds the pattern's own
object variable (a changed ``?x a ?t`` whose class is not in the list cannot
matter). The changed triple's term at ``?v`` is
anchored away when, in neither generation (the union of their graphs), it is
the subject (or object) of a triple that the anchors require of ``?v``: then no
solution the pattern's match could join exists before or after the change. A
sub-SELECT, a grouping or anything else not named here starts afresh, with no
anchors from outside. Patterns inside a path are never anchored.

When every changed triple is left unmatched or anchored away for a query, its
stored answers are the answers on the new generation, and they are copied. Each
(atom, term) is asked once per run; on a remote store (:attr:`Change.holding`) the
terms of all the changed triples a query's patterns match are asked together.

**Hub pages** (:meth:`Change.touched`): what describing a page read is a set of
triple patterns (:mod:`policykg.runtime.reads`), matched against the changed
triples as they are, with no anchors.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

import pyoxigraph as ox
from rdflib import BNode, URIRef, Variable
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

from policykg.namespaces import RDF
from policykg.runtime.reads import ReadPattern, key_term, term_key
from policykg.store import DEFAULT_GRAPH
from policykg.storebase import DIFF_LIMIT
#: Alternatives an anchor may have before the analysis stops refining it.
MAX_ALTERNATIVES = 16
#: Questions to a graph changed wholesale that one page's reads may ask (:meth:`Change.touched`).
TOUCH_BUDGET = 256
#: Nodes that pass anchors and FILTER constraints down as they are.
_FLOW = {"Join", "LeftJoin", "Filter", "Union", "Minus", "Extend", "BGP"}


class ReadsEverything(Exception):
    """The query's inputs cannot be bounded: it reads every graph."""


@dataclass(frozen=True)
class Atom:
    """``?v`` is the subject (or the object) of a triple with ``predicate`` (and, for a
    subject, with an object among ``objects`` when they are given)."""

    predicate: str
    subject: bool
    objects: frozenset[str] | None = None


#: What every binding of a variable satisfies: one of the alternatives, each a conjunction of atoms.
Anchor = tuple[tuple[Atom, ...], ...]


@dataclass(frozen=True)
class Pattern:
    predicates: frozenset[str]
    subject: str | None = None  # a constant IRI
    object: str | None = None
    subject_anchor: Anchor | None = None
    object_anchor: Anchor | None = None
    #: The IRIs an enclosing ``FILTER(?o IN (...))`` allows the object variable to be.
    object_in: frozenset[str] | None = None


@dataclass
class Footprint:
    """The patterns of one query; ``patterns is None``: it reads everything (``why``)."""

    patterns: list[Pattern] | None
    why: str = ""
    predicates: frozenset[str] = field(default=frozenset())


def footprint(sparql: str, member_class: str | None = None) -> Footprint:
    """What the query (with its required parameter's members, of ``member_class``) reads."""
    try:
        parsed = prepareQuery(sparql)
    except Exception as error:  # noqa: BLE001 - anything the parser cannot read is read as "everything"
        return Footprint(None, f"rdflib does not parse it ({type(error).__name__})")
    root = parsed.algebra
    try:
        if root.name not in ("SelectQuery", "AskQuery", "ConstructQuery"):
            raise ReadsEverything(f"a {root.name}")
        if root.get("datasetClause"):
            raise ReadsEverything("FROM or FROM NAMED")
        patterns = list(_walk(root.p, (), {}))
    except ReadsEverything as error:
        return Footprint(None, str(error))
    if member_class:
        patterns.append(Pattern(frozenset({str(RDF.type)}), object=member_class))
    return Footprint(patterns, predicates=frozenset(itertools.chain.from_iterable(p.predicates for p in patterns)))


# --- reading the algebra ------------------------------------------------------------------


def _is_var(term) -> bool:
    return isinstance(term, (Variable, BNode))


def _path_iris(path) -> Iterator[str]:
    if isinstance(path, URIRef):
        yield str(path)
    elif isinstance(path, (SequencePath, AlternativePath)):
        for part in path.args:
            yield from _path_iris(part)
    elif isinstance(path, InvPath):
        yield from _path_iris(path.arg)
    elif isinstance(path, MulPath):
        if path.zero:
            raise ReadsEverything("a path that can match zero steps")
        yield from _path_iris(path.path)
    elif isinstance(path, NegatedPath):
        raise ReadsEverything("a negated property set")
    else:
        raise ReadsEverything(f"a predicate {path!r}")


def _in_constraints(expr) -> dict:
    """``?t IN (iri, ...)`` conjuncts of a filter: variable -> the IRIs."""
    found = {}
    if isinstance(expr, CompValue):
        if expr.name == "ConditionalAndExpression":
            for part in [expr.expr, *(expr.other or [])]:
                found.update(_in_constraints(part))
        elif expr.name == "RelationalExpression" and expr.op == "IN" and isinstance(expr.expr, Variable):
            values = list(expr.other or [])
            if values and all(isinstance(v, URIRef) for v in values):
                found[expr.expr] = frozenset(str(v) for v in values)
    return found


def _anchor(node, var, constraints: dict) -> Anchor | None:
    """What every solution of ``node`` binds ``var`` to (None: nothing known)."""
    if not isinstance(node, CompValue):
        return None
    if node.name == "BGP":
        atoms = []
        for s, p, o in node.triples:
            if not isinstance(p, URIRef):
                continue
            if s == var:
                objects = frozenset({str(o)}) if isinstance(o, URIRef) else constraints.get(o) if _is_var(o) else None
                atoms.append(Atom(str(p), True, objects))
            if o == var:
                atoms.append(Atom(str(p), False))
        return (tuple(atoms),) if atoms else None
    if node.name == "Join":
        return _both(_anchor(node.p1, var, constraints), _anchor(node.p2, var, constraints))
    if node.name in ("LeftJoin", "Minus"):
        return _anchor(node.p1, var, constraints)
    if node.name == "Filter":
        return _anchor(node.p, var, {**constraints, **_in_constraints(node.expr)})
    if node.name == "Extend":
        return None if node.var == var else _anchor(node.p, var, constraints)
    if node.name == "Union":
        left, right = _anchor(node.p1, var, constraints), _anchor(node.p2, var, constraints)
        if left is None or right is None or len(left) + len(right) > MAX_ALTERNATIVES:
            return None
        return left + right
    return None


def _both(left: Anchor | None, right: Anchor | None) -> Anchor | None:
    if left is None or right is None:
        return left if right is None else right
    if len(left) * len(right) > MAX_ALTERNATIVES:
        return left  # either side alone still holds of every solution
    return tuple(a + b for a, b in itertools.product(left, right))


Context = tuple  # of (node, constraints): patterns whose solutions every solution here must join


def _anchor_in(context: Context, var) -> Anchor | None:
    found = None
    for node, constraints in context:
        found = _both(found, _anchor(node, var, constraints))
    return found


def _walk(node, context: Context, constraints: dict) -> Iterator[Pattern]:
    if isinstance(node, list):
        for item in node:
            yield from _walk(item, context, constraints)
        return
    if not isinstance(node, CompValue):
        return
    name = node.name
    if name in ("Graph", "ServiceGraphPattern") or name.startswith("Builtin_SERVICE"):
        raise ReadsEverything("GRAPH or SERVICE")
    if name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
        yield from _walk(node.graph, context, constraints)
        return
    if name not in _FLOW:
        # a sub-SELECT, a grouping, VALUES, an expression: no anchors from outside
        for key, value in node.items():
            if key != "_vars":
                yield from _walk(value, (), {})
        return
    if name == "BGP":
        for index, (s, p, o) in enumerate(node.triples):
            yield _pattern(node, index, s, p, o, context, constraints)
    elif name == "Join":
        yield from _walk(node.p1, (*context, (node.p2, constraints)), constraints)
        yield from _walk(node.p2, (*context, (node.p1, constraints)), constraints)
    elif name == "LeftJoin":
        yield from _walk(node.p1, context, constraints)
        yield from _walk(node.p2, (*context, (node.p1, constraints)), constraints)
        yield from _walk_expression(node.expr, (*context, (node.p1, constraints)), constraints)
    elif name == "Minus":
        yield from _walk(node.p1, context, constraints)
        yield from _walk(node.p2, (*context, (node.p1, constraints)), constraints)
    elif name == "Filter":
        narrowed = {**constraints, **_in_constraints(node.expr)}
        yield from _walk(node.p, context, narrowed)
        yield from _walk_expression(node.expr, (*context, (node.p, narrowed)), narrowed)
    elif name == "Extend":
        yield from _walk(node.p, context, constraints)
        yield from _walk_expression(node.expr, (*context, (node.p, constraints)), constraints)
    elif name == "Union":
        yield from _walk(node.p1, context, constraints)
        yield from _walk(node.p2, context, constraints)


def _walk_expression(expr, context: Context, constraints: dict) -> Iterator[Pattern]:
    """The graph patterns of EXISTS and NOT EXISTS inside an expression."""
    if isinstance(expr, list):
        for item in expr:
            yield from _walk_expression(item, context, constraints)
    elif isinstance(expr, CompValue):
        if expr.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
            yield from _walk(expr.graph, context, constraints)
        else:
            for key, value in expr.items():
                if key != "_vars":
                    yield from _walk_expression(value, context, constraints)


def _pattern(bgp, index: int, s, p, o, context: Context, constraints: dict) -> Pattern:
    if _is_var(p):
        raise ReadsEverything("a variable predicate")
    if not isinstance(p, URIRef):
        return Pattern(frozenset(_path_iris(p)))  # a path: no constants, no anchors
    siblings = (*context, (CompValue("BGP", triples=[t for i, t in enumerate(bgp.triples) if i != index]), constraints))
    return Pattern(
        frozenset({str(p)}),
        subject=str(s) if isinstance(s, URIRef) else None,
        object=str(o) if isinstance(o, URIRef) else None,
        subject_anchor=_anchor_in(siblings, s) if _is_var(s) else None,
        object_anchor=_anchor_in(siblings, o) if _is_var(o) else None,
        object_in=constraints.get(o) if _is_var(o) else None,
    )


# --- the data ---------------------------------------------------------------------------------


def _graph_node(graph: str):
    return ox.DefaultGraph() if graph == DEFAULT_GRAPH else ox.NamedNode(graph)


def _triples(reader: ox.Store, graph: str, limit: int) -> set[tuple] | None:
    """The triples of ``graph`` (empty if absent), or None when it holds more than ``limit``."""
    node = _graph_node(graph)
    if isinstance(node, ox.NamedNode) and not reader.contains_named_graph(node):
        return set()
    found = set()
    for quad in reader.quads_for_pattern(None, None, None, node):
        found.add((quad.subject, quad.predicate, quad.object))
        if len(found) > limit:
            return None
    return found


@dataclass
class Change:
    """What changed between two generations: the triples added or removed in the
    graphs compared exactly, and the graphs too large to compare (all of theirs count)."""

    older: ox.Store
    newer: ox.Store
    triples: set[tuple] = field(default_factory=set)
    wholesale: list[str] = field(default_factory=list)
    #: (s, p, o, graph changed wholesale) -> whether either generation holds a match (:meth:`touched`).
    _asked: dict = field(default_factory=dict, repr=False)
    #: ``holding(atom, terms)``: those of ``terms`` that satisfy ``atom`` in either generation,
    #: asked together (a remote store's; None: each is asked when needed, an index probe).
    holding: Callable[[Atom, set], set] | None = field(default=None, repr=False)
    #: (atom, term) -> whether the term satisfies the atom in either generation (:meth:`_holds`).
    _held: dict = field(default_factory=dict, repr=False)

    @classmethod
    def between(cls, older: ox.Store, newer: ox.Store, graphs: Iterable[str], limit: int = DIFF_LIMIT) -> "Change":
        change = cls(older, newer)
        for graph in sorted(graphs):
            before, after = _triples(older, graph, limit), _triples(newer, graph, limit)
            if before is None or after is None:
                change.wholesale.append(graph)
            else:
                change.triples |= before ^ after
        return change

    def __bool__(self) -> bool:
        return bool(self.triples or self.wholesale)

    def affects(self, found: Footprint) -> str | None:
        """Why the change may alter the answers of a query with this footprint, or None if it cannot."""
        if found.patterns is None:
            return f"it may read anything ({found.why})"
        for graph in self.wholesale:
            for pattern in found.patterns:
                for predicate in sorted(pattern.predicates):
                    if self._holds_any(graph, predicate, pattern):
                        return f"it reads <{predicate}>, which the changed graph <{graph}> holds"
        relevant = [t for t in self.triples if t[1].value in found.predicates]
        if self.holding is not None:  # a remote store: the anchors of all the triples asked together
            self._prefetch(found.patterns, relevant)
        for s, p, o in relevant:
            for pattern in found.patterns:
                if self._matches(pattern, s, p, o):
                    return f"it reads <{p.value}> of <{s.value}>, which changed" if isinstance(s, ox.NamedNode) else (
                        f"it reads <{p.value}>, which changed")
        return None

    def touched(self, reads: Iterable[ReadPattern], budget: int = TOUCH_BUDGET) -> str | None:
        """Why the change may alter what a look-up of these patterns (what describing a page
        read: :mod:`policykg.runtime.reads`) found, or None if it cannot. A graph changed
        wholesale is asked, in either generation, for each pattern: after ``budget`` questions
        not answered before, the answer is "it may"."""
        by_s, by_p, by_o = self._index
        asked = 0
        for s, p, o, g in sorted(reads, key=lambda read: tuple(term is not None for term in read)):
            candidates = by_s.get(s, ()) if s else by_o.get(o, ()) if o else by_p.get(p, ()) if p else self.triples
            for cs, cp, co in candidates:
                if (p is None or cp.value == p) and (o is None or term_key(co) == o) and (s is None or term_key(cs) == s):
                    return f"it read <{cp.value}> of {cs}, which changed"
            for graph in self.wholesale:
                if g is not None and g != graph:
                    continue
                asking = (s, p, o, graph)
                if asking not in self._asked:
                    if asked >= budget:
                        return f"it read more than {budget} patterns that the changed graph <{graph}> may hold"
                    asked += 1
                    terms = [key_term(named) for named in (s, p, o)]
                    self._asked[asking] = any(_exists(reader, *terms, _graph_node(graph)) for reader in (self.older, self.newer))
                if self._asked[asking]:
                    return f"it read {'<' + p + '>' if p else 'statements'} that the changed graph <{graph}> holds"
        return None

    @functools.cached_property
    def _index(self) -> tuple[dict, dict, dict]:
        """The changed triples by subject, predicate and object (IRI or blank node)."""
        by_s: dict[str, list] = {}
        by_p: dict[str, list] = {}
        by_o: dict[str, list] = {}
        for triple in self.triples:
            s, p, o = triple
            by_s.setdefault(term_key(s), []).append(triple)
            by_p.setdefault(p.value, []).append(triple)
            if term_key(o) is not None:
                by_o.setdefault(term_key(o), []).append(triple)
        return by_s, by_p, by_o

    def _holds_any(self, graph: str, predicate: str, pattern: Pattern) -> bool:
        """Whether ``graph`` holds, in either generation, a triple of ``predicate`` that the
        pattern could match (by its constant object or the objects a filter allows)."""
        objects = [pattern.object] if pattern.object is not None else sorted(pattern.object_in or ())
        if len(pattern.predicates) > 1:
            objects = []  # a path: its object is not that of each step
        node, graph_node = ox.NamedNode(predicate), _graph_node(graph)
        for reader in (self.older, self.newer):
            if not objects and _exists(reader, None, node, None, graph_node):
                return True
            if any(_exists(reader, None, node, ox.NamedNode(value), graph_node) for value in objects):
                return True
        return False

    def _prefetch(self, patterns: list[Pattern], triples: list[tuple]) -> None:
        """Ask :attr:`holding` together for the anchors the triples' terms will be checked against."""
        wanted: dict[Atom, set] = {}
        for s, p, o in triples:
            for pattern in patterns:
                if not self._constants_match(pattern, s, p, o):
                    continue
                for anchor, term in ((pattern.subject_anchor, s), (pattern.object_anchor, o)):
                    for atom in itertools.chain.from_iterable(anchor or ()):
                        if (atom, term) not in self._held:
                            wanted.setdefault(atom, set()).add(term)
        for atom, terms in wanted.items():
            held = self.holding(atom, terms)
            self._held.update({(atom, term): term in held for term in terms})

    @staticmethod
    def _constants_match(pattern: Pattern, s, p, o) -> bool:
        if p.value not in pattern.predicates:
            return False
        if pattern.subject is not None and not (isinstance(s, ox.NamedNode) and s.value == pattern.subject):
            return False
        if pattern.object is not None and not (isinstance(o, ox.NamedNode) and o.value == pattern.object):
            return False
        return pattern.object_in is None or (isinstance(o, ox.NamedNode) and o.value in pattern.object_in)

    def _matches(self, pattern: Pattern, s, p, o) -> bool:
        if not self._constants_match(pattern, s, p, o):
            return False
        if pattern.subject_anchor is not None and self._anchored_away(pattern.subject_anchor, s):
            return False
        if pattern.object_anchor is not None and self._anchored_away(pattern.object_anchor, o):
            return False
        return True

    def _anchored_away(self, anchor: Anchor, term) -> bool:
        """Whether ``term`` fails, in both generations, some atom of every alternative."""
        return all(any(not self._holds(atom, term) for atom in alternative) for alternative in anchor)

    def _holds(self, atom: Atom, term) -> bool:
        """Whether ``term`` satisfies ``atom`` in either generation (asked once per run: the
        same term comes up for each query, and on a remote store each question is a request)."""
        held = self._held.get((atom, term))
        if held is None:
            held = self._held[(atom, term)] = self._ask(atom, term)
        return held

    def _ask(self, atom: Atom, term) -> bool:
        predicate = ox.NamedNode(atom.predicate)
        for reader in (self.older, self.newer):
            if not atom.subject:
                if _exists(reader, None, predicate, term, None):
                    return True
            elif isinstance(term, ox.Literal):
                continue  # a literal is never a subject
            elif atom.objects is None:
                if _exists(reader, term, predicate, None, None):
                    return True
            elif any(_exists(reader, term, predicate, ox.NamedNode(value), None) for value in atom.objects):
                return True
        return False


def _exists(reader: ox.Store, s, p, o, g) -> bool:
    exists = getattr(reader, "exists", None)  # a view of a remote generation (policykg.publication.recorded)
    if exists is not None:
        return exists(s, p, o, g)
    return next(iter(reader.quads_for_pattern(s, p, o, g)), None) is not None
