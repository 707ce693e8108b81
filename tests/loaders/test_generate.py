"""The synthetic generator: same seed, same files; the files load."""

from __future__ import annotations

import hashlib

import pytest
from helpers import make_settings
from policykg.loaders.generate import generate_registries

from policykg.build import build_store


def digest(directory) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def test_same_seed_same_files(tmp_path):
    counts = generate_registries(tmp_path / "a", projects=30, activities=200, seed=7)
    generate_registries(tmp_path / "b", projects=30, activities=200, seed=7)
    generate_registries(tmp_path / "c", projects=30, activities=200, seed=8)
    assert digest(tmp_path / "a") == digest(tmp_path / "b") != digest(tmp_path / "c")
    assert counts["projects"] == 30 and counts["activities"] == 200


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_the_synthetic_set_loads(tmp_path, fmt):
    generate_registries(tmp_path / "set", projects=40, activities=300, seed=1, fmt=fmt)
    settings = make_settings(tmp_path / "store", registries=tmp_path / "set")
    report = build_store(settings)
    loaded = {key: count for key, _, count in report.loaded}
    assert loaded["activities"] > 300 * 10 and loaded["projects"] > 40 * 10
    assert "activities: activities.{}: 300 rows".format(fmt) in "\n".join(report.notes)
