"""Shared fixtures: ``settings``, ``built_settings`` (one real build per session),
``store``, ``app``, ``client``, ``runner``; the sample and work stores with their
applications; the real server (``live``, ``work_live``, ``published_live``).
the remote SPARQL servers (``remote_server``: Oxigraph server, then Virtuoso).
Everything else the tests share is in ``helpers``. Tests under ``live/`` are marked slow.

``pytest --store=oxigraph`` (or ``virtuoso``) runs the tests that depend on the store on
that server instead of the embedded store: each test store is a server the run starts
(docs/testing.md)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import (
    DATA,
    REMOTE_SERVERS,
    TEST_STORES,
    add_work_graph,
    make_endpoint_app,
    make_settings,
    store_at,
    store_environ,
    write_manifest,
    write_sample_store,
)

from policykg.build import build_store
from policykg.cli import cli
from policykg.config import Settings
from policykg.runtime.querylib import parse_query_file
from policykg.store import EmbeddedStore

LIVE = Path(__file__).resolve().parent / "live"

#: The fixtures that are (or hold) a store: a test that uses one depends on the store.
STORE_FIXTURES = {
    "settings", "built_settings", "store", "app", "sample_store", "endpoint_app", "live",
    "work_settings", "work_store", "work_app", "work_live", "published_live", "typed_app",
}
#: What a test module that makes stores of its own imports (from helpers, live_server, policykg).
STORE_MAKERS = {"make_settings", "store_at", "store_environ", "write_sample_store", "make_endpoint_app", "open_store",
                "build_store", "publish", "live_server"}


def pytest_addoption(parser) -> None:
    parser.addoption(
        "--store", choices=("embedded", *REMOTE_SERVERS), default="embedded",
        help="the store the tests that depend on it run on: the embedded store (default), or a "
        "remote SPARQL server the run starts (oxigraph: `oxigraph serve`; virtuoso: virtuoso-t)",
    )


def pytest_configure(config) -> None:
    TEST_STORES.kind = config.getoption("--store")


def pytest_report_header(config) -> str:
    if TEST_STORES.remote:
        return (f"store: {TEST_STORES.kind} (a remote SPARQL server per test store; only the tests that "
                "depend on the store run, and those marked embedded_only are skipped)")
    return "store: embedded"


def pytest_collection_modifyitems(config, items) -> None:
    """The slow ones, by folder: everything under tests/live starts real servers or browsers.
    On a remote store, only the tests that depend on the store are kept."""
    for item in items:
        if LIVE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.slow)
    if not TEST_STORES.remote:
        return
    missing = TEST_STORES.missing()
    kept, dropped = [], []
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        module = getattr(item, "module", None)
        uses_store = (
            STORE_FIXTURES & fixtures or STORE_MAKERS & set(vars(module) if module else ())
        ) and "remote_server" not in fixtures  # those start every kind of server themselves, in the embedded run
        (kept if uses_store else dropped).append(item)
        if missing:
            item.add_marker(pytest.mark.skip(reason=missing))
        only = item.get_closest_marker("embedded_only")
        if only:
            why = only.args[0] if only.args else "it is about the embedded store"
            item.add_marker(pytest.mark.skip(reason=f"embedded store only: {why} (this run: --store={TEST_STORES.kind})"))
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_sessionfinish(session) -> None:
    TEST_STORES.stop()


@pytest.fixture(autouse=True)
def _test_stores_released():
    """On a remote store: the servers made for this test's own stores are emptied for the next."""
    if not TEST_STORES.remote:
        yield
        return
    before = set(TEST_STORES.by_path)
    yield
    TEST_STORES.release(set(TEST_STORES.by_path) - before)


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
    return store_at(built_settings.store)


@pytest.fixture
def app(built_settings: Settings):
    from policykg.server import create_app

    application = create_app({**built_settings.as_dict(), "update_token": None})
    application.config["TESTING"] = True
    return application


@pytest.fixture
def client(app):
    return app.test_client()


class StoreRunner(CliRunner):
    """A CliRunner whose ``policykg --store PATH`` (or ``POLICYKG_STORE``) is, on a remote test
    store, that path's server (its ``POLICYKG_STORE_*`` added to the environment)."""

    def invoke(self, cli, args=None, env=None, **options):
        if TEST_STORES.remote:
            args_ = list(args or ())
            path = args_[args_.index("--store") + 1] if "--store" in args_[:-1] else (env or {}).get("POLICYKG_STORE")
            if path:
                env = {**store_environ(Path(path)), **(env or {})}
        return super().invoke(cli, args, env=env, **options)


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The ``policykg`` command, run in-process, with no POLICYKG_* from the developer's environment."""
    for name in list(os.environ):
        if name.startswith("POLICYKG_") and name != "POLICYKG_SHARED_DIR":
            monkeypatch.delenv(name)
    runner = StoreRunner()
    runner.cli = cli
    return runner


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    """A store with the sample graph (shared by the session: do not write to it)."""
    return write_sample_store(tmp_path_factory.mktemp("sample") / "store")


@pytest.fixture
def endpoint_app(sample_store: EmbeddedStore):
    """The application on the sample store, read-only (no update token), with its own query pool."""
    application = make_endpoint_app(sample_store.path)
    yield application
    application.extensions["policykg.querypool"].close()


@pytest.fixture
def endpoint(endpoint_app):
    return endpoint_app.test_client()


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory):
    """The real server (Granian via ``policykg serve``) on a free loopback port, with an
    update token, a 3 s query limit and small caps, on a store of its own."""
    import live_server  # noqa: PLC0415

    where = tmp_path_factory.mktemp("live")
    write_sample_store(where / "store")
    server = live_server.start(
        where / "store",
        where / "server.log",
        query_timeout=3,
        max_result_rows=1000,
        max_request_bytes=65536,
        workers=2,
        threads=4,
        result_cache_bytes=0,
    )
    yield server
    server.stop()


@pytest.fixture(scope="session")
def work_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose store holds the program (a build without registries and without the
    reference datasets) plus tests/data/work.ttl, and nothing else, so that each answer is known by hand
    (shared: do not write to it)."""
    where = tmp_path_factory.mktemp("work")
    settings = make_settings(where / "store", registries=write_manifest(where / "no-registries", []),
                             reference_datasets=("none",))
    build_store(settings)
    add_work_graph(settings)
    return settings


@pytest.fixture(scope="session")
def work_store(work_settings: Settings) -> EmbeddedStore:
    return store_at(work_settings.store)


@pytest.fixture
def work_app(work_settings: Settings):
    """The application on the work store, read-only, with its own query pool."""
    from policykg.server import create_app

    application = create_app({**work_settings.as_dict(), "update_token": None})
    application.config["TESTING"] = True
    yield application
    application.extensions["policykg.querypool"].close()


@pytest.fixture
def work_client(work_app):
    return work_app.test_client()


@pytest.fixture(scope="session")
def work_live(work_settings: Settings, tmp_path_factory: pytest.TempPathFactory):
    """The real server (Granian) on the work store, read-only, on a free loopback port."""
    import live_server  # noqa: PLC0415

    server = live_server.start(
        work_settings.store, tmp_path_factory.mktemp("work-live") / "server.log", token="", workers=1, threads=4
    )
    yield server
    server.stop()


# --- publication: the real server on a built store (with its dumps and documentation) ---


@pytest.fixture(scope="session")
def published_live(built_settings: Settings, tmp_path_factory: pytest.TempPathFactory):
    """The real server on the session's built store (read-only use), with the default public URL."""
    import live_server  # noqa: PLC0415

    server = live_server.start(built_settings.store, tmp_path_factory.mktemp("published") / "server.log", workers=1, threads=4)
    yield server
    server.stop()


@pytest.fixture
def typed_app(work_app):
    """The work application with one more named query, whose parameters are of every type."""
    work_app.extensions["policykg.queries"] = {
        **work_app.extensions["policykg.queries"],
        "typed": parse_query_file(DATA / "queries" / "typed.rq"),
    }
    return work_app


@pytest.fixture
def typed(typed_app):
    return typed_app.test_client()


# --- remote SPARQL servers (POLICYKG_STORE_URL) -------------------------------------


@pytest.fixture(scope="module", params=list(REMOTE_SERVERS))
def remote_server(request, tmp_path_factory: pytest.TempPathFactory):
    """A SPARQL server of each kind policykg is tested against, started for the module
    (skipped, saying why, where the server is not installed): ``.settings`` point policykg at it."""
    server = REMOTE_SERVERS[request.param](tmp_path_factory.mktemp(f"{request.param}-server"))
    yield server
    server.stop()
