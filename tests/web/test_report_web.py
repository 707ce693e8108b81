"""The annual follow-up report and the findings of the checks on the web: one document in
five formats chosen by the one negotiator, downloads named, pages with their security headers."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re

import pytest

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize(
    ("query", "accept", "media_type", "download"),
    [
        ("", None, "text/html", None),
        ("?format=pdf", None, "application/pdf", "uppfoljning-2024.pdf"),
        ("?format=xlsx", None, XLSX, "uppfoljning-2024.xlsx"),
        ("?format=json", None, "application/json", "uppfoljning-2024.json"),
        ("?format=csv", None, "text/csv", "uppfoljning-2024.csv"),
        ("", "application/pdf", "application/pdf", "uppfoljning-2024.pdf"),
        ("", "text/csv;q=0.9, application/json", "application/json", "uppfoljning-2024.json"),
    ],
)
def test_the_report_comes_in_the_format_asked_for(client, query, accept, media_type, download):
    response = client.get("/report/2024" + query, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == media_type
    assert "Accept-Language" in response.vary and "Accept" in response.vary
    disposition = response.headers.get("Content-Disposition")
    assert (disposition is None) if download is None else (disposition == f'attachment; filename="{download}"')
    body = response.get_data()
    if media_type == "application/pdf":
        assert body.startswith(b"%PDF-")
    elif media_type == XLSX:
        assert body.startswith(b"PK")  # a zip package
    elif media_type == "application/json":
        assert json.loads(body)["year"] in (2024, "2024")


def test_the_report_page_allows_its_own_style_sheet_and_nothing_else(client):
    response = client.get("/report/2024?lang=en")
    page = response.get_data(as_text=True)
    assert '<html lang="en">' in page
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    digest = "'sha256-" + base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode() + "'"
    policy = response.headers["Content-Security-Policy"]
    assert f"style-src 'self' {digest};" in policy
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"


def test_a_body_has_its_own_report(client):
    response = client.get("/report/2024/body/kommunstyrelsen?format=csv")
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert response.headers["Content-Disposition"] == 'attachment; filename="uppfoljning-2024-kommunstyrelsen.csv"'


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        ("/report/2024?format=ttl", 406, "application/pdf"),  # a format we know, not of the report
        ("/report/2024?format=docx", 400, "parameter format: 'docx'"),
        ("/report/1800", 404, "1990 to 2100"),
        ("/report/2024/body/no-such-body", 404, "'no-such-body'"),
    ],
)
def test_a_report_that_cannot_be_made_says_why(client, path, status, says):
    response = client.get(path, headers={"Accept": "text/plain"})
    assert response.status_code == status
    assert says in response.get_data(as_text=True)


def test_the_compliance_page_lists_the_findings_with_the_pages_headers(client):
    response = client.get("/compliance?lang=en")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Compliance with the program" in page
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert "Accept-Language" in response.vary


def test_the_csv_report_opens_as_text_in_a_spreadsheet(client):
    body = client.get("/report/2024?format=csv").get_data(as_text=True)
    rows = list(__import__("csv").reader(io.StringIO(body)))
    assert len(rows) > 1 and all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_the_report_runs_as_queries_do_under_the_time_limit(built_settings):
    """A report was gathered in the server's own thread, without a limit: on the 1 M-activity set
    one request held a core for minutes. It now runs in a query process under the time limit."""
    from policykg.server import create_app

    app = create_app({**built_settings.as_dict(), "update_token": None, "query_timeout": 0.05, "result_cache_bytes": 0})
    try:
        response = app.test_client().get("/report/2024?format=pdf", headers={"Accept": "text/plain"})
        assert response.status_code == 504
        assert "policykg report" in response.get_data(as_text=True)
    finally:
        app.extensions["policykg.querypool"].close()

