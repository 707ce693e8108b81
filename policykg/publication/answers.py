"""Stored answers: the heavy questions answered once per published generation.

A question that aggregates over every activity (coverage, SDG targets, unlinked
work, what serves a goal) takes minutes on a million activities; it cannot be
answered per request. After each publish (``build``, ``load``, or ``policykg
answers``) the named queries whose header says ``stored: true`` are answered
here, with their defaults, and for a query with a required IRI parameter once
per member of the parameter's class (in one run with the parameter left free,
split by its value; on a store that cannot send that answer whole, in parts:
:func:`policykg.publication.stored_rows.store_query`). The pages of the
resources most linked to (goals, bodies, SDG targets: the hubs) are described
too.

Everything goes into one SQLite file per generation,
``STORE/answers/GENERATION.sqlite``, written aside and renamed into place when
complete; the API and the pages read a page of rows or a description from it,
and compute live only what it does not hold (other parameter values, a later
page of a hub's lists). An answer stored for a generation is by definition the
answer on that generation: the data does not change inside a generation.

A new generation does not answer everything again. The answers of the newest
earlier file (generation ``G0``) are copied, not recomputed, for each stored
query whose text (digest) is the same and which reads nothing that changed from
``G0`` to the new generation: the store records which graphs each write changed
(:class:`policykg.storebase.ChangeRecords`; a remote store records the triples too,
:mod:`policykg.remote.changes`), and :mod:`policykg.publication.inputs` decides, from the query's algebra and the
triples that changed, whether the query can see the change (when in doubt, it
can). A hub page is copied when no changed triple matches what describing it
read (:mod:`policykg.publication.hub_pages`). When the changes are not known (a SPARQL update, a generation without
its record, ``G0`` collected), everything is answered again; ``force`` always
answers everything again.
"""

from __future__ import annotations

import functools
import json
import os
import pickle
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pyoxigraph as ox

from policykg.publication.answers_report import AnswersReport  # noqa: F401 (the callers import it from here)
from policykg.publication.hub_pages import HUB_LINKS, PAGES_SCHEMA, plan_pages, store_pages
from policykg.publication.inputs import Change, footprint
from policykg.publication.recorded import recorded_change
from policykg.publication.stored_rows import (  # noqa: F401 (the callers import arguments_key, cell and digest from here)
    Progress,
    arguments_key,
    cell,
    digest,
    left_out_said,
    store_query,
)
from policykg.runtime.querylib import NamedQuery
from policykg.store import EmbeddedStore
from policykg.storebase import AnswerIncomplete, QueryRefused, StoreTimeout

ANSWERS_DIR = "answers"
TMP_PREFIX = ".tmp-"
SUFFIX = ".sqlite"
SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE answer (
  id INTEGER PRIMARY KEY, query TEXT NOT NULL, digest TEXT NOT NULL, arguments TEXT NOT NULL, columns TEXT NOT NULL,
  rows INTEGER NOT NULL DEFAULT 0, UNIQUE (query, digest, arguments));
CREATE TABLE solution (answer INTEGER NOT NULL, n INTEGER NOT NULL, cells TEXT NOT NULL, PRIMARY KEY (answer, n)) WITHOUT ROWID;
CREATE TABLE unstored (query TEXT NOT NULL, digest TEXT NOT NULL, why TEXT NOT NULL, PRIMARY KEY (query, digest));
""" + PAGES_SCHEMA


@functools.lru_cache(maxsize=1)
def describe_digest() -> str:
    from policykg.runtime import describe, lookups, reads

    return digest("".join(Path(module.__file__).read_text(encoding="utf-8") for module in (describe, lookups, reads)))


def answers_root(store: EmbeddedStore) -> Path:
    return store.path / ANSWERS_DIR


def answers_path(store: EmbeddedStore, generation: str) -> Path:
    return answers_root(store) / f"{generation}{SUFFIX}"


def stored_queries(queries: dict[str, NamedQuery]) -> list[NamedQuery]:
    return [query for query in queries.values() if query.stored]


def write_answers(
    store: EmbeddedStore, queries: dict[str, NamedQuery], iris, *, force: bool = False, progress: Progress | None = None,
    hub_links: int = HUB_LINKS,
) -> AnswersReport:
    """Answer the stored queries and describe the hubs of the published generation.

    Answers (and pages) that this generation's file already holds, computed by
    the same query text (and page code), are copied rather than computed again,
    unless ``force``. Nothing is served from the new file until it is complete;
    a failure leaves the answers that were there.
    """
    generation, reader = store.snapshot()  # StoreNotBuilt before the first build
    root = answers_root(store)
    root.mkdir(parents=True, exist_ok=True)
    final = answers_path(store, generation)
    kept, pages_kept, kept_unstored = _reusable(final, hub_links) if final.exists() and not force else (set(), False, {})
    if pages_kept and all((query.name, digest(query.sparql)) in kept.union(kept_unstored) for query in stored_queries(queries)):
        _remove_older(root, generation)
        return AnswersReport(generation, final, written=False)
    started = time.perf_counter()
    tmp = root / f"{TMP_PREFIX}{generation}-{uuid.uuid4().hex[:8]}{SUFFIX}"
    report = AnswersReport(generation, final, written=True)
    earlier = None if force else _earlier(store, root, generation, hub_links)
    plan, pages_change = _plan(store, reader, queries, earlier, kept, kept_unstored, report)
    db = sqlite3.connect(tmp)
    try:
        db.executescript(SCHEMA)
        if kept or pages_kept:
            db.execute("ATTACH DATABASE ? AS previous", (str(final),))  # only read
        if earlier is not None:
            db.execute("ATTACH DATABASE ? AS earlier", (str(earlier.path),))  # only read
        for query in stored_queries(queries):
            source = plan.get(query.name)
            if isinstance(source, Unstored):  # left unstored before, and nothing it reads changed since: not asked again
                db.execute("INSERT INTO unstored VALUES (?, ?, ?)", (query.name, digest(query.sparql), source.why))
                continue
            if source is not None:
                answers, rows = _copy_query(db, query, source)
                if source == "previous":
                    report.reused.append(query.name)
            else:
                if progress:
                    progress(f"answering {query.name}")
                begun = time.perf_counter()
                db.execute("SAVEPOINT question")
                try:
                    answers, rows, left_out = store_query(db, reader, query, iris, progress)
                    db.execute("RELEASE question")
                    if left_out:  # the others are stored; these are answered per request
                        report.unstored.append((query.name, left_out_said(query, left_out)))
                except (QueryRefused, AnswerIncomplete, StoreTimeout) as refusal:  # answered per request
                    db.execute("ROLLBACK TO question")  # none of its rows stay (the API would serve them)
                    db.execute("RELEASE question")
                    if isinstance(refusal, StoreTimeout):  # a time limit may be the load: asked again by the next run
                        report.unstored.append((query.name, f"{refusal} (asked again by the next run)"))
                    else:  # the server's engine or its row limit: recorded, not sent again until its inputs change
                        report.unstored.append((query.name, str(refusal)))
                        db.execute("INSERT INTO unstored VALUES (?, ?, ?)", (query.name, digest(query.sparql), str(refusal)))
                    continue
                report.timings.append((query.name, rows, time.perf_counter() - begun))
            report.answers += answers
            report.rows += rows
        if pages_kept:  # this generation's file: every page as it was
            pages_plan = plan_pages(db, "previous", None)
        else:  # an earlier generation's: the pages the change cannot reach (None: describe every page)
            pages_plan = plan_pages(db, "earlier", pages_change) if pages_change is not None else None
        if progress and (pages_plan is None or pages_plan.hubs is None or len(pages_plan.kept) < len(pages_plan.hubs)):
            progress("describing the hubs")
        begun = time.perf_counter()
        report.pages, report.pages_copied = store_pages(db, reader, generation, hub_links, pages_plan)
        if pages_kept:
            report.reused.append("the hub pages")
        elif pages_plan is not None:
            report.pages_described = sorted(pages_plan.described.items())
        if report.pages_copied < report.pages:
            report.pages_seconds = time.perf_counter() - begun
        report.seconds = time.perf_counter() - started
        db.executemany("INSERT INTO meta VALUES (?, ?)", [
            ("generation", generation),
            ("written", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())),
            ("seconds", f"{report.seconds:.3f}"),
            ("describe", describe_digest()),
            ("hub_links", str(int(hub_links))),
        ])
        db.commit()
        db.close()
        os.replace(tmp, final)
    except BaseException:
        db.close()
        tmp.unlink(missing_ok=True)
        raise
    _remove_older(root, generation)
    return report


@dataclass(frozen=True)
class Unstored:
    """The source in a plan of a question left unstored by the run before, not asked again:
    why it was (what the server said, recorded again in the new file)."""

    why: str


@dataclass
class _Earlier:
    """The newest answers file of another generation: its generation, what it holds."""

    path: Path
    generation: str
    computed: set[tuple[str, str]]
    pages_current: bool
    #: (query, digest) -> why, of the questions that run left unstored
    unstored: dict[tuple[str, str], str]


def _earlier(store: EmbeddedStore, root: Path, generation: str, hub_links: int) -> _Earlier | None:
    files = []
    for path in root.glob(f"*{SUFFIX}"):
        if not path.name.startswith(TMP_PREFIX) and path.name != f"{generation}{SUFFIX}":
            try:
                files.append((path.stat().st_mtime, path))
            except FileNotFoundError:  # removed meanwhile by another run
                continue
    for _, path in sorted(files, reverse=True):
        try:
            found = StoredAnswers(path)
        except sqlite3.DatabaseError:
            continue
        try:
            older = found.meta.get("generation")
            pages_current = found.meta.get("describe") == describe_digest() and found.meta.get("hub_links") == str(int(hub_links))
            if older and older == path.name[: -len(SUFFIX)]:
                return _Earlier(path, older, found.computed(), pages_current, found.unstored())
        except sqlite3.DatabaseError:
            continue
        finally:
            found.close()
    return None


def _plan(store: EmbeddedStore, reader: ox.Store, queries: dict[str, NamedQuery], earlier: _Earlier | None,
          kept: set[tuple[str, str]], kept_unstored: dict[tuple[str, str], str],
          report: AnswersReport) -> tuple[dict[str, str | Unstored], Change | None]:
    """Where each stored query's answers are copied from:
    ``previous`` (this generation's file), ``earlier`` (an earlier generation's, when nothing
    the query reads changed since), :class:`Unstored` (left unstored by the run before, on this
    generation or on an earlier one when nothing it reads changed: a question the server
    refuses, or cannot send whole, is not sent again), or absent: answered now; and the change
    since the earlier generation when its hub pages can be copied (those it cannot reach). Why
    goes into ``report``."""
    plan: dict[str, str | Unstored] = {}
    for query in stored_queries(queries):
        key = (query.name, digest(query.sparql))
        if key in kept:
            plan[query.name] = "previous"
        elif key in kept_unstored:
            plan[query.name] = Unstored(kept_unstored[key])
            report.unstored.append((query.name, f"{kept_unstored[key]} (not asked again: the run before left it unstored)"))
    if earlier is None:
        return plan, None
    report.earlier = earlier.generation
    todo = [query for query in stored_queries(queries) if query.name not in plan]
    todo_names = {query.name for query in todo}
    records = store.change_records(earlier.generation, report.generation)
    changed = None if records is None else {str(graph) for record in records for graph in record["changed"]}
    older_path = store.path / earlier.generation
    if changed is None or not (store.remote or older_path.is_dir()):
        why = (f"what changed since {earlier.generation} is not known" if changed is None
               else f"generation {earlier.generation} is no longer there to compare with")
        report.recomputed += [(query.name, why) for query in todo]
        return plan, None
    try:
        if store.remote:  # no older generation on the server: what its writers recorded
            change = recorded_change(records, reader)
        else:
            change = Change.between(ox.Store.read_only(str(older_path)), reader, changed)
        for query in todo:
            left = earlier.unstored.get((query.name, digest(query.sparql)))
            if (query.name, digest(query.sparql)) not in earlier.computed and left is None:
                report.recomputed.append((query.name, f"{earlier.generation} holds no answers of this query text"))
                continue
            split = next((p for p in query.parameters.values() if p.required), None)
            why = change.affects(footprint(query.sparql, split.rdf_class if split else None))
            unchanged = f"it reads none of the triples changed in {', '.join(sorted(changed)) or 'no graph'}"
            if why is None and left is not None:
                plan[query.name] = Unstored(left)
                report.unstored.append((query.name, f"{left} (not asked again: {earlier.generation} left it unstored and {unchanged})"))
            elif why is None:
                plan[query.name] = "earlier"
                report.copied.append((query.name, unchanged))
            else:
                report.recomputed.append((query.name, why))
    except (OSError, RuntimeError, ValueError) as error:  # the older generation went away meanwhile, say
        for name in [name for name, source in plan.items() if source == "earlier" or (isinstance(source, Unstored) and name in todo_names)]:
            del plan[name]
        report.copied.clear()
        report.unstored = [(name, why) for name, why in report.unstored if name not in todo_names]
        report.recomputed = [(query.name, f"comparing with {earlier.generation} failed: {error}") for query in todo]
        return plan, None
    return plan, change if earlier.pages_current else None


def _reusable(path: Path, hub_links: int) -> tuple[set[tuple[str, str]], bool, dict[tuple[str, str], str]]:
    """What an earlier file of this generation holds that is still good: the (query, digest)
    of its answers, whether its hub pages are of this describe and this hub threshold, and the
    questions it left unstored (why). Nothing, if it is unreadable."""
    try:
        found = StoredAnswers(path)
    except sqlite3.DatabaseError:
        return set(), False, {}
    try:
        pages_current = found.meta.get("describe") == describe_digest() and found.meta.get("hub_links") == str(int(hub_links))
        return found.computed(), pages_current, found.unstored()
    except sqlite3.DatabaseError:
        return set(), False, {}
    finally:
        found.close()


def _copy_query(db: sqlite3.Connection, query: NamedQuery, source: str = "previous") -> tuple[int, int]:
    """Copy the query's answers from the attached file ``source`` (``previous``: an earlier
    file of this generation; ``earlier``: of an earlier generation): (how many answers, how many rows)."""
    if source not in ("previous", "earlier"):
        raise ValueError(source)
    key = (query.name, digest(query.sparql))
    db.execute(
        "INSERT INTO answer (query, digest, arguments, columns, rows) SELECT query, digest, arguments, columns, rows "
        f"FROM {source}.answer WHERE query = ? AND digest = ? ORDER BY id", key,
    )
    db.execute(
        f"INSERT INTO solution SELECT new.id, old.n, old.cells FROM {source}.answer AS a "
        f"JOIN {source}.solution AS old ON old.answer = a.id "
        "JOIN answer AS new ON new.query = a.query AND new.digest = a.digest AND new.arguments = a.arguments "
        "WHERE a.query = ? AND a.digest = ?", key,
    )
    answers, rows = db.execute("SELECT COUNT(*), COALESCE(SUM(rows), 0) FROM answer WHERE query = ? AND digest = ?", key).fetchone()
    return answers, rows


def _remove_older(root: Path, generation: str) -> list[Path]:
    """Answers of other generations, and files left by an interrupted run, are deleted."""
    removed = []
    for path in root.iterdir():
        if path.name != f"{generation}{SUFFIX}" and (path.suffix == SUFFIX or path.name.startswith(TMP_PREFIX)):
            if path.name.startswith(TMP_PREFIX) and time.time() - path.stat().st_mtime < 24 * 3600:
                continue  # perhaps another run's file in progress
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


class StoredAnswers:
    """The stored answers of one generation, read-only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        self.meta = dict(self._db.execute("SELECT key, value FROM meta"))
        self._pages_current = self.meta.get("describe") == describe_digest()

    @classmethod
    def of(cls, store: EmbeddedStore, generation: str) -> "StoredAnswers | None":
        path = answers_path(store, generation)
        return cls(path) if path.exists() else None

    def page(self, query: NamedQuery, arguments: str, limit: int, offset: int) -> tuple[list[str], list[dict], int] | None:
        """(columns, rows as SPARQL JSON cells by column, total) of rows ``offset`` to
        ``offset + limit``, or None when this answer (of the query as it is now) is not stored."""
        found = self._db.execute(
            "SELECT id, columns, rows FROM answer WHERE query = ? AND digest = ? AND arguments = ?",
            (query.name, digest(query.sparql), arguments),
        ).fetchone()
        if found is None:
            return None
        answer, columns, total = found[0], json.loads(found[1]), found[2]
        rows = self._db.execute(
            "SELECT cells FROM solution WHERE answer = ? AND n >= ? AND n < ? ORDER BY n", (answer, offset, offset + limit)
        )
        return columns, [dict(zip(columns, json.loads(cells))) for (cells,) in rows], total

    def description(self, iri: str):
        """The stored page data of ``iri``'s default view, or None."""
        if not self._pages_current:
            return None
        found = self._db.execute("SELECT description FROM page WHERE iri = ?", (iri,)).fetchone()
        if found is None:
            return None
        page = pickle.loads(found[0])
        page.generation = self.meta.get("generation", page.generation)  # a page copied from an earlier generation's file
        return page

    def computed(self) -> set[tuple[str, str]]:
        """(query name, digest of its text) of every answer held."""
        return set(self._db.execute("SELECT DISTINCT query, digest FROM answer"))

    def unstored(self) -> dict[tuple[str, str], str]:
        """(query name, digest of its text) -> why, of each question the run left unstored."""
        try:
            return {(query, text): why for query, text, why in self._db.execute("SELECT query, digest, why FROM unstored")}
        except sqlite3.OperationalError:  # a file written before this table was
            return {}

    def queries(self) -> Iterator[tuple[str, str, int]]:
        yield from self._db.execute("SELECT query, arguments, rows FROM answer ORDER BY query, arguments")

    def pages(self) -> list[str]:
        return [iri for (iri,) in self._db.execute("SELECT iri FROM page ORDER BY iri")]

    def close(self) -> None:
        self._db.close()
