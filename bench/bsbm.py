"""Benchmark: the Berlin SPARQL Benchmark (explore use case) against our /sparql and against
``oxigraph serve`` on the same data, in the same run.

    .venv/bin/python -m bench.bsbm [--products 2000] [--runs 100] [--warmup 20]   # or: make bench

The BSBM tools come from ``SHARED_DIR/tools/bsbm`` (``POLICYKG_SHARED_DIR`` overrides;
Java 17 runs them). The generated data (2 000 products: 725 305 triples) is kept in
``var/bench/bsbm-PRODUCTS``; it is loaded once into a policykg store (its bulk path,
compacted) and once into an Oxigraph database (``oxigraph load``, then ``oxigraph
optimize``). Three servers answer in turn: ``oxigraph serve-read-only
--union-default-graph``, and ``policykg serve`` with the result cache off and as it
serves by default (with ``--bare``, a fourth: :mod:`bench.bare_wsgi`, the ceiling of any
Python service; with ``--remote``, another: policykg with its result cache off reading a
copy of the data from ``oxigraph serve`` as a remote store, ``POLICYKG_STORE_URL``; with
``--virtuoso``, two more: Virtuoso 7.2 directly, and policykg with its result cache off on that
Virtuoso as its remote store, loaded through policykg). For each, the BSBM test driver runs the query mix with 1 client and
with 8 (``-mt 8``): query mixes per hour, and each query's mean time, from the driver.
The driver gives no percentiles, so the queries of one driver run are recorded (by a
recording endpoint in front of Oxigraph) and replayed by our own clients against each
server, in the same order, for each query's mean and p99. JSON under ``bench/results/``.

The machine has 2 cores: the driver (Java) and the clients compete with the server under
test, the same for every server. Measure on a quiet machine; compare ratios, not times.
"""

from __future__ import annotations

import argparse
import http.client
import http.server
import json
import multiprocessing
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pyoxigraph as ox

from policykg.paths import PROJECT_ROOT
from policykg.store import EmbeddedStore

RESULTS = PROJECT_ROOT / "bench" / "results"
#: The explore mix: query numbers in the order of one mix (query 6 is left out by BSBM).
MIX = (1, 2, 2, 3, 2, 2, 4, 2, 2, 5, 7, 7, 5, 7, 7, 8, 9, 9, 8, 9, 9, 10, 10, 11, 12)
ACCEPT = {"SELECT": "application/sparql-results+xml", "CONSTRUCT": "application/rdf+xml", "DESCRIBE": "application/rdf+xml"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def shared_tools() -> Path:
    base = Path(os.environ.get("POLICYKG_SHARED_DIR") or PROJECT_ROOT.parent / "shared")
    tools = base / "tools" / "bsbm"
    if not tools.is_dir():
        raise SystemExit(f"the BSBM tools are not at {tools} (set POLICYKG_SHARED_DIR)")
    return tools


def prepare(products: int) -> Path:
    """A copy of the tools with generated data and test-driver data, made once."""
    where = PROJECT_ROOT / "var" / "bench" / f"bsbm-{products}"
    if (where / "dataset.nt").is_file() and (where / "td_data").is_dir():
        return where
    if where.exists():
        shutil.rmtree(where)
    shutil.copytree(shared_tools(), where)
    for path in where.rglob("*"):
        path.chmod(path.stat().st_mode | 0o200)
    subprocess.run(["./generate", "-fc", "-pc", str(products), "-s", "nt", "-fn", "dataset"], cwd=where, check=True)
    return where


def load_stores(where: Path, fresh: bool) -> tuple[Path, Path]:
    ours, theirs = where / "policykg-store", where / "oxigraph-store"
    if fresh or not (ours / "current").exists():
        shutil.rmtree(ours, ignore_errors=True)
        started = time.perf_counter()
        store = EmbeddedStore(ours)
        graph = ox.NamedNode("http://example.org/graph/bsbm")
        with store.writer(from_empty=True) as writer:  # compacted before it is published
            writer.raw.bulk_load(path=str(where / "dataset.nt"), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
            writer.raw.add_graph(graph)
        print(f"policykg store loaded in {time.perf_counter() - started:.1f} s")
    if fresh or not theirs.exists():
        shutil.rmtree(theirs, ignore_errors=True)
        oxigraph = Path(sys.executable).parent / "oxigraph"
        started = time.perf_counter()
        subprocess.run([str(oxigraph), "load", "--location", str(theirs), "--file", str(where / "dataset.nt")], check=True)
        subprocess.run([str(oxigraph), "optimize", "--location", str(theirs)], check=True)
        print(f"oxigraph store loaded and optimized in {time.perf_counter() - started:.1f} s")
    return ours, theirs


def wait_until_up(port: int, path: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path + "?query=ASK%7B%7D")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("server did not come up")


class Server:
    def __init__(self, name: str, command: list[str], port: int, path: str, env: dict | None = None) -> None:
        self.name, self.port, self.path = name, port, path
        self.log = open(RESULTS / f"bsbm-{name}.log", "wb")
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_until_up(port, path, self.process)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


def start_oxigraph(store: Path) -> Server:
    port = free_port()
    oxigraph = Path(sys.executable).parent / "oxigraph"
    command = [str(oxigraph), "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{port}", "--union-default-graph", "--timeout-s", "30"]
    return Server("oxigraph", command, port, "/query")


def start_policykg(store: Path, name: str, cache: bool) -> Server:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYKG_")}
    env.update({"POLICYKG_STORE": str(store), "POLICYKG_ACCESS_LOG": "false", "POLICYKG_QUERY_TIMEOUT": "30"})
    if not cache:
        env["POLICYKG_RESULT_CACHE_BYTES"] = "0"
    command = [sys.executable, "-m", "policykg.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    return Server(name, command, port, "/sparql", env)


def start_bare(store: Path) -> Server:
    """The bare in-thread ceiling (:mod:`bench.bare_wsgi`), served as policykg is."""
    port = free_port()
    env = dict(os.environ, BARE_STORE=str(store / "current"), PYTHONPATH=str(PROJECT_ROOT))
    command = [
        sys.executable, "-m", "granian", "--interface", "wsgi", "--factory", "--host", "127.0.0.1", "--port", str(port),
        "--workers", "2", "--blocking-threads", "32", "--no-ws", "bench.bare_wsgi:application",
    ]
    return Server("bare", command, port, "/sparql", env)


class _Pair:
    """policykg serving from a remote store, and that store's server: stopped together."""

    def __init__(self, front: Server, back: Server) -> None:
        self.front, self.back = front, back
        self.name, self.port, self.path = front.name, front.port, front.path

    @property
    def url(self) -> str:
        return self.front.url

    def stop(self) -> None:
        self.front.stop()
        self.back.stop()


def start_policykg_on_oxigraph(where: Path, ours: Path) -> _Pair:
    """``oxigraph serve`` on a copy of our store's data (in its named graph), and policykg
    (result cache off) reading it as a remote store (``POLICYKG_STORE_URL``)."""
    from policykg.remote.protocol import Endpoints
    from policykg.remote.store import RemoteStore

    copy, local = where / "remote-oxigraph", where / "remote-local"
    if not copy.exists():
        shutil.copytree(ours / os.readlink(ours / "current"), copy)
    port = free_port()
    oxigraph = Path(sys.executable).parent / "oxigraph"
    back = Server("oxigraph-behind-policykg", [str(oxigraph), "serve", "--location", str(copy), "--bind", f"127.0.0.1:{port}"], port, "/query")
    base = f"http://127.0.0.1:{port}"
    remote = RemoteStore(Endpoints(f"{base}/query", f"{base}/update", f"{base}/store"), local)
    if remote.current_generation() is None:
        remote._move_pointer()  # the data is there already: publish it
    front_port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYKG_")}
    env.update({
        "POLICYKG_STORE": str(local), "POLICYKG_STORE_URL": base, "POLICYKG_ACCESS_LOG": "false",
        "POLICYKG_QUERY_TIMEOUT": "30", "POLICYKG_RESULT_CACHE_BYTES": "0",
    })
    command = [sys.executable, "-m", "policykg.cli", "serve", "--host", "127.0.0.1", "--port", str(front_port)]
    return _Pair(Server("policykg-on-oxigraph-server", command, front_port, "/sparql", env), back)


class _Virtuoso:
    """Virtuoso 7.2 (started as the tests start it: tests/helpers.py) holding the BSBM data in one
    named graph, published by policykg's remote store; answering directly on its ``/sparql``
    (anonymous, the default graph the union of all graphs) and behind policykg."""

    def __init__(self, where: Path) -> None:
        sys.path.insert(0, str(PROJECT_ROOT / "tests"))
        import helpers  # noqa: PLC0415 - the tests' Virtuoso launcher, one copy

        from policykg.config import load_settings
        from policykg.store import open_store

        shutil.rmtree(where / "virtuoso", ignore_errors=True)
        self.server = helpers.start_virtuoso(where / "virtuoso")
        self.local = where / "virtuoso-local"
        shutil.rmtree(self.local, ignore_errors=True)
        self.settings = {"store": str(self.local), **self.server.settings}
        started = time.perf_counter()
        store = open_store(load_settings({**self.settings, "query_timeout": 600}, environ={}))
        quads = ox.parse(path=str(where / "dataset.nt"), format=ox.RdfFormat.N_TRIPLES)
        store.replace_graphs({"http://example.org/graph/bsbm": (ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode("http://example.org/graph/bsbm")) for q in quads)})
        print(f"Virtuoso loaded through policykg's remote store in {time.perf_counter() - started:.1f} s")
        base = self.server.settings["store_query_url"].rsplit("/", 1)[0]
        self.port = int(base.rsplit(":", 1)[1])

    def direct(self) -> "_Direct":
        return _Direct("virtuoso", self.port, "/sparql")

    def behind_policykg(self) -> Server:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYKG_")}
        env.update({f"POLICYKG_{k.upper()}": str(v) for k, v in self.settings.items()})
        env.update({"POLICYKG_ACCESS_LOG": "false", "POLICYKG_QUERY_TIMEOUT": "30", "POLICYKG_RESULT_CACHE_BYTES": "0"})
        command = [sys.executable, "-m", "policykg.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
        return Server("policykg-on-virtuoso", command, port, "/sparql", env)

    def stop(self) -> None:
        self.server.stop()


class _Direct:
    """A server already running (stopped by its owner)."""

    def __init__(self, name: str, port: int, path: str) -> None:
        self.name, self.port, self.path = name, port, path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def stop(self) -> None:
        pass


def drive(where: Path, url: str, clients: int, runs: int, warmup: int, tag: str) -> dict:
    """One test-driver run: query mixes per hour and each query's mean (seconds)."""
    out = RESULTS / f"bsbm-{tag}.xml"
    command = ["./testdriver", "-runs", str(runs), "-w", str(warmup), "-o", str(out)]
    if clients > 1:
        command += ["-mt", str(clients)]
    done = subprocess.run(command + [url], cwd=where, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"test driver failed: {done.stderr[-2000:]}")
    text = out.read_text()
    qmph = float(re.search(r"<qmph>([\d.]+)</qmph>", text).group(1))
    means = {}
    for match in re.finditer(r'<query nr="(\d+)">(.*?)</query>', text, re.S):
        aqet = re.search(r"<aqet>([\d.]+)</aqet>", match.group(2))
        if aqet:
            means[int(match.group(1))] = float(aqet.group(1))
    return {"qmph": qmph, "mean_s": means}


class _Recorder(http.server.BaseHTTPRequestHandler):
    """An endpoint that passes queries on to Oxigraph and remembers them, in order."""

    target: tuple[str, int, str] = ("", 0, "")
    recorded: list[str] = []

    def do_GET(self):  # noqa: N802
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get("query", [""])[0]
        self.recorded.append(query)
        host, port, path = self.target
        connection = http.client.HTTPConnection(host, port)
        connection.request("GET", path + "?" + urllib.parse.urlencode({"query": query}), headers={"Accept": self.headers.get("Accept", "*/*")})
        response = connection.getresponse()
        body = response.read()
        self.send_response(response.status)
        self.send_header("Content-Type", response.getheader("Content-Type", "application/octet-stream"))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def record(where: Path, oxigraph: Server, runs: int) -> list[tuple[int, str]]:
    """The queries of ``runs`` mixes as the driver sends them: (query number, text)."""
    _Recorder.target = ("127.0.0.1", oxigraph.port, oxigraph.path)
    _Recorder.recorded = []
    port = free_port()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Recorder)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        drive(where, f"http://127.0.0.1:{port}/sparql", 1, runs, 0, "recording")
    finally:
        httpd.shutdown()
    queries = _Recorder.recorded
    if len(queries) != runs * len(MIX):
        raise SystemExit(f"recorded {len(queries)} queries, expected {runs * len(MIX)}")
    return [(MIX[i % len(MIX)], text) for i, text in enumerate(queries)]


def _replay(args) -> list[tuple[int, float]]:
    port, path, queries = args
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    timings = []
    for number, text in queries:
        form = "CONSTRUCT" if "CONSTRUCT" in text else "DESCRIBE" if "DESCRIBE" in text else "SELECT"
        started = time.perf_counter()
        connection.request("GET", path + "?" + urllib.parse.urlencode({"query": text}), headers={"Accept": ACCEPT[form]})
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"query {number} answered {response.status}")
        timings.append((number, time.perf_counter() - started))
    return timings


def replay(server: Server, queries: list[tuple[int, str]], clients: int) -> dict:
    """Each client replays the recorded mixes; each query's mean and p99 (seconds)."""
    with multiprocessing.get_context("spawn").Pool(clients) as pool:
        per_client = pool.map(_replay, [(server.port, server.path, queries)] * clients)
    by_query: dict[int, list[float]] = {}
    for timings in per_client:
        for number, seconds in timings:
            by_query.setdefault(number, []).append(seconds)
    found = {}
    for number, values in sorted(by_query.items()):
        values.sort()
        found[number] = {"mean_s": sum(values) / len(values), "p99_s": values[min(len(values) - 1, int(0.99 * len(values)))]}
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=100, help="query mixes per driver run")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--replay-runs", type=int, default=40, help="recorded mixes each replaying client sends")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--fresh", action="store_true", help="load both stores again")
    parser.add_argument(
        "--remote", action="store_true",
        help="also measure policykg (result cache off) on Oxigraph server as a remote store (POLICYKG_STORE_URL)",
    )
    parser.add_argument(
        "--bare", action="store_true",
        help="also measure a bare in-thread Python WSGI answerer (bench.bare_wsgi): the ceiling of any Python service",
    )
    parser.add_argument(
        "--virtuoso", action="store_true",
        help="also measure Virtuoso 7.2 (virtuoso-t) directly and policykg (result cache off) on it as a remote store",
    )
    parser.add_argument(
        "--skip-embedded", action="store_true",
        help="leave out policykg on its embedded store (to measure the remote stores alone; Oxigraph server is always the reference)",
    )
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    where = prepare(args.products)
    ours, theirs = load_stores(where, args.fresh)
    results: dict = {"products": args.products, "runs": args.runs, "warmup": args.warmup, "servers": {}}
    oxigraph = start_oxigraph(theirs)
    try:
        queries = record(where, oxigraph, args.replay_runs)
    finally:
        oxigraph.stop()
    servers = [
        ("oxigraph", lambda: start_oxigraph(theirs)),
        ("policykg-no-cache", lambda: start_policykg(ours, "policykg-no-cache", cache=False)),
        ("policykg", lambda: start_policykg(ours, "policykg", cache=True)),
    ]
    if args.skip_embedded:
        servers = servers[:1]
    if args.bare:
        servers.insert(1, ("bare", lambda: start_bare(ours)))
    if args.remote:
        servers.append(("policykg-on-oxigraph-server", lambda: start_policykg_on_oxigraph(where, ours)))
    virtuoso = _Virtuoso(where) if args.virtuoso else None
    if virtuoso:
        servers += [("virtuoso", virtuoso.direct), ("policykg-on-virtuoso", virtuoso.behind_policykg)]
    try:
        run_all(servers, where, args, queries, results)
    finally:
        if virtuoso:
            virtuoso.stop()
    report(results)
    out = RESULTS / f"bsbm-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=1))
    print(f"wrote {out}")


def run_all(servers: list, where: Path, args, queries: list, results: dict) -> None:
    for name, start in servers:
        server = start()
        try:
            for clients in args.clients:
                print(f"{name}, {clients} client(s) ...", flush=True)
                found = drive(where, server.url, clients, args.runs, args.warmup, f"{name}-{clients}")
                found["replay"] = replay(server, queries, clients)
                results["servers"].setdefault(name, {})[str(clients)] = found
        finally:
            server.stop()


def report(results: dict) -> None:
    servers = results["servers"]
    reference = servers["oxigraph"]
    for clients in sorted({c for s in servers.values() for c in s}, key=int):
        base = reference[clients]
        print(f"\n{clients} client(s): query mixes per hour (ratio to Oxigraph server)")
        for name, by_clients in servers.items():
            found = by_clients[clients]
            print(f"  {name:18} {found['qmph']:>10,.0f}  {found['qmph'] / base['qmph']:.2f}x")
        print("  query  " + "  ".join(f"{name[:18]:>26}" for name in servers) + "   (replayed: mean / p99, ms)")
        for number in sorted(base["replay"]):
            cells = []
            for name, by_clients in servers.items():
                found = by_clients[clients]["replay"][number]
                cells.append(f"{found['mean_s'] * 1000:>10.2f} / {found['p99_s'] * 1000:>8.2f} ({found['p99_s'] / base['replay'][number]['p99_s']:.2f}x)")
            print(f"  Q{number:<5} " + "  ".join(cells))
        if "virtuoso" in servers and "policykg-on-virtuoso" in servers:
            direct, behind = servers["virtuoso"][clients], servers["policykg-on-virtuoso"][clients]
            print(f"  policykg on Virtuoso / Virtuoso directly: {behind['qmph'] / direct['qmph']:.2f}x query mixes per hour")


if __name__ == "__main__":
    main()
