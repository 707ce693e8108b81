"""What a write to a remote store changed, worked out on the server before it publishes.

The embedded store keeps the generation it replaces, so the stored answers compare the
two (:mod:`policykg.publication.inputs`). A remote store keeps no older generation: the
publishing update replaces the graphs in place. So, before it does, the writer compares
each graph it replaces or removes as published with what it staged: a graph of at most
:data:`~policykg.storebase.DIFF_LIMIT` triples on both sides exactly (the triples added
and removed, read whole from the graph store), a larger one wholesale, with the
predicates its published version held. The store records both with the generation
(:class:`policykg.storebase.ChangeRecords`); :mod:`policykg.publication.recorded` reads
them back.

Blank nodes cannot be matched between two reads, so a triple with one counts as changed
on both sides: that errs towards answering again, never towards a stale answer.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from policykg.storebase import DIFF_LIMIT

from .protocol import Client, RemoteStoreError
from .reader import RemoteReader

_PREDICATES = "SELECT DISTINCT ?p WHERE { GRAPH ?g { ?s ?p ?o } }"


def _triples(client: Client, graph: str, limit: int) -> set[tuple] | None:
    """The triples the server holds in ``graph`` (published or staged), or None when there
    are more than ``limit`` or the server would not give them whole."""
    reader = RemoteReader(client, [graph])
    held = len(reader)
    if held > limit:
        return None
    try:
        found = {(quad.subject, quad.predicate, quad.object) for quad in reader.graph_quads(graph)} if held else set()
    except RemoteStoreError:
        return None
    return found if len(found) == held else None


def _predicates(client: Client, graph: str) -> list[str] | None:
    """The predicates ``graph`` holds, or None if the server would not say."""
    reader = RemoteReader(client, [graph])
    try:
        rows = reader.query(_PREDICATES, named_graphs=[ox.NamedNode(graph)], default_graph=[])
        return sorted(row["p"].value for row in rows if isinstance(row["p"], ox.NamedNode))
    except RemoteStoreError:
        return None


def _nquads(quads: Iterable[ox.Quad]) -> str:
    return ox.serialize(sorted(quads, key=str), None, ox.RdfFormat.N_QUADS).decode("utf-8") if quads else ""


def write_changes(client: Client, published: Iterable[str], written: dict[str, str], removed: Iterable[str],
                  *, limit: int = DIFF_LIMIT) -> dict:
    """What publishing ``written`` (each graph: where it was staged) and dropping ``removed``
    changes of the ``published`` graphs, as recorded with the generation: ``changed`` (the
    graphs), ``added`` and ``removed`` (N-Quads), ``compared`` (the graphs compared exactly)
    and ``wholesale`` (each other graph: the predicates its published version held)."""
    published = set(published)
    added, dropped, compared, wholesale = [], [], [], {}
    changed = sorted(set(written) | (set(removed) & published))
    for graph in changed:
        node = ox.NamedNode(graph)
        before = _triples(client, graph, limit) if graph in published else set()
        after = _triples(client, written[graph], limit) if graph in written else set()
        if before is None or after is None:
            wholesale[graph] = _predicates(client, graph) if graph in published else []
            continue
        compared.append(graph)
        added += [ox.Quad(*triple, node) for triple in after - before]
        dropped += [ox.Quad(*triple, node) for triple in before - after]
    return {"changed": changed, "added": _nquads(added), "removed": _nquads(dropped), "compared": compared, "wholesale": wholesale}
