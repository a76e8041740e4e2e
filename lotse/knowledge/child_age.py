"""Recognise a child's age in a message (German, English, Ukrainian) and map it to the groups the law distinguishes.

Groups: "unter_1" (under one year), "1_bis_2" (first birthday up to age 3), "ab_3".
Only a number that clearly refers to a child counts ("mein Sohn ist 2", "mit einem 4-jährigen
Kind", "Tochter, 14 Monate"; "my son is 2", "a 4-year-old"; "моєму сину 2 роки", "донька 14
місяців", "synu 2 roky"); other numbers ("40 Stunden", "seit 6 Jahren", "40 hours", "5 years in
Germany", "40 годин") are ignored. "Малюк" (little one) and "toddler" alone give no age: they are
not specific enough to tell under one from one to two.
"""
from __future__ import annotations

import re

from lotse.language.textnorm import fold
from lotse.language.translit import join_apostrophes

_NUMBER_WORDS = {
    "ein": 1, "eins": 1, "einem": 1, "einen": 1, "eine": 1, "zwei": 2, "drei": 3, "vier": 4,
    "funf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwolf": 12,
    "dreizehn": 13, "vierzehn": 14, "funfzehn": 15, "sechzehn": 16, "siebzehn": 17,
    "achtzehn": 18, "halb": 0,
}
_DIGITS = r"\d{1,2}(?:_5)?"  # "1,5" and "1.5" are written "1_5" before folding (see _prepare)
_NUM = rf"({_DIGITS}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_CHILD = r"(?:kind|kinder|kindes|sohn|tochter|baby|kleine|kleiner|kleinen|kleines|junge|madchen|sohnchen|tochterchen)"
# Units in other languages: a German pattern must not read "Baby 14 months" as 14 years.
_FOREIGN_UNITS = (
    r"months?|mos?|weeks?|wks?|days?|hours?|hrs?|years?|yrs?|yo|minutes?|mins?|"
    r"рок\w*|рік|рочк\w*|рочок|місяц\w*|міс|тиж\w*|дн\w*|день|годин\w*|год|"
    r"rok\w*|rik|rochk\w*|rochok|misiats\w*|misyats\w*|hodyn\w*"
)

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\b{_NUM}\s*(?:monate|monaten|monat|mon)\b"), "months"),
    (re.compile(rf"\b{_NUM}\s*(?:jahrig|jahrige|jahrigen|jahriges|jahriger)\b"), "years"),
    (re.compile(rf"\b{_CHILD}\b[^.?!]{{0,25}}?\b(?:ist|wird|wurde|von|mit|,)\s*{_NUM}\b(?!\s*(?:stunden|std|uhr|euro|tage|wochen|{_FOREIGN_UNITS})\b)"), "years"),
    (re.compile(rf"\b{_NUM}\s*(?:jahre|jahr|j)\s*alt"), "years"),
    (re.compile(rf"\b{_CHILD}\s+{_NUM}\b(?!\s*(?:stunden|std|uhr|euro|tage|wochen|kinder|{_FOREIGN_UNITS})\b)"), "years"),
]
# "sie ist schon 4", "er ist jetzt 2 einhalb", "ist erst 3": a pronoun, or a time word, before the number
# (no article: "sie ist eine …", "ist noch ein Platz frei"); "ist" (now) before "wird" (soon):
# "er wird bald 3, ist jetzt 2 einhalb" is 2.5.
_DE_NUM_NO_ARTICLE = rf"({_DIGITS}|" + "|".join(sorted(set(_NUMBER_WORDS) - {"ein", "einem", "einen", "eine", "halb"}, key=len, reverse=True)) + r")"
_DE_NOW = r"(?:schon|erst|jetzt|gerade|fast|knapp|inzwischen|mittlerweile|nun)"
_DE_ADVERBS = rf"(?:\s+(?:{_DE_NOW}|bald|noch|ja|eben|doch|aber|auch))"
_DE_PRONOUN_PATTERNS: list[tuple[re.Pattern[str], str | None]] = [
    (re.compile(rf"\b(?:(?:sie|er)\s+ist{_DE_ADVERBS}{{0,2}}|ist\s+{_DE_NOW})\s+{_DE_NUM_NO_ARTICLE}\b"), None),
    (re.compile(rf"\b(?:sie|er)\s+(?:wird|wurde){_DE_ADVERBS}{{0,2}}\s+{_DE_NUM_NO_ARTICLE}\b"), None),
]
_INFANT = re.compile(r"\b(?:baby|saugling|neugeboren|neugeborenes|unter einem jahr|unter 1 jahr|noch kein jahr)\b")

# --- English ---------------------------------------------------------------------------------------

_EN_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
}
_EN_NUM = rf"({_DIGITS}|" + "|".join(sorted(_EN_NUMBER_WORDS, key=len, reverse=True)) + r")"
_EN_NUM_NO_ARTICLE = rf"({_DIGITS}|" + "|".join(sorted(set(_EN_NUMBER_WORDS) - {"a", "an"}, key=len, reverse=True)) + r")"
_EN_CHILD = (
    r"(?:child|children|kid|kids|son|sons|daughter|daughters|baby|babies|boy|girl|toddler|little one|"
    r"youngest|eldest|oldest|twins|kiddo|infant)"
)
_EN_JOIN = r"(?:is|s|turns|turned|turning|will be|was|are|aged|age|of)"
_EN_ADVERBS = r"(?:\s+(?:almost|nearly|just|only|about|around|now|already|currently|exactly|over))*"

_EN_PATTERNS: list[tuple[re.Pattern[str], str | None]] = [
    (re.compile(rf"\b{_EN_NUM}\s*(?:months?|mos?|mnths?)\s*old\b"), "months"),
    (re.compile(rf"\b{_EN_NUM}\s*(?:weeks?|wks?|days?)\s*old\b"), "weeks"),
    (re.compile(rf"\b{_EN_NUM}\s*(?:years?|yrs?|y)\s*old\b"), "years"),
    (re.compile(rf"\b{_EN_NUM_NO_ARTICLE}\s*(?:yo|y o)\b"), "years"),
    # unit from the following word, years if there is none ("my son is 2", "daughter, 14 months")
    (re.compile(rf"\b{_EN_CHILD}\b[^.?!]{{0,25}}?\b{_EN_JOIN}{_EN_ADVERBS}\s+{_EN_NUM_NO_ARTICLE}\b"), None),
    (re.compile(rf"\b{_EN_CHILD}\s+{_EN_NUM_NO_ARTICLE}\b"), None),
    (re.compile(rf"\baged\s+{_EN_NUM_NO_ARTICLE}\b"), None),
    # "she is already 4", "he's two and a half", "she turned 3"
    (re.compile(rf"\b(?:she|he)\s+{_EN_JOIN}{_EN_ADVERBS}\s+{_EN_NUM_NO_ARTICLE}\b"), None),
]
_EN_INFANT = re.compile(
    r"\b(?:newborn|new born|infant|baby|under one|under 1|under a year|under one year|less than a year|"
    r"less than one year|not yet one|not even one|not one yet)\b"
)

# --- Ukrainian (Cyrillic and Latin transliteration) -------------------------------------------------

_UK_NUMBER_WORDS = {
    "один": 1, "одна": 1, "одне": 1, "одного": 1, "одному": 1, "одній": 1, "два": 2, "дві": 2,
    "двох": 2, "двом": 2, "три": 3, "трьох": 3, "трьом": 3, "чотири": 4, "чотирьох": 4, "пять": 5,
    "пяти": 5, "шість": 6, "шести": 6, "сім": 7, "семи": 7, "вісім": 8, "восьми": 8, "девять": 9,
    "девяти": 9, "десять": 10, "десяти": 10, "одинадцять": 11, "дванадцять": 12, "тринадцять": 13,
    "чотирнадцять": 14, "пятнадцять": 15, "шістнадцять": 16, "сімнадцять": 17, "вісімнадцять": 18,
    "півтора": 1.5, "півтори": 1.5, "рік": 1, "рочок": 1, "годик": 1,
    "odyn": 1, "odna": 1, "dva": 2, "dvi": 2, "try": 3, "chotyry": 4, "piat": 5, "pyat": 5, "pjat": 5,
    "shist": 6, "sim": 7, "visim": 8, "deviat": 9, "devyat": 9, "desiat": 10, "desyat": 10,
    "odynadtsiat": 11, "dvanadtsiat": 12, "trynadtsiat": 13, "chotyrnadtsiat": 14,
    "piatnadtsiat": 15, "shistnadtsiat": 16, "simnadtsiat": 17, "visimnadtsiat": 18,
    "pivtora": 1.5, "pivtory": 1.5, "rik": 1, "rochok": 1,
}
_UK_NUM = rf"({_DIGITS}|" + "|".join(sorted(_UK_NUMBER_WORDS, key=len, reverse=True)) + r")"
_UK_CHILD = (
    r"(?:син(?:а|у|ові|ом|ок|ка|ку|очок|очка|очку|очкові|очком)?|"
    r"дон(?:ька|ьки|ьці|ьку|ькою|ечка|ечки|ечці|ечку|ечкою|ю|я)|доч(?:ка|ки|ці|ку|кою)|доц(?:я|і|ю)|"
    r"дит(?:ина|ини|ині|ину|иною|я|ятко|ятку|ятка|инка|инки|инці|инку)|"
    r"мал(?:юк|юка|юку|юкові|юком|ятко|ятку|ятка|ятком|я|яті|еча|ечі)|"
    r"хлопчик\w*|дівчинк\w*|дівчинц\w*|діт(?:и|ям|ей|ьми)|немовл\w*|двійня|двійнята|двійнятам|близнюки|близнюкам|"
    r"малому|малій|маленькому|маленькій|молодшому|молодшій|молодшенькому|молодшенькій|старшому|старшій|"
    r"найменшому|найменшій|найстаршому|найстаршій|"
    r"syn(?:a|u|ovi|om|ok|ka|ku|ochok|ochku)?|don(?:ka|ky|tsi|ku|iu|ia|echka|echtsi|echku)|"
    r"doch(?:ka|ky|tsi|ku)|dyt(?:yna|yny|yni|ynu|ynoiu|ynoyu|ynoju|ia|iatko|iatku|ynka|yntsi)|"
    r"mal(?:iuk|iuku|iuka|yuk|yuku|iatko|iatku|ia)|khlopchyk\w*|divchyn\w*|dit(?:y|iam|ei)|nemovl\w*)"
)
_UK_FILLER = (
    r"(?:вже|уже|зараз|тепер|лише|лиш|тільки|ще|всього|майже|буде|скоро|незабаром|нещодавно|щойно|"
    r"виповнилось|виповнилося|виповниться|виповнився|виповнилася|має|є|якому|якій|котрому|котрій|"
    r"рівно|десь|приблизно|близько|віком|по|"
    r"vzhe|uzhe|zaraz|teper|lyshe|tilky|shche|maizhe|bude|skoro|vypovnylos|vypovnylosia|"
    r"vypovnytsia|maie|ye|yakomu|yakii|vikom)"
)
_UK_YEARS = r"(?:рік|року|роки|років|рочки|рочок|рочків|р|годик|годика|годики|rik|roku|roky|rokiv|rochky|rochok|r)"
_UK_MONTHS = r"(?:місяць|місяця|місяці|місяців|міс|misiats|misiatsia|misiatsi|misiatsiv|misyats|misyatsia|misyatsi|misyatsiv|mis)"
_AGE_ADJECTIVE_PREFIXES = {
    "одно": 1, "дво": 2, "три": 3, "чотири": 4, "пяти": 5, "шести": 6, "семи": 7, "восьми": 8,
    "девяти": 9, "десяти": 10, "одинадцяти": 11, "дванадцяти": 12, "півто": 1.5, "пів": 0.5,
}

_UK_PATTERNS: list[tuple[re.Pattern[str], str | None]] = [
    # "моєму сину 2 роки", "донька 14 місяців", "дитині 3 рочки", "синові пять", "synu 2 roky"
    (re.compile(rf"\b{_UK_CHILD}(?:\s+{_UK_FILLER}){{0,3}}\s+{_UK_NUM}\b"), None),
    # "у мене донька, їй 2 роки": a pronoun needs the unit
    (re.compile(rf"\b(?:йому|їй|yomu|jomu|yii|yij|jij)(?:\s+{_UK_FILLER}){{0,2}}\s+{_UK_NUM}\s*(?={_UK_YEARS}\b|{_UK_MONTHS}\b)"), None),
    # "4-річна донька", "14-місячний син"
    (re.compile(rf"\b{_UK_NUM}\s*(?:річн\w*|richn\w*)\s+(?:\w+\s+)?{_UK_CHILD}\b"), "years"),
    (re.compile(rf"\b{_UK_NUM}\s*(?:місячн\w*|misiachn\w*)\s+(?:\w+\s+)?{_UK_CHILD}\b"), "months"),
]
# "трирічна донька", "дворічного сина", "півторарічний малюк", "пятимісячна дитина"
_UK_AGE_ADJECTIVE = re.compile(
    r"\b(" + "|".join(sorted(_AGE_ADJECTIVE_PREFIXES, key=len, reverse=True)) + r")(?:ра)?(річн|місячн)\w*\s+(?:\w+\s+)?"
    + _UK_CHILD + r"\b"
)
_UK_INFANT = re.compile(
    r"\b(?:немовл\w*|новонароджен\w*|грудничок|грудничка|грудне дитя|до року|менше року|"
    r"ще немає року|ще нема року|nemovl\w*|novonarodzhen\w*|do roku|menshe roku)\b"
)

# What follows a number decides its unit; some words make it no age at all ("40 hours").
_MONTH_UNITS = rf"months?|mos?|mnths?|monate|monaten|monat|{_UK_MONTHS}"
_MONTH_WORDS = re.compile(rf"(?:{_MONTH_UNITS})$")
_YEAR_UNITS = rf"years?|yrs?|yo|jahre|jahren|jahr|{_UK_YEARS}"
_YEAR_WORDS = re.compile(rf"(?:{_YEAR_UNITS})$")
_BLOCKING_WORDS = re.compile(
    r"(?:hours?|hrs?|h|minutes?|mins?|days?|weeks?|wks?|euros?|eur|dollars?|times|kids|children|pm|am|mal|x|"
    r"stunden|std|uhr|euro|tage|tagen|wochen|kinder|"
    r"oclock|percent|km|miles|kg|"
    r"годин\w*|год|хвилин\w*|днів|дні|дня|день|тижн\w*|тиждень|євро|грн|разів|дітей|дитини|км|кг|"
    r"hodyn\w*|hod|khvylyn\w*|dniv|dni|dnia|den|tyzhn\w*|tyzhden|yevro|evro|hrn|raziv|ditei)$"
)
# "5 years in Germany", "5 років у Німеччині": how long, not how old
_ABROAD = re.compile(r"(?:here|тут|tut)\b|(?:in|в|у|v|u)\s+(?:germany|deutschland|німеччині|германії|nimechchyni)\b")


def _prepare(text: str) -> str:
    text = join_apostrophes(text or "")  # "п'ять" → "пять"
    text = re.sub(r"(?<![\d.,])(\d{1,2})[.,]5(?![\d.,]?\d)", r"\1_5", text)  # "1,5 Jahre", "1.5 року"
    text = re.sub(r"\b(?:пів\s*року|piv\s*roku)\b", "0_5 року", text, flags=re.IGNORECASE)
    text = re.sub(
        r"\b(\d{1,2}|one|two|three|four|five)\s+and\s+a\s+half\b",
        lambda m: f"{_EN_NUMBER_WORDS.get(m.group(1).lower(), m.group(1))}_5", text, flags=re.IGNORECASE,
    )
    text = re.sub(r"\bhalf\s+a\s+year\b", "6 months", text, flags=re.IGNORECASE)
    text = re.sub(r"\b(?:anderthalb|eineinhalb|einundhalb)\b", "1_5", text, flags=re.IGNORECASE)
    text = re.sub(  # "2 einhalb", "zweieinhalb", "2 1/2", "2½"
        r"\b(\d{1,2}|zwei|drei|vier|fünf|funf|sechs|sieben|acht|neun|zehn)\s*(?:einhalb|und\s+ein\s+halb|1/2|½)(?!\w)",
        lambda m: f"{_number(fold(m.group(1))):g}_5",
        text, flags=re.IGNORECASE,
    )
    text = re.sub(  # "два з половиною", "2 з половиною роки", "dva z polovynoiu"
        r"\b(\d{1,2}|два|дві|три|чотири|пять|шість|dva|dvi|try|chotyry)\s+(?:з|із|z|iz)\s+(?:половиною|polovynoiu|polovynoyu)\b",
        lambda m: f"{_number(fold(m.group(1))):g}_5", text, flags=re.IGNORECASE,
    )
    return fold(text).replace("-", " ")


def _number(token: str) -> float | None:
    if token.isdigit():
        return float(token)
    if re.fullmatch(r"\d{1,2}_5", token):
        return float(token[:-2]) + 0.5
    if token in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[token]) if token != "halb" else 0.5
    if token in _EN_NUMBER_WORDS:
        return float(_EN_NUMBER_WORDS[token])
    if token in _UK_NUMBER_WORDS:
        return float(_UK_NUMBER_WORDS[token])
    return None


def age_group_for_years(years: float) -> str:
    if years < 1:
        return "unter_1"
    if years < 3:
        return "1_bis_2"
    return "ab_3"


def _years(value: float, unit: str) -> float | None:
    if unit == "weeks":
        return 0.0
    years = value / 12 if unit == "months" else value
    if unit == "years" and years > 17:
        return None
    return years


def _unit_after(folded: str, end: int, default: str | None) -> str | None:
    """The unit named right after a number ("2 роки", "14 months"); None: not a child's age."""
    following = folded[end:].split(maxsplit=2)
    word = following[0] if following else ""
    if not word:
        return default
    if _MONTH_WORDS.match(word):
        return "months"
    if _YEAR_WORDS.match(word):
        rest = " ".join(following[1:])
        return None if _ABROAD.match(rest) else "years"
    if _BLOCKING_WORDS.match(word):
        return None
    return default


def _from_patterns(folded: str, patterns: list[tuple[re.Pattern[str], str | None]]) -> float | None:
    for pattern, fixed_unit in patterns:
        for match in pattern.finditer(folded):
            value = _number(match.group(1))
            if value is None:
                continue
            unit = fixed_unit or _unit_after(folded, match.end(1), "years")
            if unit is None:
                continue
            years = _years(value, unit)
            if years is None:
                continue
            return years
    return None


def extract_child_age(text: str) -> float | None:
    """The age in years of the child a message talks about ("mein Sohn ist 2" → 2.0; "10 Monate" → 0.83);
    None when no number clearly refers to a child. A baby without a number counts as 0."""
    folded = _prepare(text)
    for pattern, unit in _PATTERNS:
        match = pattern.search(folded)
        if not match:
            continue
        value = _number(match.group(1))
        if value is None:
            continue
        years = value / 12 if unit == "months" else value
        if unit == "years" and years > 17:
            continue
        return years
    years = _from_patterns(folded, _DE_PRONOUN_PATTERNS)
    if years is None:
        years = _from_patterns(folded, _EN_PATTERNS)
    if years is None:
        years = _from_patterns(folded, _UK_PATTERNS)
    if years is not None:
        return years
    if adjective := _UK_AGE_ADJECTIVE.search(folded):
        value = float(_AGE_ADJECTIVE_PREFIXES[adjective.group(1)])
        if adjective.group(1) == "півто":
            value = 1.5
        return value / 12 if adjective.group(2) == "місячн" else value
    if _INFANT.search(folded) or _EN_INFANT.search(folded) or _UK_INFANT.search(folded):
        return 0.0
    return None


def extract_child_age_group(text: str) -> str | None:
    years = extract_child_age(text)
    return None if years is None else age_group_for_years(years)


# "zwei Kindern (3 und 7)", "Kinder 3 und 7 Jahre", "kids aged 3 and 7", "діти 3 і 7 років"
_AGE_LIST = re.compile(
    r"\b(?:kinder\w*|kids|children|sons|daughters|дит\w*|діт\w*|dity|ditei)\b[^.?!\d]{0,20}?"
    r"(\d{1,2}(?:\s*(?:,|und|and|&|і|й|та|и|i)\s*\d{1,2})+)(?!\s*(?:stunden|std|uhr|euro|hours|годин))"
)
# A reply to "Wie alt ist Ihr Kind?": a bare number, "zwei", "sie ist 3", "she's 10 months", "їй 5";
# also a correction of the age given before ("nein, 4", "sorry, she's 3", "ні, їй вже 4").
_REPLY_LEAD = re.compile(
    r"^(?:(?:sie|er|es|der|die|das|mein\w*|unser\w*|kleine\w*|grosse\w*|she|he|it|they|my|our|"
    r"its|shes|hes|їй|йому|вона|він|мій|моя|моєму|моїй|yii|yomu|vona|vin|"
    r"nein|ne|nee|no|nope|sorry|entschuldigung|verzeihung|ach|oh|oops|ups|upps|moment|korrektur|falsch|actually|"
    r"ні|вибачте|вибач|перепрошую|ой|ni|vybachte)\s+)*"
    r"(?:ist|is|s|wird|turns|вже|uzhe|vzhe)?\s*"
    r"(?:(?:schon|erst|jetzt|gerade|fast|knapp|inzwischen|mittlerweile|already|just|only|now|almost|nearly|"
    r"вже|уже|лише|тільки|майже|vzhe|uzhe|lyshe|tilky)\s+)*"
)
_ARTICLES = frozenset({"ein", "eine", "einem", "einen", "a", "an"})  # a number only with a unit: "ein Jahr"
MAX_CHILD_AGE = 17


def extract_child_ages(text: str) -> list[float]:
    """Every child's age a message names, in years, in the order written ("Kinder (3 und 7)" → [3, 7])."""
    folded = _prepare(text)
    match = _AGE_LIST.search(folded)
    if match:
        ages = [float(n) for n in re.findall(r"\d{1,2}", match.group(1)) if int(n) <= MAX_CHILD_AGE]
        if ages:
            return ages
    single = extract_child_age(text)
    return [] if single is None else [single]


def reply_child_age(text: str) -> float | None:
    """The age in a short reply to the bot's question about the child's age: everything
    extract_child_age finds, and also a bare "2", "zwei", "sie ist 3", "10 Monate", "їй 5"."""
    years = extract_child_age(text)
    return years if years is not None else _short_reply_age(text, bare=False)


def bare_child_age(text: str) -> float | None:
    """The age when a message says nothing but a child's age: "2", "sie ist schon 4", "nein, 10 Monate",
    "she's 3", "ні, їй вже 4"; None for anything more ("sie ist 4, bekommt sie einen Platz?")."""
    return _short_reply_age(text, bare=True)


# What may follow the number in a message that is only an age ("4 Jahre alt", "10 months old", "3 роки").
_AGE_TAIL = re.compile(rf"(?:alt|old|geworden|actually|now|jetzt|inzwischen|{_MONTH_UNITS}|{_YEAR_UNITS})$")


def _short_reply_age(text: str, bare: bool) -> float | None:
    """The age in a reply of at most three words after its lead ("sie ist schon", "nein"); `bare`: the
    words after the number may only be its unit ("4 Jahre alt")."""
    folded = _prepare(text).strip(" .!?")
    rest = _REPLY_LEAD.sub("", folded, count=1).strip()
    parts = rest.split()
    if not parts or len(parts) > 3:
        return None
    if bare and not all(_AGE_TAIL.match(p) for p in parts[1:]):
        return None
    value = _number(parts[0])
    if value is None:
        return None
    unit = _unit_after(rest, len(parts[0]), None if parts[0] in _ARTICLES else "years")
    if unit is None:
        return None
    return _years(value, unit)
