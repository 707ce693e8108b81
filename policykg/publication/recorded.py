"""The change between two generations of a remote store, from what its writers recorded.

A remote store keeps no older generation to compare with (:mod:`policykg.remote.changes`
says what each write records instead). The :class:`~policykg.publication.inputs.Change`
made here has the recorded triples as its changed triples and the graphs too large to
compare as wholesale; the questions it asks of the two generations (does a term have
this property? does the graph hold this predicate?) go to the server for the newer one,
and for the older one are answered from above: what the newer one holds, the triples
removed since, and for a graph changed wholesale any triple of a predicate it held (of
any predicate, where that was not recorded). A blank node cannot be named in a query to
a server: a question about one is answered "it may". Each such answer errs towards
answering a question again, never towards a stale answer.
"""

from __future__ import annotations

import pyoxigraph as ox

from .inputs import Atom, Change

_EXISTS = "ASK WHERE { GRAPH ?g { ?s ?p ?o } }"
#: Which of the terms (?t) satisfy an anchor's atom: a triple with the term as its subject or object.
_HOLDING = "SELECT DISTINCT ?t WHERE {{ VALUES ?t {{ {terms} }} {objects}GRAPH ?g {{ {triple} }} }}"
#: Terms named in one request of :meth:`_Published.holding`.
HOLDING_BATCH = 200


class _Published:
    """The newer generation: the published graphs of the remote store, asked by ``ASK``."""

    def __init__(self, reader) -> None:
        self.reader = reader

    def exists(self, s, p, o, g) -> bool:
        if any(isinstance(term, ox.BlankNode) for term in (s, o)):
            return True
        if isinstance(g, ox.DefaultGraph):
            return False  # the service keeps everything in named graphs
        if g is not None and not self.reader.contains_named_graph(g):
            return False
        bound = {ox.Variable(name): term for name, term in (("s", s), ("p", p), ("o", o), ("g", g)) if term is not None}
        graphs = [ox.NamedNode(graph) for graph in self.reader.graphs]
        return bool(self.reader.query(_EXISTS, substitutions=bound, named_graphs=graphs, default_graph=[]))

    def holding(self, atom: Atom, terms: list) -> set:
        """Those of ``terms`` (IRIs) that satisfy ``atom``, a request per :data:`HOLDING_BATCH`
        of them (the IRIs as pyoxigraph writes them: nothing can break out)."""
        predicate = str(ox.NamedNode(atom.predicate))
        triple = f"?t {predicate} ?o" if atom.subject else f"?s {predicate} ?t"
        objects = f"VALUES ?o {{ {' '.join(str(ox.NamedNode(value)) for value in sorted(atom.objects))} }} " if atom.subject and atom.objects else ""
        graphs = [ox.NamedNode(graph) for graph in self.reader.graphs]
        found = set()
        for start in range(0, len(terms), HOLDING_BATCH):
            named = " ".join(str(term) for term in terms[start : start + HOLDING_BATCH])
            rows = self.reader.query(_HOLDING.format(terms=named, objects=objects, triple=triple), named_graphs=graphs, default_graph=[])
            found.update(row["t"] for row in rows)
        return found


class _Recorded:
    """The older generation, bounded from above (see the module's docstring)."""

    def __init__(self, newer: _Published, removed: list[ox.Quad], wholesale: dict[str, set[str] | None]) -> None:
        self.newer, self.removed, self.wholesale = newer, removed, wholesale

    def exists(self, s, p, o, g) -> bool:
        return self.recorded(s, p, o, g) or self.newer.exists(s, p, o, g)

    def recorded(self, s, p, o, g) -> bool:
        """Whether what was recorded says the older generation may hold a match (the rest of
        :meth:`exists`: what the newer one holds, is not asked)."""
        if any(isinstance(term, ox.BlankNode) for term in (s, o)):
            return True
        for quad in self.removed:
            if all(want is None or want == have for want, have in ((s, quad.subject), (p, quad.predicate), (o, quad.object), (g, quad.graph_name))):
                return True
        for graph, predicates in self.wholesale.items():
            if (g is None or g == ox.NamedNode(graph)) and (predicates is None or p is None or p.value in predicates):
                return True
        return False

    def holding(self, atom: Atom, terms: set) -> set:
        """Those of ``terms`` that satisfy ``atom`` in either generation (:attr:`Change.holding`)."""
        predicate = ox.NamedNode(atom.predicate)
        objects = [ox.NamedNode(value) for value in sorted(atom.objects)] if atom.subject and atom.objects else [None]
        found, ask = set(), []
        for term in terms:
            if atom.subject and isinstance(term, ox.Literal):
                continue  # a literal is never a subject
            position = (term, predicate) if atom.subject else (None, predicate)
            if isinstance(term, ox.Literal) or any(self.recorded(*position, obj if atom.subject else term, None) for obj in objects):
                found.add(term)  # a blank node, too (it cannot be named in a query), and a literal (a server may write it otherwise)
            else:
                ask.append(term)
        return found | self.newer.holding(atom, ask)


def recorded_change(records: list[dict], reader) -> Change:
    """The change over ``records`` (newest first, as the store's ``change_records`` gives
    them) to the generation ``reader`` reads."""
    triples: set[tuple] = set()
    removed: list[ox.Quad] = []
    wholesale: dict[str, set[str] | None] = {}
    for record in records:
        compared = set(record.get("compared") or ())
        for key in ("added", "removed"):
            for quad in ox.parse(str(record.get(key) or "").encode("utf-8"), ox.RdfFormat.N_QUADS):
                triples.add((quad.subject, quad.predicate, quad.object))
                if key == "removed":
                    removed.append(quad)
        said = record.get("wholesale") if isinstance(record.get("wholesale"), dict) else {}
        for graph in record["changed"]:
            if graph in compared:
                continue
            predicates = said.get(graph)
            known = wholesale.get(graph, set())
            wholesale[graph] = None if predicates is None or known is None else known | set(predicates)
    newer = _Published(reader)
    older = _Recorded(newer, removed, wholesale)
    return Change(older, newer, triples, sorted(wholesale), holding=older.holding)
