"""One stored question asked of a generation and its rows written into the answers file
(:mod:`policykg.publication.answers`): once with its defaults, or once per member of the class
of its one required IRI parameter, in one run with that parameter left free and the rows split
by its value."""

from __future__ import annotations

import functools
import hashlib
import json
import sqlite3
from typing import Callable

import pyoxigraph as ox

from policykg.namespaces import XSD
from policykg.runtime.binding import ask
from policykg.runtime.querylib import NamedQuery
from policykg.storebase import AnswerIncomplete

BATCH = 5000
MEMBERS = "SELECT DISTINCT ?class ?member WHERE { ?member a ?class }"

Progress = Callable[[str], None]


def arguments_key(substitutions: dict[str, ox.NamedNode | ox.Literal]) -> str:
    """The key of one set of arguments: the API looks answers up by it."""
    return json.dumps(sorted((name, str(term)) for name, term in substitutions.items()), ensure_ascii=False)


def cell(term) -> dict | None:
    """A term as a cell of the SPARQL 1.1 JSON results format, as pyoxigraph serializes it."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    found = {"type": "literal", "value": term.value}
    if term.language:
        found["xml:lang"] = term.language
    elif term.datatype.value != str(XSD.string):  # pyoxigraph leaves xsd:string out
        found["datatype"] = term.datatype.value
    return found


@functools.lru_cache(maxsize=256)  # looked up on every API request of a stored query
def digest(text: str) -> str:
    """What an answer was computed by: a stored answer of another query text, or a page
    described by another version of :mod:`policykg.runtime.describe`, is not served."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def store_query(db: sqlite3.Connection, reader: ox.Store, query: NamedQuery, iris,
                 progress: Progress | None = None) -> tuple[int, int, list[tuple[object, str]]]:
    """Store the query's answers: (how many answers, how many rows, the members left out and why).

    A query split by an IRI parameter is asked for every member at once; when the store
    cannot send that answer whole (Virtuoso's cap on rows), it is asked again for half of the
    members at a time, and so on down to one: each member's rows are those of the whole. A
    member whose own answer is cut is left out (answered per request)."""
    defaults = {name: p.to_term(p.default, iris) for name, p in query.parameters.items() if p.default not in (None, "")}
    split = next((p for p in query.parameters.values() if p.required), None)
    members = None
    if split is not None and split.rdf_class:  # every member has an answer, if empty
        members = [row["member"] for row in reader.query(
            MEMBERS, substitutions={ox.Variable("class"): ox.NamedNode(split.rdf_class)}, use_default_graph_as_union=True)]
    ids: dict[str, int] = {}
    counts: dict[int, int] = {}
    left_out: list[tuple[object, str]] = []
    parts: list[list | None] = [None]  # None: every value at once
    while parts:
        part = parts.pop(0)
        try:
            solutions = ask(
                reader, query.sparql, {ox.Variable(k): v for k, v in defaults.items()}, use_default_graph_as_union=True,
                **({"among": (ox.Variable(split.name), part)} if part is not None else {}),
            )
        except AnswerIncomplete as cut:
            values = members if part is None else part
            if not values:
                raise
            if len(values) == 1:
                left_out.append((values[0], str(cut)))
                key = arguments_key({**defaults, split.name: values[0]})
                if key in ids:  # made empty when a part before was answered
                    counts.pop(ids[key])
                    db.execute("DELETE FROM answer WHERE id = ?", (ids.pop(key),))
                continue
            half = (len(values) + 1) // 2
            parts[:0] = [values[:half], values[half:]]
            if progress:
                progress(f"answering {query.name} for {half} {split.name} values at a time (the store cut the answer)")
            continue
        columns = [variable.value for variable in solutions.variables]
        if not ids:
            if split is None:
                _answer_id(db, query, defaults, columns, ids, counts)
            for member in members or ():
                if all(member != out for out, _ in left_out):
                    _answer_id(db, query, {**defaults, split.name: member}, columns, ids, counts)
        batch = []
        for solution in solutions:
            if split is None:
                target = ids[arguments_key(defaults)]
            else:
                value = solution[split.name]
                if value is None:
                    continue
                target = _answer_id(db, query, {**defaults, split.name: value}, columns, ids, counts)
            batch.append((target, counts[target], json.dumps([cell(solution[c]) for c in columns], ensure_ascii=False)))
            counts[target] += 1
            if len(batch) >= BATCH:
                db.executemany("INSERT INTO solution VALUES (?, ?, ?)", batch)
                batch.clear()
        db.executemany("INSERT INTO solution VALUES (?, ?, ?)", batch)
    if members and len(left_out) == len(members):  # every member cut alone: nothing stored
        raise AnswerIncomplete(f"for each {split.name} alone: {left_out[0][1]}")
    db.executemany("UPDATE answer SET rows = ? WHERE id = ?", [(n, i) for i, n in counts.items()])
    return len(ids), sum(counts.values()), left_out


def left_out_said(query: NamedQuery, left_out: list[tuple[object, str]]) -> str:
    """What the report of the run says of the members left out of a question's stored answers."""
    split = next(p for p in query.parameters.values() if p.required)
    shown = ", ".join(str(member) for member, _ in left_out[:5]) + (", ..." if len(left_out) > 5 else "")
    return f"for {len(left_out)} {split.name} value(s) alone, {shown}, the rest stored: {left_out[0][1]}"


def _answer_id(db: sqlite3.Connection, query: NamedQuery, arguments: dict, columns: list[str],
               ids: dict[str, int], counts: dict[int, int]) -> int:
    """The row of ``arguments``' answer in table ``answer``, made the first time."""
    key = arguments_key(arguments)
    if key not in ids:
        cursor = db.execute(
            "INSERT INTO answer (query, digest, arguments, columns) VALUES (?, ?, ?, ?)",
            (query.name, digest(query.sparql), key, json.dumps(columns)),
        )
        ids[key] = cursor.lastrowid
        counts[ids[key]] = 0
    return ids[key]
