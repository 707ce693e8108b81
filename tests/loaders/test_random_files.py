"""Property-based tests: random bytes, and random mutations of the sample registries (cells,
quotes, separators, encodings, rows, columns; JSON; the zip and sheet XML of a workbook), fed
to ``policykg validate`` and ``policykg load`` in-process on a store built from the samples.

Whatever the file, there is never a traceback: either it is valid (and loads), or every line
of the report is ``FILE:ROW:COLUMN: ...`` (or ``FILE: ...`` for the file as a whole), and a
failed load leaves the store's published generation and its content as they were.

The examples are derandomised (the same ones every run, so CI is repeatable) and few, so that
the module runs in well under a minute; ``POLICYKG_FUZZ_EXAMPLES=500`` runs more of each.
Workbooks are read first in a child process, so that a reader that aborts fails the test
instead of killing pytest.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers import SAMPLE_REGISTRIES, make_settings, store_at
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from policykg.loaders.registries import REGISTRIES

from policykg.build import build_store

EXAMPLES = int(os.environ.get("POLICYKG_FUZZ_EXAMPLES", "15"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
NAMES = list(REGISTRIES)
SAMPLES = {name: list(csv.reader(io.StringIO((SAMPLE_REGISTRIES / f"{name}.csv").read_text(encoding="utf-8"), newline="")))
           for name in NAMES}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """(store, work directory): a store built from the samples (written to by these tests only)."""
    where = tmp_path_factory.mktemp("fuzz")
    settings_ = make_settings(where / "store")
    build_store(settings_, dumps=False, answers=False)
    (where / "files").mkdir()
    return settings_.store, where / "files"


def store_state(path: Path, graph: str) -> tuple:
    """(published generation, its number of quads, a digest of the registry's graph, the
    store directory's entries): what a failed load must leave as it was."""
    store = store_at(path)
    reader = store.reader()
    quads = sorted(str(quad) for quad in reader.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
    return (store.current_generation(), len(reader), hashlib.sha256("\n".join(quads).encode()).hexdigest(),
            tuple(sorted(p.name for p in path.iterdir())))


REPORT_HEAD = re.compile(r"^(Error: )?\d+ problems? found(; nothing was written)?$")


def assert_reported(result, path: Path) -> None:
    """No traceback; and a failure is a report whose every line names the file (and place)."""
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if result.exit_code == 0:
        return
    assert result.exit_code == 1, result.output
    lines = result.output.rstrip("\n").split("\n")
    assert REPORT_HEAD.match(lines[0]), result.output
    where = re.compile(rf"^  {re.escape(str(path))}(:\d+(:.+?)?)?: \S")
    assert len(lines) > 1 and all(where.match(line) for line in lines[1:]), result.output


def check(runner, built, name: str, data: bytes, suffix: str, child: ChildReader | None = None) -> None:
    """Validate and load ``data`` as registry ``name``: the properties above."""
    store, files = built
    path = files / f"{name}{suffix}"
    path.write_bytes(data)
    if child is not None and data[:4] in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0"):
        child.read(path, name)
    checked = runner.invoke(runner.cli, ["--store", str(store), "validate", name, str(path)])
    assert_reported(checked, path)
    assert checked.exit_code != 0 or ": valid" in checked.output, checked.output
    graph = make_settings(store).iris.graph(name)
    before = store_state(store, graph)
    loaded = runner.invoke(runner.cli, ["--store", str(store), "load", "--no-dumps", "--no-answers", name, str(path)])
    assert_reported(loaded, path)
    event(f"validate: {'valid' if checked.exit_code == 0 else 'problems'}; load: "
          + ("failed" if loaded.exit_code else "unchanged" if "nothing to do" in loaded.output else "published"))
    if loaded.exit_code != 0:
        assert store_state(store, graph) == before, loaded.output
        assert checked.exit_code != 0 or "is gone, but" in loaded.output, loaded.output
    else:
        assert "published generation" in loaded.output or "nothing to do" in loaded.output, loaded.output


CHILD = """
import sys
from pathlib import Path
from policykg.loaders.tabular import TableError, read_table
for line in sys.stdin:
    path, name = line.rstrip("\\n").split("\\t")
    try:
        list(read_table(Path(path), names=set(), sheet_names=(name,)).rows)
    except TableError:
        pass
    print("read", flush=True)
"""


class ChildReader:
    """A process of its own that reads workbooks first: if calamine aborts, it is this process
    that dies (and the test fails, saying how), not pytest."""

    def __init__(self) -> None:
        self.process = None

    def read(self, path: Path, name: str) -> None:
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen([sys.executable, "-c", CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=subprocess.PIPE, text=True)
        self.process.stdin.write(f"{path}\t{name}\n")
        self.process.stdin.flush()
        if self.process.stdout.readline() != "read\n":
            self.process.stdin.close()
            error = self.process.stderr.read()
            code = self.process.wait(timeout=60)
            self.process = None
            raise AssertionError(f"reading {path} in a child process: exit {code}\n{error[-3000:]}")

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(timeout=60)


@pytest.fixture(scope="module")
def child():
    reader = ChildReader()
    yield reader
    reader.close()


# --- strategies ------------------------------------------------------------------------------

SPECIAL_TEXT = ["", " ", '"', "'", ",", ";", "\t", "\n", "\r\n", '""', "|", "=", "Umeå", "UMEÅ”", "1 200,50", "12,50,00",
                "2020-02-30", "ja", "nej", "-1", "1e999", "9" * 30, "null", "[", "{}", "#", "\\", "\x00", "\u2028"]
cell_text = st.one_of(st.sampled_from(SPECIAL_TEXT), st.text(st.characters(exclude_categories=("Cs",)), max_size=12))


@st.composite
def mutated_rows(draw) -> tuple[str, list[list[str]]]:
    """A sample registry with a few of its cells, rows and columns changed."""
    name = draw(st.sampled_from(NAMES))
    rows = [list(row) for row in SAMPLES[name]]
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["cell", "cell", "cell", "copy", "delete-row", "duplicate-row", "swap-rows",
                                     "delete-column", "duplicate-column", "header"]))
        i = draw(st.integers(0, len(rows) - 1)) if rows else 0
        width = max((len(r) for r in rows), default=0)
        j = draw(st.integers(0, max(width - 1, 0)))
        if not rows or not width:
            break
        if kind in ("cell", "header"):
            row = rows[0 if kind == "header" else i]
            if j < len(row):
                row[j] = draw(cell_text)
        elif kind == "copy":  # a value from another cell: a valid value in the wrong place
            k = draw(st.integers(0, len(rows) - 1))
            if j < len(rows[i]) and rows[k]:
                rows[i][j] = rows[k][draw(st.integers(0, len(rows[k]) - 1))]
        elif kind == "delete-row":
            del rows[i]
        elif kind == "duplicate-row":
            rows.insert(i, list(rows[i]))
        elif kind == "swap-rows":
            k = draw(st.integers(0, len(rows) - 1))
            rows[i], rows[k] = rows[k], rows[i]
        elif kind == "delete-column":
            rows = [r[:j] + r[j + 1:] for r in rows]
        else:
            rows = [r[:j + 1] + r[j:j + 1] + r[j + 1:] for r in rows]
    return name, rows


BYTE_PIECES = [b'"', b",", b";", b"\t", b"\n", b"\r", b"\x00", b"\xe5", b"\xc3", b"\xc3\xa5", b"\xff\xfe", b"\xef\xbb\xbf",
               b"[", b"{", b"}", b'"id":', b"PK\x03\x04", b"\x81", b"\xed\xa0\x80"]


@st.composite
def byte_edits(draw, data: bytes) -> bytes:
    """``data`` with a few bytes inserted, deleted, replaced, or the file cut short."""
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(data)))
        piece = draw(st.one_of(st.sampled_from(BYTE_PIECES), st.binary(min_size=1, max_size=6)))
        kind = draw(st.sampled_from(["insert", "replace", "delete", "truncate"]))
        if kind == "insert":
            data = data[:at] + piece + data[at:]
        elif kind == "replace":
            data = data[:at] + piece + data[at + len(piece):]
        elif kind == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 40)):]
        else:
            data = data[:at]
    return data


ENCODINGS = ["utf-8", "utf-8", "utf-8-sig", "cp1252", "utf-16"]


@st.composite
def csv_files(draw) -> tuple[str, bytes]:
    name, rows = draw(mutated_rows())
    out = io.StringIO()
    writer = csv.writer(out, delimiter=draw(st.sampled_from([",", ";", "\t"])),
                        quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
                        lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    lines = []
    for row in rows:
        out.seek(0)
        out.truncate()
        writer.writerow(row)
        lines.append(out.getvalue())
    encoding = draw(st.sampled_from(ENCODINGS))
    other = draw(st.one_of(st.none(), st.tuples(st.integers(0, max(len(lines) - 1, 0)), st.sampled_from(["cp1252", "utf-8"]))))
    body = encoding.replace("-sig", "") if encoding != "utf-16" else "utf-16-le"
    data = codecs.BOM_UTF8 if encoding == "utf-8-sig" else codecs.BOM_UTF16_LE if encoding == "utf-16" else b""
    for index, line in enumerate(lines):
        data += line.encode(other[1] if other and other[0] == index else body, "replace")
    return name, draw(byte_edits(data))


@st.composite
def json_files(draw) -> tuple[str, bytes]:
    name, rows = draw(mutated_rows())
    header, body = (rows[0], rows[1:]) if rows else ([], [])
    items = [{key: value for key, value in zip(header, row) if value} for row in body]
    shape = draw(st.sampled_from(["array", "named", "csvw"]))
    document = (items if shape == "array" else {name: items} if shape == "named"
                else {"tables": [{"row": [{"rownum": i, "describes": [item]} for i, item in enumerate(items, 1)]}]})
    data = json.dumps(document, ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from([None, 2]))).encode()
    return name, draw(byte_edits(data))


def _workbook(name: str, rows: list[list[str]], sheet: str) -> bytes:
    book = Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append([ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rezip(data: bytes, change) -> bytes:
    """The workbook with ``change(name, part) -> part or None`` applied to each part."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = change(info.filename, source.read(info.filename))
            if part is not None:
                target.writestr(info, part)
    return out.getvalue()


@st.composite
def sheet_xml_edits(draw, xml: bytes) -> bytes:
    """The sheet's XML with references, tags and values changed."""
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["ref", "ref", "dimension", "drop-r", "type", "cut-tag", "garbage", "far-row"]))
        refs = list(re.finditer(rb' r="[A-Z]+[0-9]+"', xml))
        letters = draw(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=4))
        number = draw(st.one_of(st.integers(1, 40), st.integers(1, 2_000_000)))
        if kind == "ref" and refs:
            at = refs[draw(st.integers(0, len(refs) - 1))]
            xml = xml[:at.start()] + f' r="{letters}{number}"'.encode() + xml[at.end():]
        elif kind == "dimension":
            xml = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="A1:{letters}{number}"'.encode(), xml)
        elif kind == "drop-r" and refs:
            at = refs[draw(st.integers(0, len(refs) - 1))]
            xml = xml[:at.start()] + xml[at.end():]
        elif kind == "type":
            xml = xml.replace(b't="inlineStr"', draw(st.sampled_from([b't="s"', b't="n"', b't="b"', b't="e"', b't="d"'])), 1)
        elif kind == "cut-tag":
            at = draw(st.integers(0, len(xml)))
            xml = xml[:at] + xml[at + draw(st.integers(1, 30)):]
        elif kind == "garbage":
            at = draw(st.integers(0, len(xml)))
            xml = xml[:at] + draw(st.one_of(st.binary(max_size=8), st.sampled_from([b"<c>", b"<row>", b"</row>", b"<v>7</v>", b"&#0;"]))) + xml[at:]
        else:
            cell = f'<row r="{number}"><c r="{letters}{number}" t="inlineStr"><is><t>x</t></is></c></row>'.encode()
            xml = xml.replace(b"</sheetData>", cell + b"</sheetData>")
    return xml


@st.composite
def xlsx_files(draw) -> tuple[str, bytes]:
    name, rows = draw(mutated_rows())
    sheet = draw(st.sampled_from([REGISTRIES[name].sheet_names[0], "Blad1"]))
    data = _workbook(name, rows, sheet)
    kind = draw(st.sampled_from(["sheet", "sheet", "sheet", "none", "drop-part", "zip-bytes"]))
    if kind == "sheet":
        xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
        edited = draw(sheet_xml_edits(xml))
        data = _rezip(data, lambda n, p: edited if n == "xl/worksheets/sheet1.xml" else p)
    elif kind == "drop-part":
        dropped = draw(st.sampled_from(["xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
                                        "xl/worksheets/sheet1.xml", "[Content_Types].xml"]))
        data = _rezip(data, lambda n, p: None if n == dropped else p)
    elif kind == "zip-bytes":
        data = draw(byte_edits(data))
    return name, data


random_bytes = st.one_of(
    st.binary(max_size=2000),
    st.tuples(st.sampled_from([b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", codecs.BOM_UTF8, codecs.BOM_UTF16_LE,
                               b"[", b"{", b'{"tables": [', b"id,", b"id;"]), st.binary(max_size=2000))
    .map(lambda pair: pair[0] + pair[1]),
)


# --- the properties --------------------------------------------------------------------------


@FUZZ
@given(name=st.sampled_from(NAMES), data=random_bytes)
def test_random_bytes(runner, built, child, name, data):
    check(runner, built, name, data, ".csv", child)


@FUZZ
@given(file=csv_files())
def test_mutated_csv(runner, built, file):
    check(runner, built, file[0], file[1], ".csv")


@FUZZ
@given(file=json_files())
def test_mutated_json(runner, built, file):
    check(runner, built, file[0], file[1], ".json")


@FUZZ
@given(file=xlsx_files())
def test_mutated_workbooks(runner, built, child, file):
    check(runner, built, file[0], file[1], ".xlsx", child)
