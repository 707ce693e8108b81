"""What describing a page read: the triple patterns of its look-ups.

A hub page is described at publish time and stored (:mod:`policykg.publication.hub_pages`).
After a change, the page of an earlier generation is still the page when no changed triple
matches a pattern the describing read (:meth:`policykg.publication.inputs.Change.touched`).
:class:`RecordingStore` stands between :class:`policykg.runtime.lookups.Reader` and the store
and notes each pattern. It errs one way only: a look-up it cannot see through (a query whose
caller did not say what it reads) is noted as reading everything.

A pattern is ``(subject, predicate, object, graph)``, each an IRI, a blank node (``_:id``,
as the store names it) or None (any); a literal is noted as None. A blank node is only ever
reached through a triple that names it, and a change to its graph changes that triple too
(new blank nodes on the embedded store; on a remote one every triple with a blank node counts
as changed: :mod:`policykg.remote.changes`), so the pattern that reached it is touched.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

#: A read triple pattern: subject, predicate, object, graph (an IRI, or None: any).
ReadPattern = tuple[str | None, str | None, str | None, str | None]
#: Reads every triple.
EVERYTHING: ReadPattern = (None, None, None, None)


def term_key(term) -> str | None:
    """A term as a read pattern names it: an IRI, ``_:id`` for a blank node, None for anything else."""
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return None


def key_term(named: str | None) -> ox.NamedNode | ox.BlankNode | None:
    """The term a read pattern names (the inverse of :func:`term_key`)."""
    if named is None:
        return None
    return ox.BlankNode(named[2:]) if named.startswith("_:") else ox.NamedNode(named)


def pattern(s=None, p=None, o=None, g=None) -> ReadPattern:
    """The read pattern of a look-up by these terms (pyoxigraph terms, IRIs as text, or None)."""
    return tuple(item if isinstance(item, str) else term_key(item) for item in (s, p, o, g))  # type: ignore[return-value]


class RecordingStore:
    """A read-only store (embedded or remote) that notes the patterns its callers read.

    Only the look-ups :class:`~policykg.runtime.lookups.Reader` and the page description use
    are offered, so that a new kind of look-up fails loudly rather than going unnoted.
    """

    def __init__(self, store) -> None:
        self.store = store
        self.patterns: set[ReadPattern] = set()
        self._said: list[ReadPattern] | None = None

    def quads_for_pattern(self, subject, predicate, object, graph_name=None):  # noqa: A002 - pyoxigraph's name
        self.patterns.add(pattern(subject, predicate, object, graph_name))
        return self.store.quads_for_pattern(subject, predicate, object, graph_name)

    def reads(self, patterns: Iterable[ReadPattern]) -> None:
        """What the next :meth:`query` reads (without it, the query reads everything)."""
        self._said = list(patterns)

    def query(self, sparql: str, **options):
        said, self._said = self._said, None
        self.patterns.update(said if said is not None else [EVERYTHING])
        return self.store.query(sparql, **options)

    def __getattr__(self, name: str):
        if name != "statements_of":
            raise AttributeError(name)
        fetch = getattr(self.store, name)  # a remote store's batch; AttributeError on the embedded one

        def statements_of(subjects, predicates=()):
            subjects, predicates = list(subjects), list(predicates)
            self.patterns.update(pattern(s, p) for s in subjects for p in (predicates or [None]))
            return fetch(subjects, predicates)

        return statements_of
