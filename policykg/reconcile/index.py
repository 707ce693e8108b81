"""The entities one can reconcile against, read from one generation of the store.

An :class:`EntityIndex` holds, for every entity of a reconciliation type minted under the
base IRI: its names (skos:prefLabel, rdfs:label and skos:altLabel, in Swedish, English or
no language, with variants without a parenthesis; for a numbered goal, focus area or
principle also "Mål 2" / "Goal 2"), its identifiers, the values of every extension
property, a short text and the note of the source it comes from (the sample registries say
they are illustrative). It is built with a handful of queries and kept per generation by
:class:`IndexCache`, so that matching and extension need no query per request.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

import pyoxigraph as ox

from policykg.namespaces import DCT, PKG, RDFS, SKOS

from .matching import code_key, name_key
from .vocabulary import NUMBERED, PROPERTIES, SDG_NAMESPACE, TYPES, TYPES_BY_KEY

_PARENTHESIS = re.compile(r"\s*\(([^()]*)\)\s*")
#: At most this many characters of an entity's text are kept (for the preview).
TEXT_LENGTH = 400


@dataclass(frozen=True)
class Name:
    text: str
    lang: str
    key: str


@dataclass
class Entity:
    id: str
    iri: str
    types: list[str] = field(default_factory=list)
    names: list[Name] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    notation: str | None = None
    text: dict[str, str] = field(default_factory=dict)
    note: dict[str, str] = field(default_factory=dict)
    values: dict[str, list[str]] = field(default_factory=dict)

    def label(self, lang: str) -> str:
        """The name in ``lang``, else in the other language, else any, else the id."""
        other = "en" if lang == "sv" else "sv"
        return self.labels.get(lang) or self.labels.get(other) or self.labels.get("") or self.id


def _classes(types) -> str:
    return ", ".join(f"<{c}>" for t in types for c in t.classes)


_ENTITIES = f"""SELECT ?item ?class ?p ?label WHERE {{
  ?item a ?class FILTER(?class IN ({_classes(TYPES)}))
  OPTIONAL {{ ?item ?p ?label FILTER(?p IN (<{SKOS.prefLabel}>, <{RDFS.label}>, <{SKOS.altLabel}>) && isLiteral(?label)) }}
}}"""
_NOTATIONS = f"""SELECT ?item ?notation WHERE {{
  ?item a ?class FILTER(?class IN ({_classes(TYPES_BY_KEY[k] for k in NUMBERED)})) . ?item <{SKOS.notation}> ?notation
}}"""
_TEXTS = f"""SELECT ?item ?text WHERE {{
  ?item a ?class FILTER(?class IN ({_classes(TYPES)}))
  ?item <{PKG.verbatimText}>|<{PKG.translatedText}>|<{DCT.description}> ?text FILTER(isLiteral(?text))
}}"""
_NOTES = f"""SELECT DISTINCT ?item ?note WHERE {{
  GRAPH ?graph {{ ?item a ?class FILTER(?class IN ({_classes(TYPES)})) }}
  ?graph <{DCT.description}> ?note
}}"""


class EntityIndex:
    """The entities of one generation, by id (their path under the base IRI)."""

    def __init__(self, base: str, generation: str | None = None) -> None:
        self.base = base
        self.generation = generation
        self.entities: dict[str, Entity] = {}
        #: A normalised identifier (organisation number, code, QID ...) -> the ids of its entities.
        self.by_identifier: dict[str, set[str]] = {}
        #: The normalised names, and for each the entity id and the name.
        self.keys: list[str] = []
        self.owners: list[tuple[str, Name]] = []

    def resolve(self, text: str) -> str | None:
        """The id of the entity ``text`` names by its id or IRI, or None."""
        text = text.strip()
        if text.startswith(self.base):
            text = text[len(self.base) :]
        return text if text in self.entities else None

    def of_type(self, keys: str | tuple[str, ...] | None) -> list[Entity]:
        """The entities of any of the types (their keys), or all of them for None."""
        wanted = (keys,) if isinstance(keys, str) else keys
        return [e for e in self.entities.values() if wanted is None or any(k in e.types for k in wanted)]

    def label(self, entity_id: str, lang: str) -> str:
        entity = self.entities.get(entity_id)
        return entity.label(lang) if entity else entity_id

    def _add_name(self, entity: Entity, text: str, lang: str) -> None:
        key = name_key(text)
        if key and all(n.key != key or n.lang != lang for n in entity.names):
            entity.names.append(Name(text, lang, key))

    def finish(self) -> None:
        """Name variants, identifiers and the flat list of names that matching searches."""
        for entity in self.entities.values():
            for name in list(entity.names):
                inner = _PARENTHESIS.findall(name.text)
                if inner:
                    self._add_name(entity, _PARENTHESIS.sub(" ", name.text).strip(), name.lang)
                    for part in inner:
                        if len(name_key(part)) >= 3:
                            self._add_name(entity, part, name.lang)
            if entity.notation:
                for key in NUMBERED:
                    if key in entity.types:
                        for lang, word in TYPES_BY_KEY[key].name.items():
                            self._add_name(entity, f"{word} {entity.notation}", lang)
            for value in entity.values.get("identifiers", []) + entity.values.get("sameAs", []):
                self.by_identifier.setdefault(code_key(value.rsplit("/", 1)[-1]), set()).add(entity.id)
            for name in entity.names:
                self.keys.append(name.key)
                self.owners.append((entity.id, name))


def _rows(reader: ox.Store, query: str):
    return reader.query(query, use_default_graph_as_union=True)


def _string_value(term) -> str:
    value = term.value
    if isinstance(term, ox.NamedNode):
        if value.startswith(SDG_NAMESPACE):
            return value[len(SDG_NAMESPACE) :]
        if "/resource/authority/" in value:  # an EU authority table's IRI ends in its code
            return value.rsplit("/", 1)[-1]
    return value


def build_index(reader: ox.Store, base: str, generation: str | None = None) -> EntityIndex:
    """Read the index from a store (its default graph the union of its graphs)."""
    index = EntityIndex(base, generation)
    type_of = {c: t.key for t in TYPES for c in t.classes}
    for row in _rows(reader, _ENTITIES):
        iri = row["item"]
        if not isinstance(iri, ox.NamedNode) or not iri.value.startswith(base):
            continue
        path = iri.value[len(base) :]
        entity = index.entities.setdefault(path, Entity(path, iri.value))
        kind = type_of[row["class"].value]
        if kind not in entity.types:
            entity.types.append(kind)
        label = row["label"]
        if label is not None:
            lang = label.language or ""
            if row["p"].value != str(SKOS.altLabel):
                entity.labels.setdefault(lang, label.value)
            index._add_name(entity, label.value, lang)
    for row in _rows(reader, _NOTATIONS):
        entity = index.entities.get(row["item"].value[len(base) :]) if row["item"].value.startswith(base) else None
        if entity is not None:
            entity.notation = row["notation"].value
    for query, target in ((_TEXTS, "text"), (_NOTES, "note")):
        for row in _rows(reader, query):
            entity = index.entities.get(row["item"].value[len(base) :]) if row["item"].value.startswith(base) else None
            literal = row["text" if target == "text" else "note"]
            if entity is not None:
                getattr(entity, target).setdefault(literal.language or "", literal.value[:TEXT_LENGTH])
    for prop in PROPERTIES:
        if prop.sparql is None:
            continue
        for row in _rows(reader, prop.sparql):
            item, value = row["item"], row["value"]
            if not isinstance(item, ox.NamedNode) or not item.value.startswith(base):
                continue
            entity = index.entities.get(item.value[len(base) :])
            if entity is None:
                continue
            if prop.kind == "entity":
                if not (isinstance(value, ox.NamedNode) and value.value.startswith(base)):
                    continue
                text = value.value[len(base) :]
            else:
                text = _string_value(value)
            found = entity.values.setdefault(prop.id, [])
            if text not in found:
                found.append(text)
    for entity in index.entities.values():
        for prop, lang in (("nameSv", "sv"), ("nameEn", "en")):
            if lang in entity.labels:
                entity.values[prop] = [entity.labels[lang]]
        for values in entity.values.values():
            values.sort()
    index.finish()
    return index


class IndexCache:
    """The index of the store's current generation, built once per generation (per process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: EntityIndex | None = None

    def get(self, store, base: str) -> EntityIndex:
        """The index of ``store`` (an :class:`~policykg.store.EmbeddedStore`) as it is now."""
        generation, reader = store.snapshot()
        with self._lock:
            if self._index is None or self._index.generation != generation or self._index.base != base:
                self._index = build_index(reader, base, generation)
            return self._index
