"""``policykg link TARGET``: propose links from the published store, merged with the reviewed ones.

The mapping set is written as SSSOM/TSV (and, if asked, SSSOM/RDF in Turtle).
When the file exists, its reviewed rows (those with a ``reviewer_id`` or
``reviewer_label``) are kept as they are and win over the new proposals; every
other row is replaced by this run's. Links that the data already states outside
this set (a registry's Wikidata column, the reference data) are not proposed again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from policykg import __version__
from policykg.config import Settings
from policykg.namespaces import (
    EU_COUNTRY,
    EURIO,
    LICENCE_DATA,
    LINK_TOOL,
    NUTS,
    OWL,
    PKG,
    PROJECT_IRI,
    SEMAPV,
    SKOS,
    SSSOM,
    WD,
)
from policykg.loaders import sssom
from policykg.loaders.sssom import Mapping, MappingSet
from policykg.store import open_store

from . import targets as target_data
from .discovery import Thresholds, discover

#: The prefixes a written mapping set declares (besides kg, the instance base).
CURIE_MAP = {"wd": str(WD), "nuts": str(NUTS), "euc": str(EU_COUNTRY), "pkg": str(PKG), "policykg": PROJECT_IRI,
             "skos": str(SKOS), "owl": str(OWL), "semapv": str(SEMAPV), "eurio": str(EURIO)}


class LinkError(Exception):
    """The store cannot be linked from (not built, or without the target's data)."""


@dataclass
class LinkReport:
    target: str
    subjects: int = 0
    candidates: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    already_linked: int = 0
    kept_reviewed: int = 0
    written: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        c = self.counts
        lines = [f"{self.target}: {self.subjects} of our organisations against {self.candidates} candidates: "
                 f"{c.get('accepted', 0)} accepted, {c.get('review', 0)} to review, {c.get('rejected', 0)} rejected"]
        if self.already_linked:
            lines.append(f"  {self.already_linked} links the data already states were not proposed again")
        if self.kept_reviewed:
            lines.append(f"  kept {self.kept_reviewed} reviewed rows of the existing file")
        lines += [f"  wrote {path}" for path in self.written]
        return "\n".join(lines)


def metadata(settings: Settings, target: target_data.Target, thresholds: Thresholds, date: str) -> dict:
    return {
        "mapping_set_title": f"Links of Umeå's organisations to {target.title}",
        "mapping_set_description": (
            f"Proposed by policykg link {target.name} (exact keys first, then names) and reviewed: accepted at "
            f"confidence {thresholds.accept} or above, or by a reviewer (reviewer_label); between {thresholds.review} "
            f"and {thresholds.accept} a candidate waits in the review queue (review_status 'review')."),
        "license": LICENCE_DATA,
        "mapping_tool": "policykg link",
        "mapping_tool_version": __version__,
        "subject_source": settings.iris.dataset(),
        "object_source": target.object_source,
        "mapping_date": date,
    }


def _merge(existing: MappingSet | None, proposed: list[Mapping]) -> tuple[list[Mapping], int]:
    """The reviewed rows of ``existing`` and the proposals for every other pair."""
    if existing is None:
        return proposed, 0
    reviewed = [m for m in existing.mappings if m.reviewed]
    pairs = {(m.subject_id, m.object_id) for m in reviewed}
    return reviewed + [m for m in proposed if (m.subject_id, m.object_id) not in pairs], len(reviewed)


def link(settings: Settings, target_name: str, out: Path, thresholds: Thresholds, *, rdf: Path | None = None,
         date: str | None = None) -> LinkReport:
    """Discover links to ``target_name``, merge them into ``out`` and write it."""
    date = date or dt.date.today().isoformat()
    available = target_data.targets(settings)
    target = available[target_name]
    store = open_store(settings)
    if store.current_generation() is None:
        raise LinkError("the store has no data: run 'policykg build' first")
    reader = store.reader()
    if not any(g.value == settings.iris.graph(target.name) for g in reader.named_graphs()):
        raise LinkError(f"the store has no {target.name} graph (its reference data was not found at build time; "
                        "see the notes of 'policykg build')")
    subjects = target_data.our_organisations(reader, settings)
    candidates = target_data.candidates(reader, settings, target)
    existing_links = target_data.existing_links(reader, settings, target)
    targets_iris, subject_iris = {c.iri for c in candidates}, {s.iri for s in subjects}
    linked = {s for s, o in existing_links if o in targets_iris and s in subject_iris}
    if target.one_to_one:  # a subject already linked to the target needs no other candidate
        subjects = [s for s in subjects if s.iri not in linked]
    proposed = discover(subjects, candidates, target, thresholds, author=LINK_TOOL, date=date)
    fresh = [m for m in proposed if (m.subject_id, m.object_id) not in existing_links]
    report = LinkReport(target.name, len(subjects), len(candidates),
                        already_linked=len(proposed) - len(fresh) + (len(linked) if target.one_to_one else 0))
    existing = sssom.read_mapping_set(out, base=settings.base_iri) if out.is_file() else None
    mappings, report.kept_reviewed = _merge(existing, fresh)
    order = {"accepted": 0, "review": 1, "rejected": 2}
    mappings.sort(key=lambda m: (order[m.review_status], m.subject_label, -(m.confidence or 0), m.object_label))
    for m in mappings:
        report.counts[m.review_status] = report.counts.get(m.review_status, 0) + 1
    mapping_set = MappingSet(settings.iris.mapping_set(target.name), mappings, CURIE_MAP,
                             metadata(settings, target, thresholds, date))
    out.parent.mkdir(parents=True, exist_ok=True)
    sssom.write_mapping_set(out, mapping_set, settings.base_iri)
    report.written.append(out)
    if rdf is not None:
        store_rdf = ox.Store()
        row_prefix = f"{settings.iris.graph('linkset/' + target.name)}/source/{out.name}#row="
        written = sssom.read_mapping_set(out, base=settings.base_iri)  # the rows' line numbers, as written
        store_rdf.extend(sssom.mapping_set_quads(written, mapping_set.mapping_set_id, row_prefix, only_accepted=False))
        rdf.write_bytes(store_rdf.dump(format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(),
                                       prefixes={**CURIE_MAP, "kg": settings.base_iri, "sssom": str(SSSOM)}))
        report.written.append(rdf)
    return report
