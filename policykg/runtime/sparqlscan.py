"""A small SPARQL scanner: what a query or an update would reach outside the store
(``SERVICE`` and ``LOAD`` targets), whether pyoxigraph can survive it, and the few
facts about its shape the endpoint needs, without parsing or evaluating it.

Why a scanner: pyoxigraph gives no access to the algebra and evaluates ``SERVICE``
with real HTTP requests, so targets must be known *before* evaluation; rdflib's
parser costs tens of milliseconds a query.

Why it is sound: SPARQL's terminals are unambiguous except ``<``, which starts an
IRI where a term is expected and is the less-than operator in an expression. A
wrong guess could make the scanner read a string where the parser reads code
(``FILTER(?a<'#>') SERVICE <...>``). So the scanner follows *both* readings of
every ``<`` and reports a target found in any of them. pyoxigraph needs no space
between keywords (``SERVICESILENT<...>``, ``SERVICE:x{}``, ``?o trueSERVICE:x{}``,
where ``true`` is read first), so a keyword is looked for everywhere inside bare
words and the prefixes of prefixed names, not only as a whole token. Where a
prefix is declared more than once, every declaration counts. The price is an
occasional false alarm (a prefix named ``myservice:``), never a missed target.
pyoxigraph reads ``\\u`` escapes only inside IRIs and strings (``\\u0053ERVICE``
is no keyword to it), and so does the scanner.

Why it is fast: the readings are walked in the order of their positions, so that
readings that meet at a token merge and each token start is read once, and
:mod:`policykg.runtime.sparqllex` reads each token in time that does not grow with
the rest of the text. ``bench/scanner.py`` measures hostile shapes of 1 MiB.

What pyoxigraph 0.5.13 survives (``bench/engine_limits.py``: one query on an empty
store in a process's main thread, 8 MiB of stack, as in a query process): its parser
and planner recurse, and a stack overflow kills the process (signal 11; the client got
500). It dies at about 850 nested ``FILTER EXISTS { }``, 960 nested function calls,
2 240 nested groups ``{ }`` (in an update too), 2 560 nested subqueries, 2 600 nested
``MINUS``, 2 900 nested ``OPTIONAL`` or ``GRAPH``, 3 600 nested blank nodes in a
CONSTRUCT template, 4 700 nested parentheses, 9 500 ``!`` in a row, 13 800 nested
path parentheses; 2 600 ``MINUS``, 2 600 ``BIND`` or 9 500 ``FILTER`` in one group,
2 600 projected ``(expr AS ?v)``, 6 900 terms of ``+``, 9 500 of ``||`` or ``&&``,
11 000 path alternatives ``|``. It runs for minutes (stopped by the time limit) on
140 objects ``?s ?p ?o1, ?o2, ...``, 196 triple patterns, 220 ``OPTIONAL`` in one
group, 264 nested collections ``( ( ) )``, 528 steps ``a/a/...`` of a path, 544
nested blank nodes, 132 nested reifiers ``<< ... >>`` (64: 1.3 s) or 4 000 ``UNION``
branches; nested triple terms ``<<( ... )>>`` kill it at 6 000.
``VALUES`` rows, ``IN`` lists, ``CONCAT`` arguments, CONSTRUCT templates and update
operations up to 1 MiB are fine. :mod:`policykg.runtime.sparqllimits` refuses, well
below these, what can kill the process (and the cheapest of the long runs: OPTIONAL,
UNION, nesting); the other long runs cost CPU until the time limit, as any slow query.
"""

from __future__ import annotations

import heapq
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace

from policykg.runtime.sparqllex import VAR, Lexer, find_all, unescape_iri, unescape_local
from policykg.runtime.sparqllimits import Complexity, QueryTooComplex, ScanTimeout

__all__ = ["QueryTooComplex", "Scan", "ScanTimeout", "Target", "scan", "with_using"]

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
_CALL = re.compile(r"\s*\(")
_REMOTE = {"SERVICE": re.compile("(?i)SERVICE"), "LOAD": re.compile("(?i)LOAD")}
_CACHE_SIZE = 2048


@dataclass(frozen=True)
class Target:
    """Where a ``SERVICE`` or ``LOAD`` would go: ``iri`` (expanded), or a variable."""

    keyword: str  # SERVICE or LOAD
    iri: str | None
    variable: str | None
    line: int
    column: int

    @property
    def where(self) -> str:
        return f"line {self.line}, column {self.column}"


@dataclass(frozen=True)
class Scan:
    """What the endpoint needs to know about a request's text."""

    #: SELECT, ASK, CONSTRUCT, DESCRIBE for a query; the first keyword of an update; or None.
    form: str | None
    targets: tuple[Target, ...] = ()
    #: The query names its own dataset (FROM / FROM NAMED).
    has_dataset_clause: bool = False
    #: The update names its own dataset (USING / USING NAMED / WITH).
    has_using_or_with: bool = False
    #: Offsets of top-level WHERE keywords of DELETE/INSERT operations (where USING goes).
    where_offsets: tuple[int, ...] = ()
    deterministic: bool = True
    prefixes: dict[str, frozenset[str]] = field(default_factory=dict)
    #: The deepest nesting of ``{ ( [`` in any reading (at most ``sparqllimits.MAX_DEPTH``).
    depth: int = 0
    #: Seconds the scan took (0.0 when the result came from the cache).
    seconds: float = 0.0

    @property
    def is_update(self) -> bool:
        return self.form in UPDATE_KEYWORDS


_cache: OrderedDict[tuple[str, bool], Scan] = OrderedDict()
_cache_lock = threading.Lock()


def scan(text: str, *, update: bool = False, deadline: float | None = None) -> Scan:
    """Scan a query (or, with ``update``, an update request).

    ``deadline`` (a ``time.monotonic()`` value, e.g. the start of the request plus
    the query's time limit) stops a scan that runs past it with :class:`ScanTimeout`;
    ``Scan.seconds`` tells how much of the limit the scan used. Raises
    :class:`QueryTooComplex` for a text pyoxigraph could not survive (the message
    names what is too deep or too long, the limit, and where).
    """
    key = (text, update)
    with _cache_lock:
        known = _cache.get(key)
        if known is not None:
            _cache.move_to_end(key)
            return replace(known, seconds=0.0)
    started = time.monotonic()
    result = _Walk(text, update, deadline).run()
    result = replace(result, seconds=time.monotonic() - started)
    with _cache_lock:
        _cache[key] = result
        if len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return result


def clear_cache() -> None:
    """Forget the scans kept for texts seen before (benchmarks and tests)."""
    with _cache_lock:
        _cache.clear()


class _Walk:
    """One scan: every reading of the text, in the order of positions."""

    def __init__(self, text: str, update: bool, deadline: float | None) -> None:
        self.text, self.update, self.deadline = text, update, deadline
        self.lexer = Lexer(text)
        self.complexity = Complexity(self.lexer, deadline)
        #: Where a keyword (SERVICE, LOAD) starts, in any reading.
        self.keywords: dict[str, set[int]] = {"SERVICE": set(), "LOAD": set()}
        self.prefix_tokens: list[int] = []
        # the primary reading (every '<' that can start an IRI does): the request's shape
        self.form: str | None = None
        self.dataset = self.using = False
        self.wheres: list[int] = []
        self.braces = self.parens = 0
        self.previous = ""

    def run(self) -> Scan:
        self._walk()
        prefixes = self._declarations()
        targets = self._targets("SERVICE", prefixes)
        if self.update:
            targets += self._targets("LOAD", prefixes)
        return Scan(
            form=self.form,
            targets=tuple(targets),
            has_dataset_clause=self.dataset and not self.update,
            has_using_or_with=self.using and self.update,
            where_offsets=tuple(self.wheres) if self.update else (),
            deterministic=self._deterministic(),
            prefixes={k: frozenset(v) for k, v in prefixes.items()},
            depth=self.complexity.deepest,
        )

    # --- the walk ---------------------------------------------------------------

    def _walk(self) -> None:
        lexer, text, size, complexity = self.lexer, self.text, len(self.text), self.complexity
        skip, plain_run, lex, step = lexer.skip, lexer.plain_run, lexer.lex, complexity.step
        punctuation = complexity.punctuation
        heap = [0]
        # where readings wait: position -> (state, primary); a state is what
        # Complexity.punctuation keeps of a reading (depth, operators in a row)
        waiting: dict[int, tuple[tuple[int, int, int], bool]] = {0: ((0, 0, 0), True)}
        while heap:
            pos = heapq.heappop(heap)
            state, primary = waiting.pop(pos)
            while True:
                if pos < size and text[pos] in " \t\r\n#":
                    pos = skip(pos)
                if pos >= size:
                    break
                if pos in waiting:  # another reading is here: one future for both
                    other, other_primary = waiting[pos]
                    waiting[pos] = (_larger(state, other), primary or other_primary)
                    break
                if heap and pos > heap[0]:  # a reading further back goes first
                    waiting[pos] = (state, primary)
                    heapq.heappush(heap, pos)
                    break
                step()
                if self.form is not None or not primary:
                    end = plain_run(pos)
                    if end > pos:
                        state = punctuation(pos, end, state)
                        if primary:
                            self._primary_plain(complexity.last_code)
                        pos = end
                        continue
                kind, end, colon = lex(pos)
                if kind == "punct":
                    state = punctuation(pos, end, state)
                else:
                    if state[1]:
                        state = (state[0], 0, state[2])
                    if kind == "word":
                        self._word(pos, end, primary)
                    elif kind == "pname":
                        self._keywords_in(pos, colon)
                    elif kind == "iri":
                        alt = pos + 1  # the other reading: '<' as an operator
                        other = waiting.get(alt)
                        complexity.count_reading(pos)
                        if other is None:
                            waiting[alt] = (state, False)
                            heapq.heappush(heap, alt)
                        else:
                            waiting[alt] = (_larger(state, other[0]), other[1])
                if primary:
                    self._primary_token(kind, pos, end)
                pos = end

    def _word(self, start: int, end: int, primary: bool) -> None:
        self._keywords_in(start, end)
        if primary:
            word = self.text[start:end].upper()
            if self.form is None and word not in ("PREFIX", "BASE"):
                self.form = word
            if self.braces == 0 and self.parens == 0:
                if word.startswith("FROM"):
                    self.dataset = True
                elif word.startswith("USING") or word == "WITH":
                    self.using = True
                elif word == "WHERE" and self.previous != "DELETE":
                    self.wheres.append(start)
            self.previous = word

    def _keywords_in(self, start: int, end: int) -> None:
        """Keywords inside a bare word or a prefixed name's prefix (glued ones too)."""
        text = self.text
        self.complexity.count_keywords(start, end)
        if text[start : start + 6].upper() == "PREFIX":
            self.prefix_tokens.append(start)
        for keyword, pattern in _REMOTE.items():
            for match in pattern.finditer(text, start, end):
                self.keywords[keyword].add(match.start())

    def _primary_token(self, kind: str, start: int, end: int) -> None:
        if kind == "punct":
            char = self.text[start]
            self.braces += (char == "{") - (char == "}")
            self.parens += (char == "(") - (char == ")")
            self.previous = char
        elif kind != "word":
            self.previous = kind

    def _primary_plain(self, run: str) -> None:
        self.braces += run.count("{") - run.count("}")
        self.parens += run.count("(") - run.count(")")
        self.previous = "plain"

    def _deterministic(self) -> bool:
        """No call of RAND, NOW, UUID, STRUUID or BNODE (anywhere: strings too), whose
        value changes between runs: such results must not be cached."""
        text, lowered = self.text, self.lexer.lowered
        for name in ("rand", "now", "uuid", "bnode"):
            for index in find_all(lowered, name.encode()):
                before = text[index - 1] if index else " "
                if index >= 3 and lowered[index - 3 : index] == b"str" and name == "uuid":
                    before = text[index - 4] if index >= 4 else " "
                if not (before.isalnum() or before == "_") and _CALL.match(text, index + len(name)):
                    return False
        return True

    # --- what the readings name ---------------------------------------------------

    def _declarations(self) -> dict[str, set[str]]:
        """Every ``PREFIX name: <iri>`` in any reading (keywords may be glued to the name)."""
        lexer, text = self.lexer, self.text
        found: dict[str, set[str]] = {}
        for start in sorted(self.prefix_tokens):
            pos = lexer.skip(start + 6)
            if pos >= len(text):
                continue
            colon = lexer.prefix_end(pos)
            if colon is None:
                continue
            iri = lexer.skip(colon + 1)
            if iri < len(text) and text[iri] == "<" and (end := lexer.iri_end(iri)) is not None:
                found.setdefault(text[pos:colon], set()).add(unescape_iri(text[iri + 1 : end - 1]))
        return found

    def _read_target(self, pos: int, keyword: str, prefixes: dict[str, set[str]]) -> list[tuple]:
        """The possible targets (offset, iri, variable) of a keyword that ends at ``pos``."""
        lexer, text = self.lexer, self.text
        pos = lexer.skip(pos)
        if pos >= len(text):
            return []
        if keyword == "SERVICE" and text[pos] in "?$":
            name = VAR.match(text, pos)
            return [(pos, None, name.group(0) if name else text[pos])]
        if text[pos] == "<":
            end = lexer.iri_end(pos)
            return [(pos, unescape_iri(text[pos + 1 : end - 1]), None)] if end is not None else []
        kind, end, colon = lexer.lex(pos)
        if kind != "pname" or text[pos:colon] not in prefixes:
            return []  # an undeclared prefix or no term: the parser cannot make a call of it
        local = unescape_local(text[colon + 1 : end])
        return [(pos, base + local, None) for base in sorted(prefixes[text[pos:colon]])]

    def _targets(self, keyword: str, prefixes: dict[str, set[str]]) -> list[Target]:
        found: dict[tuple, tuple] = {}
        for start in sorted(self.keywords[keyword]):
            after = start + len(keyword)
            candidates = self._read_target(after, keyword, prefixes)
            silent = self.lexer.skip(after)
            if self.text[silent : silent + 6].upper() == "SILENT":
                candidates += self._read_target(silent + 6, keyword, prefixes)
            for offset, iri, variable in candidates:
                found[(iri, variable, offset)] = (offset, iri, variable)
                self.complexity.count_target(offset, len(found))
        targets = []
        for offset, iri, variable in found.values():
            line, column = self.lexer.line_column(offset)
            targets.append(Target(keyword, iri, variable, line, column))
        return targets


def _larger(one: tuple[int, ...], other: tuple[int, ...]) -> tuple[int, ...]:
    """Where two readings meet, the state that bounds both."""
    return tuple(map(max, one, other))


def with_using(text: str, scan_result: Scan, default_graphs: list[str], named_graphs: list[str]) -> str:
    """The update with ``USING``/``USING NAMED`` clauses (the protocol's
    ``using-graph-uri``/``using-named-graph-uri``) before each operation's WHERE.

    The IRIs must already be checked (pyoxigraph's ``NamedNode`` refuses anything
    that is not an IRI, so they cannot close the ``<...>`` they are written in).
    """
    clause = " ".join([f"USING <{g}>" for g in default_graphs] + [f"USING NAMED <{g}>" for g in named_graphs])
    out, last = [], 0
    for offset in scan_result.where_offsets:
        out += [text[last:offset], clause, " "]
        last = offset
    out.append(text[last:])
    return "".join(out)


def target_span(text: str, line: int, column: int) -> tuple[int, int]:
    """Where the IRI or prefixed name of a :class:`Target` reported at ``line``, ``column`` is in ``text``."""
    start = 0
    for _ in range(line - 1):
        start = text.index("\n", start) + 1
    start += column - 1
    lexer = Lexer(text)
    if text.startswith("<", start):
        return start, lexer.iri_end(start)
    return start, lexer.local_end(lexer.prefix_end(start) + 1)
