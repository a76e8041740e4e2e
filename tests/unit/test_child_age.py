from __future__ import annotations

import pytest

from lotse.knowledge.child_age import bare_child_age, extract_child_age_group, reply_child_age
from lotse.knowledge.conversation import reply_child_ages


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


@pytest.mark.parametrize(
    "text, group",
    [
        ("my son is 2", "1_bis_2"),
        ("My son is 2, do I already have to go to work or only when he is 3?", "1_bis_2"),
        ("my daughter is 14 months old", "1_bis_2"),
        ("a 4-year-old", "ab_3"),
        ("how much money is there for a 2 year old child", "1_bis_2"),
        ("my 2 year old son", "1_bis_2"),
        ("I have a baby", "unter_1"),
        ("newborn", "unter_1"),
        ("kid under one", "unter_1"),
        ("can my child go to nursery already under one year", "unter_1"),
        ("my daughter, 8 months", "unter_1"),
        ("baby 14 months", "1_bis_2"),  # not 14 years
        ("my baby is only 1", "1_bis_2"),  # a number beats the word "baby"
        ("my baby is a year old", "1_bis_2"),
        ("she is 6 weeks old", "unter_1"),
        ("one and a half year old", "1_bis_2"),
        ("my twins are 2", "1_bis_2"),
        ("my kids are 4 and 7", "ab_3"),
        ("my son is almost 3", "ab_3"),
        ("my son turned 1 and still has no place", "1_bis_2"),
        ("my little one is only 20 months", "1_bis_2"),
        ("2yo", "1_bis_2"),
        ("child aged 4", "ab_3"),
        # no child's age
        ("I work 40 hours", None),
        ("I have lived 5 years in Germany", None),
        ("my son is 5 years in Germany", None),
        ("I am 34 and have a kid", None),
        ("my son is 20", None),
        ("I have 2 kids", None),
        ("my son works 40 hours a week", None),
        ("my daughter is at school 5 hours", None),
        ("do i have to work even tho my child is not 3 yet", None),
        ("is work reasonable with a child under 3", None),
    ],
)
def test_child_age_group_english(text, group):
    assert extract_child_age_group(text) == group


@pytest.mark.parametrize(
    "text, group",
    [
        ("моєму сину 2 роки", "1_bis_2"),
        ("Моєму сину 2 роки, я вже мушу йти працювати чи тільки коли йому буде 3?", "1_bis_2"),
        ("донька 14 місяців", "1_bis_2"),
        ("дитині 3 рочки", "ab_3"),
        ("дитина 1.5 року", "1_bis_2"),
        ("дитина 1,5 року", "1_bis_2"),
        ("дитині півтора року", "1_bis_2"),
        ("синові пів року", "unter_1"),
        ("немовля", "unter_1"),
        ("де вчити німецьку з немовлям", "unter_1"),
        ("синові п'ять", "ab_3"),
        ("синові пʼять", "ab_3"),
        ("дитині рік", "1_bis_2"),
        ("мене змушують працювати, а малій тільки рік", "1_bis_2"),
        ("малому всього 20 місяців", "1_bis_2"),
        ("малюку 8 місяців", "unter_1"),
        ("доньці вже виповнилось 2 роки", "1_bis_2"),
        ("у мене донька, їй 2 роки", "1_bis_2"),
        ("трирічна донька", "ab_3"),
        ("півторарічний син", "1_bis_2"),
        ("бюргергельд на 17-річного сина", "ab_3"),
        ("з 4-річною дитиною", "ab_3"),
        ("в мене двійнята по 2 роки", "1_bis_2"),
        ("живу сама з трьома дітьми, старшому 16", "ab_3"),
        ("дитина до року", "unter_1"),
        # Latin transliteration
        ("synu 2 roky", "1_bis_2"),
        ("donka 14 misiatsiv", "1_bis_2"),
        ("dytyni 3 rochky", "ab_3"),
        ("synovi p'iat'", "ab_3"),
        ("chy musyt mama z dytynoyu 1 rik pratsyuvaty", "1_bis_2"),
        ("nemovlia", "unter_1"),
        # no child's age
        ("малюк", None),  # "little one": no age group can be told
        ("мені 34 роки", None),
        ("40 годин", None),
        ("я працюю 40 годин на тиждень, а в мене дитина", None),
        ("5 років у Німеччині", None),
        ("синові 5 років у Німеччині", None),
        ("у мене 2 дітей", None),
        ("маю трирічний досвід роботи", None),
        ("я мала 3 роки перерви", None),
        ("мій син ходить 5 днів у садок", None),
        ("моєму синові 20", None),
        ("рекомендація", None),
    ],
)
def test_child_age_group_ukrainian(text, group):
    assert extract_child_age_group(text) == group


@pytest.mark.parametrize(
    "text, group",
    [
        ("Mein Sohn ist 1,5 Jahre alt", "1_bis_2"),  # was read as "5 Jahre alt"
        ("Sohn 2,5 Stunden", None),
        ("Kind 3,5 Jahre", "ab_3"),
    ],
)
def test_decimal_ages(text, group):
    assert extract_child_age_group(text) == group


@pytest.mark.parametrize(
    "text, group",
    [
        # halves written out, a pronoun or a time word before the number (a correction, a reply in a sentence)
        ("mein Sohn ist zweieinhalb", "1_bis_2"),
        ("meine Tochter ist 2 einhalb Jahre", "1_bis_2"),
        ("Kind eineinhalb Jahre alt", "1_bis_2"),
        ("er ist erst 2", "1_bis_2"),
        ("Moment, sie ist inzwischen 5", "ab_3"),
        ("sie wird bald 3, ist jetzt 2,5", "1_bis_2"),  # now, not soon
        ("er ist fast 1 und bekommt keinen Platz", "1_bis_2"),
        ("she is two and a half", "1_bis_2"),
        ("oh sorry, he is already 4", "ab_3"),
        ("синові 2 з половиною роки", "1_bis_2"),
        # no child's age
        ("Ist noch ein Platz frei?", None),
        ("sie ist eine gute Tagesmutter", None),
        ("er ist jetzt 40 Stunden weg", None),
        ("sie ist 34", None),
        ("die Kita ist jetzt 5 km weg", None),
        ("he is 40 hours at work", None),
    ],
)
def test_pronoun_and_half_ages(text, group):
    assert extract_child_age_group(text) == group


@pytest.mark.parametrize(
    "text, years",
    [
        ("2 einhalb", 2.5),
        ("dreieinhalb", 3.5),
        ("anderthalb", 1.5),
        ("2,5", 2.5),
        ("2 1/2", 2.5),
        ("two and a half", 2.5),
        ("nein, 4", 4.0),
        ("nope, 5", 5.0),
        ("ні, їй вже 4", 4.0),
        ("їй вже 4", 4.0),
        ("два з половиною роки", 2.5),
        ("ein Jahr", 1.0),
        ("eine gute Frage", None),
        ("nein danke", None),
    ],
)
def test_reply_child_age(text, years):
    assert reply_child_age(text) == years


@pytest.mark.parametrize(
    "text, ages",
    [
        ("7 und 1", [7.0, 1.0]),
        ("2 1/2", [2.5]),  # one child, not three
    ],
)
def test_reply_child_ages(text, ages):
    assert reply_child_ages(text) == ages


@pytest.mark.parametrize(
    "text, years",
    [
        ("Oh nein, er ist erst 3.", 3.0),
        ("sorry, she's already 4 years old", 4.0),
        ("ні, їй вже 4", 4.0),
        ("10 Monate", 10 / 12),
        # more than an age: a question of its own
        ("er ist 3, wo melde ich ihn an?", None),
        ("4 und 7", None),
        ("40 Stunden", None),
    ],
)
def test_bare_child_age(text, years):
    assert bare_child_age(text) == years
