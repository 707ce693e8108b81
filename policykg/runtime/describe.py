"""Bounded descriptions of one resource, computed in a query process.

A resource page (and each of its RDF variants) is one :class:`DescribeJob`:
it runs in a query process like any query (so it has the same hard time limit)
and answers with plain data, or with serialized RDF.

The description stays bounded however connected the resource is. A goal that
200 000 activities serve costs a few counts (computed by the store, not in
Python) and one page of each list: outgoing values are capped per property,
incoming links and the work linked to the resource are counted per property
and listed a page at a time. Up to :data:`SORT_LIMIT` items a list is ordered
by label; beyond that, in the store's index order, which is stable for a
generation of the store, so that pages do not overlap.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from policykg import formats
from policykg.namespaces import (
    DCT,
    ELI,
    ORG,
    PKG,
    PROV,
    RDF,
    RDFS,
    SKOS,
    SPDX,
)
from policykg.runtime.executor import Answer, Failure, Limits
from policykg.runtime.results import prefixes_for
from policykg.runtime.streaming import Sink, TooLarge
from policykg.store import EmbeddedStore

# Plain strings: rdflib's URIRef never equals a str (nor hashes like one).
#: Properties that link work to what it serves, in the order pages show them.
TRACE_PROPERTIES = tuple(
    str(p)
    for p in (
        PKG.servesGoal,
        PKG.withinFocusArea,
        PKG.appliesPrinciple,
        PKG.contributesToTarget,
        PKG.responsibleBody,
        PKG.partOf,
        ORG.member,
    )
)
PART_OF = str(PKG.partOf)
PROJECT = str(PKG.Project)
#: Label properties, preferred first.
LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label, ELI.title, DCT.title)
MAX_VALUES = 200  # values of one outgoing property on a page
MAX_RDF_VALUES = 1000  # ... and in an RDF variant
INCOMING_PAGE = 20  # subjects of one incoming property on a page
RDF_INCOMING = 100  # ... and in an RDF variant
WORK_PAGE = 25  # works of one group on a page
SORT_LIMIT = 1000  # lists up to this size are ordered by label
COUNT_CAP = 10_000  # children counted one by one up to here
BNODE_DEPTH = 4
VIA_CAP = 500  # activities counted through their projects
SUMMARY_SAMPLE = 500  # works whose other links make the overview
SUMMARY_TOP = 20  # values of each property in the overview
#: What the overview counts, in this order.
SUMMARY_PROPERTIES = tuple(str(p) for p in (PKG.servesGoal, PKG.withinFocusArea, PKG.appliesPrinciple, PKG.contributesToTarget, PKG.responsibleBody))

_INCOMING_COUNTS = """
SELECT ?o ?p (COUNT(?s) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?o ?p"""
_THROUGH_PROJECT_PAGE = """
PREFIX pkg: <https://w3id.org/policykg/ontology#>
SELECT DISTINCT ?o ?a ?p WHERE {{ ?p <{prop}> ?o . ?a pkg:partOf ?p }}"""


@dataclass(frozen=True)
class Term:
    """An RDF term as templates need it."""

    kind: str  # iri, bnode, literal
    value: str
    lang: str | None = None
    datatype: str | None = None

    @classmethod
    def of(cls, term) -> "Term":
        if isinstance(term, ox.NamedNode):
            return cls("iri", term.value)
        if isinstance(term, ox.BlankNode):
            return cls("bnode", term.value)
        return cls("literal", term.value, term.language, term.datatype.value if term.datatype else None)


@dataclass(frozen=True)
class Why:
    """Why a traceability link exists: its basis and where that comes from."""

    basis: str | None  # pkg:StatedInProgram, pkg:AssertedInRegistry, pkg:InferredByRule (None: not qualified)
    source: Term | None = None  # a program section, a registry row ...
    rule: str | None = None
    row: int | None = None
    file: str | None = None
    link: str | None = None  # the pkg:TraceLink
    through: str | None = None  # the project that carries the link, for an activity


@dataclass(frozen=True)
class Work:
    """One item of a traceability list: a work and why it is linked."""

    item: Term
    types: tuple[str, ...]
    why: Why | None
    bodies: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()
    focus_areas: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    activities: int = 0  # of a project


@dataclass
class Group:
    """A list on a page: what links to the resource by ``prop`` (``via``: through a project)."""

    prop: str
    count: int
    offset: int
    items: list = field(default_factory=list)
    via: bool = False
    ordered: str = "label"  # label, or index (a stable order for very long lists)
    capped: bool = False  # there are more than count

    @property
    def key(self) -> str:
        return ("via:" if self.via else "") + self.prop


@dataclass
class Description:
    """What the store says about one resource, bounded."""

    iri: str
    generation: str
    types: list[str] = field(default_factory=list)
    outgoing: list[tuple[str, Term, str | None]] = field(default_factory=list)  # (property, value, graph)
    outgoing_counts: dict[str, int] = field(default_factory=dict)
    bnodes: dict[str, list[tuple[str, Term]]] = field(default_factory=dict)
    why: dict[tuple[str, str], Why] = field(default_factory=dict)  # (property, target) of its own links
    incoming: list[Group] = field(default_factory=list)
    work: list[Group] = field(default_factory=list)
    upward: list[tuple[str, str, str, Why | None]] = field(default_factory=list)  # (parent, property, target, why)
    #: What the work of the first group is also linked to: property -> [(value, how many works)], most first.
    summary: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    summary_of: tuple[int, int] = (0, 0)  # (works counted, works in all)
    summary_sizes: dict[str, int] = field(default_factory=dict)  # how many values each property had
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    described: set[str] = field(default_factory=set)  # IRIs the store has statements about
    graphs: dict[str, dict] = field(default_factory=dict)


@functools.lru_cache(maxsize=4096)
def _node(iri: str) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


def _distinct(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """Quads whose triple was not seen before (a triple may sit in several graphs)."""
    seen = set()
    for quad in quads:
        triple = (quad.subject, quad.predicate, quad.object)
        if triple not in seen:
            seen.add(triple)
            yield quad


def _graph(quad: ox.Quad) -> str | None:
    return quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else None


def exists(reader: ox.Store, node: ox.NamedNode) -> bool:
    """The store has a statement about ``node``, or one that points at it."""
    return any(True for _ in itertools.islice(reader.quads_for_pattern(node, None, None, None), 1)) or any(
        True for _ in itertools.islice(reader.quads_for_pattern(None, None, node, None), 1)
    )


class Reader:
    """Small look-ups on a read-only store."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self._labels: dict[str, dict[str, str]] = {}

    def objects(self, subject, prop) -> list:
        return list(dict.fromkeys(q.object for q in self.store.quads_for_pattern(subject, _node(prop), None, None)))

    def first(self, subject, prop):
        for quad in self.store.quads_for_pattern(subject, _node(prop), None, None):
            return quad.object
        return None

    def incoming_counts(self, node: ox.NamedNode) -> dict[str, int]:
        rows = self.store.query(
            _INCOMING_COUNTS, substitutions={ox.Variable("o"): node}, use_default_graph_as_union=True
        )
        return {row["p"].value: int(row["n"].value) for row in rows}

    def labels(self, iri: str) -> dict[str, str]:
        """The resource's label in each language, preferring the first label properties."""
        found = self._labels.get(iri)
        if found is None:
            found = {}
            node = _node(iri)
            for index, prop in enumerate(LABEL_PROPERTIES):
                if index == 2 and found:
                    break  # titles only for what has no label
                for value in self.objects(node, prop):
                    if isinstance(value, ox.Literal):
                        found.setdefault(value.language or "", value.value)
            self._labels[iri] = found
        return found

    def why(self, work, prop: str, target) -> Why | None:
        """The qualified link of (work, prop, target), or None when it has none."""
        for link in self.objects(work, PKG.qualifiedLink):
            if self.first(link, PKG.linkProperty) != _node(prop) or self.first(link, PKG.linkTarget) != target:
                continue
            basis = self.first(link, PKG.basis)
            source = self.first(link, PROV.wasDerivedFrom)
            rule = self.first(link, PKG.rule)
            row = file = None
            if isinstance(source, ox.NamedNode):
                number = self.first(source, PKG.rowNumber)
                row = int(number.value) if isinstance(number, ox.Literal) else None
                part = self.first(source, DCT.isPartOf)
                name = self.first(part, PKG.fileName) if isinstance(part, ox.NamedNode) else None
                file = name.value if isinstance(name, ox.Literal) else None
            return Why(
                basis.value if basis else None,
                Term.of(source) if source is not None else None,
                rule.value if isinstance(rule, ox.NamedNode) else None,
                row,
                file,
                link.value if isinstance(link, ox.NamedNode) else None,
            )
        return None

    def count_children(self, project) -> int:
        return sum(1 for _ in itertools.islice(_distinct(self.store.quads_for_pattern(None, _node(PKG.partOf), project, None)), COUNT_CAP))


@dataclass(frozen=True)
class DescribeJob:
    """Describe ``iri``: plain data for a page (``fmt`` None) or RDF in ``fmt``.

    ``offsets`` pages through the lists of a page: (group key, offset) pairs.
    """

    iri: str
    limits: Limits
    fmt: str | None = None
    offsets: tuple[tuple[str, int], ...] = ()

    def run(self, store: EmbeddedStore, connection=None) -> Answer | Description | Failure:
        generation, raw = store.snapshot()
        node = _node(self.iri)
        if not exists(raw, node):
            return Failure("not-found", f"the store says nothing about <{self.iri}>")
        reader = Reader(raw)
        if self.fmt is not None:
            try:
                return self._rdf(reader, node, generation)
            except TooLarge as error:
                return Failure("too-large", str(error))
        return describe(reader, node, generation, dict(self.offsets))

    def _rdf(self, reader: Reader, node: ox.NamedNode, generation: str) -> Answer:
        triples = list(dict.fromkeys(bounded_triples(reader, node)))
        if len(triples) > self.limits.max_rows:
            raise TooLarge(f"the description has more than {self.limits.max_rows:,} triples")
        fmt = formats.of_key(self.fmt)
        sink = Sink(None, self.fmt, generation, max_bytes=self.limits.max_bytes)
        ox.serialize(triples, sink, fmt.oxigraph, prefixes=prefixes_for(fmt))
        body = sink.body()
        return Answer(self.fmt, body, generation, len(triples))


def _closure(reader: Reader, term, depth: int = 0) -> Iterator[ox.Triple]:
    """The triples of blank nodes reachable from ``term`` (a concise bounded description's)."""
    if not isinstance(term, ox.BlankNode) or depth > BNODE_DEPTH:
        return
    for quad in _distinct(reader.store.quads_for_pattern(term, None, None, None)):
        yield ox.Triple(quad.subject, quad.predicate, quad.object)
        yield from _closure(reader, quad.object, depth + 1)


def _label_triples(reader: Reader, iri: ox.NamedNode) -> Iterator[ox.Triple]:
    for prop in (SKOS.prefLabel, RDFS.label):
        for value in reader.objects(iri, prop):
            yield ox.Triple(iri, _node(prop), value)


def bounded_triples(reader: Reader, node: ox.NamedNode) -> Iterator[ox.Triple]:
    """The resource's own statements (capped per property) with their blank nodes,
    up to :data:`RDF_INCOMING` statements per property that point at it, and the
    labels of every resource they name."""
    named = set()
    per_property: dict = {}
    for quad in _distinct(reader.store.quads_for_pattern(node, None, None, None)):
        per_property[quad.predicate] = per_property.get(quad.predicate, 0) + 1
        if per_property[quad.predicate] > MAX_RDF_VALUES:
            continue
        yield ox.Triple(node, quad.predicate, quad.object)
        yield from _closure(reader, quad.object)
        if isinstance(quad.object, ox.NamedNode):
            named.add(quad.object)
    for prop in reader.incoming_counts(node):
        quads = reader.store.quads_for_pattern(None, _node(prop), node, None)
        for quad in itertools.islice(_distinct(quads), RDF_INCOMING):
            yield ox.Triple(quad.subject, quad.predicate, node)
            if isinstance(quad.subject, ox.NamedNode):
                named.add(quad.subject)
    named.discard(node)
    for iri in sorted(named, key=lambda n: n.value):
        yield from _label_triples(reader, iri)


def _page(quads: Iterable[ox.Quad], reader: Reader, count: int, offset: int, size: int, end: str) -> tuple[list, str]:
    """One page of the subjects (``end`` 'subject') or objects of ``quads``, by label when few."""
    terms = (getattr(q, end) for q in _distinct(quads))
    if count <= SORT_LIMIT:
        every = list(terms)
        every.sort(key=lambda t: (_sort_label(reader, t), t.value))
        return every[offset : offset + size], "label"
    return list(itertools.islice(terms, offset, offset + size)), "index"


def _sort_label(reader: Reader, term) -> str:
    if not isinstance(term, ox.NamedNode):
        return term.value
    labels = reader.labels(term.value)
    return (labels.get("sv") or labels.get("en") or next(iter(labels.values()), term.value)).casefold()


def _work(reader: Reader, item, prop: str, target, *, through=None) -> Work:
    types = tuple(t.value for t in reader.objects(item, RDF.type))
    if through is not None:
        why = reader.why(through, prop, target)
        why = Why(why.basis if why else None, why.source if why else None, why.rule if why else None,
                  why.row if why else None, why.file if why else None, why.link if why else None, through.value)
    else:
        why = reader.why(item, prop, target)
    values = lambda p: tuple(sorted(v.value for v in reader.objects(item, p) if isinstance(v, ox.NamedNode)))  # noqa: E731
    return Work(
        Term.of(item),
        types,
        why,
        bodies=values(PKG.responsibleBody),
        goals=values(PKG.servesGoal),
        focus_areas=values(PKG.withinFocusArea),
        targets=values(PKG.contributesToTarget),
        activities=reader.count_children(item) if PROJECT in types else 0,
    )


def _through_projects(reader: Reader, node: ox.NamedNode, prop: str, offset: int) -> Group | None:
    """Activities linked to ``node`` through their project, counted up to :data:`VIA_CAP`.

    Counting them all would cost an index probe per work linked to ``node``
    (seconds for a goal of a million activities); the answer streams, so the
    first pages and a capped count are cheap.
    """
    page = reader.store.query(
        _THROUGH_PROJECT_PAGE.format(prop=prop), substitutions={ox.Variable("o"): node}, use_default_graph_as_union=True
    )
    pairs = [(row["a"], row["p"]) for row in itertools.islice(page, VIA_CAP + 1)]
    if not pairs:
        return None
    group = Group(prop, min(len(pairs), VIA_CAP), offset, via=True, capped=len(pairs) > VIA_CAP)
    if len(pairs) <= SORT_LIMIT:
        pairs.sort(key=lambda pair: (_sort_label(reader, pair[0]), pair[0].value))
    else:
        group.ordered = "index"
    group.items = [_work(reader, a, prop, node, through=p) for a, p in pairs[offset : offset + WORK_PAGE]]
    return group


def _summary(reader: Reader, node: ox.NamedNode, prop: str, total: int) -> tuple[dict, tuple[int, int], dict]:
    """What the works linked to ``node`` by ``prop`` are also linked to, counted over the
    first :data:`SUMMARY_SAMPLE` of them (all, for most resources): one scan of each work's
    own statements, not a join over all of them. Keeps the :data:`SUMMARY_TOP` most
    frequent values of each property, and how many values there were."""
    wanted = {_node(p): p for p in SUMMARY_PROPERTIES}
    counted: dict[str, dict[str, int]] = {}
    sampled = 0
    works = (q.subject for q in _distinct(reader.store.quads_for_pattern(None, _node(prop), node, None)))
    for work in itertools.islice(works, SUMMARY_SAMPLE):
        sampled += 1
        seen = set()
        for statement in reader.store.quads_for_pattern(work, None, None, None):
            name = wanted.get(statement.predicate)
            value = statement.object
            if name is None or value == node or not isinstance(value, ox.NamedNode) or (name, value) in seen:
                continue
            seen.add((name, value))
            values = counted.setdefault(name, {})
            values[value.value] = values.get(value.value, 0) + 1
    summary = {p: sorted(counted[p].items(), key=lambda v: (-v[1], v[0]))[:SUMMARY_TOP] for p in SUMMARY_PROPERTIES if p in counted}
    sizes = {p: len(counted[p]) for p in summary}
    return summary, (sampled, total), sizes


def describe(reader: Reader, node: ox.NamedNode, generation: str, offsets: dict[str, int]) -> Description:
    """The page's data: statements, traceability lists, labels and provenance."""
    store = reader.store
    found = Description(node.value, generation)
    graphs: set[str] = set()
    per_property: dict[str, int] = {}
    for quad in _distinct(store.quads_for_pattern(node, None, None, None)):
        prop = quad.predicate.value
        per_property[prop] = per_property.get(prop, 0) + 1
        if quad.predicate == _node(RDF.type) and isinstance(quad.object, ox.NamedNode):
            found.types.append(quad.object.value)
        if per_property[prop] > MAX_VALUES:
            continue
        found.outgoing.append((prop, Term.of(quad.object), _graph(quad)))
        graphs.add(_graph(quad))
        if isinstance(quad.object, ox.BlankNode):
            for triple in _closure(reader, quad.object):
                found.bnodes.setdefault(triple.subject.value, []).append((triple.predicate.value, Term.of(triple.object)))
        if prop in TRACE_PROPERTIES and isinstance(quad.object, ox.NamedNode):
            found.why[(prop, quad.object.value)] = reader.why(node, prop, quad.object)
    found.outgoing_counts = per_property
    found.outgoing.sort(key=lambda s: (s[0] != str(RDF.type), s[0], s[1].value))

    counts = reader.incoming_counts(node)
    for prop in TRACE_PROPERTIES:
        if counts.get(prop):
            key = prop
            group = Group(prop, counts[prop], max(0, offsets.get(key, 0)))
            subjects, group.ordered = _page(
                store.quads_for_pattern(None, _node(prop), node, None), reader, group.count, group.offset, WORK_PAGE, "subject"
            )
            group.items = [_work(reader, s, prop, node) for s in subjects]
            found.work.append(group)
    for prop in TRACE_PROPERTIES:
        if prop == PART_OF or not counts.get(prop):
            continue  # nothing is linked by prop, so no project either
        group = _through_projects(reader, node, prop, max(0, offsets.get("via:" + prop, 0)))
        if group is not None:
            found.work.append(group)
    if found.work and not found.work[0].via:
        found.summary, found.summary_of, found.summary_sizes = _summary(reader, node, found.work[0].prop, found.work[0].count)
    for prop, count in sorted(counts.items()):
        if prop in TRACE_PROPERTIES:
            continue
        group = Group(prop, count, max(0, offsets.get(prop, 0)))
        subjects, group.ordered = _page(
            store.quads_for_pattern(None, _node(prop), node, None), reader, count, group.offset, INCOMING_PAGE, "subject"
        )
        group.items = [Term.of(s) for s in subjects]
        found.incoming.append(group)
    for parent in reader.objects(node, PKG.partOf):
        for prop in TRACE_PROPERTIES[:4]:
            for target in reader.objects(parent, prop):
                found.upward.append((parent.value, prop, target.value, reader.why(parent, prop, target)))

    _collect_labels(reader, found)
    for graph in sorted(g for g in graphs if g):
        found.graphs[graph] = graph_facts(reader, graph)
    return found


def _collect_labels(reader: Reader, found: Description) -> None:
    iris = {found.iri, *found.types}
    iris.update(prop for prop, _, _ in found.outgoing)
    iris.update(term.value for _, term, _ in found.outgoing if term.kind == "iri")
    for statements in found.bnodes.values():
        iris.update(prop for prop, _ in statements)
        iris.update(term.value for _, term in statements if term.kind == "iri")
    for group in found.incoming + found.work:
        iris.add(group.prop)
        for item in group.items:
            if isinstance(item, Term):
                if item.kind == "iri":
                    iris.add(item.value)
            else:
                iris.update((item.item.value, *item.types, *item.bodies, *item.goals, *item.focus_areas, *item.targets))
                if item.why:
                    iris.update(v for v in (item.why.basis, item.why.rule, item.why.through) if v)
                    if item.why.source and item.why.source.kind == "iri":
                        iris.add(item.why.source.value)
    for prop, values in found.summary.items():
        iris.add(prop)
        iris.update(value for value, _ in values)
    for parent, prop, target, why in found.upward:
        iris.update((parent, prop, target))
        if why:
            iris.update(v for v in (why.basis, why.rule) if v)
            if why.source and why.source.kind == "iri":
                iris.add(why.source.value)
    for why in found.why.values():
        if why:
            iris.update(v for v in (why.basis, why.rule) if v)
            if why.source and why.source.kind == "iri":
                iris.add(why.source.value)
    for iri in iris:
        labels = reader.labels(iri)
        if labels:
            found.labels[iri] = labels
        if labels or any(True for _ in itertools.islice(reader.store.quads_for_pattern(_node(iri), None, None, None), 1)):
            found.described.add(iri)


def graph_facts(reader: Reader, graph: str) -> dict:
    """What a named graph says about itself: titles, when, loader, files."""
    node = _node(graph)
    facts: dict = {"titles": {}, "generated": None, "loader": None, "files": []}
    for quad in reader.store.quads_for_pattern(node, None, None, node):
        prop, value = quad.predicate, quad.object
        if prop == _node(DCT.title) and isinstance(value, ox.Literal):
            facts["titles"][value.language or ""] = value.value
        elif prop == _node(PROV.generatedAtTime):
            facts["generated"] = value.value
        elif prop == _node(PKG.loaderVersion):
            facts["loader"] = value.value
        elif prop == _node(PROV.wasDerivedFrom):
            name = reader.first(value, PKG.fileName)
            checksum = reader.first(value, SPDX.checksum)
            digest = reader.first(checksum, SPDX.checksumValue) if checksum is not None else None
            facts["files"].append((value.value, name.value if name else None, digest.value if digest else None))
    facts["files"].sort()
    return facts
