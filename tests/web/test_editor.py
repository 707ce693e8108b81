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
    from policykg.server.editor import assets_installed

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


def test_a_named_query_opens_in_a_tab_with_its_parameters(endpoint, endpoint_app):
    html = endpoint.get("/editor?named=responsibilities&body=body/kommunstyrelsen").get_data(as_text=True)
    block = re.search(r'id="editor-config">(.*?)</script>', html, re.S)
    if block:
        opened = json.loads(block.group(1))["open"]
        text = opened["query"]
    else:  # without YASGUI the fallback form holds the query
        import html as markup

        text = markup.unescape(re.search(r'<textarea id="query" name="query" rows="20">(.*?)</textarea>', html, re.S).group(1))
    query = endpoint_app.extensions["policykg.queries"]["responsibilities"]
    assert text.startswith(query.text.rstrip())
    assert text.rstrip().endswith("VALUES (?body) { (<https://w3id.org/policykg/umea/body/kommunstyrelsen>) }")


def test_parameters_that_do_not_fit_are_left_out_of_the_editor(endpoint, endpoint_app):
    from policykg.server.editor import with_values

    query = endpoint_app.extensions["policykg.queries"]["responsibilities"]
    with endpoint_app.test_request_context():
        assert with_values(query, {"body": '"> } ; DROP ALL ; #'}) == query.text
        assert "VALUES" in with_values(query, {"body": "body/x"})
