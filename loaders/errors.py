"""Errors of input data: each problem names the file and the place in it.

A problem reads ``FILE:ROW:COLUMN: message (value '...'; expected ...)``: the
row as a spreadsheet shows it (the header is row 1), the column by its header,
the value as it was read, and what would have been accepted, with the closest
known value when there is one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: What would break a report's one line per problem, or the terminal: shown as escapes.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f\u2028\u2029\ud800-\udfff]")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, and where."""

    file: str
    message: str
    line: int | None = None
    column: int | str | None = None
    value: str | None = None
    expected: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.column is not None:
            where += f":{self.column}"
        text = f"{where}: {self.message}"
        details = []
        if self.value is not None:
            details.append(f"value {self.value!r}")
        if self.expected is not None:
            details.append(f"expected {self.expected}")
        if details:
            text += f" ({'; '.join(details)})"
        return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], text)


class InputError(ValueError):
    """One or more problems with input files; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(self.report())

    def report(self) -> str:
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} found; nothing was written"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])
