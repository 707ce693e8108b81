"""What pages show: the language, short names, links and the IRI of a path."""

from __future__ import annotations

import pytest
from policykg.server.present import (
    choose_language,
    curie,
    href,
    iri_of_path,
    link,
    literal,
    local_path,
    pick,
    url_with,
)

from policykg.runtime.describe import Term


@pytest.mark.parametrize(
    "query, accept, expected",
    [
        ("", None, "sv"),
        ("", "en-US,en;q=0.9", "en"),
        ("", "sv-SE", "sv"),
        ("", "fi, en-US;q=0.5, sv;q=0.4", "en"),
        ("", "de, fr", "sv"),
        ("?lang=en", "sv", "en"),
        ("?lang=EN", None, "en"),
        ("?lang=de", "en", "en"),
    ],
)
def test_language(app, query, accept, expected):
    headers = {"Accept-Language": accept} if accept else {}
    with app.test_request_context("/" + query, headers=headers):
        assert choose_language() == expected


def test_short_names_and_local_links(app):
    with app.test_request_context("/"):
        assert curie("https://w3id.org/policykg/ontology#Goal") == "pkg:Goal"
        assert curie("https://w3id.org/policykg/umea/goal/2") == "goal/2"
        assert curie("http://example.org/x") == "http://example.org/x"
        assert curie("http://metadata.un.org/sdg/11.3") == "sdg:11.3"
        assert local_path("https://w3id.org/policykg/umea/goal/2") == "/goal/2"
        assert local_path("http://metadata.un.org/sdg/11.3") == "/sdg/11.3"
        assert local_path("http://metadata.un.org/sdg") == "/sdg"
        assert local_path("http://www.w3.org/ns/org#member") is None
        assert href("https://w3id.org/policykg/umea/graph/projects/source/my%20file.csv") == "/graph/projects/source/my%20file.csv"
        assert href("https://w3id.org/policykg/ontology#Goal", True) == "/resource?iri=https%3A%2F%2Fw3id.org%2Fpolicykg%2Fontology%23Goal"
        assert href("https://w3id.org/policykg/ontology#Goal", False) == "https://w3id.org/policykg/ontology#Goal"


def test_paths_become_the_iris_they_show(app):
    with app.test_request_context("/"):
        assert iri_of_path("goal/2") == "https://w3id.org/policykg/umea/goal/2"
        assert iri_of_path("graph/projects/source/my file.csv") == "https://w3id.org/policykg/umea/graph/projects/source/my%20file.csv"
        assert iri_of_path("x<y>") == "https://w3id.org/policykg/umea/x%3Cy%3E"
        assert iri_of_path("sdg/4.7") == "http://metadata.un.org/sdg/4.7"
        assert iri_of_path("sdg") == "http://metadata.un.org/sdg"


def test_labels_in_the_other_language_carry_their_lang(app):
    with app.test_request_context("/?lang=sv"):
        assert pick({"en": "Goal", "sv": "Mål"}, "sv") == ("Mål", "sv")
        assert pick({"en": "Goal"}, "sv") == ("Goal", "en")
        assert pick({"": "Eurocities"}, "en") == ("Eurocities", None)
        assert pick({}, "sv") == (None, None)
        assert str(link("https://w3id.org/policykg/umea/goal/2", {"en": "Added value"})) == '<a href="/goal/2"><span lang="en">Added value</span></a>'
        assert str(link("https://w3id.org/policykg/umea/goal/2", None)) == '<a href="/goal/2"><code>goal/2</code></a>'
        assert str(literal(Term("literal", "<b>", "en"))) == '<span lang="en">&lt;b&gt;</span>'
        assert str(literal(Term("literal", "4", None, "http://www.w3.org/2001/XMLSchema#integer"))) == '4 <small class="datatype">xsd:integer</small>'


def test_url_with_changes_one_argument(app):
    with app.test_request_context("/goal/2?lang=en&offset.pkg:servesGoal=25"):
        assert url_with(lang="sv") == "/goal/2?lang=sv&offset.pkg:servesGoal=25"
        assert url_with(**{"offset.pkg:servesGoal": None}) == "/goal/2?lang=en"


def test_links_and_labels_escape_what_they_show(app):
    with app.test_request_context("/?lang=sv"):
        hostile = 'x"><script>alert(1)</script>'
        shown = str(link("http://example.org/a?b=1&c=" + hostile, {'en"': hostile}))
        assert "<script>" not in shown
        assert shown == ('<a href="http://example.org/a?b=1&amp;c=x&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">'
                         '<span lang="en&#34;">x&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</span></a>')
        assert str(link("http://example.org/<x>", None)) == '<a href="http://example.org/&lt;x&gt;"><code>http://example.org/&lt;x&gt;</code></a>'
        datatype = str(literal(Term("literal", "1", None, "http://example.org/<dt>")))
        assert datatype == '1 <small class="datatype">http://example.org/&lt;dt&gt;</small>'
