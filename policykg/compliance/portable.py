"""The rules' functions written out in standard SPARQL, for a store that cannot call ours.

On the embedded store the rules call ``pkg:asOf``, ``pkg:mandatePeriodStart`` and
``pkg:followUpDue`` as pyoxigraph custom functions (:mod:`policykg.compliance.evaluate`).
A remote SPARQL server knows none of them, so each call is replaced, before the query is
sent, by the expression its definition in ``ontology/rules/functions.ttl`` computes, with
the check's day and follow-up day put in (:class:`~policykg.compliance.evaluate.CheckContext`).
Calls are found as tokens (never inside strings or comments) and may nest.
"""

from __future__ import annotations

from collections.abc import Mapping

from policykg.compliance import calendar
from policykg.namespaces import PKG, XSD
from policykg.runtime.sparqllex import Lexer

_DATE = f"<{XSD.date}>"
_INTEGER = f"<{XSD.integer}>"
_START = "-{:02d}-{:02d}".format(*calendar.PERIOD_START)


def _as_of(day: str, argument: str) -> str:
    return f'"{day}"^^{_DATE}'


def _follow_up_due(due: str, argument: str) -> str:
    month, day = calendar.parse_month_day(due)
    return f'STRDT(CONCAT(STR({_INTEGER}(SUBSTR(STR({argument}), 1, 4)) + 1), "-{month:02d}-{day:02d}"), {_DATE})'


def _mandate_period_start(argument: str) -> str:
    day = f"{_DATE}(SUBSTR(STR({argument}), 1, 10))"
    year = f"YEAR({day})"
    first, length = calendar.ELECTION_YEAR, calendar.PERIOD_YEARS
    election = f"{_INTEGER}({year} - ({year} - {first} - {length} * FLOOR(({year} - {first}) / {length})))"
    start = f'STRDT(CONCAT(STR({election}), "{_START}"), {_DATE})'
    before = f'STRDT(CONCAT(STR({election} - {length}), "{_START}"), {_DATE})'
    return f"IF({start} <= {day}, {start}, {before})"


def inline_functions(sparql: str, prefixes: Mapping[str, str], as_of: str, follow_up_due: str) -> str:
    """``sparql`` with every call of the rules' functions replaced by its expression."""
    names = {
        str(PKG.asOf): lambda argument: _as_of(as_of, argument),
        str(PKG.followUpDue): lambda argument: _follow_up_due(follow_up_due, argument),
        str(PKG.mandatePeriodStart): _mandate_period_start,
    }
    tokens = list(Lexer(sparql).tokens())
    if not tokens:
        return sparql
    inner = _replace(sparql, tokens, 0, len(tokens), names, prefixes)
    return sparql[: tokens[0][1]] + inner + sparql[tokens[-1][2] :]


def _iri(sparql: str, token, prefixes: Mapping[str, str]) -> str | None:
    kind, start, end, colon = token
    if kind == "iri":
        return sparql[start + 1 : end - 1]
    if kind == "pname" and sparql[start:colon] in prefixes:
        return prefixes[sparql[start:colon]] + sparql[colon + 1 : end]
    return None


def _replace(sparql: str, tokens, first: int, last: int, names, prefixes) -> str:
    """The text of ``tokens[first:last]`` (with what lies between them) with the calls replaced."""
    if first >= last:
        return ""
    out, index = [], first
    cursor = tokens[first][1]
    while index < last:
        token = tokens[index]
        function = names.get(_iri(sparql, token, prefixes))
        following = tokens[index + 1] if index + 1 < last else None
        if function is None or following is None or sparql[following[1] : following[2]] != "(":
            index += 1
            continue
        depth, close = 0, None
        for inner in range(index + 1, last):
            text = sparql[tokens[inner][1] : tokens[inner][2]]
            if tokens[inner][0] == "punct" and text == "(":
                depth += 1
            elif tokens[inner][0] == "punct" and text == ")":
                depth -= 1
                if depth == 0:
                    close = inner
                    break
        if close is None:
            index += 1
            continue
        out.append(sparql[cursor : token[1]])
        argument = _replace(sparql, tokens, index + 2, close, names, prefixes)
        out.append(function(argument))
        cursor = tokens[close][2]
        index = close + 1
    out.append(sparql[cursor : tokens[last - 1][2]])
    return "".join(out)
