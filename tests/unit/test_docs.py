"""The documentation: the reference made from the code is up to date (every setting described,
with its variable and default), the links of the README and of docs/ lead somewhere, and the
documents name no path of this machine nor depend on a design file outside the repository."""

from __future__ import annotations

import dataclasses
import difflib
import re
import tempfile
from pathlib import Path

import pytest
from helpers import REPO

from policykg import reference_docs
from policykg.config import ENV_PREFIX, Settings, load_settings, setting_descriptions
from policykg.loaders.registries import REGISTRIES

DOCS = REPO / "docs"
UPDATE = "run `make docs` (or .venv/bin/python -m policykg.reference_docs docs) and commit the result"


def _documents() -> list[Path]:
    return [REPO / "README.md", *sorted(DOCS.glob("*.md"))]


def test_every_setting_has_a_description():
    described = setting_descriptions()
    missing = [spec.name for spec in dataclasses.fields(Settings) if not described.get(spec.name, "").strip()]
    assert not missing, (
        f"settings without a description: {', '.join(missing)}. Write a '#:' comment on the line(s) just above "
        f"each field in policykg/config.py (it becomes its row in docs/configuration.md), then {UPDATE}."
    )


@pytest.mark.parametrize("name", sorted(reference_docs.MAKERS))
def test_generated_reference_is_up_to_date(name):
    wanted = reference_docs.MAKERS[name]()
    path = DOCS / name
    assert path.is_file(), f"docs/{name} is missing: {UPDATE}"
    found = path.read_text(encoding="utf-8")
    if found != wanted:
        diff = "".join(list(difflib.unified_diff(found.splitlines(True), wanted.splitlines(True), f"docs/{name}", "generated"))[:40])
        pytest.fail(f"docs/{name} differs from what the code says: {UPDATE}.\n{diff}")


def _configuration_rows() -> dict[str, list[str]]:
    rows = {}
    for line in (DOCS / "configuration.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if cells and cells[0].startswith(f"`{ENV_PREFIX}"):
            rows[cells[0].strip("`")] = cells
    return rows


def test_every_setting_is_documented_with_its_variable_and_a_default_that_holds():
    """Each setting has a row under its variable, and its documented default, given back as
    that variable, gives the setting's actual default."""
    rows = _configuration_rows()
    defaults = load_settings(environ={})
    for spec in dataclasses.fields(Settings):
        variable = ENV_PREFIX + spec.name.upper()
        assert variable in rows, f"docs/configuration.md has no row for {variable}: {UPDATE}"
        shown = rows[variable][2]
        if spec.name in reference_docs.COMPUTED_DEFAULTS:
            continue
        actual = getattr(defaults, spec.name)
        if shown in ("unset", "empty"):
            assert actual in (None, ()), f"{variable}: documented as {shown}, but its default is {actual!r}"
            continue
        text = re.fullmatch(r"`([^`]*)`(?: \(.*\))?", shown)
        assert text, f"{variable}: the default {shown!r} is not a value in backquotes"
        given_back = load_settings(environ={variable: text.group(1)})
        assert getattr(given_back, spec.name) == actual, f"{variable}={text.group(1)} gives {getattr(given_back, spec.name)!r}, not the default {actual!r}"


LINK = re.compile(r"\]\(([^)\s]+)\)")


@pytest.mark.parametrize("document", _documents(), ids=lambda p: str(p.relative_to(REPO)))
def test_links_lead_to_files_of_the_repository(document):
    broken = []
    for target in LINK.findall(document.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue  # a web address, or a place in the same page
        if not (document.parent / target.split("#", 1)[0]).exists():
            broken.append(target)
    assert not broken, f"{document.relative_to(REPO)} links to files that do not exist: {broken}"


def test_the_readme_links_to_every_document():
    linked = set(LINK.findall((REPO / "README.md").read_text(encoding="utf-8")))
    unlinked = [f"docs/{p.name}" for p in DOCS.glob("*.md") if f"docs/{p.name}" not in linked and not p.name.startswith("registry-columns.")]
    assert not unlinked, f"README.md does not link to {unlinked}"


def test_the_readme_stays_short():
    size = len((REPO / "README.md").read_bytes())
    assert size < 8000, f"README.md is {size:,} bytes: keep it to what a newcomer needs first and move reference into docs/"


def _machine_paths() -> list[str]:
    """Absolute paths of this machine that a document must never name."""
    found = {str(REPO), str(REPO.parent), str(Path.home()), tempfile.gettempdir()}
    return sorted(p for p in found if p not in ("/", ""))


ABSOLUTE = re.compile(r"(?<![\w.~:/-])/(?:home|root|work|tmp|opt|mnt|srv|usr|etc|var)/")


@pytest.mark.parametrize("document", _documents(), ids=lambda p: str(p.relative_to(REPO)))
def test_documents_name_no_absolute_path_of_this_machine(document):
    text = document.read_text(encoding="utf-8")
    named = [p for p in _machine_paths() if re.search(rf"(?<![\w./-]){re.escape(p)}(?![\w.-])", text)] + ABSOLUTE.findall(text)
    assert not named, f"{document.relative_to(REPO)} names absolute paths of a machine: {named}; use paths relative to the repository"


DESIGN_NOTES = "DESIGN" + ".md"  # spelled apart, so that this file does not name it
SKIPPED_FOLDERS = {".git", ".venv", "node_modules", "var", "build", "dist", "__pycache__", ".pytest_cache", "vendor", "results"}


def test_the_repository_does_not_depend_on_design_notes_outside_it():
    """The design is in docs/architecture.md; no file of the repository refers elsewhere for it."""
    assert (DOCS / "architecture.md").is_file()
    found = []
    for path in REPO.rglob("*"):
        if any(part in SKIPPED_FOLDERS or part.endswith(".egg-info") for part in path.relative_to(REPO).parts) or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if DESIGN_NOTES in text:
            found.append(str(path.relative_to(REPO)))
    assert not found, f"these files refer to design notes outside the repository (the design is docs/architecture.md): {found}"


@pytest.mark.parametrize("language", ["en", "sv"])
def test_the_registries_guide_covers_every_registry(language):
    guide = (DOCS / f"registries.{language}.md").read_text(encoding="utf-8")
    missing = [name for name in REGISTRIES if f"- **`{name}`**" not in guide]
    assert not missing, (
        f"docs/registries.{language}.md has no entry for the registries {missing}: add one ('- **`NAME`**: ...') "
        "to its list of the registries one by one"
    )
