"""IRIs: minted under one base, readable and stable."""

import pytest

from policykg.namespaces import DEFAULT_BASE_IRI, PKG, PREFIXES, Iris, slug


def test_instance_iris_are_readable_paths_under_the_base():
    iris = Iris("https://example.org/kg/")
    assert iris.goal(2) == "https://example.org/kg/goal/2"
    assert iris.focus_area("positioning") == "https://example.org/kg/focus-area/positioning"
    assert iris.body("kommunstyrelsen") == "https://example.org/kg/body/kommunstyrelsen"
    assert iris.graph("program") == "https://example.org/kg/graph/program"
    assert iris.section(5) == "https://example.org/kg/program/section/5"
    assert iris.of("project", "P-2021/04") == "https://example.org/kg/project/p-2021-04"


def test_relative_is_the_inverse_of_minting():
    iris = Iris(DEFAULT_BASE_IRI)
    assert iris.relative(iris.goal(3)) == "goal/3"
    assert iris.relative("http://metadata.un.org/sdg/11") is None


@pytest.mark.parametrize("base", ["https://example.org/kg", "ftp://example.org/", "https://exa mple.org/"])
def test_base_must_be_an_http_iri_ending_in_slash(base):
    with pytest.raises(ValueError, match="base IRI"):
        Iris(base)


def test_slug_is_ascii_and_stable():
    assert slug("Nämnder och bolagsstyrelser") == "namnder-och-bolagsstyrelser"
    assert slug("Kommunfullmäktige") == "kommunfullmaktige"
    assert slug("  Umeå -- Kommun ") == "umea-kommun"


def test_the_ontology_prefix_is_offered():
    assert PREFIXES["pkg"] == str(PKG)
