"""``policykg build``: every configured source, loaded and published together."""

from __future__ import annotations

from .config import Settings
from .loaders.publish import Progress, PublishReport, publish
from .loaders.sources import build_sources
from .store import open_store


def build_store(
    settings: Settings, *, force: bool = False, clean: bool = False, progress: Progress | None = None
) -> PublishReport:
    """Load what changed since the last build and publish it in one step."""
    notes: list[str] = []
    sources = build_sources(settings, notes)
    report = publish(open_store(settings), sources, settings, force=force, from_empty=clean, progress=progress)
    report.notes[:0] = notes
    return report
