"""The landing page and the health check."""

from __future__ import annotations

import re

from helpers import sample_rows
from markupsafe import escape


def test_landing_page_says_what_the_dataset_holds_in_english(client):
    response = client.get("/?lang=en")
    assert response.status_code == 200 and "Accept-Language" in response.vary
    page = response.get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "<li>5 goals</li>" in page and "<li>4 focus areas</li>" in page and "<li>6 principles</li>" in page
    assert "<li>9 responsibilities</li>" in page
    holds = re.search(r'id="holds".*?</ul>', page, re.S).group(0)
    # the sample registries that the build loads, counted from their files
    projects, activities, memberships, partnerships = (
        sample_rows(name) for name in ("projects", "activities", "networks", "partnerships"))
    networks = {row["network"] for _, row in memberships}
    for expected in (f"{len(projects)} projects", f"{len(activities)} activities", f"{len(networks)} networks",
                     f"{len(memberships)} network memberships", f"{len(partnerships)} partnerships"):
        assert f"<li>{expected}</li>" in holds


def test_landing_page_in_swedish_by_default(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="sv">' in page and "<li>5 mål</li>" in page
    assert '<a href="/?lang=en" lang="en" hreflang="en">In English</a>' in page


def test_landing_page_counts_registered_work(work_client):
    page = work_client.get("/?lang=en").get_data(as_text=True)
    holds = re.search(r'id="holds".*?</ul>', page, re.S).group(0)
    for expected in ("2 projects", "3 activities", "2 networks", "2 network memberships"):
        assert f"<li>{expected}</li>" in holds


def test_landing_page_links_every_goal_focus_area_and_principle(client):
    page = client.get("/?lang=en").get_data(as_text=True)
    goals = re.search(r'id="goals".*?</ol>', page, re.S).group(0)
    assert re.findall(r'href="(/goal/\d)"', goals) == [f"/goal/{n}" for n in range(1, 6)]
    assert '<a href="/goal/2">Added value for inhabitants and businesses</a>' in goals
    assert page.count('href="/focus-area/') == 4 and page.count('href="/principle/') == 6
    assert '<a href="/program">International Program for Umeå Municipality</a>' in page


def test_example_questions_open_in_the_api_and_the_editor(client, app):
    page = client.get("/?lang=en").get_data(as_text=True)
    for name, query in app.extensions["policykg.queries"].items():
        assert f'href="/api/{name}' in page and f'href="/editor?named={name}' in page
        assert escape(query.title["en"]) in page
    assert 'href="/api/responsibilities?body=body/kommunstyrelsen"' in page
    assert 'href="/editor?named=responsibilities&amp;body=body/kommunstyrelsen"' in page


def test_downloads_licence_and_citation(client):
    page = client.get("/?lang=en").get_data(as_text=True)
    assert 'id="download-and-cite"' in page and "CC0 1.0" in page
    assert "Cite a resource by its IRI (for example https://w3id.org/policykg/umea/goal/2)" in page
    swedish = client.get("/?lang=sv").get_data(as_text=True)
    assert '<div lang="en">' in swedish  # the publication's block is in English


def test_landing_page_before_a_build(tmp_path):
    from policykg.server import create_app

    app = create_app({"store": tmp_path / "empty"})
    page = app.test_client().get("/?lang=en").get_data(as_text=True)
    assert "The store is empty: run policykg build." in page


def test_health_names_the_generation(client, store):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "generation": store.version}


def test_health_is_503_before_a_build(tmp_path):
    from policykg.server import create_app

    app = create_app({"store": tmp_path / "empty"})
    response = app.test_client().get("/health")
    assert response.status_code == 503
    assert "policykg build" in response.get_json()["reason"]
