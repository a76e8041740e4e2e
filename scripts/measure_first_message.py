"""How long the first message of an answer is, as a person sees it on a phone (issue #22).

Usage: python scripts/measure_first_message.py [--set tests/dialogues/common_questions.yml] [--model models/lotse.tar.gz]
           [--rasa-url http://127.0.0.1:5005] [--write docs/widget.md]
Starts the stack the way scripts/eval_dialogues.py does (lotse.runner.stack), unless --rasa-url names a running
Rasa server. Each of the twenty common questions per language goes to a fresh conversation on Rasa's REST webhook
(with `metadata.language`, as the widget sends it). The first bot message is then passed through the code of each
channel, exactly as it would be sent:
- widget: what the bubble shows before anything is opened, i.e. the text without its footer
  (lotse.rasa_server.channels.secure_socketio.widget_message) plus the folded "Quellen" summary;
- telegram, facebook, whatsapp_cloud, twilio_whatsapp: the text of the first platform message the channel's output
  class posts, as it stands in the message bubble: the text (Telegram `text`, Messenger `message.text`, WhatsApp
  `text.body` or the interactive `body.text`, Twilio `Body` or the text variable of its content), with a sources
  line and numbered options where the channel writes them into the text. Labels of the platform's own buttons
  (inline keyboard, quick replies, reply buttons, the button that opens a list, its rows) are not message text
  and are not counted.
Reports median and maximum characters per language and view (target: median <= 350, maximum <= 600), and every
question whose first reply came from another answer than expected. --write replaces the section between
the markers FIRST-MESSAGE-START/END in that file.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable, Mapping, Optional

import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.eval_dialogues import commit, start_stack  # noqa: E402 - after the path set-up

DEFAULT_SET = ROOT / "tests" / "dialogues" / "common_questions.yml"
DEFAULT_MODEL = ROOT / "models" / "lotse.tar.gz"
LANGUAGES = ("de", "en", "uk")
VIEWS = ("widget", "telegram", "facebook", "whatsapp_cloud", "twilio_whatsapp")
TARGET_MEDIAN = 350
TARGET_MAX = 600
REQUEST_TIMEOUT = 60
START, END = "<!-- FIRST-MESSAGE-START -->", "<!-- FIRST-MESSAGE-END -->"
RECIPIENT = "4915100000001"


def load_set(path: Path) -> dict[str, list[dict[str, Any]]]:
    return dict((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("questions") or {})


def widget_view(message: Mapping[str, Any]) -> str:
    """The bubble before anything is opened: the text without its footer, then the folded summary."""
    from lotse.rasa_server.channels.secure_socketio import widget_message

    shown = widget_message(str(message.get("text") or ""))
    summary = (shown.get("sources") or {}).get("label")
    return shown["text"] + (f"\n{summary}" if summary else "")


def _platform_text(view: str, body: Mapping[str, Any]) -> str:
    if view == "telegram":
        return str(body.get("text") or "")
    if view == "facebook":
        return str((body.get("message") or {}).get("text") or "")
    if view == "twilio_whatsapp":
        if body.get("ContentSid"):
            return str(json.loads(str(body.get("ContentVariables") or "{}")).get("1") or "")
        return str(body.get("Body") or "")
    if body.get("type") == "interactive":
        return str(body["interactive"]["body"]["text"])
    return str((body.get("text") or {}).get("body") or "")


def _channels() -> dict[str, Any]:
    """Each messenger channel with made-up credentials and a sender that records instead of posting."""
    from lotse.rasa_server.channels.common import Delivery, HttpSender
    from lotse.rasa_server.channels.facebook import FacebookConfig, FacebookInput
    from lotse.rasa_server.channels.telegram import TelegramConfig, TelegramInput
    from lotse.rasa_server.channels.twilio_whatsapp import TwilioConfig, TwilioWhatsAppInput
    from lotse.rasa_server.channels.whatsapp_cloud import WhatsAppCloudConfig, WhatsAppCloudInput

    class Recorder(HttpSender):
        def __init__(self) -> None:
            super().__init__()
            self.bodies: list[Mapping[str, Any]] = []

        async def post(self, url: str, what: str, **kwargs: Any) -> Optional[Delivery]:
            if what == "twilio content":  # Twilio creates the content for a set of buttons: not a message
                return Delivery(201, {"sid": "HX" + "0" * 32})
            self.bodies.append(kwargs.get("json_body") or kwargs.get("form") or {})
            return Delivery(200, {"ok": True})

    channels = {
        "telegram": TelegramInput(TelegramConfig("1:x", "s", "http://offline"), Recorder()),
        "facebook": FacebookInput(FacebookConfig("v", "s", "t", "http://offline"), Recorder()),
        "whatsapp_cloud": WhatsAppCloudInput(WhatsAppCloudConfig("v", "s", "t", "1", "http://offline"), Recorder()),
        "twilio_whatsapp": TwilioWhatsAppInput(TwilioConfig("AC1", "t", "+4915100000000", "http://offline"), Recorder()),
    }
    channels["whatsapp_cloud"].window.touch(RECIPIENT)
    return channels


def messenger_views(message: Mapping[str, Any], lang: str, channels: Mapping[str, Any]) -> dict[str, str]:
    """The first platform message each messenger channel sends for this bot message."""
    views = {}
    for view, channel in channels.items():
        channel.sender.bodies.clear()
        output = channel.get_output_channel(lang)
        asyncio.run(output.send_response(RECIPIENT, {k: v for k, v in message.items() if k != "recipient_id"}))
        views[view] = _platform_text(view, channel.sender.bodies[0]) if channel.sender.bodies else ""
    return views


def expected_starts(day: date) -> Callable[[str, str], list[str]]:
    """(answer id, language) -> the first words of each of its first messages (core or text, every variant) today."""
    from lotse.core.settings import load_settings
    from lotse.knowledge.content import domain_responses, load_answers

    content_dir = ROOT / "content"
    responses = domain_responses(content_dir, load_settings().public_url, day)
    answers = {a.id: a for a in load_answers(content_dir).answers}

    def starts(answer_id: str, lang: str) -> list[str]:
        answer = answers.get(answer_id)
        if answer is None:
            return []
        variations = responses.get(answer.response_name) or []
        return [_start(v["text"]) for v in variations if any(c.get("value") == lang for c in v.get("condition") or [])]

    return starts


def _start(text: str) -> str:
    return " ".join(text.split())[:40]


@dataclass
class Measured:
    lang: str
    question: str
    topic: str
    lengths: dict[str, int]
    start: str
    expected: bool


def measure(webhook: str, lang: str, item: Mapping[str, Any], channels: Mapping[str, Any], starts) -> Measured:
    body = {"sender": f"first-{lang}-{uuid.uuid4().hex[:10]}", "message": item["text"], "metadata": {"language": lang}}
    response = requests.post(webhook, json=body, timeout=REQUEST_TIMEOUT)
    response.raise_for_status()
    messages = [m for m in response.json() if m.get("text") or m.get("buttons")]
    first = messages[0] if messages else {"text": ""}
    views = {"widget": widget_view(first), **messenger_views(first, lang, channels)}
    topics = item["topic"] if isinstance(item["topic"], list) else [item["topic"]]
    text = _start(str(first.get("text") or ""))
    expected = "office" in topics or any(s and s in text or text.startswith(s) for t in topics for s in starts(t, lang))
    if not expected:  # the NLG may put a line before the answer ("Für Gescher:", an old term explained)
        whole = " ".join(str(first.get("text") or "").split())
        expected = any(s and s in whole for t in topics for s in starts(t, lang))
    return Measured(lang, item["text"], "/".join(topics), {v: len(views[v]) for v in VIEWS}, text, expected)


def summary_table(results: list[Measured]) -> list[str]:
    lines = [f"| language | view | median | max | over {TARGET_MAX} | median ≤ {TARGET_MEDIAN} | max ≤ {TARGET_MAX} |",
             "|---|---|---|---|---|---|---|"]
    for lang in LANGUAGES:
        rows = [r for r in results if r.lang == lang]
        if not rows:
            continue
        for view in VIEWS:
            values = [r.lengths[view] for r in rows]
            median, top = statistics.median(values), max(values)
            over = sum(v > TARGET_MAX for v in values)
            lines.append(f"| {lang} | {view} | {median:.0f} | {top} | {over} | {_yes(median <= TARGET_MEDIAN)} | {_yes(top <= TARGET_MAX)} |")
    return lines


def _yes(met: bool) -> str:
    return "yes" if met else "NO"


def report(results: list[Measured], command: str, seconds: float) -> str:
    lines = [
        START,
        f"Command: `{command}` (part of `make eval`). Date: {date.today().isoformat()}, commit {commit()}, "
        f"{len(results)} questions (tests/dialogues/common_questions.yml), {seconds:.0f} s.",
        "",
        *summary_table(results),
        "",
    ]
    others = [r for r in results if not r.expected]
    lines.append(f"First replies not from the expected answer: {len(others)}" + (":" if others else "."))
    lines += [f"- {r.lang} “{r.question}” (expected {r.topic}) → “{r.start}…”" for r in others]
    longest = sorted(results, key=lambda r: max(r.lengths.values()), reverse=True)[:5]
    lines += ["", "Longest first messages (characters, widget / telegram / facebook / whatsapp_cloud / twilio_whatsapp):"]
    lines += [f"- {r.lang} “{r.question}”: " + " / ".join(str(r.lengths[v]) for v in VIEWS) for r in longest]
    lines.append(END)
    return "\n".join(lines)


def write_section(path: Path, section: str) -> None:
    """Replaces the section between the markers (appends it when there is none)."""
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default=str(DEFAULT_SET))
    parser.add_argument("--model", default=str(DEFAULT_MODEL))
    parser.add_argument("--rasa-url", help="a running Rasa server (default: start the stack)")
    parser.add_argument("--write", help="replace the FIRST-MESSAGE section of this markdown file")
    args = parser.parse_args()

    questions = load_set(Path(args.set))
    starts = expected_starts(date.today())
    channels = _channels()
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="lotse-first-message-") as workdir:
        stack = None if args.rasa_url else start_stack(Path(args.model), Path(workdir))
        try:
            webhook = f"{(args.rasa_url or stack.settings.rasa_url).rstrip('/')}/webhooks/rest/webhook"
            results = [measure(webhook, lang, item, channels, starts) for lang in LANGUAGES for item in questions.get(lang) or []]
        finally:
            if stack:
                stack.stop()
    command = ("python scripts/measure_first_message.py " + " ".join(sys.argv[1:])).strip()
    section = report(results, command, time.monotonic() - began)
    print(section)
    if args.write:
        write_section(Path(args.write), section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
