"""The lexer under :mod:`policykg.runtime.sparqlscan`: SPARQL 1.1 terminals (section 19.8)
read at any position of a text in time that does not grow with what lies after it.

A naive lexer re-reads the rest of the text at every position: a regular expression
for a prefixed name runs to the end of a long run of name characters before it
gives up (``a-a-a-…``), a string with no end runs to the end of the line or the
text. Here such questions are answered from indexes built once per text (where
runs of name characters end, which quotes can close a string, where lines end),
so lexing a token costs its own length plus a binary search; and runs of tokens
that cannot matter to the scanner are passed over by one regular expression
(:meth:`Lexer.plain_run`). What the lexer reads at any position is what the single
regular expression of the earlier scanner read there (``tests/unit/test_sparqllex.py``
compares the two on random texts).
"""

from __future__ import annotations

import bisect
import re
import urllib.parse
from collections.abc import Iterator
from functools import cached_property
from itertools import accumulate, repeat
from operator import add, sub

#: Where a SPARQL syntax error is, as pyoxigraph (and Oxigraph server, its own parser) says it:
#: ``error at LINE:COLUMN: what``.
SYNTAX_POSITION = re.compile(r"error at (\d+):(\d+): ")

# --- terminals of the SPARQL 1.1 grammar (section 19.8) -----------------------

_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_U = _BASE + "_"
_CHARS = _U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_IRI_BODY = r"(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*+"

_IRI = re.compile("<" + _IRI_BODY)
_NAME_RUN = re.compile(f"[{_CHARS}.]+")
_IS_BASE = re.compile(f"[{_BASE}]")
_LOCAL_UNITS = re.compile(f"(?:[{_CHARS}.:]|{_PLX})*+")
_LOCAL_FIRST = re.compile(f"[{_U}:0-9]|{_PLX}")
VAR = re.compile(f"[?$][{_U}0-9][{_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?")
_LANG = re.compile(r"@[A-Za-z][A-Za-z0-9-]*")
_SPACE = re.compile(r"[ \t\r\n]*")
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LOCAL_ESCAPE = re.compile(r"\\([_~.\-!$&'()*+,;=/?#@%])")

#: Words the scanner looks for inside other words (keywords it reports, and those
#: of the request's shape): a plain run stops before any token that holds one.
WATCHED_WORDS = ("SERVICE", "LOAD", "PREFIX", "FROM", "USING", "WITH", "WHERE", "DELETE")
#: Tokens that cannot start a reading of their own or change what a reading is.
#: Each alternative reads exactly what ``Lexer.lex`` reads at its first character:
#: white space and punctuation; '<' that starts no IRI (its body is followed by a
#: character, and not by '>'), '<<' as one token when neither starts an IRI; an IRI
#: whose other reading (code from its '<') cannot be valid SPARQL or nest: nothing
#: in it could end the expression that '<' began before its '>' (no ``) , ; &``,
#: quote, '#' or escape), and no two prefix operators in a row (those recurse while
#: parsing); strings without escapes (the long form only where it closes, the short
#: form not at a triple quote); variables, numbers, language tags; runs of name
#: characters that are no prefixed name.
_PUNCTUATION = r"[ \t\r\n{}()\[\],;*/=!&|^+\->\\~%`]+"
_LESS_THAN = f"<<(?={_IRI_BODY}[^>])|<(?={_IRI_BODY}[^>])"
_NAMES = f"[{_U}][{_CHARS}.]*+(?!:)"
_NOT_CODE = (
    r"<(?:[^<>\"{}|^`\\\x00-\x20'#()\[\]&,;!+\-]|[!+\-](?![!+\-]))*>"
    r"|'''(?:(?:'|'')?[^'\\])*+'''"
    r'|"""(?:(?:"|"")?[^"\\])*+"""'
    r"|'(?!'')[^'\\\n\r]*'"
    r'|"(?!"")[^"\\\n\r]*"'
    f"|{VAR.pattern}|{_NUMBER.pattern}|{_LANG.pattern}"
)
_PLAIN_RUN = re.compile(f"(?:(?P<t>{_PUNCTUATION}|{_NOT_CODE}|{_LESS_THAN}|{_NAMES}|[.?$@]))++")
#: The same tokens, to keep what is code (punctuation, names) and take out the rest:
#: the operators and brackets of a plain run (see ``code_of``).
CODE_ONLY = re.compile(f"(?P<p>{_PUNCTUATION})|{_NOT_CODE}|(?P<l>{_LESS_THAN})|(?P<n>{_NAMES})|[.?$@]")
_MAYBE_NOT_CODE = re.compile(r"[>'\"@?$0-9]")  # no '>': no IRI in the run


#: The longest stretch a plain run reads at once (a longer run is read in pieces, so
#: that the limits and the deadline are checked as it goes).
_RUN_PIECE = 1 << 14


class Lexer:
    """Reads tokens of one text at any position; see the module's docstring."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.size = len(text)
        #: Characters read so far (tokens, skipped space): what the scan has cost.
        self.work = 0
        self._locals: dict[int, int] = {}
        self._iris: dict[int, int | None] = {}
        self._skips: dict[int, int] = {}
        self._run_ends: dict[int, int] = {}
        self._run = (0, 0)

    # --- indexes, built on first use ------------------------------------------

    @cached_property
    def _newlines(self) -> list[int]:
        return _positions(self.text, "\n")

    @cached_property
    def _line_breaks(self) -> list[int]:
        """Where comments end: line feeds and carriage returns."""
        returns = _positions(self.text, "\r")
        return sorted(self._newlines + returns) if returns else self._newlines

    @cached_property
    def lowered(self) -> bytes:
        """The text in ASCII lower case, one byte a character (others are '?')."""
        return self.text.encode("ascii", "replace").lower()

    @cached_property
    def _watched(self) -> list[int]:
        return sorted(i for word in WATCHED_WORDS for i in find_all(self.lowered, word.lower().encode()))

    def _unescaped(self, char: str) -> list[int]:
        """Where ``char`` occurs after an even run of backslashes (so not escaped)."""
        return [m.end() - 1 for m in re.finditer(r"(?<!\\)(?:\\\\)*" + re.escape(char), self.text)]

    @cached_property
    def _closers(self) -> dict[str, list[int]]:
        """Per quote character: where one can close a short string."""
        return {quote: self._unescaped(quote) for quote in "'\""}

    @cached_property
    def _triple_closers(self) -> dict[str, list[int]]:
        """Per quote character: where three can close a long string (the first one not escaped)."""
        return {
            q: [m.end() for m in re.finditer(r"(?<!\\)(?:\\\\)*(?=" + q * 3 + ")", self.text)] for q in "'\""
        }

    @cached_property
    def _short_string_ends(self) -> list[int]:
        """Where a short string fails: any line feed, or a carriage return not escaped."""
        return sorted(self._newlines + self._unescaped("\r"))

    @cached_property
    def _long_string_ends(self) -> list[int]:
        """Where a long string fails: a backslash before a line feed (no escape)."""
        return [m.end() - 1 for m in re.finditer(r"(?<!\\)\\(?:\\\\)*\n", self.text)]

    # --- questions answered from the indexes ----------------------------------

    def line_column(self, offset: int) -> tuple[int, int]:
        """1-based line and column of ``offset`` (lines end at line feeds)."""
        newlines = self._newlines
        index = bisect.bisect_left(newlines, offset)
        start = newlines[index - 1] + 1 if index else 0
        return index + 1, offset - start + 1

    def name_run_end(self, pos: int) -> int:
        """The end of the run of name characters (PN_CHARS and '.') that holds ``pos``."""
        start, end = self._run
        if start <= pos < end:
            return end
        end = self._run_ends.get(pos)
        if end is None:
            match = _NAME_RUN.match(self.text, pos)
            end = match.end() if match else pos
            self.work += end - pos
            self._run_ends[pos] = end
        self._run = (pos, end)
        return end

    def skip(self, pos: int) -> int:
        """The first position from ``pos`` that is not white space or in a comment."""
        memo, text, size, path = self._skips, self.text, self.size, []
        while True:
            known = memo.get(pos)
            if known is not None:
                end = known
                break
            path.append(pos)
            end = _SPACE.match(text, pos).end()
            self.work += end - pos + 1
            if end < size and text[end] == "#":
                pos = _first_at_or_after(self._line_breaks, end, size)
                continue
            break
        for visited in path:
            memo[visited] = end
        return end

    # --- tokens ------------------------------------------------------------------

    def iri_end(self, pos: int) -> int | None:
        """The end of the IRIREF at ``pos`` (a '<'), or None if there is none."""
        if pos not in self._iris:
            body = _IRI.match(self.text, pos).end()
            self.work += body - pos
            self._iris[pos] = body + 1 if body < self.size and self.text[body] == ">" else None
        return self._iris[pos]

    def _string_end(self, pos: int) -> int | None:
        """The end of the string at ``pos`` (a quote), or None: the long form first, then the short."""
        quote = self.text[pos]
        if self.text.startswith(quote * 3, pos):
            close = _first_at_or_after(self._triple_closers[quote], pos + 3)
            if close is not None and close < _first_at_or_after(self._long_string_ends, pos, self.size):
                self.work += close + 3 - pos
                return close + 3
        close = _first_at_or_after(self._closers[quote], pos + 1)
        if close is not None and close < _first_at_or_after(self._short_string_ends, pos, self.size):
            self.work += close + 1 - pos
            return close + 1
        return None

    def prefix_end(self, pos: int) -> int | None:
        """Where the colon of the prefixed name (or PNAME_NS) at ``pos`` is, or None."""
        text = self.text
        if text[pos] == ":":
            return pos
        if not _IS_BASE.match(text, pos):
            return None
        colon = self.name_run_end(pos)
        if colon >= self.size or text[colon] != ":" or text[colon - 1] == ".":
            return None
        return colon

    def local_end(self, pos: int) -> int:
        """The end of PN_LOCAL at ``pos`` (``pos`` itself if there is none)."""
        known = self._locals.get(pos)
        if known is None:
            text = self.text
            known = pos
            if _LOCAL_FIRST.match(text, pos):
                end = _LOCAL_UNITS.match(text, pos).end()
                self.work += end - pos
                while end > pos + 1 and text[end - 1] == "." and text[end - 2] != "\\":
                    end -= 1
                known = end
            self._locals[pos] = known
        return known

    def lex(self, pos: int) -> tuple[str, int, int]:
        """(kind, end, the colon's position for a prefixed name) of the token at ``pos``.

        Kinds: iri, string, bnode, pname, word, other (a variable, number or
        language tag) and punct (one character)."""
        text = self.text
        char = text[pos]
        self.work += 1
        if char == "<":
            end = self.iri_end(pos)
            return ("iri", end, 0) if end is not None else ("punct", pos + 1, 0)
        if char == "'" or char == '"':
            end = self._string_end(pos)
            return ("string", end, 0) if end is not None else ("punct", pos + 1, 0)
        if char == "_" and text.startswith("_:", pos):
            label = pos + 2
            if label < self.size and (text[label] == "_" or "0" <= text[label] <= "9" or _IS_BASE.match(text, label)):
                end = self.name_run_end(label)
                self.work += end - label
                while text[end - 1] == ".":
                    end -= 1
                return "bnode", end, 0
        if char == ":" or _IS_BASE.match(text, pos):
            colon = self.prefix_end(pos)
            if colon is not None:
                return "pname", self.local_end(colon + 1), colon
        match = None
        if char == "?" or char == "$":
            match = VAR.match(text, pos)
        elif char == "_" or "A" <= char <= "Z" or "a" <= char <= "z":
            match = _WORD.match(text, pos)
            self.work += match.end() - pos
            return "word", match.end(), 0
        elif "0" <= char <= "9" or char == ".":
            match = _NUMBER.match(text, pos)
        elif char == "@":
            match = _LANG.match(text, pos)
        if match:
            self.work += match.end() - pos
            return "other", match.end(), 0
        return "punct", pos + 1, 0

    def tokens(self, pos: int = 0) -> Iterator[tuple[str, int, int, int]]:
        """Each token from ``pos`` on, space and comments skipped: (kind, start, end, colon)."""
        while (pos := self.skip(pos)) < self.size:
            kind, end, colon = self.lex(pos)
            yield kind, pos, end, colon
            pos = end

    def plain_run(self, pos: int) -> int:
        """The end of the run of plain tokens (see ``_PLAIN_RUN``) at ``pos``; ``pos`` if none.

        The run is read only up to the next watched word, and its last token then
        (which may go on past that point) is left to :meth:`lex`."""
        limit = min(_first_at_or_after(self._watched, pos, self.size), pos + _RUN_PIECE)
        match = _PLAIN_RUN.match(self.text, pos, limit)
        if not match:
            return pos
        end = match.end()
        if end == limit < self.size:
            end = match.start("t")
        self.work += end - pos
        return end


def code_of(run: str) -> str:
    """A plain run with every token that is not code (IRI, string, variable, number,
    language tag) taken out; a NUL character stands between any two tokens."""
    if not _MAYBE_NOT_CODE.search(run):
        return run
    return "\x00".join(map("".join, CODE_ONLY.findall(run)))  # (p, l, n): one is not empty


def find_all(haystack: bytes, needle: bytes) -> list[int]:
    """Every position of ``needle`` in ``haystack``, overlapping ones too."""
    found, index = [], haystack.find(needle)
    while index >= 0:
        found.append(index)
        index = haystack.find(needle, index + 1)
    return found


def _positions(text: str, char: str) -> list[int]:
    """Every position of ``char`` in ``text`` (counted in C: lengths of the pieces between)."""
    pieces = text.split(char)
    if len(pieces) == 1:
        return []
    ends = list(accumulate(map(add, map(len, pieces), repeat(1))))
    ends.pop()
    return list(map(sub, ends, repeat(1)))


def _first_at_or_after(positions: list[int], pos: int, default: int | None = None) -> int | None:
    index = bisect.bisect_left(positions, pos)
    return positions[index] if index < len(positions) else default


def unescape_iri(text: str) -> str:
    return _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def unescape_local(text: str) -> str:
    return _LOCAL_ESCAPE.sub(r"\1", text)


def resolved_tokens(text: str, base_iri: str | None) -> Iterator[tuple[str, int, int, str, str | None]]:
    """The tokens of a query or update: (kind, start, end, text, IRI). Words are upper-cased;
    an IRI or a prefixed name comes with the absolute IRI it names, read by the text's own
    ``PREFIX`` and ``BASE`` declarations and the base it is sent with (None for a prefix it
    does not declare)."""
    prefixes: dict[str, str] = {}
    base, before, last = base_iri, ("", 0, 0, "", None), ("", 0, 0, "", None)
    for kind, pos, end, colon in Lexer(text).tokens():
        word = text[pos:end].upper() if kind == "word" else text[pos:end]
        iri = None
        if kind == "iri":
            iri = urllib.parse.urljoin(base, word[1:-1]) if base else word[1:-1]
        elif kind == "pname" and text[pos:colon] in prefixes:
            iri = prefixes[text[pos:colon]] + unescape_local(text[colon + 1 : end])
        if kind == "iri" and last[3] == "BASE":
            base = iri
        elif kind == "iri" and before[3] == "PREFIX" and last[0] == "pname":
            prefixes[last[3][:-1]] = iri
        before, last = last, (kind, pos, end, word, iri)
        yield last

