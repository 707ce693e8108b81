"""Matching names and property values against the index, in Swedish and English.

Names are compared normalised (case folded, accents and diacritics removed, punctuation
as spaces: "Umeå universitet" and "umea  Universitet" are one key) and fuzzily with
rapidfuzz: the better of the edit-distance ratio (misspellings: "Umeå univeristet") and
the token-sort ratio (word order: "University Umeå"), 0 to 100. Every name of an entity
counts (Swedish, English, alternative), so "Umea University" finds Umeå universitet.
An entity's id or IRI, or one of its identifiers (organisation number with or without
the hyphen, municipality code, Wikidata QID), finds it with the score 100.

A candidate is a match (``match: true``, taken without review by OpenRefine) when its
score is at least :data:`MATCH_SCORE` and no other candidate comes within
:data:`MATCH_MARGIN` of it: two organisations with one name are both offered, neither taken.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from .vocabulary import PROPERTIES_BY_ID

#: The lowest score a candidate is offered with.
MIN_SCORE = 50.0
#: A candidate at least this good, and ahead of the next by the margin, is a match.
MATCH_SCORE = 88.0
MATCH_MARGIN = 6.0
#: A property value at least this close satisfies a required condition.
REQUIRED_SCORE = 80.0
#: How much the property conditions weigh beside the name, when both are given.
PROPERTY_WEIGHT = 0.3
_NOT_WORD = re.compile(r"[^\w]+")
_NOT_CODE = re.compile(r"[^0-9a-z]+")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_key(text: str) -> str:
    """A name as it is compared: folded, without accents, punctuation as single spaces."""
    return " ".join(_NOT_WORD.sub(" ", _fold(text)).replace("_", " ").split())


def code_key(text: str) -> str:
    """An identifier as it is compared: letters and digits only (212000-2627 is 2120002627)."""
    return _NOT_CODE.sub("", _fold(text))


def name_score(a: str, b: str) -> float:
    """How alike two normalised names are, 0 to 100: the better of the edit-distance and
    token-sort ratios, or for words found within a longer name ("Kulturbryggan" in
    "Kulturbryggan Umeå–Würzburg") the token-set ratio, scaled down by how much of it they cover."""
    if a == b:
        return 100.0
    whole = max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))
    if not a or not b:
        return whole
    cover = min(len(a), len(b)) / max(len(a), len(b))
    return max(whole, fuzz.token_set_ratio(a, b) * (0.6 + 0.3 * cover))


@dataclass
class Condition:
    """One condition of a query: its kind (name, id or property), values, and for a property its id."""

    kind: str
    values: list
    property: str | None = None
    required: bool = False
    quantifier: str = "any"


@dataclass
class Query:
    conditions: list[Condition]
    #: The keys of the types to search (None: every type).
    type_key: tuple[str, ...] | None = None
    limit: int = 5


@dataclass
class Candidate:
    entity: object
    score: float
    name: object | None = None
    match: bool = False
    #: (feature id, English name, value)
    features: list[tuple[str, str, float | bool]] = field(default_factory=list)


def _name_candidates(index, text: str, allowed: set[str]) -> dict[str, tuple[float, object, str]]:
    """entity id -> (score, matched name, how) for a name or identifier given as text."""
    found: dict[str, tuple[float, object, str]] = {}
    exact = index.resolve(text)
    if exact is not None and exact in allowed:
        found[exact] = (100.0, None, "id")
    for entity_id in index.by_identifier.get(code_key(text), ()):
        if entity_id in allowed and entity_id not in found and code_key(text):
            found[entity_id] = (100.0, None, "identifier")
    key = name_key(text)
    if not key:
        return found
    positions: set[int] = set()
    for scorer in (fuzz.ratio, fuzz.token_set_ratio):  # the names that could score MIN_SCORE or more
        positions.update(p for _, _, p in process.extract(key, index.keys, scorer=scorer, score_cutoff=MIN_SCORE, limit=None))
    for position in positions:
        entity_id, name = index.owners[position]
        if entity_id not in allowed:
            continue
        score = name_score(key, name.key)
        if score < MIN_SCORE:
            continue
        if entity_id not in found or score > found[entity_id][0]:
            found[entity_id] = (score, name, "name")
    return found


def _compare(index, prop, given, value: str) -> float:
    """How well one given value fits one value of the candidate, 0 to 100."""
    if isinstance(given, dict):  # a reconciled value: its id, exactly
        given = str(given.get("id") or "")
        if prop.compare == "entity":
            return 100.0 if index.resolve(given) == value else 0.0
    given = str(given)
    if prop.compare == "entity":
        named = index.resolve(given)
        if named is not None:  # an id or IRI: that entity or none
            return 100.0 if named == value else 0.0
        entity = index.entities.get(value)
        names = [n.key for n in entity.names] if entity else [name_key(value)]
        key = name_key(given)
        return max((name_score(key, n) for n in names), default=0.0) if key else 0.0
    if prop.compare == "code":
        key = code_key(given)
        return 100.0 if key and key in (code_key(value), code_key(value.rsplit("/", 1)[-1])) else 0.0
    return name_score(name_key(given), name_key(value))


def property_score(index, entity, condition: Condition) -> float:
    """How well the candidate's values of the condition's property fit the given ones, 0 to 100."""
    prop = PROPERTIES_BY_ID[condition.property]
    values = entity.values.get(prop.id, [])
    per_given = [max((_compare(index, prop, given, v) for v in values), default=0.0) for given in condition.values]
    if not per_given:
        return 0.0
    if condition.quantifier == "all":
        return min(per_given)
    if condition.quantifier == "none":
        return 100.0 - max(per_given)
    return max(per_given)


def match(index, query: Query) -> list[Candidate]:
    """The candidates for one query, best first, at most ``query.limit``."""
    allowed = {e.id for e in index.of_type(query.type_key)}
    names = [c for c in query.conditions if c.kind in ("name", "id")]
    properties = [c for c in query.conditions if c.kind == "property"]
    scored: dict[str, tuple[float, object, str]] = {}
    for condition in names:
        for value in condition.values:
            text = str(value.get("id", "") if isinstance(value, dict) else value)
            if condition.kind == "id":
                found = {index.resolve(text): (100.0, None, "id")} if index.resolve(text) in allowed else {}
            else:
                found = _name_candidates(index, text, allowed)
            for entity_id, hit in found.items():
                if entity_id not in scored or hit[0] > scored[entity_id][0]:
                    scored[entity_id] = hit
    if not names:
        scored = {entity_id: (0.0, None, "none") for entity_id in allowed}
    candidates = []
    for entity_id, (score, name, how) in scored.items():
        entity = index.entities[entity_id]
        features: list[tuple[str, str, float | bool]] = []
        if names:
            features.append(("name", "Name similarity", round(score, 1)))
            if how in ("id", "identifier"):
                features.append((how, "Same id" if how == "id" else "Same identifier", True))
        prop_scores = []
        rejected = False
        for condition in properties:
            value = property_score(index, entity, condition)
            prop_scores.append(value)
            features.append((f"property:{condition.property}", f"Property {condition.property}", round(value, 1)))
            rejected = rejected or (condition.required and value < REQUIRED_SCORE)
        if rejected:
            continue
        if prop_scores:
            mean = sum(prop_scores) / len(prop_scores)
            score = score * (1 - PROPERTY_WEIGHT) + mean * PROPERTY_WEIGHT if names else mean
        if score >= (MIN_SCORE if names else 1.0):
            candidates.append(Candidate(entity, round(score, 1), name, features=features))
    candidates.sort(key=lambda c: (-c.score, c.entity.id))
    if candidates:
        top = candidates[0]
        runner_up = candidates[1].score if len(candidates) > 1 else 0.0
        top.match = top.score >= MATCH_SCORE and top.score - runner_up >= MATCH_MARGIN
    return candidates[: query.limit]


def suggest(index, prefix: str, type_key: str | None, offset: int, limit: int) -> list[tuple[object, object]]:
    """Entities for auto-completion: (entity, the name that matched), by how the prefix fits."""
    key = name_key(prefix)
    exact = index.resolve(prefix) if prefix.strip() else None
    ranked: dict[str, tuple[tuple, object]] = {}
    for entity in index.of_type(type_key):
        for name in entity.names:
            if not key:
                rank = 3
            elif name.key.startswith(key):
                rank = 1
            elif any(word.startswith(key) for word in name.key.split()):
                rank = 2
            elif len(key) >= 4 and fuzz.partial_ratio(key, name.key) >= 85:
                rank = 3
            else:
                continue
            order = (0 if entity.id == exact else rank, len(name.key), name.key)
            if entity.id not in ranked or order < ranked[entity.id][0]:
                ranked[entity.id] = (order, name)
    if exact is not None and exact not in ranked and (type_key is None or type_key in index.entities[exact].types):
        entity = index.entities[exact]
        ranked[exact] = ((0, 0, ""), entity.names[0] if entity.names else None)
    chosen = sorted(ranked.items(), key=lambda item: (item[1][0], item[0]))
    return [(index.entities[entity_id], name) for entity_id, (_, name) in chosen[offset : offset + limit]]
