"""How deep and how long a request may be, so that pyoxigraph survives it, and the
budget of one scan. The figures behind each limit come from ``bench/engine_limits.py``
(listed in :mod:`policykg.runtime.sparqlscan`); each limit is a fraction of them.

Every count is taken over all readings of the text (see ``sparqlscan``), so that no
reading pyoxigraph may take escapes it: a depth or a run is that of the deepest
reading; a keyword is counted wherever a reading has it in a word (glued ones too),
an operator wherever a reading has it in code. The price is a rare false alarm (a
keyword in an IRI that another reading takes for code). A refusal says what is too
deep or too long, the limit, and the line and column where the limit is passed.
"""

from __future__ import annotations

import re
import time

from policykg.runtime.sparqllex import CODE_ONLY, code_of

#: ``{ ( [`` open at once, in any mix (groups, subqueries, OPTIONAL, MINUS, EXISTS,
#: function calls, parentheses, blank nodes, collections, paths). A level takes at
#: most ~10 KiB of stack (FILTER EXISTS: dies at ~850); nested collections cost
#: CPU (64: 0.5 s, 128: 4 s, 264: minutes).
MAX_DEPTH = 64
#: Prefix operators (``!``, ``+``, ``-``) in a row; ``!`` dies at ~9 500.
MAX_UNARY = 64
#: Operator signs (``|| && + - * / |``) in one expression (counted from the last
#: ``{ } . ; ,``), each a level of a left-deep tree: ``+`` dies at ~6 900 in one
#: expression, ``||`` and ``&&`` at ~9 500 (19 000 signs), ``|`` (path
#: alternatives) at ~11 000.
MAX_OPERATORS = 2048
#: Keywords in the whole request: (limit, what pyoxigraph does with more).
MAX_KEYWORDS = {
    "SERVICE": (256, "each target is checked and resolved before evaluation"),
    "LOAD": (256, "each target is checked and resolved before evaluation"),
    "PREFIX": (1000, "every declaration is followed for SERVICE targets"),
    "FILTER": (1000, "9 500 in one group crash"),
    "MINUS": (256, "2 600 in one group crash"),
    "BIND": (256, "2 600 in one group crash"),
    "AS": (512, "2 600 projected expressions crash"),
    "OPTIONAL": (100, "128 in one group take 5 s, 220 minutes"),
    "UNION": (1000, "1 000 take 2 s, 4 000 minutes"),
}
#: IRIs read a second time as code (the other reading of their '<'): those with a
#: quote, bracket, '#', '&', ',', ';', escape or watched word in them (see
#: ``sparqllex``). Each costs the scan some microseconds: no real request of 1 MiB
#: has this many IRIs (16 bytes each).
MAX_READINGS = 65536
#: SERVICE and LOAD targets (each is checked, and resolved, before evaluation).
MAX_TARGETS = 256
#: Characters a scan may read, per character of the text (and a floor): a text
#: whose readings need more (readings that do not meet again) is refused, so that
#: a scan stays linear whatever the text.
WORK_PER_CHARACTER = 16
WORK_FLOOR = 1 << 16
#: How often (in tokens) the deadline is looked at.
_CHECK_EVERY = 512

#: A keyword pyoxigraph reads on its own or after a glued true/false (``?o trueFILTER(...)``);
#: FILTER may have a function's name glued after it (``FILTERregex(...)``).
_GROUP_KEYWORDS = "OPTIONAL|UNION|MINUS|BIND|AS"
_KEYWORD_WORD = re.compile(f"(?i)(?:true|false)?(?:(FILTER)|({_GROUP_KEYWORDS})$)")
_KEYWORD_IN_CODE = re.compile(
    f"(?i)(?<![A-Za-z0-9_])(?:true|false)?(?:(FILTER)|({_GROUP_KEYWORDS})(?![A-Za-z0-9_]))"
)
_SUBSTRING = {keyword: re.compile(f"(?i){keyword}") for keyword in ("SERVICE", "LOAD", "PREFIX")}
_RESET = re.compile(r"[{}.;,]")
_NOT_OPERATOR = re.compile(r"[^+\-*/|&{}.;,]+")
_BRACKETS = re.compile(r"<<|>>|[{}()\[\]]")
_NOT_BRACKET = re.compile(r"[^{}()\[\]\x01\x02]+")
_NORMAL = str.maketrans("{[\x01}]\x02", "((()" + "))")
_UNARY_RUN = re.compile(r"[!+\-](?:[ \t\r\n]*[!+\-])*")
_HAS_UNARY = re.compile(r"[!+\-]")
_SPACE_AT_END = re.compile(r"[ \t\r\n]*\Z")


class QueryTooComplex(ValueError):
    """The request is deeper or longer than pyoxigraph can take; the message says what, the limit and where."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.line, self.column = line, column


class ScanTimeout(TimeoutError):
    """The scan ran past its deadline (the request's time limit)."""


class Complexity:
    """The counts of one scan, checked against the limits as the walk goes.

    A reading's own state is (depth, prefix operators in a row so far)."""

    def __init__(self, lexer, deadline: float | None) -> None:
        self.lexer, self.deadline = lexer, deadline
        self.deepest = 0
        self.budget = WORK_PER_CHARACTER * lexer.size + WORK_FLOOR
        self._keywords: dict[str, int] = dict.fromkeys(MAX_KEYWORDS, 0)
        self._steps = 0
        self._readings = 0
        #: The code of the last plain run (see ``sparqllex.code_of``).
        self.last_code = ""

    def _refuse(self, what: str, offset: int) -> QueryTooComplex:
        line, column = self.lexer.line_column(offset)
        return QueryTooComplex(f"{what} (at line {line}, column {column}).", line, column)

    def step(self) -> None:
        """One more token or run: the budget every time, the deadline now and then."""
        if self.lexer.work > self.budget:
            raise QueryTooComplex(
                "The request is too intricate to check for SERVICE and LOAD targets: its readings "
                f"(see the endpoint's documentation) need over {WORK_PER_CHARACTER} times its length to read."
            )
        self._steps += 1
        if self.deadline is not None and not self._steps % _CHECK_EVERY and time.monotonic() > self.deadline:
            raise ScanTimeout("The request could not be checked within its time limit.")

    def punctuation(self, start: int, end: int, state: tuple[int, int, int]) -> tuple[int, int, int]:
        """A reading's state (depth, prefix operators in a row, binary operators in a row)
        after the punctuation and other plain tokens in ``text[start:end]``."""
        text = self.lexer.text
        depth, unary, chain = state
        if end - start == 1:
            char = self.last_code = text[start]
            if char in "{([" or text.startswith("<<", start):
                depth += 1
                if depth > self.deepest:
                    self._deeper(depth, start)
                return depth, 0, chain
            if char in "!+-":
                unary += 1
                if unary > MAX_UNARY:
                    self._too_many(f"{MAX_UNARY} prefix operators (!, + or -) in a row", start)
            else:
                unary = 0
            if char in "})]" or (char == ">" and start and text[start - 1] == ">"):
                depth -= depth > 0
            elif char in "+-*/|&":
                chain += 1
                if chain > MAX_OPERATORS:
                    self._too_many(f"{MAX_OPERATORS} operators (|| && + - * / |) in one expression", start)
            elif char in "{}.;,":
                chain = 0
            return depth, unary, chain
        code = self.last_code = code_of(text[start:end])
        if _HAS_UNARY.search(code):
            unary = self._unary_runs(code, start, unary)
            chain = self._chains(code, start, chain)
        else:
            unary = 0
            if _RESET.search(code):
                chain = 0
        self._count_words(code, start)
        if "<<" in code or ">>" in code:  # reifiers << s p o >> nest too
            code = code.replace("<<", "\x01").replace(">>", "\x02")
        only = _NOT_BRACKET.sub("", code)
        if not only:
            return depth, unary, chain
        deepest, depth_after = _depths(depth, only.translate(_NORMAL))
        if deepest > MAX_DEPTH:  # perhaps: walk the brackets one by one, to know (and say where)
            deepest = depth
            for token in CODE_ONLY.finditer(text, start, end):
                if token.group("p") is None and token.group("l") is None:
                    continue
                for match in _BRACKETS.finditer(text, token.start(), token.end()):
                    if text[match.start()] in "{([<":
                        depth += 1
                        if depth > self.deepest:
                            self._deeper(depth, match.start())
                        deepest = max(deepest, depth)
                    else:
                        depth -= depth > 0
            depth_after = depth
        self.deepest = max(self.deepest, deepest)
        return depth_after, unary, chain

    def _unary_runs(self, code: str, start: int, unary: int) -> int:
        """Check the runs of prefix operators in ``code``; the length of the one still open at its end."""
        length = 0
        last = None
        for match in _UNARY_RUN.finditer(code):
            length = sum(code.count(c, match.start(), match.end()) for c in "!+-")
            if match.start() == 0:
                length += unary
            if length > MAX_UNARY:
                self._too_many(f"{MAX_UNARY} prefix operators (!, + or -) in a row", start)
            last = match
        if last is not None and _SPACE_AT_END.match(code, last.end()):
            return length
        return 0

    def _chains(self, code: str, start: int, chain: int) -> int:
        """Check the operators between resets (``{ } . ; ,``) in ``code``; those after the last."""
        pieces = _RESET.split(_NOT_OPERATOR.sub("", code))
        pieces[0] = "+" * chain + pieces[0] if chain < MAX_OPERATORS else "+" * (MAX_OPERATORS + 1)
        if max(map(len, pieces)) > MAX_OPERATORS:
            self._too_many(f"{MAX_OPERATORS} operators (|| && + - * / |) in one expression", start)
        return len(pieces[-1])

    def _count_words(self, code: str, start: int) -> None:
        for match in _KEYWORD_IN_CODE.finditer(code):
            self._count((match.group(1) or match.group(2)).upper(), start)

    def _too_many(self, what: str, offset: int) -> None:
        raise self._refuse(f"The request has more than {what}; that is the limit", offset)

    def _deeper(self, depth: int, offset: int) -> None:
        self.deepest = depth
        if depth > MAX_DEPTH:
            raise self._refuse(
                f"The request nests groups, brackets, parentheses and reifiers {{ ( [ << more than {MAX_DEPTH} deep; "
                f"at most {MAX_DEPTH} are allowed",
                offset,
            )

    def count_keywords(self, start: int, end: int) -> None:
        """Count the keywords in a word (or a prefixed name's prefix) read on its own."""
        text = self.lexer.text
        for keyword in ("SERVICE", "LOAD", "PREFIX"):
            for match in _SUBSTRING[keyword].finditer(text, start, end):
                self._count(keyword, match.start())
        match = _KEYWORD_WORD.match(text, start, end)
        if match:
            self._count((match.group(1) or match.group(2)).upper(), start)

    def _count(self, keyword: str, offset: int) -> None:
        self._keywords[keyword] += 1
        limit, why = MAX_KEYWORDS[keyword]
        if self._keywords[keyword] > limit:
            raise self._refuse(
                f"The request has more than {limit} {keyword} (pyoxigraph: {why}); that is the limit", offset
            )

    def count_reading(self, offset: int) -> None:
        self._readings += 1
        if self._readings > MAX_READINGS:
            self._too_many(
                f"{MAX_READINGS} IRIs that the scanner must also read as code (with a quote, bracket, "
                "'#', '&', ',', ';', escape or keyword in them)",
                offset,
            )

    def count_target(self, offset: int, count: int) -> None:
        if count > MAX_TARGETS:
            raise self._refuse(f"The request has more than {MAX_TARGETS} SERVICE or LOAD targets", offset)


def _depths(depth: int, brackets: str) -> tuple[int, int]:
    """(deepest, last) depth along ``brackets`` ("(" and ")") from ``depth``, a closer at
    0 doing nothing. The deepest is exact for a short run; for a long one it is never
    less than the truth: pairs "()" are taken out, innermost first, in at most
    MAX_DEPTH + 1 passes (each in C), and what is left is closers, then openers."""
    if len(brackets) <= 4096:
        deepest = depth
        for char in brackets:
            if char == "(":
                depth += 1
                deepest = max(deepest, depth)
            elif depth > 0:
                depth -= 1
        return deepest, depth
    passes = 0
    while "()" in brackets:
        if passes > MAX_DEPTH:
            return depth + passes, depth  # too deep anyway: the caller walks it to say where
        brackets = brackets.replace("()", "")
        passes += 1
    closers = len(brackets) - len(brackets.lstrip(")"))
    openers = len(brackets) - closers
    return depth + openers + passes, max(0, depth - closers) + openers
