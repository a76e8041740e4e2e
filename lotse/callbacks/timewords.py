"""English and Ukrainian callback times, rewritten in the German that `lotse.callbacks.timeparse` reads.

There is one parser (German). A message in English ("tomorrow after 2pm", "Nov 28", "28/11") or
Ukrainian ("завтра після 14", "в середу з 10 до 12", "наступного вівторка", "28 листопада",
"zavtra pislia 14") is rewritten word by word into German tokens the parser already understands
("morgen nach 14:00", "mittwoch von 10 bis 12", "nachsten dienstag", "28 november"). Everything the
parser would give up on — negations, "or", vague words, numbers it cannot place — is carried over
("не завтра" → "nicht morgen", "tomorrow or Friday" → "morgen oder freitag"), so unclear input
stays unclear. A German message is returned unchanged.
"""
from __future__ import annotations

import re
import unicodedata

from lotse.language.translit import has_cyrillic, join_apostrophes

# --- vocabulary ------------------------------------------------------------------------------------

_EN_WORDS = {
    "today": "heute", "tomorrow": "morgen", "tmrw": "morgen", "tmr": "morgen", "yesterday": "gestern",
    "monday": "montag", "tuesday": "dienstag", "wednesday": "mittwoch", "thursday": "donnerstag",
    "friday": "freitag", "saturday": "samstag", "sunday": "sonntag",
    "mondays": "montags", "tuesdays": "dienstags", "wednesdays": "mittwochs", "thursdays": "donnerstags",
    "fridays": "freitags", "saturdays": "samstags", "sundays": "sonntags",
    "mon": "montag", "tue": "dienstag", "tues": "dienstag", "wed": "mittwoch", "weds": "mittwoch",
    "thu": "donnerstag", "thur": "donnerstag", "thurs": "donnerstag", "fri": "freitag", "sat": "samstag",
    "sun": "sonntag",
    "morning": "vormittags", "mornings": "vormittags", "afternoon": "nachmittags", "afternoons": "nachmittags",
    "arvo": "nachmittags", "evening": "abends", "evenings": "abends", "night": "nachts", "nights": "nachts",
    "tonight": "heute abends", "midnight": "nachts", "noon": "mittag", "midday": "mittag", "lunch": "mittag",
    "lunchtime": "mittag",
    "after": "nach", "before": "vor", "from": "von", "until": "bis", "till": "bis", "til": "bis",
    "between": "zwischen", "and": "und", "or": "oder", "either": "entweder",
    "not": "nicht", "dont": "nicht", "cant": "nicht", "cannot": "nicht", "wont": "nicht", "isnt": "nicht",
    "except": "ausser", "no": "kein", "never": "nie",
    "next": "nachsten", "coming": "kommenden", "this": "diesen",
    "week": "woche", "weeks": "wochen", "weekend": "wochenende", "month": "monat", "months": "monate",
    "year": "jahr", "sometime": "irgendwann", "someday": "irgendwann", "eventually": "irgendwann",
    "soon": "bald", "later": "spater", "late": "spat", "early": "fruh", "earliest": "fruhestens",
    "latest": "spatestens", "anytime": "jederzeit", "whenever": "jederzeit", "asap": "schnellstmoglich",
    "now": "sofort", "immediately": "sofort", "oclock": "uhr", "approximately": "gegen",
    "approx": "gegen", "roughly": "gegen", "circa": "circa", "ish": "",
    "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
    "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    # words that mean something else in German and nothing for the parser in English
    "am": "", "so": "", "the": "", "of": "", "on": "am", "at": "", "around": "", "about": "", "by": "",
    "to": "", "in": "in",
}
# Before a number they are prepositions of time.
_EN_BEFORE_NUMBER = {
    "at": "um", "around": "gegen", "about": "gegen", "by": "bis", "to": "bis", "on": "am",
}
_EN_MONTHS = {
    "january": "januar", "jan": "januar", "february": "februar", "feb": "februar", "march": "marz",
    "mar": "marz", "april": "april", "apr": "april", "may": "mai", "june": "juni", "jun": "juni",
    "july": "juli", "jul": "juli", "august": "august", "aug": "august", "september": "september",
    "sep": "september", "sept": "september", "october": "oktober", "oct": "oktober",
    "november": "november", "nov": "november", "december": "dezember", "dec": "dezember",
}
# Words that show a message is English (none of them is German).
_EN_MARKERS = frozenset(
    set(_EN_WORDS) - {"am", "so", "in", "circa", "ish", "no", "asap", "mon", "sat", "sun", "wed", "fri", "tue", "thu"}
    | {"pm", "call", "please", "me", "any", "time", "works", "would", "best", "free", "available", "day", "days",
       "hour", "hours", "can", "could", "you", "my", "is", "be", "we", "back", "good", "fine",
       "half", "past", "quarter", "maybe"}
    | {m for m in _EN_MONTHS if len(m) > 3 and m not in ("april", "august", "september", "november")}
)

_UK_WORDS = {
    "сьогодні": "heute", "завтра": "morgen", "післязавтра": "ubermorgen", "вчора": "gestern",
    "учора": "gestern", "позавчора": "vorgestern",
    "понеділок": "montag", "понеділка": "montag", "понеділку": "montag", "понеділках": "montags",
    "вівторок": "dienstag", "вівторка": "dienstag", "вівторку": "dienstag", "вівторках": "dienstags",
    "середа": "mittwoch", "середу": "mittwoch", "середи": "mittwoch", "середі": "mittwoch", "середах": "mittwochs",
    "четвер": "donnerstag", "четверга": "donnerstag", "четвергу": "donnerstag", "четвергах": "donnerstags",
    "пятниця": "freitag", "пятницю": "freitag", "пятниці": "freitag", "пятницях": "freitags",
    "субота": "samstag", "суботу": "samstag", "суботи": "samstag", "суботі": "samstag", "суботах": "samstags",
    "неділя": "sonntag", "неділю": "sonntag", "неділі": "sonntag", "неділях": "sonntags",
    "пн": "montag", "вт": "dienstag", "ср": "mittwoch", "чт": "donnerstag", "пт": "freitag",
    "сб": "samstag", "нд": "sonntag",
    "зранку": "vormittags", "вранці": "vormittags", "уранці": "vormittags", "зрання": "vormittags",
    "зранка": "vormittags", "ранок": "vormittags", "ранку": "vormittags", "ранком": "vormittags",
    "рано": "fruh", "вдень": "nachmittags", "удень": "nachmittags", "пообіді": "nachmittags",
    "ввечері": "abends", "увечері": "abends", "вечором": "abends", "вечір": "abends", "вечора": "abends",
    "вночі": "nachts", "уночі": "nachts", "ніч": "nachts", "ночі": "nachts", "обід": "mittags",
    "обіду": "mittag", "обідом": "mittag", "полудень": "mittag", "полудня": "mittag", "опівдні": "mittags",
    "після": "nach", "між": "zwischen", "поміж": "zwischen", "і": "und", "й": "und", "та": "und",
    "або": "oder", "не": "nicht", "ні": "nicht", "крім": "ausser", "окрім": "ausser",
    "наступного": "nachsten", "наступний": "nachsten", "наступну": "nachsten", "наступної": "nachsten",
    "наступному": "nachsten", "наступна": "nachsten", "цього": "diesen", "цей": "diesen", "цю": "diesen",
    "цієї": "diesen", "цьому": "diesen", "тиждень": "woche", "тижня": "woche", "тижні": "woche",
    "вихідні": "wochenende", "вихідних": "wochenende",
    "колись": "irgendwann", "пізніше": "spater", "згодом": "spater", "пізно": "spat", "скоро": "bald",
    "незабаром": "bald", "місяць": "monat", "місяця": "monat", "місяці": "monat", "рік": "jahr",
    "року": "jahr", "середині": "mitte", "кінці": "ende", "початку": "anfang",
    "терміново": "schnellstmoglich", "негайно": "schnellstmoglich", "якнайшвидше": "schnellstmoglich",
    "якнайскоріше": "schnellstmoglich", "якнайраніше": "schnellstmoglich", "неважливо": "egal",
    "байдуже": "egal", "будь-коли": "jederzeit",
    "один": "1", "одна": "1", "два": "2", "дві": "2", "три": "3", "чотири": "4", "пять": "5",
    "шість": "6", "сім": "7", "вісім": "8", "девять": "9", "десять": "10", "одинадцять": "11",
    "дванадцять": "12",
    "першій": "1", "другій": "2", "третій": "3", "четвертій": "4", "пятій": "5", "шостій": "6",
    "сьомій": "7", "восьмій": "8", "девятій": "9", "десятій": "10", "одинадцятій": "11",
    "дванадцятій": "12",
    "першу": "1", "другу": "2", "третю": "3", "четверту": "4", "пяту": "5", "шосту": "6", "сьому": "7",
    "восьму": "8", "девяту": "9", "десяту": "10", "одинадцяту": "11", "дванадцяту": "12",
    # "о 10", "в 10", "з 10 до 12": prepositions only before a number (see _UK_BEFORE_NUMBER)
    "о": "", "об": "", "в": "", "у": "", "на": "", "з": "", "із": "", "зі": "", "від": "", "до": "",
    "по": "", "чи": "", "числа": "",
}
_UK_BEFORE_NUMBER = {
    "о": "um", "об": "um", "в": "um", "у": "um", "на": "um", "з": "von", "із": "von", "зі": "von",
    "від": "von", "до": "bis", "біля": "gegen", "близько": "gegen", "приблизно": "gegen", "десь": "gegen",
}
_UK_LATIN_WORDS = {
    "sohodni": "heute", "siohodni": "heute", "sjohodni": "heute", "zavtra": "morgen",
    "pisliazavtra": "ubermorgen", "pislyazavtra": "ubermorgen", "pislazavtra": "ubermorgen",
    "pisljazavtra": "ubermorgen", "vchora": "gestern",
    "ponedilok": "montag", "ponedilka": "montag", "vivtorok": "dienstag", "vivtorka": "dienstag",
    "sereda": "mittwoch", "seredu": "mittwoch", "seredy": "mittwoch", "chetver": "donnerstag",
    "chetverha": "donnerstag", "chetverga": "donnerstag", "piatnytsia": "freitag", "piatnytsiu": "freitag",
    "piatnytsi": "freitag", "pyatnytsya": "freitag", "pyatnytsyu": "freitag", "pjatnycja": "freitag",
    "pjatnyciu": "freitag", "subota": "samstag", "subotu": "samstag", "suboty": "samstag",
    "nedilia": "sonntag", "nediliu": "sonntag", "nedili": "sonntag", "nedilya": "sonntag", "nedilyu": "sonntag",
    "zranku": "vormittags", "vranci": "vormittags", "vrantsi": "vormittags", "urantsi": "vormittags",
    "ranku": "vormittags", "rano": "fruh", "vden": "nachmittags", "uden": "nachmittags",
    "vvecheri": "abends", "uvecheri": "abends", "vechora": "abends", "vechir": "abends", "vnochi": "nachts",
    "obid": "mittags", "obidu": "mittag",
    "pislia": "nach", "pislya": "nach", "pisla": "nach", "pislja": "nach", "mizh": "zwischen",
    "i": "und", "ta": "und", "abo": "oder", "ne": "nicht", "krim": "ausser",
    "nastupnoho": "nachsten", "nastupnyi": "nachsten", "nastupnyy": "nachsten", "nastupnu": "nachsten",
    "nastupnoi": "nachsten", "tsoho": "diesen", "tsei": "diesen", "tsiu": "diesen", "tyzhden": "woche",
    "tyzhnia": "woche", "tyzhnya": "woche", "tyzhni": "woche", "vykhidni": "wochenende",
    "vykhidnykh": "wochenende", "kolys": "irgendwann", "piznishe": "spater", "skoro": "bald",
    "terminovo": "schnellstmoglich", "yaknaishvydshe": "schnellstmoglich",
    "o": "", "ob": "", "v": "", "u": "", "na": "", "z": "", "iz": "", "vid": "", "do": "", "po": "", "chy": "",
}
_UK_LATIN_BEFORE_NUMBER = {
    "o": "um", "ob": "um", "v": "um", "u": "um", "na": "um", "z": "von", "iz": "von", "vid": "von",
    "do": "bis", "blyzko": "gegen",
}
_UK_MONTHS = {
    "січня": "januar", "січень": "januar", "січні": "januar", "лютого": "februar", "лютий": "februar",
    "лютому": "februar", "березня": "marz", "березень": "marz", "березні": "marz", "квітня": "april",
    "квітень": "april", "квітні": "april", "травня": "mai", "травень": "mai", "травні": "mai",
    "червня": "juni", "червень": "juni", "червні": "juni", "липня": "juli", "липень": "juli", "липні": "juli",
    "серпня": "august", "серпень": "august", "серпні": "august", "вересня": "september",
    "вересень": "september", "вересні": "september", "жовтня": "oktober", "жовтень": "oktober",
    "жовтні": "oktober", "листопада": "november", "листопад": "november", "листопаді": "november",
    "грудня": "dezember", "грудень": "dezember", "грудні": "dezember",
    "sichnia": "januar", "liutoho": "februar", "lyutoho": "februar", "bereznia": "marz", "kvitnia": "april",
    "travnia": "mai", "chervnia": "juni", "lypnia": "juli", "serpnia": "august", "veresnia": "september",
    "zhovtnia": "oktober", "lystopada": "november", "hrudnia": "dezember",
}
_UK_LATIN_MARKERS = frozenset(set(_UK_LATIN_WORDS) - {"o", "ob", "v", "u", "na", "z", "iz", "vid", "do", "po", "i", "ta", "ne", "rano", "skoro", "chy"})
# Time words after which "чи"/"chy" joins alternatives ("завтра чи в пятницю") rather than asking.
_TIME_TOKENS = frozenset(
    {v for v in _UK_WORDS.values() if v and not v.isdigit()} - {"und", "oder", "nicht", "ausser", "zwischen", "nach"}
)

# --- phrases (before the word-by-word pass) --------------------------------------------------------

_EN_PHRASES = [
    (r"\bas\s+(?:soon|early|quickly)\s+as\s+(?:possible|you\s+can)\b", " schnellstmoglich "),
    (r"\b(?:any\s*time|any\s+day|no\s+preference|(?:it\s+)?does\s*n[o']?t\s+matter|doesnt\s+matter|"
     r"i\s+dont\s+mind|dont\s+mind|whatever\s+suits(?:\s+you)?)\b", " egal "),
    (r"\b(?:right\s+)?now\b", " sofort "),
    (r"\b(?:the\s+)?day\s+after\s+tomorrow\b", " ubermorgen "),
    (r"\bthis\s+morning\b", " heute vormittags "), (r"\bthis\s+afternoon\b", " heute nachmittags "),
    (r"\bthis\s+evening\b", " heute abends "),
    (r"\bin\s+the\s+morning\b", " vormittags "), (r"\bin\s+the\s+afternoon\b", " nachmittags "),
    (r"\bin\s+the\s+evening\b", " abends "), (r"\bat\s+night\b", " nachts "),
    (r"\b(?:early|late)\s+(?=(?:morning|afternoon|evening)s?\b)", " "),
    (r"\bthe\s+week\s+after\s+next\b", " ubernachste woche "),
    (r"\bnot\s+before\b|\bno\s+earlier\s+than\b|\bnot\s+earlier\s+than\b", " nicht vor "),
    (r"\bnot\s+after\b|\bno\s+later\s+than\b|\bnot\s+later\s+than\b", " nicht nach "),
    (r"\bhalf\s+past\s+(\d{1,2})\b", r" \1:30 "),
    (r"\b(at|from|after|before|until|till|to|between|and|by|around|about)\s+one\b", r" \1 1 "),
    (r"\bquarter\s+(?:past|to)\b", " viertel "),
    (r"\bin\s+an?\s+(day|week)\b", r" in 1 \1 "),
    (r"\b(\d{1,2})\s+days?\b", r" \1 tagen "),
    (r"\b(\d{1,2})\s+weeks?\b", r" \1 wochen "),
    (r"\bin\s+(\d{1,2})\s+(?:hours?|hrs?|minutes?|mins?)\b", r" in \1 stunden "),
]
_UK_PHRASES = [
    (r"\b(?:якомога|як\s+можна|якнай)\s*(?:швидше|скоріше|раніше|шв)\b", " schnellstmoglich "),
    (r"\b(?:будь\s*-?\s*коли|коли\s+завгодно|(?:в|у)\s+будь\s*-?\s*який\s+час|будь\s*-?\s*якого\s+часу|"
     r"не\s+важливо|без\s+різниці|все\s+одно|мені\s+все\s+одно|як\s+вам\s+зручно)\b", " egal "),
    (r"\bпісля\s*-?\s*завтра\b", " ubermorgen "),
    (r"\b(?:до|перед)\s+(?:обіду|обідом|полудня)\b", " vor mittag "),
    (r"\b(?:після|по)\s+(?:обіду|обіді|полудня)\b", " nach mittag "),
    (r"\b(?:в|у|на)\s+обід\b", " mittags "),
    (r"\b(?:в|у)\s+першій\s+половині\s+дня\b", " vormittags "),
    (r"\b(?:в|у)\s+другій\s+половині\s+дня\b", " nachmittags "),
    (r"\bо?\s*пів\s+на\s+(\w+)\b", r" halb \1 "),
    (r"\bне\s+раніше(?:\s+ніж)?\b|\bне\s+раніш\b", " nicht vor "),
    (r"\bне\s+пізніше(?:\s+ніж)?\b|\bне\s+пізніш\b", " nicht nach "),
    (r"\bчерез\s+(\d{1,2})\s+(?:дні|днів|день|дня)\b", r" in \1 tagen "),
    (r"\bчерез\s+(?:один\s+)?тиждень\b", " in 1 woche "),
    (r"\bчерез\s+(\d{1,2})\s+(?:тижні|тижнів)\b", r" in \1 wochen "),
    (r"\bчерез\s+(\d{1,2}|годину|пів\s*години)\s*(?:години|годин|хвилин)?\b", " in 1 stunden "),
    (r"\b(?:на|в|у)\s+цьому\s+тижні\b|\bцього\s+тижня\b", " diese woche "),
    (r"\b(?:на|в|у)\s+наступному\s+тижні\b|\bнаступного\s+тижня\b", " nachste woche "),
    (r"\b(?:на|в|у)\s+вихідних\b|\b(?:на|в|у)\s+вихідні\b", " wochenende "),
    # "о 9 ранку", "о 3 дня", "о 7 вечора"
    (r"(\d)\s+(?:ранку|зранку)\b", r"\1 morgens "), (r"(\d)\s+дня\b", r"\1 nachmittags "),
    (r"(\d)\s+(?:вечора|ввечері)\b", r"\1 abends "), (r"(\d)\s+ночі\b", r"\1 nachts "),
    (r"\b(\d{1,2})\s*-?\s*(?:го|ого|е|те|ге|ме)\b", r" \1. "),  # "28-го листопада"
]
_UK_LATIN_PHRASES = [
    (r"\b(?:yakomoha|yak\s+mozhna)\s+(?:shvydshe|skorishe|ranishe)\b", " schnellstmoglich "),
    (r"\b(?:bud\s*-?\s*koly|bez\s+riznytsi|ne\s+vazhlyvo|vse\s+odno)\b", " egal "),
    (r"\b(?:do|pered)\s+(?:obidu|obidom)\b", " vor mittag "),
    (r"\b(?:pislia|pislya|pisla|pislja|po)\s+(?:obidu|obidi)\b", " nach mittag "),
    (r"\bne\s+ranishe\b", " nicht vor "), (r"\bne\s+piznishe\b", " nicht nach "),
    (r"(\d)\s+(?:ranku|zranku)\b", r"\1 morgens "), (r"(\d)\s+dnia\b", r"\1 nachmittags "),
    (r"(\d)\s+vechora\b", r"\1 abends "),
    (r"\bnastupnoho\s+tyzhnia\b|\bnastupnoho\s+tyzhnya\b", " nachste woche "),
]

# Numbers with a unit or a suffix
_PM_RANGE = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*[-–]\s*(\d{1,2})(?::(\d{2}))?\s*(a\.?\s?m\.?|p\.?\s?m\.?)(?!\w)")
_AM_PM = re.compile(r"\b(\d{1,2})(?::(\d{2})|\.(\d{2}))?\s*(a\.?\s?m\.?|p\.?\s?m\.?)(?!\w)")
_EN_CLOCK = re.compile(r"\b\d{1,2}(?::\d{2})?(?:\s*p\.?\s?m\b|\s*a\.m\.|am\b)")  # not "10 am Montag"
_EN_MONTH_FIRST = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|"
    r"august|september|october|november|december)\.?\s+\d{1,2}(?:st|nd|rd|th)?\b(?!\s*(?:uhr|h|:))"
)  # "Nov 28": English order; German writes "28. Nov."
_EN_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b")
_SLASH_DATE = re.compile(r"(?<![\d/.:])(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?(?![\d/:])")
_DOT_DATE = re.compile(r"(?<![\d.:])(\d{1,2})\.(\d{1,2})(?![\d.:])")
_UK_HOUR_SUFFIX = re.compile(r"(\d{1,2})\s*-\s*(?:й|ї|ої|у|ю|ій|ти|та|ого|го)(?!\w)")
_UK_UHR = re.compile(r"(\d{1,2}(?::\d{2})?)\s*(?:год\.?|години|годині|годину|годин|hod\.?|hodyni|hodynu|hodyna)(?!\w)")
_CLOCK_WORDS_AFTER = re.compile(r"^\s*(?:uhr|h|am|pm|o'?clock|oclock|год|hod)\b")
_TIME_PREPOSITIONS = frozenset(
    "um ab bis von nach vor gegen zwischen und at from to until till after before between and о об з із зі "
    "від до після між і та o ob z iz vid do pislia pislya mizh i ta".split()
)
_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?")


def language(text: str) -> str:
    """"uk", "en" or "de": which vocabulary a callback time request uses."""
    if has_cyrillic(text):
        return "uk"
    lowered = join_apostrophes(text.lower())
    words = set(_WORD.findall(lowered))
    if words & _UK_LATIN_MARKERS:
        return "uk"
    if words & _EN_MARKERS or _EN_CLOCK.search(lowered) or _EN_MONTH_FIRST.search(lowered):
        return "en"
    return "de"


def _twenty_four_hour(hour: int, minute: int, suffix: str) -> str | None:
    if not 1 <= hour <= 12 or minute > 59:
        return None
    pm = suffix.replace(".", "").replace(" ", "").startswith("p")
    if pm and hour != 12:
        hour += 12
    elif not pm and hour == 12:
        hour = 0
    return f"{hour:02d}:{minute:02d}"


def _am_pm(match: re.Match[str]) -> str:
    minute = int(match.group(2) or match.group(3) or 0)
    converted = _twenty_four_hour(int(match.group(1)), minute, match.group(4))
    return f" {converted} " if converted else match.group(0)


def _am_pm_range(match: re.Match[str]) -> str:
    suffix = match.group(5)
    first = _twenty_four_hour(int(match.group(1)), int(match.group(2) or 0), suffix)
    second = _twenty_four_hour(int(match.group(3)), int(match.group(4) or 0), suffix)
    if first and second and first > second and suffix.lower().startswith("p"):
        first = _twenty_four_hour(int(match.group(1)), int(match.group(2) or 0), "am")  # "11-1pm"
    return f" {first} bis {second} " if first and second else match.group(0)


def _date(day: int, month: int, year: str | None) -> str | None:
    if 1 <= day <= 31 and 1 <= month <= 12:
        return f" {day}.{month}." + (year or "") + " "
    return None


def _preceded_by_time_preposition(text: str, start: int) -> bool:
    before = text[:start].split()
    return bool(before) and before[-1] in _TIME_PREPOSITIONS


def _slash_date(match: re.Match[str]) -> str:
    text, start = match.string, match.start()
    if _CLOCK_WORDS_AFTER.match(text[match.end():]) or _preceded_by_time_preposition(text, start):
        return match.group(0)  # "um 10/11 Uhr": ten or eleven o'clock
    day, month = int(match.group(1)), int(match.group(2))
    if month > 12 >= day:
        day, month = month, day  # "11/28": only month/day makes sense
    return _date(day, month, match.group(3)) or match.group(0)


def _in_a_range(text: str, start: int, end: int) -> bool:
    return bool(re.match(r"\s*(?:[-–—]|bis\b|до\b|do\b|to\b|until\b)", text[end:]) or re.search(r"[-–—]\s*$", text[:start]))


def _dot_date(match: re.Match[str]) -> str:
    """"28.11" (Ukrainian dates have no final dot) – unless it reads as a time ("10.30", "о 10.15", "8.10-9.10")."""
    text, start = match.string, match.start()
    if (_CLOCK_WORDS_AFTER.match(text[match.end():]) or _preceded_by_time_preposition(text, start)
            or _in_a_range(text, start, match.end())):
        return match.group(0)
    return _date(int(match.group(1)), int(match.group(2)), None) or match.group(0)


def _months_next_to_numbers(text: str, months: dict[str, str]) -> str:
    names = "|".join(sorted(months, key=len, reverse=True))
    text = re.sub(rf"\b({names})\.?\s+(\d{{1,2}})\.?(?!\d|:|\s*(?:uhr|am|pm|a\.m|p\.m)\b)",
                  lambda m: f" {m.group(2)}. {months[m.group(1)]} ", text)
    return re.sub(rf"\b(\d{{1,2}})\.?\s+(?:of\s+)?({names})\b", lambda m: f" {m.group(1)}. {months[m.group(2)]} ", text)


def _next_is_number(text: str, end: int) -> bool:
    return bool(re.match(r"\s*(?:\d|halb\b)", text[end:]))


def _translate_words(text: str, words: dict[str, str], before_number: dict[str, str], months: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        word = match.group(0)
        if word in before_number and _next_is_number(text, match.end()):
            return before_number[word]
        if word in ("чи", "chy"):
            previous = re.findall(r"[^\W_]+", text[: match.start()])
            if previous and (words.get(previous[-1]) in _TIME_TOKENS or previous[-1][-1:].isdigit()):
                return "oder"  # "завтра чи в пятницю"; a question "чи можна завтра?" is no alternative
            return ""
        if word in months:
            return months[word]
        return words.get(word, word)

    return _WORD.sub(replace, text)


def to_german(text: str) -> str:
    """The message with English or Ukrainian time words replaced by the parser's German ones."""
    lang = language(text or "")
    if lang == "de":
        if _LETTER.search(text or ""):
            return text
        # no words at all: "28.11" and "28/11" are dates in any language
        return _DOT_DATE.sub(_dot_date, _SLASH_DATE.sub(_slash_date, text or ""))
    text = join_apostrophes(unicodedata.normalize("NFC", text).lower().replace("ʼ", "'"))
    text = _SLASH_DATE.sub(_slash_date, text)
    if lang == "en":
        text = _PM_RANGE.sub(_am_pm_range, text)
        text = _AM_PM.sub(_am_pm, text)
        text = _EN_ORDINAL.sub(r"\1.", text)
        text = _months_next_to_numbers(text, _EN_MONTHS)
        for pattern, replacement in _EN_PHRASES:
            text = re.sub(pattern, replacement, text)
        return _translate_words(text, _EN_WORDS, _EN_BEFORE_NUMBER, {})
    text = _UK_HOUR_SUFFIX.sub(r"\1", text)
    cyrillic = has_cyrillic(text)
    for pattern, replacement in _UK_PHRASES if cyrillic else _UK_LATIN_PHRASES:
        text = re.sub(pattern, replacement, text)
    text = _UK_UHR.sub(r"\1 uhr", text)
    text = _DOT_DATE.sub(_dot_date, text)
    if cyrillic:
        return _translate_words(text, _UK_WORDS, _UK_BEFORE_NUMBER, _UK_MONTHS)
    return _translate_words(text, _UK_LATIN_WORDS, _UK_LATIN_BEFORE_NUMBER, _UK_MONTHS)
