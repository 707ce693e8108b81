"""The W3C SPARQL 1.1 Graph Store HTTP Protocol test suite against the live server's /store
(direct and indirect graph identification)."""

from __future__ import annotations

import pytest
from helpers import TEST_STORES, require_shared, shared_dir
from w3c_runner import Runner, as_json, load_manifest

MANIFEST = shared_dir() / "data" / "w3c-sparql11" / "graph-store-protocol" / "manifest.ttl"
TESTS = load_manifest(MANIFEST) if MANIFEST.is_file() else []


def test_the_suite_has_direct_and_indirect_tests():
    require_shared("data", "w3c-sparql11", "graph-store-protocol", "manifest.ttl")
    ids = [t.id for t in TESTS]
    assert len(ids) == 13
    assert any(i.endswith("_direct") for i in ids) and any(i.endswith("_indirect") for i in ids)


@pytest.mark.slow
@pytest.mark.parametrize("test", TESTS, ids=[t.id for t in TESTS])
def test_graph_store(live, test):
    if TEST_STORES.remote and test.id == "put_get_default":
        pytest.skip(f"embedded store only: on a remote store graph store writes go to named graphs only (this run: --store={TEST_STORES.kind})")
    problems = Runner(live.url, live.token).run(test)
    assert not problems, f"{test.name}:\n{as_json(problems)}"
