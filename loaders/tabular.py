"""Reading tables as staff produce them: CSV, Excel workbooks and JSON, detected, not declared.

Detection, in this order, from the file's content (its name is not trusted):

* a ZIP (``PK``) or OLE2 signature: an Excel workbook (.xlsx, .xls; read with
  calamine, within bounds: see :mod:`.workbook`);
* otherwise text: a UTF-8 byte order mark means UTF-8, a UTF-16 one UTF-16
  ("Unicode text"); else UTF-8 if the file is UTF-8 or was plainly written as
  UTF-8; else Windows-1252 (what Excel on Windows writes for "CSV"). Every byte
  must decode: one that breaks the encoding (a row pasted from a file in
  another) is an error at its row and column, never mojibake;
* text whose first character is ``[`` or ``{``: JSON (an array of objects, an
  object holding one under the registry's name, or CSVW standard-mode JSON);
  nesting too deep for the parser is an error where it passes
  :data:`MAX_JSON_DEPTH`;
* any other text: CSV. The delimiter is the one of ``,`` ``;`` and tab that
  splits the header line into the most known column names; a cell longer than
  :data:`FIELD_SIZE_LIMIT` is an error at its row.

Rows are numbered as a spreadsheet shows them: the header is row 1, blank rows
count. In JSON the number is the item's position in the array (the first is 1),
or CSVW's ``rownum``. Every cell arrives as a stripped string; the schema's
converters decide what it means (decimal commas included).
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import Problem
from .table import Table, TableError
from .workbook import ZIP_MAGIC, read_workbook

__all__ = ["Table", "TableError", "detect_encoding", "read_table"]

DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "comma-separated", ";": "semicolon-separated", "\t": "tab-separated"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: csv's default limit (128 KiB) is lower than what a long description may hold.
FIELD_SIZE_LIMIT = 16 * 1024 * 1024
#: The header line is looked at for its delimiter up to this many characters.
HEADER_SCAN = 1 << 20


def read_table(path: Path, *, names: set[str], sheet_names: tuple[str, ...]) -> Table:
    """Open ``path`` as a table. ``names`` are the (lower-case) column names and
    titles that the header may use; ``sheet_names`` the sheet names that mean
    this registry in a workbook (lower-case)."""
    file = str(path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError as error:
        raise TableError(Problem(file, f"cannot read the file: {error.strerror or error}")) from None
    if not head:
        raise TableError(Problem(file, "the file is empty", expected="a header row naming the columns, then one row per entry"))
    if head.startswith(ZIP_MAGIC) or head.startswith(OLE_MAGIC):
        return read_workbook(path, sheet_names)
    encoding, label = detect_encoding(path, names)
    with open(path, encoding=encoding, newline="") as text:
        start = text.read(4096).lstrip()
    if not start:
        raise TableError(Problem(file, "the file has no text", expected="a header row naming the columns, then one row per entry"))
    if start[0] in "[{":
        return _read_json(path, encoding, label, sheet_names)
    return _read_csv(path, encoding, label, names)


# --- text -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Encoding:
    codec: str  # what the file is read with
    label: str
    skip: int = 0  # bytes of byte order mark
    scan: str = ""  # the codec of the bytes after it

    @property
    def body(self) -> str:
        return self.scan or self.codec


_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_BLOCK = 1 << 20


def detect_encoding(path: Path, names: set[str] = frozenset()) -> tuple[str, str]:
    """(Python codec, label) of a text file, every byte of which must decode under it.

    A byte order mark says UTF-8 or UTF-16. Otherwise the file is UTF-8 if it decodes as
    UTF-8, or if it was plainly written as UTF-8 (see :func:`_meant_as_utf8`): then a byte
    that is not UTF-8 is a row in another encoding, not a reason to read the whole file
    as Windows-1252 and turn its letters into mojibake. Else it is Windows-1252. A byte
    that breaks the encoding is a :class:`TableError` at its row and column (``names``,
    the known column names, help to find the delimiter that tells the column).
    """
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head.startswith(codecs.BOM_UTF8):
        found = _Encoding("utf-8-sig", "UTF-8 with BOM", 3, "utf-8")
    elif head.startswith(codecs.BOM_UTF16_LE):
        found = _Encoding("utf-16", "UTF-16", 2, "utf-16-le")
    elif head.startswith(codecs.BOM_UTF16_BE):
        found = _Encoding("utf-16", "UTF-16", 2, "utf-16-be")
    else:
        found = _Encoding("utf-8", "UTF-8")
    bad = _first_bad_byte(path, found)
    if bad is not None and not found.skip and not _meant_as_utf8(path):
        found = _Encoding("cp1252", "Windows-1252")
        bad = _first_bad_byte(path, found)
    if bad is None:
        return found.codec, found.label
    raise TableError(_bad_byte_problem(path, found, *bad, names))


def _first_bad_byte(path: Path, encoding: _Encoding) -> tuple[int, int] | None:
    """(offset, length) of the first bytes that do not decode, or None."""
    decoder = codecs.getincrementaldecoder(encoding.body)("strict")
    position = encoding.skip
    with open(path, "rb") as handle:
        handle.seek(encoding.skip)
        for block in itertools.chain(iter(lambda: handle.read(_BLOCK), b""), [None]):
            pending = len(decoder.getstate()[0])  # bytes kept from the block before
            try:
                decoder.decode(block or b"", final=block is None)
            except UnicodeDecodeError as error:
                return position - pending + error.start, error.end - error.start
            position += len(block or b"")
    return None


def _meant_as_utf8(path: Path) -> bool:
    """Whether a file that is not all UTF-8 was still written as UTF-8: it holds a letter
    of Latin-1 in UTF-8 (å ä ö é ü ..., lead byte C3, which Windows-1252 text shows as "Ã"
    and a symbol, and hardly ever holds), or more UTF-8 sequences than stray bytes."""
    sequences = stray = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            found = _UTF8_SEQUENCE.findall(block)
            if any(sequence[0] == 0xC3 for sequence in found):
                return True
            sequences += len(found)
            stray += len(_NON_ASCII.findall(block)) - sum(map(len, found))
    return sequences > stray


def _bad_byte_problem(path: Path, encoding: _Encoding, offset: int, length: int, names: set[str]) -> Problem:
    """Where the bytes that break ``encoding`` are: the row and column of a CSV, the line
    and column of JSON; with the cell's text, its bad bytes shown as backslash escapes."""
    with open(path, "rb") as handle:
        handle.seek(encoding.skip)
        before = handle.read(offset - encoding.skip).decode(encoding.body)
        after = handle.read(200).decode(encoding.body, "backslashreplace")
    bad = _raw(path, offset, length)
    what = {
        "UTF-8": "a byte that is not UTF-8 ({bad}) in a file that is otherwise UTF-8: the file mixes encodings",
        "UTF-8 with BOM": "a byte that is not UTF-8 ({bad}), though the file starts with UTF-8's byte order mark",
        "UTF-16": "bytes that are not UTF-16 ({bad}), though the file starts with UTF-16's byte order mark",
        "Windows-1252": "a byte that Windows-1252 does not define ({bad}), in a file that is not UTF-8 either",
    }[encoding.label].format(bad=bad)
    expected = ("text in UTF-8 or Windows-1252 (save it as 'CSV UTF-8')" if encoding.label == "Windows-1252"
                else "one encoding for the whole file (save it as 'CSV UTF-8')")
    line_start = before.rfind("\n") + 1
    if before.lstrip()[:1] in ("[", "{"):
        tail = re.split(r'[\r\n"]', after, maxsplit=1)[0]
        return Problem(str(path), what, line=before.count("\n") + 1, column=len(before) - line_start + 1,
                       value=(before[line_start:][-40:] + tail)[:80], expected=expected)
    first_line = re.split(r"[\r\n]", before, maxsplit=1)[0]
    delimiter = _choose_delimiter(first_line, names)
    _allow_long_fields()
    row, cells = 0, []
    try:
        for row, cells in enumerate(csv.reader(io.StringIO(before + "\0"), delimiter=delimiter), 1):
            pass
        header = next(csv.reader(io.StringIO(first_line), delimiter=delimiter), []) if row > 1 else []
    except csv.Error:
        return Problem(str(path), what, line=before.count("\n") + 1, expected=expected)
    index = max(len(cells) - 1, 0)
    column = header[index].strip() if index < len(header) and header[index].strip() else index + 1
    tail = re.split(f'[\\r\\n"{re.escape(delimiter)}]', after, maxsplit=1)[0]
    value = (cells[-1][:-1] if cells else "")[-40:] + tail
    return Problem(str(path), what, line=row, column=column, value=value[:80], expected=expected)


def _raw(path: Path, offset: int, length: int) -> str:
    with open(path, "rb") as handle:
        handle.seek(offset)
        return " ".join(f"0x{byte:02X}" for byte in handle.read(max(length, 1)))


def _allow_long_fields() -> None:
    if csv.field_size_limit() < FIELD_SIZE_LIMIT:
        csv.field_size_limit(FIELD_SIZE_LIMIT)


def _choose_delimiter(line: str, names: set[str]) -> str:
    """The delimiter that splits the header line into the most known column names."""

    def score(delimiter: str) -> tuple[int, int]:
        try:
            cells = next(csv.reader([line], delimiter=delimiter), [])
        except csv.Error:
            return -1, 0
        return sum(c.strip().lower() in names for c in cells), len(cells)

    return max(DELIMITERS, key=score)


def _csv_problem(file: str, error: csv.Error, line: int) -> Problem:
    message = str(error)
    if "field larger than field limit" in message:
        message = f"a cell is longer than {FIELD_SIZE_LIMIT:,} characters (is this a CSV file?)"
    elif "unexpected end of data" in message or "EOF" in message:
        message = "the file ends inside a quoted value (is it truncated?)"
    elif line == 1:
        message = f"the header row cannot be read: {message}"
    return Problem(file, message, line=line)


def _read_csv(path: Path, encoding: str, label: str, names: set[str]) -> Table:
    file = str(path)
    _allow_long_fields()
    with open(path, encoding=encoding, newline="") as text:
        first_line = text.readline(HEADER_SCAN).rstrip("\r\n")
    delimiter = _choose_delimiter(first_line, names)
    handle = open(path, encoding=encoding, newline="")
    reader = csv.reader(handle, delimiter=delimiter, strict=True)
    table = Table(file, "CSV", f"{label}, {DELIMITER_NAMES[delimiter]}", [], iter(()))
    try:
        table.header = [cell.strip() for cell in next(reader)]
    except csv.Error as error:
        handle.close()
        raise TableError(_csv_problem(file, error, 1)) from None
    except StopIteration:
        handle.close()
        raise TableError(Problem(file, "the header row cannot be read", line=1)) from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 1
        try:
            for number, cells in enumerate(reader, 2):
                yield number, [cell.strip() for cell in cells]
        except csv.Error as error:
            table.problems.append(_csv_problem(file, error, number + 1))
        finally:
            handle.close()

    table.rows = rows()
    return table


# --- JSON ------------------------------------------------------------------------

#: Where JSON nests deeper than this and the parser gives up, the error points there.
MAX_JSON_DEPTH = 100
_JSON_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[\[\]{}\n]')
_SURROGATE = re.compile("[\ud800-\udfff]")
#: Longer integers are kept as their digits (Python refuses to convert more than 4300).
_LONGEST_INTEGER = 4000


def _json_int(digits: str) -> int | str:
    return int(digits) if len(digits) <= _LONGEST_INTEGER else digits


def _printable(text: str) -> str:
    """Text that any terminal can show: half surrogate pairs as escapes."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _brief(value) -> str:
    try:
        return _printable(json.dumps(value, ensure_ascii=False)[:80])
    except (RecursionError, ValueError):
        return "[...]"


def _json_text(value, file: str, number: int, key: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        value = "|".join(str(v).strip() for v in value)
    elif not isinstance(value, str):
        raise TableError(Problem(file, "a value must be text, a number, true/false or a list of those", line=number,
                                 column=key, value=_brief(value)))
    if _SURROGATE.search(value):
        raise TableError(Problem(file, "the text holds half of a surrogate pair (an escape such as \\ud800 alone), "
                                 "which is no character", line=number, column=key, value=_printable(value)[:80]))
    return value.strip()


def _too_deep(path: Path, encoding: str) -> Problem:
    """Where the JSON gets deeper than :data:`MAX_JSON_DEPTH` (after the parser gave up)."""
    with open(path, encoding=encoding) as handle:
        text = handle.read()
    depth, line, line_start = 0, 1, 0
    expected = "an array of objects whose values are text, numbers, true/false or lists of those"
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token == "\n":
            line, line_start = line + 1, match.end()
        elif token in ("[", "{"):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return Problem(str(path), f"the JSON nests arrays and objects more than {MAX_JSON_DEPTH} deep",
                               line=line, column=match.start() - line_start + 1, expected=expected)
        elif token in ("]", "}"):
            depth -= 1
    return Problem(str(path), "the JSON nests arrays and objects too deep to be read", expected=expected)


def _read_json(path: Path, encoding: str, label: str, sheet_names: tuple[str, ...]) -> Table:
    file = str(path)
    try:
        with open(path, encoding=encoding) as handle:
            data = json.load(handle, parse_int=_json_int)
    except json.JSONDecodeError as error:
        raise TableError(Problem(file, f"not valid JSON: {error.msg}", line=error.lineno, column=error.colno)) from None
    except RecursionError:
        raise TableError(_too_deep(path, encoding)) from None
    items, numbers = _json_items(data, sheet_names)
    if items is None:
        raise TableError(
            Problem(file, "the JSON does not hold a list of rows",
                    expected=f"an array of objects, or an object with the array under '{sheet_names[0]}'")
        )
    header: list[str] = []
    first: list[int] = []  # the row where each key is first found
    seen = set()
    for number, item in zip(numbers, items):
        if not isinstance(item, dict):
            raise TableError(Problem(file, "each row must be a JSON object", line=number, value=_brief(item)))
        for key in item:
            if key not in seen:
                if _SURROGATE.search(key):
                    raise TableError(Problem(file, "a name holds half of a surrogate pair, which is no character",
                                             line=number, value=_printable(key)[:80]))
                seen.add(key)
                header.append(key)
                first.append(number)
    rows = [(number, [_json_text(item.get(key), file, number, key) for key in header]) for number, item in zip(numbers, items)]
    return Table(file, "JSON", label, header, iter(rows), header_row=0, header_rows=first)


def _row_number(value, default: int) -> int:
    """CSVW's ``rownum`` if it is a whole number of a row, else the position."""
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 1 << 31 else default


def _json_items(data, sheet_names: tuple[str, ...]):
    """(items, row numbers) from the shapes of JSON we accept, or (None, None)."""
    if isinstance(data, list):
        return data, range(1, len(data) + 1)
    if isinstance(data, dict):
        for key, value in data.items():
            if key.lower() in sheet_names and isinstance(value, list):
                return value, range(1, len(value) + 1)
        tables = data.get("tables")
        if isinstance(tables, list) and len(tables) == 1 and isinstance(tables[0], dict):
            rows = tables[0].get("row")
            if isinstance(rows, list) and all(isinstance(r, dict) and isinstance(r.get("describes"), list)
                                              and r["describes"] for r in rows):
                return [r["describes"][0] for r in rows], [_row_number(r.get("rownum"), i) for i, r in enumerate(rows, 1)]
    return None, None
