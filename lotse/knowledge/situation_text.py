"""The texts of the situation check (content/situation.yml): their check for `make check-content`
and the personal list as one readable text for messengers.

    render_list(entitlements(household, day, facts, offices), "uk", day)
    render_messages(items, "de", day)   # the same in parts of at most 4,000 characters

Amounts are written in the language's number format (lotse/language/numbers.py); every list ends
with the limits sentence ("keine Entscheidung, keine Rechtsberatung").
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from lotse.core.settings import PROJECT_ROOT
from lotse.core.yamlfiles import load_yaml
from lotse.knowledge.facts import date_text
from lotse.knowledge.situation import ITEM_IDS, Amount, Item, Office, Source, Text, Value
from lotse.language.languages import LANGUAGES
from lotse.language.numbers import format_number, wrong_number_formats

SITUATION_FILE = "situation.yml"
CONTENT_DIR = PROJECT_ROOT / "content"
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
LITERAL_EURO = re.compile(r"\d\s?(?:€|Euro\b|euro\b|євро)")
UNITS = {"eur": " €", "number": ""}
OFFICE_KINDS_WITH_TOWN = ("wohngeldstelle", "gemeinde", "schule")
SOURCES_SHOWN = 1  # per item in the text (Item.sources keeps them all); the first is the rule's own
MESSAGE_CHARS = 4000  # below the 4,096 characters of a Telegram or WhatsApp message
# Each messenger's own limit for one text (the TEXT_LIMIT of lotse/rasa_server/channels/<name>.py, a unit
# test keeps them equal), less room for the numbered options and their hint under the last part.
CHANNEL_TEXT_LIMITS = {"telegram": 4096, "whatsapp_cloud": 4096, "facebook": 2000, "twilio_whatsapp": 1600}
OPTIONS_RESERVE = 300
# A platform's shorter limit for the text above buttons (whatsapp_cloud.py BUTTON_BODY_LIMIT,
# twilio_whatsapp.py CONTENT_BODY_LIMIT).
CHANNEL_BUTTON_TEXT_LIMITS = {"whatsapp_cloud": 1024, "twilio_whatsapp": 1024}
TOPIC_CHARS = 200  # a callback's topic (actions/callbacks.py keeps at most this)
MONEY_TOPICS_FOR_OFFER = 2
CHECK_INTENT = "ask_situation_check"  # the intent that starts the check (data/nlu/*/situation.yml)

# Every text the rules use, with the placeholders it may use (each language the same ones).
TEXT_KEYS: dict[str, frozenset[str]] = {
    key: frozenset(names.split())
    for key, names in {
        "list.heading": "day", "limits": "", "label.office": "office", "label.web": "url", "label.apply": "text",
        "label.check": "office", "label.sources": "sources", "source.undated": "",
        "value.unknown": "until last", "value.upcoming": "since value", "value.change": "since value",
        "value.change_unknown": "since", "per.month": "", "per.year": "", "per.once": "", "per.days_year": "",
        "amount.you": "", "amount.child": "child age", "amount.child_unknown": "child", "amount.bracket": "age_from age_to",
        "amount.bracket_child": "child age_from age_to", "amount.per_child": "", "amount.none": "",
        **{f"office.{kind}": "" for kind in ("jobcenter", "jugendamt", "agentur", "familienkasse", "finanzamt", "krankenkasse",
                                               "wohngeldstelle", "gemeinde", "schule")},
        **{f"office.{kind}_town": "town" for kind in OFFICE_KINDS_WITH_TOWN},
        **{f"{item}.title": "" for item in ITEM_IDS},
        "mehrbedarf.why": "percent count", "mehrbedarf.why_if": "percent count", "mehrbedarf.why_ages_unknown": "",
        "mehrbedarf.amount": "percent", "mehrbedarf.rule_high": "", "mehrbedarf.rule_per_child": "", "mehrbedarf.rule_most": "",
        "mehrbedarf.note_ages": "", "mehrbedarf.apply": "",
        "regelbedarf.why": "", "regelbedarf.why_if": "", "regelbedarf.apply": "",
        "unterhaltsvorschuss.why": "", "unterhaltsvorschuss.why_if": "", "unterhaltsvorschuss.note_12_17": "income_min",
        "unterhaltsvorschuss.note_partly": "", "unterhaltsvorschuss.apply": "",
        "kindergeld.why": "", "kindergeld.apply": "",
        "kinderzuschlag.why": "income_min", "kinderzuschlag.most": "", "kinderzuschlag.apply": "",
        "wohngeld.why": "", "wohngeld.why_rent": "rent", "wohngeld.note_2027": "", "wohngeld.apply": "",
        "but.why": "", "but.why_if": "", "but.august": "", "but.februar": "", "but.teilhabe": "", "but.apply": "",
        "kita.why": "", "kita.why_wanted": "", "kita.child_unter_1": "child age", "kita.child_unter_1_work": "child age",
        "kita.child_1_bis_2": "child age", "kita.child_ab_3": "child age", "kita.child_unknown": "child", "kita.rule": "",
        "kita.note_fees": "", "kita.apply_portal": "portal url", "kita.apply_portal_name": "portal", "kita.apply": "",
        "ogs.why": "since grades", "ogs.why_before": "since grades", "ogs.apply": "",
        "entlastungsbetrag.why": "", "entlastungsbetrag.why_if": "", "entlastungsbetrag.first": "",
        "entlastungsbetrag.further": "count", "entlastungsbetrag.per_further": "", "entlastungsbetrag.apply": "",
        "kinderkrankentage.why": "count", "kinderkrankentage.why_if": "count", "kinderkrankentage.total": "",
        "kinderkrankentage.most": "", "kinderkrankentage.fallback_total": "", "kinderkrankentage.fallback_per_child": "",
        "kinderkrankentage.fallback_most": "", "kinderkrankentage.note_unknown": "", "kinderkrankentage.apply": "",
        "weiterbildung.why": "", "weiterbildung.geld": "", "weiterbildung.childcare": "", "weiterbildung.note": "",
        "weiterbildung.apply": "office", "weiterbildung.apply_jobcenter": "office",
        "print.open": "", "print.title": "", "print.print": "", "print.note": "", "print.waiting": "", "print.missing": "",
        "callback.topic": "titles", "offer.button": "",
    }.items()
}


@dataclass(frozen=True)
class SituationTexts:
    texts: Mapping[str, Mapping[str, str]]
    sources: Mapping[str, tuple[Source, ...]]
    # topic -> the words (any language) that name it in a story, lower case
    money_words: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)


def load_situation_texts(content_dir: Path = CONTENT_DIR) -> SituationTexts:
    data = load_yaml(Path(content_dir) / SITUATION_FILE) or {}
    sources = {
        str(item): tuple(Source(str(s.get("title") or ""), str(s.get("url") or ""), str(s.get("date") or "")) for s in entries or [])
        for item, entries in (data.get("sources") or {}).items()
    }
    words = {
        str(topic): tuple(str(w).lower() for lang in LANGUAGES for w in (by_lang or {}).get(lang) or [])
        for topic, by_lang in (data.get("money_words") or {}).items()
    }
    return SituationTexts({str(k): dict(v or {}) for k, v in (data.get("texts") or {}).items()}, sources, words)


def situation_problems(content_dir: Path) -> list[str]:
    """content/situation.yml: every text the rules use, in every language, with its own placeholders
    (the same ones in every language), no literal amount, numbers in the language's format; sources with
    title, web address and date."""
    where = SITUATION_FILE
    if not (Path(content_dir) / SITUATION_FILE).exists():
        return [f"{where}: missing"]
    try:
        texts = load_situation_texts(content_dir)
    except (yaml.YAMLError, AttributeError, TypeError, ValueError) as error:
        return [f"{where}: cannot be read: {error}"]
    problems = [f"{where}: texts.{key}: not used by the rules (lotse/knowledge/situation_text.py TEXT_KEYS)"
                for key in texts.texts if key not in TEXT_KEYS]
    for key, allowed in TEXT_KEYS.items():
        entry = texts.texts.get(key)
        if entry is None:
            problems.append(f"{where}: texts.{key}: missing")
            continue
        used_by_lang = {}
        for lang in LANGUAGES:
            text = str(entry.get(lang) or "")
            if not text.strip():
                problems.append(f"{where}: texts.{key}: no {lang} text")
                continue
            used = used_by_lang[lang] = set(PLACEHOLDER.findall(text))
            if not used <= allowed:
                problems.append(f"{where}: texts.{key} ({lang}): unknown placeholders {sorted(used - allowed)} (known: {sorted(allowed)})")
            if LITERAL_EURO.search(text):
                problems.append(f"{where}: texts.{key} ({lang}): literal amount (amounts come from content/facts.yml)")
            problems.extend(f"{where}: texts.{key} ({lang}): {number} is written in {reason}" for number, reason in wrong_number_formats(text, lang))
        if len({frozenset(u) for u in used_by_lang.values()}) > 1:
            problems.append(f"{where}: texts.{key}: the languages use different placeholders: "
                            + ", ".join(f"{lang} {sorted(u)}" for lang, u in used_by_lang.items()))
    for topic, words in texts.money_words.items():
        if not words:
            problems.append(f"{where}: money_words.{topic}: no words")
    if len(texts.money_words) < MONEY_TOPICS_FOR_OFFER:
        problems.append(f"{where}: money_words: at least {MONEY_TOPICS_FOR_OFFER} topics are needed to offer the check")
    for item, entries in texts.sources.items():
        if item not in ITEM_IDS:
            problems.append(f"{where}: sources.{item}: no such item")
        for s in entries:
            if not (s.title and s.url.startswith(("https://", "http://")) and s.date):
                problems.append(f"{where}: sources.{item}: every source needs title, url and date")
    return problems


# ------------------------------------------------------------------------------------------------ rendering


def _say(texts: SituationTexts, key: str, lang: str, **values: str) -> str:
    template = texts.texts[key][lang]
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def _value(value: Value, unit: str, per: str, lang: str, texts: SituationTexts) -> str:
    text = format_number(value.amount, lang) + UNITS.get(unit, "")
    if per != "none":
        text += " " + texts.texts[f"per.{per}"][lang]
    if value.confidence == "U" and value.hedge.get(lang):
        text += f" ({value.hedge[lang]})"
    return text


def amount_text(a: Amount, lang: str, texts: SituationTexts) -> str:
    """What `a` says on the day: "202,68 € im Monat (ab 01.01.2027: noch nicht festgelegt)", or
    "noch nicht bekannt (bis 31.12.2026: 202,68 € im Monat)"."""
    show = lambda v: _value(v, a.unit, a.per, lang, texts)  # noqa: E731
    if a.current is None:
        if a.last is not None and a.last.valid_until is not None:
            return _say(texts, "value.unknown", lang, until=date_text(a.last.valid_until), last=show(a.last))
        if a.upcoming is not None:
            return _say(texts, "value.upcoming", lang, since=date_text(a.upcoming.valid_from), value=show(a.upcoming))
        return _say(texts, "value.unknown", lang, until="–", last="–")
    text = show(a.current)
    if a.upcoming is not None:
        text += _say(texts, "value.change", lang, since=date_text(a.upcoming.valid_from), value=show(a.upcoming))
    elif a.current.valid_until is not None:
        text += _say(texts, "value.change_unknown", lang, since=date_text(a.current.valid_until + timedelta(days=1)))
    return text


def office_text(office: Office, lang: str, texts: SituationTexts) -> str:
    if office.name:
        return office.name
    if office.town and office.kind in OFFICE_KINDS_WITH_TOWN:
        return _say(texts, f"office.{office.kind}_town", lang, town=office.town)
    return texts.texts[f"office.{office.kind}"][lang]


def _fill(value: Any, lang: str, texts: SituationTexts) -> str:
    if isinstance(value, Amount):
        return amount_text(value, lang, texts)
    if isinstance(value, Office):
        return office_text(value, lang, texts)
    if isinstance(value, Decimal):
        return format_number(value, lang) + " €"
    if isinstance(value, date):
        return date_text(value)
    return str(value)


def text(t: Text, lang: str, texts: SituationTexts) -> str:
    """A text of content/situation.yml with its values in `lang`'s format."""
    return _say(texts, t.key, lang, **{name: _fill(value, lang, texts) for name, value in t.values.items()})


def source_date(raw: str, lang: str, texts: SituationTexts) -> str:
    """A source's date as users read it: 07.10.2025, 01/2026, 2025, or "ohne Datum"."""
    match = re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", raw.strip())
    if not match:
        return texts.texts["source.undated"][lang]
    year, month, day = match.groups()
    return f"{day}.{month}.{year}" if day else (f"{month}/{year}" if month else year)


def item_sources(item: Item, texts: SituationTexts) -> tuple[Source, ...]:
    """The item's sources: from its facts, and for rules without a fact from content/situation.yml."""
    seen: dict[str, Source] = {}
    for s in list(item.sources) + list(texts.sources.get(item.id, ())):
        seen.setdefault(s.url, s)
    return tuple(seen.values())


def render_item(number: int, item: Item, lang: str, texts: SituationTexts | None = None) -> str:
    """One item as text (for a chat that sends the list in parts; the limits go with the last part)."""
    texts = texts or load_situation_texts()
    lines = [f"{number}. {texts.texts[f'{item.id}.title'][lang]}", text(item.why, lang, texts)]
    lines += [f"• {text(a.label, lang, texts)}: {amount_text(a, lang, texts)}" for a in item.amounts]
    lines += [text(n, lang, texts) for n in item.notes]
    office = office_text(item.office, lang, texts)
    lines.append(_say(texts, "label.check" if item.check_only else "label.office", lang, office=office))
    if item.office.web:
        lines.append(_say(texts, "label.web", lang, url=item.office.web))
    lines.append(_say(texts, "label.apply", lang, text=text(item.apply, lang, texts)))
    shown = item_sources(item, texts)[:SOURCES_SHOWN]
    sources = "; ".join(f"{s.url} ({source_date(s.date, lang, texts)})" for s in shown)
    if sources:
        lines.append(_say(texts, "label.sources", lang, sources=sources))
    return "\n".join(lines)


def _blocks(items: Iterable[Item], lang: str, day: date | None, content_dir: Path) -> list[str]:
    texts = load_situation_texts(content_dir)
    blocks = [_say(texts, "list.heading", lang, day=date_text(day))] if day else []
    blocks += [render_item(n, item, lang, texts) for n, item in enumerate(items, 1)]
    return blocks + [texts.texts["limits"][lang]]


def render_list(items: Iterable[Item], lang: str, day: date | None = None, content_dir: Path = CONTENT_DIR) -> str:
    """The personal list as one text: a heading (with the day, when given), each item, and the
    limits sentence at the end of every list, also an empty one."""
    return "\n\n".join(_blocks(items, lang, day, content_dir))


def render_messages(items: Iterable[Item], lang: str, day: date | None = None, max_chars: int = MESSAGE_CHARS,
                    content_dir: Path = CONTENT_DIR, last_max_chars: int | None = None) -> list[str]:
    """The same list in messages of at most `max_chars` (messengers cut long texts), never splitting
    an item; the limits sentence ends the last message. With `last_max_chars` (the text a platform
    allows above buttons), a longer last message leaves the limits sentence to a message of its own."""
    messages: list[str] = []
    blocks = _blocks(items, lang, day, content_dir)
    for block in blocks:
        if messages and len(messages[-1]) + 2 + len(block) <= max_chars:
            messages[-1] += "\n\n" + block
        else:
            messages.append(block)
    if last_max_chars is not None and len(messages) and len(messages[-1]) > last_max_chars and messages[-1] != blocks[-1]:
        messages[-1] = messages[-1][: -len(blocks[-1])].rstrip()
        messages.append(blocks[-1])
    return messages


def channel_button_chars(channel: str | None) -> int | None:
    """How long the text above buttons may be on `channel` (both WhatsApp channels: 1,024), else None."""
    limit = CHANNEL_BUTTON_TEXT_LIMITS.get(channel or "")
    return limit - OPTIONS_RESERVE if limit else None


def channel_chars(channel: str | None) -> int:
    """How long one part of the list may be on `channel` (the name of Rasa's input channel): within the
    messenger's own limit, so no item is cut by the channel; MESSAGE_CHARS elsewhere."""
    limit = CHANNEL_TEXT_LIMITS.get(channel or "")
    return min(MESSAGE_CHARS, limit - OPTIONS_RESERVE) if limit else MESSAGE_CHARS


def print_page(items: Iterable[Item], lang: str, day: date, content_dir: Path = CONTENT_DIR) -> dict[str, Any]:
    """The list for the widget's page to print (web/widget/print.html): the same blocks as the text
    (heading, one per item, the limits) and the page's own labels in `lang`. Only data: the page
    shows every string as text."""
    texts = load_situation_texts(content_dir)
    blocks = _blocks(items, lang, day, content_dir)
    labels = {name: texts.texts[f"print.{name}"][lang] for name in ("open", "title", "print", "note")}
    return {"lang": lang, "heading": blocks[0], "items": blocks[1:-1], "limits": blocks[-1], "labels": labels}


def callback_topic(items: Iterable[Item], lang: str, content_dir: Path = CONTENT_DIR) -> str:
    """The topic a callback after the check starts with: "Was steht mir zu? Die Liste aus dem Chat:
    Mehrbedarf …, Unterhaltsvorschuss", at most TOPIC_CHARS long (whole titles only)."""
    texts = load_situation_texts(content_dir)
    titles: list[str] = []
    for item in items:
        candidate = ", ".join([*titles, texts.texts[f"{item.id}.title"][lang]])
        if len(_say(texts, "callback.topic", lang, titles=candidate)) > TOPIC_CHARS:
            break
        titles.append(texts.texts[f"{item.id}.title"][lang])
    return _say(texts, "callback.topic", lang, titles=", ".join(titles) or "–")


def money_topics(message: str, texts: SituationTexts) -> set[str]:
    """The money topics (content/situation.yml money_words) a message names; a word matches where a
    word of the message starts."""
    lowered = " " + " ".join(message.lower().split())
    found = set()
    for topic, words in texts.money_words.items():
        if any(re.search(r"(?<!\w)" + re.escape(w), lowered) for w in words):
            found.add(topic)
    return found


def offers_check(message: str, texts: SituationTexts) -> bool:
    """A story that names several money questions (maintenance not paid, not enough money, the rent …):
    the situation check is offered."""
    return len(money_topics(message, texts)) >= MONEY_TOPICS_FOR_OFFER


def check_offer(message: str, answered_intent: str | None, texts: SituationTexts, lang: str, min_words: int) -> dict[str, str] | None:
    """The button that offers the check under an answer to a story (a message of at least `min_words`
    words) naming several money questions; None otherwise, and under the check itself."""
    if answered_intent == CHECK_INTENT or len(message.split()) < min_words or not offers_check(message, texts):
        return None
    return {"title": texts.texts["offer.button"][lang], "payload": f"/{CHECK_INTENT}"}
