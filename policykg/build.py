"""``policykg build``: every configured source, loaded and published together,
then the published generation's dumps and metadata (:func:`after_publish`)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from policykg.config import Settings
from policykg.store import open_store

from .loaders import manifest, mappings, reference, sdg
from .loaders.publish import Progress, PublishReport, publish
from .loaders.references import Catalogue
from .loaders.sources import Source, foundation_sources


def build_sources(settings: Settings, notes: list[str] | None = None) -> list[Source]:
    """Everything ``policykg build`` loads; ``notes`` receives what was left out and why."""
    notes = [] if notes is None else notes
    catalogue = Catalogue(settings)
    sources = foundation_sources()
    un = sdg.sdg_source(settings, catalogue, notes)
    if un is not None:
        sources.append(un)
    indicators, kpis = manifest.column_values(settings, "indicators", "kpi")
    sources += reference.reference_sources(settings, notes, kpis=tuple(kpis), kpi_file=indicators)
    sources += manifest.registry_sources(settings, catalogue)
    sources += mappings.mapping_sources(settings)
    return sources


def build_store(
    settings: Settings, *, force: bool = False, clean: bool = False, progress: Progress | None = None,
    dumps: bool = True, answers: bool = True, checks: bool = True,
) -> PublishReport:
    """Load what changed since the last build and publish it in one step."""
    from policykg.publication.ontology_docs import ensure_docs

    notes: list[str] = []
    sources = build_sources(settings, notes)
    with ThreadPoolExecutor(max_workers=1) as beside:
        # The ontology's pages come from its file, not the store: made while the store loads
        # and compacts (RocksDB's compaction leaves the GIL and a core to them).
        docs = beside.submit(ensure_docs, settings)
        report = publish(open_store(settings, batch=True), sources, settings, force=force, from_empty=clean, progress=progress)
        docs.result()
    report.notes[:0] = notes
    done = after_publish(settings, dumps=dumps, answers=answers, checks=checks)
    if done.findings is not None:
        report.notes.append(done.findings.summary())
    return report


@dataclass
class AfterPublish:
    """What :func:`after_publish` wrote: the dumps' report and the findings (None when not done)."""

    dumps: object | None = None
    findings: object | None = None

    def summary(self) -> str:
        parts = [part.summary() for part in (self.findings, self.dumps) if part is not None]
        return "\n".join(parts)


def after_publish(settings: Settings, *, force: bool = False, dumps: bool = True, answers: bool = True, checks: bool = True):
    """What follows every successful publish (build, load): the ontology's
    documentation; the findings of the program's rules, stored as a SHACL
    validation report in a graph of their own (unless not ``checks``; this may
    publish one more generation, see :mod:`policykg.compliance.findings`); the
    stored answers of the heavy questions (unless not ``answers``: ``policykg
    answers`` writes them later; until then they are computed per request); and
    the published generation's dumps, checksums and VoID statistics (unless not
    ``dumps``: ``policykg dumps`` writes them later; until then the previous
    ones are served)."""
    from policykg.publication.dumps import write_dumps
    from policykg.publication.ontology_docs import ensure_docs

    ensure_docs(settings)
    findings = _checked(settings) if checks else None
    if answers:
        write_stored_answers(settings)
    return AfterPublish(write_dumps(open_store(settings, batch=True), settings.base_iri, force=force) if dumps else None, findings)


def _checked(settings: Settings):
    """The findings of the rules; on a remote server whose engine cannot run them, what it
    said instead (the data is published either way; ``policykg check`` runs them again)."""
    from policykg.compliance.findings import write_findings
    from policykg.remote.protocol import RemoteStoreError

    try:
        return write_findings(settings)
    except RemoteStoreError as error:
        return _NotChecked(str(error))


@dataclass
class _NotChecked:
    reason: str

    def summary(self) -> str:
        return f"the program's rules were not checked: {self.reason[:400]}"


def write_stored_answers(settings: Settings, *, force: bool = False, progress=None):
    """The stored answers of the published generation (:mod:`policykg.publication.answers`)."""
    from policykg.paths import queries_dir
    from policykg.publication.answers import write_answers
    from policykg.runtime.querylib import load_queries

    return write_answers(
        open_store(settings, batch=True), load_queries(queries_dir()), settings.iris, force=force, progress=progress, hub_links=settings.hub_links
    )
