"""A large registry load, seen from outside: the live server keeps answering from the old
data until the new graph is published, and a kill -9 in the middle of the load leaves the
previous data served. (End to end, in processes, with the real server; marked slow.)
The loads skip the stored answers (--no-answers): this is about publishing, and answering
20 000 synthetic activities' heavy questions takes minutes (tests/test_answers.py covers them)."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import live_server
import pytest
from helpers import shared_dir, store_at, store_environ
from policykg.loaders.generate import generate_registries

pytestmark = [
    pytest.mark.slow,
    pytest.mark.embedded_only("watches the embedded writer's work directory (tmp-…) to act during a load; on a remote "
                              "store the same guarantee is tests/live/test_remote_store.py's (staged graphs, one publishing update)"),
]
COUNT = "SELECT (COUNT(?a) AS ?n) WHERE { ?a a <https://w3id.org/policykg/ontology#Activity> }"
FIRST = 'SELECT ?t WHERE { <https://w3id.org/policykg/umea/activity/a-0000001> <http://www.w3.org/2000/01/rdf-schema#label> ?t }'


def policykg(*args: str, store: Path, registries: Path, **popen) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYKG_")}
    env.update({**store_environ(store), "POLICYKG_REGISTRIES": str(registries), "POLICYKG_SHARED_DIR": str(shared_dir())})
    return subprocess.Popen([str(Path(sys.executable).parent / "policykg"), *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, **popen)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A store with a synthetic set of 20 000 activities, and a second version of the activities."""
    where = tmp_path_factory.mktemp("serving")
    generate_registries(where / "v1", projects=200, activities=20_000, seed=1)
    generate_registries(where / "v2", projects=200, activities=20_000, seed=2)
    build = policykg("build", "--no-answers", store=where / "store", registries=where / "v1")
    out, err = build.communicate(timeout=600)
    assert build.returncode == 0, err
    return where


def sparql(server, query: str) -> list[dict]:
    status, _, body = server.request("GET", "/sparql?" + urllib.parse.urlencode({"query": query}),
                                     headers={"Accept": "application/sparql-results+json"})
    assert status == 200, body[:500]
    return json.loads(body)["results"]["bindings"]


def writing(store: Path) -> bool:
    return any(p.name.startswith("tmp-") for p in store.iterdir())


def wait_until_writing(process: subprocess.Popen, store: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not writing(store):
        assert process.poll() is None, process.communicate()[1]
        assert time.monotonic() < deadline, "the load never started writing"
        time.sleep(0.05)


def test_the_server_answers_from_the_old_data_until_the_new_graph_is_published(synthetic, tmp_path):
    store = synthetic / "store"
    server = live_server.start(store, tmp_path / "server.log")
    try:
        old_label = sparql(server, FIRST)[0]["t"]["value"]
        load = policykg("load", "activities", str(synthetic / "v2" / "activities.csv"), "--no-answers", store=store, registries=synthetic / "v1")
        wait_until_writing(load, store)
        seen_during = []
        while load.poll() is None:
            seen_during.append(sparql(server, FIRST)[0]["t"]["value"])
            time.sleep(0.2)
        out, err = load.communicate()
        assert load.returncode == 0, err
        new_label = sparql(server, FIRST)[0]["t"]["value"]
        assert new_label != old_label
        # the old data until the swap, then the new: never a mixture, never back
        old_seen = len(seen_during) - len(list(itertools.dropwhile(lambda t: t == old_label, seen_during)))
        assert old_seen >= 3 and set(seen_during[old_seen:]) <= {new_label}
        assert sparql(server, COUNT)[0]["n"]["value"] == "20000"
        assert "loaded activities:" in out
    finally:
        server.stop()


def test_kill_9_during_a_load_leaves_the_previous_data_served(synthetic, tmp_path):
    store = synthetic / "store"
    before = store_at(store)
    generation = before.current_generation()
    label = next(iter(before.query(FIRST)))["t"].value
    other = synthetic / "v1" / "activities.csv"  # loaded again (--force) whatever is loaded now
    load = policykg("load", "activities", str(other), "--force", "--no-answers", store=store, registries=synthetic / "v1")
    wait_until_writing(load, store)
    time.sleep(1.0)  # well into the bulk load
    os.killpg(load.pid, signal.SIGKILL)
    load.wait(timeout=30)
    assert load.returncode == -signal.SIGKILL
    time.sleep(0.5)
    after = store_at(store)
    assert after.current_generation() == generation
    assert next(iter(after.query(FIRST)))["t"].value == label
    assert next(iter(after.query(COUNT)))["n"].value == "20000"
    server = live_server.start(store, tmp_path / "server.log")
    try:
        assert sparql(server, FIRST)[0]["t"]["value"] == label
    finally:
        server.stop()
    # the next load clears what the killed one left and publishes
    again = policykg("load", "activities", str(other), "--force", "--no-answers", store=store, registries=synthetic / "v1")
    out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    assert not writing(store)
