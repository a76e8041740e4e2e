"""The chat widget on the demo page, in a real headless Chromium (Debian's), as people use it:
with a mouse, with the keyboard alone, on a 360 px phone, zoomed, after a reload and a network
loss, and checked by axe-core (every rule it enables by default: WCAG 2.0-2.2 A/AA and best
practices). Answers are shown from their start, sources as titled links under a disclosure.
Nothing may be requested outside this server."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.integration.conftest import needs_chromium
from tests.integration.test_callbacks import rows

pytestmark = needs_chromium
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
# No runOnly: axe-core runs every rule it enables by default (WCAG A/AA and best practices such as
# landmark-no-duplicate-banner, landmark-unique and region); only experimental and AAA rules are off.
AXE_ALL_RULES = {"resultTypes": ["violations"]}
# A long answer with three sources and buttons (content/answers/arbeit.yml, arbeitspflicht).
LONG_QUESTION = {
    "de": "Ab wann muss ich als Alleinerziehende arbeiten gehen?",
    "en": "From when do I have to work as a single mother?",
    "uk": "З якого віку дитини я мушу йти працювати?",
}
LONG_ANSWER_START = {"de": "Das hängt vor allem", "en": "This depends mainly", "uk": "Це залежить насамперед"}
STATE = "() => JSON.parse(sessionStorage.getItem('lotse-widget'))"
FOCUSED = """() => {
  const host = document.activeElement;
  const el = host && host.shadowRoot ? host.shadowRoot.activeElement : host;
  if (!el) return null;
  const style = getComputedStyle(el);
  return {inWidget: host.id === 'lotse-widget', id: el.id, cls: el.className || '', text: el.textContent.trim(),
          outline: style.outlineStyle + ' ' + style.outlineWidth};
}"""



class Visit:
    """A fresh browser context on the demo page that records every request and WebSocket."""

    def __init__(self, browser, stack, **context_options):
        self.origin = f"http://127.0.0.1:{stack.settings.web_port}"
        self.context = browser.new_context(**context_options)
        self.page = self.context.new_page()
        self.requested: list[str] = []
        self.page.on("request", lambda request: self.requested.append(request.url))
        self.page.on("websocket", lambda ws: self.requested.append(ws.url))
        self.page.goto(self.origin + "/")
        self.page.wait_for_selector("button.launcher")

    def open(self) -> None:
        self.page.click("button.launcher")
        self.page.wait_for_selector("#lotse-panel:not([hidden])")

    def say(self, text: str) -> None:
        before = self.page.locator(".msg.bot").count()
        self.page.fill("#lotse-message", text)
        self.page.press("#lotse-message", "Enter")
        self.wait_for_bot_messages(before + 1)

    def bot_count(self) -> int:
        return self.page.locator(".msg.bot").count()

    def answer(self, start: str):
        """The bot message that begins with `start`."""
        return self.page.locator(".msg.bot").filter(has_text=start).last

    def wait_for_bot_messages(self, count: int) -> None:
        self.page.wait_for_selector(f".msg.bot >> nth={count - 1}", timeout=30000)
        self.page.wait_for_selector(".typing", state="hidden", timeout=30000)

    def focused(self) -> dict:
        return self.page.evaluate(FOCUSED)

    def outside_requests(self) -> list[str]:
        ws_origin = "ws" + self.origin[len("http"):]
        return [u for u in self.requested if not (u.startswith(self.origin + "/") or u.startswith(ws_origin + "/"))]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser, stack):
    opened: list[Visit] = []

    def make(**options) -> Visit:
        opened.append(Visit(browser, stack, **options))
        return opened[-1]

    yield make
    for v in opened:
        v.close()


def session_id(token: str) -> str:
    return token.split(".")[1]


def tracker_user_texts(stack, conversation: str) -> list[str]:
    with sqlite3.connect(stack.settings.tracker_db) as db:
        rows = db.execute("select data from events where sender_id = ? and type_name = 'user' order by id", (conversation,)).fetchall()
    return [json.loads(row[0])["text"] for row in rows]


def screenshot(page, name: str, tmp_path: Path) -> None:
    """Always into the test's folder; into docs/ when LOTSE_UPDATE_SCREENSHOTS=1."""
    page.screenshot(path=str(tmp_path / name))
    if os.environ.get("LOTSE_UPDATE_SCREENSHOTS") == "1":
        shutil.copy(tmp_path / name, ROOT / "docs" / name)


def test_chat_quick_reply_reload_rating_and_clearing_the_history(visit, stack, tmp_path):
    v = visit(viewport=DESKTOP)
    page = v.page
    # Nothing is stored and no connection is opened before the person opens the chat.
    assert page.evaluate(STATE) is None
    assert not [u for u in v.requested if "/socket.io/" in u]

    v.open()
    assert v.focused()["id"] == "lotse-message"
    assert "kein Mensch" in page.locator("#lotse-notice").inner_text()
    assert page.get_attribute("#lotse-notice a", "href") == v.origin + "/datenschutz.html"
    v.say("Hallo")
    assert page.get_attribute("#lotse-log", "role") == "log"
    assert "Lotse" in page.locator(".msg.bot").first.inner_text()

    first_reply = page.locator(".replies button").first
    title = first_reply.inner_text()
    first_reply.click()
    v.wait_for_bot_messages(2)
    assert page.locator(".msg.user").nth(1).inner_text().endswith(title)  # the title, not the payload
    assert page.locator(".replies button").filter(has_text=title).count() == 0  # used replies go away

    v.say("<img src=x onerror=alert(1)> ich wohne in Gemen")
    assert page.locator(".msg img").count() == 0  # shown as text, never as HTML
    assert "<img src=x" in page.locator(".msg.user").nth(2).inner_text()
    assert "Jobcenter der Stadt Borken" in page.locator(".msg.bot").nth(2).inner_text()
    screenshot(page, "screenshot-widget-desktop.png", tmp_path)

    token = page.evaluate(STATE)["token"]
    page.reload()
    page.wait_for_selector(".msg.user >> nth=2", timeout=20000)  # open again, with the whole conversation
    assert page.evaluate(STATE)["token"] == token
    assert page.locator(".msg.user").count() == 3
    v.say("Was kostet die Kita?")
    assert tracker_user_texts(stack, session_id(token))[-1] == "Was kostet die Kita?"

    down = page.locator(".msg.bot").first.locator("button[data-rating=down]")
    down.click()
    page.wait_for_selector(".status:has-text('Danke')")
    assert down.get_attribute("aria-pressed") == "true"

    page.click("text=Verlauf löschen")
    page.click("text=Ja, löschen")
    page.wait_for_selector(".status:has-text('gelöscht')")
    assert page.locator(".msg").count() == 0
    new_token = page.evaluate(STATE)["token"]
    assert session_id(new_token) != session_id(token)
    assert tracker_user_texts(stack, session_id(token)) == []
    assert v.focused()["id"] == "lotse-message"

    # The browser really talked over a WebSocket through this server, and to nobody else.
    assert any(u.startswith("ws://127.0.0.1:") for u in v.requested)
    assert v.outside_requests() == []


def test_the_conversation_goes_on_after_a_network_loss(visit, stack):
    v = visit(viewport=PHONE)
    v.open()
    v.say("Hallo")
    token = v.page.evaluate(STATE)["token"]
    stack.stop("web")  # the connection between browser and Lotse breaks
    try:
        v.page.wait_for_selector(".status:has-text('Keine Verbindung')", timeout=20000)
    finally:
        stack.start(only=("web",))
        stack.wait_ready(timeout=60)
    v.page.wait_for_selector(".status:has-text('Wieder verbunden')", timeout=40000)
    v.say("Wo ist das Jobcenter?")
    assert v.page.evaluate(STATE)["token"] == token
    assert tracker_user_texts(stack, session_id(token)) == ["Hallo", "Wo ist das Jobcenter?"]
    assert v.outside_requests() == []


def test_the_widget_can_be_used_with_the_keyboard_alone(visit, stack, tmp_path):
    v = visit(viewport=PHONE)
    page = v.page
    for _ in range(12):
        page.keyboard.press("Tab")
        if "launcher" in v.focused()["cls"]:
            break
    launcher = v.focused()
    assert "launcher" in launcher["cls"] and launcher["outline"].startswith("solid")  # visible focus

    page.keyboard.press("Enter")
    assert v.focused()["id"] == "lotse-message"
    page.keyboard.type("Hallo")
    page.keyboard.press("Enter")
    v.wait_for_bot_messages(1)
    screenshot(page, "screenshot-widget-mobile.png", tmp_path)

    # Back from the input to the quick replies, choose one with Enter.
    for _ in range(8):
        page.keyboard.press("Shift+Tab")
        if page.locator(".replies button:focus").count():
            break
    chosen = v.focused()["text"]
    assert page.locator(".replies button:focus").count() == 1
    page.keyboard.press("Enter")
    v.wait_for_bot_messages(2)
    assert page.locator(".msg.user").nth(1).inner_text().endswith(chosen)

    # On a phone the panel covers the page: Tab stays inside it.
    for _ in range(25):
        page.keyboard.press("Tab")
        assert v.focused()["inWidget"]

    page.keyboard.press("Escape")
    assert page.locator("#lotse-panel").is_hidden()
    assert "launcher" in v.focused()["cls"]
    page.keyboard.press("Enter")
    assert v.focused()["id"] == "lotse-message"
    assert page.locator(".msg.user").count() == 2  # closing does not lose the conversation


def test_axe_core_finds_no_violations_of_any_rule(visit, stack):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    reports = {}
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        v = visit(viewport=viewport)
        reports[f"{name}, closed"] = axe.run(v.page, options=AXE_ALL_RULES)
        v.open()
        v.say("Hallo")
        v.page.locator(".msg.bot").first.locator("button[data-rating=up]").click()
        v.page.wait_for_selector(".status:has-text('Danke')")
        reports[f"{name}, conversation"] = axe.run(v.page, options=AXE_ALL_RULES)
        v.page.click("text=Verlauf löschen")
        reports[f"{name}, confirm erasure"] = axe.run(v.page, options=AXE_ALL_RULES)
        assert v.outside_requests() == []
    failing = {state: r.generate_report() for state, r in reports.items() if r.violations_count}
    assert failing == {}


@pytest.mark.parametrize("language", ["de", "en", "uk"])
def test_an_answer_with_buttons_and_open_sources_has_no_axe_violations(visit, stack, language):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    failing = {}
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        v = visit(viewport=viewport)
        v.open()
        v.page.select_option("#lotse-language", language)
        v.say(LONG_QUESTION[language])
        answer = v.answer(LONG_ANSWER_START[language])
        assert answer.locator(".sources summary").count() == 1 and v.page.locator(".replies button").count() > 0
        report = axe.run(v.page, options=AXE_ALL_RULES)
        if report.violations_count:
            failing[f"{name}, sources closed"] = report.generate_report()
        answer.locator(".sources summary").click()
        report = axe.run(v.page, options=AXE_ALL_RULES)
        if report.violations_count:
            failing[f"{name}, sources open"] = report.generate_report()
        assert v.page.evaluate("() => document.querySelectorAll('header, [role=banner]').length") == 1
        assert v.outside_requests() == []
    assert failing == {}


LOG_BOX = """() => {
  const log = document.getElementById('lotse-widget').shadowRoot.getElementById('lotse-log');
  const r = log.getBoundingClientRect();
  return {top: r.top, bottom: r.bottom, scrollTop: log.scrollTop};
}"""


# The box of a text's first line (of its first word).
FIRST_LINE = """p => {
  const range = document.createRange();
  const text = p.firstChild;
  range.setStart(text, 0);
  range.setEnd(text, Math.min(text.length, text.textContent.indexOf(' ') > 0 ? text.textContent.indexOf(' ') : text.length));
  const r = range.getClientRects()[0];
  return {y: r.top, height: r.height};
}"""


def test_a_long_answer_is_shown_from_its_start_with_its_sources_as_titled_links(visit, stack, tmp_path):
    v = visit(viewport=PHONE)
    page = v.page
    v.open()
    v.say("Hallo")
    v.say(LONG_QUESTION["de"])  # the answer's short core first (issue #22) …
    page.evaluate("""() => {
      const log = document.getElementById('lotse-widget').shadowRoot.getElementById('lotse-log');
      window.__logChanges = {added: [], removedMessages: 0};
      new MutationObserver(records => records.forEach(r => {
        r.addedNodes.forEach(n => window.__logChanges.added.push(n.className || n.nodeName));
        r.removedNodes.forEach(n => { if (n.classList && n.classList.contains('msg')) window.__logChanges.removedMessages++; });
      })).observe(log, {childList: true});
    }""")
    v.say("Mehr dazu")  # … then its whole text, longer than the log on a phone
    answer = v.answer(LONG_ANSWER_START["de"])
    log = page.evaluate(LOG_BOX)
    box = answer.bounding_box()
    first_line = answer.locator("p").first.evaluate(FIRST_LINE)
    assert box["height"] > log["bottom"] - log["top"]  # longer than the log: scrolled to its end, its start was hidden
    assert log["top"] <= first_line["y"] and first_line["y"] + first_line["height"] <= log["bottom"]  # its first line is in view
    assert log["scrollTop"] > 0
    question = page.locator(".msg.user").last.bounding_box()
    assert question["y"] >= log["top"] - 1  # and the question before it, as there is room for it
    assert v.focused()["id"] == "lotse-message"  # the answer did not take the focus
    screenshot(page, "screenshot-widget-answer-mobile.png", tmp_path)

    # The live log gets each new message once, appended; nothing shown before is replaced or re-added.
    assert page.get_attribute("#lotse-log", "aria-live") == "polite"
    assert page.get_attribute("#lotse-log", "aria-relevant") == "additions"
    assert page.get_attribute("#lotse-log", "aria-atomic") in (None, "false")
    changes = page.evaluate("() => window.__logChanges")
    assert changes["removedMessages"] == 0
    assert changes["added"].count("msg user") == 1 and 1 <= changes["added"].count("msg bot") <= 2, changes

    # Sources: folded under "Quellen", named by their titles, each a link to its address; no raw URL as text.
    summary = answer.locator(".sources summary")
    assert summary.inner_text() == "Quellen"
    assert "http" not in answer.inner_text() and "Geprüft am" not in answer.inner_text()
    summary.click()
    links = answer.locator(".sources a")
    assert links.count() == 3
    assert links.first.inner_text().startswith("KomNet NRW")
    assert links.first.get_attribute("href") == "https://www.komnet.nrw.de/_sitetools/dialog/11486"
    assert links.first.get_attribute("target") == "_blank" and "noopener" in links.first.get_attribute("rel")
    assert all("http" not in text for text in links.all_inner_texts())
    assert answer.locator(".sources .checked").inner_text().startswith("Geprüft am ")
    answer.locator(".sources").evaluate(
        "el => { const log = el.closest('.log');"
        " log.scrollTop += el.getBoundingClientRect().top - log.getBoundingClientRect().top - 8; }"
    )
    screenshot(page, "screenshot-widget-sources-mobile.png", tmp_path)

    # After a reload the restored answer looks the same.
    page.reload()
    page.wait_for_selector(".msg.user >> nth=1", timeout=20000)
    restored = v.answer(LONG_ANSWER_START["de"])
    assert restored.locator(".sources summary").inner_text() == "Quellen"
    assert "http" not in restored.inner_text()
    assert v.outside_requests() == []


@pytest.mark.parametrize("width", [320, 360])
def test_no_sideways_scrolling_on_a_narrow_phone(visit, stack, width):
    v = visit(viewport={"width": width, "height": 640})
    v.open()
    v.say(LONG_QUESTION["de"])
    v.answer(LONG_ANSWER_START["de"]).locator(".sources summary").click()
    overflow = v.page.evaluate(
        "() => { const r = document.getElementById('lotse-widget').shadowRoot;"
        " return [r.getElementById('lotse-panel'), r.getElementById('lotse-log')].map(e => e.scrollWidth - e.clientWidth); }"
    )
    assert max(overflow) <= 1
    assert v.page.evaluate("() => document.documentElement.scrollWidth") <= width


# Every element of the widget that would move: animations running, transitions or smooth scrolling.
MOVING = """() => {
  const root = document.getElementById('lotse-widget').shadowRoot;
  return Array.from(root.querySelectorAll('*')).map(el => [el, getComputedStyle(el)]).filter(([el, s]) =>
      (s.animationName !== 'none' && parseFloat(s.animationDuration) > 0) ||
      s.transitionDuration.split(',').some(d => parseFloat(d) > 0) || s.scrollBehavior === 'smooth')
    .map(([el]) => el.className || el.nodeName);
}"""


def test_text_stays_usable_at_200_percent_zoom_and_motion_can_be_off(visit, stack):
    # 1280 x 800 at 200 % zoom is a 640 x 400 CSS-pixel window.
    v = visit(viewport={"width": 640, "height": 400}, device_scale_factor=2, reduced_motion="reduce")
    v.open()
    v.say("Hallo")
    page = v.page
    v.say(LONG_QUESTION["de"])  # an answer with buttons and its sources open, too
    v.answer(LONG_ANSWER_START["de"]).locator(".sources summary").click()
    overflow = page.evaluate(
        "() => { const r = document.getElementById('lotse-widget').shadowRoot;"
        " return [r.getElementById('lotse-panel'), r.getElementById('lotse-log')].map(e => e.scrollWidth - e.clientWidth); }"
    )
    assert max(overflow) <= 1  # no sideways scrolling
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 640
    for selector in ("#lotse-message", "button[type=submit]", "text=Verlauf löschen", ".close"):
        element = page.locator(selector)
        element.scroll_into_view_if_needed()
        box = element.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 640 and 0 <= box["y"] <= 400, selector
    animation = page.evaluate(
        "() => getComputedStyle(document.getElementById('lotse-widget').shadowRoot.querySelector('.dots span')).animationName"
    )
    assert animation == "none"
    assert page.evaluate(MOVING) == []  # nothing else moves either: no transition, no smooth scrolling


WATCH_LOG = """() => {
  const log = document.getElementById('lotse-widget').shadowRoot.getElementById('lotse-log');
  window.__log = {added: [], changedInside: 0};
  new MutationObserver(records => records.forEach(r => {
    if (r.target === log && r.type === 'childList') r.addedNodes.forEach(n => window.__log.added.push(n.className || n.nodeName));
    else if (r.type !== 'attributes') window.__log.changedInside++;
  })).observe(log, {childList: true, subtree: true, characterData: true});
}"""


def test_new_answers_are_announced_once_and_never_move_the_focus(visit, stack):
    v = visit(viewport=DESKTOP)
    page = v.page
    v.open()
    v.say(LONG_QUESTION["de"])
    summary = v.answer(LONG_ANSWER_START["de"]).locator(".sources summary")
    page.evaluate(WATCH_LOG)

    # The person sends a question and moves on to the previous answer's sources while Lotse answers.
    before = v.bot_count()
    page.fill("#lotse-message", "Was ist der Job-Turbo?")
    page.press("#lotse-message", "Enter")
    summary.focus()
    v.wait_for_bot_messages(before + 1)
    assert v.focused()["text"] == "Quellen"  # focus stayed where the person put it

    # Outside the widget (desktop: the page stays usable beside the panel) a new answer does not pull focus either.
    before = v.bot_count()
    page.fill("#lotse-message", "Mehr dazu")
    page.press("#lotse-message", "Enter")
    page.evaluate("() => document.querySelector('main a[href=\"/datenschutz.html\"]').focus()")
    v.wait_for_bot_messages(before + 1)
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == "/datenschutz.html"  # the page's link, not the widget

    # The log is a polite live region that gets each message once, whole: appended, never rewritten.
    changes = page.evaluate("() => window.__log")
    assert changes["changedInside"] == 0, changes
    assert changes["added"].count("msg user") == 2 and changes["added"].count("msg bot") >= 2, changes
    assert page.get_attribute("#lotse-log", "aria-live") == "polite" and page.get_attribute("#lotse-log", "aria-relevant") == "additions"
    assert page.locator("#lotse-log .typing, #lotse-log [role=status]").count() == 0  # typing notes are announced apart

    # Escape from inside the conversation closes the chat and gives the focus back to the launcher.
    summary.focus()
    page.keyboard.press("Escape")
    assert page.locator("#lotse-panel").is_hidden()
    assert "launcher" in v.focused()["cls"]
    assert v.outside_requests() == []


def test_the_language_selector_switches_the_widget_and_the_answers(visit, tmp_path):
    strings = json.loads((ROOT / "web" / "widget" / "strings.json").read_text(encoding="utf-8"))
    assert set(strings) == {"de", "en", "uk"}
    assert all(set(table) == set(strings["de"]) for table in strings.values())
    v = visit(viewport=PHONE)
    v.open()
    v.page.select_option("#lotse-language", "uk")
    assert v.page.get_attribute("#lotse-notice a", "href").endswith("/datenschutz.uk.html")
    assert v.page.inner_text("label[for=lotse-message]") == strings["uk"]["input_label"]
    v.say("Kita")  # one ambiguous word: the selector decides the language
    v.say("Скільки коштує дитячий садок?")
    replies = v.page.locator(".msg.bot").all_inner_texts()
    assert any("Джерел" in text for text in replies), replies
    screenshot(v.page, "screenshot-widget-ukrainian.png", tmp_path)
    assert v.outside_requests() == []


def tracker_user_metadata(stack, conversation: str) -> list[dict]:
    """The language hints of each user message as they reached Rasa (Rasa's own keys left out)."""
    with sqlite3.connect(stack.settings.tracker_db) as db:
        rows = db.execute("select data from events where sender_id = ? and type_name = 'user' order by id", (conversation,)).fetchall()
    keys = ("language", "language_source", "conversation_start")
    return [{k: v for k, v in (json.loads(row[0]).get("metadata") or {}).items() if k in keys} for row in rows]


def test_the_page_language_is_a_start_and_the_language_switch_a_choice(visit, stack):
    from lotse.language.messages import messages_for
    from tests.integration.test_languages import answer_start, details_start

    english = messages_for("en", ROOT / "content")
    # On the German demo page, a clearly English first message is answered in English ...
    v = visit()
    v.open()
    v.say("My postcode is 46342")
    assert v.answer(english("office_why_jobcenter")[:50]).count() == 1
    v.say("Kita")  # ... and one German word afterwards does not take it back to German
    v.say("/ask_kita_kosten")
    kita = v.answer(answer_start("ask_kita_kosten", "en")[:40]).count() + v.answer(details_start("ask_kita_kosten", "en")[:40]).count()
    assert kita >= 1, v.page.locator(".msg.bot").all_inner_texts()[-2:]
    state = v.page.evaluate(STATE)
    assert state["languageSource"] == "page" and state["language"] == "de"  # the page's language stays shown
    assert tracker_user_metadata(stack, session_id(state["token"])) == [
        {"language": "de", "language_source": "page", "conversation_start": True},
        {"language": "de", "language_source": "page", "conversation_start": False},
        {"language": "de", "language_source": "page", "conversation_start": False},
    ]

    # Picking a language in the switch is a choice: it wins over what the text looks like.
    w = visit()
    w.open()
    w.page.select_option("#lotse-language", "uk")
    w.say("What is Job-Turbo?")
    assert w.answer(answer_start("ask_job_turbo", "uk")[:40]).count() == 1
    state = w.page.evaluate(STATE)
    assert tracker_user_metadata(stack, session_id(state["token"])) == [
        {"language": "uk", "language_source": "chosen", "conversation_start": True}
    ]
    w.page.reload()
    w.page.wait_for_selector("#lotse-panel:not([hidden])")
    assert w.page.evaluate(STATE)["languageSource"] == "chosen"  # kept for the tab's conversation
    assert v.outside_requests() == [] and w.outside_requests() == []


def test_a_question_and_a_callback_booking_with_the_keyboard_alone(visit, stack):
    v = visit(viewport=PHONE)
    page = v.page

    def tab_to(check, backwards: bool = False, limit: int = 30) -> dict:
        for _ in range(limit):
            page.keyboard.press("Shift+Tab" if backwards else "Tab")
            focused = v.focused()
            if check(focused):
                return focused
        raise AssertionError(f"not reached with the keyboard: {v.focused()}")

    def write(text: str) -> None:
        before = v.bot_count()
        assert v.focused()["id"] == "lotse-message"
        page.keyboard.type(text)
        page.keyboard.press("Enter")
        v.wait_for_bot_messages(before + 1)

    def choose(title: str) -> str:
        """Goes back from the input to the quick reply starting with `title` and presses Enter."""
        before = v.bot_count()
        chosen = tab_to(lambda f: f["text"].startswith(title) and page.locator(".replies button:focus").count() == 1, backwards=True)
        page.keyboard.press("Enter")
        v.wait_for_bot_messages(before + 1)
        assert v.focused()["id"] == "lotse-message"  # back in the input, ready for the next step
        return chosen["text"]

    tab_to(lambda f: "launcher" in f["cls"])
    page.keyboard.press("Enter")
    # The callback form: topic, town, consent, phone, time window, first name, confirmation.
    write("Ich hätte gern einen Rückruf")
    assert "Worum soll es gehen" in page.locator(".msg.bot").last.inner_text()
    write("Kita-Platz")
    write("Gemen")
    assert "einverstanden" in page.locator(".msg.bot").last.inner_text()
    choose("Ja, einverstanden")
    assert "Telefonnummer" in page.locator(".msg.bot").last.inner_text()
    write("0171 2345678")
    window = page.locator(".replies button").first.inner_text()
    choose(window)
    assert "ansprechen" in page.locator(".msg.bot").last.inner_text()
    write("Anna")
    readback = page.locator(".msg.bot").last.inner_text()
    assert "0171 2345678" in readback and "Stimmt das?" in readback
    choose("Ja, eintragen")
    done = page.locator(".msg.bot").last.inner_text()
    assert "Rückruf-Code" in done
    stored = rows(stack, reference=done.split("Rückruf-Code: ")[1].split()[0])
    assert len(stored) == 1 and stored[0].phone_e164 == "+491712345678" and stored[0].topic == "Kita-Platz"

    # Then a question: its answer comes without taking the focus.
    write("Was kostet die Kita?")
    assert v.focused()["id"] == "lotse-message"  # the answer never takes the focus

    # The sources open with the keyboard; their links are reachable with Tab.
    tab_to(lambda f: f["text"] in ("Quelle", "Quellen"), backwards=True)
    page.keyboard.press("Enter")
    assert page.locator(".sources[open]").count() == 1
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.getElementById('lotse-widget').shadowRoot.activeElement.closest('.sources') !== null")

    page.keyboard.press("Escape")
    assert page.locator("#lotse-panel").is_hidden() and "launcher" in v.focused()["cls"]
    assert v.outside_requests() == []
