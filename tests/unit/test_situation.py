"""The situation check ("Was steht mir zu?", lotse/knowledge/situation.py and situation_text.py):
households with the items and amounts the rules give them, the change of the year, skipped
questions, and the list as text in German, English and Ukrainian.

Expected amounts are worked out from the rules in ../shared/reference/facts-update-2026-12.md and
content/facts.yml, not taken from the code: Regelbedarf 2026 563 € (adults), 357 € (0–5), 390 € (6–13),
471 € (14–17); Mehrbedarf § 21 Abs. 3 SGB II: 36 % of 563 € = 202.68 €, 12 % = 67.56 € per child,
at most 60 % = 337.80 €; Unterhaltsvorschuss 227 / 299 / 394 €; Kindergeld 259 € (2027: 267 € draft);
Entlastungsbetrag 4,260 € + 240 € per further child; Kinderkrankentage 2026 30 per child, at most
70 (2027 without a new law: 20 / 50); BuT 130 € + 65 € school things, 15 € a month Teilhabe;
Weiterbildungsgeld 150 €, childcare during training 160 € per child.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from lotse.core.settings import PROJECT_ROOT
from lotse.knowledge.facts import load_facts
from lotse.knowledge.offices import load_office_data
from lotse.knowledge.situation import Household, Item, entitlements, household_from_answers, mehrbedarf_percent
from lotse.knowledge.situation_text import render_list, render_messages, situation_problems
from lotse.language.numbers import wrong_number_formats

CONTENT = PROJECT_ROOT / "content"
FACTS = load_facts(CONTENT)
OFFICES = load_office_data(CONTENT)
DAY = date(2026, 12, 7)
GS = "grundsicherung"

MONEY = {"mehrbedarf", "regelbedarf", "unterhaltsvorschuss", "kindergeld", "but"}


def by_id(items: list[Item]) -> dict[str, Item]:
    return {item.id: item for item in items}


def values(item: Item) -> list[Decimal | None]:
    return [a.value for a in item.amounts]


def d(*amounts: str) -> list[Decimal]:
    return [Decimal(a) for a in amounts]


@dataclass
class Case:
    name: str
    household: Household
    items: set[str]
    amounts: dict[str, list[Decimal]] = field(default_factory=dict)
    offices: dict[str, str | None] = field(default_factory=dict)
    conditional: set[str] = field(default_factory=set)


CASES = [
    Case("one child of 4, Grundsicherungsgeld, no maintenance, Borken",
         Household("borken", (4,), True, GS, "no"),
         MONEY | {"kita"},
         {"mehrbedarf": d("202.68"),                         # 1 child under 7: 36 %
          "regelbedarf": d("563", "357"), "unterhaltsvorschuss": d("227"), "kindergeld": d("259"),
          "but": d("15")},                                   # not at school yet: no school things
         {"mehrbedarf": "jc_borken", "unterhaltsvorschuss": "ja_borken", "kita": "ja_borken", "but": "jc_borken"}),
    Case("one child of 8, Grundsicherungsgeld, Bocholt",
         Household("bocholt", (8,), True, GS, "no"),
         MONEY,
         {"mehrbedarf": d("67.56"),                          # 1 child, not under 7: 12 %
          "regelbedarf": d("563", "390"), "unterhaltsvorschuss": d("299"), "but": d("130", "65", "15")},
         {"regelbedarf": "jc_bocholt", "unterhaltsvorschuss": "ja_bocholt"}),
    Case("two children of 10 and 13: 36 %, and the 12-17 condition",
         Household("ahaus", (10, 13), True, GS, "no"),
         MONEY,
         {"mehrbedarf": d("202.68"),                         # 2 children under 16: 36 % (12 % × 2 = 24 % is less)
          "regelbedarf": d("563", "390", "390"), "unterhaltsvorschuss": d("299", "394")}),
    Case("three children of 3, 5 and 12: 36 % either way",
         Household("gronau", (3, 5, 12), True, GS, "no"),
         MONEY | {"kita", "ogs"},
         {"mehrbedarf": d("202.68"),                         # under 7: 36 %; 12 % × 3 = 36 %
          "regelbedarf": d("563", "357", "357", "390"), "unterhaltsvorschuss": d("227", "227", "394")},
         {"kita": "ja_gronau"}),
    Case("four children: 12 % each is more than 36 %",
         Household("heek", (2, 4, 6, 9), True, GS, "yes"),
         {"mehrbedarf", "regelbedarf", "kindergeld", "but", "kita", "ogs"},      # maintenance paid: no Unterhaltsvorschuss
         {"mehrbedarf": d("270.24"),                         # 12 % × 4 = 48 % = 4 × 67.56
          "regelbedarf": d("563", "357", "357", "390", "390")},
         {"kita": "ja_kreis", "mehrbedarf": "jc_heek"}),
    Case("five children: 60 %",
         Household("velen", (1, 3, 5, 7, 9), True, GS, "partly"),
         MONEY | {"kita", "ogs"},
         {"mehrbedarf": d("337.80"),                         # 12 % × 5 = 60 %
          "unterhaltsvorschuss": d("227", "227", "227", "299", "299")}),
    Case("six children: capped at 60 %",
         Household("reken", (1, 2, 3, 4, 5, 6), True, GS, "no"),
         MONEY | {"kita", "ogs"},
         {"mehrbedarf": d("337.80")}),                       # 12 % × 6 = 72 %, at most 60 %
    Case("two teenagers of 16 and 17: 24 %",
         Household("rhede", (16, 17), True, GS, "no"),
         MONEY,
         {"mehrbedarf": d("135.12"),                         # none under 16: 12 % × 2 = 24 % = 2 × 67.56
          "regelbedarf": d("563", "471", "471"), "unterhaltsvorschuss": d("394", "394")}),
    Case("one teenager of 17: 12 %",
         Household("stadtlohn", (17,), True, GS, "no"),
         MONEY,
         {"mehrbedarf": d("67.56"), "regelbedarf": d("563", "471")}),
    Case("children of 15 and 17: only one under 16, 24 %",
         Household("legden", (15, 17), True, GS, "no"),
         MONEY,
         {"mehrbedarf": d("135.12"), "regelbedarf": d("563", "471", "471")}),
    Case("only an adult child: no Mehrbedarf, no Unterhaltsvorschuss",
         Household("isselburg", (19,), True, GS, "no"),
         {"regelbedarf", "kindergeld"},
         {"regelbedarf": d("563")}),
    Case("working, children of 6 and 11, Borken: tax class II, sick days, KiZ and Wohngeld to check",
         Household("borken", (6, 11), True, "job", "no"),
         MONEY | {"kinderzuschlag", "wohngeld", "ogs", "entlastungsbetrag", "kinderkrankentage"},
         {"mehrbedarf": d("202.68"), "unterhaltsvorschuss": d("299", "299"),
          "entlastungsbetrag": d("4260", "240"),             # 1 further child
          "kinderkrankentage": d("60"),                      # 30 × 2
          "kinderzuschlag": d("297"), "but": d("130", "65", "15")},
         {"entlastungsbetrag": None, "kinderzuschlag": None, "wohngeld": None},
         {"mehrbedarf", "regelbedarf", "but", "kinderzuschlag", "wohngeld"}),
    Case("working, three children under 12: sick days capped at 70",
         Household("gescher", (2, 5, 8), True, "job", "no"),
         MONEY | {"kinderzuschlag", "wohngeld", "kita", "ogs", "entlastungsbetrag", "kinderkrankentage"},
         {"entlastungsbetrag": d("4260", "480"),             # 2 further children × 240
          "kinderkrankentage": d("70")}),                    # 30 × 3 = 90, at most 70
    Case("working, one child of 13: no sick days",
         Household("schoeppingen", (13,), True, "job", "no"),
         MONEY | {"kinderzuschlag", "wohngeld", "entlastungsbetrag"},
         {"entlastungsbetrag": d("4260"), "unterhaltsvorschuss": d("394")}),
    Case("Arbeitslosengeld, a baby",
         Household("raesfeld", (0.5,), True, "alg1", "no"),
         MONEY | {"kinderzuschlag", "wohngeld", "kita"},
         {"mehrbedarf": d("202.68"), "regelbedarf": d("563", "357"), "unterhaltsvorschuss": d("227")},
         conditional={"mehrbedarf", "regelbedarf", "but", "kinderzuschlag", "wohngeld"}),
    Case("Arbeitslosengeld, a baby, wants a job: tax class and sick days once working",
         Household("raesfeld", (0.5,), True, "alg1", "no", wants={"job"}),
         MONEY | {"kinderzuschlag", "wohngeld", "kita", "entlastungsbetrag", "kinderkrankentage"},
         {"entlastungsbetrag": d("4260"), "kinderkrankentage": d("30")},
         conditional={"entlastungsbetrag", "kinderkrankentage"}),
    Case("in training, wants retraining, Vreden",
         Household("vreden", (4,), True, "training", "no", wants={"retraining"}),
         MONEY | {"kinderzuschlag", "wohngeld", "kita", "weiterbildung"},
         {"weiterbildung": d("150", "160")},
         {"weiterbildung": "aa_ahaus", "kita": "ja_kreis"}),
    Case("not living alone with the children: no single-parent items",
         Household("suedlohn", (4,), False, GS, "no"),
         {"regelbedarf", "kindergeld", "but", "kita"},
         {"regelbedarf": d("563", "357")}),
    Case("town not known: offices by kind only",
         Household(None, (4,), True, GS, "no"),
         MONEY | {"kita"},
         {"mehrbedarf": d("202.68")},
         {"mehrbedarf": None, "unterhaltsvorschuss": None, "kita": None}),
    Case("no income at all: Grundsicherungsgeld to check, no KiZ or Wohngeld",
         Household("heiden", (7,), True, "none", "no"),
         MONEY | {"ogs"},
         {"mehrbedarf": d("67.56"), "regelbedarf": d("563", "390")},
         conditional={"mehrbedarf", "regelbedarf", "but"}),
    Case("maintenance paid in full, working",
         Household("bocholt", (5, 9), True, "job", "yes"),
         {"mehrbedarf", "regelbedarf", "kindergeld", "kinderzuschlag", "wohngeld", "but", "kita", "ogs",
          "entlastungsbetrag", "kinderkrankentage"},
         {"mehrbedarf": d("202.68"), "kinderkrankentage": d("60"), "entlastungsbetrag": d("4260", "240")}),
    Case("no children",
         Household("borken", (), True, GS, None),
         {"regelbedarf"},
         {"regelbedarf": d("563")}),
    Case("one age not known: every bracket for that child",
         Household("borken", (None, 4), True, GS, "no"),
         MONEY | {"kita", "ogs"},
         {"mehrbedarf": d("202.68", "67.56", "337.80"),      # the rule, not a computed amount
          "regelbedarf": d("563", "357", "390", "471", "357"),
          "unterhaltsvorschuss": d("227", "299", "394", "227")}),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_households_get_the_items_and_amounts_of_the_rules(case: Case) -> None:
    items = by_id(entitlements(case.household, DAY, FACTS, OFFICES))
    assert set(items) == case.items
    for item_id, expected in case.amounts.items():
        assert values(items[item_id]) == expected, item_id
    for item_id, office in case.offices.items():
        assert items[item_id].office.id == office, item_id
    for item_id in case.conditional:
        assert items[item_id].conditional, item_id


def test_at_least_twenty_households_are_checked() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("ages, percent", [
    ([6], 36), ([7], 12), ([15, 15], 36), ([15, 15, 15], 36), ([15, 15, 15, 15], 48), ([8, 16], 24),
    ([3, 17], 36), ([1, 2, 3, 4, 5], 60), ([1, 2, 3, 4, 5, 6, 7], 60), ([18], 0), ([], 0),
])
def test_mehrbedarf_percent_follows_section_21_sgb_ii(ages: list[float], percent: int) -> None:
    assert mehrbedarf_percent(ages) == percent


def test_the_mehrbedarf_is_certain_only_with_grundsicherungsgeld() -> None:
    on_gs = by_id(entitlements(Household("borken", (4,), True, GS, "no"), DAY, FACTS, OFFICES))
    working = by_id(entitlements(Household("borken", (4,), True, "job", "no"), DAY, FACTS, OFFICES))
    assert not on_gs["mehrbedarf"].conditional and on_gs["mehrbedarf"].why.key == "mehrbedarf.why"
    assert working["mehrbedarf"].conditional and working["mehrbedarf"].why.key == "mehrbedarf.why_if"


def test_the_12_to_17_condition_names_the_minimum_income_from_the_facts() -> None:
    items = by_id(entitlements(Household("ahaus", (13,), True, GS, "no"), DAY, FACTS, OFFICES))
    note = next(n for n in items["unterhaltsvorschuss"].notes if n.key == "unterhaltsvorschuss.note_12_17")
    assert note.values["income_min"].value == Decimal("600")
    working = by_id(entitlements(Household("ahaus", (13,), True, "job", "no"), DAY, FACTS, OFFICES))
    assert "unterhaltsvorschuss.note_12_17" in [n.key for n in working["unterhaltsvorschuss"].notes]
    young = by_id(entitlements(Household("ahaus", (5,), True, GS, "no"), DAY, FACTS, OFFICES))
    assert not [n for n in young["unterhaltsvorschuss"].notes if n.key == "unterhaltsvorschuss.note_12_17"]


def test_kita_follows_the_age_groups_of_the_law_and_names_the_towns_portal() -> None:
    items = by_id(entitlements(Household("bocholt", (0.5, 2, 4), True, GS, "no"), DAY, FACTS, OFFICES))
    keys = [n.key for n in items["kita"].notes]
    assert keys[:3] == ["kita.child_unter_1", "kita.child_1_bis_2", "kita.child_ab_3"]
    assert items["kita"].apply.values == {"portal": "Kitaportal Bocholt", "url": "https://kitaportal.bocholt.de"}
    working = by_id(entitlements(Household("bocholt", (0.5,), True, "job", "no"), DAY, FACTS, OFFICES))
    assert working["kita"].notes[0].key == "kita.child_unter_1_work"


def test_an_unverified_portal_address_is_never_given() -> None:
    items = by_id(entitlements(Household("gronau", (2,), True, GS, "no"), DAY, FACTS, OFFICES))
    assert items["kita"].apply.key == "kita.apply_portal_name"
    assert "url" not in items["kita"].apply.values


def test_the_ogs_right_grows_by_one_class_each_summer() -> None:
    household = Household("borken", (8,), True, GS, "no")
    assert "ogs" not in by_id(entitlements(household, DAY, FACTS, OFFICES))   # class 1 only in 2026/27
    in_2027 = by_id(entitlements(household, date(2027, 8, 2), FACTS, OFFICES))
    assert in_2027["ogs"].why.values["grades"].value == Decimal("2")
    before = by_id(entitlements(Household("borken", (5,), True, GS, "no"), date(2026, 6, 1), FACTS, OFFICES))
    assert before["ogs"].why.key == "ogs.why_before"
    assert before["ogs"].why.values["since"] == date(2026, 8, 1)


# ------------------------------------------------------------------------------------------------ the change of the year

WORKING_FAMILY = Household("borken", (6, 11), True, "job", "no")


def test_amounts_change_or_become_unknown_at_the_turn_of_the_year() -> None:
    old = by_id(entitlements(WORKING_FAMILY, date(2026, 12, 31), FACTS, OFFICES))
    new = by_id(entitlements(WORKING_FAMILY, date(2027, 1, 2), FACTS, OFFICES))
    assert values(old["mehrbedarf"]) == d("202.68")
    # Regelbedarf 2027 not set: Mehrbedarf, Regelbedarf and Unterhaltsvorschuss are not known yet.
    for item_id in ("mehrbedarf", "regelbedarf", "unterhaltsvorschuss", "kinderzuschlag"):
        assert all(v is None for v in values(new[item_id])), item_id
    assert new["mehrbedarf"].amounts[0].last.amount == Decimal("202.68")
    assert new["mehrbedarf"].amounts[0].last.valid_until == date(2026, 12, 31)
    # Kindergeld: the 2027 draft value, hedged as unconfirmed.
    assert values(old["kindergeld"]) == d("259")
    assert old["kindergeld"].amounts[0].upcoming.amount == Decimal("267")
    kindergeld_2027 = new["kindergeld"].amounts[0].current
    assert kindergeld_2027.amount == Decimal("267") and kindergeld_2027.confidence == "U" and kindergeld_2027.hedge["de"]
    # Entlastungsbetrag has no end date: the same on both days.
    assert values(old["entlastungsbetrag"]) == values(new["entlastungsbetrag"]) == d("4260", "240")


def test_kinderkrankentage_end_with_2026_and_then_say_so_honestly() -> None:
    old = by_id(entitlements(WORKING_FAMILY, date(2026, 12, 31), FACTS, OFFICES))["kinderkrankentage"]
    new = by_id(entitlements(WORKING_FAMILY, date(2027, 1, 2), FACTS, OFFICES))["kinderkrankentage"]
    assert values(old) == d("60") and not old.notes
    assert values(new)[0] is None                                   # the 2026 rule ended, no extension known
    assert new.amounts[0].last.amount == Decimal("60")
    fallback = new.amounts[1]
    assert fallback.value == Decimal("40") and fallback.current.confidence == "U"   # 20 × 2 without a new law
    assert [n.key for n in new.notes] == ["kinderkrankentage.note_unknown"]


def test_the_change_of_the_year_in_the_text() -> None:
    old = render_list(entitlements(WORKING_FAMILY, date(2026, 12, 31), FACTS, OFFICES), "de", date(2026, 12, 31))
    new = render_list(entitlements(WORKING_FAMILY, date(2027, 1, 2), FACTS, OFFICES), "de", date(2027, 1, 2))
    assert "202,68 € im Monat (ab 01.01.2027: noch nicht festgelegt)" in old
    assert "259 € im Monat (ab 01.01.2027: 267 € im Monat (Regierungsentwurf, noch nicht beschlossen))" in old
    assert "noch nicht bekannt (bis 31.12.2026: 202,68 € im Monat)" in new
    assert "noch nicht bekannt (bis 31.12.2026: 60 Tage im Jahr)" in new
    assert "267 € im Monat (Regierungsentwurf, noch nicht beschlossen)" in new
    assert "202,68 € im Monat (ab" not in new


# ------------------------------------------------------------------------------------------------ skipped questions


def test_skipping_every_question_still_gives_a_useful_list() -> None:
    items = by_id(entitlements(Household(), DAY, FACTS, OFFICES))
    assert set(items) == {"mehrbedarf", "regelbedarf", "unterhaltsvorschuss", "kindergeld", "kinderzuschlag", "wohngeld",
                          "but", "kita", "ogs", "entlastungsbetrag", "kinderkrankentage"}
    assert values(items["mehrbedarf"]) == d("202.68", "67.56", "337.80")     # the rule with its amounts
    assert values(items["regelbedarf"]) == d("563", "357", "390", "471")
    assert values(items["unterhaltsvorschuss"]) == d("227", "299", "394")
    assert values(items["kinderkrankentage"]) == d("30", "70")
    assert values(items["entlastungsbetrag"]) == d("4260", "240")
    assert all(item.conditional for i, item in items.items() if i not in ("kindergeld", "kita", "ogs"))
    text = render_list(items.values(), "de", DAY)
    assert "Sagen Sie mir das Alter Ihrer Kinder" in text
    assert "das Jobcenter Ihrer Stadt oder Gemeinde" in text
    assert "keine Entscheidung und keine Rechtsberatung" in text


def test_answers_as_the_conversation_keeps_them_make_a_household() -> None:
    household = household_from_answers("gescher", ["3", "0.83"], "yes", "grundsicherung", "partly", "650", "retraining")
    assert household == Household("gescher", (3.0, 0.83), True, GS, "partly", Decimal("650"), frozenset({"retraining"}))
    skipped = household_from_answers("-", None, "-", "-", "-", "-", "-")
    assert skipped == Household()
    assert household_from_answers(child_ages=["drei"], rent="NaN").children == (None,)
    assert household_from_answers(single_parent="no").lives_alone_with_children is False


def test_an_unknown_answer_is_refused() -> None:
    with pytest.raises(ValueError):
        Household(income="buergergeld")
    with pytest.raises(ValueError):
        Household(wants={"holiday"})


# ------------------------------------------------------------------------------------------------ the text


@pytest.mark.parametrize("lang, expected", [
    ("de", ["4.260 € im Jahr", "202,68 € im Monat", "60 Tage im Jahr", "keine Entscheidung und keine Rechtsberatung",
            "Lassen Sie es prüfen; zuständig ist: die Familienkasse", "Zuständig: Jobcenter der Stadt Borken"]),
    ("en", ["4,260 € a year", "202.68 € a month", "60 days a year", "not a decision and not legal advice",
            "Please have it checked; responsible: the Familienkasse", "Responsible: Jobcenter der Stadt Borken"]),
    ("uk", ["4 260 € на рік", "202,68 € на місяць", "60 днів на рік", "не рішення і не юридична консультація",
            "Попросіть перевірити; відповідає: сімейна каса", "Відповідає: Jobcenter der Stadt Borken"]),
])
def test_render_list_in_each_language(lang: str, expected: list[str]) -> None:
    text = render_list(entitlements(WORKING_FAMILY, DAY, FACTS, OFFICES), lang, DAY)
    for part in expected:
        assert part in text, part
    assert wrong_number_formats(text, lang) == []
    assert "{" not in text and "}" not in text


def test_every_item_in_the_text_has_a_source_and_the_list_ends_with_the_limits() -> None:
    items = entitlements(Household("borken", (0.5, 4, 9), True, "job", "partly", 650, {"retraining"}), DAY, FACTS, OFFICES)
    text = render_list(items, "en", DAY)
    blocks = text.split("\n\n")[1:-1]
    assert len(blocks) == len(items)
    assert all("\nSource: https://" in block for block in blocks)
    assert blocks[[i.id for i in items].index("wohngeld")].count("650 € a month") == 1
    assert text.endswith(render_list([], "en"))


def test_a_long_list_comes_in_messages_a_messenger_can_send() -> None:
    items = entitlements(Household("gronau", (0.5, 5, 9, 13), True, "job", "partly", 700, {"retraining"}), DAY, FACTS, OFFICES)
    whole = render_list(items, "uk", DAY)
    messages = render_messages(items, "uk", DAY, max_chars=2000)
    assert len(whole) > 2000 and len(messages) > 1
    assert all(len(m) <= 2000 for m in messages)
    assert "\n\n".join(messages) == whole
    assert messages[-1].endswith(render_list([], "uk"))   # the limits close the last message


# ------------------------------------------------------------------------------------------------ the content check


def test_the_situation_texts_pass_the_content_check() -> None:
    assert situation_problems(CONTENT) == []


def _copy(tmp_path: Path) -> tuple[Path, dict]:
    shutil.copy(CONTENT / "situation.yml", tmp_path / "situation.yml")
    return tmp_path, yaml.safe_load((tmp_path / "situation.yml").read_text(encoding="utf-8"))


def _write(path: Path, data: dict) -> None:
    (path / "situation.yml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_the_check_finds_a_missing_language_and_different_placeholders(tmp_path: Path) -> None:
    path, data = _copy(tmp_path)
    del data["texts"]["kita.title"]["uk"]
    data["texts"]["mehrbedarf.why"]["en"] = "You get {percent} %."
    data["texts"]["limits"]["de"] = "Keine Rechtsberatung {amount}."
    _write(path, data)
    problems = "\n".join(situation_problems(path))
    assert "texts.kita.title: no uk text" in problems
    assert "texts.mehrbedarf.why: the languages use different placeholders" in problems
    assert "texts.limits (de): unknown placeholders ['amount']" in problems


def test_the_check_finds_a_literal_amount_and_a_missing_text(tmp_path: Path) -> None:
    path, data = _copy(tmp_path)
    data["texts"]["but.teilhabe"]["de"] = "Verein (15 € im Monat)"
    del data["texts"]["ogs.apply"]
    _write(path, data)
    problems = "\n".join(situation_problems(path))
    assert "texts.but.teilhabe (de): literal amount" in problems
    assert "texts.ogs.apply: missing" in problems


def test_the_list_renders_on_every_day_a_fact_it_uses_changes() -> None:
    from lotse.knowledge.facts import check_days

    households = [Household(), Household("gronau", (0.5, 5, 9, 13), True, "job", "partly", 700, {"retraining", "job"}),
                  Household("heek", (2, 17), True, GS, "no", wants={"retraining"})]
    fact_ids = {a.fact for h in households for item in entitlements(h, DAY, FACTS, OFFICES) for a in item.amounts}
    for day in check_days(FACTS, fact_ids, DAY):
        for household in households:
            items = entitlements(household, day, FACTS, OFFICES)
            for lang in ("de", "en", "uk"):
                text = render_list(items, lang, day)
                assert wrong_number_formats(text, lang) == [], (day, lang)


def test_the_check_reports_a_file_it_cannot_read(tmp_path: Path) -> None:
    (tmp_path / "situation.yml").write_text("texts: [unclosed", encoding="utf-8")
    assert situation_problems(tmp_path)[0].startswith("situation.yml: cannot be read")
    assert situation_problems(tmp_path / "nowhere") == ["situation.yml: missing"]
