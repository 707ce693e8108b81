"""The two versions of the Reconciliation API spoken here: requests read into
:class:`~policykg.reconcile.matching.Query` objects, and answers written as each version
wants them (manifest, match results, suggestions, property proposals, data extension).

Version 0.2 (what OpenRefine speaks): a batch is an object of keyed queries
(``{"q0": {"query": ..., "type": ..., "properties": [{"pid": ..., "v": ...}]}}``) sent as the
form field ``queries``; extension as the form field ``extend``; answers keyed alike.
Version 1.0-draft: ``{"queries": [{"conditions": [{"matchType": "name", "propertyValue": ...}]}]}``
as a JSON body to ``/match``, answered ``{"results": [{"candidates": [...]}]}`` in order.

A request that does not fit raises :class:`ProtocolError`, whose message names the query
and the field (``queries: q3.limit: ...``).
"""

from __future__ import annotations

import json

from policykg.namespaces import PKG

from .matching import Candidate, Condition, Query, name_key
from .vocabulary import PROPERTIES, PROPERTIES_BY_ID, TYPES, TYPES_BY_ID, TYPES_BY_KEY

#: The most queries (or entities to extend) one request may hold.
BATCH_SIZE = 500
DEFAULT_LIMIT = 5
MAX_LIMIT = 100
PREVIEW_SIZE = {"width": 430, "height": 300}
SCHEMA_SPACE = str(PKG)


class ProtocolError(ValueError):
    """A request that does not fit the protocol; the message names what and where."""


def parse_json(text: str | None, what: str):
    if text is None or not text.strip():
        raise ProtocolError(f"{what}: missing")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ProtocolError(f"{what}: not JSON ({error.msg} at line {error.lineno}, column {error.colno})") from None


def type_key(value, where: str) -> str:
    """The key of a type given by its id (class IRI), its key (goal) or as pkg:Goal."""
    text = str(value).strip()
    if text.startswith("pkg:"):
        text = SCHEMA_SPACE + text[4:]
    found = TYPES_BY_ID.get(text) or TYPES_BY_KEY.get(text)
    if found is None:
        raise ProtocolError(f"{where}: unknown type {text!r}; the types are " + ", ".join(t.id for t in TYPES))
    return found.key


def _limit(value, where: str) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 1 or int(value) != value:
        raise ProtocolError(f"{where}: expected a positive integer, got {value!r}")
    return min(int(value), MAX_LIMIT)


def _property(pid, where: str) -> str:
    if pid not in PROPERTIES_BY_ID:
        raise ProtocolError(f"{where}: unknown property {pid!r}; the properties are " + ", ".join(PROPERTIES_BY_ID))
    return pid


def _values(value, where: str) -> list:
    values = value if isinstance(value, list) else [value]
    for item in values:
        if isinstance(item, dict):
            if not isinstance(item.get("id"), str):
                raise ProtocolError(f"{where}: an entity value needs an 'id' string")
        elif not isinstance(item, (str, int, float, bool)):
            raise ProtocolError(f"{where}: expected a string, number, boolean or {{\"id\": ...}}, got {item!r}")
    if not values:
        raise ProtocolError(f"{where}: no value")
    return [v if isinstance(v, dict) else str(v).lower() if isinstance(v, bool) else str(v) for v in values]


def _check_batch_size(count: int, what: str) -> None:
    if count > BATCH_SIZE:
        raise ProtocolError(f"{what}: {count} in one request; at most {BATCH_SIZE}")


# --- version 0.2 ------------------------------------------------------------------


def queries_v02(text: str | None) -> dict[str, Query]:
    """A 0.2 batch (the ``queries`` parameter) as queries by key."""
    batch = parse_json(text, "queries")
    if not isinstance(batch, dict):
        raise ProtocolError("queries: expected an object of queries by key ({\"q0\": {\"query\": ...}})")
    _check_batch_size(len(batch), "queries")
    out = {}
    for key, spec in batch.items():
        where = f"queries: {key}"
        if not isinstance(spec, dict):
            raise ProtocolError(f"{where}: expected an object with 'query'")
        conditions = []
        if spec.get("query") not in (None, ""):
            if not isinstance(spec["query"], str):
                raise ProtocolError(f"{where}.query: expected a string")
            conditions.append(Condition("name", [spec["query"]]))
        for number, prop in enumerate(spec.get("properties") or []):
            at = f"{where}.properties[{number}]"
            if not isinstance(prop, dict) or "pid" not in prop or "v" not in prop:
                raise ProtocolError(f"{at}: expected {{\"pid\": ..., \"v\": ...}}")
            conditions.append(Condition("property", _values(prop["v"], f"{at}.v"), _property(prop["pid"], f"{at}.pid")))
        if not conditions:
            raise ProtocolError(f"{where}: give a 'query' or 'properties'")
        types = spec.get("type")
        keys = [type_key(t, f"{where}.type") for t in (types if isinstance(types, list) else [types] if types else [])]
        out[str(key)] = Query(conditions, tuple(keys) or None, _limit(spec.get("limit"), f"{where}.limit"))
    return out


def results_v02(results: dict[str, list[Candidate]], index, lang: str) -> dict:
    return {key: {"result": [candidate_json(c, index, lang, False) for c in found]} for key, found in results.items()}


# --- version 1.0-draft --------------------------------------------------------------

_MATCH_TYPES = ("name", "id", "property")
_QUANTIFIERS = ("any", "all", "none")


def queries_v10(body) -> list[Query]:
    """A 1.0-draft batch (the JSON body of /match)."""
    if not isinstance(body, dict) or not isinstance(body.get("queries"), list):
        raise ProtocolError("body: expected {\"queries\": [...]}")
    _check_batch_size(len(body["queries"]), "queries")
    out = []
    for number, spec in enumerate(body["queries"]):
        where = f"queries[{number}]"
        if not isinstance(spec, dict):
            raise ProtocolError(f"{where}: expected an object with 'conditions'")
        unknown = set(spec) - {"type", "limit", "lang", "dir", "conditions"}
        if unknown:
            raise ProtocolError(f"{where}: unknown field {sorted(unknown)[0]!r}")
        conditions = spec.get("conditions")
        if not isinstance(conditions, list) or not conditions:
            raise ProtocolError(f"{where}.conditions: expected at least one condition")
        parsed = []
        for index, condition in enumerate(conditions):
            at = f"{where}.conditions[{index}]"
            if not isinstance(condition, dict) or condition.get("matchType") not in _MATCH_TYPES:
                raise ProtocolError(f"{at}.matchType: expected one of {', '.join(_MATCH_TYPES)}")
            if "propertyValue" not in condition:
                raise ProtocolError(f"{at}.propertyValue: missing")
            if "matchQualifier" in condition:
                raise ProtocolError(f"{at}.matchQualifier: this service supports no match qualifiers")
            quantifier = condition.get("matchQuantifier", "any")
            if quantifier not in _QUANTIFIERS:
                raise ProtocolError(f"{at}.matchQuantifier: expected one of {', '.join(_QUANTIFIERS)}")
            required = condition.get("required", False)
            if not isinstance(required, bool):
                raise ProtocolError(f"{at}.required: expected true or false")
            kind = condition["matchType"]
            prop = _property(condition.get("propertyId"), f"{at}.propertyId") if kind == "property" else None
            parsed.append(Condition(kind, _values(condition["propertyValue"], f"{at}.propertyValue"), prop, required, quantifier))
        types = (type_key(spec["type"], f"{where}.type"),) if spec.get("type") else None
        out.append(Query(parsed, types, _limit(spec.get("limit"), f"{where}.limit")))
    return out


def results_v10(results: list[list[Candidate]], index, lang: str) -> dict:
    return {"results": [{"candidates": [candidate_json(c, index, lang, True) for c in found]} for found in results]}


# --- what both versions share ---------------------------------------------------------


def type_json(key: str, lang: str) -> dict:
    kind = TYPES_BY_KEY[key]
    return {"id": kind.id, "name": kind.name[lang], "description": kind.description[lang]}


def candidate_json(candidate: Candidate, index, lang: str, v10: bool) -> dict:
    entity = candidate.entity
    name = candidate.name.text if candidate.name is not None else entity.label(lang)
    out = {
        "id": entity.id,
        "name": name,
        "description": describe(entity, name, lang),
        "score": candidate.score,
        "match": candidate.match,
        "type": [{"id": TYPES_BY_KEY[k].id, "name": TYPES_BY_KEY[k].name[lang]} for k in entity.types],
        "features": [{"id": fid, "name": fname, "value": value} for fid, fname, value in candidate.features],
    }
    if v10 and candidate.name is not None and candidate.name.lang:
        out["lang"] = candidate.name.lang
    return out


def describe(entity, shown: str, lang: str) -> str:
    """The entity's types, and its names in Swedish and English other than the one shown."""
    kinds = ", ".join(TYPES_BY_KEY[k].name[lang] for k in entity.types)
    others = [entity.labels[code] for code in (lang, "en" if lang == "sv" else "sv") if entity.labels.get(code, shown) != shown]
    return " · ".join([kinds, " / ".join(dict.fromkeys(others))]) if others else kinds


def suggest_entities_json(found, lang: str) -> dict:
    result = []
    for entity, name in found:
        kinds = [{"id": TYPES_BY_KEY[k].id, "name": TYPES_BY_KEY[k].name[lang]} for k in entity.types]
        shown = name.text if name is not None else entity.label(lang)
        result.append({"id": entity.id, "name": shown, "description": describe(entity, shown, lang), "notable": kinds})
    return {"result": result}


def _fits(prefix: str, *texts: str) -> bool:
    """Whether the prefix begins one of the texts, or a word of one (the empty prefix fits all)."""
    key = name_key(prefix)
    if not key:
        return True
    for text in texts:
        words = name_key(text)
        if words.startswith(key) or any(word.startswith(key) for word in words.split()):
            return True
    return False


def suggest_types_json(prefix: str, lang: str) -> dict:
    return {"result": [type_json(t.key, lang) for t in TYPES if _fits(prefix, t.id.rsplit("#", 1)[-1], t.key, *t.name.values())]}


def property_json(prop, lang: str) -> dict:
    return {"id": prop.id, "name": prop.name[lang], "description": prop.description[lang]}


def suggest_properties_json(prefix: str, lang: str) -> dict:
    return {"result": [property_json(p, lang) for p in PROPERTIES if _fits(prefix, p.id, *p.name.values())]}


def propose_properties_json(index, type_value: str, limit, lang: str) -> dict:
    """The properties that some entity of the type has values of."""
    key = type_key(type_value, "type")
    entities = index.of_type(key)
    found = [p for p in PROPERTIES if any(e.values.get(p.id) for e in entities)]
    out = {"type": TYPES_BY_KEY[key].id, "properties": [property_json(p, lang) for p in found]}
    if limit is not None:
        out["limit"] = _limit(limit, "limit")
        out["properties"] = out["properties"][: out["limit"]]
    return out


def extension_request(body) -> tuple[list[str], list[str]]:
    """The ids and property ids of a data extension query (either version)."""
    if not isinstance(body, dict) or not isinstance(body.get("ids"), list) or not isinstance(body.get("properties"), list):
        raise ProtocolError("extend: expected {\"ids\": [...], \"properties\": [{\"id\": ...}]}")
    _check_batch_size(len(body["ids"]), "extend.ids")
    ids = []
    for number, value in enumerate(body["ids"]):
        if not isinstance(value, str):
            raise ProtocolError(f"extend.ids[{number}]: expected a string")
        ids.append(value)
    props = []
    for number, spec in enumerate(body["properties"]):
        if not isinstance(spec, dict):
            raise ProtocolError(f"extend.properties[{number}]: expected {{\"id\": ...}}")
        props.append(_property(spec.get("id"), f"extend.properties[{number}].id"))
    return ids, props


def _extension_values(index, entity_id: str, pid: str, lang: str) -> list[dict]:
    resolved = index.resolve(entity_id)
    if resolved is None:
        return []
    prop = PROPERTIES_BY_ID[pid]
    values = index.entities[resolved].values.get(pid, [])
    if prop.kind == "entity":
        return [{"id": v, "name": index.label(v, lang)} for v in values]
    return [{"str": v} for v in values]


def _meta(pids: list[str], lang: str) -> list[dict]:
    meta = []
    for pid in pids:
        prop = PROPERTIES_BY_ID[pid]
        item = {"id": pid, "name": prop.name[lang]}
        if prop.value_type:
            kind = TYPES_BY_ID[prop.value_type]
            item["type"] = {"id": kind.id, "name": kind.name[lang]}
        meta.append(item)
    return meta


def extension_v02(index, ids: list[str], pids: list[str], lang: str) -> dict:
    rows = {entity_id: {pid: _extension_values(index, entity_id, pid, lang) for pid in pids} for entity_id in ids}
    return {"meta": _meta(pids, lang), "rows": rows}


def extension_v10(index, ids: list[str], pids: list[str], lang: str) -> dict:
    rows = [
        {"id": entity_id, "properties": [{"id": pid, "values": _extension_values(index, entity_id, pid, lang)} for pid in pids]}
        for entity_id in ids
    ]
    return {"meta": _meta(pids, lang), "rows": rows}


def default_types(lang: str) -> list[dict]:
    return [{"id": t.id, "name": t.name[lang]} for t in TYPES]


def manifest_v02(root: str, view: str, base_iri: str, name: str, lang: str) -> dict:
    """The 0.2 service manifest; ``root`` is the service's URL (…/reconcile), ``view`` the
    URL under which an entity's id is its page."""
    suggest = {kind: {"service_url": root, "service_path": f"/suggest/{kind}"} for kind in ("entity", "type", "property")}
    return {
        "versions": ["0.1", "0.2"],
        "name": name,
        "identifierSpace": base_iri,
        "schemaSpace": SCHEMA_SPACE,
        "documentation": view,
        "view": {"url": view + "{{id}}"},
        "defaultTypes": default_types(lang),
        "preview": {"url": root + "/preview?id={{id}}", **PREVIEW_SIZE},
        "suggest": suggest,
        "extend": {"propose_properties": {"service_url": root, "service_path": "/extend/propose"}, "property_settings": []},
        "batchSize": BATCH_SIZE,
    }


def manifest_v10(view: str, name: str, lang: str) -> dict:
    """The 1.0-draft service manifest (its routes are relative to where it is served)."""
    return {
        "versions": ["1.0-draft"],
        "name": name,
        "lang": lang,
        "documentation": view,
        "view": {"url": view + "{id}"},
        "defaultTypes": default_types(lang),
        "preview": dict(PREVIEW_SIZE),
        "suggest": {"entity": True, "property": True, "type": True},
        "extend": {"proposeProperties": True, "propertySettings": []},
        "batchSize": BATCH_SIZE,
        "standardizedScore": True,
    }
