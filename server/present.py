"""Showing the graph to people: the page language, texts in Swedish and English,
labels, and where each IRI links to.

The language is ``?lang=sv|en`` if given, else the first of Swedish and English
in ``Accept-Language`` (by quality), else Swedish, the program's own language.
Every page carries it on ``<html lang>``; a label shown in the other language
(because the resource has none in the page's) carries its own ``lang``.
"""

from __future__ import annotations

import functools
from urllib.parse import quote

from flask import g, request
from markupsafe import Markup, escape

from policykg.namespaces import PREFIXES, SDG, SDG_SCHEME

from . import context
from .negotiation import negotiate_language
from .texts import TEXTS

LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"
#: Characters left as they are when a path becomes part of an IRI.
IRI_SAFE = "/:@!$&'()*+,;=~-._%"


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
    """Where this server shows ``iri``: the path of one of ours, or /sdg/... for the UN's."""
    return _local_path(context.settings().iris, iri)


@functools.lru_cache(maxsize=65536)  # a page links hundreds of IRIs, mostly the same ones
def _local_path(iris, iri: str) -> str | None:
    relative = iris.relative(iri)
    if relative is not None:
        return "/" + quote(relative, safe=IRI_SAFE)
    if iri == SDG_SCHEME:
        return "/sdg"
    if iri.startswith(str(SDG)) and "/" not in iri[len(SDG) :] and "#" not in iri:
        return "/sdg/" + quote(iri[len(SDG) :], safe=IRI_SAFE)
    return None


def href(iri: str, described: bool | None = None) -> str:
    """A link for ``iri``: our page of it, or ``/resource?iri=`` when the store describes
    an IRI of others, else the IRI itself."""
    path = local_path(iri)
    if path is not None:
        return request.script_root + path
    if described:
        return request.script_root + "/resource?iri=" + quote(iri, safe="")
    return iri


def iri_of_path(path: str) -> str:
    """The IRI that the local ``path`` (without its leading '/', percent-decoded) shows."""
    if path == "sdg":
        return SDG_SCHEME
    if path.startswith("sdg/"):
        return str(SDG) + path[len("sdg/") :]
    return context.settings().iris(quote(path, safe=IRI_SAFE))


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


def labelled(value: str, value_lang: str | None) -> Markup:
    """Escaped text, with its own ``lang`` when it differs from the page's."""
    if value_lang and value_lang != language():
        return Markup(f'<span lang="{escape(value_lang)}">{escape(value)}</span>')
    return escape(value)


def literal(term) -> Markup:
    """A literal's text with ``lang`` where needed; a datatype is shown small."""
    shown = labelled(term.value, term.lang)
    if term.datatype and not term.lang and not term.datatype.endswith("#string") and not term.datatype.endswith("#langString"):
        return Markup(f'{shown} <small class="datatype">{escape(curie(term.datatype))}</small>')
    return shown


def link(iri: str, labels: dict | None = None, described: bool | None = None) -> Markup:
    """An ``<a>`` to ``iri`` named by its label in the page's language (or its short form)."""
    label, label_lang = pick(labels, language())
    name = labelled(label, label_lang) if label else Markup(f"<code>{escape(curie(iri))}</code>")
    return Markup(f'<a href="{escape(href(iri, described))}">{name}</a>')


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
        link=link,
        iri=iri_link,
        literal=literal,
        labelled=labelled,
        pick=pick,
        url_with=url_with,
    )
