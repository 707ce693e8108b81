"""The installed package: the wheel built from this checkout, installed in a fresh virtual
environment, builds a store, answers a named query and serves pages, from a directory
outside the checkout, with nothing of the checkout on its path.

``pyproject.toml`` maps ``loaders/``, ``server/``, ``ontology/``, ``queries/`` and
``registries/`` into one ``policykg`` package and lists its packages and data files by
hand; a module or a data file it forgets is missing from every installation, while the
editable install of ``make install`` (which reads the checkout) works on. These tests
catch that, first by comparing the wheel with the checkout (the clearest message),
then by using the installation.

The wheel is built from a copy of the checkout (no stale ``build/`` folder, nothing written
into the checkout) and installed with the versions of ``constraints.txt``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import live_server
import pytest
from helpers import REPO, store_environ

#: Folders of the checkout that are not part of any installation (their reason).
NOT_INSTALLED = {
    "server/frontend": "the editor's npm project; its build is copied to server/static/vendor",
}
#: Left out of the copy the wheel is built from: environments, caches, built things.
SKIPPED = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "var", "build", "dist", "*.egg-info", "__pycache__", "*.pyc",
    ".pytest_cache", "results", ".installed",
)


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment without our settings or anything that would put the checkout on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYKG_")}
    for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"):
        env.pop(name, None)
    env.update(extra)
    return env


def _run(command: list[str], *, cwd: Path, what: str, timeout: float = 240, env: dict | None = None) -> str:
    """Run ``command``; on failure, fail saying ``what`` did not work, with its output."""
    done = subprocess.run(
        command, cwd=cwd, env=env or _clean_env(), capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )
    if done.returncode != 0:
        pytest.fail(
            f"{what} failed (exit {done.returncode}): {' '.join(map(str, command))}\n"
            f"--- stdout ---\n{done.stdout[-4000:]}\n--- stderr ---\n{done.stderr[-4000:]}"
        )
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a clean copy of the checkout."""
    where = tmp_path_factory.mktemp("wheel")
    source = where / "source"
    # with the query editor that `make install` vendors into server/static/vendor, when it is there
    shutil.copytree(REPO, source, ignore=SKIPPED, symlinks=True)
    _run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--quiet", "-w", str(where / "dist")],
        cwd=where, what="building the wheel",
    )
    found = sorted((where / "dist").glob("policykg-*.whl"))
    assert len(found) == 1, f"expected one policykg wheel, found {found}"
    return found[0]


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel (and its dependencies) installed."""
    where = tmp_path_factory.mktemp("venv") / "env"
    _run([sys.executable, "-m", "venv", "--without-pip", str(where)], cwd=where.parent, what="creating the virtual environment")
    python = where / "bin" / "python"
    _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
         "-c", str(REPO / "constraints.txt"), str(wheel)],
        cwd=where.parent, what="installing the wheel", timeout=400,
    )
    return where


@pytest.fixture(scope="module")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working directory outside the checkout."""
    where = tmp_path_factory.mktemp("outside")
    assert REPO not in where.parents
    return where


@pytest.fixture(scope="module")
def built(venv: Path, outside: Path) -> tuple[Path, str]:
    """A store built by the installed ``policykg``: (its path, what build printed)."""
    store = outside / "store"
    printed = _run([str(venv / "bin" / "policykg"), "--store", str(store), "build"], cwd=outside, what="policykg build (installed)",
                   env={**_clean_env(), **store_environ(store)})
    return store, printed


def _package_dirs() -> dict[str, str]:
    """Folder of the checkout -> where it goes in the wheel, from pyproject.toml."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    mapping = config["tool"]["setuptools"]["package-dir"]
    return {folder: package.replace(".", "/") for package, folder in mapping.items()}


def test_the_wheel_holds_every_module_and_data_file_of_the_checkout(wheel):
    """Every file under the folders pyproject.toml installs (modules, templates, static files,
    the ontology, the queries, the sample registries, the loaders' facts) is in the wheel."""
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = []
    for folder, target in _package_dirs().items():
        for path in sorted((REPO / folder).rglob("*")):
            relative = path.relative_to(REPO)
            parts = path.relative_to(REPO / folder).parts
            if path.is_dir() or any(p.startswith(".") or p in ("__pycache__", "node_modules") for p in parts):
                continue
            if path.suffix == ".pyc" or any(relative.is_relative_to(skip) for skip in NOT_INSTALLED):
                continue
            if f"{target}/{'/'.join(parts)}" not in names:
                missing.append(str(relative))
    assert not missing, (
        f"the wheel lacks {len(missing)} file(s) of the checkout, so every installation would too: "
        f"{', '.join(missing[:20])}{' ...' if len(missing) > 20 else ''}. Add the package to "
        "[tool.setuptools] packages or the files to [tool.setuptools.package-data] in pyproject.toml "
        f"(or, if they are not meant to be installed, to NOT_INSTALLED in {Path(__file__).name})."
    )


def test_the_installed_package_is_the_one_in_the_environment(venv, outside):
    shown = _run(
        [str(venv / "bin" / "python"), "-c",
         "import json, policykg, policykg.server, policykg.loaders; "
         "print(json.dumps([policykg.__file__, policykg.server.__file__, policykg.loaders.__file__]))"],
        cwd=outside, what="importing the installed package",
    )
    for path in json.loads(shown):
        assert Path(path).resolve().is_relative_to(venv.resolve()), f"{path} is not inside the environment {venv}"
    script = (venv / "bin" / "policykg").read_text(encoding="utf-8").splitlines()[0]
    assert script.startswith("#!") and str(venv) in script, f"the policykg script runs {script!r}, not the environment's Python"
    assert _run([str(venv / "bin" / "policykg"), "--version"], cwd=outside, what="policykg --version").startswith("policykg, version ")


def test_the_installed_command_builds_a_store_and_answers_a_named_query(venv, outside, built):
    store, printed = built
    for graph in ("ontology", "shapes", "program", "organisations", "projects", "activities", "partnerships"):
        assert f"loaded {graph}:" in printed, f"the installed build did not load {graph}:\n{printed}"
    answer = _run(
        [str(venv / "bin" / "policykg"), "--store", str(store), "query", "goals", "--format", "csv"],
        cwd=outside, what="policykg query goals (installed)", env={**_clean_env(), **store_environ(store)},
    )
    rows = list(csv.DictReader(io.StringIO(answer)))
    assert [row["ordinal"] for row in rows] == ["1", "2", "3", "4", "5"], answer
    assert rows[1]["item"].endswith("/goal/2")


def test_the_installed_server_serves_pages_the_api_and_the_endpoint(venv, outside, built, tmp_path):
    store, _ = built
    server = live_server.start(
        store, tmp_path / "server.log", token="", command=[str(venv / "bin" / "policykg")], cwd=outside, workers=1, threads=4
    )
    try:
        status, headers, body = server.request("GET", "/goal/2", headers={"Accept": "text/html"})
        assert status == 200 and headers["Content-Type"].startswith("text/html"), (status, body[:500])
        page = body.decode("utf-8")
        assert "Mervärde för invånare och näringsliv" in page and 'href="/static/site.css' in page, page[:2000]

        status, headers, body = server.request("GET", "/static/site.css")
        assert status == 200 and headers["Content-Type"].startswith("text/css"), status

        status, headers, body = server.request("GET", "/sparql?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"})
        assert status == 200 and json.loads(body) == {"head": {}, "boolean": True}, (status, body[:300])

        status, _, body = server.request("GET", "/api/goals", headers={"Accept": "application/json"})
        assert status == 200 and len(json.loads(body)["rows"]) == 5, (status, body[:300])

        status, _, body = server.request("GET", "/goal/2.ttl")
        assert status == 200 and b"Added value for inhabitants and businesses" in body, (status, body[:300])

        if (REPO / "server" / "static" / "vendor" / "yasgui" / "yasgui.min.js").is_file():
            status, _, body = server.request("GET", "/static/vendor/yasgui/yasgui.min.js")
            assert status == 200 and len(body) > 100_000, "the checkout has the query editor (make install), the installed package does not"
    finally:
        server.stop()
    log = (tmp_path / "server.log").read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
