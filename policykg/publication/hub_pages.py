"""The hub pages: the resources so many works link to that their pages are described at
publish time and stored with the answers (:mod:`policykg.publication.answers`).

With each page the file keeps the triple patterns describing it read
(:mod:`policykg.runtime.reads`). After a change, a page of the earlier generation is copied
when no changed triple matches one of them (nor, for a graph changed wholesale, any triple
the graph holds in either generation); the others are described again. Which resources are
hubs is asked again only when a triple of a :data:`HUB_PROPERTIES` property changed."""

from __future__ import annotations

import json
import pickle
import sqlite3
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pyoxigraph as ox

from policykg.namespaces import PKG
from policykg.publication.inputs import Change
from policykg.runtime.reads import ReadPattern, RecordingStore

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
#: The tables of an answers file that hold the pages: each page, and the patterns describing it read.
PAGES_SCHEMA = """
CREATE TABLE page (iri TEXT PRIMARY KEY, description BLOB NOT NULL);
CREATE TABLE page_reads (iri TEXT PRIMARY KEY, reads BLOB NOT NULL);
"""


@dataclass
class PagesPlan:
    """Which hub pages of an earlier answers file (attached as ``source``) are copied."""

    source: str
    #: The hubs, when the change cannot have changed which they are (None: asked again).
    hubs: list[str] | None
    #: The pages copied; the others are described again.
    kept: set[str] = field(default_factory=set)
    #: hub -> why its page is described again.
    described: dict[str, str] = field(default_factory=dict)


def plan_pages(db: sqlite3.Connection, source: str, change: Change | None) -> PagesPlan:
    """The pages of the attached file ``source`` that ``change`` cannot have altered (None: nothing
    changed): those whose recorded reads no changed triple matches. A file written before the
    reads were recorded keeps its pages only when nothing changed."""
    iris = [iri for (iri,) in db.execute(f"SELECT iri FROM {source}.page ORDER BY iri")]
    if not change:
        return PagesPlan(source, iris, set(iris))
    hub_reads = [(None, str(prop), None, None) for prop in HUB_PROPERTIES]
    try:
        same_hubs = change.touched(hub_reads, budget=len(hub_reads) * 4) is None
    except (OSError, RuntimeError, ValueError):  # the older generation went away meanwhile, say
        same_hubs = False
    plan = PagesPlan(source, iris if same_hubs else None)
    try:
        recorded = dict(db.execute(f"SELECT iri, reads FROM {source}.page_reads"))
    except sqlite3.OperationalError:  # written before the reads were recorded
        recorded = {}
    for iri in iris:
        if iri not in recorded:
            plan.described[iri] = "what describing it read was not recorded"
            continue
        try:
            why = change.touched(tuple(read) for read in json.loads(zlib.decompress(recorded[iri])))
        except (OSError, RuntimeError, ValueError) as error:  # the older generation went away meanwhile, say
            why = f"comparing with the earlier generation failed: {error}"
        if why is None:
            plan.kept.add(iri)
        else:
            plan.described[iri] = why
    return plan


def store_pages(db: sqlite3.Connection, reader: ox.Store, generation: str, hub_links: int, plan: PagesPlan | None = None) -> tuple[int, int]:
    """Describe the hubs of ``reader`` into ``db``'s page tables (the pickled page data and
    what describing it read), copying those ``plan`` keeps: (how many pages, how many copied)."""
    from policykg.runtime.describe import Description, Reader, describe

    def described(iri: str) -> tuple[bytes, bytes]:
        recording = RecordingStore(reader)
        found: Description = describe(Reader(recording), ox.NamedNode(iri), generation, {})
        reads = zlib.compress(json.dumps(sorted(recording.patterns, key=_order), separators=(",", ":")).encode("utf-8"))
        return pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL), reads

    iris = plan.hubs if plan is not None and plan.hubs is not None else hubs(reader, hub_links)
    copied = plan.kept if plan is not None else set()
    kept = [iri for iri in iris if iri in copied]
    if kept:
        db.executemany(f"INSERT INTO page SELECT iri, description FROM {plan.source}.page WHERE iri = ?", [(iri,) for iri in kept])
        db.executemany(f"INSERT INTO page_reads SELECT iri, reads FROM {plan.source}.page_reads WHERE iri = ?", [(iri,) for iri in kept])
    todo = [iri for iri in iris if iri not in copied]
    pool = ThreadPoolExecutor(PAGE_THREADS, thread_name_prefix="hub-page")
    try:
        for iri, (page, reads) in zip(todo, pool.map(described, todo)):  # in order; the first failure is raised
            db.execute("INSERT INTO page VALUES (?, ?)", (iri, page))
            db.execute("INSERT INTO page_reads VALUES (?, ?)", (iri, reads))
    finally:
        pool.shutdown(cancel_futures=True)  # after a failure, the pages not begun are not described
    return len(iris), len(kept)


def _order(read: ReadPattern) -> tuple:
    return tuple(term or "" for term in read)
