"""The query editor page and the landing page's link to it."""

from __future__ import annotations

import json
import re

from policykg.namespaces import PREFIXES


def test_editor_opens_on_our_endpoint_with_prefixes_and_example_tabs(endpoint_app, endpoint):
    page = endpoint.get("/editor")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="en">' in html
    from server.editor import assets_installed

    with endpoint_app.app_context():
        installed = assets_installed()
    if installed:
        assert "/static/vendor/yasgui/yasgui.min.js" in html and "cdn" not in html.lower()
        config = json.loads(re.search(r'<script type="application/json" id="editor-config">(.*?)</script>', html, re.S).group(1))
        assert config["endpoint"] == "http://localhost/sparql"
        assert all(f"PREFIX {p}: <{iri}>" in config["start"] for p, iri in PREFIXES.items())
        assert len(config["examples"]) == len(endpoint_app.extensions["policykg.queries"])
        assert endpoint.get("/static/vendor/yasgui/yasgui.min.js").status_code == 200
    else:
        assert "make install" in html and "npm" in html


def test_the_config_is_escaped_inside_the_script(endpoint):
    html = endpoint.get("/editor").get_data(as_text=True)
    block = re.search(r'id="editor-config">(.*?)</script>', html, re.S)
    if block:
        assert "</" not in block.group(1) and "<" not in block.group(1)


def test_prefixes_for_completion_come_from_us(endpoint):
    assert endpoint.get("/editor/prefixes.json").get_json() == PREFIXES


def test_the_landing_page_links_the_editor(endpoint):
    html = endpoint.get("/").get_data(as_text=True)
    assert 'href="/editor"' in html
