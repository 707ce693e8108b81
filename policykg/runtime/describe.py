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

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from policykg import formats
from policykg.namespaces import (
    DCT,
    ORG,
    PKG,
    PROV,
    RDF,
    RDFS,
    SKOS,
    SPDX,
)
from policykg.runtime.executor import Answer, Failure, Limits
from policykg.runtime.lookups import Reader, Term, Why  # noqa: F401 (Reader: the name the callers import)
from policykg.runtime.lookups import distinct as _distinct
from policykg.runtime.lookups import node as _node
from policykg.runtime.reads import pattern
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
MAX_VALUES = 200  # values of one outgoing property on a page
MAX_RDF_VALUES = 1000  # ... and in an RDF variant
INCOMING_PAGE = 20  # subjects of one incoming property on a page
RDF_INCOMING = 100  # ... and in an RDF variant
WORK_PAGE = 25  # works of one group on a page
SORT_LIMIT = 1000  # lists up to this size are ordered by label
BNODE_DEPTH = 4
VIA_CAP = 500  # activities counted through their projects
SUMMARY_SAMPLE = 500  # works whose other links make the overview
SUMMARY_TOP = 20  # values of each property in the overview
#: What the overview counts, in this order.
SUMMARY_PROPERTIES = tuple(str(p) for p in (PKG.servesGoal, PKG.withinFocusArea, PKG.appliesPrinciple, PKG.contributesToTarget, PKG.responsibleBody))

_THROUGH_PROJECT_PAGE = """
PREFIX pkg: <https://w3id.org/policykg/ontology#>
SELECT DISTINCT ?o ?a ?p WHERE {{ ?p <{prop}> ?o . ?a pkg:partOf ?p }} LIMIT {limit}"""


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


def _graph(quad: ox.Quad) -> str | None:
    return quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else None


def exists(reader: ox.Store, node: ox.NamedNode) -> bool:
    """The store has a statement about ``node``, or one that points at it."""
    return any(True for _ in itertools.islice(reader.quads_for_pattern(node, None, None, None), 1)) or any(
        True for _ in itertools.islice(reader.quads_for_pattern(None, None, node, None), 1)
    )


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
    reader.prefetch_labels(n.value for n in named)
    for iri in sorted(named, key=lambda n: n.value):
        yield from _label_triples(reader, iri)


def _page(quads: Iterable[ox.Quad], reader: Reader, count: int, offset: int, size: int, end: str) -> tuple[list, str]:
    """One page of the subjects (``end`` 'subject') or objects of ``quads``, by label when few."""
    terms = (getattr(q, end) for q in _distinct(quads))
    if count <= SORT_LIMIT:
        every = list(terms)
        reader.prefetch_labels(t.value for t in every if isinstance(t, ox.NamedNode))
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
    page = reader.query(  # any pkg:partOf counts: which project links to node is not noted
        _THROUGH_PROJECT_PAGE.format(prop=prop, limit=VIA_CAP + 1), [pattern(p=prop, o=node), pattern(p=PKG.partOf)],
        substitutions={ox.Variable("o"): node},
    )
    pairs = [(row["a"], row["p"]) for row in itertools.islice(page, VIA_CAP + 1)]
    if not pairs:
        return None
    group = Group(prop, min(len(pairs), VIA_CAP), offset, via=True, capped=len(pairs) > VIA_CAP)
    if len(pairs) <= SORT_LIMIT:
        reader.prefetch_labels(a.value for a, _ in pairs if isinstance(a, ox.NamedNode))
        pairs.sort(key=lambda pair: (_sort_label(reader, pair[0]), pair[0].value))
    else:
        group.ordered = "index"
    shown = pairs[offset : offset + WORK_PAGE]
    reader.prefetch_works([a for a, _ in shown] + [p for _, p in shown])
    group.items = [_work(reader, a, prop, node, through=p) for a, p in shown]
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
    sample = list(itertools.islice(works, SUMMARY_SAMPLE))
    for work, statements in reader.statements_with(sample, SUMMARY_PROPERTIES).items():
        sampled += 1
        seen = set()
        for statement in statements:
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
    reader.prefetch_why([node])  # on a remote store, the page's own statements and their provenance in a few requests
    for quad in _distinct(reader.statements(node)):
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
            reader.prefetch_works(subjects)
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
    parents = reader.objects(node, PKG.partOf)
    reader.prefetch_why(parents)
    for parent in parents:
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
    reader.prefetch_labels(iris)
    for iri in iris:
        labels = reader.labels(iri)
        if labels:
            found.labels[iri] = labels
            found.described.add(iri)
    found.described |= reader.described(iri for iri in iris if iri not in found.labels)


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
