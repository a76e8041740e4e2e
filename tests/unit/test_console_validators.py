"""Validators of staff input and the transcript list's filters (pure functions)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from urllib.parse import parse_qsl

from lotse.console.filters import Filters, matches, parse_filters
from lotse.console.review import Annotations
from lotse.console.security import clean_note, clean_reason, clean_tag, password_problem, username_problem
from lotse.console.transcripts import Summary

TODAY = date(2026, 11, 24)


def test_passwords_must_be_long_and_not_contain_the_user_name():
    assert password_problem("kurz") is not None
    assert password_problem("mara.beispiel-2026", "mara.beispiel") is not None
    assert password_problem("aaaaaaaaaaaaaaaa") is not None
    assert password_problem("Kita-Beitrag-Borken-7") is None


def test_user_names_tags_notes_and_reasons():
    assert username_problem("m.beispiel") is None
    assert username_problem("M Beispiel") is not None and username_problem("<script>") is not None
    assert clean_tag("  Falsch   Verstanden ") == "falsch verstanden"
    assert clean_tag("<b>") is None and clean_tag("") is None and clean_tag("x" * 41) is None
    assert clean_note("  Nachfragen  ") == "Nachfragen" and clean_note("   ") is None and clean_note("x" * 2001) is None
    assert clean_reason("Rückruf vorbereiten") == "Rückruf vorbereiten" and clean_reason("weil") is None


def test_default_filter_is_the_last_seven_days():
    filters, problems = parse_filters({}, TODAY)
    assert (filters.date_from, filters.date_to) == (date(2026, 11, 18), TODAY) and problems == []


def test_bad_filter_input_is_corrected_and_explained():
    filters, problems = parse_filters({"from": "2026-11-30", "to": "2026-11-01", "page": "x", "reviewed": "maybe"}, TODAY)
    assert (filters.date_from, filters.date_to) == (date(2026, 11, 1), date(2026, 11, 30))
    assert filters.page == 1 and filters.reviewed == "" and len(problems) == 1
    filters, problems = parse_filters({"from": "2020-01-01"}, TODAY)
    assert filters.date_from == date(2025, 10, 20) and problems


def test_filters_survive_the_pager_links():
    filters, _ = parse_filters({"from": "2026-11-01", "intent": "ask_kita_kosten", "fallback": "1", "q": "kita  kosten"}, TODAY)
    again, _ = parse_filters(dict(parse_qsl(filters.query_string(page=2))), TODAY)
    assert again == Filters(**{**filters.__dict__, "page": 2})


def _summary(cid: str, **kw) -> Summary:
    at = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
    base = dict(conversation_id=cid, started=at, ended=at, channel="rest", language="de", intents=("greet",), user_turns=1,
                fallback=False, callback_requested=False, human_requested=False, user_text="hallo", newest_event_id=1)
    return Summary(**{**base, **kw})


def test_each_filter_selects_the_matching_conversations():
    summaries = [
        _summary("a"), _summary("b", channel="telegram", fallback=True), _summary("c", intents=("request_human",), human_requested=True),
        _summary("d", user_text="was kostet die kita"), _summary("e", language="en"),
    ]
    notes = Annotations(tags={"a": {"unklar"}}, reviewed={"a", "b"}, thumbs_down={"d"}, with_callback={"e"})

    def found(**query: str) -> list[str]:
        filters, _ = parse_filters(query, TODAY)
        return [s.conversation_id for s in summaries if matches(s, filters, notes)]

    assert found() == ["a", "b", "c", "d", "e"]
    assert found(channel="telegram") == ["b"]
    assert found(fallback="1") == ["b"]
    assert found(handoff="1") == ["c", "e"]
    assert found(down="1") == ["d"]
    assert found(tag="unklar") == ["a"]
    assert found(reviewed="no") == ["c", "d", "e"]
    assert found(q="KITA kostet") == ["d"]
    assert found(language="en") == ["e"]
    assert found(intent="request_human") == ["c"]


def test_tokens_with_non_ascii_characters_do_not_match_and_do_not_raise():
    from lotse.console.security import tokens_match

    assert tokens_match("abc", "abc")
    assert not tokens_match("abc", "\u202eevil\u202c")  # compare_digest raises TypeError on non-ASCII str
    assert not tokens_match("abc", "lone \ud800")
    assert not tokens_match("", "") and not tokens_match(None, "abc")
