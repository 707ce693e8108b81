"""SPARQL 1.1 Update at /update (only when an update token is configured).

An update runs in a query process under its own time limit and writes a new
generation of the store, published only if the whole request succeeds.
"""

from __future__ import annotations

from flask import Blueprint, request
from werkzeug.datastructures import MultiDict

from policykg import formats
from policykg.runtime.executor import UpdateJob
from policykg.runtime.remotes import RemoteRefused, check_scan
from policykg.runtime.sparqlscan import with_using

from . import answering, context
from .auth import require_token
from .errors import BadRequest, Forbidden, MethodNotAllowed, UnsupportedMediaType
from .rendering import Output
from .requests import utf8_body
from .sparql import FORM, UPDATE_MEDIA, dataset_parameters, scan_request

update = Blueprint("update", __name__)


@update.route("/update", methods=["GET", "POST"])
@update.route("/update/", methods=["GET", "POST"])
def endpoint():
    if request.method != "POST":
        raise MethodNotAllowed("Send SPARQL updates by POST (the protocol has no updates by GET).", headers={"Allow": "POST, OPTIONS"})
    require_token()
    params, text = _request_parameters()
    return run_update(text, params)


def _request_parameters() -> tuple[MultiDict, str]:
    mimetype = request.mimetype
    if mimetype == FORM:
        params = MultiDict(list(request.args.items(multi=True)) + list(request.form.items(multi=True)))
        texts = params.getlist("update")
    elif mimetype == UPDATE_MEDIA:
        params = request.args
        texts = [utf8_body("update")] + params.getlist("update")
    elif not mimetype:
        raise UnsupportedMediaType(f"A POST needs a Content-Type: {UPDATE_MEDIA} (the update as the body) or {FORM} (update=...).")
    else:
        raise UnsupportedMediaType(f"Content-Type {mimetype} is not an update; use {UPDATE_MEDIA} or {FORM}.")
    if "query" in params:
        raise BadRequest("parameter query: this endpoint runs updates; send queries to /sparql.")
    if not texts:
        raise BadRequest("parameter update: missing; send the update as update=...")
    if len(texts) > 1:
        raise BadRequest(f"parameter update: given {len(texts)} times; send one update request at a time.")
    if not texts[0].strip():
        raise BadRequest("parameter update: the update is empty.")
    return params, texts[0]


def run_update(text: str, params: MultiDict) -> Output:
    settings = context.settings()
    facts = scan_request(text, settings.update_timeout, update=True)
    try:
        check_scan(facts, settings.service_allowlist)
    except RemoteRefused as error:
        raise Forbidden(str(error)) from None
    using, using_named = dataset_parameters(params, "using-graph-uri", "using-named-graph-uri")
    if using or using_named:
        if facts.has_using_or_with:
            raise BadRequest("using-graph-uri/using-named-graph-uri cannot be combined with USING or WITH in the update itself.")
        text = with_using(text, facts, list(using or ()), list(using_named or ()))
    job = UpdateJob(
        text, base_iri=context.public_base() + "update", wait=min(10.0, settings.update_timeout),
        compact_after=settings.compact_after_writes,
    )
    answering.run(
        job, settings.update_timeout - facts.seconds, what="update", text=text, limit=settings.update_timeout
    )
    return Output(b"", formats.PLAIN_TEXT, 204)
