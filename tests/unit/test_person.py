"""What a person says about their situation is recognised in any message, in de/en/uk (issue #19)."""
from __future__ import annotations

import pytest

from lotse.knowledge.person import about_person, load_person_words, person_words_problems
from tests.conftest import CONTENT

WORDS = load_person_words(CONTENT)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Ich bin alleinerziehend und bekomme Bürgergeld", {"situation": "grundsicherung", "single_parent": "yes"}),
        ("ich krieg hartz 4 und bin schwanger", {"situation": "grundsicherung", "pregnant": "yes"}),
        ("Ich arbeite als Verkäuferin in Teilzeit", {"situation": "job"}),
        ("Ich bekomme ALG 1 seit März", {"situation": "alg1"}),
        ("I am a single mom and I'm working part time", {"situation": "job", "single_parent": "yes"}),
        ("Я мама-одиначка, вагітна", {"single_parent": "yes", "pregnant": "yes"}),
        ("Wie viel Arbeitslosengeld bekommt man?", {}),  # no situation said, a question asked
        ("vielen Dank", {}),
    ],
)
def test_what_a_person_says_about_themselves(text, expected):
    assert about_person(text, WORDS) == expected


def test_empty_groups_are_reported():
    assert person_words_problems({"situation": {"job": []}, "single_parent": ["x"], "pregnant": []}) == [
        "person_words.yml: situation job has no phrases",
        "person_words.yml: pregnant has no phrases",
    ]
