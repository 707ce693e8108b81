"""``policykg build``: every configured source, loaded and published together,
then the published generation's dumps and metadata (:func:`after_publish`)."""

from __future__ import annotations

from .config import Settings
from .loaders.publish import Progress, PublishReport, publish
from .loaders.sources import build_sources
from .store import open_store


def build_store(
    settings: Settings, *, force: bool = False, clean: bool = False, progress: Progress | None = None
) -> PublishReport:
    """Load what changed since the last build and publish it in one step."""
    store = open_store(settings)
    report = publish(store, build_sources(settings), settings, force=force, from_empty=clean, progress=progress)
    after_publish(settings)
    return report


def after_publish(settings: Settings, *, force: bool = False):
    """What follows every successful publish (build, load): the published generation's
    dumps, checksums and VoID statistics, and the ontology's documentation."""
    from .dumps import write_dumps
    from .ontology_docs import ensure_docs

    ensure_docs(settings)
    return write_dumps(open_store(settings), settings.base_iri, force=force)
