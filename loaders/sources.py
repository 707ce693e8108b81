"""The sources a build loads, each into its own named graph.

A :class:`Source` names its graph, its files and a pure function from those
files to quads. ``build_sources(settings)`` lists what ``policykg build`` loads;
registries and the UN SDG framework add theirs here.
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
    for tabular files, how many rows each file had."""

    quads: Iterable[ox.Quad]
    rows: dict[str, int] = field(default_factory=dict)


Reader = Callable[[list[Path], Settings], ReadResult]


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

    def graph(self, settings: Settings) -> str:
        return settings.iris.graph(self.key)

    def version(self) -> str:
        return loader_version(*(self.modules or (sys.modules[self.read.__module__],)))

    def file_facts(self) -> list[FileFacts]:
        missing = [str(p) for p in self.files if not p.is_file()]
        if missing:
            raise InputError([Problem(p, "file not found") for p in missing])
        return [FileFacts.of(p) for p in self.files]


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
    ]


def build_sources(settings: Settings) -> list[Source]:
    """Everything ``policykg build`` loads."""
    return foundation_sources()
