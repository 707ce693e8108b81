"""The reconciliation service (/reconcile, version 0.2; /reconcile/1.0-draft) on the built
store: every answer is validated against the community group's JSON Schemas."""

from __future__ import annotations

import json

import pytest
from reconcile_schemas import check

from policykg.namespaces import ORG, PKG
from policykg.reconcile.protocol import BATCH_SIZE

V10 = "/reconcile/1.0-draft"
BODY, GOAL, PROJECT = str(PKG.Body), str(PKG.Goal), str(PKG.Project)


def reconcile_v02(client, batch: dict, **params) -> dict:
    response = client.post("/reconcile", data={"queries": json.dumps(batch)}, query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    check("0.2", "reconciliation-result-batch", body)
    return body


def match_v10(client, queries: list) -> dict:
    response = client.post(V10 + "/match", json={"queries": queries})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    check("1.0-draft", "reconciliation-result-batch", body)
    return body


def best(result: dict) -> tuple[str, bool]:
    top = result["result"][0]
    return top["id"], top["match"]


def test_manifests_fit_their_schemas(client):
    v02 = client.get("/reconcile").get_json()
    check("0.2", "manifest", v02)
    assert v02["identifierSpace"] == "https://w3id.org/policykg/umea/" and v02["view"]["url"] == "http://localhost/{{id}}"
    assert v02["suggest"]["entity"] == {"service_url": "http://localhost/reconcile", "service_path": "/suggest/entity"}
    assert {t["id"] for t in v02["defaultTypes"]} >= {GOAL, BODY, PROJECT, str(PKG.FocusArea), str(PKG.Principle), str(PKG.Network), str(ORG.Organization)}
    v10 = client.get(V10, headers={"Accept-Language": "en"}).get_json()
    check("1.0-draft", "manifest", v10)
    assert v10["versions"] == ["1.0-draft"] and v10["lang"] == "en" and v10["view"]["url"] == "http://localhost/{id}"
    assert v10["name"] == "Umeå Municipality's International Program (policykg)"


def test_names_in_swedish_english_and_misspelt_find_the_same_entity(client):
    names = {
        "q0": "Umeå universitet", "q1": "Umea University", "q2": "Umeå univeristet",
        "q3": "Kulturnämnden", "q4": "Culture Board", "q5": "kultur namnden",
        "q6": "Mervärde för invånare och näringsliv", "q7": "Added value for inhabitants and businesses", "q8": "Mål 2",
    }
    results = reconcile_v02(client, {key: {"query": name} for key, name in names.items()})
    found = {key: best(results[key]) for key in names}
    assert {found[k] for k in ("q0", "q1", "q2")} == {("organisation/umea-universitet", True)}
    assert {found[k] for k in ("q3", "q4", "q5")} == {("body/kulturnamnden", True)}
    assert {found[k] for k in ("q6", "q7", "q8")} == {("goal/2", True)}
    misspelt = results["q2"]["result"][0]
    assert 85 <= misspelt["score"] < 100 and misspelt["features"][0] == {"id": "name", "name": "Name similarity", "value": misspelt["score"]}


def test_a_type_narrows_the_candidates_and_an_unknown_type_is_named(client):
    results = reconcile_v02(client, {"q0": {"query": "Umeå", "type": PROJECT, "limit": 10}, "q1": {"query": "Umeå", "type": "body"}})
    assert results["q0"]["result"] and all(c["id"].startswith("project/") for c in results["q0"]["result"])
    assert all(any(t["id"] == BODY for t in c["type"]) for c in results["q1"]["result"])
    response = client.post("/reconcile", data={"queries": json.dumps({"q7": {"query": "x", "type": "pkg:Planet"}})})
    assert response.status_code == 400
    assert "queries: q7.type: unknown type 'https://w3id.org/policykg/ontology#Planet'" in response.get_data(as_text=True)


def test_identifiers_and_ids_find_their_entity(client):
    results = reconcile_v02(client, {"q0": {"query": "2120002627"}, "q1": {"query": "Q1144565"}, "q2": {"query": "https://w3id.org/policykg/umea/goal/4"}})
    assert best(results["q0"]) == ("body/umea-kommun", True) and best(results["q1"]) == ("organisation/umea-universitet", True)
    assert best(results["q2"]) == ("goal/4", True)
    assert {"id": "identifier", "name": "Same identifier", "value": True} in results["q0"]["result"][0]["features"]


def test_property_conditions_rank_and_filter(client):
    # two projects of the Culture Board; the responsible body tells them from the others
    results = reconcile_v02(client, {"q0": {"type": PROJECT, "properties": [{"pid": "responsibleBody", "v": "Kulturnämnden"}], "limit": 20}})
    ids = [c["id"] for c in results["q0"]["result"] if c["score"] == 100]
    assert ids and "project/p-2019-003" in ids
    answer = match_v10(client, [
        {"type": PROJECT, "conditions": [
            {"matchType": "name", "propertyValue": "Kulturbryggan"},
            {"matchType": "property", "propertyId": "goals", "propertyValue": {"id": "goal/5"}, "required": True},
        ]},
        {"type": PROJECT, "conditions": [
            {"matchType": "name", "propertyValue": "Kulturbryggan"},
            {"matchType": "property", "propertyId": "goals", "propertyValue": ["goal/1"], "required": True},
        ]},
        {"conditions": [{"matchType": "id", "propertyValue": "body/kommunstyrelsen"}]},
        {"type": "organisation", "limit": 30, "conditions": [
            {"matchType": "property", "propertyId": "country", "propertyValue": "SWE", "matchQuantifier": "none", "required": True}]},
    ])["results"]
    assert answer[0]["candidates"][0]["id"] == "project/p-2019-003"
    assert all(c["id"] != "project/p-2019-003" for c in answer[1]["candidates"])  # it serves goals 3 and 5, not 1
    assert [c["id"] for c in answer[2]["candidates"]] == ["body/kommunstyrelsen"] and answer[2]["candidates"][0]["match"]
    foreign = {c["id"] for c in answer[3]["candidates"]}
    assert "organisation/wurzburg" in foreign and "organisation/umea-universitet" not in foreign


@pytest.mark.parametrize(
    "body, status, message",
    [
        ({"queries": "{not json"}, 400, "queries: not JSON"),
        ({"queries": json.dumps(["a"])}, 400, "queries: expected an object of queries by key"),
        ({"queries": json.dumps({"q0": {"query": "x", "limit": 0}})}, 400, "queries: q0.limit: expected a positive integer, got 0"),
        ({"queries": json.dumps({"q0": {"properties": [{"pid": "colour", "v": "red"}]}})}, 400, "queries: q0.properties[0].pid: unknown property 'colour'"),
        ({"queries": json.dumps({"q0": {}})}, 400, "queries: q0: give a 'query' or 'properties'"),
        ({"queries": json.dumps({f"q{i}": {"query": "x"} for i in range(BATCH_SIZE + 1)})}, 413, f"at most {BATCH_SIZE}"),
        ({"extend": json.dumps({"ids": ["goal/1"]})}, 400, "extend: expected {\"ids\""),
        ({"other": "x"}, 400, "send the form field 'queries'"),
    ],
)
def test_bad_requests_say_what_and_where(client, body, status, message):
    response = client.post("/reconcile", data=body)
    assert response.status_code == status and message in response.get_data(as_text=True)
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_bad_v10_requests_say_what_and_where(client):
    cases = [
        ({"queries": [{"conditions": []}]}, "queries[0].conditions: expected at least one condition"),
        ({"queries": [{"conditions": [{"matchType": "title", "propertyValue": "x"}]}]}, "queries[0].conditions[0].matchType"),
        ({"queries": [{"conditions": [{"matchType": "property", "propertyValue": "x"}]}]}, "queries[0].conditions[0].propertyId: unknown property None"),
        ({"queries": [{"conditions": [{"matchType": "name", "propertyValue": "x", "matchQualifier": "skos:exactMatch"}]}]}, "supports no match qualifiers"),
        ({"queries": [{"query": "x", "conditions": [{"matchType": "name", "propertyValue": "x"}]}]}, "queries[0]: unknown field 'query'"),
    ]
    for body, message in cases:
        response = client.post(V10 + "/match", json=body)
        assert response.status_code == 400 and message in response.get_data(as_text=True), body
    form = client.post(V10 + "/match", data={"queries": "[]"})
    assert form.status_code == 400 and "send JSON (Content-Type: application/json)" in form.get_data(as_text=True)


def test_suggest_entities_types_and_properties(client):
    for prefix in ("Kultur", "kultur", "body/kulturnamnden"):
        for path, version in (("/reconcile/suggest/entity", "0.2"), (V10 + "/suggest/entity", "1.0-draft")):
            body = client.get(path, query_string={"prefix": prefix}).get_json()
            check(version, "suggest-entities-response", body)
            assert body["result"][0]["id"] == "body/kulturnamnden", (prefix, body)
    typed = client.get("/reconcile/suggest/entity", query_string={"prefix": "Umeå", "type": PROJECT}).get_json()
    assert typed["result"] and all(r["id"].startswith("project/") for r in typed["result"])
    paged = client.get(V10 + "/suggest/entity", query_string={"prefix": "Umeå", "limit": 2, "offset": 2}).get_json()
    every = client.get(V10 + "/suggest/entity", query_string={"prefix": "Umeå", "limit": 4}).get_json()
    assert paged["result"] == every["result"][2:4]
    for version, root in (("0.2", "/reconcile"), ("1.0-draft", V10)):
        types = client.get(root + "/suggest/type", query_string={"prefix": "proj", "lang": "en"}).get_json()
        check(version, "suggest-types-response", types)
        assert [t["id"] for t in types["result"]] == [PROJECT]
        props = client.get(root + "/suggest/property", query_string={"prefix": "mål"}).get_json()
        check(version, "suggest-properties-response", props)
        assert [p["id"] for p in props["result"]] == ["goals"]


def test_propose_properties_for_a_type(client):
    for version, root in (("0.2", "/reconcile"), ("1.0-draft", V10)):
        body = client.get(root + "/extend/propose", query_string={"type": PROJECT, "lang": "en"}).get_json()
        check(version, "data-extension-property-proposal", body)
        ids = [p["id"] for p in body["properties"]]
        assert {"goals", "responsibleBody", "sdgTargets", "partners"} <= set(ids) and "identifiers" not in ids
    limited = client.get("/reconcile/extend/propose", query_string={"type": "organisation", "limit": 2}).get_json()
    assert limited["limit"] == 2 and len(limited["properties"]) == 2
    assert client.get("/reconcile/extend/propose").status_code == 400


def test_data_extension_gives_goals_bodies_targets_and_identifiers(client, store, built_settings):
    from helpers import named_answerer

    ids = ["project/p-2019-003", "body/umea-kommun", "no/such/entity"]
    properties = [{"id": p} for p in ("goals", "responsibleBody", "sdgTargets", "identifiers")]
    v02 = client.post("/reconcile", data={"extend": json.dumps({"ids": ids, "properties": properties})}, query_string={"lang": "en"}).get_json()
    check("0.2", "data-extension-response", v02)
    project = v02["rows"]["project/p-2019-003"]
    ask = named_answerer(store, built_settings)
    served = {r["goals"] for r in ask("projects") if r["item"].endswith("/project/p-2019-003")}
    assert {g["id"].split("/")[1] for g in project["goals"]} == set(" ".join(served).split())
    assert project["responsibleBody"] == [{"id": "body/kulturnamnden", "name": "Culture Board"}]
    assert project["sdgTargets"] == [{"str": "11.4"}]
    assert {"str": "212000-2627"} in v02["rows"]["body/umea-kommun"]["identifiers"]
    assert v02["rows"]["no/such/entity"] == {"goals": [], "responsibleBody": [], "sdgTargets": [], "identifiers": []}
    assert v02["meta"][0] == {"id": "goals", "name": "Goals served", "type": {"id": GOAL, "name": "Goal"}}
    v10 = client.post(V10 + "/extend", json={"ids": ids, "properties": properties}, query_string={"lang": "en"}).get_json()
    check("1.0-draft", "data-extension-response", v10)
    assert [row["id"] for row in v10["rows"]] == ids
    assert {p["id"]: p["values"] for p in v10["rows"][0]["properties"]} == project


def test_preview_is_an_escaped_page_that_says_where_the_data_comes_from(client):
    page = client.get("/reconcile/preview", query_string={"id": "project/p-2019-003"}).get_data(as_text=True)
    assert '<html lang="sv">' in page and "Kulturbryggan Umeå–Würzburg" in page
    assert '<a href="http://localhost/goal/5" target="_blank" rel="noopener">Närmande mellan folk, städer och regioner</a>' in page
    assert "Illustrativa exempel, inte officiella uppgifter" in page
    english = client.get(V10 + "/preview", query_string={"id": "project/p-2019-003", "lang": "en"}).get_data(as_text=True)
    assert "Illustrative examples, not official records" in english and "Culture bridge Umeå–Würzburg" in english
    goal = client.get("/reconcile/preview", query_string={"id": "goal/2"}).get_data(as_text=True)
    assert "Illustrativ" not in goal  # the program itself is real
    missing = client.get("/reconcile/preview", query_string={"id": "<script>alert(1)</script>"})
    assert missing.status_code == 404 and missing.mimetype == "text/plain"


@pytest.mark.parametrize(
    "path",
    ["/reconcile", "/reconcile/suggest/entity?prefix=x", "/reconcile/suggest/type", "/reconcile/preview?id=goal/1",
     "/reconcile/extend/propose?type=goal", V10, V10 + "/suggest/property", V10 + "/preview?id=goal/1", V10 + "/extend/propose?type=goal"],
)
def test_cors_on_every_route(client, path):
    response = client.get(path, headers={"Origin": "https://openrefine.example"})
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(path.split("?")[0], headers={"Origin": "https://x.example", "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 204 and "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]


def test_cors_on_the_post_routes(client):
    for path, body in ((V10 + "/match", {"queries": [{"conditions": [{"matchType": "name", "propertyValue": "x"}]}]}), (V10 + "/extend", {"ids": [], "properties": []})):
        response = client.post(path, json=body)
        assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
        assert client.options(path).status_code == 204
