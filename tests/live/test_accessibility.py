"""Accessibility: every kind of page passes axe-core (WCAG 2.1 A and AA) in headless
Chromium, and the pages work without JavaScript.

The browser is Debian's Chromium (``.ci/run`` installs it; ``POLICYKG_CHROMIUM``
names another), driven by Playwright without a browser download; axe-core comes
from npm (``tests/axe``, installed by ``make install``). Where either is absent
the tests are skipped with the reason, unless ``POLICYKG_REQUIRE_BROWSER`` is set
(as ``.ci/run`` does), which makes a missing browser a failure.
"""

from __future__ import annotations

import os
import shutil

import pytest
from helpers import REPO, require_shared

pytestmark = pytest.mark.slow

AXE = REPO / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LAUNCH_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]

#: One page of each kind, in both languages where the page has words of its own.
PAGES = [
    "/",
    "/?lang=en",
    "/api/",
    "/api/responsibilities?body=body/kommunstyrelsen",
    "/api/responsibilities?body=not+an+iri&lang=en",  # the form with its errors
    "/api/goals?limit=2&lang=en",  # results with a next page
    "/goal/2",
    "/goal/4?lang=en",
    "/focus-area/international-umea",
    "/principle/children-and-youth?lang=en",
    "/body/kulturnamnden",
    "/body/kommunstyrelsen?lang=en",
    "/project/ungdomsutbyte",
    "/activity/studieresa-abo?lang=en",
    "/membership/kulturnamnden-eurocities",
    "/sdg/4.7",
    "/program",
    "/program/section/5?lang=en",
    "/graph/program",
    "/trace-link/goal/1/contributes-to/strategic-plan",
    "/resource?iri=https%3A%2F%2Fw3id.org%2Fpolicykg%2Fontology%23Goal",
    "/report/2024",  # the annual follow-up report (a page of its own, with SVG charts)
    "/report/2024?lang=en",
    "/report/2024/body/kommunstyrelsen",
    "/compliance",
    "/compliance?lang=en",
    "/principle/aid-projects",  # its rules and their findings
    "/goal/99",  # 404
    "/editor",  # the shell; the editor widget itself is third-party code
]


def _chromium() -> str | None:
    return os.environ.get("POLICYKG_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def _missing(reason: str):
    if os.environ.get("POLICYKG_REQUIRE_BROWSER"):
        pytest.fail(f"{reason} (POLICYKG_REQUIRE_BROWSER is set: the accessibility tests must run)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    if not executable:
        _missing("Chromium is not installed (apt-get install chromium, as .ci/run does): axe-core cannot run")
    if not AXE.is_file():
        _missing(f"axe-core is not installed at {AXE.relative_to(REPO)} (make install runs npm ci in tests/axe)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        yield launched
        launched.close()


def readable(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"][:5]:
            lines.append(f"    at {' '.join(node['target'])}: {node['html'][:160]}")
            lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)



def inject_axe(page) -> None:
    """axe-core into the page through the browser's developer protocol: the pages' own
    Content-Security-Policy forbids inline script, and rightly so."""
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")


#: Pages with the links to other datasets, which only the full build has (reference data, mapping sets, indicators).
LINKED_PAGES = [
    "/body/umea-kommun",  # identifiers, outside links, EU participations
    "/body/umea-kommun?lang=en",
    "/goal/2",  # indicators: SVG charts with their tables
    "/goal/2?lang=en",
    "/place/county/24?lang=en",
]


@pytest.mark.parametrize("path", LINKED_PAGES)
def test_no_wcag_2_1_aa_violation_on_the_linking_pages(browser, published_live, path):
    if path.startswith("/place/"):
        require_shared("data", "links", "se-municipalities")  # the places come from there
    check_page(browser, published_live, path)


@pytest.mark.parametrize("path", PAGES)
def test_no_wcag_2_1_aa_violation(browser, work_live, path):
    check_page(browser, work_live, path)


def check_page(browser, server, path: str) -> None:
    """axe-core finds no WCAG 2.1 AA violation on the page at ``path`` of ``server``."""
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    # The shell of the editor page is ours; YASGUI, which fills it, is not tested here.
    page.route("**/static/vendor/yasgui/**", lambda route: route.abort())
    try:
        response = page.goto(server.url.rstrip("/") + path)
        expected = {"/goal/99": 404, "/api/responsibilities?body=not+an+iri&lang=en": 400}.get(path, 200)
        assert response is not None and response.status == expected, path
        inject_axe(page)
        result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    finally:
        context.close()
    assert result["passes"], f"axe checked nothing on {path}"
    assert not result["violations"], f"{path} has WCAG 2.1 AA violations:\n{readable(result['violations'])}"


def test_the_api_form_works_without_javascript(browser, work_live):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(work_live.url + "api/responsibilities.html?lang=en")
        page.fill("#param-body", "body/kommunfullmaktige")
        page.fill("#param-limit", "2")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        assert "body=body%2Fkommunfullmaktige" in page.url and "limit=2" in page.url
        rows = page.locator("#answer + div table tbody tr")
        assert rows.count() == 2
        assert "The Municipal Council adopts the program" in page.content()
        page.click("a[rel=next]")
        page.wait_for_load_state()
        assert "offset=2" in page.url and page.locator("#answer + div table tbody tr").count() == 1
    finally:
        context.close()


def test_resource_pages_and_paging_work_without_javascript(browser, work_live):
    context = browser.new_context(java_script_enabled=False, locale="sv-SE")
    page = context.new_page()
    try:
        page.goto(work_live.url)
        page.click("text=Mervärde för invånare och näringsliv")
        page.wait_for_load_state()
        assert page.url.endswith("/goal/2")
        page.click("text=Ungdomsutbyte med Åbo >> nth=0")
        page.wait_for_load_state()
        assert page.url.endswith("/project/ungdomsutbyte") and "Studieresa till Åbo" in page.content()
        page.click("text=In English")
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "en" and "Youth exchange with Turku" in page.content()
    finally:
        context.close()


def test_the_landing_page_reaches_every_goal(browser, work_live):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(work_live.url)
        goals = page.locator("#goals + ol a")
        links = [goals.nth(i).get_attribute("href") for i in range(goals.count())]
        assert links == [f"/goal/{n}" for n in range(1, 6)]
    finally:
        context.close()


def test_the_harness_reports_a_violation_when_there_is_one(browser):
    """axe, run the same way, finds what is wrong on a page made to fail."""
    page = browser.new_page()
    try:
        page.set_content('<!doctype html><html><head><title>x</title></head><body><main><img src="x.png"><input id="q"></main></body></html>')
        inject_axe(page)
        result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    finally:
        page.close()
    found = {violation["id"] for violation in result["violations"]}
    assert {"html-has-lang", "image-alt", "label"} <= found, readable(result["violations"])


def test_the_editor_runs_under_its_content_security_policy(browser, work_live):
    """YASGUI starts on the editor's page and the browser reports no blocked script or style."""
    from helpers import REPO

    if not (REPO / "server" / "static" / "vendor" / "yasgui" / "yasgui.min.js").is_file():
        pytest.skip("YASGUI is not installed (make install runs npm ci in server/frontend)")
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    violations = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
    try:
        page.goto(work_live.url + "editor")
        page.wait_for_selector(".yasgui", timeout=15000)
    finally:
        context.close()
    assert not violations, violations
