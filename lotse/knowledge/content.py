"""Answer content (`content/answers/*.yml`): loading, checking and rendering to Rasa responses.

The content files are the single place where answer texts, their sources and review dates live.
`scripts/build_content.py` renders them into a Rasa domain fragment and rules (under `.build/`),
so a wording change never touches NLU training data.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterable, Mapping

from lotse.core.settings import PROJECT_ROOT, load_settings
from lotse.core.yamlfiles import load_yaml
from lotse.knowledge.facts import (
    FactError,
    Facts,
    answer_day,
    check_days,
    dated_text,
    fact_problems,
    load_facts,
    placeholder_problems,
    references,
    without_placeholders,
)
from lotse.knowledge.followups import followup_problems
from lotse.knowledge.needs import need_words_problems
from lotse.knowledge.offices import contact_date_problems, load_office_data
from lotse.knowledge.person import person_words_problems
from lotse.knowledge.situation_text import situation_problems
from lotse.knowledge.terms import term_problems
from lotse.language.languages import DEFAULT_LANGUAGE, LANGUAGES
from lotse.language.messages import catalogue_problems, load_catalogue, messages_for
from lotse.language.numbers import wrong_number_formats
from lotse.language.personal_data import EMAIL, PHONE_WITHOUT_DOTS, digits, has_phone_digits

SLOT_VALUES: dict[str, set[str] | None] = {
    "child_age_group": {"unter_1", "1_bis_2", "ab_3"},
    "jugendamt_area": {"ahaus", "bocholt", "borken", "gronau", "kreis"},
    "municipality": None,  # any id from content/offices.yml
}
MAX_TEXT_LENGTH = 1400
# The core, an answer's first message (issue #22): short enough for a phone screen, ending in one next step.
MAX_CORE_LENGTH = 350
NEXT_STEP = re.compile(r"^(?:Ihr nächster Schritt|Nächster Schritt|Your next step|Next step|Ваш наступний крок|Наступний крок):")
MAX_BUTTONS = 4
MORE_PAYLOAD = "/ask_followup_more"  # the core's "Mehr dazu": the details of the answer in context
REVIEW_INTERVAL = timedelta(days=365)
# Dots in answers belong to dates and amounts, so a phone number here has none.
PHONE_LIKE = re.compile(PHONE_WITHOUT_DOTS)
# A € amount written into a text ("603 €", "1.000 Euro"); with dated facts it comes from a placeholder.
LITERAL_AMOUNT = re.compile(r"(?<![\d.,])(?:\d{1,3}(?:[.,\s]\d{3})+|\d+)(?:[.,]\d{1,2})?\s?(?:€|Euro\b|euro\b|євро)")


@dataclass(frozen=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True)
class Variant:
    when: Mapping[str, str]
    text: Mapping[str, str]
    core: Mapping[str, str] = field(default_factory=dict)  # the short first message; `text` is the details


@dataclass(frozen=True)
class Answer:
    id: str
    intent: str | None
    topic: str
    reviewed: date
    sources: tuple[Source, ...]
    text: Mapping[str, str]
    variants: tuple[Variant, ...] = ()
    buttons: tuple[Mapping[str, Any], ...] = ()
    unverified: tuple[str, ...] = ()
    file: str = ""
    # Shown instead of a text whose dated fact has ended without a known successor (content/facts.yml).
    unknown_text: Mapping[str, str] = field(default_factory=dict)
    # The short first message (issue #22): what applies and the one next step; `text` is the details,
    # shown on "Mehr dazu" (response `details_response_name`).
    core: Mapping[str, str] = field(default_factory=dict)
    unknown_core: Mapping[str, str] = field(default_factory=dict)  # the core's unknown_text

    @property
    def response_name(self) -> str:
        return f"utter_answer_{self.id}"

    @property
    def details_response_name(self) -> str:
        return f"utter_details_{self.id}"

    @property
    def whole_response_name(self) -> str:
        """The response with the answer's whole text: the details when there is a core."""
        return self.details_response_name if self.core else self.response_name


@dataclass
class ContentSet:
    answers: list[Answer] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _as_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def load_answers(content_dir: Path) -> ContentSet:
    result = ContentSet()
    for path in sorted((Path(content_dir) / "answers").glob("*.yml")):
        data = load_yaml(path) or {}
        for index, raw in enumerate(data.get("answers") or []):
            where = f"{path.name}#{index} ({raw.get('id', '?')})"
            try:
                result.answers.append(_parse_answer(raw, path.name))
            except (KeyError, TypeError, ValueError) as exc:
                result.problems.append(f"{where}: cannot read answer: {exc!r}")
    return result


def _parse_answer(raw: Mapping[str, Any], file: str) -> Answer:
    return Answer(
        id=str(raw["id"]),
        intent=raw.get("intent"),
        topic=str(raw.get("topic", "")),
        reviewed=_as_date(raw["reviewed"]),
        sources=tuple(Source(str(s["title"]), str(s["url"])) for s in raw.get("sources") or []),
        text=dict(raw["text"]),
        variants=tuple(Variant(dict(v["when"]), dict(v["text"]), dict(v.get("core") or {})) for v in raw.get("variants") or []),
        buttons=tuple(raw.get("buttons") or []),
        unverified=tuple(raw.get("unverified") or []),
        file=file,
        unknown_text=dict(raw.get("unknown_text") or {}),
        core=dict(raw.get("core") or {}),
        unknown_core=dict(raw.get("unknown_core") or {}),
    )


def phone_numbers_in(text: str) -> list[str]:
    return [m for m in PHONE_LIKE.findall(text) if has_phone_digits(m)]


def verified_contact_values(contacts: Iterable[Mapping[str, Any]], offices: Iterable[Mapping[str, Any]]) -> tuple[set[str], set[str]]:
    """Digits of every verified phone number and every verified e-mail address.

    Contacts carry their fields at the top level, offices under `contact`."""
    phones: set[str] = set()
    emails: set[str] = set()
    for entry in itertools.chain(contacts, offices):
        fields = entry.get("contact") or entry
        for name in ("phone", "email"):
            f = fields.get(name)
            if not (isinstance(f, Mapping) and f.get("verified") is True and f.get("value")):
                continue
            if name == "phone":
                phones.update(digits(p) for p in phone_numbers_in(str(f["value"])))
            else:
                emails.update(e.lower() for e in EMAIL.findall(str(f["value"])))
    return phones, emails


def all_texts(answer: Answer) -> list[tuple[str, str]]:
    texts = [(lang, t) for lang, t in answer.text.items()]
    for variant in answer.variants:
        texts.extend(variant.text.items())
    texts.extend(answer.unknown_text.items())
    texts.extend(answer.core.items())
    texts.extend(answer.unknown_core.items())
    for variant in answer.variants:
        texts.extend(variant.core.items())
    for button in answer.buttons:
        texts.extend((lang, t) for lang, t in (button.get("title") or {}).items())
    return texts


def check_answers(
    answers: list[Answer],
    known_intents: set[str],
    verified_phones: set[str],
    verified_emails: set[str],
    municipalities: set[str],
    facts: Facts | None = None,
    today: date | None = None,
) -> list[str]:
    """Every rule of docs/content-guide.md that a machine can check; with `facts`, also the dated
    facts' rules: known placeholders, no literal € amount, and every text renders on `today` and on
    every later day a fact it uses changes."""
    problems: list[str] = []
    seen_ids: set[str] = set()
    seen_intents: set[str] = set()
    for a in answers:
        where = f"{a.file}:{a.id}"
        if a.id in seen_ids:
            problems.append(f"{where}: duplicate id")
        seen_ids.add(a.id)
        if a.intent:
            if a.intent in seen_intents:
                problems.append(f"{where}: intent {a.intent} has two answers")
            seen_intents.add(a.intent)
            if a.intent not in known_intents:
                problems.append(f"{where}: unknown intent {a.intent}")
        if not a.sources:
            problems.append(f"{where}: no source")
        for s in a.sources:
            if not s.url.startswith(("https://", "http://")) or not s.title.strip():
                problems.append(f"{where}: source needs a title and a URL: {s}")
        for lang in LANGUAGES:
            if not (a.text.get(lang) or "").strip():
                problems.append(f"{where}: no text in language {lang}")
        langs = set(a.text)
        for v in a.variants:
            if set(v.text) != langs:
                problems.append(f"{where}: variant {dict(v.when)} has languages {sorted(v.text)}, the answer {sorted(langs)}")
            for slot, value in v.when.items():
                if slot not in SLOT_VALUES:
                    problems.append(f"{where}: variant uses unknown slot {slot}")
                    continue
                allowed = SLOT_VALUES[slot] if SLOT_VALUES[slot] is not None else municipalities
                if value not in allowed:
                    problems.append(f"{where}: variant value {slot}={value} is not one of {sorted(allowed)}")
        if len(a.buttons) > MAX_BUTTONS:
            problems.append(f"{where}: more than {MAX_BUTTONS} buttons")
        for b in a.buttons:
            payload = str(b.get("payload", ""))
            intent = payload[1:].split("{")[0] if payload.startswith("/") else None
            if intent not in known_intents:
                problems.append(f"{where}: button payload {payload!r} is not a known intent")
            if set((b.get("title") or {})) != langs:
                problems.append(f"{where}: button {payload} lacks a title in some language")
        for lang, text in all_texts(a):
            if len(text) > MAX_TEXT_LENGTH:
                problems.append(f"{where}: text ({lang}) is {len(text)} characters, more than {MAX_TEXT_LENGTH}")
            literal = without_placeholders(text)
            if "€" in literal and "Stand" not in literal and "станом" not in literal.lower() and "as of" not in literal.lower():
                problems.append(f"{where}: text ({lang}) names an amount in € without its 'Stand'")
            for number, reason in wrong_number_formats(without_placeholders(text, keep_literals=True), lang):
                problems.append(f"{where}: text ({lang}) writes {number!r} in {reason} format")
            for number in phone_numbers_in(text):
                if digits(number) not in verified_phones:
                    problems.append(f"{where}: phone number {number!r} ({lang}) is not a verified contact")
            for email in EMAIL.findall(text):
                if email.lower() not in verified_emails:
                    problems.append(f"{where}: e-mail {email!r} ({lang}) is not a verified contact")
        if facts is not None:
            problems += [f"{where}: {p}" for p in dated_fact_problems(a, facts, today or answer_day())]
        problems += [f"{where}: {p}" for p in core_problems(a, facts, today or answer_day())]
    return problems


def core_problems(answer: Answer, facts: Facts | None, today: date) -> list[str]:
    """An answer's core (and each variant's): there, in every language, at most MAX_CORE_LENGTH
    characters as given today, its last line the one next step."""
    problems: list[str] = []
    cores = [("", answer.core), *((f"variant {dict(v.when)}: ", v.core) for v in answer.variants)]
    for where, core in cores:
        if not core:
            problems.append(f"{where}no core: every answer starts with a short core and its next step (docs/content-guide.md)")
            continue
        if set(core) != set(LANGUAGES):
            problems.append(f"{where}core needs every language ({', '.join(LANGUAGES)})")
        for lang, text in core.items():
            try:
                shown = dated_text(text, answer.unknown_core.get(lang), facts, lang, today).strip() if facts else text.strip()
            except FactError as error:
                problems.append(f"{where}core ({lang}) cannot be given on {today}: {error}")
                continue
            if len(shown) > MAX_CORE_LENGTH:
                problems.append(f"{where}core ({lang}) is {len(shown)} characters, more than {MAX_CORE_LENGTH}")
            if not NEXT_STEP.match(shown.splitlines()[-1] if shown else ""):
                problems.append(f"{where}core ({lang}) does not end with the next step ('Ihr nächster Schritt: …')")
    return problems


def dated_fact_problems(answer: Answer, facts: Facts, today: date) -> list[str]:
    """An answer's placeholders name known facts; it states no € amount literally (unless it is one of
    facts.yml's `literal_amounts`, or the amount is marked {literal: …}); every text renders on `today`
    and on every later change of its facts (so an ended value always has its unknown_text)."""
    problems: list[str] = []
    used: set[str] = set()
    for lang, text in all_texts(answer):
        problems += [f"{p} ({lang})" for p in placeholder_problems(text, facts)]
        used.update(fact_id for fact_id, _ in references(text))
        if answer.id not in facts.literal_amounts:
            for amount in LITERAL_AMOUNT.findall(without_placeholders(text)):
                problems.append(f"text ({lang}) states {amount!r} literally: use a dated fact from facts.yml, or {{literal: {amount}}} for a deliberate one")
    if answer.unknown_text and set(answer.unknown_text) != set(LANGUAGES):
        problems.append(f"unknown_text needs every language ({', '.join(LANGUAGES)})")
    if problems:
        return problems
    if answer.unknown_core and set(answer.unknown_core) != set(LANGUAGES):
        problems.append(f"unknown_core needs every language ({', '.join(LANGUAGES)})")
    for day in check_days(facts, used, today):
        for lang in LANGUAGES:
            texts = [(t, answer.unknown_text.get(lang)) for t in [answer.text.get(lang) or "", *(v.text.get(lang) or "" for v in answer.variants)]]
            cores = [(t, answer.unknown_core.get(lang)) for t in [answer.core.get(lang), *(v.core.get(lang) for v in answer.variants)] if t]
            for text, unknown in texts + cores:
                try:
                    dated_text(text, unknown, facts, lang, day)
                except FactError as error:
                    problems.append(f"cannot be given on {day.isoformat()}: {error}")
    return sorted(set(problems), key=problems.index)


def footer_labels(lang: str, content_dir: Path | None = None) -> tuple[str, str, str]:
    """The footer's labels for one source, several sources and the review date (content/messages.yml)."""
    t = messages_for(lang, content_dir)
    return t("answer_source"), t("answer_sources"), t("answer_checked_on")


def footer(answer: Answer, lang: str = DEFAULT_LANGUAGE, content_dir: Path | None = None) -> str:
    one, many, checked = footer_labels(lang, content_dir)
    sources = "; ".join(f"{s.title} – {s.url}" for s in answer.sources)
    head = many if len(answer.sources) > 1 else one
    return f"{head}: {sources}\n{checked} {answer.reviewed.strftime('%d.%m.%Y')}"


@dataclass(frozen=True)
class Footer:
    """An answer's footer read back from its text: the label it was written with, its sources and
    the review line ("Geprüft am 07.12.2026"), for channels that show sources as links."""

    label: str
    sources: tuple[Source, ...]
    checked: str


_FOOTER_SOURCE = re.compile(r"(.+?) – (https?://\S+?)(?=; |$)")


def _footer_at_end(text: str, labels: tuple[str, str, str]) -> tuple[str, Footer] | None:
    one, many, checked = labels
    body, separator, tail = text.rstrip().rpartition("\n\n")
    lines = tail.split("\n")
    if not separator or len(lines) != 2 or not lines[1].startswith(checked + " "):
        return None
    label, colon, listed = lines[0].partition(": ")
    if not colon or label not in (one, many):
        return None
    sources = [Source(title.lstrip("; ").strip(), url) for title, url in _FOOTER_SOURCE.findall(listed)]
    if not sources or "; ".join(f"{s.title} – {s.url}" for s in sources) != listed:
        return None
    return body.rstrip(), Footer(label, tuple(sources), lines[1])


def _publisher(title: str) -> str:
    """Who published a source: its title before the colon ("gegen-hartz.de: Zuverdienst …" -> "gegen-hartz.de")."""
    head, colon, _ = title.partition(": ")
    return head.strip() if colon and head.strip() else title


def _written(found: Footer, items: Iterable[str]) -> str:
    return f"{found.label}: {'; '.join(items)}\n{found.checked}"


def publishers_footer(found: Footer) -> str:
    """The shortest footer: who published the sources ("Quellen: gegen-hartz.de; ZDFheute") and the review date."""
    return _written(found, dict.fromkeys(_publisher(s.title) for s in found.sources))


def compact_footer(found: Footer, room: int) -> str:
    """The footer for channels that cannot link a title (messengers), within `room` characters where
    it can be: every title, with the address of each source (in order) that still fits; when the
    titles alone are too long, who published them. The label and the review date are always there."""
    shown: set[int] = set()

    def text() -> str:
        return _written(found, (f"{s.title} – {s.url}" if i in shown else s.title for i, s in enumerate(found.sources)))

    if len(text()) > room:
        return publishers_footer(found)
    for index in range(len(found.sources)):
        shown.add(index)
        if len(text()) > room:
            shown.discard(index)
    return text()


def split_footer(text: str, content_dir: Path | None = None) -> tuple[str, Footer | None]:
    """An answer's text without its footer (written by `footer`, in any language) and the footer;
    the text unchanged and None when it does not end with one."""
    for lang in LANGUAGES:
        found = _footer_at_end(text, footer_labels(lang, content_dir))
        if found is not None:
            return found
    return text, None


def render_text(answer: Answer, text: str, lang: str = DEFAULT_LANGUAGE, content_dir: Path | None = None) -> str:
    return f"{text.strip()}\n\n{footer(answer, lang, content_dir)}"


def _condition(language: str, when: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    slots = {"language": language, **(when or {})}
    return [{"type": "slot", "name": name, "value": value} for name, value in slots.items()]


def _variation(text: str, buttons: list[dict[str, str]], condition: list[dict[str, Any]] | None) -> dict[str, Any]:
    item: dict[str, Any] = {"condition": condition} if condition else {}
    item["text"] = text
    if buttons:
        item["buttons"] = buttons
    return item


def _buttons(raw_buttons: Iterable[Mapping[str, Any]], lang: str) -> list[dict[str, str]]:
    return [{"title": b["title"].get(lang) or b["title"][DEFAULT_LANGUAGE], "payload": b["payload"]} for b in raw_buttons]


def answer_text(
    answer: Answer, text: str, lang: str, facts: Facts, day: date, content_dir: Path | None = None, core: bool = False
) -> str:
    """One text of an answer as a user reads it on `day`: its dated facts filled in (or its
    unknown_text — unknown_core for a core — content/facts.yml), then the footer."""
    unknown = (answer.unknown_core if core else answer.unknown_text).get(lang)
    return render_text(answer, dated_text(text, unknown, facts, lang, day), lang, content_dir)


def rasa_responses(
    answers: Iterable[Answer], content_dir: Path | None = None, facts: Facts | None = None, today: date | None = None
) -> dict[str, list[dict[str, Any]]]:
    """One variation per language and variant, chosen by lotse.rasa_server.nlg (most specific match); the
    unconditioned German text is the fallback if the language slot were ever empty. The footer's
    labels and the dated facts come from `content_dir` (default: the configured content directory);
    the facts are filled in with their values on `today` (default: lotse.knowledge.facts.answer_day)."""
    facts = facts if facts is not None else load_facts(Path(content_dir or load_settings().content_dir))
    day = today or answer_day()
    responses: dict[str, list[dict[str, Any]]] = {}
    for a in answers:
        if a.core:
            responses[a.response_name] = _variations(a, "core", facts, day, content_dir)
            responses[a.details_response_name] = _variations(a, "text", facts, day, content_dir)
        else:
            responses[a.response_name] = _variations(a, "text", facts, day, content_dir)
    return responses


def _variations(answer: Answer, part: str, facts: Facts, day: date, content_dir: Path | None) -> list[dict[str, Any]]:
    """One variation per language and variant of the answer's `part`: "core" (the first message, with
    a "Mehr dazu" button; a variant without a core of its own shows its whole text) or "text"."""
    def shown(entry: Answer | Variant, lang: str) -> str:
        core = entry.core.get(lang) if part == "core" else None
        return answer_text(answer, core or entry.text[lang], lang, facts, day, content_dir, core=bool(core))

    def buttons(lang: str) -> list[dict[str, str]]:
        more = [{"title": messages_for(lang, content_dir)("button_more"), "payload": MORE_PAYLOAD}] if part == "core" else []
        return more + _buttons(answer.buttons, lang)

    variations: list[dict[str, Any]] = []
    for lang in LANGUAGES:
        if lang not in answer.text:
            continue
        for v in answer.variants:
            variations.append(_variation(shown(v, lang), buttons(lang), _condition(lang, v.when)))
        variations.append(_variation(shown(answer, lang), buttons(lang), _condition(lang)))
    variations.append(_variation(shown(answer, DEFAULT_LANGUAGE), buttons(DEFAULT_LANGUAGE), None))
    return variations


def load_fixed_responses(content_dir: Path) -> dict[str, Mapping[str, Any]]:
    return dict((load_yaml(Path(content_dir) / "responses.yml") or {}).get("responses") or {})


def fixed_rasa_responses(fixed: Mapping[str, Mapping[str, Any]], public_url: str) -> dict[str, list[dict[str, Any]]]:
    """One variation per language; a text of `channels:` adds one per language and channel (Rasa
    prefers the variations of the output channel, lotse.rasa_server.nlg then the most specific)."""
    responses: dict[str, list[dict[str, Any]]] = {}
    for name, raw in fixed.items():
        buttons = raw.get("buttons") or []
        variations = []
        for lang in [*LANGUAGES, None]:
            text = raw["text"].get(lang or DEFAULT_LANGUAGE)
            if text is None:
                continue
            text = text.replace("@PUBLIC_URL@", public_url)
            variations.append(_variation(text, _buttons(buttons, lang or DEFAULT_LANGUAGE), _condition(lang) if lang else None))
        for group in raw.get("channels") or []:
            for channel in group["names"]:
                for lang in LANGUAGES:
                    text = group["text"][lang].replace("@PUBLIC_URL@", public_url)
                    variations.append({**_variation(text, _buttons(buttons, lang), _condition(lang)), "channel": channel})
        responses[name] = variations
    return responses


def check_translations(content_dir: Path, known_intents: set[str]) -> list[str]:
    """Parity: every fixed text, button, action message and topic label exists in every language."""
    problems: list[str] = []
    for name, raw in load_fixed_responses(content_dir).items():
        for lang in LANGUAGES:
            if not str((raw.get("text") or {}).get(lang) or "").strip():
                problems.append(f"responses.yml: {name}: no {lang} text")
            for group in raw.get("channels") or []:
                if not str((group.get("text") or {}).get(lang) or "").strip():
                    problems.append(f"responses.yml: {name}: channels {group.get('names')}: no {lang} text")
            for button in raw.get("buttons") or []:
                if not str((button.get("title") or {}).get(lang) or "").strip():
                    problems.append(f"responses.yml: {name}: button {button.get('payload')} has no {lang} title")
    problems += catalogue_problems(load_catalogue(content_dir))
    labels = (load_yaml(Path(content_dir) / "labels.yml") or {}).get("labels") or {}
    for intent in sorted(known_intents):
        for lang in LANGUAGES:
            if not str((labels.get(intent) or {}).get(lang) or "").strip():
                problems.append(f"labels.yml: {intent}: no {lang} label")
    return problems


# Forms in which a knowledge question is answered without leaving the form. Each answer adds one
# rule per form, and every rule costs time on every turn (RulePolicy checks them all), so only the
# long form is listed; in the short code forms the ordinary answer rule applies.
FORMS = ("callback_form",)


def rasa_rules(answers: Iterable[Answer]) -> list[dict[str, Any]]:
    """One rule per answer, plus one per answer and form: a question inside a form is answered
    and the form goes on where it was."""
    rules: list[dict[str, Any]] = []
    for a in answers:
        if not a.intent:
            continue
        rules.append({"rule": f"answer {a.intent}", "steps": [{"intent": a.intent}, {"action": a.response_name}]})
        for form in FORMS:
            rules.append(
                {
                    "rule": f"answer {a.intent} inside {form}",
                    "condition": [{"active_loop": form}],
                    "steps": [
                        {"intent": a.intent},
                        {"action": a.response_name},
                        {"action": form},
                        {"active_loop": form},
                    ],
                }
            )
    return rules


def review_report(answers: Iterable[Answer], today: date) -> tuple[list[Answer], list[tuple[Answer, str]]]:
    due = [a for a in answers if today - a.reviewed > REVIEW_INTERVAL]
    unverified = [(a, note) for a in answers for note in a.unverified]
    return due, unverified


def domain_intents() -> set[str]:
    domain = load_yaml(PROJECT_ROOT / "domain.yml")
    return set(domain["intents"])


def content_problems(content_dir: Path, today: date | None = None) -> list[str]:
    """Everything `make check-content` reports; content with problems is never rendered or served.
    Dated facts are checked from `today` (default: lotse.knowledge.facts.answer_day) on."""
    loaded = load_answers(content_dir)
    facts = load_facts(content_dir)
    offices = load_office_data(content_dir)
    contacts = (load_yaml(content_dir / "contacts.yml") or {}).get("contacts") or []
    phones, emails = verified_contact_values(contacts, offices.raw["offices"])
    return (
        loaded.problems
        + fact_problems(facts)
        + check_answers(loaded.answers, domain_intents(), phones, emails, set(offices.municipalities), facts, today)
        + check_translations(content_dir, domain_intents())
        + term_problems(content_dir)
        + contact_date_problems(offices.raw, contacts)
        + followup_problems(load_yaml(content_dir / "followups.yml") or {}, [a.id for a in loaded.answers], domain_intents())
        + person_words_problems(load_yaml(content_dir / "person_words.yml") or {})
        + need_words_problems(load_yaml(content_dir / "need_words.yml") or {}, [a.intent for a in loaded.answers if a.intent])
        + situation_problems(content_dir)
    )


@dataclass(frozen=True)
class Content:
    """What the responses are rendered from: answers, fixed texts and dated facts, read once; rendered
    again for another day without reading the files (lotse.rasa_server.nlg does so at midnight)."""

    content_dir: Path
    answers: tuple[Answer, ...]
    fixed: Mapping[str, Mapping[str, Any]]
    facts: Facts


def load_content(content_dir: Path) -> Content:
    return Content(Path(content_dir), tuple(load_answers(content_dir).answers), load_fixed_responses(content_dir), load_facts(content_dir))


def render_responses(content: Content, public_url: str, today: date) -> dict[str, list[dict[str, Any]]]:
    """Every response text of the domain (fixed texts and answers) as given on `today`."""
    fixed = fixed_rasa_responses(content.fixed, public_url)
    return {**fixed, **rasa_responses(content.answers, content.content_dir, content.facts, today)}


def domain_responses(content_dir: Path, public_url: str, today: date | None = None) -> dict[str, list[dict[str, Any]]]:
    """Every response text of the domain (fixed texts and answers), rendered from the content files
    with the dated facts' values on `today` (default: lotse.knowledge.facts.answer_day)."""
    return render_responses(load_content(content_dir), public_url, today or answer_day())


def choose_variation(variations: Iterable[Mapping[str, Any]], slots: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The variation the bot sends for these slot values: of those whose conditions all hold, the one
    with the most conditions; the first of equals (what lotse.rasa_server.nlg picks)."""
    suitable = [
        v for v in variations
        if all(slots.get(c["name"]) == c["value"] for c in v.get("condition") or [])
    ]
    return most_specific(suitable)


def most_specific(variations: list[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The variation with the most conditions; the first of equals (content order is deliberate)."""
    if not variations:
        return None
    return max(variations, key=lambda v: len(v.get("condition") or []))
