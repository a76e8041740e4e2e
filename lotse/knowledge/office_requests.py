"""Which office a message asks for, and whether a message with a place in it asks for an office.

Pure functions over folded text (lotse.language.textnorm.fold), fast enough for every message in
the NLU pipeline: a few regular expressions and set look-ups, the place itself is found by
`lotse.knowledge.places`.

- `office_type_of`: "jobcenter" | "jugendamt" | "agentur" | "familienbuero" from the words of a
  message ("Kita", "ALG I", "Agentur für Arbeit", "Familienbüro" …), None when it names none.
- `asks_for_office`: a message whose content is a place and an office or a question who is
  responsible ("Jobcenter Eggerode", "Ich komme aus Alstätte. Wer ist zuständig?", "Meine PLZ ist
  48691, welches Jobcenter?", "Which jobcenter is responsible for Rhede?"). The NLU classifier then
  answers with the office finder instead of a knowledge answer that happens to share a word.
"""
from __future__ import annotations

import re

from lotse.knowledge.places import Gazetteer, place_free_words
from lotse.language.textnorm import fold

OFFICE_TYPES = ("jobcenter", "jugendamt", "agentur", "familienbuero")

# On folded text: umlauts are gone ("familienburo"), hyphens are spaces ("джоб центр").
_TYPE_PATTERNS = (
    ("familienbuero", re.compile(r"familienburo|family office|сімейн\w* бюро")),
    (
        "jugendamt",
        re.compile(
            r"jugendamt|kita|kindergarten|krippe|tagesmutter|tagespflege|unterhaltsvorschuss|elternbeitrag"
            r"|youth (welfare )?office|nursery|daycare|day care|childminder"
            r"|служб\w* у справах (дітей|молоді)|дитсад|дитячий садок|садочок|ясла"
        ),
    ),
    (
        "agentur",
        re.compile(
            r"agentur|arbeitsamt|\balg (1|i|eins)\b|\balg1\b|arbeitslosengeld (1|i|eins)\b"
            r"|employment agency|job agency|unemployment benefit"
            r"|агентств\w* (з питань )?(праці|зайнятості)|центр зайнятості"
        ),
    ),
    ("jobcenter", re.compile(r"jobcenter|jobcentre|job cent(er|re)|jobcentr|джобцентр|джоб центр|джоб-центр")),
)

# A message that names one of these with a place asks for that office.
_OFFICE_NOUNS = re.compile(
    r"\b(jobcenter\w*|jobcentre|job cent(er|re)|jobcentr\w*|kreisjugendamt\w*|jugendamt\w*|arbeitsagentur\w*"
    r"|agentur\w*|arbeitsamt\w*|familienburo\w*|amt|behorde|buro|office|agency|authority"
    r"|джобцентр\w*|джоб центр\w*|агентств\w*|установ\w*|відомств\w*)\b"
)
# Questions who is responsible, or where to go: enough together with a place.
_RESPONSIBILITY = re.compile(
    r"\bzustandig\w*|\bwo muss ich hin\b|\bwohin muss ich\b|\ban wen (muss |kann |soll )?(ich mich|wende)|\bwer hilft mir\b"
    r"|\bwelche[srnm]? (jobcenter|jugendamt|kreisjugendamt|arbeitsagentur|agentur|amt|stelle|behorde|familienburo)\b"
    r"|\bwhich (jobcenter|job cent(er|re)|office|agency|youth office)\b"
    r"|\b(який|яка|яке|до якого|в який) (джобцентр|jobcenter|jugendamt|агентств|установ)"
    r"|\bresponsible\b|\bin charge\b|\bwhere (do|should|can) i (have to )?go\b|\bwho do i (contact|turn to)\b"
    r"|\bвідповіда\w*|\bкуди (мені )?(звертатися|звернутися|звертатись|йти|іти)\b|\bдо кого звернутися\b"
)
# Words that may stand around the place and the office ("Ich lebe in Nienborg und brauche das
# Jobcenter"): anything else is a topic of its own ("… hat meinen Antrag abgelehnt") and the
# statistical classifier decides.
REQUEST_WORDS = frozenset(
    (
        # German
        "ich wir wohne wohn wohnen lebe leben bin sind komme komm kommen in im aus bei nach von fur "
        "der die das den dem des ein eine einen einer mein meine meiner meinen unser unsere ist ja also "
        "hier und oder wer wo wohin welche welcher welches welchen welchem wie was mich mir uns "
        "brauche brauchen suche suchen finde finden gibt es muss musste kann konnte soll sollte hin gehen "
        "wenden an zu zum zur mit dort da denn bitte danke hallo hi adresse anschrift telefon "
        "telefonnummer nummer kontakt email mail offnungszeiten erreiche erreichen stelle ansprechpartner "
        "jetzt genau eigentlich dann nun denn wer ist zustandig zustandige zustandigen zustandiges "
        "stadt gemeinde ortsteil ort wohnort plz postleitzahl kreis sitz gut "
        "kita kindergarten krippe tagespflege tagesmutter alg arbeitslosengeld 1 i eins "
        "wann offen geoffnet hat haben habe auf termin vereinbaren beim vom bekomme beziehe erhalte "
        "seit kurzem zuhause wir sind grundsicherung grundsicherungsgeld burgergeld hartz wegen "
        "wende gezogen umgezogen hingezogen "
        # English
        "m am we live lives living from near at the my is it its town city village of yes come "
        "postcode zip code postal which who where what responsible for me us do go have to need "
        "find address phone number contact opening hours and a an please hello about how should can "
        "youth welfare employment unemployment benefit nursery daycare when open opening times time "
        "reach get appointment mine are re "
        # Ukrainian
        "я ми живу живемо мешкаю проживаю в у з із зі до для біля мій моє моя мого моєї мені мене нам "
        "який яка яке які якого хто де куди відповідає відповідальний відповідальна потрібен потрібна "
        "потрібно треба знайти звертатися звернутися звертатись йти іти адреса телефон номер контакт "
        "і а та місто місті село селі громада громаді індекс поштовий будь ласка це тут за де коли "
        "відкритий відкрито працює години роботи графік контакти"
    ).split()
)
# Words that make a question of its own even beside "wer ist zuständig" ("Welches Jobcenter zahlt
# den Mehrbedarf in Gronau?"): the topics of Lotse's knowledge answers.
_TOPICS = re.compile(
    r"umschul|weiterbild|bildungsgutschein|ausbildung|anerkenn|kurs|integration|krank|arbeitspflicht|"
    r"teilzeit|coaching|widerspruch|abgelehnt|sanktion|einstiegsgeld|hinzuverdien|verdien|minijob|regelbedarf|"
    r"regelsatz|mehrbedarf|unterhalt|kinderzuschlag|kindergeld|elterngeld|wohngeld|steuer|bildung und teilhabe|"
    r"fuhrerschein|umzug|umziehen|miete|wohnung|termin verpasst|antrag|geld|zahl|betrag|hoch|viel|kost|"
    r"retrain|training|course|language|sick|appeal|rent|flat|move|moving|tax|allowance|how much|pay|money|"
    r"перенавчан|навчан|курс|хвор|оренд|квартир|переїзд|податк|скільки|гроші|платит|виплат"
)
MAX_OTHER_WORDS = 0  # beside an office word
MAX_OTHER_WORDS_ASKED = 4  # beside a question who is responsible ("wer ist zuständig", "welches Jobcenter")


def office_type_of(text: str) -> str | None:
    """The office a message names: "familienbuero", "jugendamt", "agentur" or "jobcenter"; None if none."""
    folded = fold(text or "")
    for office_type, pattern in _TYPE_PATTERNS:
        if pattern.search(folded):
            return office_type
    return None


def asks_for_office(text: str, gaz: Gazetteer) -> bool:
    """True when a message names a place (in or outside Kreis Borken) together with an office or a
    question who is responsible, and says nothing else of substance."""
    folded = fold(text or "")
    asked = _RESPONSIBILITY.search(folded) is not None
    if not (asked or _OFFICE_NOUNS.search(folded)):
        return False
    rest = place_free_words(text, gaz)
    if rest is None:
        return False
    if "agentur" in rest:  # "Agentur für Arbeit"
        rest = [w for w in rest if w != "arbeit"]
    others = [w for w in rest if w not in REQUEST_WORDS and not _OFFICE_NOUNS.fullmatch(w)]
    if not others:
        return True
    return asked and len(others) <= MAX_OTHER_WORDS_ASKED and not _TOPICS.search(" ".join(others))
