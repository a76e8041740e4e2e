from __future__ import annotations

import pytest

from lotse.child_age import extract_child_age_group


@pytest.mark.parametrize(
    "text, group",
    [
        ("Mein Sohn ist 2 – muss ich jetzt schon arbeiten?", "1_bis_2"),
        ("Wie viel Bürgergeld mit einem 4-jährigen Kind?", "ab_3"),
        ("meine tochter ist 14 monate alt", "1_bis_2"),
        ("mein kind ist drei", "ab_3"),
        ("ich hab ein baby", "unter_1"),
        ("Kind 8 Monate, muss ich arbeiten", "unter_1"),
        ("meine kleine wird 3", "ab_3"),
        ("mein junge ist 1 jahr alt", "1_bis_2"),
        ("Sohn (5) braucht Nachhilfe", "ab_3"),
        ("Ich suche einen Job mit 40 Stunden", None),
        ("nach 6 Jahren Pause wieder einsteigen", None),
        ("ich bin 34 und hab ein Kind", None),
        ("Kita macht um 7 auf", None),
    ],
)
def test_child_age_group(text, group):
    assert extract_child_age_group(text) == group
