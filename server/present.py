"""Showing the graph to people: the page language, texts in Swedish and English,
labels, and where each IRI links to.

The language is ``?lang=sv|en`` if given, else the first of Swedish and English
in ``Accept-Language`` (by quality), else Swedish, the program's own language.
Every page carries it on ``<html lang>``; a label shown in the other language
(because the resource has none in the page's) carries its own ``lang``.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import g, request
from markupsafe import Markup, escape

from policykg.namespaces import PREFIXES

from . import context
from .negotiation import negotiate_language
from .texts import TEXTS

LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"


def choose_language() -> str:
    return negotiate_language(LANGUAGES, DEFAULT_LANGUAGE)


def language() -> str:
    try:
        return g.policykg_lang  # asked hundreds of times per page
    except AttributeError:
        g.policykg_lang = choose_language()
        return g.policykg_lang


def other(lang: str) -> str:
    return "en" if lang == "sv" else "sv"


def text(key: str, *args) -> str:
    """A text of the interface in the page's language."""
    entry = TEXTS[key]
    value = entry[language()] if isinstance(entry, dict) else entry
    return value.format(*args) if args else value


def curie(iri: str) -> str:
    """``pkg:Goal`` for a vocabulary term, the path for one of ours, else the IRI."""
    relative = context.settings().iris.relative(iri)
    if relative is not None:
        return relative or "/"
    best = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(PREFIXES.get(best, "")):
            local = iri[len(namespace) :]
            if local and "/" not in local and "#" not in local:
                best = prefix
    return f"{best}:{iri[len(PREFIXES[best]):]}" if best else iri


def local_path(iri: str) -> str | None:
    """Where this server shows ``iri`` (see :meth:`policykg.namespaces.Iris.local_path`)."""
    return context.settings().iris.local_path(iri)


#: Schemes of IRIs that become links to elsewhere; any other (javascript:, data:, vbscript:,
#: file:, urn: ...) is shown as text.
LINK_SCHEMES = ("http:", "https:", "mailto:")


def href(iri: str, described: bool | None = None) -> str | None:
    """A link for ``iri``: our page of it, or ``/resource?iri=`` when the store describes
    an IRI of others, else the IRI itself if it is http(s) or mailto; otherwise None."""
    path = local_path(iri)
    if path is not None:
        return request.script_root + path
    if described:
        return request.script_root + "/resource?iri=" + quote(iri, safe="")
    return iri if iri[:7].lower().startswith(LINK_SCHEMES) else None


def linked(iri: str, inner: Markup, described: bool | None = None) -> Markup:
    """``inner`` as a link to ``iri``, or as text when ``iri`` may not be a link."""
    target = href(iri, described)
    if target is None:
        return Markup(f'<span class="iri">{inner}</span>')
    return Markup(f'<a href="{escape(target)}">{inner}</a>')


def iri_of_path(path: str) -> str:
    """The IRI that the local ``path`` (without its leading '/', percent-decoded) shows."""
    return context.settings().iris.of_local_path(path)


def pick(labels: dict[str, str] | None, lang: str) -> tuple[str | None, str | None]:
    """(label, its language) in ``lang``, else the other language, else any."""
    if not labels:
        return None, None
    for candidate in (lang, other(lang), ""):
        if candidate in labels:
            return labels[candidate], candidate or None
    key, value = next(iter(labels.items()))
    return value, key or None


# A page shows hundreds of links and labels: the helpers below join escaped parts
# rather than call Markup.format, which took a third of the time of a goal's page.


#: Right-to-left letters and the bidirectional controls: text with them is isolated (<bdi>),
#: so that it cannot reorder what stands around it on the page.
_BIDI = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")


def _text(value: str) -> Markup:
    return Markup(f"<bdi>{escape(value)}</bdi>") if _BIDI.search(value) else escape(value)


def labelled(value: str, value_lang: str | None) -> Markup:
    """Escaped text, with its own ``lang`` when it differs from the page's."""
    if value_lang and value_lang != language():
        return Markup(f'<span lang="{escape(value_lang)}">{_text(value)}</span>')
    return _text(value)


def literal(term) -> Markup:
    """A literal's text with ``lang`` where needed; a datatype is shown small."""
    shown = labelled(term.value, term.lang)
    if term.datatype and not term.lang and not term.datatype.endswith("#string") and not term.datatype.endswith("#langString"):
        return Markup(f'{shown} <small class="datatype">{escape(curie(term.datatype))}</small>')
    return shown


def link(iri: str, labels: dict | None = None, described: bool | None = None) -> Markup:
    """An ``<a>`` to ``iri`` named by its label in the page's language (or its short form)."""
    label, label_lang = pick(labels, language())
    name = labelled(label, label_lang) if label else Markup(f"<code>{_text(curie(iri))}</code>")
    return linked(iri, name, described)


def iri_link(value: str, d) -> Markup:
    """A link to ``value`` named by the label the description ``d`` holds for it (the
    templates' ``iri``; a function, not a macro: a page has hundreds)."""
    return link(value, d.labels.get(value), value in d.described)


def url_with(**changes) -> str:
    """The current request's URL with some query arguments changed (None removes one)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = [str(value)]
    query = "&".join(f"{quote(k, safe=':')}={quote(v, safe=':/')}" for k, values in args.items() for v in values)
    return request.script_root + request.path + ("?" + query if query else "")


def register(app) -> None:
    """Make these helpers available to every template."""
    app.jinja_env.globals.update(
        t=text,
        lang=language,
        other_lang=lambda: other(language()),
        curie=curie,
        href=href,
        linked=linked,
        link=link,
        iri=iri_link,
        literal=literal,
        labelled=labelled,
        pick=pick,
        url_with=url_with,
    )
