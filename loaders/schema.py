"""Registry formats as W3C CSVW table descriptions, compiled into per-column converters.

A registry's format is ``NAME.csv-metadata.json`` (CSV on the Web): its
``tableSchema`` lists the columns (``name``, ``titles`` in Swedish and English,
``datatype`` with ``format`` for patterns, ``required``, ``separator`` for cells
that hold several values, ``dc:description``), the ``primaryKey`` and the
``foreignKeys``. The file ships beside the data and is published with it.

:func:`compile_schema` turns it into one converter per column, chosen once, so
that no cell re-reads the schema. A converter takes the cell's text and returns
its value, or raises :class:`CellError` saying what was expected.

Values, whatever the format of the file:

* numbers: ``1234.5``, ``1234,5``, ``1 234,50`` (spaces, also no-break, group
  thousands); a single ``,`` or ``.`` is the decimal separator; both together:
  the last one is;
* dates: ``YYYY-MM-DD`` (Excel dates arrive as such);
* booleans: ``ja``/``nej``, ``yes``/``no``, ``true``/``false``, ``1``/``0``, ``x``/empty;
* several values in one cell: separated by ``|`` (the CSVW ``separator``); in
  columns of keys and codes also by ``,`` or ``;``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import Problem


class CellError(ValueError):
    """A cell's value is not what its column takes."""

    def __init__(self, message: str, expected: str | None = None, value: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.expected = expected
        self.value = value  # the part of a multi-valued cell that is wrong


class SchemaError(ValueError):
    """A table description that we cannot use; the message names the file and the column."""


Converter = Callable[[str], Any]

# --- converters by datatype -------------------------------------------------------

_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009'")
_DECIMAL = re.compile(r"^[+-]?(\d+([.,]\d+)?|[.,]\d+)$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}([ \u00a0\u202f\u2009]\d{3})+([.,]\d+)?$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")
TRUE_WORDS = frozenset({"ja", "yes", "true", "1", "x", "sant", "j", "y"})
FALSE_WORDS = frozenset({"nej", "no", "false", "0", "falskt", "n"})
DECIMAL_EXPECTED = "a number such as 1234,50 or 1 234.50"


def parse_decimal(text: str) -> Decimal:
    """A number written the Swedish way or the English way (see the module docstring)."""
    raw = text
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        head, _, tail = text.rpartition(decimal_mark)
        groups = head.lstrip("+-").split(thousands)
        if not all(len(g) == 3 for g in groups[1:]) or not 1 <= len(groups[0]) <= 3 or not tail.isdigit():
            raise CellError("not a number", DECIMAL_EXPECTED)
        text = head.replace(thousands, "") + "." + tail
    elif any(c in text for c in " \u00a0\u202f\u2009"):
        if not _GROUPED.match(text):
            raise CellError("not a number", DECIMAL_EXPECTED)
        text = text.translate(_SPACES)
    if not _DECIMAL.match(text):
        raise CellError("not a number", DECIMAL_EXPECTED)
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise CellError("not a number", DECIMAL_EXPECTED) from None
    if raw.count(",") > 1 and "." not in raw:
        raise CellError("not a number", DECIMAL_EXPECTED)
    return value


def _decimal(spec: dict) -> Converter:
    minimum = spec.get("minimum", spec.get("minInclusive"))
    minimum = None if minimum is None else Decimal(str(minimum))

    def convert(text: str) -> Decimal:
        value = parse_decimal(text)
        if minimum is not None and value < minimum:
            raise CellError(f"the number is less than {minimum}", f"a number of at least {minimum}")
        return value

    return convert


def _integer(spec: dict) -> Converter:
    minimum = spec.get("minimum", spec.get("minInclusive", 0 if spec.get("base") == "nonNegativeInteger" else None))
    expected = "a whole number" + (f" of at least {minimum}" if minimum is not None else "")

    @lru_cache(maxsize=4096)
    def convert(text: str) -> int:
        try:
            value = parse_decimal(text)
        except CellError:
            raise CellError("not a whole number", expected) from None
        if value != value.to_integral_value():
            raise CellError("not a whole number", expected)
        if minimum is not None and value < minimum:
            raise CellError(f"the number is less than {minimum}", expected)
        return int(value)

    return convert


def _date(spec: dict) -> Converter:
    @lru_cache(maxsize=65536)
    def convert(text: str) -> str:
        match = _DATE.match(text)
        if match:
            try:
                return dt.date(int(match[1]), int(match[2]), int(match[3])).isoformat()
            except ValueError:
                raise CellError("no such date", "a date as YYYY-MM-DD") from None
        raise CellError("not a date", "a date as YYYY-MM-DD")

    return convert


def _boolean(spec: dict) -> Converter:
    def convert(text: str) -> bool:
        lowered = text.lower()
        if lowered in TRUE_WORDS:
            return True
        if lowered in FALSE_WORDS:
            return False
        raise CellError("not yes or no", "ja or nej (also yes/no, true/false, 1/0)")

    return convert


_URL = re.compile(r"^https?://[^\s<>\"{}|^`\\]+\.[^\s<>\"{}|^`\\]+$", re.I)


def _url(spec: dict) -> Converter:
    def convert(text: str) -> str:
        candidate = "https://" + text if text.lower().startswith("www.") else text
        if not _URL.match(candidate):
            raise CellError("not a web address", "a web address such as https://example.org/")
        return candidate

    return convert


def _string(spec: dict) -> Converter:
    pattern = re.compile(spec["format"]) if spec.get("format") else None
    expected = spec.get("dc:description") or (f"text matching {spec['format']}" if pattern else "text")
    max_length = spec.get("maxLength")

    def convert(text: str) -> str:
        if pattern is not None and not pattern.fullmatch(text):
            raise CellError("not in the expected form", expected)
        if max_length is not None and len(text) > max_length:
            raise CellError(f"longer than {max_length} characters", f"at most {max_length} characters")
        return text

    return convert


DATATYPES: dict[str, Callable[[dict], Converter]] = {
    "string": _string,
    "decimal": _decimal,
    "integer": _integer,
    "nonNegativeInteger": _integer,
    "date": _date,
    "boolean": _boolean,
    "anyURI": _url,
}

# Separators accepted in a multi-valued cell besides the declared one, for
# columns whose values can contain neither (keys and codes).
KEY_SEPARATORS = re.compile(r"\s*[|;,]\s*")


# --- the compiled schema ---------------------------------------------------------------


@dataclass
class Column:
    """One column, compiled."""

    name: str
    titles: dict[str, str]
    required: bool
    convert: Converter
    separator: str | None = None
    split: Callable[[str], list[str]] | None = None
    description: str = ""
    datatype: str = "string"
    lang: str | None = None
    spec: dict = field(default_factory=dict)

    def header_names(self) -> set[str]:
        return {self.name.lower(), *(t.lower() for t in self.titles.values())}


@dataclass
class Schema:
    """A registry's table description, compiled."""

    path: Path
    columns: list[Column]
    primary_key: str
    foreign_keys: dict[str, str]  # column -> referenced table (its url)
    title: dict[str, str]
    metadata: dict

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    def header_names(self) -> set[str]:
        return set().union(*(c.header_names() for c in self.columns))

    def map_header(self, header: list[str], file: str, header_row: int | None,
                   header_rows: list[int] | None = None) -> tuple[list[Column | None], list[Problem]]:
        """Which column each header cell is; problems for unknown, repeated and missing columns.

        A header cell that starts with ``#`` is a comment column and is ignored. The problems
        of a cell are at ``header_row``, or at the cell's own row in ``header_rows`` (JSON,
        whose keys are named in the rows).
        """
        import difflib

        by_name = {}
        for column in self.columns:
            for name in column.header_names():
                by_name[name] = column
        mapped: list[Column | None] = []
        problems = []
        seen: dict[str, str] = {}
        row = header_row or None
        for index, cell in enumerate(header):
            if header_rows is not None:
                row = header_rows[index]
            key = cell.strip().lower()
            if not key or key.startswith("#"):
                mapped.append(None)
                continue
            column = by_name.get(key)
            if column is None:
                close = difflib.get_close_matches(key, [c.name for c in self.columns], n=1, cutoff=0.6)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                problems.append(
                    Problem(file, f"unknown column{hint}", line=row, column=cell,
                            expected=f"the columns of {self.path.name} (a column whose header starts with # is ignored)")
                )
                mapped.append(None)
            elif column.name in seen:
                problems.append(Problem(file, f"the column is there twice (also as '{seen[column.name]}')", line=row, column=cell))
                mapped.append(None)
            else:
                seen[column.name] = cell
                mapped.append(column)
        row = header_row or None
        for column in self.columns:
            if column.required and column.name not in seen:
                problems.append(Problem(file, f"the required column '{column.name}' is missing", line=row,
                                        expected=f"a column headed '{column.name}' or '{column.titles.get('sv', column.name)}'"))
        return mapped, problems


def _titles(value, name: str) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, str):
        return {"und": value}
    if isinstance(value, list):
        return {f"t{i}": t for i, t in enumerate(value)}
    return {lang: (t[0] if isinstance(t, list) else t) for lang, t in value.items()}


def _text(value, lang: str = "en") -> str:
    if isinstance(value, dict):
        return str(value.get(lang) or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def compile_schema(path: Path) -> Schema:
    """Read and compile ``NAME.csv-metadata.json``; :class:`SchemaError` says what is wrong with it."""
    try:
        metadata = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise SchemaError(f"{path}: cannot read the table description: {error}") from None
    schema = metadata.get("tableSchema")
    if not isinstance(schema, dict) or not isinstance(schema.get("columns"), list):
        raise SchemaError(f"{path}: no tableSchema with columns")
    columns = []
    for spec in schema["columns"]:
        name = spec.get("name")
        if not name:
            raise SchemaError(f"{path}: a column has no name")
        datatype = spec.get("datatype", "string")
        dspec = {"base": datatype} if isinstance(datatype, str) else dict(datatype)
        base = dspec.get("base", "string")
        if base not in DATATYPES:
            raise SchemaError(f"{path}: column {name}: datatype {base!r} is not one we read ({', '.join(DATATYPES)})")
        separator = spec.get("separator")
        column = Column(
            name=name,
            titles=_titles(spec.get("titles"), name),
            required=bool(spec.get("required", False)),
            convert=DATATYPES[base](dspec),
            separator=separator,
            description=_text(spec.get("dc:description")),
            datatype=base,
            lang=spec.get("lang"),
            spec=spec,
        )
        if separator is not None:
            column.split = splitter(separator)
        columns.append(column)
    primary_key = schema.get("primaryKey")
    if not isinstance(primary_key, str) or primary_key not in {c.name for c in columns}:
        raise SchemaError(f"{path}: primaryKey must name one column")
    foreign_keys = {}
    for fk in schema.get("foreignKeys", []):
        foreign_keys[fk["columnReference"]] = fk["reference"]["resource"]
    return Schema(path, columns, primary_key, foreign_keys, metadata.get("dc:title") or {}, metadata)


def splitter(separator: str, *, keys: bool = False) -> Callable[[str], list[str]]:
    """Split a multi-valued cell at ``separator`` or ``;`` (and ``,`` too for keys and codes)."""
    if keys:
        return lambda text: [part for part in KEY_SEPARATORS.split(text) if part]
    pattern = re.compile(r"\s*[" + re.escape(separator) + r";]\s*")
    return lambda text: [part for part in pattern.split(text) if part]
