"""Shared fixtures: ``settings``, ``built_store`` (one real build per session),
``store``, ``app``, ``client`` and ``runner``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from policykg.build import build_store
from policykg.cli import cli
from policykg.config import Settings, load_settings
from policykg.store import EmbeddedStore

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def shared_dir() -> Path:
    """The shared reference data (``POLICYKG_SHARED_DIR`` or ``../shared``)."""
    return Path(os.environ.get("POLICYKG_SHARED_DIR") or REPO.parent / "shared")


def require_shared(*parts: str) -> Path:
    """A path under the shared data, or skip the test saying what is missing."""
    path = shared_dir().joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data {path} is absent (set POLICYKG_SHARED_DIR to its location)")
    return path


def make_settings(store: Path, **overrides) -> Settings:
    """Settings for a test: the environment's POLICYKG_* are ignored, so that a
    developer's own configuration cannot change what a test sees."""
    return load_settings({"store": store, "shared_dir": shared_dir(), **overrides}, environ={})


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with an empty store of the test's own."""
    return make_settings(tmp_path / "store")


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose store holds one real build (shared by the session: do not write to it)."""
    settings = make_settings(tmp_path_factory.mktemp("built") / "store")
    build_store(settings)
    return settings


@pytest.fixture(scope="session")
def store(built_settings: Settings) -> EmbeddedStore:
    return EmbeddedStore(built_settings.store)


@pytest.fixture
def app(built_settings: Settings):
    from policykg.server import create_app

    application = create_app({**built_settings.as_dict(), "update_token": None})
    application.config["TESTING"] = True
    return application


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The ``policykg`` command, run in-process, with no POLICYKG_* from the developer's environment."""
    for name in list(os.environ):
        if name.startswith("POLICYKG_") and name != "POLICYKG_SHARED_DIR":
            monkeypatch.delenv(name)
    runner = CliRunner()
    runner.cli = cli
    return runner
