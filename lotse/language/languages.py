"""The languages Lotse speaks, and the one place that decides which language to answer in.

`language_of_message` applies the rules of docs/languages.md, strongest first: an explicit request
("English please", "по-українськи"); the language chosen in the widget (but Cyrillic text is never
answered in German); Cyrillic script (Ukrainian, also for Russian); a message clearly written in one
language; at a conversation's start the page's language. Anything else ("ok", "Kita", "Bürgergeld",
"46325", "2") keeps the conversation's language. `language_hints` reads what the widget sends. Every other
place (NLU, channels, the web server's refusals, actions) calls the functions of this module.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

LANGUAGES: tuple[str, ...] = ("de", "en", "uk")
DEFAULT_LANGUAGE = "de"
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English", "uk": "Українська"}

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")

# Frequent function words that are not also frequent in the other Latin-script language.
_ENGLISH = frozenset(
    "the a an and or is are am was were be been do does did can could would should will my your i you "
    "he she we they it this that what when where who why how which have has had not no yes please "
    "with without for from of to in on at about get need want help me child kids kid son daughter "
    "money job work there here if any some my much many hi hello thanks thank postcode zip live "
    "delete data stored store know tell does mean".split()
)
_GERMAN = frozenset(
    "der die das den dem des ein eine einen einem einer und oder ist sind bin war waren sein habe hast "
    "hat haben kann können könnte muss müssen soll will wir ihr sie ich du er es mein meine mir mich "
    "nicht kein keine ja nein bitte mit ohne für von zu im auf bei wie was wann wo wer warum welche "
    "welcher gibt geht noch auch schon aber wenn dass weil mein kind sohn tochter geld arbeit hallo "
    "danke guten tag abend morgen".split()
)
# Ukrainian written in Latin letters ("chy mozhu otrymaty hroshi").
_UKRAINIAN_LATIN = frozenset(
    "chy mozhu mozhna meni mene ya vy tse shcho scho yak de koly chomu treba potribno dytyna dytyny "
    "dytynu robota roboty hroshi bud laska dyakuyu diakuiu dobryi den pryvit tak ni ye nemaye "
    "otrymaty znayty znaity pratsiuvaty dopomoha dopomogu syn dochka".split()
)

_VERBS = r"(?:speak|talk|write|answer|reply|switch to|change to|sprechen sie|sprichst du|sprich|schreib\w*|antwort\w*)"


def _request_pattern(latin_names: str, native: str) -> re.Pattern[str]:
    return re.compile(
        rf"\b(?:in|auf)\s+(?:{latin_names})\b|\b(?:{latin_names})\s+(?:please|pls|bitte)\b"
        rf"|\b{_VERBS}\s+(?:in\s+|auf\s+)?(?:{latin_names})\b|{native}|^\W*(?:{latin_names})\W*$",
        re.I,
    )


_SWITCH_VERBS_UK = r"(?:переключ\w*|перейд\w*|поверн\w*|змін\w*|пиш\w*|говор\w*|відповіда\w*)"


def _ukrainian_forms(stem: str, latin_stems: str) -> str:
    """How a Ukrainian speaker asks for a language: "українською", "по-українськи", "на українську",
    "на українській", "переключи на німецьку", "ukrainskoyu" — not "вивчити німецьку мову"."""
    return (
        rf"{stem}ою|по-?{stem}и|{stem}а\W*$|\bна\s+{stem}\w*|{_SWITCH_VERBS_UK}\s+(?:на\s+)?{stem}\w*"
        rf"|\b(?:{latin_stems})\w*(?:oyu|oiu|oju)\b"
    )


# Requests name the language in the form used for "in X": "українською" (instrumental), not
# "німецьку мову" ("I want to learn German"), which is a question about a course.
_REQUESTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("en", _request_pattern("english|englisch", _ukrainian_forms("англійськ", "angliysk|anhliysk|angliisk|anhliisk"))),
    ("uk", _request_pattern(r"ukrainian|ukrainisch", _ukrainian_forms("українськ", "ukrainsk"))),
    ("de", _request_pattern("german|deutsch", _ukrainian_forms("німецьк", "nimetsk|nimeck"))),
)
MAX_REQUEST_WORDS = 8


def is_supported(language: object) -> bool:
    return language in LANGUAGES


def requested_language(text: str) -> str | None:
    """The language a user explicitly asks for: "English please", "auf Deutsch", "українською"."""
    if len(_WORD.findall(text)) > MAX_REQUEST_WORDS:
        return None
    found = [lang for lang, pattern in _REQUESTS if pattern.search(text)]
    return found[0] if len(found) == 1 else None


def _is_cyrillic(text: str) -> bool:
    """Mostly Cyrillic: at least two Cyrillic letters, and at least as many Cyrillic words as Latin
    ones ("Що таке Job-Turbo?" is Cyrillic; "Ich wohne in Бохольт" is not)."""
    if sum(1 for ch in text if _CYRILLIC.match(ch)) < 2:
        return False
    words = _WORD.findall(text)
    cyrillic_words = sum(1 for w in words if _CYRILLIC.match(w[0]))
    return cyrillic_words >= len(words) - cyrillic_words


def detect_language(text: str) -> str | None:
    """The language the text is clearly written in, or None when it is too short or ambiguous.

    Cyrillic script is Ukrainian (Lotse does not speak Russian; a Russian speaker reads Ukrainian
    better than German). Latin script needs two distinctive words and a clear margin; an umlaut
    counts as one German word, so a single German term ("Bürgergeld") decides nothing.
    """
    if not any(ch.isalpha() for ch in text):
        return None
    if _is_cyrillic(text):
        return "uk"
    words = [w.lower() for w in _WORD.findall(text)]
    scores = {
        "en": sum(w in _ENGLISH for w in words),
        "de": sum(w in _GERMAN for w in words) + (1 if re.search(r"[äöüß]", text.lower()) else 0),
        "uk": sum(w in _UKRAINIAN_LATIN for w in words),
    }
    best = max(scores, key=scores.get)
    runner_up = max(v for k, v in scores.items() if k != best)
    if scores[best] >= 2 and scores[best] >= 2 * runner_up + 1:
        return best
    return None


@dataclass(frozen=True)
class LanguageHints:
    """What a client says about the language of a message (the widget's metadata).

    `language`: the language of the widget's selector, if supported; `chosen`: the person picked it
    (the language switch) rather than the page's default (`data-language`); `starting`: this is the
    first message of the conversation."""

    language: str | None = None
    chosen: bool = False
    starting: bool = False

    def as_metadata(self) -> dict[str, Any]:
        """The message metadata a channel passes on to Rasa: these keys and nothing else."""
        if self.language is None:
            return {}
        return {
            "language": self.language,
            "language_source": "chosen" if self.chosen else "page",
            "conversation_start": self.starting,
        }


NO_HINTS = LanguageHints()
LANGUAGE_SOURCES = ("chosen", "page")


def language_hints(metadata: object) -> LanguageHints:
    """The hints in message metadata `{"language": "en", "language_source": "chosen" | "page",
    "conversation_start": true}`. An unsupported language is no hint. A language without a source
    counts as chosen (an API client that sets it means it); "page" is only the page's default."""
    if not isinstance(metadata, Mapping) or not is_supported(metadata.get("language")):
        return NO_HINTS
    source = metadata.get("language_source")
    return LanguageHints(
        language=str(metadata["language"]),
        chosen=source != "page",
        starting=metadata.get("conversation_start") is True,
    )


def language_of_message(text: str, hints: LanguageHints = NO_HINTS, current: str | None = None) -> str | None:
    """The language to answer this message in; `current` (the conversation's language so far, None:
    "keep it") when nothing in the message decides.

    The rules of docs/languages.md, strongest first:
    1. an explicit request in the text ("English please", "auf Deutsch", "по-українськи");
    2. the language the person chose in the widget, except that Cyrillic text is never answered in German;
    3. Cyrillic script: Ukrainian (Russian included);
    4. the language the text is clearly written in (two distinctive words, a clear margin);
    5. at the start of a conversation, the page's language (a start, not a choice: rules 3 and 4 win);
    6. otherwise the conversation's language: one word ("Kita", "ja", "2") never switches it.
    A messenger's language hint (the phone's language) is not evidence about a message: it chooses
    only the greeting when a user opens the bot (Telegram's /start, lotse/rasa_server/channels/telegram.py).
    """
    requested = requested_language(text)
    if requested:
        return requested
    written = detect_language(text)
    if hints.language and hints.chosen:
        return "uk" if hints.language == "de" and written == "uk" else hints.language
    if written:
        return written
    if hints.language and hints.starting:
        return hints.language
    return current


def reply_language(text: str | None, preferred: object = None) -> str:
    """The language to answer in when there is no conversation to go by (a request refused before
    it reaches Rasa, a too long message): what the text decides, else the browser's or phone's
    preferred language, else German."""
    fallback = str(preferred) if is_supported(preferred) else DEFAULT_LANGUAGE
    return language_of_message(text or "", current=fallback) or fallback
