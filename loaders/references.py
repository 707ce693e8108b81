"""What a registry may refer to, and the closest match when a reference is unknown.

A :class:`Vocabulary` is one kind of referenced thing (goals, bodies, SDG
targets, projects ...): its keys, the other spellings it accepts, and the IRI of
each. The :class:`Catalogue` assembles them for one load from

* the program (``ontology/program.ttl``): goals, focus areas, principles, bodies;
* the registries read in the same load (read first, in dependency order);
* the published store, for registries not read in this load;
* our own facts: the 169 SDG target codes (``facts/sdg-targets.txt``, used when
  the UN framework is neither being loaded nor in the store) and the EU country table's codes.
"""

from __future__ import annotations

import csv
import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from policykg.config import Settings
from policykg.namespaces import EU_COUNTRY, ORG, PKG, RDF, RDFS, SDG, SKOS, nn, slug
from policykg.paths import ontology_dir
from policykg.store import open_store

from .errors import Problem
from .schema import CellError

FACTS = Path(__file__).resolve().parent / "facts"
#: Closest matches are looked for among this many distinct unknown values per vocabulary.
SUGGESTIONS = 200


@dataclass
class Vocabulary:
    """One kind of thing a cell may name."""

    kind: str  # the IRI path segment, e.g. "goal"
    noun: str  # for messages: "goal", "body", "SDG target"
    where: str  # for messages: where the known values come from
    iris: dict[str, str] = field(default_factory=dict)  # key -> IRI
    aliases: dict[str, str] = field(default_factory=dict)  # normalised spelling -> key
    labels: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # IRI -> (sv, en)
    prefixes: tuple[str, ...] = ()  # IRI prefixes stripped before matching
    segment: str = ""  # the IRI path segment, when not the kind ("organisation" for partners)
    _suggested: int = 0

    def add(self, key: str, iri: str, *, labels: tuple[str | None, str | None] = (None, None), aliases: Iterable[str] = ()) -> None:
        self.iris[key] = iri
        self.labels[iri] = labels
        for spelling in (key, *aliases, *(label for label in labels if label)):
            self.aliases.setdefault(self.normalise(spelling), key)

    def normalise(self, text: str) -> str:
        text = text.strip()
        for prefix in self.prefixes:
            if text.startswith(prefix):
                text = text[len(prefix):]
                break
        lowered = text.lower()
        for segment in (self.kind, self.segment):
            if segment and lowered.startswith(segment + "/"):
                text = text[len(segment) + 1:]
                break
        return slug(text)

    def key_of(self, text: str) -> str | None:
        return self.aliases.get(self.normalise(text))

    def resolve(self, text: str) -> str:
        """The IRI that ``text`` names, or :class:`CellError` with the closest match."""
        key = self.aliases.get(self.normalise(text))
        if key is not None:
            return self.iris[key]
        raise self.unknown(text)

    def unknown(self, text: str) -> CellError:
        if self.kind == "sdg-target":
            return self._unknown_target(text)
        hint = ""
        if self._suggested < SUGGESTIONS:  # difflib is slow: suggest for the first distinct values only
            self._suggested += 1
            close = difflib.get_close_matches(self.normalise(text), list(self.aliases), n=1, cutoff=0.6)
            hint = f"; did you mean '{self.aliases[close[0]]}'?" if close else ""
        keys = list(self.iris)
        if 0 < len(keys) <= 12:
            expected = "one of " + ", ".join(keys)
        else:
            expected = f"{_article(self.noun)} {self.noun} of {self.where}"
        return CellError(f"unknown {self.noun}{hint}", expected)

    def _unknown_target(self, text: str) -> CellError:
        """An unknown target: name the targets of its goal, if the goal is right."""
        goal = text.strip().split(".")[0].split("/")[-1]
        same_goal = [key for key in self.iris if key.split(".")[0] == goal]
        if same_goal:
            return CellError("unknown SDG target", f"one of goal {goal}'s targets: {', '.join(same_goal)}")
        return CellError("unknown SDG target", "a target of the UN's 169, by its code such as 11.3")

    def resolver(self):
        """A resolver for a column that refers to this vocabulary, remembering answers and errors."""
        known: dict[str, str | CellError] = {}

        def resolve(text: str) -> str:
            answer = known.get(text)
            if answer is None:
                try:
                    answer = self.resolve(text)
                except CellError as error:
                    answer = error
                if len(known) < 1 << 17:
                    known[text] = answer
            if isinstance(answer, CellError):
                raise CellError(answer.message, answer.expected)
            return answer

        return resolve


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" or noun.startswith("SDG") else "a"


# --- sources of vocabularies -----------------------------------------------------------


@lru_cache(maxsize=4)
def program_items(base_iri: str) -> dict[str, list[tuple[str, dict]]]:
    """Goals, focus areas, principles and bodies of the program, with their labels and types."""
    quads = list(ox.parse(path=str(ontology_dir() / "program.ttl"), format=ox.RdfFormat.TURTLE, base_iri=base_iri))
    facts: dict[str, dict] = {}
    for quad in quads:
        if not isinstance(quad.subject, ox.NamedNode) or not quad.subject.value.startswith(base_iri):
            continue
        entry = facts.setdefault(quad.subject.value, {"types": set(), "sv": None, "en": None, "notation": None})
        predicate = quad.predicate.value
        if predicate == str(RDF.type):
            entry["types"].add(quad.object.value)
        elif predicate == str(SKOS.prefLabel) and isinstance(quad.object, ox.Literal):
            entry[quad.object.language or "und"] = quad.object.value
        elif predicate == str(SKOS.notation):
            entry["notation"] = quad.object.value
    classes = {"goal": str(PKG.Goal), "focus-area": str(PKG.FocusArea), "principle": str(PKG.Principle)}
    items: dict[str, list[tuple[str, dict]]] = {kind: [] for kind in (*classes, "body")}
    for iri, entry in facts.items():
        for kind, cls in classes.items():
            if cls in entry["types"]:
                items[kind].append((iri, entry))
        if iri[len(base_iri):].startswith("body/") and entry["sv"]:
            items["body"].append((iri, entry))
    return items


def target_order(code: str) -> tuple:
    """Sort key of target codes: 1.2 before 1.10, numbered targets before lettered ones."""
    goal, _, target = code.partition(".")
    return (int(goal) if goal.isdigit() else 0, (0, int(target), "") if target.isdigit() else (1, 0, target))


@lru_cache(maxsize=1)
def fact_sdg_targets() -> tuple[str, ...]:
    return tuple((FACTS / "sdg-targets.txt").read_text(encoding="utf-8").split())


@lru_cache(maxsize=1)
def fact_countries() -> tuple[tuple[str, str, str, str], ...]:
    with open(FACTS / "countries.csv", encoding="utf-8", newline="") as handle:
        return tuple((r["code"], r["alpha2"], r["label_en"], r["label_sv"]) for r in csv.DictReader(handle))


@lru_cache(maxsize=1)
def ontology_labels() -> dict[str, tuple[str | None, str | None]]:
    """rdfs:label in Swedish and English of every term of our ontology."""
    labels: dict[str, list] = {}
    for quad in ox.parse(path=str(ontology_dir() / "policykg.ttl"), format=ox.RdfFormat.TURTLE):
        if quad.predicate.value == str(RDFS.label) and isinstance(quad.object, ox.Literal):
            entry = labels.setdefault(quad.subject.value, [None, None])
            if quad.object.language == "sv":
                entry[0] = quad.object.value
            elif quad.object.language == "en":
                entry[1] = quad.object.value
    return {k: (v[0], v[1]) for k, v in labels.items()}


def enumeration(kind: str, noun: str, terms: dict[str, str]) -> Vocabulary:
    """A closed list of our ontology's concepts, by key or by their Swedish or English label."""
    vocabulary = Vocabulary(kind, noun, "the list")
    labels = ontology_labels()
    for key, term in terms.items():
        vocabulary.add(key, str(term), labels=labels.get(str(term), (None, None)))
    return vocabulary


REGISTRY_CLASSES = {
    "body": ("organisations", PKG.Body),
    "partner": ("partners", ORG.Organization),  # IRIs BASE/organisation/KEY
    "funding-programme": ("funding-programmes", PKG.FundingProgramme),
    "network": ("networks", PKG.Network),
    "project": ("projects", PKG.Project),
    "membership": ("networks", PKG.NetworkMembership),  # IRIs BASE/membership/ID
    "partnership": ("partnerships", PKG.Partnership),
}

STORE_ENTRIES = """
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?g ?class ?s ?id (SAMPLE(?sv0) AS ?sv) (SAMPLE(?en0) AS ?en) WHERE {
  GRAPH ?g { ?s dct:identifier ?id ; a ?class .
    OPTIONAL { ?s skos:prefLabel|rdfs:label ?sv0 FILTER(lang(?sv0) = "sv") }
    OPTIONAL { ?s skos:prefLabel|rdfs:label ?en0 FILTER(lang(?en0) = "en") } }
} GROUP BY ?g ?class ?s ?id"""

#: Who refers to what: registry -> [(property, kind referred to)], for the check that a
#: registry loaded alone does not take away what the others in the store still refer to.
REFERRERS = {
    "organisations": [(str(ORG.subOrganizationOf), "body")],
    "networks": [(str(ORG.member), "body")],
    "projects": [(str(PKG.responsibleBody), "body"), (str(PKG.partner), "partner"), (str(PKG.fundingProgramme), "funding-programme")],
    "activities": [(str(PKG.responsibleBody), "body"), (str(PKG.partOf), "project")],
    "partnerships": [(str(PKG.responsibleBody), "body"), (str(PKG.partner), "partner"), ("http://purl.org/dc/terms/relation", "project")],
    "decisions": [(str(PKG.decidedBy), "body"), *((str(p), kind) for p in (PKG.decisionConcerns, PKG.prioritises)
                                                  for kind in ("project", "membership", "partnership"))],
    "follow-up": [(str(PKG.reportingBody), "body"), (str(PKG.submittedTo), "body"),
                  *((str(PKG.followsUp), kind) for kind in ("project", "membership", "partnership"))],
}
#: The IRI path segment of each kind's entities, where it is not the kind itself.
SEGMENTS = {"partner": "organisation"}

STORE_REFERENCES = """
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX pkg: <https://w3id.org/policykg/ontology#>
SELECT ?g ?p ?target (MIN(?n) AS ?first) (COUNT(DISTINCT ?row) AS ?rows) (SAMPLE(?name) AS ?file) WHERE {
  GRAPH ?g { ?s ?p ?target ; prov:wasDerivedFrom ?row .
             ?row pkg:rowNumber ?n ; <http://purl.org/dc/terms/isPartOf>/pkg:fileName ?name }
} GROUP BY ?g ?p ?target"""

STORE_SDG_TARGETS = """
SELECT ?g ?t WHERE { GRAPH ?g { ?t a <http://metadata.un.org/sdg/ontology#Target> } }"""


class Catalogue:
    """The vocabularies of one load; registries read in it register what they define."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.iris = settings.iris
        self._fresh: dict[str, list[tuple[str, str, tuple]]] = {}  # registry -> (key, iri, labels)
        self._fresh_kind: dict[str, str | None] = {}  # registry -> the kind its entries are
        self._fresh_sdg: tuple[str, ...] | None = None
        self._files: dict[str, str] = {}
        self._vocabularies: dict[str, Vocabulary] = {}
        self._reader = None
        self._reader_opened = False

    # --- what the load brings ---

    def register(self, registry: str, entries: list[tuple[str, str, tuple]], file: str | None = None,
                 kind: str | None = None) -> None:
        """What ``registry`` (read in this load) defines: entries of vocabulary ``kind``."""
        self._fresh[registry] = entries
        self._fresh_kind[registry] = kind
        if file:
            self._files[registry] = file
        for kind, (name, _) in REGISTRY_CLASSES.items():
            if name == registry:
                self._vocabularies.pop(kind, None)

    def register_sdg_targets(self, codes: Iterable[str]) -> None:
        self._fresh_sdg = tuple(sorted(codes, key=target_order))
        self._vocabularies.pop("sdg-target", None)

    # --- the published store ---

    def reader(self) -> ox.Store | None:
        if not self._reader_opened:
            self._reader_opened = True
            store = open_store(self.settings)
            self._reader = store.reader() if store.current_generation() else None
        return self._reader

    def _store_entries(self, registry: str, cls: str) -> list[tuple[str, str, tuple]]:
        reader = self.reader()
        if reader is None:
            return []
        graph = nn(self.iris.graph(registry))
        rows = reader.query(STORE_ENTRIES, substitutions={ox.Variable("g"): graph, ox.Variable("class"): nn(cls)})
        entries = []
        for row in rows:
            iri = row["s"].value
            key = iri.rsplit("/", 1)[-1]
            labels = (row["sv"].value if row["sv"] else None, row["en"].value if row["en"] else None)
            entries.append((key, iri, labels))
        return entries

    def registry_entries(self, registry: str, cls: str, kind: str | None = None) -> list[tuple[str, str, tuple]]:
        """The entries of class ``cls`` (vocabulary ``kind``) that ``registry`` defines: read now, or in the store."""
        if registry in self._fresh and self._fresh_kind.get(registry) in (None, kind):
            return self._fresh[registry]
        return self._store_entries(registry, cls)

    # --- vocabularies ---

    def vocabulary(self, kind: str) -> Vocabulary:
        if kind not in self._vocabularies:
            self._vocabularies[kind] = self._build(kind)
        return self._vocabularies[kind]

    def _build(self, kind: str) -> Vocabulary:
        base = self.iris.base
        if kind in ("goal", "focus-area", "principle"):
            noun = {"goal": "goal", "focus-area": "focus area", "principle": "principle"}[kind]
            vocabulary = Vocabulary(kind, noun, "the program", prefixes=(base,))
            for iri, entry in sorted(program_items(base)[kind], key=lambda item: item[0]):
                key = iri[len(base) + len(kind) + 1:]
                vocabulary.add(key, iri, labels=(entry.get("sv"), entry.get("en")),
                               aliases=[entry["notation"]] if entry.get("notation") and kind != "goal" else [])
            if kind == "goal":
                vocabulary.iris = dict(sorted(vocabulary.iris.items(), key=lambda kv: int(kv[0])))
            return vocabulary
        if kind == "body":
            vocabulary = Vocabulary(kind, "body", "the program or the organisations registry", prefixes=(base,))
            for iri, entry in program_items(base)["body"]:
                vocabulary.add(iri[len(base) + 5:], iri, labels=(entry.get("sv"), entry.get("en")))
            for key, iri, labels in self.registry_entries("organisations", PKG.Body, "body"):
                vocabulary.add(key, iri, labels=labels)
            return vocabulary
        if kind in REGISTRY_CLASSES:
            registry, cls = REGISTRY_CLASSES[kind]
            noun = {"funding-programme": "funding programme"}.get(kind, kind)
            vocabulary = Vocabulary(kind, noun, f"the {registry} registry", prefixes=(base,),
                                    segment="organisation" if kind == "partner" else "")
            for key, iri, labels in self.registry_entries(registry, cls, kind):
                vocabulary.add(key, iri, labels=labels)
            return vocabulary
        if kind == "sdg-target":
            vocabulary = Vocabulary(kind, "SDG target", "the UN's 169 targets, such as 11.3", prefixes=(str(SDG),))
            for code in self.sdg_targets():
                vocabulary.add(code, str(SDG) + code, aliases=[f"sdg {code}", f"target {code}"])
            return vocabulary
        if kind == "country":
            vocabulary = Vocabulary(kind, "country", "the EU country table (such as SWE or SE)",
                                    prefixes=(str(EU_COUNTRY),))
            for code, alpha2, label_en, label_sv in fact_countries():
                vocabulary.add(code, str(EU_COUNTRY) + code, labels=(label_sv or None, label_en or None),
                               aliases=[alpha2] if alpha2 else [])
            return vocabulary
        raise KeyError(f"no vocabulary of kind {kind!r}")

    def dangling(self, loading: set[str]) -> list[Problem]:
        """References from registries in the store (and not loaded now) to what the registries
        loaded now no longer define: loading them alone would leave those references dangling."""
        reader = self.reader()
        if reader is None:
            return []
        fresh_kinds = {kind: name for kind, (name, _) in REGISTRY_CLASSES.items()
                       if name in self._fresh and self._fresh_kind.get(name) in (None, kind)}
        problems = []
        for referrer, references in REFERRERS.items():
            if referrer in loading:
                continue
            for prop, kind in references:
                if kind not in fresh_kinds:
                    continue
                vocabulary = self.vocabulary(kind)
                known = set(vocabulary.iris.values())
                rows = reader.query(STORE_REFERENCES, substitutions={
                    ox.Variable("g"): nn(self.iris.graph(referrer)), ox.Variable("p"): nn(prop)})
                of_kind = self.iris(SEGMENTS.get(kind, kind) + "/")
                for row in sorted(rows, key=lambda r: int(r["first"].value)):
                    target = row["target"].value
                    if target in known or not target.startswith(of_kind):  # another kind's, or the program
                        continue
                    key = target.rsplit("/", 1)[-1]
                    more = int(row["rows"].value) - 1
                    problems.append(Problem(
                        self._files.get(fresh_kinds[kind], fresh_kinds[kind]),
                        f"the {vocabulary.noun} '{key}' is gone, but {row['file'].value} row {row['first'].value}"
                        + (f" (and {more} more)" if more > 0 else "") + " still refers to it",
                        expected=f"the {vocabulary.noun} kept, or {referrer} loaded together without the reference",
                    ))
        return problems

    def sdg_targets(self) -> tuple[str, ...]:
        """The target codes: from the UN framework loaded now or in the store, else our facts."""
        if self._fresh_sdg:
            return self._fresh_sdg
        reader = self.reader()
        if reader is not None:
            rows = reader.query(STORE_SDG_TARGETS, substitutions={ox.Variable("g"): nn(self.iris.graph("sdg"))})
            codes = tuple(sorted((r["t"].value[len(SDG):] for r in rows), key=target_order))
            if codes:
                return codes
        return fact_sdg_targets()

