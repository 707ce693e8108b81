"""References: the spellings each vocabulary accepts, and the closest match when one is unknown."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from helpers import make_settings, require_shared
from policykg.loaders.references import (
    Catalogue,
    fact_countries,
    fact_sdg_targets,
    target_order,
)
from policykg.loaders.schema import CellError

BASE = "https://w3id.org/policykg/umea/"


@pytest.fixture
def catalogue(tmp_path):
    return Catalogue(make_settings(tmp_path / "nostore"))


@pytest.mark.parametrize("text", ["2", "goal/2", f"{BASE}goal/2", "Mervärde för invånare och näringsliv", " 2 "])
def test_goals(catalogue, text):
    assert catalogue.vocabulary("goal").resolve(text) == f"{BASE}goal/2"


@pytest.mark.parametrize("text", ["positioning", "focus-area/positioning", "Positionering och näringsliv", "ii", "Positioning and business"])
def test_focus_areas(catalogue, text):
    assert catalogue.vocabulary("focus-area").resolve(text) == f"{BASE}focus-area/positioning"


@pytest.mark.parametrize("text, code", [("11.3", "11.3"), ("sdg/11.a", "11.a"), ("11.A", "11.a"),
                                        ("http://metadata.un.org/sdg/4.7", "4.7"), ("SDG 4.7", "4.7")])
def test_sdg_targets(catalogue, text, code):
    assert catalogue.vocabulary("sdg-target").resolve(text) == f"http://metadata.un.org/sdg/{code}"


@pytest.mark.parametrize("text, code", [("SWE", "SWE"), ("se", "SWE"), ("Tyskland", "DEU"), ("Germany", "DEU"), ("FI", "FIN")])
def test_countries(catalogue, text, code):
    assert catalogue.vocabulary("country").resolve(text) == f"http://publications.europa.eu/resource/authority/country/{code}"


def test_program_bodies_without_a_store(catalogue):
    bodies = catalogue.vocabulary("body")
    assert bodies.resolve("Kommunstyrelsen") == f"{BASE}body/kommunstyrelsen"
    with pytest.raises(CellError) as caught:
        bodies.resolve("kommunstyrelse")
    assert caught.value.message == "unknown body; did you mean 'kommunstyrelsen'?"


def test_unknown_values_say_what_is_known(catalogue):
    with pytest.raises(CellError) as caught:
        catalogue.vocabulary("principle").resolve("openness")
    assert caught.value.expected == (
        "one of agenda-2030, aid-projects, children-and-youth, collaboration, strategic-focus, strategic-networks"
    )
    with pytest.raises(CellError) as caught:
        catalogue.vocabulary("sdg-target").resolve("18.1")
    assert caught.value.expected == "a target of the UN's 169, by its code such as 11.3"


def test_our_facts_are_the_uns_169_targets():
    assert len(fact_sdg_targets()) == 169 == len(set(fact_sdg_targets()))
    path = require_shared("data", "un-sdg", "sdg-kos-goals-targets-indicators.ttl")
    targets = {q.subject.value.rsplit("/", 1)[1] for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
               if q.object.value == "http://metadata.un.org/sdg/ontology#Target"}
    assert sorted(targets, key=target_order) == list(fact_sdg_targets())


def test_our_country_codes_are_the_eu_tables():
    codes = {code for code, *_ in fact_countries()}
    assert {"SWE", "DEU", "FIN", "NOR", "RUS", "CAN", "KEN", "XKX"} <= codes and len(codes) > 240
    path = require_shared("data", "links", "eu-country-authority", "countries-labels-flat.csv")
    import csv

    with open(path, encoding="utf-8") as handle:
        table = {r["code"] for r in csv.DictReader(handle) if r["deprecated"] == "false"}
    assert codes <= table


def test_targets_sort_as_people_number_them():
    assert sorted(["1.10", "1.a", "1.2", "10.1"], key=target_order) == ["1.2", "1.10", "1.a", "10.1"]
