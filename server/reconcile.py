"""The reconciliation service (W3C Entity Reconciliation API): match a spreadsheet's names
against the program's goals, focus areas and principles, the bodies, projects, networks and
organisations, then fetch their goals, responsible body, SDG targets and identifiers.

Version 0.2, what OpenRefine speaks, at ``/reconcile`` (the manifest; ``queries=`` and
``extend=`` by GET or form POST; ``/reconcile/suggest/{entity,type,property}``,
``/reconcile/preview?id=``, ``/reconcile/extend/propose``). Version 1.0-draft at
``/reconcile/1.0-draft`` with its routes (``/match`` and ``/extend`` take JSON bodies).
Every route answers cross-origin requests (CORS, as every route of the service does). Names come in the language asked for
(``?lang=``, then ``Accept-Language``; Swedish by default). The matching logic and the index
of the store's current generation are in :mod:`policykg.reconcile`.
"""

from __future__ import annotations

from flask import Blueprint, current_app, request

from policykg import formats

from policykg.reconcile import matching, protocol
from policykg.reconcile.index import IndexCache
from policykg.reconcile.protocol import ProtocolError
from policykg.reconcile.vocabulary import PROPERTIES_BY_ID, TYPES_BY_KEY
from policykg.store import StoreNotBuilt

from . import context
from .errors import BadRequest, NotFound, PayloadTooLarge, Unavailable
from .present import choose_language
from .rendering import Output

reconcile = Blueprint("reconcile", __name__, url_prefix="/reconcile")

V10 = "/1.0-draft"
SERVICE_NAME = {
    "sv": "Umeå kommuns internationella program (policykg)",
    "en": "Umeå Municipality's International Program (policykg)",
}
#: Properties shown in a preview, in this order.
PREVIEW_PROPERTIES = ("goals", "responsibleBody", "sdgTargets", "identifiers")


def _index():
    cache = current_app.extensions.setdefault("policykg.reconcile.index", IndexCache())
    return cache.get(context.store(), context.settings().base_iri)


def _json(body: dict) -> Output:
    return Output(body, formats.API_JSON, vary=("Accept-Language",))


def _answer(work) -> Output:
    """Run ``work(index, lang)`` and answer its JSON, or the error that stopped it."""
    try:
        return _json(work(_index(), choose_language()))
    except StoreNotBuilt:
        raise Unavailable("The store holds no data yet: run 'policykg build'.") from None
    except ProtocolError as error:
        kind = PayloadTooLarge if "at most" in str(error) else BadRequest
        raise kind(f"Bad reconciliation request: {error}") from None


def _root() -> str:
    return context.public_base() + "reconcile"


# --- version 0.2 ---------------------------------------------------------------------


@reconcile.route("", methods=["GET", "POST"])
@reconcile.route("/", methods=["GET", "POST"])
def service_v02():
    """The manifest, or a batch of queries (``queries``), or a data extension (``extend``)."""
    values = request.values
    if "queries" in values:
        def work(index, lang):
            batch = protocol.queries_v02(values.get("queries"))
            return protocol.results_v02({key: matching.match(index, query) for key, query in batch.items()}, index, lang)

        return _answer(work)
    if "extend" in values:
        def work(index, lang):
            ids, pids = protocol.extension_request(protocol.parse_json(values.get("extend"), "extend"))
            return protocol.extension_v02(index, ids, pids, lang)

        return _answer(work)
    if request.method == "POST":
        raise BadRequest("Bad reconciliation request: send the form field 'queries' (a batch) or 'extend' (a data extension query).")
    lang = choose_language()
    return _json(protocol.manifest_v02(_root(), context.public_base(), context.settings().base_iri, SERVICE_NAME[lang], lang))


@reconcile.get("/suggest/<kind>")
@reconcile.get(V10 + "/suggest/<kind>")
def suggest(kind: str):
    """Auto-completion of entities, types or properties by ``prefix`` (``cursor``/``offset``, ``limit``)."""
    prefix = request.args.get("prefix", "")

    def work(index, lang):
        if kind == "type":
            return protocol.suggest_types_json(prefix, lang)
        if kind == "property":
            return protocol.suggest_properties_json(prefix, lang)
        if kind != "entity":
            raise ProtocolError(f"suggest: no suggestions of {kind!r}; there are entity, type and property")
        type_value = request.args.get("type")
        key = protocol.type_key(type_value, "type") if type_value else None
        offset = _integer(request.args.get("offset") or request.args.get("cursor"), "offset", 0)
        limit = min(_integer(request.args.get("limit"), "limit", 10) or 10, protocol.MAX_LIMIT)
        return protocol.suggest_entities_json(matching.suggest(index, prefix, key, offset, limit), lang)

    return _answer(work)


def _integer(value: str | None, name: str, default: int) -> int:
    if value in (None, ""):
        return default
    if not value.isdigit():
        raise ProtocolError(f"{name}: expected a whole number, got {value!r}")
    return int(value)


@reconcile.get("/extend/propose")
@reconcile.get(V10 + "/extend/propose")
def propose_properties():
    """The properties worth fetching for entities of ``type``."""
    def work(index, lang):
        if not request.args.get("type"):
            raise ProtocolError("type: missing; give a type id, e.g. " + TYPES_BY_KEY["project"].id)
        return protocol.propose_properties_json(index, request.args["type"], request.args.get("limit", type=int), lang)

    return _answer(work)


@reconcile.get("/preview")
@reconcile.get(V10 + "/preview")
def preview():
    """A small HTML page about one entity, for a client's preview pane."""
    entity_id = request.args.get("id", "")
    lang = choose_language()
    try:
        index = _index()
    except StoreNotBuilt:
        raise Unavailable("The store holds no data yet: run 'policykg build'.") from None
    found = index.resolve(entity_id)
    if found is None:
        raise NotFound(f"parameter id: no entity {entity_id!r} in this service")
    entity = index.entities[found]
    rows = []
    for pid in PREVIEW_PROPERTIES:
        values = entity.values.get(pid, [])
        if values:
            prop = PROPERTIES_BY_ID[pid]
            shown = [(index.label(v, lang), v) if prop.kind == "entity" else (v, None) for v in values]
            rows.append((prop.name[lang], shown))
    data = dict(
        lang=lang,
        entity=entity,
        name=entity.label(lang),
        other=entity.labels.get("en" if lang == "sv" else "sv"),
        kinds=[TYPES_BY_KEY[k].name[lang] for k in entity.types],
        text=entity.text.get(lang) or entity.text.get("en" if lang == "sv" else "sv") or entity.text.get(""),
        note=entity.note.get(lang) or entity.note.get(""),
        rows=rows,
        page=context.public_base() + entity.id,
        base=context.public_base(),
    )
    # shown in a frame of the client's page (OpenRefine's preview pane)
    return Output(data, formats.HTML, template="reconcile_preview.html", vary=("Accept-Language",), framed=True)


# --- version 1.0-draft -----------------------------------------------------------------


@reconcile.route(V10, methods=["GET"])
@reconcile.route(V10 + "/", methods=["GET"])
def manifest_v10():
    lang = choose_language()
    return _json(protocol.manifest_v10(context.public_base(), SERVICE_NAME[lang], lang))


def _json_body():
    if request.mimetype != "application/json":
        raise ProtocolError(f"body: send JSON (Content-Type: application/json), not {request.mimetype or 'no Content-Type'}")
    return protocol.parse_json(request.get_data(as_text=True), "body")


@reconcile.route(V10 + "/match", methods=["POST"])
def match_v10():
    def work(index, lang):
        queries = protocol.queries_v10(_json_body())
        return protocol.results_v10([matching.match(index, query) for query in queries], index, lang)

    return _answer(work)


@reconcile.route(V10 + "/extend", methods=["POST"])
def extend_v10():
    def work(index, lang):
        ids, pids = protocol.extension_request(_json_body())
        return protocol.extension_v10(index, ids, pids, lang)

    return _answer(work)
