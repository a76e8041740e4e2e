"""The rules of the situation check ("Was steht mir zu?", issue #23): from a few answers about a
household to a personal list of support, with the amounts valid on a day, the office for the town,
how to apply and the source.

    items = entitlements(Household(town="borken", children=(4, 9), income="grundsicherung",
                                   lives_alone_with_children=True, maintenance_paid="no"),
                         date(2026, 12, 7), load_facts(CONTENT), load_office_data(CONTENT))

Pure: no files, no clock. Amounts come only from content/facts.yml (lotse/knowledge/facts.py): the
value valid on the day, or, when a value ended without a known successor, "not known yet" with the
last known value. Texts (titles, why, how to apply, the limits sentence) are keys into
content/situation.yml, rendered by lotse/knowledge/situation_text.py. Where the rules here do not
determine an amount (Kinderzuschlag, Wohngeld) the item is `check_only`: the office has to check it.
Every answer may be None (the question was skipped); the list then states the conditions instead.
The rules and their sources: docs/situation-check.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any, Iterable, Mapping

from lotse.knowledge.child_age import age_group_for_years
from lotse.knowledge.facts import Fact, Facts, Period
from lotse.knowledge.offices import OfficeData, verified_contact

INCOMES = ("none", "job", "alg1", "grundsicherung", "training")
MAINTENANCE = ("yes", "no", "partly")
WANTS = ("job", "retraining", "childcare")
ADULT = 18

# § 21 Abs. 3 SGB II (content/answers/geld.yml `mehrbedarf`): 36 % with one child under 7 or two or
# three children under 16; otherwise 12 % per minor child if that is more; at most 60 %.
MEHRBEDARF_RULE = {"under_7": 7, "under_16": 16, "high": 36, "per_child": 12, "most": 60}
# Age brackets (first and last year of age) of the facts that depend on a child's age.
REGELBEDARF_BRACKETS = ((0, 5, "regelbedarf_kind_0_5"), (6, 13, "regelbedarf_kind_6_13"), (14, 17, "regelbedarf_kind_14_17"))
UVG_BRACKETS = ((0, 5, "unterhaltsvorschuss_0_5"), (6, 11, "unterhaltsvorschuss_6_11"), (12, 17, "unterhaltsvorschuss_12_17"))
UVG_CONDITION_FROM = 12  # § 1 Abs. 1a UVG: from 12 only without SGB II need or with the minimum income
KITA_UNTIL = 6           # children under 6 are asked about Kita (§ 24 SGB VIII; school starts at about 6)
OGS_FROM_AGE = 5         # OGS: a child of 5 starts school next summer (ganztag_klassenstufen: classes with the right)
KINDERKRANK_UNDER = 12   # § 45 SGB V: child under 12
SCHOOL_FROM = 6          # BuT Schulbedarf: school children


@dataclass(frozen=True)
class Household:
    """The answers of the situation check; None means the question was skipped or not answered.

    town: a municipality id of content/offices.yml; children: each child's age in years (None: not
    known), None: number of children not known; income: one of INCOMES; maintenance_paid: one of
    MAINTENANCE; rent: monthly rent in euro; wants: a subset of WANTS."""

    town: str | None = None
    children: tuple[float | None, ...] | None = None
    lives_alone_with_children: bool | None = None
    income: str | None = None
    maintenance_paid: str | None = None
    rent: Decimal | None = None
    wants: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.children is not None:
            object.__setattr__(self, "children", tuple(self.children))
        object.__setattr__(self, "wants", frozenset(self.wants))
        if self.rent is not None:
            object.__setattr__(self, "rent", Decimal(str(self.rent)))
        for name, value, allowed in (("income", self.income, INCOMES), ("maintenance_paid", self.maintenance_paid, MAINTENANCE)):
            if value is not None and value not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)} or None, not {value!r}")
        if not self.wants <= set(WANTS):
            raise ValueError(f"wants must be a subset of {', '.join(WANTS)}")


def _known(value: Any, allowed: tuple[str, ...]) -> str | None:
    return str(value) if value is not None and str(value) in allowed else None


def _age(value: Any) -> float | None:
    try:
        age = float(str(value).replace(",", "."))
    except ValueError:
        return None
    return age if 0 <= age < 100 else None


def household_from_answers(
    town: str | None = None,
    child_ages: Iterable[Any] | None = None,
    single_parent: str | None = None,
    income: str | None = None,
    maintenance: str | None = None,
    rent: Any = None,
    wants: str | Iterable[str] | None = None,
) -> Household:
    """A Household from answers as the conversation keeps them (strings; "-", None or anything
    unknown = skipped): town id, ages ("3", "0.83"), single_parent "yes"/"no", an income of INCOMES,
    maintenance of MAINTENANCE, rent ("650"), wants (one of WANTS or several)."""
    wanted = {wants} if isinstance(wants, str) else set(wants or ())
    return Household(
        town=town if town and town != "-" else None,
        children=tuple(_age(a) for a in child_ages) if child_ages else None,
        lives_alone_with_children={"yes": True, "no": False}.get(str(single_parent)),
        income=_known(income, INCOMES),
        maintenance_paid=_known(maintenance, MAINTENANCE),
        rent=None if rent is None else _rent(rent),
        wants=frozenset(w for w in wanted if w in WANTS),
    )


def _rent(value: Any) -> Decimal | None:
    try:
        rent = Decimal(str(value).replace(",", "."))
        return rent if rent.is_finite() and rent > 0 else None
    except ArithmeticError:
        return None


@dataclass(frozen=True)
class Text:
    """A text of content/situation.yml (`key`) with what fills its {placeholders}: str and int as
    they are, Decimal as an amount in euro, date as 01.01.2027, Amount as its value on the day."""

    key: str
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Source:
    title: str
    url: str
    date: str  # as the source gives it ("2025-10-07", "2026-01", "undated")


@dataclass(frozen=True)
class Value:
    """One dated value of a fact, multiplied by the rule's factor (for example 4 children × 12 %)."""

    amount: Decimal
    valid_from: date
    valid_until: date | None
    confidence: str
    hedge: Mapping[str, str] = field(default_factory=dict)  # U values: how to hedge, per language


@dataclass(frozen=True)
class Amount:
    """What a fact says on the day: `current` (None: ended and its successor is not known yet, or
    not started), the `last` value that ended, and the `upcoming` one already known."""

    fact: str
    unit: str  # "eur" | "number" (content/facts.yml)
    per: str   # "month" | "year" | "once" | "days_year" | "none": the text after the value
    label: Text
    current: Value | None
    last: Value | None
    upcoming: Value | None
    sources: tuple[Source, ...]

    @property
    def value(self) -> Decimal | None:
        return self.current.amount if self.current else None


@dataclass(frozen=True)
class Office:
    """Who is responsible: an office of content/offices.yml for the town (id, name, verified web
    address), or a body named by `kind` (familienkasse, finanzamt, krankenkasse, wohngeldstelle,
    gemeinde, schule) whose name content/situation.yml gives, with the town's name where known."""

    kind: str
    id: str | None = None
    name: str | None = None
    web: str | None = None
    town: str | None = None  # "Stadt Borken"


@dataclass(frozen=True)
class Item:
    id: str
    why: Text                   # why it applies (or: under which condition)
    office: Office
    apply: Text                 # how to apply
    amounts: tuple[Amount, ...] = ()
    notes: tuple[Text, ...] = ()
    sources: tuple[Source, ...] = ()  # from the facts; rule-only items have theirs in content/situation.yml
    conditional: bool = False   # applies only if the condition in `why` holds (an answer was skipped or points elsewhere)
    check_only: bool = False    # no amount from these rules: "lassen Sie es prüfen bei …"


# ------------------------------------------------------------------------------------------------ facts


def _value(period: Period | None, factor: int, facts: Facts) -> Value | None:
    if period is None:
        return None
    hedge = dict(period.hedge) or (dict(facts.labels.get("unconfirmed", {})) if period.confidence == "U" else {})
    return Value(period.value * factor, period.valid_from, period.valid_until, period.confidence, hedge)


def _sources(fact: Fact, *periods: Period | None) -> tuple[Source, ...]:
    period = next((p for p in periods if p is not None), None)
    return tuple(Source(fact.title, s.url, s.date) for s in (period.sources if period else ()))


def amount(facts: Facts, fact_id: str, day: date, label: Text, per: str, factor: int = 1) -> Amount:
    """The fact `fact_id` on `day`, times `factor` (KeyError for an unknown fact: make check-content
    and the tests catch it)."""
    fact = facts.facts[fact_id]
    current, latest, upcoming = fact.on(day), fact.latest(day), fact.upcoming(day)
    last = None if current is not None else latest
    return Amount(
        fact=fact_id,
        unit=fact.unit,
        per=per,
        label=label,
        current=_value(current, factor, facts),
        last=_value(last, factor, facts),
        upcoming=_value(upcoming, factor, facts),
        sources=_sources(fact, current, last, upcoming),
    )


def smaller(one: Amount, cap: Amount) -> Amount:
    """`one` unless the `cap` is lower on the day (or, when neither is known on the day, was lower
    last); the result carries `one`'s label."""
    for a, b in ((one.current, cap.current), (one.last, cap.last)):
        if a is not None and b is not None:
            return replace(cap, label=one.label) if b.amount < a.amount else one
    return one


def _bracket(brackets: tuple[tuple[int, int, str], ...], age: float) -> tuple[int, int, str] | None:
    return next((b for b in brackets if b[0] <= int(age) <= b[1]), None)


def _dedupe(sources: list[Source]) -> tuple[Source, ...]:
    seen: dict[str, Source] = {}
    for s in sources:
        seen.setdefault(s.url, s)
    return tuple(seen.values())


# ------------------------------------------------------------------------------------------------ offices


def _municipality(offices: OfficeData, town: str | None) -> Mapping[str, Any] | None:
    return offices.municipalities.get(town) if town else None


def office_for(kind: str, town: str | None, offices: OfficeData) -> Office:
    """The `kind` office (jobcenter, jugendamt, agentur) of `town`, or a named body (other kinds)."""
    municipality = _municipality(offices, town)
    town_name = f"{municipality['kind']} {municipality['name']}" if municipality else None
    if municipality and kind in ("jobcenter", "jugendamt", "agentur"):
        office = offices.offices[municipality[kind]]
        web = verified_contact(office).get("web", {}).get("value")
        return Office(kind, office["id"], office["name"], web, town_name)
    return Office(kind, town=town_name)


def kita_portal(town: str | None, offices: OfficeData) -> tuple[str, str | None] | None:
    """The Kita portal of `town`: its name, and its address when verified."""
    municipality = _municipality(offices, town)
    if not municipality:
        return None
    portal = offices.kita_portals.get(municipality.get("kita_portal"))
    if not portal:
        return None
    return str(portal["name"]), (str(portal["url"]) if portal.get("verified") is True else None)


# ------------------------------------------------------------------------------------------------ the household


def _ages(h: Household) -> tuple[float | None, ...]:
    return h.children or ()


def _minors(h: Household) -> list[tuple[int, float | None]]:
    """(number of the child from 1, age) of every child under 18 or of unknown age."""
    return [(n, a) for n, a in enumerate(_ages(h), 1) if a is None or a < ADULT]


def _ages_known(h: Household) -> bool:
    return h.children is not None and all(a is not None for a in h.children)


def _child_label(n: int, age: float | None) -> Text:
    return Text("amount.child", {"child": n, "age": int(age)}) if age is not None else Text("amount.child_unknown", {"child": n})


def _alone(h: Household) -> bool:
    return h.lives_alone_with_children is not False


def _has_minor(h: Household) -> bool:
    return h.children is None or bool(_minors(h))


def _working(h: Household) -> bool | None:
    """True: works; None: not known or wants a job (conditional); False: neither."""
    if h.income == "job":
        return True
    return None if h.income is None or "job" in h.wants else False


def mehrbedarf_percent(ages: list[float]) -> int:
    """§ 21 Abs. 3 SGB II for the children living with the parent (ages in years); 0 without a minor."""
    rule = MEHRBEDARF_RULE
    minors = [a for a in ages if a < ADULT]
    high = any(a < rule["under_7"] for a in minors) or 2 <= sum(a < rule["under_16"] for a in minors) <= 3
    return min(rule["most"], max(rule["high"] if high else 0, rule["per_child"] * len(minors)))


# ------------------------------------------------------------------------------------------------ items


def _mehrbedarf(h: Household, day: date, facts: Facts, offices: OfficeData) -> Item | None:
    if not _alone(h) or not _has_minor(h):
        return None
    conditional = h.income != "grundsicherung" or h.lives_alone_with_children is not True
    office = office_for("jobcenter", h.town, offices)
    if _ages_known(h):
        ages = [a for a in _ages(h) if a is not None]
        percent = mehrbedarf_percent(ages)
        count = sum(a < ADULT for a in ages)
        label = Text("mehrbedarf.amount", {"percent": percent})
        if percent == MEHRBEDARF_RULE["most"]:
            amounts = (amount(facts, "mehrbedarf_max", day, label, "month"),)
        elif percent == MEHRBEDARF_RULE["high"]:
            amounts = (amount(facts, "mehrbedarf_36", day, label, "month"),)
        else:
            amounts = (amount(facts, "mehrbedarf_12", day, label, "month", factor=count),)
        why = Text("mehrbedarf.why_if" if conditional else "mehrbedarf.why", {"percent": percent, "count": count})
        notes: tuple[Text, ...] = ()
    else:
        amounts = (
            amount(facts, "mehrbedarf_36", day, Text("mehrbedarf.rule_high"), "month"),
            amount(facts, "mehrbedarf_12", day, Text("mehrbedarf.rule_per_child"), "month"),
            amount(facts, "mehrbedarf_max", day, Text("mehrbedarf.rule_most"), "month"),
        )
        why = Text("mehrbedarf.why_ages_unknown")
        notes = (Text("mehrbedarf.note_ages"),)
    sources = _dedupe([s for a in amounts for s in a.sources])
    return Item("mehrbedarf", why, office, Text("mehrbedarf.apply"), amounts, notes, sources, conditional=conditional)


def _regelbedarf(h: Household, day: date, facts: Facts, offices: OfficeData) -> Item:
    amounts = [amount(facts, "regelbedarf_alleinstehend", day, Text("amount.you"), "month")]
    children = _minors(h)
    if h.children is None:
        children = [(0, None)]
    for n, age in children:
        bracket = _bracket(REGELBEDARF_BRACKETS, age) if age is not None else None
        if bracket:
            amounts.append(amount(facts, bracket[2], day, _child_label(n, age), "month"))
            continue
        for low, high, fact_id in REGELBEDARF_BRACKETS:  # age not known: every bracket
            values = {"age_from": low, "age_to": high}
            label = Text("amount.bracket_child", {**values, "child": n}) if n else Text("amount.bracket", values)
            amounts.append(amount(facts, fact_id, day, label, "month"))
    conditional = h.income != "grundsicherung"
    sources = _dedupe([s for a in amounts for s in a.sources])
    why = Text("regelbedarf.why_if" if conditional else "regelbedarf.why")
    return Item("regelbedarf", why, office_for("jobcenter", h.town, offices), Text("regelbedarf.apply"), tuple(amounts), (), sources, conditional)


def _unterhaltsvorschuss(h: Household, day: date, facts: Facts, offices: OfficeData) -> Item | None:
    if h.maintenance_paid == "yes" or not _alone(h) or not _has_minor(h):
        return None
    amounts: list[Amount] = []
    older = False
    children = _minors(h) if h.children is not None else [(0, None)]
    for n, age in children:
        bracket = _bracket(UVG_BRACKETS, age) if age is not None else None
        for low, high, fact_id in [bracket] if bracket else UVG_BRACKETS:
            label = _child_label(n, age) if bracket else (
                Text("amount.bracket_child", {"age_from": low, "age_to": high, "child": n}) if n
                else Text("amount.bracket", {"age_from": low, "age_to": high}))
            amounts.append(amount(facts, fact_id, day, label, "month"))
            older = older or low >= UVG_CONDITION_FROM
    notes = []
    sources = [s for a in amounts for s in a.sources]
    if older:  # said to everyone with a child of 12 to 17 (or of unknown age): the office decides
        minimum = amount(facts, "unterhaltsvorschuss_mindesteinkommen", day, Text("amount.none"), "none")
        notes.append(Text("unterhaltsvorschuss.note_12_17", {"income_min": minimum}))
        sources += minimum.sources
    if h.maintenance_paid == "partly":
        notes.append(Text("unterhaltsvorschuss.note_partly"))
    conditional = h.maintenance_paid is None or h.lives_alone_with_children is None
    why = Text("unterhaltsvorschuss.why_if" if conditional else "unterhaltsvorschuss.why")
    office = office_for("jugendamt", h.town, offices)
    return Item("unterhaltsvorschuss", why, office, Text("unterhaltsvorschuss.apply"), tuple(amounts), tuple(notes), _dedupe(sources), conditional)


def _kindergeld(h: Household, day: date, facts: Facts, offices: OfficeData) -> Item | None:
    if h.children == ():
        return None
    one = amount(facts, "kindergeld", day, Text("amount.per_child"), "month")
    return Item("kindergeld", Text("kindergeld.why"), office_for("familienkasse", h.town, offices), Text("kindergeld.apply"), (one,), (), one.sources)


def _kinderzuschlag(h: Household, day: date, facts: Facts, offices: OfficeData) -> Item | None:
    if h.income in ("grundsicherung", "none") or h.children == ():
        return None
    most = amount(facts, "kinderzuschlag_max", day, Text("kinderzuschlag.most"), "month")
    minimum = amount(facts, "kinderzuschlag_mindesteinkommen", day, Text("amount.none"), "none")
    why = Text("kinderzuschlag.why", {"income_min": minimum})
    sources = _dedupe(list(most.sources) + list(minimum.sources))
    return Item("kinderzuschlag", why, office_for("familienkasse", h.town, offices), Text("kinderzuschlag.apply"), (most,), (), sources,
                conditional=True, check_only=True)


def _wohngeld(h: Household, day: date, facts: Facts, offices: OfficeData) -> Item | None:
    if h.income in ("grundsicherung", "none"):
        return None
    why = Text("wohngeld.why_rent", {"rent": h.rent}) if h.rent is not None else Text("wohngeld.why")
    return Item("wohngeld", why, office_for("wohngeldstelle", h.town, offices), Text("wohngeld.apply"), (), (Text("wohngeld.note_2027"),),
                conditional=True, check_only=True)


def _but(h: Household, day: date, facts: Facts, offices: OfficeData) -> Item | None:
    if not _has_minor(h):
        return None
    amounts = [amount(facts, "but_teilhabe", day, Text("but.teilhabe"), "month")]
    ages = [a for _, a in _minors(h)]
    if h.children is None or any(a is None or a >= SCHOOL_FROM for a in ages):
        amounts.insert(0, amount(facts, "but_schulbedarf_august", day, Text("but.august"), "once"))
        amounts.insert(1, amount(facts, "but_schulbedarf_februar", day, Text("but.februar"), "once"))
    conditional = h.income != "grundsicherung"
    office = office_for("jobcenter" if h.income == "grundsicherung" else "gemeinde", h.town, offices)
    sources = _dedupe([s for a in amounts for s in a.sources])
    why = Text("but.why_if" if conditional else "but.why")
    return Item("but", why, office, Text("but.apply"), tuple(amounts), (), sources, conditional)


def _kita(h: Household, day: date, facts: Facts, offices: OfficeData) -> Item | None:
    children = [(n, a) for n, a in enumerate(_ages(h), 1) if a is None or a < KITA_UNTIL]
    if h.children is not None and not children:
        return None
    notes = []
    seeks = h.income in ("job", "training") or bool(h.wants & {"job", "retraining"})
    for n, age in children:
        if age is None:
            notes.append(Text("kita.child_unknown", {"child": n}))
            continue
        group = age_group_for_years(age)
        key = f"kita.child_{group}" + ("_work" if group == "unter_1" and seeks else "")
        notes.append(Text(key, {"child": n, "age": int(age)}))
    if h.children is None:
        notes.append(Text("kita.rule"))
    notes.append(Text("kita.note_fees"))
    portal = kita_portal(h.town, offices)
    if portal and portal[1]:
        apply = Text("kita.apply_portal", {"portal": portal[0], "url": portal[1]})
    elif portal:
        apply = Text("kita.apply_portal_name", {"portal": portal[0]})
    else:
        apply = Text("kita.apply")
    why = Text("kita.why_wanted" if "childcare" in h.wants else "kita.why")
    return Item("kita", why, office_for("jugendamt", h.town, offices), apply, (), tuple(notes))


def _ogs(h: Household, day: date, facts: Facts, offices: OfficeData) -> Item | None:
    grades = amount(facts, "ganztag_klassenstufen", day, Text("amount.none"), "none")
    # A child in class g is about 5 + g to 6 + g years old (under 7 + g); a child of 5 starts school next summer.
    under = OGS_FROM_AGE + 2 + int(grades.value or 0)
    if h.children is not None and not any(a is None or OGS_FROM_AGE <= a < under for a in h.children):
        return None
    start = grades.current or grades.upcoming or grades.last
    if start is None:
        return None
    why = Text("ogs.why" if grades.current else "ogs.why_before", {"grades": grades, "since": start.valid_from})
    return Item("ogs", why, office_for("schule", h.town, offices), Text("ogs.apply"), (), (), grades.sources)


def _entlastungsbetrag(h: Household, day: date, facts: Facts, offices: OfficeData) -> Item | None:
    working = _working(h)
    if working is False or not _alone(h) or h.children == ():
        return None
    amounts = [amount(facts, "entlastungsbetrag", day, Text("entlastungsbetrag.first"), "year")]
    further = len(h.children) - 1 if h.children is not None else None
    if further is None:
        amounts.append(amount(facts, "entlastungsbetrag_weiteres_kind", day, Text("entlastungsbetrag.per_further"), "year"))
    elif further > 0:
        label = Text("entlastungsbetrag.further", {"count": further})
        amounts.append(amount(facts, "entlastungsbetrag_weiteres_kind", day, label, "year", factor=further))
    conditional = working is None or h.lives_alone_with_children is None
    why = Text("entlastungsbetrag.why_if" if conditional else "entlastungsbetrag.why")
    sources = _dedupe([s for a in amounts for s in a.sources])
    return Item("entlastungsbetrag", why, office_for("finanzamt", h.town, offices), Text("entlastungsbetrag.apply"), tuple(amounts), (), sources, conditional)


def _kinderkrankentage(h: Household, day: date, facts: Facts, offices: OfficeData) -> Item | None:
    working = _working(h)
    young = [a for a in _ages(h) if a is None or a < KINDERKRANK_UNDER]
    if working is False or (h.children is not None and not young):
        return None
    count = len(young) if _ages_known(h) else 0
    if count:
        label = Text("kinderkrankentage.total")
        amounts = [smaller(amount(facts, "kinderkrankentage_je_kind", day, label, "days_year", factor=count),
                           amount(facts, "kinderkrankentage_hoechstens", day, label, "days_year"))]
    else:
        amounts = [amount(facts, "kinderkrankentage_je_kind", day, Text("amount.per_child"), "days_year"),
                   amount(facts, "kinderkrankentage_hoechstens", day, Text("kinderkrankentage.most"), "days_year")]
    notes: list[Text] = []
    if amounts[0].current is None:  # the rule ended without a known successor: what the law says without a new one
        fallback = "kinderkrankentage_ohne_verlaengerung_"
        label = Text("kinderkrankentage.fallback_total" if count else "kinderkrankentage.fallback_per_child")
        if count:
            amounts.append(smaller(amount(facts, fallback + "je_kind", day, label, "days_year", factor=count),
                                   amount(facts, fallback + "hoechstens", day, label, "days_year")))
        else:
            amounts.append(amount(facts, fallback + "je_kind", day, label, "days_year"))
            amounts.append(amount(facts, fallback + "hoechstens", day, Text("kinderkrankentage.fallback_most"), "days_year"))
        notes.append(Text("kinderkrankentage.note_unknown"))
    conditional = working is None or h.children is None or any(a is None for a in h.children)
    why = Text("kinderkrankentage.why_if" if conditional else "kinderkrankentage.why", {"count": count})
    sources = _dedupe([s for a in amounts for s in a.sources])
    return Item("kinderkrankentage", why, office_for("krankenkasse", h.town, offices), Text("kinderkrankentage.apply"),
                tuple(amounts), tuple(notes), sources, conditional)


def _weiterbildung(h: Household, day: date, facts: Facts, offices: OfficeData) -> Item | None:
    if "retraining" not in h.wants:
        return None
    amounts = [amount(facts, "weiterbildungsgeld", day, Text("weiterbildung.geld"), "month")]
    if h.children != ():
        amounts.append(amount(facts, "kinderbetreuung_weiterbildung", day, Text("weiterbildung.childcare"), "month"))
    key = "weiterbildung.apply_jobcenter" if h.income == "grundsicherung" else "weiterbildung.apply"
    apply = Text(key, {"office": office_for("jobcenter", h.town, offices)})
    sources = _dedupe([s for a in amounts for s in a.sources])
    return Item("weiterbildung", Text("weiterbildung.why"), office_for("agentur", h.town, offices), apply, tuple(amounts),
                (Text("weiterbildung.note"),), sources, conditional=True)


RULES = (_mehrbedarf, _regelbedarf, _unterhaltsvorschuss, _kindergeld, _kinderzuschlag, _wohngeld, _but, _kita, _ogs,
         _entlastungsbetrag, _kinderkrankentage, _weiterbildung)
ITEM_IDS = ("mehrbedarf", "regelbedarf", "unterhaltsvorschuss", "kindergeld", "kinderzuschlag", "wohngeld", "but", "kita", "ogs",
            "entlastungsbetrag", "kinderkrankentage", "weiterbildung")


def entitlements(household: Household, day: date, facts: Facts, offices: OfficeData) -> list[Item]:
    """The personal list for `household` on `day`, in a fixed order (money first, then childcare and
    work). An empty household (every question skipped) still gets the general items with their
    conditions. The limits sentence ("keine Entscheidung, keine Rechtsberatung") is added by
    situation_text.render_list to every list."""
    items = (rule(household, day, facts, offices) for rule in RULES)
    return [item for item in items if item is not None]
