"""The situation check's list in the widget (issue #23), in Debian's headless Chromium: readable on a
360 px phone, a button that opens it as a page to print from this server (the list handed over in the
browser, nothing loaded from elsewhere), axe-core without violations on the list and on the page."""
from __future__ import annotations

import pytest

from tests.integration.conftest import needs_chromium
from tests.integration.test_widget import AXE_ALL_RULES, PHONE, Visit, screenshot

pytestmark = needs_chromium
START = {"de": "Was steht mir zu?", "en": "What am I entitled to?", "uk": "Що мені належить?"}
SKIP = {"de": "Überspringen", "en": "Skip", "uk": "Пропустити"}
OPEN = {"de": "Liste als Seite zum Drucken öffnen", "en": "Open the list as a page to print", "uk": "Відкрити список як сторінку для друку"}
NO_HORIZONTAL_SCROLL = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def check_until_the_list(v: Visit, lang: str, answers: list[str]) -> None:
    """Starts the check and answers its questions by button (skipping when `answers` run out)."""
    v.say(START[lang])
    for _ in range(8):
        if v.page.locator(".print-button").count():
            return
        title = answers.pop(0) if answers else SKIP[lang]
        before = v.bot_count()
        v.page.locator(".replies button").filter(has_text=title).first.click()
        v.wait_for_bot_messages(before + 1)
        v.page.wait_for_timeout(300)  # the list comes in several messages
    v.page.wait_for_selector(".print-button", timeout=30000)


@pytest.fixture
def visit(browser, stack):
    opened: list[Visit] = []

    def make(**options) -> Visit:
        opened.append(Visit(browser, stack, **options))
        return opened[-1]

    yield make
    for v in opened:
        v.close()


@pytest.mark.parametrize("lang", ["de", "en", "uk"])
def test_the_list_on_a_phone_and_as_a_page_to_print(visit, stack, lang, tmp_path):
    from axe_playwright_python.sync_playwright import Axe

    v = visit(viewport=PHONE)
    v.open()
    v.page.select_option("#lotse-language", lang)
    check_until_the_list(v, lang, [])
    page = v.page
    button = page.locator(".print-button")
    assert button.count() == 1 and OPEN[lang] in button.inner_text()
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    # the list starts at the top of the log, readable: its heading and first item
    first = page.locator(".msg.bot").filter(has_text="Mehrbedarf").first
    assert first.is_visible() and first.bounding_box()["width"] <= PHONE["width"]
    axe = Axe()
    report = axe.run(page, options=AXE_ALL_RULES)
    assert report.violations_count == 0, report.generate_report()
    if lang == "de":
        first.scroll_into_view_if_needed()
        screenshot(page, "screenshot-situation-check-mobile.png", tmp_path)
        button.scroll_into_view_if_needed()  # the end of the list: the page to print and the callback
        screenshot(page, "screenshot-situation-check-end-mobile.png", tmp_path)

    with page.context.expect_page() as opened:
        button.click()
    printed = opened.value
    printed.on("request", lambda request: v.requested.append(request.url))
    printed.wait_for_selector("section.item", timeout=15000)
    assert printed.url.startswith(v.origin + "/widget/print.html")
    assert printed.evaluate("document.documentElement.lang") == lang
    items = printed.locator("section.item h2")
    assert items.count() >= 8 and items.first.inner_text().startswith("1. ")
    assert "Mehrbedarf" in printed.locator("main").inner_text()
    assert printed.locator(".limits").count() == 1
    assert printed.evaluate(NO_HORIZONTAL_SCROLL)
    report = axe.run(printed, options=AXE_ALL_RULES)
    assert report.violations_count == 0, report.generate_report()
    if lang == "de":
        screenshot(printed, "screenshot-situation-check-print-mobile.png", tmp_path)
    assert v.outside_requests() == []


def test_the_page_to_print_opened_on_its_own_shows_no_list(visit, stack):
    v = visit(viewport=PHONE)
    v.page.goto(v.origin + "/widget/print.html?lang=de")
    v.page.wait_for_selector("#status:has-text('keine Liste')")
    assert v.page.locator("section.item").count() == 0
