"""Serving with gunicorn, a production WSGI server, from ``policykg serve``."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

from policykg.config import Settings


def _warm_query_pool(worker) -> None:
    """Each worker starts its query processes before it takes requests."""
    worker.wsgi.extensions["policykg.querypool"].warm()


def _close_query_pool(server, worker) -> None:
    pool = getattr(worker, "wsgi", None) and worker.wsgi.extensions.get("policykg.querypool")
    if pool:
        pool.close()


class _Server(BaseApplication):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        s = self.settings
        options = {
            "bind": f"{s.host}:{s.port}",
            "workers": s.workers,
            "threads": s.threads,
            "worker_class": "gthread",
            "accesslog": "-" if s.access_log else None,
            # Queries are stopped by the query pool; this only guards a stuck worker.
            "timeout": int(max(s.query_timeout, s.update_timeout)) + 30,
            "graceful_timeout": 10,
            "keepalive": 5,
            "limit_request_line": 16384,
            # gunicorn's control socket is one fixed path per user: two servers would collide.
            "control_socket_disable": True,
            "post_worker_init": _warm_query_pool,
            "worker_exit": _close_query_pool,
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self):
        from . import create_app

        return create_app(self.settings.as_dict())


def public_url(settings: Settings) -> str:
    if settings.public_url:
        return settings.public_url
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    return f"http://{host}:{settings.port}/"


def run(settings: Settings) -> None:
    """Serve until interrupted; prints where."""
    print(f"policykg: serving {settings.store} on {public_url(settings)}", flush=True)
    _Server(settings).run()
