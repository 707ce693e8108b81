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

from .inputs import Change

_EXISTS = "ASK WHERE { GRAPH ?g { ?s ?p ?o } }"


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


class _Recorded:
    """The older generation, bounded from above (see the module's docstring)."""

    def __init__(self, newer: _Published, removed: list[ox.Quad], wholesale: dict[str, set[str] | None]) -> None:
        self.newer, self.removed, self.wholesale = newer, removed, wholesale

    def exists(self, s, p, o, g) -> bool:
        if any(isinstance(term, ox.BlankNode) for term in (s, o)):
            return True
        for quad in self.removed:
            if all(want is None or want == have for want, have in ((s, quad.subject), (p, quad.predicate), (o, quad.object), (g, quad.graph_name))):
                return True
        for graph, predicates in self.wholesale.items():
            if (g is None or g == ox.NamedNode(graph)) and (predicates is None or p is None or p.value in predicates):
                return True
        return self.newer.exists(s, p, o, g)


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
    return Change(_Recorded(newer, removed, wholesale), newer, triples, sorted(wholesale))
