"""A named query's parameters bound as RDF terms, by VALUES blocks, on every store.

pyoxigraph can bind a query's variables to terms before evaluation (``substitutions``,
SEP-0007); the SPARQL 1.1 Protocol has no such thing. The standard way is a ``VALUES``
block: we put one first in the WHERE clause's group (``WHERE { VALUES (?a ?b) { (<x>
"y") } ... }``) and in every group pattern below it that mentions the variable, so
that what a group evaluates on its own (a FILTER in a UNION branch, an OPTIONAL) sees
the value as a substitution would (``tests/live/test_remote_store.py`` compares every
named query on both stores). The terms are written by pyoxigraph in N-Triples syntax, so a value can
never change the query's text around it.

The embedded store is given the same text (:func:`ask`): pyoxigraph plans a query around
the values it can see in it, not around substitutions (``body-work`` for one body on the
1 000 000-activity set 2.7 times faster; docs/performance.md), and it folds ``BOUND(?p)`` of
a substituted variable that no pattern binds to false.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import pyoxigraph as ox

from policykg.namespaces import XSD
from policykg.runtime.sparqllex import Lexer


def ask(reader, sparql: str, substitutions: Mapping[ox.Variable, object] | None = None, **options):
    """``reader.query(sparql, **options)`` with ``substitutions`` bound by VALUES (:func:`bind`).

    A reader that binds parameters itself (a remote store's: ``binds_parameters``) is given
    them as they are; so is a query that VALUES cannot carry them in (no WHERE clause, a
    blank node)."""
    if substitutions and not getattr(reader, "binds_parameters", False):
        try:
            sparql, substitutions = bind(sparql, substitutions), None
        except (CannotBind, TypeError):
            pass
    if substitutions:
        options["substitutions"] = substitutions
    return reader.query(sparql, **options)


class CannotBind(ValueError):
    """The query has no group to put the bound values in (a DESCRIBE without WHERE)."""


def _tokens(sparql: str) -> list[tuple[str, int, int]]:
    return [(kind, start, end) for kind, start, end, _ in Lexer(sparql).tokens()]


def _where_index(sparql: str, tokens) -> int:
    """The index of the token '{' that opens the query's WHERE clause."""
    depth, after_where, first = 0, False, None
    for index, (kind, start, end) in enumerate(tokens):
        text = sparql[start:end]
        if kind == "word" and depth == 0 and text.upper() == "WHERE":
            after_where = True
        elif kind == "punct" and text == "{":
            if depth == 0 and after_where:
                return index
            if depth == 0 and first is None:
                first = index
            depth += 1
        elif kind == "punct" and text == "}":
            depth = max(0, depth - 1)
    if first is None:
        raise CannotBind("the query has no WHERE clause to bind its parameters in")
    return first


def bind(sparql: str, substitutions: Mapping[ox.Variable, object] | None,
         among: tuple[ox.Variable, Sequence[object]] | None = None) -> str:
    """``sparql`` with ``substitutions`` (variable -> pyoxigraph term) bound by VALUES:
    in the WHERE clause's group, and in every group pattern below it that mentions one
    of them (so that a FILTER deep inside sees the value, as with a substitution).
    ``among`` (a variable and terms) keeps the answer to the rows where a variable the query
    binds is one of several values (a stored answer asked in parts): one VALUES block in the
    WHERE clause's group only, which is the answer with the variable free, then restricted
    (Virtuoso gave up on such a block in every group that mentions it: "Stack Overflow in cost
    model")."""
    substitutions = dict(substitutions or {})
    choices: dict[ox.Variable, list] = {variable: [term] for variable, term in substitutions.items()}
    if among is not None:
        variable, terms = among
        if variable in choices:
            raise ValueError(f"cannot keep {variable} among values beside a substitution of it")
        if not terms:
            raise ValueError(f"cannot keep {variable} among no values")
        choices[variable] = list(terms)
    if not choices:
        return sparql
    for variable, terms in choices.items():
        for term in terms:
            if not isinstance(variable, ox.Variable) or not isinstance(term, (ox.NamedNode, ox.Literal)):
                raise TypeError(f"cannot bind {variable!r} to {term!r}: only IRIs and literals can be sent to a remote store")
    names = {variable.value: variable for variable in choices}
    nested = {variable.value for variable in substitutions}  # bound in groups below the WHERE clause's too
    tokens = _tokens(sparql)
    first = _where_index(sparql, tokens)
    insertions: list[tuple[int, dict]] = []
    stack: list[tuple[int, bool, set]] = []  # (offset after '{', a group pattern?, variables seen inside)
    values_block = False
    for index in range(first, len(tokens)):
        kind, start, end = tokens[index]
        text = sparql[start:end]
        if kind == "word" and text.upper() == "VALUES":
            values_block = True
        elif kind == "punct" and text == "{":
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            subquery = following is not None and following[0] == "word" and sparql[following[1]:following[2]].upper() == "SELECT"
            stack.append((end, not values_block and not subquery, set()))
        elif kind == "punct" and text == "}":
            if not stack:
                break
            offset, group, seen = stack.pop()
            if values_block and not group:
                values_block = False
            if stack:
                stack[-1][2].update(seen)
            wanted = set(names) if not stack and index > first and offset == tokens[first][2] else seen & nested
            if group and wanted:
                insertions.append((offset, {names[n]: choices[names[n]] for n in sorted(wanted)}))
            if not stack:
                break
        elif kind == "other" and text[0] in "?$" and stack:
            stack[-1][2].add(text[1:])
    for offset, bound in sorted(insertions, key=lambda item: item[0], reverse=True):
        sparql = sparql[:offset] + values_clause(bound) + sparql[offset:]
    return sparql


def values_clause(choices: Mapping[ox.Variable, Sequence[object]]) -> str:
    """One VALUES block: a row for each combination of the variables' terms."""
    names = " ".join(str(variable) for variable in choices)
    rows = " ".join(f"({' '.join(_written(term) for term in row)})" for row in itertools.product(*choices.values()))
    return f" VALUES ({names}) {{ {rows} }} "


def _written(term) -> str:
    """``term`` in N-Triples syntax (by pyoxigraph), a string with its datatype written out:
    Virtuoso reads a plain "Umeå" in a query as a narrow string (``STR()`` of it gave "Ume?"),
    and "Umeå"^^xsd:string, the same term, as it is."""
    if isinstance(term, ox.Literal) and not term.language and term.datatype.value == str(XSD.string):
        return f"{term}^^<{XSD.string}>"
    return str(term)
