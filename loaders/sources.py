"""The sources a build loads, each into its own named graph.

A :class:`Source` names its graph, its files and a pure function from those
files to quads (or, for large sources, to N-Triples chunks that the writer
bulk-loads). ``foundation_sources()`` are the ontology, the shapes and the program;
:func:`policykg.build.build_sources` adds the UN SDG framework and the registries.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from policykg.config import Settings
from policykg.paths import ontology_dir

from . import rdf, shacl
from .errors import InputError, Problem
from .provenance import FileFacts, loader_version


@dataclass
class ReadResult:
    """What a reader produced: the quads (a list, or a generator for large
    sources that validated everything before yielding the first quad) and,
    for tabular files, how many rows each file had.

    A large source gives ``ntriples`` instead: an iterable of N-Triples chunks
    (bytes) with a ``triples`` attribute that counts them once iterated; the
    writer bulk-loads them into the graph, then adds ``quads``. ``note`` says
    in a line what was read (shown by the command line)."""

    quads: Iterable[ox.Quad]
    rows: dict[str, int] = field(default_factory=dict)
    ntriples: Iterable[bytes] | None = None
    note: str | None = None


Reader = Callable[..., ReadResult]


class ReadProgress:
    """How a reader of a large source reports progress: rows read, then triples written."""

    def __init__(self, key: str, progress=None) -> None:
        self.key = key
        self._progress = progress

    def rows(self, count: int) -> None:
        callback = getattr(self._progress, "rows", None)
        if callback is not None:
            callback(self.key, count)

    def triples(self, count: int, rows_done: int | None = None, rows_total: int | None = None) -> None:
        callback = getattr(self._progress, "writing", None)
        if callback is not None and rows_total:
            callback(self.key, rows_done, rows_total, count)
        elif self._progress is not None:
            self._progress(self.key, count)


@dataclass(frozen=True)
class Source:
    """One source: its graph key, titles, files and reader."""

    key: str
    title_en: str
    title_sv: str
    files: tuple[Path, ...]
    read: Reader
    #: Modules whose code decides what the reader produces (their digest is the loader version).
    modules: tuple = field(default=())
    #: The reader takes a ``progress`` keyword (a :class:`ReadProgress`).
    reports_progress: bool = False
    #: Where the files were fetched from, if not local: a URL ending in '/' (the files' directory),
    #: or the URL of the one file fetched (a SPARQL query, an API request).
    origin: str | None = None
    #: What the sources of one load share (a registries catalogue); after every source is
    #: read, publish asks it for problems across sources: ``group.dangling(keys loaded now)``.
    group: object | None = None

    def graph(self, settings: Settings) -> str:
        return settings.iris.graph(self.key)

    def read_files(self, settings: Settings, progress=None) -> ReadResult:
        if self.reports_progress:
            return self.read(list(self.files), settings, progress=ReadProgress(self.key, progress))
        return self.read(list(self.files), settings)

    def version(self) -> str:
        return loader_version(*(self.modules or (sys.modules[self.read.__module__],)))

    def file_facts(self) -> list[FileFacts]:
        missing = [str(p) for p in self.files if not p.is_file()]
        if missing:
            raise InputError([Problem(p, "file not found") for p in missing])
        return [FileFacts.of(p, location=self._location(p)) for p in self.files]

    def _location(self, path: Path) -> str | None:
        """Where a fetched file came from: the origin directory's URL plus its name, or
        (an origin not ending in '/') the one URL it was fetched from."""
        if not self.origin:
            return None
        return self.origin + path.name if self.origin.endswith("/") else self.origin


# --- the foundation's sources --------------------------------------------------


def read_ontology(files: list[Path], settings: Settings) -> ReadResult:
    """The vocabulary (and the shapes): absolute IRIs only, no base."""
    return ReadResult([quad for path in files for quad in rdf.read_rdf(path)])


def read_program(files: list[Path], settings: Settings) -> ReadResult:
    """The program as data: relative IRIs resolve against the configured base.

    The data must conform to the shapes before it is used.
    """
    quads = [quad for path in files for quad in rdf.read_rdf(path, base_iri=settings.base_iri)]
    problems = shacl.shacl_problems(shacl.to_rdflib(quads), file=", ".join(str(p) for p in files))
    if problems:
        raise InputError(problems)
    return ReadResult(quads)


def read_rules(files: list[Path], settings: Settings) -> ReadResult:
    """The compliance rules (ontology/rules/): relative IRIs resolve against the configured base."""
    return ReadResult([quad for path in files for quad in rdf.read_rdf(path, base_iri=settings.base_iri)])


def foundation_sources() -> list[Source]:
    here = ontology_dir()
    return [
        Source(
            "ontology",
            "The policykg ontology",
            "policykg-ontologin",
            (here / "policykg.ttl",),
            read_ontology,
            modules=(rdf, sys.modules[__name__]),
        ),
        Source(
            "shapes",
            "SHACL shapes of the policykg data",
            "SHACL-former för policykg-data",
            tuple(shacl.shape_files()),
            read_ontology,
            modules=(rdf, sys.modules[__name__]),
        ),
        Source(
            "program",
            "Internationellt program för Umeå kommun, as data",
            "Internationellt program för Umeå kommun, som data",
            (here / "program.ttl",),
            read_program,
            modules=(rdf, shacl, sys.modules[__name__]),
        ),
        Source(
            "rules",
            "The International Program as compliance rules",
            "Internationellt program som kontrollregler",
            tuple(sorted((here / "rules").glob("*.ttl"))),
            read_rules,
            modules=(rdf, sys.modules[__name__]),
        ),
    ]
