"""What a run of the stored answers did (:func:`policykg.publication.answers.write_answers`):
what it stored, copied, answered again or left unstored, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class AnswersReport:
    """What one run stored, and where each answer and page came from."""

    generation: str
    path: Path
    written: bool
    answers: int = 0
    rows: int = 0
    pages: int = 0
    seconds: float = 0.0
    timings: list[tuple[str, int, float]] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    #: How long describing the hubs took (None: every page was copied).
    pages_seconds: float | None = None
    #: Hub pages copied from an earlier file (of this generation or of an earlier one).
    pages_copied: int = 0
    #: Pages of the earlier generation's hubs described again: (hub; why).
    pages_described: list[tuple[str, str]] = field(default_factory=list)
    #: The earlier generation whose answers were considered for copying, if any.
    earlier: str | None = None
    #: Answers copied from the earlier generation's file: (query; why).
    copied: list[tuple[str, str]] = field(default_factory=list)
    #: Answers computed again although an earlier generation's were there: (query; why).
    recomputed: list[tuple[str, str]] = field(default_factory=list)
    #: Questions the store refused to answer, could not send whole or stopped at a time limit (a
    #: remote server's SPARQL engine, its limit on the rows of an answer, its own time limit or
    #: ours): (query; what it said).
    unstored: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        if not self.written:
            return f"stored answers of generation {self.generation} are already in {self.path}"
        slowest = ", ".join(f"{name} {seconds:.1f} s" for name, _, seconds in sorted(self.timings, key=lambda t: -t[2])[:3])
        reused = f"; kept {', '.join(self.reused)} as they were" if self.reused else ""
        if self.pages_seconds is not None:
            slowest += f"{', ' if slowest else ''}the hub pages {self.pages_seconds:.1f} s"
        copied = [name for name, _ in self.copied]
        if self.pages_copied and "the hub pages" not in self.reused:
            copied.append(f"{self.pages_copied} of {self.pages} hub pages")
        copied = f"; copied from {self.earlier}: {', '.join(copied)} (nothing they read changed)" if copied else ""
        unstored = (
            f"; not stored, the store refused them, could not send them whole or stopped them at a time limit "
            f"(answered per request): "
            f"{', '.join(name for name, _ in self.unstored)}"
            if self.unstored else ""
        )
        return (
            f"stored {self.answers} answers ({self.rows} rows) and {self.pages} hub pages of generation "
            f"{self.generation} in {self.seconds:.1f} s ({slowest or 'nothing computed'}{reused}{copied}){unstored} in {self.path}"
        )

    def explanation(self) -> str:
        """Each answer copied or answered again, and why."""
        lines = [f"copied {name}: {why}" for name, why in self.copied]
        lines += [f"answered {name} again: {why}" for name, why in self.recomputed]
        if self.pages_copied and "the hub pages" not in self.reused:
            lines.append(f"copied {self.pages_copied} of {self.pages} hub pages: nothing describing them read changed")
        lines += [f"described the page of <{iri}> again: {why}" for iri, why in self.pages_described]
        lines += [f"not stored {name}: {why}" for name, why in self.unstored]
        return "\n".join(lines)
