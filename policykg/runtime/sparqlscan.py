"""A small SPARQL scanner: what a query or an update would reach outside the store
(``SERVICE`` and ``LOAD`` targets), and the few facts about its shape the endpoint
needs, without parsing or evaluating it.

Why a scanner: pyoxigraph gives no access to the algebra and evaluates ``SERVICE``
with real HTTP requests, so targets must be known *before* evaluation; rdflib's
parser costs tens of milliseconds a query.

Why it is sound: SPARQL's terminals are unambiguous except ``<``, which starts an
IRI where a term is expected and is the less-than operator in an expression. A
wrong guess could make the scanner read a string where the parser reads code
(``FILTER(?a<'#>') SERVICE <...>``). So the scanner follows *both* readings of
every ``<`` (a walk over token start positions, each visited once) and reports a
target found in any of them. pyoxigraph needs no space between keywords
(``SERVICESILENT<...>``, ``SERVICE:x{}``), so a keyword is looked for at the start
of every token, and inside bare words, not only as a whole token. Where a prefix
is declared more than once, every declaration counts. The price is an occasional
false alarm (a prefix named ``service:``), never a missed target.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

# --- terminals of the SPARQL 1.1 grammar (section 19.8) -----------------------

_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_U = _BASE + "_"
_CHARS = _U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = f"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_PN_LOCAL = f"(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"
_IRIREF = r"<((?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*)>"

_SPACE = re.compile(r"(?:[ \t\r\n]|#[^\r\n]*)*")
_TOKEN = re.compile(
    "|".join(
        [
            f"(?P<iri>{_IRIREF})",
            r"(?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''"
            r'|"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""'
            r"|'(?:[^'\\\n\r]|\\.)*'"
            r'|"(?:[^"\\\n\r]|\\.)*")',
            f"(?P<bnode>_:(?:[{_U}0-9])(?:[{_CHARS}.]*[{_CHARS}])?)",
            f"(?P<pname>(?P<prefix>{_PN_PREFIX})?:(?P<local>{_PN_LOCAL})?)",
            f"(?P<var>[?$][{_U}0-9][{_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*)",
            r"(?P<word>[A-Za-z_][A-Za-z0-9_]*)",
            r"(?P<number>[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)",
            r"(?P<lang>@[A-Za-z][A-Za-z0-9-]*)",
            r"(?P<punct>[\s\S])",
        ]
    )
)
_PNAME_NS = re.compile(f"({_PN_PREFIX})?:")
_PNAME = re.compile(f"({_PN_PREFIX})?:({_PN_LOCAL})?")
_IRI = re.compile(_IRIREF)
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LOCAL_ESCAPE = re.compile(r"\\([_~.\-!$&'()*+,;=/?#@%])")

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
#: Functions whose value changes between runs: such results must not be cached.
_NONDETERMINISTIC = re.compile(r"(?i)\b(?:RAND|NOW|UUID|STRUUID|BNODE)\s*\(")


@dataclass(frozen=True)
class Token:
    kind: str
    start: int
    end: int
    text: str


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

    @property
    def is_update(self) -> bool:
        return self.form in UPDATE_KEYWORDS


def _unescape_iri(text: str) -> str:
    return _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def _skip(text: str, pos: int) -> int:
    return _SPACE.match(text, pos).end()


def _lex(text: str, pos: int) -> Token:
    match = _TOKEN.match(text, pos)
    kind = match.lastgroup
    if kind in ("prefix", "local"):  # inner groups of a prefixed name
        kind = "pname"
    return Token(kind, pos, match.end(), match.group(0))


def primary_tokens(text: str) -> Iterator[Token]:
    """The tokens of the one reading in which every ``<`` that can start an IRI does."""
    pos = _skip(text, 0)
    while pos < len(text):
        token = _lex(text, pos)
        yield token
        pos = _skip(text, token.end)


def all_tokens(text: str) -> Iterator[Token]:
    """The tokens of every reading of the text (see the module's docstring)."""
    seen: set[int] = set()
    pending = [0]
    while pending:
        pos = pending.pop()
        while True:
            pos = _skip(text, pos)
            if pos >= len(text) or pos in seen:
                break
            seen.add(pos)
            token = _lex(text, pos)
            yield token
            if token.kind == "iri":
                pending.append(pos + 1)  # the other reading: '<' as an operator
            pos = token.end


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _declarations(text: str, tokens: list[Token]) -> dict[str, set[str]]:
    """Every ``PREFIX name: <iri>`` in any reading (keywords may be glued to the name)."""
    found: dict[str, set[str]] = {}
    for token in tokens:
        if token.kind not in ("word", "pname") or not token.text[:6].upper() == "PREFIX":
            continue
        pos = _skip(text, token.start + 6)
        name = _PNAME_NS.match(text, pos)
        if not name:
            continue
        iri = _IRI.match(text, _skip(text, name.end()))
        if iri:
            found.setdefault(name.group(1) or "", set()).add(_unescape_iri(iri.group(1)))
    return found


def _read_target(text: str, pos: int, keyword: str, prefixes: dict[str, set[str]]) -> list[Target]:
    """The possible targets of a SERVICE/LOAD whose keyword ends at ``pos``."""
    pos = _skip(text, pos)
    line, column = _line_column(text, pos)
    if keyword == "SERVICE" and text[pos : pos + 1] in ("?", "$"):
        name = _lex(text, pos)
        return [Target(keyword, None, name.text, line, column)]
    iri = _IRI.match(text, pos)
    if iri:
        return [Target(keyword, _unescape_iri(iri.group(1)), None, line, column)]
    pname = _PNAME.match(text, pos)
    if pname and (pname.group(1) or "") in prefixes:
        local = _LOCAL_ESCAPE.sub(r"\1", pname.group(2) or "")
        return [Target(keyword, base + local, None, line, column) for base in sorted(prefixes[pname.group(1) or ""])]
    return []  # an undeclared prefix or no term: the parser cannot make a call of it


def _targets(text: str, tokens: list[Token], keyword: str, prefixes: dict[str, set[str]]) -> list[Target]:
    found: list[Target] = []
    starts: set[int] = set()
    for token in tokens:
        if token.kind == "word":  # also inside glued keywords (OPTIONALSERVICE...)
            upper = token.text.upper()
            index = upper.find(keyword)
            while index >= 0:
                starts.add(token.start + index)
                index = upper.find(keyword, index + 1)
        elif token.kind == "pname" and token.text[: len(keyword)].upper() == keyword:
            starts.add(token.start)  # SERVICE:x is SERVICE with the target :x
    for start in sorted(starts):
        after = start + len(keyword)
        found += _read_target(text, after, keyword, prefixes)
        silent = _skip(text, after)
        if text[silent : silent + 6].upper() == "SILENT":
            found += _read_target(text, silent + 6, keyword, prefixes)
    unique = {(t.iri, t.variable, t.line, t.column): t for t in found}
    return list(unique.values())


def _shape(text: str) -> tuple[str | None, bool, bool, tuple[int, ...]]:
    """Form, FROM clause, USING/WITH, and the WHERE offsets, from the primary reading."""
    form = None
    dataset = using = False
    wheres: list[int] = []
    depth = parens = 0
    previous = ""
    for token in primary_tokens(text):
        if token.kind == "punct":
            ch = token.text
            depth += (ch == "{") - (ch == "}")
            parens += (ch == "(") - (ch == ")")
            previous = ch
            continue
        if token.kind != "word":
            previous = token.kind
            continue
        word = token.text.upper()
        if form is None and word not in ("PREFIX", "BASE"):
            form = word
        if depth == 0 and parens == 0:
            if word.startswith("FROM"):
                dataset = True
            elif word.startswith("USING") or word == "WITH":
                using = True
            elif word == "WHERE" and previous != "DELETE":
                wheres.append(token.start)
        previous = word
    return form, dataset, using, tuple(wheres)


@functools.lru_cache(maxsize=2048)
def scan(text: str, *, update: bool = False) -> Scan:
    """Scan a query (or, with ``update``, an update request)."""
    form, dataset, using, wheres = _shape(text)
    lowered = text.lower()
    needs_walk = "service" in lowered or (update and "load" in lowered)
    targets: list[Target] = []
    prefixes: dict[str, set[str]] = {}
    if needs_walk:
        tokens = list(all_tokens(text))
        prefixes = _declarations(text, tokens)
        targets = _targets(text, tokens, "SERVICE", prefixes)
        if update:
            targets += _targets(text, tokens, "LOAD", prefixes)
    return Scan(
        form=form,
        targets=tuple(targets),
        has_dataset_clause=dataset and not update,
        has_using_or_with=using and update,
        where_offsets=wheres if update else (),
        deterministic=not _NONDETERMINISTIC.search(text),
        prefixes={k: frozenset(v) for k, v in prefixes.items()},
    )


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
    match = _IRI.match(text, start) or _PNAME.match(text, start)
    return start, match.end()
