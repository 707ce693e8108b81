"""The annual report as a job of a query process, so that on the web it runs as queries do:
under the time limit and the memory bound, in a process that can be stopped, and its bytes
kept in the result cache for the generation (a report of a large store takes minutes; the
command line, ``policykg report``, has no limit)."""

from __future__ import annotations

from dataclasses import dataclass
from multiprocessing.connection import Connection

from policykg import formats
from policykg.config import Settings
from policykg.runtime.executor import Answer, Failure
from policykg.store import EmbeddedStore


@dataclass(frozen=True)
class ReportJob:
    """The report of ``year`` (for ``body``, an IRI, or the whole municipality) in the format
    with key ``fmt`` (one of :data:`policykg.formats.REPORT_OFFERS`), in ``language``; links
    are made under ``base`` (the server's root URL)."""

    settings: Settings
    year: int
    body: str | None
    fmt: str
    language: str
    base: str
    other_language_url: str | None = None

    def run(self, store: EmbeddedStore, connection: Connection | None = None) -> Answer | Failure:
        from policykg.report.data import gather
        from policykg.report.render import RENDERERS

        generation, reader = store.snapshot()
        report = gather(reader, self.settings, self.year, self.body)
        name = formats.of_key(self.fmt).names[0]
        options = {"other_language_url": self.other_language_url} if name == "html" else {}
        content = RENDERERS[name](report, self.language, self.base, **options)
        body = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        return Answer(self.fmt, body, generation)
