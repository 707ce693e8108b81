"""Starting the real server (``policykg serve``: Granian, through our own code) on a
free loopback port, for tests that talk to it over HTTP."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LiveServer:
    url: str  # ends with '/'
    token: str
    process: subprocess.Popen
    log: Path

    @property
    def host(self) -> str:
        return self.url.split("//", 1)[1].rstrip("/")

    def connection(self, timeout: float = 30) -> http.client.HTTPConnection:
        host, port = self.host.rsplit(":", 1)
        return http.client.HTTPConnection(host, int(port), timeout=timeout)

    def request(self, method: str, path: str, body: bytes | str | None = None, headers: dict | None = None, *, auth: bool = False, timeout: float = 30):
        """One request on a new connection: (status, headers, body)."""
        headers = dict(headers or {})
        if auth:
            headers["Authorization"] = f"Bearer {self.token}"
        connection = self.connection(timeout)
        try:
            connection.request(method, path, body=body.encode() if isinstance(body, str) else body, headers=headers)
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start(
    store: Path, log: Path, *, token: str = "test-token", command: list[str] | None = None, cwd: Path | None = None,
    healthy: bool = True, **settings,
) -> LiveServer:
    """Serve ``store`` with ``policykg serve``; returns when /health answers (``healthy``: that
    all is well, 200; else anything).

    ``command`` is the ``policykg`` command to run (default: this interpreter's, from the
    checkout); another one (an installed wheel's) runs in ``cwd`` without ``PYTHONPATH``."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYKG_")}
    if command is not None:
        env.pop("PYTHONPATH", None)
    from helpers import store_environ  # noqa: PLC0415 - helpers imports this module

    env.update({**store_environ(store), "POLICYKG_UPDATE_TOKEN": token})
    env.update({f"POLICYKG_{k.upper()}": str(v) for k, v in settings.items()})
    handle = open(log, "wb")
    process = subprocess.Popen(
        [*(command or [sys.executable, "-m", "policykg.cli"]), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=cwd,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = LiveServer(f"http://127.0.0.1:{port}/", token, process, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}: {log.read_text(errors='replace')[-3000:]}")
        try:
            status, _, _ = server.request("GET", "/health", timeout=2)
            if status == 200 or (status and not healthy):
                return server
        except OSError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"the server did not answer /health within 60 s: {log.read_text(errors='replace')[-3000:]}")
