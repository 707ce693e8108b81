"""The registries a build loads: a manifest, ``registries.toml``, beside the files it names.

``POLICYKG_REGISTRIES`` names the manifest or its directory; the default is the
sample registries of Umeå in ``registries/umea/``. The manifest says what the
data set is (titles and a description that every registry graph repeats; the
samples say there that they are illustrative) and which file holds each
registry::

    [dataset]
    title_sv = "..."
    title_en = "..."
    description_sv = "..."
    description_en = "..."
    illustrative = true     # examples, not official records: whatever shows them says so

    [registries]
    organisations = "organisations.csv"
    projects = "projects.xlsx"

    [mappings]                      # reviewed SSSOM mapping sets, loaded as linkset graphs
    wikidata = "mappings/wikidata.sssom.tsv"

Each registry's format is ``NAME.csv-metadata.json`` in the same directory
(the CSVW table description); it is one of the registry's source files, so a
changed schema reloads the registry and is named in its provenance.
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from policykg.config import Settings
from policykg.namespaces import DCT, nn
from policykg.paths import resource_dir
from policykg.publication.samples import illustrative_quads

from . import ntriples, references, registry, schema, table, tabular, workbook
from .errors import InputError, Problem
from .registries import REGISTRIES
from .registry import Generated, RegistrySpec, read_registry, source_file_iri
from .sources import ReadResult, Source

MANIFEST = "registries.toml"
ENGINE_MODULES = (registry, schema, table, tabular, workbook, references, ntriples, sys.modules[__name__])


@dataclass(frozen=True)
class Dataset:
    """What the manifest says about the data set as a whole."""

    directory: Path
    files: dict[str, Path]
    title: dict[str, str]
    description: dict[str, str]
    #: Reviewed mapping sets (SSSOM/TSV) that build loads as linkset graphs: name -> file.
    mappings: dict[str, Path] = field(default_factory=dict)
    #: The records are illustrative examples, not official records (``illustrative = true``).
    illustrative: bool = False

    def schema(self, name: str) -> Path:
        return self.directory / f"{name}.csv-metadata.json"


def default_manifest() -> Path:
    return resource_dir("registries") / "umea" / MANIFEST


def manifest_path(settings: Settings) -> Path:
    path = settings.registries or default_manifest()
    return path / MANIFEST if path.is_dir() else path


def read_manifest(path: Path) -> Dataset:
    """The manifest at ``path``; :class:`InputError` names what is wrong with it."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError([Problem(str(path), "the registries manifest is not there",
                                  expected="a registries.toml (set POLICYKG_REGISTRIES to it or its directory)")]) from None
    except tomllib.TOMLDecodeError as error:
        raise InputError([Problem(str(path), f"not valid TOML: {error}")]) from None
    dataset = data.get("dataset", {})
    files = {}
    problems = []
    for name, file in (data.get("registries") or {}).items():
        if name not in REGISTRIES:
            problems.append(Problem(str(path), "unknown registry", column=f"registries.{name}",
                                    expected="one of " + ", ".join(REGISTRIES)))
        else:
            files[name] = path.parent / str(file)
    mappings = {}
    for name, file in (data.get("mappings") or {}).items():
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", str(name)):
            problems.append(Problem(str(path), "a mapping set's name must be lower-case letters, digits and '-'",
                                    column=f"mappings.{name}", expected="such as wikidata"))
        else:
            mappings[str(name)] = path.parent / str(file)
    if problems:
        raise InputError(problems)
    return Dataset(
        path.parent,
        files,
        {"sv": dataset.get("title_sv", ""), "en": dataset.get("title_en", "")},
        {"sv": dataset.get("description_sv", ""), "en": dataset.get("description_en", "")},
        mappings,
        dataset.get("illustrative") is True,
    )


def registry_source(spec: RegistrySpec, data: Path, schema_path: Path, catalogue: references.Catalogue,
                    dataset: Dataset | None = None) -> Source:
    """The source that loads registry ``spec`` from ``data`` with its CSVW table description."""

    def read(files: list[Path], settings: Settings, progress=None) -> ReadResult:
        data_file, schema_file = files
        try:
            compiled = schema.compile_schema(schema_file)
        except schema.SchemaError as error:
            raise InputError([Problem(str(schema_file), str(error).split(": ", 1)[-1])]) from None
        result = read_registry(spec, compiled, data_file, catalogue, progress=progress.rows if progress else None)
        if result.problems:
            raise InputError(result.problems)
        graph = settings.iris.graph(spec.name)
        generated = Generated(result, graph, data_file.name, catalogue, progress=progress.triples if progress else None)
        return ReadResult(
            _graph_description(graph, schema_file.name, dataset),
            rows={data_file.name: result.count},
            ntriples=generated,
            note=f"{spec.name}: {data_file.name}: {result.count} rows ({result.description})",
        )

    return Source(
        spec.name,
        spec.title_en,
        spec.title_sv,
        (data, schema_path),
        read,
        modules=(*ENGINE_MODULES, sys.modules["policykg.loaders.registries.common"], spec.module),
        reports_progress=True,
        group=catalogue,
    )


def _graph_description(graph: str, schema_name: str, dataset: Dataset | None) -> list[ox.Quad]:
    quads = [ox.Quad(nn(graph), nn(DCT.conformsTo), nn(source_file_iri(graph, schema_name)))]
    if dataset is not None:
        for lang, text in dataset.description.items():
            if text:
                quads.append(ox.Quad(nn(graph), nn(DCT.description), ox.Literal(text, language=lang)))
        if dataset.illustrative:
            quads += illustrative_quads(graph)
    return quads


def registry_sources(settings: Settings, catalogue: references.Catalogue) -> list[Source]:
    """A source for every registry of the configured manifest, in dependency order."""
    dataset = read_manifest(manifest_path(settings))
    return [
        registry_source(spec, dataset.files[name], dataset.schema(name), catalogue, dataset)
        for name, spec in REGISTRIES.items()
        if name in dataset.files
    ]


def column_values(settings: Settings, name: str, column: str) -> tuple[Path | None, list[str]]:
    """The file of registry ``name`` in the configured manifest and the values of one of its
    columns, read without checking the rest (for a source that depends on them, such as the
    KPIs whose values Kolada's source fetches); (None, []) when the manifest has no such registry."""
    try:
        dataset = read_manifest(manifest_path(settings))
    except InputError:
        return None, []
    path = dataset.files.get(name)
    if path is None or not path.is_file():
        return None, []
    try:
        compiled = schema.compile_schema(dataset.schema(name))
        table = tabular.read_table(path, names=compiled.header_names(), sheet_names=REGISTRIES[name].sheet_names)
    except (schema.SchemaError, tabular.TableError):
        return path, []
    names = compiled.column(column).header_names()
    index = next((i for i, cell in enumerate(table.header) if cell.strip().lower() in names), None)
    if index is None:
        return path, []
    return path, sorted({cells[index].strip() for _, cells in table.rows if index < len(cells) and cells[index].strip()})


def single_registry_source(settings: Settings, name: str, data: Path) -> Source:
    """The source of ``policykg load NAME FILE``: the manifest's schema for NAME, with FILE."""
    if name not in REGISTRIES:
        raise InputError([Problem(str(data), f"unknown registry '{name}'", expected="one of " + ", ".join(REGISTRIES))])
    dataset = read_manifest(manifest_path(settings))
    return registry_source(REGISTRIES[name], data, dataset.schema(name), references.Catalogue(settings), dataset)
