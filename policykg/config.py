"""Settings: defaults, then ``POLICYKG_*`` environment variables, then an explicit mapping.

One :class:`Settings` object is built per process (by the CLI or the application
factory) and passed down; nothing reads the environment at import time.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import functools
import inspect
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

from policykg.compliance.calendar import parse_month_day
from policykg.namespaces import DEFAULT_BASE_IRI, UMEA_HOMEPAGE, Iris
from policykg.paths import default_shared_dir
from policykg.runtime.federation import FederationSettingError, expand_allowlist, parse_stand_ins

ENV_PREFIX = "POLICYKG_"
#: The default folder of each reference dataset under shared_dir/data/links/.
LINK_FOLDERS = {
    "eu_countries": "eu-country-authority",
    "nuts": "nuts2021",
    "se_municipalities": "se-municipalities",
    "wikidata_ids": "wikidata-ids",
    "kolada": "kolada",
    "eu_projects": "eu-projects",
}


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
    #: A SPARQL server to keep the data in instead of the embedded store: its base URL, where
    #: the query, update and graph store endpoints are found as `query`, `update` and `store`
    #: (Oxigraph server's layout). Unset: the embedded store. See docs/remote-store.md.
    store_url: str | None = None
    #: The remote store's SPARQL query endpoint, if not STORE_URL/query.
    store_query_url: str | None = None
    #: The remote store's SPARQL update endpoint, if not STORE_URL/update.
    store_update_url: str | None = None
    #: The remote store's graph store protocol endpoint, if not STORE_URL/store.
    store_graph_store_url: str | None = None
    #: User name for HTTP Basic authentication to the remote store (with STORE_PASSWORD).
    store_user: str | None = None
    #: Password for HTTP Basic authentication to the remote store.
    store_password: str | None = None
    #: Bearer token for the remote store (instead of a user and password).
    store_token: str | None = None
    #: The request parameter by which the remote store takes a query's time limit, in
    #: milliseconds (Virtuoso: `timeout`). Unset: none is sent; the server's own limit
    #: applies, and policykg abandons a request at its own. See docs/remote-store.md.
    store_timeout_parameter: str | None = None
    #: How long (seconds) a reader of the remote store trusts the published generation it
    #: last read before asking again (one small query).
    store_poll_seconds: float = 1.0
    #: The most triples read from the remote store in one answer: a larger graph (a dump) is
    #: read in parts of at most this many. Keep it at or below the server's row limit
    #: (Virtuoso 7.2: 1 048 576 at most, whatever its ResultSetMaxRows says).
    store_read_rows: int = 1_000_000
    #: Base IRI of instance data; must end with '/'.
    base_iri: str = DEFAULT_BASE_IRI
    #: Where the shared reference data lives (UN SDG files, W3C suites, link tables); an
    #: installed package has none beside it: set it.
    shared_dir: Path = field(default_factory=default_shared_dir)
    #: The registries `build` loads: a manifest `registries.toml` or its directory (with each
    #: registry's `NAME.csv-metadata.json` beside it); unset: the samples in `registries/umea`.
    registries: Path | None = None
    #: Location of the UN SDG SKOS files (a directory or a URL); default: shared_dir/data/un-sdg.
    un_sdg: str | None = None
    #: Folder of the EU country authority table (default: shared_dir/data/links/eu-country-authority); missing: left out of the build.
    eu_countries: Path | None = None
    #: Folder of the NUTS 2021 codes of Sweden (default: shared_dir/data/links/nuts2021).
    nuts: Path | None = None
    #: Folder of Sweden's municipalities and counties with their Wikidata items (default: shared_dir/data/links/se-municipalities).
    se_municipalities: Path | None = None
    #: Folder of verified Wikidata items of Swedish public bodies (default: shared_dir/data/links/wikidata-ids).
    wikidata_ids: Path | None = None
    #: Folder of the Kolada extract: KPIs, municipalities and values (default: shared_dir/data/links/kolada).
    kolada: Path | None = None
    #: Folder of the EU project records (CORDIS and others) of the region (default: shared_dir/data/links/eu-projects).
    eu_projects: Path | None = None
    #: The EU's SPARQL endpoint to read the country table and NUTS from instead of the
    #: local files (e.g. https://publications.europa.eu/webapi/rdf/sparql); unset: local files.
    eu_sparql: str | None = None
    #: Kolada's API (e.g. https://api.kolada.se/v3/): when set, the values of the indicator
    #: registry's KPIs for the municipality and its comparison group are fetched from it.
    kolada_api: str | None = None
    #: The municipality whose indicators are followed (its SCB/Kolada code).
    kolada_municipality: str = "2480"
    #: The Kolada group of municipalities it is compared with.
    kolada_group: str = "G206446"
    #: Which reference datasets build loads (by graph key); "none" for none of them.
    reference_datasets: tuple[str, ...] = ("eu-countries", "nuts", "se-municipalities", "wikidata", "kolada", "eu-projects", "eurio")
    #: Interface `serve` listens on (`0.0.0.0`: every interface; see ``allowed_hosts``).
    host: str = "127.0.0.1"
    #: Port `serve` listens on.
    port: int = 5000
    #: Server worker processes (each with its threads, query processes and result cache).
    workers: int = 2
    #: Threads per worker: requests answered at once by one worker (most wait for a query process).
    threads: int = 32
    #: Connections the server holds open at once (idle and slow ones cost no thread).
    max_connections: int = 8192
    #: Seconds a client may take to send a request's headers.
    header_timeout: float = 10.0
    #: Host names (``Host`` header) this server answers to; the loopback names by default.
    #: With ``public_url`` set, its host is allowed too. ``*`` allows any (behind a proxy that checks).
    allowed_hosts: tuple[str, ...] = ("localhost", "127.0.0.1", "[::1]")
    #: Log every request (Granian's access log, to standard output).
    access_log: bool = True
    #: Public URL of this server, when it differs from http://HOST:PORT/ (behind a proxy).
    public_url: str | None = None
    #: Token that enables SPARQL Update and the Graph Store Protocol (unset: read-only).
    update_token: str | None = None
    #: SERVICE/LOAD destinations allowed (IRI prefixes, or presets such as preset:wikidata,
    #: preset:eu, preset:linked-data: see policykg.runtime.federation); empty: none.
    service_allowlist: tuple[str, ...] = ()
    #: REMOTE=LOCAL pairs: a query's SERVICE <REMOTE> (allow-listed) is sent to LOCAL instead
    #: (a mirror or a test server the operator runs); empty: none.
    service_stand_ins: tuple[str, ...] = ()
    #: Time limit of one query, API question or page (seconds): past it the query process is killed (504).
    query_timeout: float = 30.0
    #: Time limit of one query of the publication work on a remote store (seconds): the stored
    #: answers, the rules, reports and dumps made by the command line (the embedded store runs
    #: that work without one). The server's own limit applies too.
    batch_timeout: float = 3600.0
    #: Rows one answer may have (422 when over).
    max_result_rows: int = 100_000
    #: Bytes one answer may have (422 when over; a streamed answer is cut off).
    max_response_bytes: int = 256 * 1024 * 1024
    #: Bytes one request body may have (413 when over, chunked or not).
    max_request_bytes: int = 1024 * 1024
    #: Seconds a request body may take to arrive (a slow sender holds a server thread that long).
    body_timeout: float = 10.0
    #: Query processes each server worker keeps started and idle, ready for the next query.
    query_processes: int = 2
    #: Queries of one worker that may run past a second at once; beyond that, a query that
    #: runs long is stopped with 503, so that short queries never wait behind long ones.
    long_queries: int = 8
    #: Memory one query process may use (bytes); over it, its query is stopped with 422.
    query_memory_bytes: int = 1024 * 1024 * 1024
    #: Time limit of one update or graph store write (seconds).
    update_timeout: float = 300.0
    #: After updates and graph store writes, compact the store in the background once none has
    #: come for this many seconds (a string of small writes slows readers down); 0: never.
    compact_after_writes: float = 2.0
    #: Memory for cached query results per server worker (bytes; 0: no cache).
    result_cache_bytes: int = 64 * 1024 * 1024
    #: Serve the answers stored at publish time (policykg.publication.answers) where there are some.
    stored_answers: bool = True
    #: A resource linked to by at least this many works (by one property) gets its page stored at publish time.
    hub_links: int = 1000
    #: Keep this many older store generations for readers still using them (and for the stored answers to compare with:
    #: an answer is copied to a new generation only while the generation of the earlier answers is kept).
    keep_generations: int = 2
    #: The dataset's publisher, as the DCAT-AP-SE catalogue names it.
    publisher_name: str = "Umeå kommun"
    #: The publisher's home page, in the catalogue.
    publisher_homepage: str = UMEA_HOMEPAGE
    #: The dataset's contact point, in the catalogue.
    contact_name: str = "Umeå kommun"
    #: The contact point's e-mail address, in the catalogue.
    contact_email: str = "umea.kommun@umea.se"
    #: The day the checks (ontology/rules/) count from, YYYY-MM-DD; unset: the day they run.
    check_date: str | None = None
    #: The day of the following year (MM-DD) by which a year's follow-up is due at the executive board.
    follow_up_due: str = "04-30"

    @functools.cached_property  # asked for every link on a page
    def iris(self) -> Iris:
        return Iris(self.base_iri)

    @functools.cached_property
    def stand_in_map(self) -> dict[str, str]:
        """``service_stand_ins`` as a mapping from the remote endpoint to the address called instead."""
        return parse_stand_ins(self.service_stand_ins, self.service_allowlist)

    @property
    def un_sdg_location(self) -> str:
        return self.un_sdg or str(self.shared_dir / "data" / "un-sdg")

    def links_location(self, name: str) -> Path:
        """Where the reference dataset ``name`` (a setting such as ``nuts``) is read from."""
        return getattr(self, name) or self.shared_dir / "data" / "links" / LINK_FOLDERS[name]

    def replace(self, **changes: Any) -> "Settings":
        return load_settings(changes, base=self, environ={})

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def store_environ(self) -> dict[str, str]:
        """The ``POLICYKG_STORE_*`` variables that say where a remote store is (for query processes)."""
        return {k: v for k, v in self.to_environ().items() if k.startswith(ENV_PREFIX + "STORE_") or k == ENV_PREFIX + "QUERY_TIMEOUT"}

    def to_environ(self) -> dict[str, str]:
        """These settings as ``POLICYKG_*`` variables (for the server's worker processes)."""
        found = {}
        for name, value in self.as_dict().items():
            if value is None:
                continue
            text = ",".join(value) if isinstance(value, tuple) else str(value).lower() if isinstance(value, bool) else str(value)
            found[ENV_PREFIX + name.upper()] = text
        return found


def setting_descriptions() -> dict[str, str]:
    """Each setting's description: the ``#:`` comment lines just above its field in
    :class:`Settings` (a field without one is left out). docs/configuration.md is made
    from them (:mod:`policykg.reference_docs`)."""
    lines = inspect.getsource(Settings).splitlines()
    found = {}
    for node in ast.parse("\n".join(lines)).body[0].body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            comment, row = [], node.lineno - 2
            while row >= 0 and lines[row].strip().startswith("#:"):
                comment.insert(0, lines[row].strip()[2:].strip())
                row -= 1
            if comment:
                found[node.target.id] = " ".join(comment)
    return found


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
    try:
        values["service_allowlist"] = expand_allowlist(values.get("service_allowlist", ()))
    except FederationSettingError as error:
        raise ConfigError(f"setting service_allowlist ({ENV_PREFIX}SERVICE_ALLOWLIST): {error}") from None
    settings = Settings(**values)
    try:
        settings.stand_in_map  # validates the stand-ins against the allow-list
    except FederationSettingError as error:
        raise ConfigError(f"setting service_stand_ins ({ENV_PREFIX}SERVICE_STAND_INS): {error}") from None
    try:
        settings.iris  # validates the base IRI
    except ValueError as error:
        raise ConfigError(f"setting base_iri ({ENV_PREFIX}BASE_IRI): {error}") from None
    for name in ("port", "workers", "threads", "max_connections", "query_processes", "long_queries", "max_result_rows", "hub_links"):
        if getattr(settings, name) < 1:
            raise ConfigError(f"setting {name} ({ENV_PREFIX}{name.upper()}) must be at least 1")
    for name in ("query_timeout", "batch_timeout", "update_timeout", "body_timeout", "header_timeout"):
        if getattr(settings, name) <= 0:
            raise ConfigError(f"setting {name} ({ENV_PREFIX}{name.upper()}) must be positive")
    for name in ("max_response_bytes", "max_request_bytes", "query_memory_bytes"):
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
    for name in ("store_url", "store_query_url", "store_update_url", "store_graph_store_url"):
        value = getattr(settings, name)
        if value is not None and not value.lower().startswith(("http://", "https://")):
            raise ConfigError(f"setting {name} ({ENV_PREFIX}{name.upper()}): expected an http or https URL, got {value!r}")
    if settings.store_read_rows < 1:
        raise ConfigError(f"setting store_read_rows ({ENV_PREFIX}STORE_READ_ROWS) must be at least 1")
    if settings.store_poll_seconds < 0:
        raise ConfigError(f"setting store_poll_seconds ({ENV_PREFIX}STORE_POLL_SECONDS) must not be negative")
    if settings.result_cache_bytes < 0:
        raise ConfigError(f"setting result_cache_bytes ({ENV_PREFIX}RESULT_CACHE_BYTES) must not be negative")
    return settings
