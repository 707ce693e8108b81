"""A table as the readers give it (:class:`Table`), and the error of a file that is no table at all."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from .errors import Problem

#: A header of more cells than a worksheet has columns is no registry's (a file of one long line).
MAX_COLUMNS = 16_384


@dataclass
class Table:
    """A table read from a file: its header cells and its rows, lazily."""

    file: str
    format: str  # "CSV", "Excel", "JSON"
    details: str  # how it was read, for the user: "UTF-8 with BOM, semicolon-separated"
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    header_row: int = 1
    #: Where each header name was first found, when the header is no row of its own (JSON's keys).
    header_rows: list[int] | None = None
    problems: list[Problem] = field(default_factory=list)  # found while reading rows

    @property
    def description(self) -> str:
        return f"{self.format}, {self.details}" if self.details else self.format


class TableError(Exception):
    """The file cannot be read as a table at all."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))
