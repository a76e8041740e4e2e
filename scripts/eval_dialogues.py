"""Conversation evaluation (issue #19): the held-out dialogues of tests/dialogues/dialogues.yml on the real stack.

Usage: python scripts/eval_dialogues.py [--set tests/dialogues/dialogues.yml] [--model models/lotse.tar.gz]
           [--only de] [--kind followup] [--rasa-url http://127.0.0.1:5005] [--write docs/dialogue-eval.md]
Starts the action server, Rasa and the web page the way tests/integration/conftest.py does (lotse.runner.stack),
unless --rasa-url names a Rasa server that already runs. Every dialogue gets a fresh sender on Rasa's REST
webhook; `metadata: {"language": …}` is sent only when the dialogue says `selected_language`. A turn is right
when all its checks hold on the whole reply (all bot messages joined, button titles included, case-insensitive);
a dialogue is right when all its turns are. Reports per language and per kind, with the first failing turn of
each failed dialogue. The dialogues are never training data (tests/unit/test_dialogue_set.py).
"""
from __future__ import annotations

import argparse
import collections
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_SET = ROOT / "tests" / "dialogues" / "dialogues.yml"
DEFAULT_MODEL = ROOT / "models" / "lotse.tar.gz"
LANGUAGES = ("de", "en", "uk")
KINDS = ("followup", "own_question", "story", "memory", "correction", "plain")
CHECKS = ("contains", "contains_any", "not_contains", "lang", "answer", "buttons_any")
TARGET = 0.90  # share of dialogues fully right, per language (issue #19)
PREFIX_LENGTH = 40
REQUEST_TIMEOUT = 60

# Language of a reply: Cyrillic letters mean Ukrainian; otherwise German vs English by common words.
CYRILLIC = re.compile(r"[\u0400-\u04FF]")
URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:de|com|org|net|eu)\S*")
LATIN = re.compile(r"[A-Za-zÄÖÜäöüß]")
WORD = re.compile(r"[a-zäöüß]+")
STOPWORDS = {
    "de": {"der", "die", "das", "und", "sie", "ist", "nicht", "mit", "für", "ein", "eine", "ihr", "ihre", "wenn",
           "auch", "bei", "oder", "zum", "zur", "den", "dem", "es", "ich", "kann", "können", "gibt", "sich", "noch"},
    "en": {"the", "and", "you", "your", "is", "are", "to", "of", "for", "with", "if", "can", "this", "that", "it",
           "in", "on", "from", "there", "not", "or", "at", "be", "do", "have", "will"},
}


def flatten(value: Any) -> list[str]:
    """A check's value as a flat list of strings (YAML anchors may nest a shared list in a list)."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [item for part in value for item in flatten(part)]
    return [str(value)]


def folded(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def reply_language(text: str) -> str:
    """de, en or uk, by script and common words (German wins a tie: it is Lotse's default).

    Addresses are left out: a Ukrainian answer cites German pages, and their letters are not the reply's language.
    """
    text = URL.sub(" ", text)
    cyrillic = len(CYRILLIC.findall(text))
    latin = len(LATIN.findall(text))
    if cyrillic and cyrillic >= 0.3 * (cyrillic + latin):
        return "uk"
    words = WORD.findall(text.casefold())
    de = sum(1 for w in words if w in STOPWORDS["de"])
    en = sum(1 for w in words if w in STOPWORDS["en"])
    return "en" if en > de else "de"


@dataclass(frozen=True)
class Reply:
    """What the bot sent for one user turn."""
    texts: tuple[str, ...]
    buttons: tuple[str, ...] = ()

    @classmethod
    def from_messages(cls, messages: Iterable[Mapping[str, Any]]) -> Reply:
        texts, buttons = [], []
        for message in messages:
            if message.get("text"):
                texts.append(str(message["text"]))
            buttons.extend(str(b.get("title", "")) for b in message.get("buttons") or [])
        return cls(tuple(texts), tuple(buttons))

    @property
    def whole(self) -> str:
        return "\n".join([*self.texts, *self.buttons])

    @property
    def start(self) -> str:
        return " ".join(self.whole.split())[:120]


AnswerStarts = Callable[[str, str], list[str]]


def check_turn(expect: Mapping[str, Any], reply: Reply, lang: str, answer_starts: AnswerStarts | None = None) -> list[str]:
    """The checks of one turn that failed, as readable lines (empty: the turn is right)."""
    whole = folded(reply.whole)
    failed: list[str] = []
    unknown = set(expect) - set(CHECKS)
    if unknown:
        failed.append(f"unknown check(s): {sorted(unknown)}")
    missing = [s for s in flatten(expect.get("contains")) if folded(s) not in whole]
    if missing:
        failed.append(f"contains: missing {missing}")
    any_of = flatten(expect.get("contains_any"))
    if any_of and not any(folded(s) in whole for s in any_of):
        failed.append(f"contains_any: none of {any_of}")
    present = [s for s in flatten(expect.get("not_contains")) if folded(s) in whole]
    if present:
        failed.append(f"not_contains: found {present}")
    if "lang" in expect:
        found = reply_language(reply.whole) if reply.whole.strip() else "none"
        if found != expect["lang"]:
            failed.append(f"lang: expected {expect['lang']}, reply is {found}")
    if "answer" in expect:
        starts = [folded(s) for s in (answer_starts(str(expect["answer"]), lang) if answer_starts else [])]
        if not starts:
            failed.append(f"answer: unknown answer id {expect['answer']!r}")
        elif not any(folded(text).startswith(s) for text in reply.texts for s in starts):
            failed.append(f"answer: reply does not start with the text of {expect['answer']!r}")
    buttons = flatten(expect.get("buttons_any"))
    if buttons:
        titles = [folded(t) for t in reply.buttons]
        if not any(folded(b) in t for b in buttons for t in titles):
            failed.append(f"buttons_any: no button with one of {buttons} (buttons: {list(reply.buttons)})")
    return failed


def content_answer_starts(content_dir: Path | None = None, day: date | None = None) -> AnswerStarts:
    """(answer id, language) -> the first characters of its main text, its core (the first message users
    read of an answer with a core) and of each variant's, as users read them today."""
    from lotse.knowledge.content import answer_text, load_answers
    from lotse.knowledge.facts import load_facts

    content_dir = content_dir or ROOT / "content"
    answers = {a.id: a for a in load_answers(content_dir).answers}
    facts = load_facts(content_dir)
    day = day or date.today()

    def starts(answer_id: str, lang: str) -> list[str]:
        answer = answers.get(answer_id)
        if answer is None:
            return []
        texts = [answer.text.get(lang)] + [v.text.get(lang) for v in answer.variants]
        cores = [answer.core.get(lang)] + [v.core.get(lang) for v in answer.variants]
        rendered = [answer_text(answer, t, lang, facts, day, content_dir) for t in texts if t]
        rendered += [answer_text(answer, t, lang, facts, day, content_dir, core=True) for t in cores if t]
        return [" ".join(r.split())[:PREFIX_LENGTH] for r in rendered]

    return starts


def load_set(path: Path) -> list[dict[str, Any]]:
    return list((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("dialogues") or [])


def select(dialogues: Iterable[Mapping[str, Any]], only: str | None = None, kind: str | None = None) -> list[Mapping[str, Any]]:
    return [d for d in dialogues if (not only or d["lang"] == only) and (not kind or kind in d.get("kind", []))]


@dataclass
class TurnResult:
    user: str
    reply: Reply
    failed: list[str]


@dataclass
class DialogueResult:
    dialogue: Mapping[str, Any]
    turns: list[TurnResult] = field(default_factory=list)

    @property
    def right(self) -> bool:
        return bool(self.turns) and all(not t.failed for t in self.turns)

    @property
    def first_failure(self) -> tuple[int, TurnResult] | None:
        return next(((i, t) for i, t in enumerate(self.turns, 1) if t.failed), None)


def run_dialogue(webhook: str, dialogue: Mapping[str, Any], answer_starts: AnswerStarts) -> DialogueResult:
    """All turns of one dialogue with a fresh sender (every turn is checked, also after a failed one)."""
    sender = f"eval-{dialogue['id']}-{uuid.uuid4().hex[:8]}"
    result = DialogueResult(dialogue)
    for turn in dialogue["turns"]:
        body: dict[str, Any] = {"sender": sender, "message": turn["user"]}
        if dialogue.get("selected_language"):
            body["metadata"] = {"language": dialogue["selected_language"]}
        try:
            response = requests.post(webhook, json=body, timeout=REQUEST_TIMEOUT)
            response.raise_for_status()
            reply = Reply.from_messages(response.json())
            failed = check_turn(turn.get("expect") or {}, reply, dialogue["lang"], answer_starts)
        except (requests.RequestException, ValueError) as exc:
            reply, failed = Reply(()), [f"request failed: {exc}"]
        result.turns.append(TurnResult(turn["user"], reply, failed))
    return result


def share(right: int, total: int) -> str:
    return f"{right}/{total} ({right / total:.0%})" if total else "–"


def tables(results: list[DialogueResult]) -> str:
    by_lang: dict[str, list[DialogueResult]] = collections.defaultdict(list)
    for r in results:
        by_lang[r.dialogue["lang"]].append(r)
    langs = [lang for lang in LANGUAGES if lang in by_lang]
    lines = ["## Per language", "",
             "| language | dialogues fully right | turns right | target (dialogues) | met |", "|---|---|---|---|---|"]
    for lang in langs:
        rs = by_lang[lang]
        right = sum(r.right for r in rs)
        turns = [t for r in rs for t in r.turns]
        met = "yes" if right >= TARGET * len(rs) else "NO"
        lines.append(f"| {lang} | {share(right, len(rs))} | {share(sum(not t.failed for t in turns), len(turns))} | "
                     f"≥ {TARGET:.0%} | {met} |")
    lines += ["", "## Per kind (dialogues fully right; a dialogue can have several kinds)", "",
              "| kind | " + " | ".join(langs) + " | all |", "|---|" + "---|" * (len(langs) + 1)]
    for kind in KINDS:
        cells = []
        for group in [by_lang[lang] for lang in langs] + [results]:
            rs = [r for r in group if kind in r.dialogue.get("kind", [])]
            cells.append(share(sum(r.right for r in rs), len(rs)))
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def failures(results: list[DialogueResult]) -> str:
    lines = ["## First failing turn of each failed dialogue", ""]
    for r in results:
        found = r.first_failure
        if not found:
            continue
        number, turn = found
        reply = turn.reply.start.replace("|", "/") or "(no reply)"
        lines.append(f"- **{r.dialogue['id']}** turn {number}: “{turn.user}” → “{reply}…” — {'; '.join(turn.failed)}")
    return "\n".join(lines) if len(lines) > 2 else "## Failures\n\nnone"


def commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def display_path(path: str) -> str:
    resolved = Path(path).resolve()
    return str(resolved.relative_to(ROOT)) if resolved.is_relative_to(ROOT) else str(resolved)


def report(results: list[DialogueResult], command: str, seconds: float, model: str) -> str:
    header = [
        "# Conversation evaluation: held-out dialogues",
        "",
        "Measures whether Lotse keeps the thread: follow-up questions by aspect, replies to its own questions, "
        "stories with several needs, remembered and corrected details (issue #19). Set: tests/dialogues/dialogues.yml "
        "(never trained on). A dialogue counts as right only if every turn passes all its checks; `answer` holds when "
        "one of the turn's bot messages starts with that answer's text or its core (or a variant's) as rendered today.",
        "",
        f"Command: `{command}`",
        f"Date: {date.today().isoformat()}, commit {commit()}, "
        f"{len(results)} dialogues, {sum(len(r.turns) for r in results)} turns, {seconds:.0f} s",
        f"Model: {display_path(model)}",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "",
    ]
    return "\n".join(header) + "\n" + tables(results) + "\n\n" + failures(results) + "\n"


def start_stack(model: Path, workdir: Path):
    from lotse.core.settings import load_settings
    from lotse.runner.stack import Stack, free_ports

    ports = free_ports()
    env = {**ports, "LOTSE_DATA_DIR": str(workdir / "data"),
           "LOTSE_PUBLIC_URL": f"http://127.0.0.1:{ports['LOTSE_WEB_PORT']}",
           "LOTSE_ACTION_TIMEOUT_SECONDS": "15"}
    stack = Stack(load_settings(env), model, workdir / "logs")
    stack.start()
    try:
        stack.wait_ready(timeout=240)
    except BaseException:
        stack.stop()
        raise
    return stack


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default=str(DEFAULT_SET), help="the dialogue set (YAML)")
    parser.add_argument("--model", default=str(DEFAULT_MODEL))
    parser.add_argument("--only", choices=LANGUAGES, help="only the dialogues in this language")
    parser.add_argument("--kind", choices=KINDS, help="only the dialogues of this kind")
    parser.add_argument("--rasa-url", help="a running Rasa server (default: start the stack)")
    parser.add_argument("--write", help="write the report (markdown) to this file")
    args = parser.parse_args()

    dialogues = select(load_set(Path(args.set)), args.only, args.kind)
    if not dialogues:
        print("no dialogues selected", file=sys.stderr)
        return 2
    answer_starts = content_answer_starts()
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="lotse-dialogues-") as workdir:
        stack = None if args.rasa_url else start_stack(Path(args.model), Path(workdir))
        try:
            base = args.rasa_url or stack.settings.rasa_url
            webhook = f"{base.rstrip('/')}/webhooks/rest/webhook"
            results = [run_dialogue(webhook, d, answer_starts) for d in dialogues]
        finally:
            if stack:
                stack.stop()
    command = "python scripts/eval_dialogues.py " + " ".join(sys.argv[1:])
    text = report(results, command.strip(), time.monotonic() - began, args.model)
    print(text)
    if args.write:
        Path(args.write).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
