"""The chat page in a real headless Chromium: a person can chat, and nothing is loaded from elsewhere."""
from __future__ import annotations

import shutil

import pytest

CHROMIUM = shutil.which("chromium")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium; .ci/run does it)")
def test_a_person_can_chat_on_the_page(stack):
    from playwright.sync_api import sync_playwright

    url = f"http://{stack.settings.web_host}:{stack.settings.web_port}/"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        try:
            page = browser.new_page(viewport={"width": 360, "height": 780})
            requested: list[str] = []
            page.on("request", lambda request: requested.append(request.url))
            page.goto(url)
            assert page.get_attribute("#log", "role") == "log"
            assert page.locator("label[for=message]").inner_text() == "Ihre Nachricht"
            page.fill("#message", "Hallo")
            page.press("#message", "Enter")
            page.wait_for_selector(".msg.bot", timeout=20000)
            assert "Lotse" in page.locator(".msg.bot").first.inner_text()
            page.locator(".buttons button").first.click()
            page.wait_for_selector(".msg.bot >> nth=1", timeout=20000)
            page.fill("#message", "<img src=x onerror=alert(1)> ich wohne in Gemen")
            page.press("#message", "Enter")
            page.wait_for_selector(".msg.bot >> nth=2", timeout=20000)
            assert page.locator(".msg.user img").count() == 0  # user text is shown as text, never as HTML
            assert "Jobcenter der Stadt Borken" in page.locator(".msg.bot").nth(2).inner_text()
        finally:
            browser.close()
    outside = [u for u in requested if not u.startswith(url)]
    assert outside == []
