"""The landing page and the health check."""


def test_landing_page_shows_what_the_dataset_holds(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "5 goals" in page and "4 focus areas" in page and "6 principles" in page
    assert '<span lang="sv">Programmets mål</span>' in page


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
