"""SSSOM mapping sets: read and write the TSV (with its YAML metadata block), and render RDF.

A mapping set is what link discovery proposes and staff review (``policykg link``):
one row per candidate link, with its justification, confidence, author, reviewer,
date and reason (``comment``). The set declares one extension slot,
``review_status`` (``pkg:reviewStatus``): ``accepted`` (above the acceptance
threshold, or by a reviewer), ``review`` (waiting in the review queue) or
``rejected``. Staff change ``review`` to ``accepted`` or ``rejected`` and put
their name in ``reviewer_label`` (or an IRI in ``reviewer_id``).

Identifiers are CURIEs of the file's ``curie_map``. The prefix ``kg`` stands for
the instance base: it is resolved against ``POLICYKG_BASE_IRI`` when the set is
loaded, so that a set written under one base is read under another.

In RDF (SSSOM/RDF) each mapping is an ``owl:Axiom`` (``owl:annotatedSource``,
``owl:annotatedProperty``, ``owl:annotatedTarget`` and the slots); an accepted,
not negated mapping is also stated as the link itself (``subject predicate object``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field, fields
from pathlib import Path

import pyoxigraph as ox
import yaml

from policykg.namespaces import (
    ORCID,
    DCT,
    OWL,
    PAV,
    PKG,
    PROV,
    RDF,
    RDFS,
    SEMAPV,
    SKOS,
    SSSOM,
    VOID,
    XSD,
    nn,
)

from .errors import InputError, Problem

#: The prefix of our own instance IRIs in a mapping set (resolved against the configured base).
BASE_PREFIX = "kg"
STATUSES = ("accepted", "review", "rejected")
#: The mapping predicates a set may use.
PREDICATES = tuple(str(p) for p in (SKOS.exactMatch, SKOS.closeMatch, OWL.sameAs, SKOS.broadMatch, SKOS.narrowMatch,
                                     SKOS.relatedMatch))
#: SSSOM's built-in prefixes (they may be left out of a curie_map).
BUILT_IN = {
    "owl": str(OWL), "rdf": str(RDF), "rdfs": str(RDFS), "skos": str(SKOS), "semapv": str(SEMAPV),
    "sssom": str(SSSOM), "xsd": str(XSD), "pav": str(PAV), "dcterms": str(DCT),
    "orcid": ORCID,
}
#: The justifications SSSOM allows (its mapping_justification pattern).
JUSTIFICATIONS = tuple(str(SEMAPV[term]) for term in (
    "MappingReview", "ManualMappingCuration", "LogicalReasoning", "LexicalMatching", "CompositeMatching",
    "UnspecifiedMatching", "SemanticSimilarityThresholdMatching", "LexicalSimilarityThresholdMatching",
    "MappingChaining", "MappingInversion", "StructuralMatching", "InstanceBasedMatching",
    "BackgroundKnowledgeBasedMatching"))
EXTENSION = {"slot_name": "review_status", "property": "pkg:reviewStatus", "type_hint": "xsd:string"}
#: The columns we write, in order (SSSOM's order, then the extension slot).
COLUMNS = (
    "subject_id", "subject_label", "predicate_id", "predicate_modifier", "object_id", "object_label",
    "mapping_justification", "confidence", "author_id", "reviewer_id", "reviewer_label", "mapping_date",
    "subject_match_field", "object_match_field", "match_string", "similarity_score", "similarity_measure",
    "comment", "review_status",
)
ENTITY_COLUMNS = ("subject_id", "predicate_id", "object_id", "mapping_justification", "author_id", "reviewer_id",
                  "subject_match_field", "object_match_field", "similarity_measure")
REQUIRED = ("subject_id", "predicate_id", "object_id", "mapping_justification")


@dataclass
class Mapping:
    """One row: identifiers as full IRIs (``author_id``, ``reviewer_id``: IRIs joined by ``|``)."""

    subject_id: str
    predicate_id: str
    object_id: str
    mapping_justification: str
    subject_label: str = ""
    object_label: str = ""
    predicate_modifier: str = ""
    confidence: float | None = None
    author_id: str = ""
    reviewer_id: str = ""
    reviewer_label: str = ""
    mapping_date: str = ""
    subject_match_field: str = ""
    object_match_field: str = ""
    match_string: str = ""
    similarity_score: float | None = None
    similarity_measure: str = ""
    comment: str = ""
    review_status: str = "review"
    line: int | None = field(default=None, compare=False)

    @property
    def accepted(self) -> bool:
        """Loaded as a link: accepted and not negated."""
        return self.review_status == "accepted" and self.predicate_modifier != "Not"

    @property
    def reviewed(self) -> bool:
        return bool(self.reviewer_id or self.reviewer_label)


@dataclass
class MappingSet:
    """A set's metadata (the YAML block) and its mappings."""

    mapping_set_id: str
    mappings: list[Mapping]
    curie_map: dict[str, str]
    metadata: dict = field(default_factory=dict)  # the other slots of the block, as read

    @property
    def title(self) -> str:
        return str(self.metadata.get("mapping_set_title") or "")


# --- reading ------------------------------------------------------------------------------


def _expand(value: str, prefixes: dict[str, str], file: str, line: int, column: str, problems: list) -> str:
    if re.match(r"^[a-z][a-z0-9+.-]*://", value):
        problems.append(Problem(file, "an identifier must be a CURIE, not an IRI", line=line, column=column, value=value,
                                expected="prefix:local with the prefix in the curie_map"))
        return value
    prefix, colon, local = value.partition(":")
    if not colon or prefix not in prefixes:
        problems.append(Problem(file, "unknown prefix", line=line, column=column, value=value,
                                expected="a CURIE whose prefix the curie_map declares: " + ", ".join(sorted(prefixes))))
        return value
    return prefixes[prefix] + local


def _number(text: str, file: str, line: int, column: str, problems: list) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        problems.append(Problem(file, "not a number between 0 and 1", line=line, column=column, value=text))
        return None
    return value


def read_mapping_set(path: Path, base: str | None = None) -> MappingSet:
    """The mapping set in ``path``; :class:`InputError` lists every problem (file:line:column).
    ``base``: the instance base that the prefix ``kg`` stands for (None: as the file says)."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError([Problem(file, f"cannot read: {error}")]) from None
    lines = text.splitlines(keepends=True)
    head = 0
    while head < len(lines) and lines[head].startswith("#"):
        head += 1
    try:
        metadata = yaml.safe_load("".join(line[1:] for line in lines[:head])) or {}
    except yaml.YAMLError as error:
        raise InputError([Problem(file, f"the metadata block is not YAML: {error}", line=1)]) from None
    if not isinstance(metadata, dict) or not metadata.get("mapping_set_id"):
        raise InputError([Problem(file, "the metadata block has no mapping_set_id", line=1,
                                  expected="#mapping_set_id: ... and the other slots of the set, each line starting with #")])
    prefixes = {**BUILT_IN, **{str(k): str(v) for k, v in (metadata.get("curie_map") or {}).items()}}
    if base is not None:
        prefixes[BASE_PREFIX] = base
    problems: list[Problem] = []
    reader = csv.DictReader(io.StringIO("".join(lines[head:])), delimiter="\t")
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError([Problem(file, f"the header lacks {', '.join(missing)}", line=head + 1,
                                  expected="SSSOM columns: " + ", ".join(REQUIRED) + " ...")])
    known = {f.name for f in fields(Mapping)}
    mappings, seen = [], {}
    for number, row in enumerate(reader, start=head + 2):
        row = {k: (v or "").strip() for k, v in row.items() if k in known}
        if not any(row.values()):
            continue
        for column in REQUIRED:
            if not row.get(column):
                problems.append(Problem(file, "a value is required", line=number, column=column))
        if any(not row.get(c) for c in REQUIRED):
            continue
        values = dict(row)
        for column in ENTITY_COLUMNS:
            if values.get(column):
                values[column] = "|".join(_expand(part.strip(), prefixes, file, number, column, problems)
                                          for part in values[column].split("|") if part.strip())
        values["confidence"] = _number(row.get("confidence", ""), file, number, "confidence", problems)
        values["similarity_score"] = _number(row.get("similarity_score", ""), file, number, "similarity_score", problems)
        mapping = Mapping(**values, line=number)
        if mapping.predicate_id not in PREDICATES:
            problems.append(Problem(file, "not a mapping predicate we load", line=number, column="predicate_id",
                                    value=row["predicate_id"], expected="skos:exactMatch, skos:closeMatch, owl:sameAs, "
                                    "skos:broadMatch, skos:narrowMatch or skos:relatedMatch"))
        if mapping.mapping_justification not in JUSTIFICATIONS:
            problems.append(Problem(file, "not a justification of SEMAPV", line=number, column="mapping_justification",
                                    value=row["mapping_justification"],
                                    expected="one that SSSOM allows, such as semapv:LexicalMatching or semapv:ManualMappingCuration"))
        if mapping.review_status not in STATUSES:
            problems.append(Problem(file, "unknown review status", line=number, column="review_status",
                                    value=mapping.review_status, expected="accepted, review or rejected"))
        if mapping.predicate_modifier not in ("", "Not"):
            problems.append(Problem(file, "unknown predicate modifier", line=number, column="predicate_modifier",
                                    value=mapping.predicate_modifier, expected="Not, or nothing"))
        if mapping.mapping_date and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", mapping.mapping_date):
            problems.append(Problem(file, "not a date", line=number, column="mapping_date", value=mapping.mapping_date,
                                    expected="YYYY-MM-DD"))
        key = (mapping.subject_id, mapping.predicate_id, mapping.object_id)
        if key in seen:
            problems.append(Problem(file, f"the same mapping as row {seen[key]}", line=number, column="subject_id",
                                    value=row["subject_id"]))
        seen.setdefault(key, number)
        mappings.append(mapping)
    if problems:
        raise InputError(problems)
    set_id = str(metadata.pop("mapping_set_id"))
    metadata.pop("curie_map", None)
    return MappingSet(set_id, mappings, prefixes, metadata)


# --- writing ------------------------------------------------------------------------------


def _curie(iri: str, prefixes: dict[str, str]) -> str:
    best = max(((p, ns) for p, ns in prefixes.items() if iri.startswith(ns) and _local_ok(iri[len(ns):])),
               key=lambda pair: len(pair[1]), default=None)
    if best is None:
        raise ValueError(f"no prefix of the curie_map for {iri}")
    return f"{best[0]}:{iri[len(best[1]):]}"


def _local_ok(local: str) -> bool:
    return re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.\-/]*", local) is not None


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value not in (0.0, 1.0) else str(int(value))
    return str(value)


def write_mapping_set(path: Path, mapping_set: MappingSet, base: str) -> None:
    """Write ``mapping_set`` as SSSOM/TSV; our IRIs (under ``base``) are written with the prefix ``kg``."""
    prefixes = {BASE_PREFIX: base, **{k: v for k, v in mapping_set.curie_map.items() if k != BASE_PREFIX}}
    used = [c for c in COLUMNS if c in ("subject_id", "predicate_id", "object_id", "mapping_justification", "review_status")
            or any(getattr(m, c) not in (None, "") for m in mapping_set.mappings)]
    rows = []
    for m in mapping_set.mappings:
        row = {}
        for column in used:
            value = getattr(m, column)
            if column in ENTITY_COLUMNS and value:
                value = "|".join(_curie(part, prefixes) for part in value.split("|"))
            row[column] = _cell(value)
        rows.append(row)
    needed = {cell.split(":", 1)[0] for row in rows for c, cell in row.items() if c in ENTITY_COLUMNS
              for cell in cell.split("|") if cell}
    curie_map = {p: prefixes[p] for p in sorted(needed | {"pkg"}) if p in prefixes and BUILT_IN.get(p) != prefixes[p]}
    block = {"curie_map": curie_map, "mapping_set_id": mapping_set.mapping_set_id, **mapping_set.metadata,
             "extension_definitions": [EXTENSION]}
    text = yaml.safe_dump(block, allow_unicode=True, sort_keys=False, width=1000)
    out = io.StringIO()
    out.write("".join(f"#{line}\n" for line in text.splitlines()))
    writer = csv.DictWriter(out, fieldnames=used, delimiter="\t", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


# --- RDF ----------------------------------------------------------------------------------


def mapping_iri(set_iri: str, mapping: Mapping) -> str:
    """A mapping's own IRI (its record id): stable for the same subject, predicate and object."""
    digest = hashlib.sha256(f"{mapping.subject_id} {mapping.predicate_id} {mapping.object_id}".encode()).hexdigest()
    return f"{set_iri}/mapping/{digest[:16]}"


def mapping_set_quads(mapping_set: MappingSet, set_iri: str, row_prefix: str, *, only_accepted: bool = True) -> list[ox.Quad]:
    """The set in SSSOM/RDF: the set, each (accepted) mapping as an ``owl:Axiom`` derived from its
    row (``row_prefix`` + line), and each accepted link itself."""
    quads: list[ox.Quad] = []

    def add(s: str, p: str, o) -> None:
        quads.append(ox.Quad(nn(s), nn(p), o if isinstance(o, ox.Literal) else nn(o)))

    def text(s: str, p: str, value: str | None) -> None:
        if value:
            add(s, p, ox.Literal(str(value)))

    add(set_iri, str(RDF.type), str(SSSOM.MappingSet))
    add(set_iri, str(RDF.type), str(VOID.Linkset))
    meta = mapping_set.metadata
    text(set_iri, str(DCT.title), meta.get("mapping_set_title"))
    text(set_iri, str(DCT.description), meta.get("mapping_set_description"))
    text(set_iri, str(SSSOM.mapping_set_id), mapping_set.mapping_set_id)
    for slot, prop in (("license", DCT.license), ("subject_source", SSSOM.subject_source),
                       ("object_source", SSSOM.object_source), ("mapping_provider", SSSOM.mapping_provider)):
        value = meta.get(slot)
        if value:
            add(set_iri, str(prop), _expand_meta(str(value), mapping_set.curie_map))
    for creator in meta.get("creator_id") or []:
        add(set_iri, str(DCT.creator), _expand_meta(str(creator), mapping_set.curie_map))
    text(set_iri, str(SSSOM.mapping_tool), meta.get("mapping_tool"))
    for m in mapping_set.mappings:
        if only_accepted and not m.accepted:
            continue
        node = mapping_iri(set_iri, m)
        add(set_iri, str(SSSOM.mappings), node)
        add(node, str(RDF.type), str(OWL.Axiom))
        add(node, str(OWL.annotatedSource), m.subject_id)
        add(node, str(OWL.annotatedProperty), m.predicate_id)
        add(node, str(OWL.annotatedTarget), m.object_id)
        add(node, str(SSSOM.mapping_justification), m.mapping_justification)
        text(node, str(SSSOM.subject_label), m.subject_label)
        text(node, str(SSSOM.object_label), m.object_label)
        if m.predicate_modifier:
            add(node, str(SSSOM.predicate_modifier), str(SSSOM.NegatedPredicate))
        if m.confidence is not None:
            add(node, str(SSSOM.confidence), ox.Literal(repr(m.confidence), datatype=nn(XSD.double)))
        for author in filter(None, m.author_id.split("|")):
            add(node, str(PAV.authoredBy), author)
        for reviewer in filter(None, m.reviewer_id.split("|")):
            add(node, str(SSSOM.reviewer_id), reviewer)
        text(node, str(SSSOM.reviewer_label), m.reviewer_label)
        if m.mapping_date:
            add(node, str(PAV.authoredOn), ox.Literal(m.mapping_date, datatype=nn(XSD.date)))
        text(node, str(RDFS.comment), m.comment)
        text(node, str(SSSOM.match_string), m.match_string)
        text(node, str(PKG.reviewStatus), m.review_status)
        if m.line is not None:
            add(node, str(PROV.wasDerivedFrom), f"{row_prefix}{m.line}")
        if m.accepted:
            add(m.subject_id, m.predicate_id, m.object_id)
    return quads


def _expand_meta(value: str, prefixes: dict[str, str]) -> str:
    prefix, colon, local = value.partition(":")
    if colon and prefix in prefixes and not local.startswith("//"):
        return prefixes[prefix] + local
    return value
