"""Link discovery: our organisations against a reference dataset, exact keys first, then names.

Each of our entities (a :class:`Record` with names and identifiers) is compared
with every candidate of the target:

1. **keys**: an identifier both have (organisation number, municipality code, PIC,
   VAT number; a Swedish VAT number stands for its organisation number) scores 1;
2. **names**: names equal once normalised (:func:`names.normalise`: Swedish and
   English variants, legal forms, accents) score :data:`EXACT_NAME`; otherwise the
   best word-by-word similarity of any two names, times :data:`FUZZY_WEIGHT`.

A candidate at or above ``accept`` is accepted, between ``review`` and ``accept``
it goes to the review queue, below ``review`` it is rejected; every candidate
keeps its score and the reason. Where the target has one entity per thing
(``one_to_one``), two candidates that score alike make both go to review: two
organisations with one name are never told apart by the name alone. A subject
with no candidate above ``review`` is reported with its best one, rejected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from policykg.namespaces import PKG, SEMAPV

from policykg.loaders.sssom import Mapping

from . import names

EXACT_NAME = 0.97
FUZZY_WEIGHT = 0.95
#: Two candidates closer than this are alike (for the one-to-one rule).
AMBIGUITY = 0.02
#: Below this a best candidate is not worth reporting at all.
FLOOR = 0.6


@dataclass(frozen=True)
class Thresholds:
    accept: float = 0.95
    review: float = 0.80

    def __post_init__(self) -> None:
        if not 0.0 <= self.review <= self.accept <= 1.0:
            raise ValueError(f"thresholds must satisfy 0 <= review ({self.review}) <= accept ({self.accept}) <= 1")

    def status(self, score: float) -> str:
        return "accepted" if score >= self.accept else "review" if score >= self.review else "rejected"


@dataclass
class Record:
    """An entity to compare: its IRI, names and identifiers (scheme key -> codes)."""

    iri: str
    names: list[str]
    keys: dict[str, set[str]] = field(default_factory=dict)
    label: str = ""

    def __post_init__(self) -> None:
        self.names = [n for n in dict.fromkeys(self.names) if n and n.strip()]
        self.label = self.label or (self.names[0] if self.names else self.iri)
        for vat in list(self.keys.get("vat", ())):
            # A Swedish VAT number is SE + the organisation number's ten digits + 01.
            if len(vat) == 14 and vat.startswith("SE") and vat.endswith("01") and vat[2:12].isdigit():
                self.keys.setdefault("organisation-number", set()).add(f"{vat[2:8]}-{vat[8:12]}")
        self._normal = {n: names.normalise(n) for n in self.names}


@dataclass(frozen=True)
class Target:
    """A dataset to link with: how its candidates are linked, and which subjects it is for."""

    name: str
    title: str
    predicate: str
    object_source: str
    one_to_one: bool = True
    keys: tuple[str, ...] = ("organisation-number", "municipality-code", "pic", "vat")


@dataclass
class Candidate:
    """One scored pair."""

    subject: Record
    object: Record
    score: float
    reason: str
    justification: str
    measure: str
    match_field: str = ""
    match_string: str = ""


KEY_LABELS = {"organisation-number": "organisation number", "municipality-code": "municipality code", "pic": "PIC",
              "vat": "VAT number"}
KEY_FIELDS = {"organisation-number": str(PKG.SwedishOrganisationNumbers), "municipality-code": str(PKG.ScbMunicipalityCodes),
              "pic": str(PKG.ParticipantIdentificationCodes), "vat": str(PKG.VatNumbers)}


def compare(subject: Record, other: Record, keys: tuple[str, ...]) -> Candidate | None:
    """The best evidence that ``subject`` and ``other`` are the same (None: nothing in common)."""
    for scheme in keys:
        shared = subject.keys.get(scheme, set()) & other.keys.get(scheme, set())
        if shared:
            code = sorted(shared)[0]
            return Candidate(subject, other, 1.0, f"{KEY_LABELS[scheme]} {code} in both", str(SEMAPV.LexicalMatching),
                             str(SEMAPV.StringEquality), KEY_FIELDS[scheme], code)
    best: Candidate | None = None
    for ours, our_form in subject._normal.items():
        for theirs, their_form in other._normal.items():
            if our_form and our_form == their_form:
                return Candidate(subject, other, EXACT_NAME, f"names equal once normalised: '{ours}' = '{theirs}'",
                                 str(SEMAPV.LexicalMatching), str(SEMAPV.StringEquality), match_string=our_form)
            score = round(names.similarity(our_form, their_form) * FUZZY_WEIGHT, 3)
            if best is None or score > best.score:
                best = Candidate(subject, other, score, f"name similarity {score:.2f}: '{ours}' ~ '{theirs}'",
                                 str(SEMAPV.LexicalSimilarityThresholdMatching), str(SEMAPV.EditDistance))
    return best


def discover(subjects: list[Record], candidates: list[Record], target: Target, thresholds: Thresholds,
             *, author: str, date: str | None = None) -> list[Mapping]:
    """The mappings proposed for ``subjects``: per subject, every candidate at or above the review
    threshold (accepted or queued), or else its best candidate, rejected, with the reason."""
    date = date or dt.date.today().isoformat()
    proposed: list[Mapping] = []
    for subject in subjects:
        scored = [c for c in (compare(subject, other, target.keys) for other in candidates) if c is not None]
        scored.sort(key=lambda c: (-c.score, c.object.label))
        kept = [c for c in scored if c.score >= thresholds.review]
        statuses = [thresholds.status(c.score) for c in kept]
        if target.one_to_one and len(kept) > 1:
            top = kept[0]
            rivals = [c for c in kept[1:] if top.score - c.score <= AMBIGUITY and c.score < 1.0]
            if rivals and top.score < 1.0:
                for i, c in enumerate(kept):
                    if top.score - c.score <= AMBIGUITY:
                        statuses[i] = "review"
                        others = [r.object.label for r in kept if r is not c and top.score - r.score <= AMBIGUITY]
                        c.reason += f"; ambiguous: {', '.join(repr(o) for o in others)} scores as high"
            elif top.score >= thresholds.accept:
                # one thing, one link: the best is accepted, the rest are not
                statuses = [statuses[0]] + ["rejected"] * (len(statuses) - 1)
                for c in kept[1:]:
                    c.reason += f"; '{top.object.label}' scores higher ({top.score:.2f})"
        if not kept and scored and scored[0].score >= FLOOR:
            kept, statuses = [scored[0]], ["rejected"]
        for c, status in zip(kept, statuses):
            proposed.append(Mapping(
                subject_id=subject.iri, predicate_id=target.predicate, object_id=c.object.iri,
                mapping_justification=c.justification, subject_label=subject.label, object_label=c.object.label,
                confidence=c.score, author_id=author, mapping_date=date, comment=c.reason,
                subject_match_field=c.match_field, object_match_field=c.match_field, match_string=c.match_string,
                similarity_score=c.score if c.measure == str(SEMAPV.EditDistance) else None,
                similarity_measure=c.measure if c.measure == str(SEMAPV.EditDistance) else "",
                review_status=status,
            ))
    return proposed


@dataclass(frozen=True)
class Score:
    """Precision and recall of proposed mappings against a gold mapping."""

    true_positives: int
    proposed: int
    expected: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.proposed if self.proposed else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.expected if self.expected else 1.0


def evaluate(proposed: list[Mapping], gold: set[tuple[str, str]], statuses: tuple[str, ...] = ("accepted",)) -> Score:
    """How many of the (subject, object) pairs proposed with one of ``statuses`` are in ``gold``."""
    pairs = {(m.subject_id, m.object_id) for m in proposed if m.review_status in statuses}
    return Score(len(pairs & gold), len(pairs), len(gold))
