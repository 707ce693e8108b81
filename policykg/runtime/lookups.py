"""Small look-ups on a read-only store, for the pages: what a resource says, its labels, why a
work is linked.

On the embedded store a look-up is an index probe and costs microseconds, so each is made
when it is needed. On a remote store each is a request, so the look-ups of a list (the
statements of a page of works, of their trace links, of the rows those come from; the
labels of everything a page names) are made first, a few requests for the whole list, and
then answered from what came back (:meth:`Reader.prefetch`, :meth:`Reader.prefetch_labels`).
Both give the same answers (``tests/live/test_remote_store.py`` compares the pages).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from policykg.namespaces import DCT, ELI, PKG, PROV, RDFS, SKOS
from policykg.runtime.reads import ReadPattern, RecordingStore, pattern

#: Label properties, preferred first.
LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label, ELI.title, DCT.title)
COUNT_CAP = 10_000  # children counted one by one up to here
BATCH = 200  # resources named in one request of a batch

_INCOMING_COUNTS = """
SELECT ?o ?p (COUNT(?s) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?o ?p"""
_DESCRIBED = "SELECT DISTINCT ?s WHERE {{ VALUES ?s {{ {subjects} }} ?s ?p ?o }}"
_CHILDREN = "SELECT ?parent (COUNT(DISTINCT ?child) AS ?n) WHERE {{ VALUES ?parent {{ {parents} }} ?child <{part_of}> ?parent }} GROUP BY ?parent"


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


@functools.lru_cache(maxsize=4096)
def node(iri: str) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


def distinct(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """Quads whose triple was not seen before (a triple may sit in several graphs)."""
    seen = set()
    for quad in quads:
        triple = (quad.subject, quad.predicate, quad.object)
        if triple not in seen:
            seen.add(triple)
            yield quad


def _in_values(terms: Iterable[ox.NamedNode]) -> str:
    """IRIs for a VALUES block, written by pyoxigraph (N-Triples syntax: nothing can break out)."""
    return " ".join(str(term) for term in terms)


def _preferred_labels(objects: Callable[[str], list]) -> dict[str, str]:
    """A label in each language, from ``objects(label property)``, preferring the first properties."""
    found: dict[str, str] = {}
    for index, prop in enumerate(LABEL_PROPERTIES):
        if index == 2 and found:
            break  # titles only for what has no label
        for value in objects(prop):
            if isinstance(value, ox.Literal):
                found.setdefault(value.language or "", value.value)
    return found


class Reader:
    """Small look-ups on a read-only store (embedded, or remote: see the module)."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self._labels: dict[str, dict[str, str]] = {}
        #: On a remote store: the statements of the subjects fetched in a batch.
        self._known: dict[ox.NamedNode, list[ox.Quad]] = {}
        self._children: dict[ox.NamedNode, int] = {}
        self.batched = hasattr(store, "statements_of")

    # --- what the store says ---------------------------------------------------------

    def statements(self, subject) -> Iterable[ox.Quad]:
        """The statements of ``subject``, from a batch where one brought them."""
        known = self._known.get(subject)
        return known if known is not None else self.store.quads_for_pattern(subject, None, None, None)

    def objects(self, subject, prop) -> list:
        known = self._known.get(subject)
        if known is not None:
            wanted = node(prop)
            return list(dict.fromkeys(q.object for q in known if q.predicate == wanted))
        return list(dict.fromkeys(q.object for q in self.store.quads_for_pattern(subject, node(prop), None, None)))

    def first(self, subject, prop):
        if subject in self._known:
            found = self.objects(subject, prop)
            return found[0] if found else None
        for quad in self.store.quads_for_pattern(subject, node(prop), None, None):
            return quad.object
        return None

    def query(self, sparql: str, reads: Iterable[ReadPattern], **options):
        """``sparql`` on the union of the graphs; ``reads``: the patterns it reads (noted when
        the page is recorded: :mod:`policykg.runtime.reads`)."""
        if isinstance(self.store, RecordingStore):
            self.store.reads(reads)
        return self.store.query(sparql, use_default_graph_as_union=True, **options)

    def incoming_counts(self, target: ox.NamedNode) -> dict[str, int]:
        rows = self.query(_INCOMING_COUNTS, [pattern(o=target)], substitutions={ox.Variable("o"): target})
        return {row["p"].value: int(row["n"].value) for row in rows}

    # --- batches (a remote store) --------------------------------------------------

    def prefetch(self, subjects: Iterable) -> None:
        """Fetch the statements of ``subjects`` together, where a look-up is a request."""
        if not self.batched:
            return
        wanted = [s for s in dict.fromkeys(subjects) if isinstance(s, ox.NamedNode) and s not in self._known]
        if not wanted:
            return
        found: dict[ox.NamedNode, list[ox.Quad]] = {s: [] for s in wanted}
        for quad in self.store.statements_of(wanted):
            found[quad.subject].append(quad)
        self._known.update(found)

    def statements_with(self, subjects: list, predicates: Iterable[str]) -> dict:
        """subject -> its statements by one of ``predicates``, for each of ``subjects``."""
        wanted = [node(p) for p in predicates]
        if not self.batched:
            chosen = set(wanted)
            return {s: [q for q in self.statements(s) if q.predicate in chosen] for s in subjects}
        found: dict = {s: [] for s in subjects}
        for quad in self.store.statements_of(subjects, wanted):
            found[quad.subject].append(quad)
        return found

    def prefetch_why(self, works: Iterable) -> None:
        """What :meth:`why` reads of ``works``, fetched together: the works, their trace links,
        the rows those come from and the files of the rows."""
        if not self.batched:
            return
        works = list(works)
        self.prefetch(works)
        links = [link for work in works for link in self.objects(work, PKG.qualifiedLink)]
        self.prefetch(links)
        sources = [source for link in links for source in self.objects(link, PROV.wasDerivedFrom)]
        self.prefetch(sources)
        self.prefetch(part for source in sources for part in self.objects(source, DCT.isPartOf))

    def prefetch_works(self, works: Iterable) -> None:
        """What a list of works shows, fetched together: :meth:`prefetch_why`, and how many
        activities each has."""
        if not self.batched:
            return
        works = list(works)
        self.prefetch_why(works)
        parents = [w for w in works if isinstance(w, ox.NamedNode) and w not in self._children]
        if parents:
            self._children.update({w: 0 for w in parents})
            rows = self.query(_CHILDREN.format(parents=_in_values(parents), part_of=PKG.partOf), [pattern(p=PKG.partOf, o=w) for w in parents])
            self._children.update({row["parent"]: min(int(row["n"].value), COUNT_CAP) for row in rows})

    def prefetch_labels(self, iris: Iterable[str]) -> None:
        """The labels of ``iris``, fetched together where a look-up is a request."""
        if not self.batched:
            return
        wanted = [node(iri) for iri in dict.fromkeys(iris) if iri not in self._labels]
        if wanted:
            for subject, statements in self.statements_with(wanted, LABEL_PROPERTIES).items():
                self._labels[subject.value] = _preferred_labels(
                    lambda prop: list(dict.fromkeys(q.object for q in statements if q.predicate == node(prop)))  # noqa: B023
                )

    def described(self, iris: Iterable[str]) -> set[str]:
        """Those of ``iris`` the store has a statement about."""
        wanted = list(dict.fromkeys(iris))
        if not self.batched:
            return {iri for iri in wanted if any(True for _ in itertools.islice(self.store.quads_for_pattern(node(iri), None, None, None), 1))}
        found = {iri for iri in wanted if self._known.get(node(iri))}
        rest = [node(iri) for iri in wanted if node(iri) not in self._known]
        for start in range(0, len(rest), BATCH):
            batch = rest[start : start + BATCH]
            rows = self.query(_DESCRIBED.format(subjects=_in_values(batch)), [pattern(s) for s in batch])
            found.update(row["s"].value for row in rows)
        return found

    # --- what a page shows -----------------------------------------------------------

    def labels(self, iri: str) -> dict[str, str]:
        """The resource's label in each language, preferring the first label properties."""
        found = self._labels.get(iri)
        if found is None:
            found = self._labels[iri] = _preferred_labels(functools.partial(self.objects, node(iri)))
        return found

    def why(self, work, prop: str, target) -> Why | None:
        """The qualified link of (work, prop, target), or None when it has none."""
        for link in self.objects(work, PKG.qualifiedLink):
            if self.first(link, PKG.linkProperty) != node(prop) or self.first(link, PKG.linkTarget) != target:
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
        known = self._children.get(project)
        if known is not None:
            return known
        return sum(1 for _ in itertools.islice(distinct(self.store.quads_for_pattern(None, node(PKG.partOf), project, None)), COUNT_CAP))
