"""Progress of long loads on the terminal: rows read and checked, then rows written."""

from __future__ import annotations

import sys
import time

import click


class LoadProgress:
    """A progress callback for ``publish``: a bar on a terminal, a line now and then otherwise."""

    def __init__(self, stream=None, interval: float = 2.0) -> None:
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.interval = interval
        self._last = 0.0
        self._open = False
        self._started: dict[str, float] = {}

    def _show(self, text: str, final: bool = False, key: str = "") -> None:
        now = time.monotonic()
        started = self._started.setdefault(key, now)
        if final and not self.tty and now - started < self.interval:
            return  # a short source: its line in the summary is enough
        if not final and now - self._last < (0.2 if self.tty else self.interval):
            return
        self._last = now
        if self.tty:
            click.echo("\r\033[K" + text, file=self.stream, nl=final)
            self._open = not final
        else:
            click.echo(text, file=self.stream)

    def __call__(self, key: str, triples: int) -> None:
        """Triples written (sources without rows)."""
        self._show(f"{key}: {triples:,} triples written", key=key)

    def rows(self, key: str, count: int) -> None:
        self._show(f"{key}: {count:,} rows read and checked", key=key)

    def writing(self, key: str, done: int, total: int, triples: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        bar = "#" * filled + "-" * (width - filled)
        self._show(f"{key}: [{bar}] {done:,}/{total:,} rows, {triples:,} triples", final=done >= total, key=key)

    def close(self) -> None:
        if self._open:
            click.echo("", file=self.stream)
            self._open = False
