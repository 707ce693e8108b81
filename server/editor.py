"""The query editor (YASGUI, served from our own host) at /editor."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, request, url_for

from policykg import formats
from policykg.namespaces import PREFIXES
from policykg.runtime.querylib import NamedQuery, ParameterError

from . import context
from .rendering import Output

editor = Blueprint("editor", __name__)

#: Where ``make install`` copies YASGUI's build, under the static folder.
VENDOR = "vendor/yasgui"
ASSETS = ("yasgui.min.js", "yasgui.min.css")
START_QUERY = """SELECT ?class (COUNT(?item) AS ?items) WHERE {
  ?item a ?class .
}
GROUP BY ?class
ORDER BY DESC(?items)
LIMIT 25"""


#: The editor's page: what YASGUI needs besides the site's policy (styles it sets inline, and
#: queries to an endpoint the user types in, which may be another server).
EDITOR_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self' https: http:; font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def assets_installed() -> bool:
    folder = Path(current_app.static_folder or "")
    return all((folder / VENDOR / name).is_file() for name in ASSETS)


def start_query() -> str:
    """The first tab: every prefix of the project, and a first question."""
    prologue = "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in PREFIXES.items())
    return prologue + "\n" + START_QUERY


def with_values(query: NamedQuery, values: dict[str, str]) -> str:
    """The query's text with the given parameters as a trailing VALUES clause, for a person
    to read and change in the editor (terms written by pyoxigraph, so properly escaped);
    parameters that do not fit their declaration are left out."""
    try:
        bindings = query.bind(values, context.settings().iris)
    except ParameterError:
        bindings = {}
    if not bindings:
        return query.text
    names = " ".join(f"?{variable.value}" for variable in bindings)
    terms = " ".join(str(term) for term in bindings.values())
    return f"{query.text.rstrip()}\nVALUES ({names}) {{ ({terms}) }}\n"


@editor.get("/editor", endpoint="editor")
def editor_page():
    """YASGUI opened on our endpoint with our prefixes and the named queries as example tabs;
    ``?named=NAME&param=value`` opens that query, with those parameters, in a tab of its own."""
    queries = context.named_queries()
    config = {
        "endpoint": context.public_base() + "sparql",
        "prefixesUrl": url_for("editor.prefixes"),
        "start": start_query(),
        "examples": [{"name": q.title["en"], "query": q.text} for q in queries.values()],
    }
    named = queries.get(request.args.get("named", ""))
    if named is not None:
        values = {k: v for k, v in request.args.items() if k in named.parameters}
        config["open"] = {"name": named.title["en"], "query": with_values(named, values)}
    data = {"config": config, "installed": assets_installed(), "vendor": VENDOR, "queries": queries}
    return Output(data, formats.HTML, template="editor.html", vary=("Accept-Language",), headers={"Content-Security-Policy": EDITOR_POLICY})


@editor.get("/editor/prefixes.json")
def prefixes():
    """Our prefixes in the shape of prefix.cc's list, for the editor's prefix completion."""
    return Output(PREFIXES, formats.API_JSON, vary=())
