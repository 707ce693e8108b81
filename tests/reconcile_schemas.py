"""The W3C Entity Reconciliation community group's JSON Schemas (shared/data/reconciliation-api),
as validators: ``validator("0.2", "manifest").validate(document)``. Imported by name (tests/ is on
the path); every schema of a version is registered by its ``$id`` so that references resolve."""

from __future__ import annotations

import functools
import json

from helpers import require_shared


@functools.cache
def _registry(version: str):
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    folder = require_shared("data", "reconciliation-api", version, "schemas")
    resources = []
    for path in sorted(folder.glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"], Resource.from_contents(schema, default_specification=DRAFT7)))
        if schema["$id"].endswith("#"):
            resources.append((schema["$id"][:-1], Resource.from_contents(schema, default_specification=DRAFT7)))
    return Registry().with_resources(resources), folder


def validator(version: str, name: str):
    from jsonschema import Draft7Validator

    registry, folder = _registry(version)
    schema = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    return Draft7Validator(schema, registry=registry)


def check(version: str, name: str, document) -> None:
    """Raise ``jsonschema.ValidationError`` (with every problem listed) unless ``document`` fits."""
    from jsonschema import ValidationError

    problems = sorted(validator(version, name).iter_errors(document), key=lambda e: list(e.path))
    if problems:
        raise ValidationError(f"{version}/{name}: " + "; ".join(f"{list(p.path)}: {p.message}" for p in problems))
