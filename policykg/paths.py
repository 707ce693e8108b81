"""Where the project's own resources are, in a checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: The repository root when running from a checkout (an editable install).
PROJECT_ROOT = PACKAGE_DIR.parent


def resource_dir(name: str) -> Path:
    """A top-level resource directory (``ontology``, ``queries``, ``registries``).

    In a checkout it sits beside the package; in a wheel, inside it.
    """
    for candidate in (PROJECT_ROOT / name, PACKAGE_DIR / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"resource directory {name!r} not found beside or inside {PACKAGE_DIR}")


def ontology_dir() -> Path:
    return resource_dir("ontology")


def queries_dir() -> Path:
    return resource_dir("queries")


def default_shared_dir() -> Path:
    """The shared reference data beside the checkout (``POLICYKG_SHARED_DIR`` overrides it)."""
    return PROJECT_ROOT.parent / "shared"
