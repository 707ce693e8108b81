"""The reconciliation service driven over HTTP as OpenRefine drives it (version 0.2): read the
manifest, guess types from the first rows, reconcile a column in batches of ten by form POST,
follow the manifest's preview and suggest URLs, then extend the matched rows with their goals.
Every answer is validated against the community group's JSON Schemas."""

from __future__ import annotations

import json
from email.message import Message
import urllib.parse
import urllib.request

import pytest
from reconcile_schemas import check

pytestmark = pytest.mark.slow

#: A column as staff type it: Swedish, English and misspelt names, and one that is nobody.
COLUMN = [
    ("Umeå universitet", "organisation/umea-universitet"),
    ("Umea University", "organisation/umea-universitet"),
    ("Umeå univeristet", "organisation/umea-universitet"),
    ("Kulturnämnden", "body/kulturnamnden"),
    ("Culture Board", "body/kulturnamnden"),
    ("Kultur nämnden", "body/kulturnamnden"),
    ("Region Västerbotten", "organisation/region-vasterbotten"),
    ("Eurocities", "network/eurocities"),
    ("Union of Baltic Cities", "network/ubc"),
    ("Kulturbryggan Umeå–Würzburg", "project/p-2019-003"),
    ("Nordic lab for sustainable urban mobilty", "project/p-2018-001"),
    ("Mål 2", "goal/2"),
    ("Added value for inhabitants and busineses", "goal/2"),
    ("Tekniska nämden", "body/tekniska-namnden"),
    ("Helt okänd förening i Ankeborg", None),
]
BATCH = 10  # OpenRefine's default batch size


def get(url: str) -> tuple[int, Message, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.headers, response.read()  # (header names are case-insensitive)


def post_form(url: str, **fields) -> dict:
    data = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        return json.loads(response.read())


def test_reconcile_a_column_then_extend_it_with_goals(published_live, store):
    status, headers, body = get(published_live.url + "reconcile")
    manifest = json.loads(body)
    check("0.2", "manifest", manifest)
    service = published_live.url + "reconcile"
    assert headers["Access-Control-Allow-Origin"] == "*" and manifest["suggest"]["entity"]["service_url"] == service

    # guessing the column's types: the first rows, no type, three candidates each
    guess = post_form(service, queries=json.dumps({f"q{i}": {"query": name, "limit": 3} for i, (name, _) in enumerate(COLUMN[:BATCH])}))
    check("0.2", "reconciliation-result-batch", guess)
    guessed = {t["id"] for result in guess.values() for c in result["result"] for t in c["type"]}
    assert {t["id"] for t in manifest["defaultTypes"]} >= guessed and len(guessed) >= 3

    # reconciling against no particular type, in batches, as OpenRefine sends them
    chosen = {}
    for start in range(0, len(COLUMN), BATCH):
        rows = COLUMN[start : start + BATCH]
        batch = {f"q{start + i}": {"query": name, "type_strict": "should"} for i, (name, _) in enumerate(rows)}
        results = post_form(service, queries=json.dumps(batch))
        check("0.2", "reconciliation-result-batch", results)
        assert set(results) == set(batch)
        for i, (name, _) in enumerate(rows):
            candidates = results[f"q{start + i}"]["result"]
            matched = [c for c in candidates if c["match"]]
            chosen[name] = matched[0]["id"] if matched else None
            assert [c["score"] for c in candidates] == sorted((c["score"] for c in candidates), reverse=True)
    assert chosen == dict(COLUMN)

    # the preview and the suggest service the manifest points to
    preview = manifest["preview"]["url"].replace("{{id}}", urllib.parse.quote("body/kulturnamnden", safe=""))
    status, headers, page = get(preview)
    assert status == 200 and headers["Content-Type"].startswith("text/html") and "Kulturnämnden" in page.decode()
    suggest = manifest["suggest"]["entity"]
    status, _, body = get(suggest["service_url"] + suggest["service_path"] + "?prefix=" + urllib.parse.quote("Kultur"))
    suggestions = json.loads(body)
    check("0.2", "suggest-entities-response", suggestions)
    assert suggestions["result"][0]["id"] == "body/kulturnamnden"
    view = manifest["view"]["url"].replace("{{id}}", "goal/2")
    assert get(view)[0] == 200  # the entity's own page

    # the properties OpenRefine offers for a type, then the extension with goals
    propose = manifest["extend"]["propose_properties"]
    status, _, body = get(propose["service_url"] + propose["service_path"] + "?type=" + urllib.parse.quote(guess["q3"]["result"][0]["type"][0]["id"]))
    proposed = json.loads(body)
    check("0.2", "data-extension-property-proposal", proposed)
    assert "goals" in {p["id"] for p in proposed["properties"]}
    ids = sorted({entity for entity in chosen.values() if entity})
    extended = post_form(service, extend=json.dumps({"ids": ids, "properties": [{"id": "goals"}, {"id": "responsibleBody"}]}))
    check("0.2", "data-extension-response", extended)
    goals = {entity: {v["id"] for v in extended["rows"][entity]["goals"]} for entity in ids}
    assert goals == {entity: expected_goals(store, entity) for entity in ids}
    assert goals["project/p-2019-003"] == {"goal/3", "goal/5"} and goals["goal/2"] == set()
    assert extended["rows"]["project/p-2019-003"]["responsibleBody"] == [{"id": "body/kulturnamnden", "name": "Kulturnämnden"}]
    assert all(v["name"] for values in extended["rows"].values() for v in values["goals"])


def expected_goals(store, entity: str) -> set[str]:
    """The goals an entity serves, itself or through the work it is responsible for, is the network of or partners in."""
    base = "https://w3id.org/policykg/umea/"
    query = f"""PREFIX pkg: <https://w3id.org/policykg/ontology#> PREFIX org: <http://www.w3.org/ns/org#>
    SELECT DISTINCT ?goal WHERE {{
      {{ <{base}{entity}> pkg:servesGoal ?goal }}
      UNION {{ ?work pkg:responsibleBody|org:organization|pkg:partner <{base}{entity}> ; pkg:servesGoal ?goal }} }}"""
    return {row["goal"].value[len(base) :] for row in store.query(query)}
