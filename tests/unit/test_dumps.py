"""Dumps: written by build from the published generation, the same quads as the store,
checksums that match, written aside so that a failure leaves the previous ones."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers import make_settings, store_at, write_sample_store

from policykg.build import build_store
from policykg.publication.dumps import (
    CHECKSUMS,
    DUMP_FORMATS,
    MANIFEST,
    available,
    dumps_root,
    latest,
    write_dumps,
)
from policykg.store import EmbeddedStore, StoreNotBuilt, open_store


def store_quads(store: EmbeddedStore) -> set[ox.Quad]:
    return set(store.reader().quads_for_pattern(None, None, None, None))


def parse_dump(path: Path, fmt) -> list:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as handle:
        return list(ox.parse(handle, format=fmt))


def test_build_writes_dumps_of_the_published_generation(store, built_settings) -> None:
    dumps = latest(store)
    assert dumps is not None and dumps.generation == store.current_generation()
    assert [f.name for f in dumps.files] == [f.file_name for f in DUMP_FORMATS]
    assert dumps.path == dumps_root(store) / store.current_generation()


def test_nquads_trig_and_jsonld_dumps_hold_exactly_the_stores_quads(store) -> None:
    dumps = latest(store)
    expected = store_quads(store)
    assert len(expected) > 3000
    for name, fmt in (
        ("policykg.nq.gz", ox.RdfFormat.N_QUADS),
        ("policykg.trig.gz", ox.RdfFormat.TRIG),
        ("policykg.jsonld", ox.RdfFormat.JSON_LD),
    ):
        assert set(parse_dump(dumps.path / name, fmt)) == expected, name


def test_turtle_dump_is_the_union_with_each_triple_once(store) -> None:
    dumps = latest(store)
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in parse_dump(dumps.path / "policykg.ttl", ox.RdfFormat.TURTLE)]
    union = {ox.Triple(q.subject, q.predicate, q.object) for q in store_quads(store)}
    assert len(triples) == len(set(triples)) == len(union)
    assert set(triples) == union
    distinct = store.query("SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { GRAPH ?g { ?s ?p ?o } } }")
    assert dumps.statistics.triples == int(next(iter(distinct))["n"].value) == len(union)


def test_sizes_and_checksums_match_the_files(store) -> None:
    dumps = latest(store)
    sums = {}
    for line in (dumps.path / CHECKSUMS).read_text().splitlines():
        digest, name = line.split("  ")
        sums[name] = digest
    assert set(sums) == {f.name for f in dumps.files}
    for dump in dumps.files:
        data = (dumps.path / dump.name).read_bytes()
        assert dump.bytes == len(data)
        assert dump.sha256 == sums[dump.name] == hashlib.sha256(data).hexdigest()
    # the manifest is what read_dumps reads back
    manifest = json.loads((dumps.path / MANIFEST).read_text())
    assert manifest["generation"] == dumps.generation and manifest["files"][0]["sha256"] == dumps.files[0].sha256


def test_sha256sum_accepts_the_checksums_file(store) -> None:
    if not Path("/usr/bin/sha256sum").exists():
        pytest.skip("sha256sum is not installed")
    result = subprocess.run(["sha256sum", "-c", CHECKSUMS], cwd=latest(store).path, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(": OK") == len(DUMP_FORMATS)


def test_dumps_before_the_first_build_say_to_build(settings) -> None:
    store = open_store(settings)
    assert latest(store) is None
    with pytest.raises(StoreNotBuilt, match="policykg build"):
        write_dumps(store, settings.base_iri)


def test_a_store_built_before_dumps_existed_gets_them_from_the_next_build(tmp_path) -> None:
    # write_sample_store publishes without dumps, as a store from before this code.
    store = write_sample_store(tmp_path / "store")
    assert latest(store) is None
    settings = make_settings(tmp_path / "store", base_iri="http://example.org/")
    report = write_dumps(store, settings.base_iri)
    assert report.written and latest(store).generation == store.current_generation()
    again = write_dumps(store, settings.base_iri)
    assert not again.written and "up to date" in again.summary()


def test_new_generation_gets_new_dumps_and_old_ones_are_removed(tmp_path) -> None:
    store = write_sample_store(tmp_path / "store")
    first = write_dumps(store, "http://example.org/").dumps
    store.replace_graphs({"http://example.org/graph/more": list(ox.parse(
        "<http://example.org/a> <http://example.org/p> 1 .", format=ox.RdfFormat.TURTLE))})
    second = write_dumps(store, "http://example.org/")
    assert second.written and second.dumps.generation != first.generation
    assert second.removed == [first.generation] and available(store) == [second.dumps.generation]
    assert second.dumps.statistics.quads == first.statistics.quads + 1


def test_a_build_without_dumps_leaves_the_previous_ones_until_they_are_written(tmp_path, runner) -> None:
    from helpers import write_manifest

    store_path = tmp_path / "store"
    options = ["--store", str(store_path)]
    env = {"POLICYKG_REGISTRIES": str(write_manifest(tmp_path / "none", []))}
    assert runner.invoke(runner.cli, [*options, "build"], env=env).exit_code == 0
    store = store_at(store_path)
    first = store.current_generation()
    env = {"POLICYKG_REGISTRIES": str(write_manifest(tmp_path / "some", ["organisations"]))}
    done = runner.invoke(runner.cli, [*options, "build", "--no-dumps"], env=env)
    assert done.exit_code == 0, done.output
    assert store.current_generation() != first and available(store) == [first]
    assert "dumps of generation " + first in done.output  # it says which dumps are served
    assert runner.invoke(runner.cli, [*options, "dumps"], env=env).exit_code == 0
    assert available(store) == [store.current_generation()]


def test_a_failed_build_leaves_the_previous_dumps_served(tmp_path) -> None:
    from policykg.loaders.errors import InputError
    from policykg.loaders.publish import publish
    from policykg.loaders.sources import Source, foundation_sources, read_program

    settings = make_settings(tmp_path / "store")
    build_store(settings)
    store = open_store(settings)
    before = latest(store)
    broken = tmp_path / "program.ttl"
    broken.write_text("<goal/1> <broken", encoding="utf-8")
    sources = [s for s in foundation_sources() if s.key != "program"]
    sources.append(Source("program", "Program", "Program", (broken,), read_program))
    with pytest.raises(InputError, match="program.ttl"):
        publish(store, sources, settings)  # as build_store does, with a broken program file
    after = latest(store)
    assert after.generation == before.generation == store.current_generation()
    assert [f.sha256 for f in after.files] == [f.sha256 for f in before.files]


def big_store(path: Path, triples: int) -> EmbeddedStore:
    store = store_at(path)
    quads = (
        ox.Quad(ox.NamedNode(f"http://example.org/s{i // 10}"), ox.NamedNode(f"http://example.org/p{i % 10}"),
                ox.Literal(f"value number {i}"), ox.NamedNode(f"http://example.org/g{i % 3}"))
        for i in range(triples)
    )
    with store.writer() as writer:
        writer.raw.bulk_extend(quads)
    return store


@pytest.mark.embedded_only("fills a store of 150 000 triples with the embedded writer's bulk load, to kill the dump writer mid-way")
def test_a_killed_dump_writer_leaves_the_served_dumps_and_its_leftovers_are_removed(tmp_path) -> None:
    store = big_store(tmp_path / "store", 150_000)
    previous = write_dumps(store, "http://example.org/").dumps
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYKG_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "policykg.cli", "--store", str(store.path), "dumps", "--force"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    root = dumps_root(store)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not [e for e in root.iterdir() if e.name.startswith(".tmp-") and any(e.iterdir())]:
        if process.poll() is not None:
            pytest.fail("the dump writer ended before it could be killed: make the store bigger")
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert [e.name for e in root.iterdir() if e.name.startswith(".tmp-")], "no half-written dumps to check"
    served = latest(store)
    assert served.created == previous.created and [f.sha256 for f in served.files] == [f.sha256 for f in previous.files]
    report = write_dumps(store, "http://example.org/", force=True)
    assert report.written and not [e for e in root.iterdir() if e.name.startswith(".tmp-")]
