"""The W3C SPARQL 1.1 Protocol test suite (34 tests) against the live server.

See ``w3c_runner`` for how the suite's requests are mapped onto this server."""

from __future__ import annotations

import pytest
from helpers import require_shared, shared_dir
from w3c_runner import Runner, as_json, load_manifest

MANIFEST = shared_dir() / "data" / "w3c-sparql11" / "protocol" / "manifest.ttl"
TESTS = load_manifest(MANIFEST) if MANIFEST.is_file() else []


def test_the_suite_has_its_34_tests():
    require_shared("data", "w3c-sparql11", "protocol", "manifest.ttl")
    assert len(TESTS) == 34


@pytest.mark.slow
@pytest.mark.parametrize("test", TESTS, ids=[t.id for t in TESTS])
def test_protocol(live, test):
    problems = Runner(live.url, live.token).run(test)
    assert not problems, f"{test.name}:\n{as_json(problems)}"
