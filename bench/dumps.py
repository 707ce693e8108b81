"""How long writing the dumps and statistics takes, and how big they are.

    .venv/bin/python -m bench.dumps --store var/store          # the built store
    .venv/bin/python -m bench.dumps --synthetic 1000000        # a synthetic store of that many quads

Prints one line per file and one for the statistics, then the total.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from policykg.publication.dumps import DUMP_FORMATS, write_file
from policykg.publication.statistics import UnionCounter, compute
from policykg.store import EmbeddedStore


def synthetic(path: Path, quads: int) -> EmbeddedStore:
    """Quads in 5 graphs: 10 properties per subject, IRIs, literals and types."""
    store = EmbeddedStore(path)

    def generate():
        for i in range(quads):
            subject = ox.NamedNode(f"http://example.org/item/{i // 10}")
            graph = ox.NamedNode(f"http://example.org/graph/{(i // 10) % 5}")
            if i % 10 == 0:
                yield ox.Quad(subject, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                              ox.NamedNode(f"http://example.org/Class{i % 7}"), graph)
            elif i % 3 == 0:
                yield ox.Quad(subject, ox.NamedNode(f"http://example.org/link{i % 10}"),
                              ox.NamedNode(f"http://example.org/item/{(i * 7) % quads // 10}"), graph)
            else:
                yield ox.Quad(subject, ox.NamedNode(f"http://example.org/p{i % 10}"), ox.Literal(f"value {i}", language="en"), graph)

    with store.writer() as writer:
        writer.raw.bulk_extend(generate())
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path)
    parser.add_argument("--synthetic", type=int)
    parser.add_argument("--base-iri", default="http://example.org/")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        if args.synthetic:
            started = time.perf_counter()
            store = synthetic(Path(scratch) / "store", args.synthetic)
            print(f"loaded {args.synthetic:,} quads in {time.perf_counter() - started:.1f} s")
        else:
            store = EmbeddedStore(args.store)
        reader = store.reader()
        out = Path(scratch) / "dumps"
        out.mkdir()
        union = UnionCounter()
        total = 0.0
        quads = len(reader)
        for fmt in DUMP_FORMATS:
            started = time.perf_counter()
            written = write_file(reader, fmt, out, quads, union if not fmt.keeps_graphs else None)
            seconds = time.perf_counter() - started
            total += seconds
            print(f"{fmt.file_name:18} {written.bytes:>14,} bytes {written.statements:>12,} statements {seconds:8.2f} s")
        started = time.perf_counter()
        compute(reader, args.base_iri, union, quads)
        seconds = time.perf_counter() - started
        total += seconds
        print(f"{'statistics':18} {'':>20} {'':>23} {seconds:8.2f} s")
        print(f"{'total':18} {'':>20} {'':>23} {total:8.2f} s")


if __name__ == "__main__":
    main()
