"""Serving with Granian, a production HTTP server written in Rust, from ``policykg serve``.

Why Granian: its HTTP side (hyper on tokio) reads request headers and holds idle
keep-alive connections without a Python thread, so slow or idle clients (a
thousand of them) do not starve the threads that answer; and its hand-over to
Python costs a fraction of a pure-Python server's. Each worker process runs the
application (:func:`application`) in ``POLICYKG_THREADS`` threads; a worker that
dies is started again. Request bodies are read whole, within a time limit,
before a view runs (:mod:`server.requests`).

The workers are started by Granian, so they learn the settings from the
environment: :func:`run` writes the settings it was given to ``POLICYKG_*``.
"""

from __future__ import annotations

import ipaddress
import os
import threading

from policykg.config import Settings, load_settings


def application():
    """The application of one worker (Granian calls this factory in each worker process).
    Its query processes start in the background, before the first query needs them."""
    from . import create_app

    app = create_app()
    threading.Thread(target=app.extensions["policykg.querypool"].warm, name="warm-query-pool", daemon=True).start()
    return app


def public_url(settings: Settings) -> str:
    if settings.public_url:
        return settings.public_url
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    return f"http://{host}:{settings.port}/"


def loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def startup_warnings(settings: Settings) -> list[str]:
    """What an operator should hear before serving beyond this machine."""
    warnings = []
    if not loopback(settings.host) and not settings.public_url and not settings.allowed_hosts:
        warnings.append(
            f"listening on {settings.host}, beyond this machine, with neither POLICYKG_PUBLIC_URL nor "
            "POLICYKG_ALLOWED_HOSTS set: only requests for the loopback names (localhost, 127.0.0.1, [::1]) "
            "will be answered; set POLICYKG_ALLOWED_HOSTS to the names clients use"
        )
    return warnings


def run(settings: Settings) -> None:
    """Serve until interrupted; prints where."""
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.server import Server

    os.environ.update(settings.to_environ())
    for warning in startup_warnings(settings):
        print(f"policykg: warning: {warning}", flush=True)
    print(f"policykg: serving {settings.store} on {public_url(settings)}", flush=True)
    Server(
        "policykg.server.wsgi:application",
        factory=True,
        address=settings.host,
        port=settings.port,
        interface=Interfaces.WSGI,
        http=HTTPModes.http1,
        workers=settings.workers,
        blocking_threads=settings.threads,
        backpressure=max(1024, settings.max_connections // settings.workers),  # connections per worker
        websockets=False,
        backlog=2048,
        http1_settings=HTTP1Settings(header_read_timeout=int(settings.header_timeout * 1000)),
        log_access=settings.access_log,
        respawn_failed_workers=True,
        respawn_interval=0.2,
        workers_kill_timeout=10,
    ).serve()


def settings_from_environment() -> Settings:
    return load_settings()
