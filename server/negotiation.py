"""The one negotiator: which of the formats a route offers this request gets.

One precedence everywhere (:func:`policykg.formats.choose`): a suffix of the
URL (``/goal/2.ttl``, ``/api/goals.csv``), then the ``format`` parameter (an
unknown name is a 400), then ``output`` and ``results`` (the names other SPARQL
clients send; one we do not know is ignored), then ``Accept`` with q-values.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import request
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from policykg import formats
from policykg.formats import Format

from .errors import BadRequest, NotAcceptable

#: Parameters that name a format: ``format`` (ours, strict), then what other clients send.
STRICT_PARAMETER = "format"
LENIENT_PARAMETERS = ("output", "results")


def negotiate(offers: Sequence[Format], *, suffix: str | None = None, params=None) -> Format:
    """The format for this request among ``offers`` (best first); 400 or 406 when none fits."""
    params = request.values if params is None else params
    try:
        return formats.choose(
            offers,
            suffix=suffix,
            strict_names=[params.get(STRICT_PARAMETER) or ""],
            names=[params.get(name) or "" for name in LENIENT_PARAMETERS],
            accept=request.headers.get("Accept"),
        )
    except formats.UnknownFormat as error:
        raise BadRequest(str(error)) from None
    except formats.NotAcceptable as error:
        raise NotAcceptable(f"Not acceptable: {error}.") from None


def negotiate_answer(forms: dict[str, Sequence[Format]], *, params=None) -> dict[str, Format | None]:
    """For a query whose form is known only once it runs: a format for each kind of answer
    (None: the request accepts none of that kind; the query process answers 406 if needed)."""
    chosen: dict[str, Format | None] = {}
    for kind, offers in forms.items():
        try:
            chosen[kind] = negotiate(offers, params=params)
        except NotAcceptable:
            chosen[kind] = None
    return chosen


def wants_html() -> bool:
    """Whether the client reads pages rather than data (for routes that redirect browsers)."""
    return formats.by_accept(request.headers.get("Accept"), (formats.TURTLE, formats.HTML)) is formats.HTML


def negotiate_language(offers: Sequence[str], default: str, *, parameter: str = "lang") -> str:
    """The language of a page: ``?lang=`` if it is one of ``offers``, else the first of them that
    ``Accept-Language`` prefers (by quality, a region counting as its language), else ``default``."""
    asked = (request.args.get(parameter) or "").strip().lower()
    if asked in offers:
        return asked
    header = request.headers.get("Accept-Language")
    if header:
        parsed = parse_accept_header(header, LanguageAccept)
        ranked = sorted(((value.split("-", 1)[0].lower(), quality) for value, quality in parsed), key=lambda item: -item[1])
        for value, quality in ranked:
            if quality > 0 and value in offers:
                return value
    return default
