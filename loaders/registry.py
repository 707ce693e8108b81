"""The registry engine: one table in, every problem or validated rows, N-Triples out.

Reading a registry (:func:`read_registry`) is one pass over the file: each
cell goes through its column's converter (compiled from the CSVW schema), each
reference through its vocabulary (with the closest match when unknown), each
row through the registry's own checks, and ids are checked for duplicates.
Nothing is produced until the whole file is known to be good. Then
:class:`Generated` turns the compact rows into N-Triples, lazily, as the writer
bulk-loads them.

Every entity says where it came from: ``prov:wasDerivedFrom`` its row,
``BASE/graph/NAME/source/FILE#row=N`` (an RFC 7111 fragment; the header is row
1), a ``pkg:RegistryRow`` with ``pkg:rowNumber`` and ``dct:isPartOf`` the
``pkg:SourceFile`` that the provenance describes. Every traceability link is
stated directly and as a ``pkg:TraceLink`` derived from the same row.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any
from urllib.parse import quote

from policykg.namespaces import DCT, PKG, PROV, RDF, slug

from . import ntriples as nt
from .errors import Problem
from .references import Catalogue
from .schema import CellError, Column, Schema, splitter
from .table import MAX_COLUMNS, Table, TableError
from .tabular import read_table

RowCheck = Callable[[Any], Iterable[tuple[str, str, str | None]]]
#: A column's reference: a vocabulary kind of the catalogue, or a function of
#: the catalogue that returns a converter for one value (enumerations, pairs).
Reference = str | Callable[[Catalogue], Callable[[str], Any]]


@dataclass(frozen=True)
class RegistrySpec:
    """What is particular to one registry; the engine does the rest."""

    name: str  # registry name and graph key: graph/NAME
    title_en: str
    title_sv: str
    kind: str  # path segment of its entities: BASE/KIND/ID
    sheet_names: tuple[str, ...]  # workbook sheets that hold it (lower-case)
    references: dict[str, Reference]
    emit: Callable[["Emitter", Any], None]
    module: ModuleType
    defines: str | None = None  # the vocabulary its rows add to (body, partner ...)
    #: Makes the row check of one read: (column, message, expected) for each problem of a row.
    check: Callable[[Catalogue], RowCheck] | None = None
    labels: Callable[[Any], tuple[str | None, str | None]] | None = None


@dataclass
class RegistryRead:
    """A registry read and checked: its rows (valid only if there are no problems)."""

    spec: RegistrySpec
    file: str
    description: str
    rows: list = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.rows)


def _row_type(schema: Schema):
    return namedtuple("Row", [c.name for c in schema.columns] + ["rownum_", "slug_"])


def _cell_converter(column: Column, spec: RegistrySpec, catalogue: Catalogue, deferred: bool):
    """The function from a cell's text to its value for one column (lists for multi-valued cells)."""
    kind = spec.references.get(column.name)
    if kind is None:
        if column.separator is not None:
            split = column.split
            return lambda text: [column.convert(part) for part in split(text)]
        return column.convert
    # A reference: its vocabulary decides what it accepts (keys, codes, names).
    if callable(kind):
        resolve = kind(catalogue)
    else:
        resolve = (lambda text: text) if deferred else catalogue.vocabulary(kind).resolver()
    if column.separator is None:
        return resolve
    split = column.split if callable(kind) else splitter(column.separator, keys=True)

    def convert_many(text: str) -> list:
        values = []
        for part in split(text):
            try:
                values.append(resolve(part))
            except CellError as error:
                error.value = part
                raise
        return list(dict.fromkeys(values))

    return convert_many


def read_registry(
    spec: RegistrySpec, schema: Schema, path, catalogue: Catalogue, *, progress: Callable[[int], None] | None = None
) -> RegistryRead:
    """Read ``path`` as registry ``spec``: every problem, or rows ready to generate from."""
    file = str(path)
    names = schema.header_names()
    try:
        table: Table = read_table(path, names=names, sheet_names=spec.sheet_names)
    except TableError as error:
        return RegistryRead(spec, file, "", problems=[error.problem])
    result = RegistryRead(spec, file, table.description)
    if len(table.header) > MAX_COLUMNS:
        getattr(table.rows, "close", lambda: None)()
        result.problems.append(Problem(
            file, f"the header has {len(table.header):,} cells, more than the {MAX_COLUMNS:,} columns a table may have",
            line=table.header_row or None, expected="a header row naming the columns, then one row per entry"))
        return result
    mapped, problems = schema.map_header(table.header, file, table.header_row, table.header_rows)
    result.problems += problems
    if problems and all(m is None for m in mapped):
        return result
    Row = _row_type(schema)
    own = {c for c, kind in spec.references.items() if kind == spec.defines}
    plan = []  # (cell index, column, converter, header text)
    for index, column in enumerate(mapped):
        if column is not None:
            plan.append((index, column, _cell_converter(column, spec, catalogue, column.name in own), table.header[index]))
    present = {column.name for _, column, _, _ in plan}
    missing_defaults = {c.name: ([] if c.separator is not None else None) for c in schema.columns if c.name not in present}
    positions = {c.name: i for i, c in enumerate(schema.columns)}
    width = len(table.header)
    key_index = positions[schema.primary_key]
    first_row: dict[str, int] = {}
    check = spec.check(catalogue) if spec.check is not None else None
    last_short = None
    rows = result.rows
    problems = result.problems
    for number, cells in table.rows:
        if not any(cells):
            continue
        if len(cells) < width:
            last_short = (number, len(cells), len(problems))
            cells = cells + [""] * (width - len(cells))
        elif len(cells) > width and any(cells[width:]):
            problems.append(Problem(file, f"the row has {len(cells)} cells but the header has {width}", line=number,
                                    expected="one cell per column of the header"))
        else:
            last_short = None
        values = [None] * len(schema.columns)
        for name, default in missing_defaults.items():
            values[positions[name]] = default
        for index, column, convert, header in plan:
            text = cells[index]
            if not text:
                if column.required:
                    problems.append(Problem(file, "a value is required", line=number, column=header,
                                            expected=_what(column)))
                values[positions[column.name]] = [] if column.separator is not None else None
                continue
            try:
                values[positions[column.name]] = convert(text)
            except CellError as error:
                problems.append(Problem(file, error.message, line=number, column=header, value=error.value or text,
                                        expected=error.expected))
        key = values[key_index]
        key_slug = slug(key) if key else ""
        if key and not key_slug:
            problems.append(Problem(file, "the id has no letter or digit to make an IRI of", line=number,
                                    column=schema.primary_key, value=key))
        elif key_slug in first_row:
            problems.append(Problem(file, f"the id is already used in row {first_row[key_slug]}", line=number,
                                    column=_header_of(plan, schema.primary_key), value=key, expected="a unique id"))
        elif key_slug:
            first_row[key_slug] = number
        row = Row(*values, number, key_slug)
        if check is not None:
            for column_name, message, expected in check(row):
                problems.append(Problem(file, message, line=number, column=_header_of(plan, column_name),
                                        value=_shown(getattr(row, column_name, None)), expected=expected))
        rows.append(row)
        if progress is not None and len(rows) % 50_000 == 0:
            progress(len(rows))
    problems += table.problems
    if last_short is not None and not table.problems and table.format != "JSON":
        number, count, before = last_short
        del problems[before:]  # what the cut row lacks is not news: that it is cut is
        problems.append(Problem(file, f"the last row has only {count} of {width} cells (is the file truncated?)",
                                line=number, expected="one cell per column of the header"))
    if spec.defines is not None:
        catalogue.register(spec.name, [
            (row.slug_, catalogue.iris(f"{spec.kind}/{row.slug_}"), spec.labels(row) if spec.labels else (None, None))
            for row in rows if row.slug_
        ], file=file, kind=spec.defines)
    if own:
        _resolve_own(result, own, plan, catalogue)
    result.problems.sort(key=lambda p: p.line or 0)
    return result


def _what(column: Column) -> str:
    """A column's description as the object of "expected": "the project's title in Swedish"."""
    text = column.description.split(";")[0].rstrip(".") or column.name
    return text[0].lower() + text[1:]


def _header_of(plan, name: str) -> str:
    for _, column, _, header in plan:
        if column.name == name:
            return header
    return name


def _shown(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return "|".join(map(str, value))
    return str(value)


def _resolve_own(result: RegistryRead, own: set[str], plan, catalogue: Catalogue) -> None:
    """References to the registry's own rows (a parent organisation), once all its rows are known."""
    vocabulary = catalogue.vocabulary(result.spec.references[next(iter(own))])
    for i, row in enumerate(result.rows):
        changes = {}
        for name in own:
            text = getattr(row, name)
            if text is None:
                continue
            try:
                changes[name] = vocabulary.resolve(text)
            except CellError as error:
                result.problems.append(Problem(result.file, error.message, line=row.rownum_,
                                               column=_header_of(plan, name), value=text, expected=error.expected))
        if changes:
            result.rows[i] = row._replace(**changes)


# --- generation ---------------------------------------------------------------------

TYPE = nt.iri(RDF.type)
DERIVED = nt.iri(PROV.wasDerivedFrom)
IDENTIFIER = nt.iri(DCT.identifier)
ROW_NUMBER = nt.iri(PKG.rowNumber)
IS_PART_OF = nt.iri(DCT.isPartOf)
REGISTRY_ROW = nt.iri(PKG.RegistryRow)
TRACE_LINK = nt.iri(PKG.TraceLink)
QUALIFIED = nt.iri(PKG.qualifiedLink)
LINK_SOURCE = nt.iri(PKG.linkSource)
LINK_PROPERTY = nt.iri(PKG.linkProperty)
LINK_TARGET = nt.iri(PKG.linkTarget)
BASIS = nt.iri(PKG.basis)
ASSERTED = nt.iri(PKG.AssertedInRegistry)

#: The traceability properties and the path segment of their trace links.
LINK_SEGMENTS = {
    PKG.servesGoal: "serves-goal",
    PKG.withinFocusArea: "within-focus-area",
    PKG.appliesPrinciple: "applies-principle",
    PKG.contributesToTarget: "contributes-to-target",
    PKG.responsibleBody: "responsible-body",
    PKG.partOf: "part-of",
}
_LINK_RENDERED = {str(p): (nt.iri(p), segment) for p, segment in LINK_SEGMENTS.items()}


def source_file_iri(graph: str, file_name: str) -> str:
    """The IRI of a source file in a graph's provenance (as ``provenance.provenance_quads`` mints it)."""
    return f"{graph}/source/{quote(file_name)}"


class Emitter:
    """Writes one registry's triples: entities with their rows, links with their trace links."""

    def __init__(self, spec: RegistrySpec, graph: str, file_name: str, base: str, catalogue: Catalogue) -> None:
        self.spec = spec
        self.base = base
        self.catalogue = catalogue
        self.lines: list[str] = []
        self.count = 0
        self.file = nt.iri(source_file_iri(graph, file_name))
        self._row_prefix = source_file_iri(graph, file_name) + "#row="
        self.seen: set[str] = set()  # secondary entities written once (networks)
        self.subject = self.row_iri = ""
        self._trace_prefix = ""

    def add(self, subject: str, predicate: str, obj: str) -> None:
        self.lines.append(f"{subject} {predicate} {obj} .\n")
        self.count += 1

    def entity(self, row, *types: str) -> str:
        """Start the row's entity: its types, id and row; returns the rendered subject."""
        local = f"{self.spec.kind}/{row.slug_}"
        subject = f"<{self.base}{local}>"
        row_iri = f"<{self._row_prefix}{row.rownum_}>"
        lines = self.lines
        for cls in types:
            lines.append(f"{subject} {TYPE} {cls} .\n")
        lines.append(f"{subject} {IDENTIFIER} {nt.string(getattr(row, 'id'))} .\n")
        lines.append(f"{subject} {DERIVED} {row_iri} .\n")
        lines.append(f"{row_iri} {TYPE} {REGISTRY_ROW} .\n")
        lines.append(f'{row_iri} {ROW_NUMBER} "{row.rownum_}"^^{nt.XSD_INTEGER} .\n')
        lines.append(f"{row_iri} {IS_PART_OF} {self.file} .\n")
        self.count += len(types) + 5
        self.subject, self.row_iri = subject, row_iri
        self._trace_prefix = f"{self.base}trace-link/{local}/"
        return subject

    def link(self, prop: str, target: str) -> None:
        """``subject prop target``, and its trace link (asserted in this row)."""
        predicate, segment = _LINK_RENDERED[str(prop)]
        key = target.rsplit("/", 1)[-1]
        link = f"<{self._trace_prefix}{segment}/{key}>"
        subject = self.subject
        self.lines += (
            f"{subject} {predicate} <{target}> .\n"
            f"{subject} {QUALIFIED} {link} .\n"
            f"{link} {TYPE} {TRACE_LINK} .\n"
            f"{link} {LINK_SOURCE} {subject} .\n"
            f"{link} {LINK_PROPERTY} {predicate} .\n"
            f"{link} {LINK_TARGET} <{target}> .\n"
            f"{link} {BASIS} {ASSERTED} .\n"
            f"{link} {DERIVED} {self.row_iri} .\n",
        )
        self.count += 8

    def links(self, prop: str, targets) -> None:
        for target in targets or ():
            self.link(prop, target)

    def take(self) -> bytes:
        data = "".join(self.lines).encode("utf-8")
        self.lines.clear()
        return data


class Generated:
    """The N-Triples of a registry read, produced lazily in chunks; ``triples`` counts them."""

    def __init__(self, read: RegistryRead, graph: str, file_name: str, catalogue: Catalogue,
                 progress: Callable[[int, int, int], None] | None = None) -> None:
        self.read = read
        self.catalogue = catalogue
        self.graph = graph
        self.file_name = file_name
        self.progress = progress
        self.triples = 0

    def __iter__(self) -> Iterator[bytes]:
        emitter = Emitter(self.read.spec, self.graph, self.file_name, self.catalogue.iris.base, self.catalogue)
        emit = self.read.spec.emit
        total = len(self.read.rows)
        for done, row in enumerate(self.read.rows, 1):
            emit(emitter, row)
            if len(emitter.lines) >= 20_000:
                yield emitter.take()
                self.triples = emitter.count
                if self.progress is not None:
                    self.progress(emitter.count, done, total)
        if emitter.lines:
            yield emitter.take()
        self.triples = emitter.count
        if self.progress is not None:
            self.progress(emitter.count, total, total)
