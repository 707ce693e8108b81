"""The query editor (YASGUI, served from our own host) at /editor."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, jsonify, render_template, url_for

from policykg.namespaces import PREFIXES

from . import context

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


def assets_installed() -> bool:
    folder = Path(current_app.static_folder or "")
    return all((folder / VENDOR / name).is_file() for name in ASSETS)


def start_query() -> str:
    """The first tab: every prefix of the project, and a first question."""
    prologue = "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in PREFIXES.items())
    return prologue + "\n" + START_QUERY


@editor.get("/editor", endpoint="editor")
def editor_page():
    """YASGUI opened on our endpoint with our prefixes and the named queries as example tabs."""
    queries = context.named_queries()
    config = {
        "endpoint": context.public_base() + "sparql",
        "prefixesUrl": url_for("editor.prefixes"),
        "start": start_query(),
        "examples": [{"name": q.title["en"], "query": q.text} for q in queries.values()],
    }
    return render_template("editor.html", config=config, installed=assets_installed(), vendor=VENDOR, queries=queries)


@editor.get("/editor/prefixes.json")
def prefixes():
    """Our prefixes in the shape of prefix.cc's list, for the editor's prefix completion."""
    return jsonify(PREFIXES)
