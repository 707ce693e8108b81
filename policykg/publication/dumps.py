"""Dumps of the published generation: the files people download, with checksums and statistics.

Layout, beside the generations of the store::

    STORE/dumps/<generation>/
        policykg.nq.gz      every named graph (N-Quads, gzip)
        policykg.trig.gz    every named graph (TriG, gzip)
        policykg.ttl        the union of the graphs (Turtle; graph boundaries are lost)
        policykg.jsonld     every named graph (JSON-LD)
        SHA256SUMS          for ``sha256sum -c``
        manifest.json       files, sizes, checksums and the VoID statistics (written last)

:func:`write_dumps` writes them for the published generation after a build
(``policykg build``, ``policykg dumps``): into a hidden directory first, renamed
into place when complete, so a half-written dump is never served. A failure
leaves the dumps that were there. Dumps of older generations are removed once
the new ones are in place. Everything streams: no dump is held in memory.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import gzip
import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

from policykg.namespaces import PREFIXES
from policykg.publication.statistics import Statistics, UnionCounter, compute
from policykg.store import EmbeddedStore, StoreNotBuilt, graph_sizes

DUMPS_DIR = "dumps"
MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
TMP_PREFIX = ".tmp-"
TRASH_PREFIX = ".old-"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class DumpFormat:
    """One kind of dump file."""

    key: str
    file_name: str
    media_type: str
    rdf_format: ox.RdfFormat
    #: Code in the EU file-type authority table (dcterms:format).
    file_type: str
    gzip: bool
    #: Whether the named graphs are kept (a dataset format) or merged (the union).
    keeps_graphs: bool
    title_en: str
    title_sv: str


DUMP_FORMATS: tuple[DumpFormat, ...] = (
    DumpFormat(
        "nquads", "policykg.nq.gz", "application/n-quads", ox.RdfFormat.N_QUADS, "RDF_N_QUADS", True, True,
        "All named graphs as N-Quads (gzip)", "Alla namngivna grafer som N-Quads (gzip)",
    ),
    DumpFormat(
        "trig", "policykg.trig.gz", "application/trig", ox.RdfFormat.TRIG, "RDF_TRIG", True, True,
        "All named graphs as TriG (gzip)", "Alla namngivna grafer som TriG (gzip)",
    ),
    DumpFormat(
        "turtle", "policykg.ttl", "text/turtle", ox.RdfFormat.TURTLE, "RDF_TURTLE", False, False,
        "The union of all graphs as Turtle (which graph a triple came from is lost)",
        "Unionen av alla grafer som Turtle (vilken graf en trippel kom från går förlorat)",
    ),
    DumpFormat(
        "jsonld", "policykg.jsonld", "application/ld+json", ox.RdfFormat.JSON_LD, "JSON_LD", False, True,
        "All named graphs as JSON-LD", "Alla namngivna grafer som JSON-LD",
    ),
)
FORMATS_BY_KEY = {f.key: f for f in DUMP_FORMATS}


@dataclass
class DumpFile:
    """One written dump file."""

    key: str
    name: str
    media_type: str
    bytes: int
    sha256: str
    statements: int  # quads or (union) triples written

    @property
    def format(self) -> DumpFormat:
        return FORMATS_BY_KEY[self.key]


@dataclass
class Dumps:
    """A complete dumps directory of one generation."""

    path: Path
    generation: str
    published: str  # when the generation was published (ISO 8601, UTC)
    created: str  # when the dumps were written
    seconds: float
    files: list[DumpFile]
    statistics: Statistics

    def file(self, name: str) -> DumpFile | None:
        return next((f for f in self.files if f.name == name), None)

    def manifest(self) -> dict:
        data = {k: v for k, v in asdict(self).items() if k not in ("path", "statistics")}
        data["statistics"] = self.statistics.as_dict()
        return data


@dataclass
class DumpsReport:
    """What :func:`write_dumps` did."""

    dumps: Dumps
    written: bool
    removed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        d = self.dumps
        if not self.written:
            return f"dumps of generation {d.generation} are up to date in {d.path}"
        sizes = ", ".join(f"{f.name} {f.bytes:,} bytes" for f in d.files)
        return f"wrote dumps of generation {d.generation} in {d.seconds:.2f} s to {d.path}: {sizes}"


class DumpsError(RuntimeError):
    """Dumps cannot be written or read; the message says why and where."""


# --- reading ----------------------------------------------------------------------


def dumps_root(store: EmbeddedStore) -> Path:
    return store.path / DUMPS_DIR


def read_dumps(directory: Path) -> Dumps | None:
    """The dumps in ``directory``, or None when it is not a complete dumps directory."""
    try:
        data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, ValueError) as error:
        raise DumpsError(f"{directory / MANIFEST}: cannot be read ({error})") from None
    return Dumps(
        path=directory,
        generation=data["generation"],
        published=data["published"],
        created=data["created"],
        seconds=data["seconds"],
        files=[DumpFile(**f) for f in data["files"]],
        statistics=Statistics.from_dict(data["statistics"]),
    )


def available(store: EmbeddedStore) -> list[str]:
    """Generations that have complete dumps, newest first."""
    root = dumps_root(store)
    if not root.is_dir():
        return []
    names = [e.name for e in root.iterdir() if not e.name.startswith(".") and (e / MANIFEST).is_file()]
    return sorted(names, reverse=True)


def latest(store: EmbeddedStore) -> Dumps | None:
    """The dumps of the published generation if they exist, else the newest there are."""
    generation = store.current_generation()
    names = available(store)
    if generation in names:
        names.remove(generation)
        names.insert(0, generation)
    for name in names:
        found = read_dumps(dumps_root(store) / name)
        if found is not None:
            return found
    return None


# --- writing ----------------------------------------------------------------------


def _by_size(reader: ox.Store) -> list:
    """The default graph (when it holds anything) and the named graphs, largest first."""
    sizes: dict = graph_sizes(reader)
    if next(iter(reader.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
        sizes[ox.DefaultGraph()] = 1
    return sorted(sizes, key=lambda g: (-sizes[g], g.value if isinstance(g, ox.NamedNode) else ""))


def union_triples(reader: ox.Store) -> Iterator[ox.Triple]:
    """The triples of all graphs, each once.

    Graph by graph, largest first; a triple is written with the first graph that
    holds it. pyoxigraph iterates quads graph by graph, so a triple that several
    graphs hold does not come out in a row: each triple of a later graph is
    looked up in the others (an index lookup; none for the largest graph, which
    holds most triples; no set of all triples in memory; tests check the count
    against SPARQL DISTINCT).
    """
    graphs = _by_size(reader)
    if getattr(reader, "union_triples", None):  # a remote store streams each graph once
        yield from reader.union_triples([g for g in graphs if isinstance(g, ox.NamedNode)])
        return
    rank = {graph: position for position, graph in enumerate(graphs)}
    for position, graph in enumerate(graphs):
        for quad in reader.quads_for_pattern(None, None, None, graph):
            if position and any(
                rank[holder.graph_name] < position
                for holder in reader.quads_for_pattern(quad.subject, quad.predicate, quad.object, None)
            ):
                continue
            yield ox.Triple(quad.subject, quad.predicate, quad.object)


class _Hashing:
    """A binary file that hashes and counts what is written to it."""

    def __init__(self, path: Path) -> None:
        self._file = open(path, "wb")
        self.sha256 = hashlib.sha256()
        self.bytes = 0

    def write(self, data) -> int:
        self.sha256.update(data)
        self.bytes += len(data)
        return self._file.write(data)

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()


def _counted(items, counter: list[int], each=None):
    for item in items:
        counter[0] += 1
        if each is not None:
            each(item)
        yield item


def write_file(reader: ox.Store, fmt: DumpFormat, directory: Path, quads: int, union: UnionCounter | None = None) -> DumpFile:
    """Write one dump of the generation ``reader`` holds (``quads`` of them) into ``directory``."""
    raw = _Hashing(directory / fmt.file_name)
    count = [0]
    try:
        # mtime=0 and no file name in the gzip header: the same data gives the same bytes.
        out = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) if fmt.gzip else raw
        prefixes = PREFIXES if fmt.rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
        if fmt.keeps_graphs:
            # every quad as it is: pyoxigraph writes them without a Python object per quad
            reader.dump(out, fmt.rdf_format, prefixes=prefixes)
            count[0] = quads
        else:
            source = _counted(union_triples(reader), count, union.add if union else None)
            ox.serialize(source, out, format=fmt.rdf_format, prefixes=prefixes)
        if fmt.gzip:
            out.close()
    finally:
        raw.close()
    return DumpFile(fmt.key, fmt.file_name, fmt.media_type, raw.bytes, raw.sha256.hexdigest(), count[0])


@contextlib.contextmanager
def _dumps_lock(root: Path) -> Iterator[None]:
    """One dump writer at a time (a second one waits)."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _iso(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).replace(microsecond=0).isoformat()


def write_dumps(store: EmbeddedStore, base_iri: str, *, force: bool = False, progress: Progress | None = None) -> DumpsReport:
    """Dumps, checksums and statistics of the published generation (unless it has them and not ``force``).

    Raises :class:`StoreNotBuilt` before the first build; any other failure
    leaves the dumps that were there, served as before.
    """
    generation = store.current_generation()
    if generation is None:
        raise StoreNotBuilt(f"no data in {store.path}: run 'policykg build' first")
    root = dumps_root(store)
    with _dumps_lock(root):
        _remove_leftovers(root)
        final = root / generation
        existing = read_dumps(final)
        if existing is not None and not force:
            return DumpsReport(existing, written=False, removed=_remove_older(root, generation))
        started = time.perf_counter()
        published = store.published_at() or time.time()
        reader = ox.Store.read_only(str(store.path / generation)) if not store.remote else store.snapshot()[1]
        tmp = root / f"{TMP_PREFIX}{generation}-{uuid.uuid4().hex[:8]}"
        tmp.mkdir()
        try:
            union = UnionCounter()
            quads = len(reader)
            files = []
            source = reader
            for fmt in DUMP_FORMATS:  # N-Quads first
                if progress:
                    progress(f"writing {fmt.file_name}")
                files.append(write_file(source, fmt, tmp, quads, union if not fmt.keeps_graphs else None))
                if fmt.rdf_format == ox.RdfFormat.N_QUADS and hasattr(reader, "from_dump"):
                    source = reader.from_dump(tmp / fmt.file_name)  # a remote store: read once, the rest from the file
            if progress:
                progress("computing statistics")
            statistics = compute(reader, base_iri, union, quads)
            (tmp / CHECKSUMS).write_text("".join(f"{f.sha256}  {f.name}\n" for f in files), encoding="utf-8")
            dumps = Dumps(
                final, generation, _iso(published), _iso(time.time()), round(time.perf_counter() - started, 3), files, statistics
            )
            manifest = tmp / MANIFEST
            manifest.write_text(json.dumps(dumps.manifest(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            _swap_into_place(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return DumpsReport(dumps, written=True, removed=_remove_older(root, generation))


def _swap_into_place(tmp: Path, final: Path) -> None:
    """Rename the complete directory ``tmp`` to ``final``, replacing what was there."""
    if final.exists():
        trash = final.with_name(f"{TRASH_PREFIX}{final.name}-{uuid.uuid4().hex[:8]}")
        os.rename(final, trash)
        os.rename(tmp, final)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.rename(tmp, final)
    fd = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_leftovers(root: Path) -> None:
    """Directories a killed writer left (we hold the lock: no writer is alive)."""
    for entry in root.iterdir():
        if entry.name.startswith((TMP_PREFIX, TRASH_PREFIX)):
            shutil.rmtree(entry, ignore_errors=True)


def _remove_older(root: Path, generation: str) -> list[str]:
    """Remove the dumps of generations older than ``generation`` (a download in progress
    goes on reading its open file)."""
    removed = []
    for entry in root.iterdir():
        if not entry.name.startswith(".") and entry.is_dir() and entry.name < generation:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry.name)
    return sorted(removed)
