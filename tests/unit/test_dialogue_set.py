"""The held-out conversation set (tests/dialogues/dialogues.yml, issue #19) and the check logic of its runner.

The set must be big enough per language and per kind, every turn must be checked, the answer ids it names must
exist, and no user turn may be in the NLU training or held-out data (the set is never trained on).
"""
from __future__ import annotations

import collections
import re
from pathlib import Path

import pytest
import yaml

from lotse.knowledge.content import load_answers
from scripts.eval_dialogues import CHECKS, KINDS, Reply, check_turn, load_set, reply_language, select
from tests.conftest import ROOT

DIALOGUES = load_set(ROOT / "tests" / "dialogues" / "dialogues.yml")
MIN_PER_LANGUAGE = {"de": 90, "en": 30, "uk": 30}
MIN_PER_KIND = {"followup": 40, "own_question": 30, "story": 20, "memory": 15}
ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def normal(text: str) -> str:
    return " ".join(str(text).lower().split())


def nlu_lines(paths) -> set[str]:
    """Every example line of every block (intents, synonyms, lookups), raw and without entity annotations."""
    found: set[str] = set()
    for path in paths:
        for block in (yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}).get("nlu") or []:
            for line in str(block.get("examples", "")).splitlines():
                if line.strip().startswith("- "):
                    text = line.strip()[2:].strip()
                    found |= {normal(text), normal(ANNOTATION.sub(r"\1", text))}
    return found


def test_the_set_is_big_enough_per_language_and_kind():
    languages = collections.Counter(d["lang"] for d in DIALOGUES)
    kinds = collections.Counter(k for d in DIALOGUES for k in d["kind"])
    assert len(DIALOGUES) >= 150
    assert all(languages[lang] >= n for lang, n in MIN_PER_LANGUAGE.items()), languages
    assert all(kinds[kind] >= n for kind, n in MIN_PER_KIND.items()), kinds


def test_every_dialogue_is_well_formed():
    ids = [d["id"] for d in DIALOGUES]
    assert len(ids) == len(set(ids))
    for d in DIALOGUES:
        assert d["lang"] in MIN_PER_LANGUAGE, d["id"]
        assert d["kind"] and set(d["kind"]) <= set(KINDS), d["id"]
        assert d.get("source"), d["id"]
        assert 2 <= len(d["turns"]) <= 5, d["id"]
        assert d.get("selected_language") in (None, *MIN_PER_LANGUAGE), d["id"]


def test_every_turn_has_at_least_one_known_check():
    for d in DIALOGUES:
        for turn in d["turns"]:
            expect = turn.get("expect") or {}
            assert turn["user"].strip() and expect, (d["id"], turn.get("user"))
            assert set(expect) <= set(CHECKS), (d["id"], turn["user"])


def test_every_answer_id_exists():
    known = {a.id for a in load_answers(ROOT / "content").answers}
    named = {t["expect"]["answer"] for d in DIALOGUES for t in d["turns"] if "answer" in t["expect"]}
    assert named and named <= known, named - known


def test_no_user_turn_is_in_the_nlu_data():
    nlu = nlu_lines(sorted((ROOT / "data" / "nlu").rglob("*.yml")) + sorted((ROOT / "tests" / "nlu").glob("*.yml")))
    leaked = [t["user"] for d in DIALOGUES for t in d["turns"] if normal(t["user"]) in nlu]
    assert not leaked


# ------------------------------------------------------------------ the runner's check logic
REPLY = Reply(
    ("Wenn der andere Elternteil keinen Unterhalt zahlt, können Sie Unterhaltsvorschuss beim Jugendamt beantragen.",),
    ("Kinderzuschlag", "Beratung"),
)


def starts(answer_id: str, lang: str) -> list[str]:
    return ["Wenn der andere Elternteil keinen oder"] if answer_id == "unterhaltsvorschuss" else []


@pytest.mark.parametrize("expect", [
    {"contains": ["jugendamt", "Unterhaltsvorschuss"]},
    {"contains_any": ["Familienkasse", "JUGENDAMT"]},
    {"not_contains": ["nicht sicher, ob ich Sie richtig verstanden"]},
    {"lang": "de"},
    {"buttons_any": ["zuschlag"]},
    {"contains_any": ["Kinderzuschlag"]},  # button titles are part of the reply
    {"not_contains": [["Familienkasse"], "Agentur"]},  # a shared (anchored) list inside a list
])
def test_a_right_reply_passes(expect):
    assert check_turn(expect, REPLY, "de") == []


@pytest.mark.parametrize("expect, why", [
    ({"contains": ["Jugendamt", "Familienkasse"]}, "contains"),
    ({"contains_any": ["Familienkasse", "Agentur"]}, "contains_any"),
    ({"not_contains": ["Jugendamt"]}, "not_contains"),
    ({"lang": "en"}, "lang"),
    ({"buttons_any": ["Jugendamt"]}, "buttons_any"),  # words of the text are not buttons
    ({"contains": ["Jugendamt"], "not_contains": ["Unterhaltsvorschuss"]}, "not_contains"),
    ({"answer": "kinderzuschlag"}, "answer"),
    ({"contans": ["Jugendamt"]}, "unknown check"),
])
def test_a_wrong_reply_fails_and_says_which_check(expect, why):
    failed = check_turn(expect, REPLY, "de", starts)
    assert failed and any(why in line for line in failed), failed


def test_the_answer_check_compares_the_start_of_a_message():
    wording = Reply(("wenn der andere elternteil keinen oder zu wenig Unterhalt zahlt …",))
    later = Reply(("Sie wohnen in Gronau. Wenn der andere Elternteil keinen oder zu wenig Unterhalt zahlt …",))
    assert check_turn({"answer": "unterhaltsvorschuss"}, wording, "de", starts) == []
    assert check_turn({"answer": "unterhaltsvorschuss"}, later, "de", starts)


def test_reply_language_by_script_and_common_words():
    assert reply_language("Ви можете подати заяву до служби у справах дітей (Jugendamt).") == "uk"
    assert reply_language("You can apply for it at the youth welfare office (Jugendamt).") == "en"
    assert reply_language("Sie können den Antrag beim Jugendamt stellen, wenn Sie möchten.") == "de"


def test_selecting_by_language_and_kind():
    chosen = select(DIALOGUES, "en", "story")
    assert chosen and all(d["lang"] == "en" and "story" in d["kind"] for d in chosen)
    assert len(select(DIALOGUES)) == len(DIALOGUES)
