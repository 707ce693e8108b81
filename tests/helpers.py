"""What the tests share besides fixtures: paths, settings, small stores, the sample
registries and a named-query answerer. Imported as ``helpers`` (``tests/`` is on the path)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from policykg.config import Settings, load_settings
from policykg.namespaces import XSD
from policykg.store import EmbeddedStore, open_store

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
ONTOLOGY_DIR = REPO / "ontology"
SAMPLE_REGISTRIES = REPO / "registries" / "umea"

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
    developer's own configuration cannot change what a test sees. In a run on a remote
    store (``pytest --store=oxigraph``) they point at that store's server."""
    return load_settings({"store": store, "shared_dir": shared_dir(), **TEST_STORES.settings_for(store), **overrides}, environ={})


def store_environ(store: Path) -> dict[str, str]:
    """``POLICYKG_STORE`` and, in a run on a remote store, the ``POLICYKG_STORE_*`` of its server
    (for a ``policykg`` command or server the test starts)."""
    return {"POLICYKG_STORE": str(store), **make_settings(store).store_environ()}


def store_at(store: Path):
    """The store at ``store`` as the service opens it (embedded, or the run's remote server)."""
    return open_store(make_settings(store))


# --- small stores of our own, and the application on them ---------------------------

SAMPLE_GRAPH = "http://example.org/graph/sample"
SAMPLE_TURTLE = """
@prefix ex: <http://example.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
ex:goal1 a ex:Goal ; skos:prefLabel "Mål ett"@sv, "Goal one"@en ; ex:ordinal 1 .
ex:goal2 a ex:Goal ; skos:prefLabel "Mål två"@sv, "Goal two"@en ; ex:ordinal 2 .
ex:project1 a ex:Project ; ex:serves ex:goal1 ; ex:budget 1200.50 ; ex:note "line one\\nline\\ttwo \\"quoted\\"" .
ex:project2 a ex:Project ; ex:serves ex:goal2, ex:goal1 ; ex:partner [ ex:name "A partner" ] .
"""


def write_sample_store(path: Path) -> EmbeddedStore:
    """A store with one small named graph of sample data (and nothing else)."""
    import pyoxigraph as ox

    store = store_at(path)
    store.replace_graphs({SAMPLE_GRAPH: list(ox.parse(SAMPLE_TURTLE, format=ox.RdfFormat.TURTLE))})
    return store


def make_endpoint_app(store: Path, **overrides):
    from policykg.server import create_app

    application = create_app({**make_settings(store, **overrides).as_dict()})
    application.config["TESTING"] = True
    return application



# --- the program plus a little hand-written work (tests/data/work.ttl) ---------------

WORK_GRAPH_KEY = "hand-made"


def add_work_graph(settings: Settings) -> str:
    """Load tests/data/work.ttl into <BASE/graph/hand-made>, with provenance as a loader writes it."""
    import pyoxigraph as ox
    from policykg.loaders.provenance import FileFacts, provenance_quads

    graph = settings.iris.graph(WORK_GRAPH_KEY)
    quads = list(ox.parse(path=str(DATA / "work.ttl"), format=ox.RdfFormat.TURTLE, base_iri=settings.base_iri))
    store = open_store(settings)
    with store.writer() as writer:
        count = writer.replace_graph(graph, quads)
        writer.add(
            graph,
            provenance_quads(
                graph,
                title_en="International work (test data)",
                title_sv="Internationellt arbete (testdata)",
                files=[FileFacts.of(DATA / "projects.csv", rows=2)],
                version="test",
                triples=count,
            ),
        )
    return graph



# --- registries ------------------------------------------------------------------

def write_manifest(directory: Path, names: list[str]) -> Path:
    """A registries manifest in ``directory`` that loads the named sample registries
    (their files where they are, their schemas copied beside the manifest)."""
    import shutil

    directory.mkdir(parents=True, exist_ok=True)
    lines = ["[dataset]", 'description_en = "Illustrative samples (a subset, for a test)."', "", "[registries]"]
    for name in names:
        shutil.copy(SAMPLE_REGISTRIES / f"{name}.csv-metadata.json", directory)
        lines.append(f'{name} = "{SAMPLE_REGISTRIES / (name + ".csv")}"')
    (directory / "registries.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


_LIST = re.compile(r'GROUP_CONCAT\s*\([^;]*;\s*separator\s*=\s*"([^"]*)"[^?]*?\bAS\s+\?(\w+)', re.IGNORECASE)
_NUMBERS = (str(XSD.double), str(XSD.float), str(XSD.decimal))


def answer_rows(sparql: str, result) -> list[tuple]:
    """The rows of a SELECT answer, sorted, in a form two stores' answers compare in: what the
    standard leaves open is set aside. A list made by GROUP_CONCAT is compared as its sorted
    items (the order of a group's values is not defined: Virtuoso sorts them, Oxigraph keeps the
    order it found them in); a decimal, float or double by its value (Virtuoso writes 1.0 for 1)."""
    separators = {name: sep for sep, name in _LIST.findall(sparql)}
    names = [v.value for v in result.variables]

    def cell(name: str, term) -> str:
        if term is None:
            return ""
        if isinstance(term, ox.Literal) and term.datatype.value in _NUMBERS:
            return f"{float(term.value)!r}^^{term.datatype.value}"
        if name in separators and isinstance(term, ox.Literal):
            items = sorted(term.value.split(separators[name])) if separators[name] else sorted(term.value)
            return str(ox.Literal(separators[name].join(items), language=term.language) if term.language
                       else ox.Literal(separators[name].join(items), datatype=term.datatype))
        return str(term)

    return sorted(tuple(cell(n, row[n]) for n in names) for row in result)


def sample_rows(name: str) -> list[tuple[int, dict]]:
    """(row number as the loaders count it, the header being row 1; the row) of a sample registry."""
    import csv

    with open(SAMPLE_REGISTRIES / f"{name}.csv", newline="", encoding="utf-8") as file:
        return list(enumerate(csv.DictReader(file), start=2))


# --- the named queries, answered straight from a store -----------------------------


def named_answerer(store: EmbeddedStore, settings: Settings):
    """A function (name, **parameters) -> rows of that named query on ``store``, each cell its
    lexical value or None; parameters bound as the API binds them."""
    from policykg.paths import queries_dir
    from policykg.runtime.binding import ask as bound
    from policykg.runtime.querylib import load_queries

    queries = load_queries(queries_dir())

    def ask(name: str, **values) -> list[dict]:
        query = queries[name]
        result = bound(store, query.sparql, query.bind(values, settings.iris))
        names = [v.value for v in result.variables]
        return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in result]

    return ask


# --- remote SPARQL servers the remote-store tests run against ------------------------

VIRTUOSO_MISSING = "Virtuoso is not installed (apt-get install virtuoso-opensource; .ci/run installs it)"


class RemoteServer:
    """A SPARQL server started by a test (``oxigraph serve`` or Virtuoso's ``virtuoso-t``):
    ``settings`` are the ``store_*`` settings that point policykg at it."""

    def __init__(self, name: str, process, log: Path, settings: dict) -> None:
        self.name, self.process, self.log, self.settings = name, process, log, settings

    def stop(self) -> None:
        import subprocess

        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def said(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def client(self, timeout: float = 60):
        """A protocol client of policykg's own for this server (as its ``settings`` say)."""
        from policykg.remote.protocol import Client, Endpoints

        return Client(Endpoints.of(load_settings({"store": "unused", **self.settings}, environ={})), timeout=timeout)


def _wait_for(server: RemoteServer, url: str, seconds: float) -> None:
    import time
    import urllib.request

    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if server.process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"{server.name} did not start: {server.said()}")
        time.sleep(0.2)


def _oxigraph_binary() -> Path | None:
    import shutil
    import sys

    binary = Path(sys.executable).parent / "oxigraph"
    if not binary.exists():
        binary = Path(shutil.which("oxigraph") or "")
    return binary if binary.is_file() else None


def start_oxigraph(where: Path) -> RemoteServer:
    """``oxigraph serve`` (from PyPI, the `test` extra) on a free loopback port, its data in ``where``."""
    import subprocess

    from live_server import free_port

    binary = _oxigraph_binary()
    if not binary:
        pytest.skip("the oxigraph server is not installed (pip install oxigraph; `make install` does it)")
    port = free_port()
    log = where / "server.log"
    with open(log, "wb") as handle:
        process = subprocess.Popen(
            [str(binary), "serve", "--location", str(where / "data"), "--bind", f"127.0.0.1:{port}"],
            stdout=handle, stderr=subprocess.STDOUT, start_new_session=True,
        )
    server = RemoteServer("oxigraph serve", process, log, {"store_url": f"http://127.0.0.1:{port}"})
    _wait_for(server, f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", 30)
    return server


#: The Virtuoso the tests start: its own database in a temporary directory, on free ports,
#: in the foreground (never the system service). As docs/remote-store.md says: ResultSetMaxRows
#: raised (Debian's 10000 cuts the samples' largest graph) and the cost estimate's limit off
#: (Debian's 400 s refuses `indicators` for a goal and an area, which runs in milliseconds), and
#: MaxMemPoolSize raised to 1 GB (the `body-follow-up` rule's query needs more than the 400 MB
#: default to compile); MaxQueryExecutionTime is the query limit policykg sends none of (it
#: abandons a request at its own; Virtuoso would go on to its own: 30 s, not Debian's 60).
VIRTUOSO_INI = """\
[Database]
DatabaseFile = virtuoso.db
ErrorLogFile = virtuoso.log
LockFile = virtuoso.lck
TransactionFile = virtuoso.trx
xa_persistent_file = virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = virtuoso-temp.db
TransactionFile = virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = {sql_port}
DisableUnixSocket = 1
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = .
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
MaxQueryMem = 500M
ThreadsPerQuery = 2
MaxMemPoolSize = 1000000000

[HTTPServer]
ServerPort = {http_port}
ServerRoot = .
MaxClientConnections = 10
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = {time_limit}
"""

#: What an administrator does once (docs/remote-store.md): a user for policykg with the
#: right to update, and the SPARQL and Graph Store endpoints behind HTTP Basic
#: authentication for it (Virtuoso's own /sparql-auth and /sparql-graph-crud-auth ask for Digest).
VIRTUOSO_SETUP = """\
DB.DBA.USER_CREATE ('{user}', '{password}');
GRANT SPARQL_SELECT TO "{user}";
GRANT SPARQL_UPDATE TO "{user}";
DB.DBA.VHOST_DEFINE (lpath=>'/sparql-basic', ppath=>'/!sparql/', is_dav=>1, vsp_user=>'dba', opts=>vector ('noinherit', 1), auth_fn=>'DB.DBA.HP_AUTH_SPARQL_USER', realm=>'SPARQL', sec=>'basic');
DB.DBA.VHOST_DEFINE (lpath=>'/sparql-graph-crud-basic', ppath=>'/!sparql-graph-crud/', is_dav=>1, vsp_user=>'dba', opts=>vector ('noinherit', 1, 'exec_as_get', 1), auth_fn=>'DB.DBA.HP_AUTH_SPARQL_USER', realm=>'SPARQL', sec=>'basic');
"""


def virtuoso_missing() -> None:
    """Skip, saying why; fail instead where POLICYKG_REQUIRE_VIRTUOSO is set (.ci/run)."""
    if os.environ.get("POLICYKG_REQUIRE_VIRTUOSO"):
        pytest.fail(f"{VIRTUOSO_MISSING} (POLICYKG_REQUIRE_VIRTUOSO is set: the Virtuoso tests must run)")
    pytest.skip(VIRTUOSO_MISSING)


def virtuoso_binary() -> str:
    import shutil

    found = shutil.which("virtuoso-t")
    if not found:
        virtuoso_missing()
    return found


def start_virtuoso(where: Path, *, max_rows: int = 1_000_000, time_limit: int = 30) -> RemoteServer:
    """Virtuoso (``virtuoso-t +foreground``) with a new database in ``where``, set up as
    VIRTUOSO_SETUP says; policykg talks to it as the user ``policykg`` (HTTP Basic)."""
    import shutil
    import subprocess

    from live_server import free_port

    binary = virtuoso_binary()
    isql = shutil.which("isql-vt") or shutil.which("isql")
    if not isql:
        virtuoso_missing()
    sql_port, http_port = free_port(), free_port()
    where.mkdir(parents=True, exist_ok=True)
    (where / "virtuoso.ini").write_text(VIRTUOSO_INI.format(sql_port=sql_port, http_port=http_port, max_rows=max_rows, time_limit=time_limit), encoding="utf-8")
    log = where / "server.log"
    with open(log, "wb") as handle:
        process = subprocess.Popen(
            [binary, "+foreground", "+configfile", "virtuoso.ini"],
            cwd=where, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )
    base = f"http://127.0.0.1:{http_port}"
    user, password = "policykg", "policykg-test-password"
    server = RemoteServer("Virtuoso", process, log, {
        "store_query_url": f"{base}/sparql-basic",
        "store_update_url": f"{base}/sparql-basic",
        "store_graph_store_url": f"{base}/sparql-graph-crud-basic",
        "store_user": user,
        "store_password": password,
    })
    _wait_for(server, f"{base}/sparql?query=ASK%7B%7D", 120)
    setup = subprocess.run(
        [isql, str(sql_port), "dba", "dba", "VERBOSE=OFF", "ERRORS=STDOUT", "PROMPT=OFF", "BANNER=OFF"],
        input=VIRTUOSO_SETUP.format(user=user, password=password), capture_output=True, text=True, timeout=60,
    )
    if setup.returncode != 0 or "Error" in setup.stdout:
        server.stop()
        raise RuntimeError(f"Virtuoso's setup failed: {setup.stdout[-2000:]} {setup.stderr[-2000:]}")
    return server


REMOTE_SERVERS = {"oxigraph": start_oxigraph, "virtuoso": start_virtuoso}


# --- the store the run is on: pytest --store=embedded|oxigraph|virtuoso ---------------


class TestStores:
    """The servers of a run on a remote store: one per store path (a test's store is a
    server of its own, empty at first), started when first asked for. A server made for
    one test is emptied and handed to the next test's store instead of being stopped
    (``release``); the others run until the session ends."""

    def __init__(self) -> None:
        self.kind = "embedded"
        self.by_path: dict[Path, RemoteServer] = {}
        self.spare: list[RemoteServer] = []

    @property
    def remote(self) -> bool:
        return self.kind != "embedded"

    def missing(self) -> str | None:
        """Why the run's server cannot be started here (skip, saying so), or None. Where
        POLICYKG_REQUIRE_VIRTUOSO is set (.ci/run), a missing Virtuoso stops the run instead."""
        import shutil

        if self.kind == "virtuoso" and not (shutil.which("virtuoso-t") and (shutil.which("isql-vt") or shutil.which("isql"))):
            if os.environ.get("POLICYKG_REQUIRE_VIRTUOSO"):
                pytest.exit(f"{VIRTUOSO_MISSING} (POLICYKG_REQUIRE_VIRTUOSO is set: the Virtuoso tests must run)", returncode=1)
            return f"{VIRTUOSO_MISSING}: the run on Virtuoso (--store=virtuoso) is skipped"
        if self.kind == "oxigraph" and not _oxigraph_binary():
            return "the oxigraph server is not installed (pip install oxigraph; `make install` does it)"
        return None

    def settings_for(self, store: Path) -> dict:
        if not self.remote:
            return {}
        key = Path(store).resolve()
        server = self.by_path.get(key)
        if server is None or server.process.poll() is not None:
            server = self.spare.pop() if self.spare else self._start(key)
            self.by_path[key] = server
        # Every read follows the pointer at once: a test reads what it has just published.
        return {**server.settings, "store_poll_seconds": 0}

    def _start(self, key: Path) -> RemoteServer:
        where = key.parent / f"{key.name}.{self.kind}-server"
        where.mkdir(parents=True, exist_ok=True)
        server = REMOTE_SERVERS[self.kind](where)
        server.own_graphs = set(_graph_names(server))
        return server

    def release(self, paths: set[Path]) -> None:
        """Empty the servers of these stores (of every graph but the server's own) for reuse."""
        for key in paths:
            server = self.by_path.pop(key, None)
            if server is None or server.process.poll() is not None:
                continue
            try:
                _drop_graphs(server, set(_graph_names(server)) - server.own_graphs)
            except Exception:  # noqa: BLE001 - a server that cannot be emptied is not reused
                server.stop()
                continue
            self.spare.append(server)

    def stop(self) -> None:
        for server in [*self.by_path.values(), *self.spare]:
            server.stop()
        self.by_path.clear()
        self.spare.clear()


def _graph_names(server: RemoteServer) -> list[str]:
    import json

    answer = server.client().query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", accept="application/sparql-results+json")
    return [row["g"]["value"] for row in json.loads(answer.read())["results"]["bindings"]]


def _drop_graphs(server: RemoteServer, graphs: set[str]) -> None:
    if graphs:
        server.client().update(" ;\n".join(f"DROP SILENT GRAPH <{graph}>" for graph in sorted(graphs)))


#: The run's stores (conftest sets ``kind`` from ``--store``).
TEST_STORES = TestStores()
