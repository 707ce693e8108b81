"""The reference documents made from the code, so that they cannot drift from it:
``docs/configuration.md`` from the settings (:class:`policykg.config.Settings`, each
field's ``#:`` comment) and ``docs/registry-columns.en.md`` / ``.sv.md`` from the
registries' CSVW table descriptions (``registries/umea/*.csv-metadata.json``).

    .venv/bin/python -m policykg.reference_docs [DIR]     # or: make docs (DIR: docs)

``tests/unit/test_docs.py`` fails when a file in ``docs/`` differs from what this writes.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import sys
from pathlib import Path

from policykg.config import ENV_PREFIX, Settings, setting_descriptions

COMMAND = "make docs"
#: Defaults computed on the machine: shown as what they mean, never as this machine's path.
COMPUTED_DEFAULTS = {"shared_dir": "`../shared` beside the checkout"}
MIB = 1024 * 1024

CONFIGURATION_INTRO = f"""# Configuration

<!-- Made from policykg/config.py by `{COMMAND}`: edit the `#:` comment above a setting there, not this file. -->

Every setting has a default. Each is read, in this order, from the default, then the
environment variable `{ENV_PREFIX}NAME`, then a command-line option where there is one
(`policykg --store DIR --base-iri IRI ...`; `policykg serve --host --port --workers --threads
--query-timeout`). `policykg serve` hands its settings to its worker processes.

Lists are comma-separated; booleans are `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`);
sizes are in bytes and times in seconds. A value that cannot be used stops the command with a
message naming the setting and its variable.

| variable | type | default | what it does |
|---|---|---|---|
"""


def _kind(spec: dataclasses.Field) -> str:
    text = str(spec.type)
    if "tuple" in text:
        return "list"
    for marker, kind in (("Path", "path"), ("bool", "boolean"), ("int", "integer"), ("float", "number")):
        if text.startswith(marker):
            return kind
    return "text"


def _default(spec: dataclasses.Field) -> str:
    if spec.name in COMPUTED_DEFAULTS:
        return COMPUTED_DEFAULTS[spec.name]
    if spec.default is dataclasses.MISSING:
        raise ValueError(f"setting {spec.name}: its default is computed; say in COMPUTED_DEFAULTS ({__name__}) how to show it")
    value = spec.default
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, tuple):
        return f"`{','.join(value)}`" if value else "empty"
    if isinstance(value, int) and value >= MIB and value % MIB == 0:
        return f"`{value}` ({value // (1024 * MIB)} GiB)" if value % (1024 * MIB) == 0 else f"`{value}` ({value // MIB} MiB)"
    if isinstance(value, float):
        return f"`{value:g}`"
    return f"`{value}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def configuration() -> str:
    """docs/configuration.md: every setting with its variable, type, default and description."""
    descriptions = setting_descriptions()
    undescribed = [spec.name for spec in dataclasses.fields(Settings) if spec.name not in descriptions]
    if undescribed:
        raise ValueError(f"settings without a '#:' comment in policykg/config.py: {', '.join(undescribed)}")
    rows = [
        f"| `{ENV_PREFIX}{spec.name.upper()}` | {_kind(spec)} | {_cell(_default(spec))} | {_cell(descriptions[spec.name])} |"
        for spec in dataclasses.fields(Settings)
    ]
    return CONFIGURATION_INTRO + "\n".join(rows) + "\n"


# --- the registries' columns, in Swedish and in English ---------------------------------

COLUMN_TEXTS = {
    "en": {
        "title": "Registry columns",
        "intro": "Every column of every registry, as its table description (`registries/umea/NAME.csv-metadata.json`) "
                 "gives it. How to fill in, check and load a registry: [registries.en.md](registries.en.md).",
        "header": "| column | heading in a spreadsheet | required | what it holds |",
        "yes": "yes",
        "key": "Each row is identified by `{key}`.",
        "refers": "`{column}` refers to `{target}`.",
    },
    "sv": {
        "title": "Registrens kolumner",
        "intro": "Varje kolumn i varje register, som dess tabellbeskrivning (`registries/umea/NAMN.csv-metadata.json`) "
                 "anger den. Hur man fyller i, kontrollerar och läser in ett register: [registries.sv.md](registries.sv.md).",
        "header": "| kolumn | rubrik i ett kalkylblad | krävs | vad den innehåller |",
        "yes": "ja",
        "key": "Varje rad identifieras av `{key}`.",
        "refers": "`{column}` hänvisar till `{target}`.",
    },
}


def _schemas() -> dict[str, dict]:
    from policykg.loaders.manifest import default_manifest, read_manifest
    from policykg.loaders.registries import REGISTRIES

    dataset = read_manifest(default_manifest())
    return {name: json.loads(dataset.schema(name).read_text(encoding="utf-8")) for name in REGISTRIES}


def registry_columns(language: str) -> str:
    """docs/registry-columns.LANGUAGE.md: each registry's columns, from its table description."""
    texts = COLUMN_TEXTS[language]
    out = [f"# {texts['title']}", "", f"<!-- Made from the registries' table descriptions by `{COMMAND}`; edit those, not this file. -->",
           "", texts["intro"], ""]
    for name, schema in _schemas().items():
        table = schema["tableSchema"]
        out += [f"## {name}: {schema['dc:title'][language]}", "", schema["dc:description"][language], ""]
        out.append(texts["key"].format(key=table["primaryKey"]))
        for foreign in table.get("foreignKeys", []):
            target = foreign["reference"]["resource"].removesuffix(".csv")
            out.append(texts["refers"].format(column=foreign["columnReference"], target=f"{target}.{foreign['reference']['columnReference']}"))
        out += ["", texts["header"], "|---|---|---|---|"]
        for column in table["columns"]:
            required = texts["yes"] if column.get("required") else ""
            out.append(
                f"| `{column['name']}` | {_cell(column['titles'][language])} | {required} | {_cell(column['dc:description'][language])} |"
            )
        out.append("")
    return "\n".join(out)


#: The files in docs/ made here, and how each is made.
MAKERS = {
    "configuration.md": configuration,
    **{f"registry-columns.{language}.md": functools.partial(registry_columns, language) for language in COLUMN_TEXTS},
}


def documents() -> dict[str, str]:
    """File name in docs/ -> its text."""
    return {name: make() for name, make in MAKERS.items()}


def main(argv: list[str]) -> None:
    target = Path(argv[0] if argv else "docs")
    target.mkdir(parents=True, exist_ok=True)
    for name, text in documents().items():
        (target / name).write_text(text, encoding="utf-8")
        print(f"wrote {target / name}")


if __name__ == "__main__":
    main(sys.argv[1:])
