"""The hub pages: the resources so many works link to that their pages are described at
publish time and stored with the answers (:mod:`policykg.publication.answers`)."""

from __future__ import annotations

import pickle
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pyoxigraph as ox

from policykg.namespaces import PKG

#: A resource with at least this many links to it by one traceability property
#: is a hub: its page is described at publish time.
HUB_LINKS = 1000
#: Properties whose targets can be hubs (what work is linked to).
HUB_PROPERTIES = (PKG.servesGoal, PKG.withinFocusArea, PKG.appliesPrinciple, PKG.contributesToTarget, PKG.responsibleBody, PKG.partOf)
HUB_QUERY = "SELECT DISTINCT ?o WHERE {{ VALUES ?p {{ {properties} }} ?s ?p ?o }} GROUP BY ?p ?o HAVING (COUNT(?s) >= {minimum:d})"


def hubs(reader: ox.Store, minimum: int = HUB_LINKS) -> list[str]:
    """The resources at least ``minimum`` works are linked to by one traceability property."""
    properties = " ".join(f"<{prop}>" for prop in HUB_PROPERTIES)
    rows = reader.query(HUB_QUERY.format(properties=properties, minimum=int(minimum)), use_default_graph_as_union=True)
    return sorted({row["o"].value for row in rows if isinstance(row["o"], ox.NamedNode)})


#: Hub pages described at once: the store's work leaves Python's lock (the embedded store's
#: evaluation, a remote server's), so both cores work (20 pages of the 1 000 000-activity set on
#: Virtuoso: 49.6 s one at a time, 29.2 s four at once; 16 of 100 000 embedded: 7.0 s, 4.4 s).
PAGE_THREADS = 4


def store_pages(db: sqlite3.Connection, reader: ox.Store, generation: str, hub_links: int) -> int:
    """Describe the hubs of ``reader`` into ``db``'s page table (pickled page data): how many."""
    from policykg.runtime.describe import Description, Reader, describe

    def described(iri: str) -> bytes:
        found: Description = describe(Reader(reader), ox.NamedNode(iri), generation, {})
        return pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL)

    iris = hubs(reader, hub_links)
    pool = ThreadPoolExecutor(PAGE_THREADS, thread_name_prefix="hub-page")
    try:
        for iri, page in zip(iris, pool.map(described, iris)):  # in order; the first failure is raised
            db.execute("INSERT INTO page VALUES (?, ?)", (iri, page))
    finally:
        pool.shutdown(cancel_futures=True)  # after a failure, the pages not begun are not described
    return len(iris)
