from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lotse.callbacks import timeparse as tp
from lotse.callbacks.calendar import load_calendar_config, parse_calendar_config, upcoming_windows
from lotse.callbacks.timeparse import TimeRequest, match, parse_time_request
from lotse.language.textnorm import fold
from tests.conftest import CONTENT

BERLIN = ZoneInfo("Europe/Berlin")
TUE = datetime(2026, 11, 24, 10, 0, tzinfo=BERLIN)  # earliest window start: 12:00; horizon: Tue 8.12.
TUE_EARLY = datetime(2026, 11, 24, 9, 30, tzinfo=BERLIN)
TUE_EVENING = datetime(2026, 11, 24, 17, 30, tzinfo=BERLIN)
WED = datetime(2026, 11, 25, 10, 0, tzinfo=BERLIN)
MON = datetime(2026, 11, 30, 10, 0, tzinfo=BERLIN)
XMAS = datetime(2026, 12, 21, 10, 0, tzinfo=BERLIN)  # Monday before Christmas; horizon: Mon 4.1.2027
STATUSES = {"ok", "unclear", "past", "holiday", "no_window_that_day", "no_window_at_that_time", "beyond_horizon", "too_soon"}


@pytest.fixture(scope="module")
def config():
    return load_calendar_config(CONTENT / "callbacks.yml")


CASES = [
    # --- now: Tuesday 24.11.2026, 10:00 ---
    ("morgen nach 14 Uhr", TUE, "no_window_at_that_time", "2026-11-25T08:00"),  # Wednesdays mornings only
    ("Dienstag vormittag", TUE, "too_soon", "2026-11-24T14:00"),  # today, and 10–12 starts before 12:00
    ("am 3.12. ab 10", TUE, "ok", "2026-12-03T10:00"),
    ("heute nach 14 Uhr", TUE, "ok", "2026-11-24T14:00"),
    ("heute nachmittag", TUE, "ok", "2026-11-24T14:00"),
    ("Freitag nachmittag", TUE, "no_window_at_that_time", "2026-11-27T08:00"),
    ("fr nachmittag", TUE, "no_window_at_that_time", "2026-11-27T08:00"),
    ("Mittwoch nachmittag", TUE, "no_window_at_that_time", "2026-11-25T08:00"),
    ("Samstag", TUE, "no_window_that_day", "2026-11-30T08:00"),
    ("Sa vormittag", TUE, "no_window_that_day", "2026-11-30T08:00"),
    ("Sonntag", TUE, "no_window_that_day", "2026-11-30T08:00"),
    ("So", TUE, "no_window_that_day", "2026-11-30T08:00"),
    ("am Wochenende", TUE, "no_window_that_day", "2026-11-30T08:00"),
    ("01.11.2026", TUE, "past", "2026-11-24T14:00"),
    ("gestern", TUE, "past", "2026-11-24T14:00"),
    ("am 1.11.", TUE, "holiday", "2026-11-24T14:00"),  # no year: 1.11.2027, Allerheiligen
    ("am 24.12.2027", TUE, "beyond_horizon", "2026-11-24T14:00"),
    ("am 9.12.", TUE, "beyond_horizon", "2026-11-24T14:00"),
    ("am 8.12.", TUE, "ok", "2026-12-08T08:00"),  # last day within the horizon
    ("so schnell wie möglich", TUE, "ok", "2026-11-24T14:00"),
    ("egal wann", TUE, "ok", "2026-11-24T14:00"),
    ("Ist mir egal", TUE, "ok", "2026-11-24T14:00"),
    ("jederzeit", TUE, "ok", "2026-11-24T14:00"),
    ("wann immer Sie wollen", TUE, "ok", "2026-11-24T14:00"),
    ("schnellstmöglich", TUE, "ok", "2026-11-24T14:00"),
    ("ASAP", TUE, "ok", "2026-11-24T14:00"),
    ("nächste Woche Montag früh", TUE, "ok", "2026-11-30T08:00"),
    ("Montag nächste Woche 14 Uhr", TUE, "ok", "2026-11-30T14:00"),
    ("übermorgen 10 uhr", TUE, "ok", "2026-11-26T10:00"),
    ("ÜBERMORGEN VORMITTAG", TUE, "ok", "2026-11-26T08:00"),
    ("uebermorgen", TUE, "ok", "2026-11-26T08:00"),
    ("Do 16-18", TUE, "ok", "2026-11-26T16:00"),
    ("Donnerstag, 26.11., 14-16 Uhr", TUE, "ok", "2026-11-26T14:00"),
    ("am Donnerstag zwischen 14 und 16 Uhr", TUE, "ok", "2026-11-26T14:00"),
    ("zwischen 10 und 12", TUE, "ok", "2026-11-25T10:00"),  # today's 10–12 is too soon
    ("von 14 bis 16", TUE, "ok", "2026-11-24T14:00"),
    ("um 9", TUE, "ok", "2026-11-25T08:00"),
    ("10:30", TUE, "ok", "2026-11-25T10:00"),
    ("um 3", TUE, "ok", "2026-11-24T14:00"),  # 15 Uhr
    ("halb 3", TUE, "ok", "2026-11-24T14:00"),  # 14:30
    ("morgen um halb zehn", TUE, "ok", "2026-11-25T08:00"),
    ("ab mittag", TUE, "ok", "2026-11-24T14:00"),
    ("morgen gegen mittag", TUE, "ok", "2026-11-25T10:00"),
    ("frühestens um 10", TUE, "ok", "2026-11-24T14:00"),
    ("morgen frühestens um 10", TUE, "ok", "2026-11-25T10:00"),
    ("nicht vor 14 Uhr", TUE, "ok", "2026-11-24T14:00"),
    ("bis 12 Uhr", TUE, "ok", "2026-11-25T08:00"),
    ("abends", TUE, "no_window_at_that_time", "2026-11-24T14:00"),
    ("heute abend", TUE, "no_window_at_that_time", "2026-11-24T14:00"),
    ("um 7", TUE, "no_window_at_that_time", "2026-11-24T14:00"),
    ("Montag um 12", TUE, "no_window_at_that_time", "2026-11-30T08:00"),
    ("Dienstag um 16 Uhr", TUE, "no_window_at_that_time", "2026-11-24T14:00"),  # 14–16 ends at 16
    ("naechsten dienstag", TUE, "ok", "2026-12-01T08:00"),
    ("nächsten Dienstag", TUE, "ok", "2026-12-01T08:00"),
    ("übernächsten Montag", TUE, "ok", "2026-12-07T08:00"),
    ("donnerstag nachmittag", TUE, "ok", "2026-11-26T14:00"),
    ("Donnerstagnachmittag", TUE, "ok", "2026-11-26T14:00"),
    ("donerstag nachmittag", TUE, "ok", "2026-11-26T14:00"),  # one typo is tolerated
    ("Dienstag morgen", TUE, "too_soon", "2026-11-24T14:00"),  # Tuesday morning, not "Tuesday tomorrow"
    ("Dienstagmorgen", TUE, "too_soon", "2026-11-24T14:00"),
    ("heute morgen", TUE, "too_soon", "2026-11-24T14:00"),
    ("morgen früh", TUE, "ok", "2026-11-25T08:00"),
    ("morgen vormittag", TUE, "ok", "2026-11-25T08:00"),
    ("morgen", TUE, "ok", "2026-11-25T08:00"),
    ("am 3. Dezember", TUE, "ok", "2026-12-03T08:00"),
    ("3. Dez nachmittags", TUE, "ok", "2026-12-03T14:00"),
    ("03.12.2026 um 10.30 Uhr", TUE, "ok", "2026-12-03T10:00"),
    ("in 2 Tagen", TUE, "ok", "2026-11-26T08:00"),
    ("Ich kann am Donnerstag ab 16 Uhr, danke!", TUE, "ok", "2026-11-26T16:00"),
    ("so gegen 10", TUE, "ok", "2026-11-25T10:00"),
    ("um 10 oder so", TUE, "ok", "2026-11-25T10:00"),
    # unclear: nothing, vague, negated, contradictory, unplaceable numbers
    ("irgendwann nächsten monat vielleicht", TUE, "unclear", "2026-11-24T14:00"),
    ("blau", TUE, "unclear", "2026-11-24T14:00"),
    ("", TUE, "unclear", "2026-11-24T14:00"),
    ("Donnerstk", TUE, "unclear", "2026-11-24T14:00"),  # two typos: not guessed
    ("nächste Woche", TUE, "unclear", "2026-11-24T14:00"),
    ("im Dezember", TUE, "unclear", "2026-11-24T14:00"),
    ("nicht morgen", TUE, "unclear", "2026-11-24T14:00"),
    ("morgen ist schlecht", TUE, "unclear", "2026-11-24T14:00"),
    ("Dienstag oder Mittwoch", TUE, "unclear", "2026-11-24T14:00"),
    ("morgens oder mittags", TUE, "unclear", "2026-11-24T14:00"),
    ("um 10 oder 11", TUE, "unclear", "2026-11-24T14:00"),
    ("vormittags um 15", TUE, "unclear", "2026-11-24T14:00"),
    ("Mittwoch, 26.11.", TUE, "unclear", "2026-11-24T14:00"),  # 26.11. is a Thursday
    ("zwischen 12 und 10", TUE, "unclear", "2026-11-24T14:00"),
    ("bis Freitag", TUE, "unclear", "2026-11-24T14:00"),
    ("am 10.", TUE, "unclear", "2026-11-24T14:00"),
    ("31.11.", TUE, "unclear", "2026-11-24T14:00"),
    ("um 25 Uhr", TUE, "unclear", "2026-11-24T14:00"),
    ("ich habe 3 Kinder", TUE, "unclear", "2026-11-24T14:00"),
    ("viertel nach 10", TUE, "unclear", "2026-11-24T14:00"),
    # --- now: Tuesday 17:30, after office hours ---
    ("heute", TUE_EVENING, "too_soon", "2026-11-25T08:00"),
    ("heute nach 14 Uhr", TUE_EVENING, "too_soon", "2026-11-26T14:00"),
    ("so schnell wie möglich", TUE_EVENING, "ok", "2026-11-25T08:00"),
    # --- now: Tuesday 09:30, 120 minutes lead time ---
    ("heute 10-12", TUE_EARLY, "too_soon", "2026-11-24T14:00"),
    ("heute", TUE_EARLY, "ok", "2026-11-24T14:00"),
    # --- now: Wednesday 25.11. 10:00 ---
    ("morgen nach 14 Uhr", WED, "ok", "2026-11-26T14:00"),
    ("Dienstag", WED, "ok", "2026-12-01T08:00"),
    ("Mittwoch", WED, "too_soon", "2026-11-26T08:00"),  # today, no window left
    ("nächsten Mittwoch", WED, "ok", "2026-12-02T08:00"),
    # --- now: Monday 30.11. 10:00 ---
    ("nächsten Dienstag", MON, "ok", "2026-12-01T08:00"),  # the next Tuesday after today: tomorrow
    ("diese Woche Freitag", MON, "ok", "2026-12-04T08:00"),
    ("Montag", MON, "ok", "2026-11-30T14:00"),  # today
    # --- now: Monday 21.12. 10:00 ---
    ("25.12.", XMAS, "holiday", "2026-12-28T08:00"),
    ("am 26.12. vormittags", XMAS, "holiday", "2026-12-28T08:00"),
    ("1.1.", XMAS, "holiday", "2027-01-04T08:00"),
    ("Freitag", XMAS, "holiday", "2026-12-28T08:00"),
    ("24.12. nachmittags", XMAS, "ok", "2026-12-24T14:00"),
]


@pytest.mark.parametrize("text, now, status, first_key", CASES)
def test_match(config, text, now, status, first_key):
    result = match(text, now, config)
    assert (result.status, result.windows[0].key if result.windows else None) == (status, first_key)


def test_enough_cases():
    assert len(CASES) >= 45


@pytest.mark.parametrize(
    "text, expected",
    [
        ("morgen nach 14 Uhr", TimeRequest(date(2026, 11, 25), time(14), None)),
        ("Dienstag vormittag", TimeRequest(date(2026, 11, 24), time(8), time(12))),
        ("nächsten Dienstag", TimeRequest(date(2026, 12, 1), None, None)),
        ("mittags", TimeRequest(None, time(11), time(14))),
        ("nachmittags", TimeRequest(None, time(12), time(18))),
        ("abends", TimeRequest(None, time(18), time(22))),
        ("vor 12", TimeRequest(None, None, time(12))),
        ("ab 10:30", TimeRequest(None, time(10, 30), None)),
        ("um 10 Uhr", TimeRequest(None, time(10), time(10))),
        ("10.30 Uhr", TimeRequest(None, time(10, 30), time(10, 30))),
        ("morgens um 5", TimeRequest(None, time(5), time(5))),  # a morning word keeps 5 as 5 a.m.
        ("morgens um 9", TimeRequest(None, time(9), time(9))),
        ("um 05:00", TimeRequest(None, time(5), time(5))),  # leading zero: 24-hour clock
        ("abends um 7", TimeRequest(None, time(19), time(19))),
        ("nachmittags zwischen 2 und 4", TimeRequest(None, time(14), time(16))),
        ("um 11", TimeRequest(None, time(11), time(11))),
        ("um 12", TimeRequest(None, time(12), time(12))),
        ("vormittags ab 10", TimeRequest(None, time(10), time(12))),
        ("nachmittags um 3", TimeRequest(None, time(15), time(15))),
        ("am 3.12.", TimeRequest(date(2026, 12, 3), None, None)),
        ("3.12.2027", TimeRequest(date(2027, 12, 3), None, None)),
        ("am 20.11.", TimeRequest(date(2027, 11, 20), None, None)),  # no year: the next 20.11.
        ("heute", TimeRequest(date(2026, 11, 24), None, None)),
        ("egal, aber nachmittags", TimeRequest(None, time(12), time(18), asap=True)),
        ("so schnell wie möglich", TimeRequest(None, None, None, asap=True)),
    ],
)
def test_parse_time_request(text, expected):
    assert parse_time_request(text, date(2026, 11, 24)) == expected


@pytest.mark.parametrize(
    "text", ["", "blau", "hallo", "Donnerstag oder Freitag", "irgendwann", "später", "vormittags um 15", "abends um 15 Uhr"]
)
def test_parse_gives_up(text):
    assert parse_time_request(text, date(2026, 11, 24)) is None


@pytest.mark.parametrize(
    "text, now, message",
    [
        ("am 25.12.", XMAS, "Der 25.12. ist ein Feiertag (Erster Weihnachtstag)."),
        ("am 1.11.", TUE, "Der 1.11.2027 ist ein Feiertag (Allerheiligen)."),
        ("1.1.", XMAS, "Der 1.1.2027 ist ein Feiertag (Neujahr)."),
        ("Freitag nachmittag", TUE, "Freitags rufen wir nur vormittags zurück."),
        ("Montag um 12", TUE, "Montags rufen wir von 8 bis 12 und von 14 bis 16 Uhr zurück."),
        ("01.11.2026", TUE, "Dieser Tag liegt in der Vergangenheit."),
        ("Samstag", TUE, "Samstags und sonntags rufen wir nicht zurück."),
        ("am 24.12.2027", TUE, "So weit im Voraus planen wir noch keine Rückrufe – höchstens 14 Tage."),
        ("heute 10-12", TUE_EARLY, "Das ist zu kurzfristig: Wir brauchen mindestens 2 Stunden Vorlauf."),
        ("heute", TUE_EVENING, "Heute ist leider kein Rückruf mehr möglich."),
        ("abends", TUE, "Zu dieser Uhrzeit rufen wir nicht zurück. Rückrufe gibt es zwischen 8 und 18 Uhr."),
        ("übermorgen 10 uhr", TUE, "Das passt: Donnerstag, 26.11., 10–12 Uhr."),
    ],
)
def test_messages(config, text, now, message):
    assert match(text, now, config).message_de == message


def test_ok_lists_every_matching_window(config):
    result = match("Donnerstag nachmittag", TUE, config)
    assert [w.key for w in result.windows] == ["2026-11-26T14:00", "2026-11-26T16:00"]
    assert len(match("egal", TUE, config).windows) == len(upcoming_windows(TUE, config))


def test_alternatives_mix_same_day_and_same_time(config):
    result = match("Mittwoch nachmittag", TUE, config)
    assert [w.key for w in result.windows] == ["2026-11-25T08:00", "2026-11-25T10:00", "2026-11-26T14:00"]


def test_alternatives_keep_the_time_of_day(config):
    result = match("Samstag nachmittag", TUE, config)
    assert [w.key for w in result.windows] == ["2026-11-30T14:00", "2026-12-01T14:00", "2026-12-03T14:00"]


def test_vocabulary_is_written_as_fold_spells_it():
    # fold() turns "ue" into "u": a word like "eventuell" in a vocabulary list would never match
    vocabulary = set().union(
        tp._WEEKDAYS, tp._WEEKDAY_ABBREVIATIONS, tp._MONTHS, tp._PARTS_OF_DAY, tp._RELATIVE_DAYS, tp._VAGUE,
        tp._NEXT, tp._THIS, tp._AFTER_NEXT, tp._POINT_PREPS, tp._FROM_PREPS, tp._UNTIL_PREPS, tp._COUNT_WORDS,
        *tp._ASAP_PHRASES,
    )
    assert sorted(word for word in vocabulary if fold(word) != word) == []


def test_a_weekday_without_windows():
    config = parse_calendar_config({"horizon_days": 14, "capacity_per_window": 1, "windows": {"mo": [["08:00", "10:00"]]}})
    result = match("Mittwoch", TUE, config)
    assert (result.status, result.message_de) == ("no_window_that_day", "Mittwochs rufen wir nicht zurück.")
    assert [w.key for w in result.windows] == ["2026-11-30T08:00", "2026-12-07T08:00"]


def test_naive_now_is_refused(config):
    with pytest.raises(ValueError):
        match("morgen", datetime(2026, 11, 24, 10, 0), config)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789 .:-/abdeghimnorstuzäöüßMDF")), max_size=40))
def test_never_crashes_and_offers_only_upcoming_windows(config, text):
    result = match(text, TUE, config)
    upcoming = set(upcoming_windows(TUE, config))
    assert result.status in STATUSES
    assert set(result.windows) <= upcoming
    assert result.message_de
    if result.status != "ok":
        assert len(result.windows) <= 3


# --- English and Ukrainian (rewritten into German tokens by lotse/callbacks/timewords.py) -------------------

CASES_EN = [
    ("tomorrow after 2pm", TUE, "no_window_at_that_time", "2026-11-25T08:00"),  # Wednesdays mornings only
    ("tomorrow afternoon", TUE, "no_window_at_that_time", "2026-11-25T08:00"),
    ("Monday morning", TUE, "ok", "2026-11-30T08:00"),
    ("on Wednesday between 10 and 12", TUE, "ok", "2026-11-25T10:00"),
    ("next Tuesday", TUE, "ok", "2026-12-01T08:00"),
    ("next week Monday", TUE, "ok", "2026-11-30T08:00"),
    ("28/11", TUE, "no_window_that_day", "2026-11-30T08:00"),  # a Saturday
    ("Nov 28", TUE, "no_window_that_day", "2026-11-30T08:00"),
    ("Dec 3", TUE, "ok", "2026-12-03T08:00"),
    ("December 3rd at 10am", TUE, "ok", "2026-12-03T10:00"),
    ("the 3rd of December", TUE, "ok", "2026-12-03T08:00"),
    ("3 Dec afternoon", TUE, "ok", "2026-12-03T14:00"),
    ("Thursday 2-4pm", TUE, "ok", "2026-11-26T14:00"),
    ("thursday at 4 pm", TUE, "ok", "2026-11-26T16:00"),
    ("Thursday around 3", TUE, "ok", "2026-11-26T14:00"),
    ("Friday before noon", TUE, "ok", "2026-11-27T08:00"),
    ("after lunch on Thursday", TUE, "ok", "2026-11-26T14:00"),
    ("in 2 days", TUE, "ok", "2026-11-26T08:00"),
    ("the day after tomorrow at 10", TUE, "ok", "2026-11-26T10:00"),
    ("this afternoon", TUE, "ok", "2026-11-24T14:00"),
    ("today after 3", TUE, "ok", "2026-11-24T14:00"),
    ("tonight", TUE, "no_window_at_that_time", "2026-11-24T14:00"),
    ("as soon as possible", TUE, "ok", "2026-11-24T14:00"),
    ("any time", TUE, "ok", "2026-11-24T14:00"),
    ("at 11", TUE, "ok", "2026-11-25T10:00"),
    # unclear, as in German
    ("not tomorrow", TUE, "unclear", "2026-11-24T14:00"),
    ("I can't tomorrow", TUE, "unclear", "2026-11-24T14:00"),
    ("tomorrow or Friday", TUE, "unclear", "2026-11-24T14:00"),
    ("Tuesday or Wednesday morning", TUE, "unclear", "2026-11-24T14:00"),
    ("sometime next month", TUE, "unclear", "2026-11-24T14:00"),
    ("in December", TUE, "unclear", "2026-11-24T14:00"),
    ("quarter past 10", TUE, "unclear", "2026-11-24T14:00"),
    ("maybe later", TUE, "unclear", "2026-11-24T14:00"),
    ("in 2 hours", TUE, "unclear", "2026-11-24T14:00"),
    ("next week", TUE, "unclear", "2026-11-24T14:00"),
]

CASES_UK = [
    ("завтра після 14", TUE, "no_window_at_that_time", "2026-11-25T08:00"),
    ("завтра вдень", TUE, "no_window_at_that_time", "2026-11-25T08:00"),
    ("в понеділок зранку", TUE, "ok", "2026-11-30T08:00"),
    ("в середу з 10 до 12", TUE, "ok", "2026-11-25T10:00"),
    ("у вівторок до обіду", TUE, "too_soon", "2026-11-24T14:00"),  # today, before 12
    ("наступного вівторка", TUE, "ok", "2026-12-01T08:00"),
    ("після обіду", TUE, "ok", "2026-11-24T14:00"),
    ("28.11", TUE, "no_window_that_day", "2026-11-30T08:00"),
    ("3.12", TUE, "ok", "2026-12-03T08:00"),
    ("28 листопада", TUE, "no_window_that_day", "2026-11-30T08:00"),
    ("3 грудня", TUE, "ok", "2026-12-03T08:00"),
    ("3-го грудня о 10", TUE, "ok", "2026-12-03T10:00"),
    ("післязавтра", TUE, "ok", "2026-11-26T08:00"),
    ("післязавтра о 10", TUE, "ok", "2026-11-26T10:00"),
    ("в четвер о пів на третю", TUE, "ok", "2026-11-26T14:00"),  # 14:30
    ("у четвер о 3 дня", TUE, "ok", "2026-11-26T14:00"),
    ("в четвер з 14-ї до 16-ї", TUE, "ok", "2026-11-26T14:00"),
    ("четвер після 16 год", TUE, "ok", "2026-11-26T16:00"),
    ("в п'ятницю між 8 і 10", TUE, "ok", "2026-11-27T08:00"),
    ("чи можна завтра о 10?", TUE, "ok", "2026-11-25T10:00"),  # "чи" asks, it joins no alternatives
    ("через 2 дні", TUE, "ok", "2026-11-26T08:00"),
    ("якомога швидше", TUE, "ok", "2026-11-24T14:00"),
    ("будь-коли", TUE, "ok", "2026-11-24T14:00"),
    ("сьогодні ввечері", TUE, "no_window_at_that_time", "2026-11-24T14:00"),
    # Latin transliteration
    ("zavtra pislia 14", TUE, "no_window_at_that_time", "2026-11-25T08:00"),
    ("v ponedilok zranku", TUE, "ok", "2026-11-30T08:00"),
    ("u seredu z 10 do 12", TUE, "ok", "2026-11-25T10:00"),
    ("nastupnoho vivtorka", TUE, "ok", "2026-12-01T08:00"),
    ("pisliazavtra o 10", TUE, "ok", "2026-11-26T10:00"),
    # unclear, as in German
    ("завтра чи в пʼятницю", TUE, "unclear", "2026-11-24T14:00"),
    ("в понеділок або вівторок", TUE, "unclear", "2026-11-24T14:00"),
    ("не завтра", TUE, "unclear", "2026-11-24T14:00"),
    ("колись наступного місяця", TUE, "unclear", "2026-11-24T14:00"),
    ("через 2 години", TUE, "unclear", "2026-11-24T14:00"),
    ("в грудні", TUE, "unclear", "2026-11-24T14:00"),
    ("наступного тижня", TUE, "unclear", "2026-11-24T14:00"),
    ("zavtra abo pisliazavtra", TUE, "unclear", "2026-11-24T14:00"),
    ("ne zavtra", TUE, "unclear", "2026-11-24T14:00"),
    ("у мене троє дітей", TUE, "unclear", "2026-11-24T14:00"),
]


@pytest.mark.parametrize("text, now, status, first_key", CASES_EN + CASES_UK)
def test_match_english_and_ukrainian(config, text, now, status, first_key):
    result = match(text, now, config)
    assert (result.status, result.windows[0].key if result.windows else None) == (status, first_key)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("tomorrow after 2pm", TimeRequest(date(2026, 11, 25), time(14), None)),
        ("tomorrow afternoon", TimeRequest(date(2026, 11, 25), time(12), time(18))),
        ("monday morning", TimeRequest(date(2026, 11, 30), time(8), time(12))),
        ("on Wednesday between 10 and 12", TimeRequest(date(2026, 11, 25), time(10), time(12))),
        ("next Tuesday", TimeRequest(date(2026, 12, 1), None, None)),
        ("28/11", TimeRequest(date(2026, 11, 28), None, None)),
        ("11/28", TimeRequest(date(2026, 11, 28), None, None)),  # only month/day makes sense
        ("Nov 28", TimeRequest(date(2026, 11, 28), None, None)),
        ("November 28th after 2pm", TimeRequest(date(2026, 11, 28), time(14), None)),
        ("at 10am", TimeRequest(None, time(10), time(10))),
        ("at 5am", TimeRequest(None, time(5), time(5))),  # a.m. is a.m.
        ("12pm", TimeRequest(None, time(12), time(12))),
        ("from 9:30 am", TimeRequest(None, time(9, 30), None)),
        ("11-1pm", TimeRequest(None, time(11), time(13))),
        ("half past 2", TimeRequest(None, time(14, 30), time(14, 30))),
        ("not before 2 pm", TimeRequest(None, time(14), None)),
        ("whenever, but in the afternoon", TimeRequest(None, time(12), time(18), asap=True)),
        ("завтра після 14", TimeRequest(date(2026, 11, 25), time(14), None)),
        ("завтра вдень", TimeRequest(date(2026, 11, 25), time(12), time(18))),
        ("в понеділок зранку", TimeRequest(date(2026, 11, 30), time(8), time(12))),
        ("в середу з 10 до 12", TimeRequest(date(2026, 11, 25), time(10), time(12))),
        ("наступного вівторка", TimeRequest(date(2026, 12, 1), None, None)),
        ("після обіду", TimeRequest(None, time(12), None)),
        ("до обіду", TimeRequest(None, None, time(12))),
        ("в обід", TimeRequest(None, time(11), time(14))),
        ("28.11", TimeRequest(date(2026, 11, 28), None, None)),
        ("28 листопада", TimeRequest(date(2026, 11, 28), None, None)),
        ("післязавтра", TimeRequest(date(2026, 11, 26), None, None)),
        ("о 9 ранку", TimeRequest(None, time(9), time(9))),
        ("о 5 ранку", TimeRequest(None, time(5), time(5))),
        ("о 7 вечора", TimeRequest(None, time(19), time(19))),
        ("о пів на десяту", TimeRequest(None, time(9, 30), time(9, 30))),
        ("не раніше 14", TimeRequest(None, time(14), None)),
        ("з 8.30 до 10", TimeRequest(None, time(8, 30), time(10))),  # times, not dates
        ("zavtra pislia 14", TimeRequest(date(2026, 11, 25), time(14), None)),
        ("zavtra pislya obidu", TimeRequest(date(2026, 11, 25), time(12), None)),
    ],
)
def test_parse_time_request_english_and_ukrainian(text, expected):
    assert parse_time_request(text, date(2026, 11, 24)) == expected


@pytest.mark.parametrize(
    "text",
    ["hello", "thank you", "tomorrow or the day after", "not on Monday", "дякую", "привіт", "завтра або в четвер",
     "не в понеділок", "пізніше", "о 10 або 11", "зранку о 15", "in the morning at 3pm", "31/11", "31.11"],
)
def test_parse_gives_up_in_english_and_ukrainian(text):
    assert parse_time_request(text, date(2026, 11, 24)) is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789 .:-/'abdehimnoprstuwyзавтрпісляобідугчеьнкґєї")), max_size=40))
def test_never_crashes_in_english_and_ukrainian(config, text):
    result = match(text, TUE, config)
    assert result.status in STATUSES
    assert set(result.windows) <= set(upcoming_windows(TUE, config))


def test_refusals_are_explained_in_the_users_language():
    from lotse.language.messages import messages_for

    config = parse_calendar_config({"horizon_days": 14, "capacity_per_window": 1, "windows": {"mo": [["08:00", "10:00"]]}})
    result = match("Wednesday", TUE, config)
    assert result.message(messages_for("en")) == "On Wednesdays we do not call back."
    result = match("в середу", TUE, config)
    assert result.message(messages_for("uk")) == "По середах ми не передзвонюємо."
    assert match("irgendwann", TUE, config).message(messages_for("uk")).startswith("На жаль")
