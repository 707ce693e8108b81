"""SPARQL 1.1 Update at /update (only when an update token is configured).

An update runs in the query pool under its own time limit and writes a new
generation of the store, published only if the whole request succeeds.
"""

from __future__ import annotations

from flask import Blueprint, Response, request
from werkzeug.datastructures import MultiDict

from policykg.runtime.executor import UpdateJob
from policykg.runtime.remotes import RemoteRefused, check_scan
from policykg.runtime.sparqlscan import with_using

from . import context, dispatch
from .auth import refuse_unless_authorized
from .errors import error_response
from .sparql import FORM, UPDATE_MEDIA, BadRequest, dataset_parameters, scan_request

update = Blueprint("update", __name__)


@update.route("/update", methods=["POST"])
@update.route("/update/", methods=["POST"])
def endpoint():
    refusal = refuse_unless_authorized()
    if refusal is not None:
        return refusal
    try:
        params, text = _request_parameters()
        return run_update(text, params)
    except BadRequest as error:
        return error_response(error.status, error.message)


def _request_parameters() -> tuple[MultiDict, str]:
    mimetype = request.mimetype
    if mimetype == FORM:
        params = MultiDict(list(request.args.items(multi=True)) + list(request.form.items(multi=True)))
        texts = params.getlist("update")
    elif mimetype == UPDATE_MEDIA:
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            raise BadRequest(415, f"The update must be sent as UTF-8; this one says charset={charset}.")
        params = request.args
        body = request.get_data(cache=False)
        try:
            texts = [body.decode("utf-8").removeprefix("\ufeff")] + params.getlist("update")
        except UnicodeDecodeError as error:
            raise BadRequest(400, f"The request body is not UTF-8: byte 0x{body[error.start]:02x} at offset {error.start}.") from None
    elif not mimetype:
        raise BadRequest(415, f"A POST needs a Content-Type: {UPDATE_MEDIA} (the update as the body) or {FORM} (update=...).")
    else:
        raise BadRequest(415, f"Content-Type {mimetype} is not an update; use {UPDATE_MEDIA} or {FORM}.")
    if "query" in params:
        raise BadRequest(400, "parameter query: this endpoint runs updates; send queries to /sparql.")
    if not texts:
        raise BadRequest(400, "parameter update: missing; send the update as update=...")
    if len(texts) > 1:
        raise BadRequest(400, f"parameter update: given {len(texts)} times; send one update request at a time.")
    if not texts[0].strip():
        raise BadRequest(400, "parameter update: the update is empty.")
    return params, texts[0]


def run_update(text: str, params: MultiDict) -> Response:
    settings = context.settings()
    facts = scan_request(text, settings.update_timeout, update=True)
    try:
        check_scan(facts, settings.service_allowlist)
    except RemoteRefused as error:
        raise BadRequest(403, str(error)) from None
    using, using_named = dataset_parameters(params, "using-graph-uri", "using-named-graph-uri")
    if using or using_named:
        if facts.has_using_or_with:
            raise BadRequest(
                400, "using-graph-uri/using-named-graph-uri cannot be combined with USING or WITH in the update itself."
            )
        text = with_using(text, facts, list(using or ()), list(using_named or ()))
    job = UpdateJob(text, base_iri=context.public_base() + "update", wait=min(10.0, settings.update_timeout))
    answer = dispatch.run(
        job, settings.update_timeout - facts.seconds, what="update", text=text, limit=settings.update_timeout
    )
    if isinstance(answer, Response):
        return answer
    return Response(status=204)
