"""Compose the office finder's answers from the reference data. Pure functions, no Rasa."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Mapping

from lotse.knowledge.office_requests import OFFICE_TYPES, office_type_of
from lotse.knowledge.offices import OfficeData, as_of_text, format_hours, opening_status, source_label, verified_contact
from lotse.knowledge.places import Resolution
from lotse.language.messages import Messages
from lotse.language.textnorm import edit_distance, fold

WOHNORT_SOURCE = (
    "Jobcenter im Kreis Borken: Zuständigkeit nach Wohnort",
    "https://jobcenter-heiden.de/de/service/themen/soziales/soziales/dienstleistungen-aufgaben/jobcenter/jobcenter/online-services/online-antrag-sgb-ii/",
)


@dataclass
class OfficeReply:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    municipality: str | None = None
    jugendamt_area: str | None = None
    kind: str | None = None  # the office answered for: jobcenter | jugendamt | agentur | familienbuero


def explicit_office_kind(text: str) -> str | None:
    """The office a message names ("Jugendamt", "Kita", "Agentur", "ALG 1", "Familienbüro";
    lotse.knowledge.office_requests); None when it names none."""
    return office_type_of(text)


def office_kind_for(text: str) -> str:
    return explicit_office_kind(text) or "jobcenter"


def contact_stamp(f: Mapping[str, Any], t: Messages) -> str:
    """Where and when a contact value was seen: "(laut kreis-borken.de, Stand 2021)" — the source's
    own date, not the date someone last reviewed the answer."""
    site = source_label(f.get("source"))
    where = site if site else t("contact_source_staff")
    return t("contact_stamp", source=where, date=as_of_text(f.get("as_of")))


def switchboard_phone(data: OfficeData, t: Messages) -> str:
    """The switchboard's number as every fixed text names it, with where and when it was seen:
    "02861 681-100 (laut kreis-borken.de, Stand 2021)". `data` is offices.yml with the entries
    confirmed in the console, so a confirmed change reaches these texts too."""
    phone = verified_contact(data.switchboard)["phone"]
    return f"{phone['value']} {contact_stamp(phone, t)}"


def _contact_lines(office: Mapping[str, Any], now: datetime, t: Messages) -> list[str]:
    lines = []
    for name, f in verified_contact(office).items():
        value = format_hours(f, t) if name == "hours" else f["value"]
        lines.append(f"{t('field_' + name)}: {value} {contact_stamp(f, t)}")
        if name == "hours":
            status = opening_status(f, now, t)
            if status:
                lines.append(status)
    return lines


def _sources(*offices: Mapping[str, Any]) -> list[str]:
    urls: list[str] = []
    for office in offices:
        for f in verified_contact(office).values():
            if source_label(f.get("source")) and f["source"] not in urls:  # a phone call is no link to show
                urls.append(f["source"])
    return urls


def _switchboard_block(data: OfficeData, now: datetime, t: Messages) -> list[str]:
    board = data.switchboard
    lines = [t("office_switchboard_connects", name=board["name"])]
    web_label = t("field_web") + ":"
    lines += [f"• {line}" for line in _contact_lines(board, now, t) if not line.startswith(web_label)]
    return lines


def found_reply(
    data: OfficeData,
    municipality_id: str,
    kind: str,
    now: datetime,
    t: Messages,
    matched: str | None = None,
    role: str | None = None,
) -> OfficeReply:
    """The office of `kind` for the town. `role` (content/followups.yml `office_roles`): what the
    Agentur is asked about in the conversation ("weiterbildung", "ausbildung"); its training advice
    is then explained instead of ALG I."""
    m = data.municipalities[municipality_id]
    offices = data.offices
    intro: list[str] = []
    if kind == "familienbuero" and not m.get("familienbuero"):
        # No other Familienbüro in Kreis Borken is known: the Jugendamt answers family questions there.
        intro, kind = [t("office_no_familienbuero", town=m["name"])], "jugendamt"
    if kind not in OFFICE_TYPES:
        kind = "jobcenter"
    office_id = m[kind]
    office = offices[office_id]
    place = _place_label(m, matched)

    why = {
        "jobcenter": t("office_why_jobcenter"),
        "jugendamt": t("office_own_jugendamt" if m.get("jugendamt_area") != "kreis" else "office_kreisjugendamt", town=m["name"]),
        "agentur": t(f"office_why_agentur_{role}" if role else "office_why_agentur"),
        "familienbuero": t("office_why_familienbuero", town=m["name"]),
    }[kind]
    lines = intro + [t("office_you_live_in", place=place, office=office["name"]), why]
    duties = office.get("role") if not (kind == "agentur" and role) else None  # the Agentur's: ALG I
    if isinstance(duties, Mapping):
        lines.append(duties.get(t.language) or duties["de"])
    elif duties:
        lines.append(duties)
    if kind == "agentur" and m.get("agentur_basis"):
        lines.append(t("office_agentur_nearest"))
    if kind in ("jugendamt", "familienbuero"):
        portal = data.kita_portals.get(m.get("kita_portal") or "")
        if portal and portal.get("verified"):
            lines.append(t("office_kita_portal", town=m["name"], portal=portal["name"], url=portal["url"]))

    contact = _contact_lines(office, now, t)
    if contact:
        lines.append(t("office_verified_contact"))
        lines += [f"• {line}" for line in contact]
    has_phone = "phone" in verified_contact(office)
    if not has_phone and office_id != data.raw["switchboard"]:
        lines.append(t("office_no_verified_phone"))
        lines += _switchboard_block(data, now, t)

    sources = _sources(office, data.switchboard) + [WOHNORT_SOURCE[1]]
    lines.append("")
    lines.append(t("office_sources", sources="; ".join(dict.fromkeys(sources))))
    lines.append(t("office_as_of", date=_date_de(str(data.raw.get("as_of", "")))))

    buttons = [{"title": t("office_button_callback"), "payload": "/request_callback"}]
    if kind not in ("jugendamt", "familienbuero"):
        buttons.append({"title": t("office_button_jugendamt"), "payload": "/ask_kita_anmeldung"})
    if kind != "jobcenter":
        buttons.append({"title": t("office_button_jobcenter"), "payload": "/ask_office"})
    return OfficeReply("\n".join(lines), buttons, municipality_id, m.get("jugendamt_area"), kind if not intro else "familienbuero")


def _place_label(m: Mapping[str, Any], matched: str | None) -> str:
    """Where the user lives, as offices.yml spells it: "Alstätte (Ahaus)" for "alstatte" or the typo
    "alstäte", "Vreden (48691)" for a postal code, "Heek" for "heek" or a Ukrainian "Хеек"."""
    name = m["name"]
    if not matched:
        return name
    if matched.isdigit():
        return f"{name} ({matched})"
    written = fold(matched)
    if written in fold(name):
        return name
    limit = 1 if len(written) < 8 else 2
    distance, best = min(
        ((edit_distance(written, fold(d), limit), d) for d in [name, *(m.get("districts") or []), *(m.get("aliases") or [])]),
        default=(limit + 1, name),
    )
    return f"{best} ({name})" if distance <= limit and best != name else name


def ambiguous_reply(data: OfficeData, candidates: tuple[str, ...], t: Messages) -> OfficeReply:
    names = data.municipalities
    buttons = [
        {"title": names[c]["name"], "payload": f'/inform_place{{"municipality": "{c}"}}'}
        for c in candidates
        if c in names
    ][:6]
    return OfficeReply(t("office_which_place"), buttons)


def outside_reply(data: OfficeData, matched: str | None, t: Messages) -> OfficeReply:
    if matched and matched.isdigit():
        first = t("office_outside_postcode", place=matched)
    elif matched:
        first = t("office_outside_place", place=matched if matched != matched.lower() else matched.title())
    else:
        first = t("office_outside_unknown")
    return OfficeReply(f"{first} {t('office_outside_explain')}")


def ask_place_reply(t: Messages) -> OfficeReply:
    return OfficeReply(t("office_ask_place"))


# The follow-up aspects that ask for one field of the office ("Wann hat das offen?").
ASPECT_FIELDS = {"hours": "hours", "phone": "phone", "address": "address", "website": "web"}


def aspect_reply(
    data: OfficeData, municipality_id: str, kind: str, aspect: str, now: datetime, t: Messages, role: str | None = None
) -> OfficeReply:
    """One field of "that office" for the person's town, verified and with its date; where that field is
    not verified, say so and give the office's verified details instead."""
    full = found_reply(data, municipality_id, kind, now, t, role=role)
    field_name = ASPECT_FIELDS.get(aspect)
    if field_name is None:
        return full
    m = data.municipalities[municipality_id]
    if kind not in OFFICE_TYPES or not m.get(kind):  # no Familienbüro in this town: its Jugendamt
        kind = "jugendamt" if kind == "familienbuero" else "jobcenter"
    office = data.offices[m[kind]]
    f = verified_contact(office).get(field_name)
    if f is None:
        return replace(full, text=f"{t('office_field_unverified', field=t('field_' + field_name), office=office['name'])}\n{full.text}")
    value = format_hours(f, t) if field_name == "hours" else f["value"]
    lines = [t("office_field_verified", field=t("field_" + field_name), office=office["name"], value=value, stamp=contact_stamp(f, t))]
    status = opening_status(f, now, t) if field_name == "hours" else None
    if status:
        lines.append(status)
    return replace(full, text="\n".join(lines))


def reply_for(
    data: OfficeData,
    resolution: Resolution,
    remembered: str | None,
    text: str,
    now: datetime,
    t: Messages,
    kind: str | None = None,
    role: str | None = None,
) -> OfficeReply:
    """The office finder's reply; `kind` (the NLU entity `office_type`, or the conversation's office)
    is the office in question when the message names none; `role` as in `found_reply`, only then."""
    named = explicit_office_kind(text)
    kind, role = (named, None) if named else ((kind if kind in OFFICE_TYPES else None) or "jobcenter", role)
    if resolution.status == "found" and resolution.municipality in data.municipalities:
        return found_reply(data, resolution.municipality, kind, now, t, resolution.matched, role)
    if resolution.status == "ambiguous":
        return ambiguous_reply(data, resolution.candidates, t)
    if resolution.status == "outside":
        return outside_reply(data, resolution.matched, t)
    if remembered in data.municipalities:
        return found_reply(data, remembered, kind, now, t, role=role)
    return ask_place_reply(t)


def _date_de(iso: str) -> str:
    parts = iso.split("-")
    return f"{parts[2]}.{parts[1]}.{parts[0]}" if len(parts) == 3 else iso
