"""The W3C suites' manifests are read wherever the shared data is reached from: through a
link or a relative path as well as by its own path. Through a link (a CI machine's
``../shared``), every suite used to read as empty: 0 of the protocol's 34 tests (a relative
path was read before too: rdflib makes it absolute without resolving links)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from w3c_runner import load_manifest

#: A manifest of our own, in the suites' shape: its entries are named relative to itself.
MANIFEST = """\
@prefix : <http://example.org/manifest#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix mf: <http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#> .

<> rdf:type mf:Manifest ; mf:include ( <more/manifest.ttl> ) ; mf:entries ( :first :second ) .
:first mf:name "the first" .
:second mf:name "the second" .
"""
INCLUDED = """\
@prefix : <http://example.org/more#> .
@prefix mf: <http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#> .

<> mf:entries ( :third ) .
:third mf:name "the third, included" .
"""


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    real = tmp_path / "real"
    (real / "more").mkdir(parents=True)
    (real / "manifest.ttl").write_text(MANIFEST, encoding="utf-8")
    (real / "more" / "manifest.ttl").write_text(INCLUDED, encoding="utf-8")
    return real


def test_a_manifest_is_read_by_its_own_path(suite: Path) -> None:
    assert [(t.id, t.name) for t in load_manifest(suite / "manifest.ttl")] == [
        ("third", "the third, included"), ("first", "the first"), ("second", "the second"),
    ]


def test_a_manifest_is_read_through_a_link(suite: Path, tmp_path: Path) -> None:
    (tmp_path / "link").symlink_to(suite, target_is_directory=True)
    assert [t.id for t in load_manifest(tmp_path / "link" / "manifest.ttl")] == ["third", "first", "second"]


def test_a_manifest_is_read_by_a_relative_path(suite: Path, monkeypatch) -> None:
    monkeypatch.chdir(suite / "more")
    assert [t.id for t in load_manifest(Path(os.pardir) / "manifest.ttl")] == ["third", "first", "second"]
