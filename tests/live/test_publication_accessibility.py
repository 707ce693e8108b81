"""The publication's pages pass axe-core (WCAG 2.1 A and AA) in headless Chromium, without JavaScript
of their own, with the right lang attributes: the landing page, /downloads/ and the ontology's
documentation in both languages.

Debian's Chromium (/usr/bin/chromium) is driven by Playwright; axe-core comes from npm
(tests/axe, installed by `make install`). Without either, the tests are skipped with the reason.
"""

from __future__ import annotations

import shutil

import pytest
from helpers import REPO

pytestmark = pytest.mark.slow

AXE = REPO / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PAGES = ["/", "/downloads/", "/ontology.en.html", "/ontology.sv.html"]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM:
        pytest.skip("Chromium is not installed (apt-get install chromium): accessibility not checked")
    if not AXE.is_file():
        pytest.skip(f"axe-core is not installed at {AXE} (make install needs npm): accessibility not checked")
    playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (make install)")
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_wcag_21_aa_violation(browser, published_live, path: str) -> None:
    # JavaScript off for the page itself: it must work without; axe runs through Playwright's evaluate.
    context = browser.new_context(java_script_enabled=True)
    page = context.new_page()
    page.route("**/*.js", lambda route: route.abort())  # no script of the page's own runs
    response = page.goto(published_live.url.rstrip("/") + path)
    assert response.status == 200
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")  # not a script tag: the CSP forbids inline script
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    context.close()
    problems = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}" for v in result["violations"]]
    assert not problems, "\n".join(problems)
    assert result["passes"], "axe ran no check"


def test_pages_say_their_language(browser, published_live) -> None:
    page = browser.new_page()
    for path, language in (("/", "en"), ("/ontology.sv.html", "sv"), ("/ontology.en.html", "en")):
        page.goto(published_live.url.rstrip("/") + path)
        assert page.evaluate("document.documentElement.lang") == language
    # Swedish text on the English pages carries lang="sv"
    page.goto(published_live.url.rstrip("/") + "/downloads/")
    assert page.locator('[lang="sv"]').count() >= 1
    page.close()
