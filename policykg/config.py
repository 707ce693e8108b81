"""Settings: defaults, then ``POLICYKG_*`` environment variables, then an explicit mapping.

One :class:`Settings` object is built per process (by the CLI or the application
factory) and passed down; nothing reads the environment at import time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

from policykg.compliance.calendar import parse_month_day
from policykg.namespaces import DEFAULT_BASE_IRI, Iris
from policykg.paths import default_shared_dir

ENV_PREFIX = "POLICYKG_"


class ConfigError(ValueError):
    """A setting has a value we cannot use; the message names the setting."""


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected a boolean (true/false), got {value!r}")


def _list(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.replace("\n", ",").split(",") if item.strip())


@dataclass(frozen=True)
class Settings:
    """Everything configurable. Field names map to ``POLICYKG_<NAME>`` variables."""

    #: Directory of the embedded store (generations of a pyoxigraph database).
    store: Path = Path("var/store")
    #: Base IRI of instance data; must end with '/'.
    base_iri: str = DEFAULT_BASE_IRI
    #: Where the shared reference data lives (UN SDG files, W3C suites, link tables).
    shared_dir: Path = field(default_factory=default_shared_dir)
    #: Where `build` finds the registries it loads (a manifest `registries.toml`, or none).
    registries: Path | None = None
    #: Location of the UN SDG SKOS files (a directory or a URL); default: shared_dir/data/un-sdg.
    un_sdg: str | None = None
    #: HTTP serving.
    host: str = "127.0.0.1"
    port: int = 5000
    workers: int = 2
    threads: int = 8
    #: Log every request (gunicorn's access log, to standard output).
    access_log: bool = True
    #: Public URL of this server, when it differs from http://HOST:PORT/ (behind a proxy).
    public_url: str | None = None
    #: Token that enables SPARQL Update and the Graph Store Protocol (unset: read-only).
    update_token: str | None = None
    #: SERVICE/LOAD destinations allowed (IRI prefixes); empty: none.
    service_allowlist: tuple[str, ...] = ()
    #: Limits of the public endpoint.
    query_timeout: float = 30.0
    max_result_rows: int = 100_000
    max_response_bytes: int = 256 * 1024 * 1024
    max_request_bytes: int = 1024 * 1024
    #: How many query processes each server worker keeps busy (more only compete for the CPU).
    query_processes: int = 1
    #: How many more it may start while its processes are all held by long queries.
    query_processes_burst: int = 2
    #: Time limit of one update or graph store write (seconds).
    update_timeout: float = 300.0
    #: Memory for cached query results per server worker (bytes; 0: no cache).
    result_cache_bytes: int = 64 * 1024 * 1024
    #: Serve the answers stored at publish time (policykg.publication.answers) where there are some.
    stored_answers: bool = True
    #: A resource linked to by at least this many works (by one property) gets its page stored at publish time.
    hub_links: int = 1000
    #: Keep this many older store generations for readers still using them.
    keep_generations: int = 2
    #: The dataset's publisher and contact point, as the DCAT-AP-SE catalogue gives them.
    publisher_name: str = "Umeå kommun"
    publisher_homepage: str = "https://www.umea.se/"
    contact_name: str = "Umeå kommun"
    contact_email: str = "umea.kommun@umea.se"
    #: The day the checks (ontology/rules/) count from, YYYY-MM-DD; unset: the day they run.
    check_date: str | None = None
    #: The day of the following year (MM-DD) by which a year's follow-up is due at the executive board.
    follow_up_due: str = "04-30"

    @functools.cached_property  # asked for every link on a page
    def iris(self) -> Iris:
        return Iris(self.base_iri)

    @property
    def un_sdg_location(self) -> str:
        return self.un_sdg or str(self.shared_dir / "data" / "un-sdg")

    def replace(self, **changes: Any) -> "Settings":
        return load_settings(changes, base=self, environ={})

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _convert(name: str, kind: Any, raw: Any) -> Any:
    """Convert ``raw`` to the declared type of setting ``name``."""
    if raw is None:
        return None
    text = kind if isinstance(kind, str) else getattr(kind, "__name__", str(kind))
    try:
        if "Path" in text:
            return Path(raw)
        if "tuple" in text:
            return tuple(raw) if isinstance(raw, (list, tuple)) else _list(str(raw))
        if text.startswith("bool"):
            return raw if isinstance(raw, bool) else _bool(str(raw))
        if text.startswith("int"):
            return int(raw)
        if text.startswith("float"):
            return float(raw)
        return str(raw)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"setting {name} ({ENV_PREFIX}{name.upper()}): {error}") from None


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    base: Settings | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Defaults (or ``base``), then ``POLICYKG_*`` from ``environ``, then ``overrides``.

    Unknown keys in ``overrides`` are an error; ``None`` values in it are ignored so
    that unset command-line options do not mask the environment.
    """
    environ = os.environ if environ is None else environ
    values = dataclasses.asdict(base) if base else {}
    known = {f.name: f for f in fields(Settings)}
    for name, spec in known.items():
        env_name = ENV_PREFIX + name.upper()
        if env_name in environ and environ[env_name] != "":
            values[name] = _convert(name, spec.type, environ[env_name])
    for name, raw in (overrides or {}).items():
        key = name.lower()
        if key not in known:
            raise ConfigError(f"unknown setting {name!r}; known: {', '.join(sorted(known))}")
        if raw is not None:
            values[key] = _convert(key, known[key].type, raw)
    settings = Settings(**values)
    try:
        settings.iris  # validates the base IRI
    except ValueError as error:
        raise ConfigError(f"setting base_iri ({ENV_PREFIX}BASE_IRI): {error}") from None
    for name in ("port", "workers", "threads", "query_processes", "max_result_rows", "hub_links"):
        if getattr(settings, name) < 1:
            raise ConfigError(f"setting {name} ({ENV_PREFIX}{name.upper()}) must be at least 1")
    for name in ("query_timeout", "update_timeout"):
        if getattr(settings, name) <= 0:
            raise ConfigError(f"setting {name} ({ENV_PREFIX}{name.upper()}) must be positive")
    for name in ("max_response_bytes", "max_request_bytes"):
        if getattr(settings, name) < 1:
            raise ConfigError(f"setting {name} ({ENV_PREFIX}{name.upper()}) must be at least 1")
    try:
        parse_month_day(settings.follow_up_due)
    except ValueError as error:
        raise ConfigError(f"setting follow_up_due ({ENV_PREFIX}FOLLOW_UP_DUE): {error}") from None
    if settings.check_date is not None:
        try:
            dt.date.fromisoformat(settings.check_date)
        except ValueError:
            raise ConfigError(
                f"setting check_date ({ENV_PREFIX}CHECK_DATE): expected a day as YYYY-MM-DD, got {settings.check_date!r}"
            ) from None
    if settings.result_cache_bytes < 0:
        raise ConfigError(f"setting result_cache_bytes ({ENV_PREFIX}RESULT_CACHE_BYTES) must not be negative")
    return settings
