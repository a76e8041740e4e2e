"""Compose the office finder's answers from the reference data. Pure functions, no Rasa."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

from lotse.offices import OfficeData, format_hours, opening_status, verified_contact
from lotse.places import Resolution

WOHNORT_SOURCE = (
    "Jobcenter im Kreis Borken: Zuständigkeit nach Wohnort",
    "https://jobcenter-heiden.de/de/service/themen/soziales/soziales/dienstleistungen-aufgaben/jobcenter/jobcenter/online-services/online-antrag-sgb-ii/",
)
_JUGENDAMT_WORDS = re.compile(r"jugendamt|kita|kindergarten|krippe|tagesmutter|tagespflege|unterhaltsvorschuss|elternbeitrag", re.I)
_AGENTUR_WORDS = re.compile(r"agentur|arbeitsamt|alg ?(1|i)\b|arbeitslosengeld ?(1|i)\b", re.I)
_FIELD_LABELS = {"address": "Adresse", "phone": "Telefon", "email": "E-Mail", "web": "Internet", "hours": "Öffnungszeiten"}


@dataclass
class OfficeReply:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    municipality: str | None = None
    jugendamt_area: str | None = None


def office_kind_for(text: str) -> str:
    if _JUGENDAMT_WORDS.search(text or ""):
        return "jugendamt"
    if _AGENTUR_WORDS.search(text or ""):
        return "agentur"
    return "jobcenter"


def _contact_lines(office: Mapping[str, Any], now: datetime) -> list[str]:
    lines = []
    for name, f in verified_contact(office).items():
        value = format_hours(f) if name == "hours" else f["value"]
        lines.append(f"{_FIELD_LABELS[name]}: {value}")
        if name == "hours":
            status = opening_status(f, now)
            if status:
                lines.append(status)
    return lines


def _sources(*offices: Mapping[str, Any]) -> list[str]:
    urls: list[str] = []
    for office in offices:
        for f in verified_contact(office).values():
            if f.get("source") and f["source"] not in urls:
                urls.append(f["source"])
    return urls


def _switchboard_block(data: OfficeData, now: datetime) -> list[str]:
    board = data.switchboard
    lines = [f"Die Zentrale der {board['name']} verbindet Sie weiter:"]
    lines += [f"• {line}" for line in _contact_lines(board, now) if not line.startswith("Internet")]
    return lines


def found_reply(data: OfficeData, municipality_id: str, kind: str, now: datetime, matched: str | None = None) -> OfficeReply:
    m = data.municipalities[municipality_id]
    offices = data.offices
    office_id = m[kind] if kind in ("jobcenter", "jugendamt", "agentur") else m["jobcenter"]
    office = offices[office_id]
    place = m["name"]
    if matched and matched.lower() not in m["name"].lower() and not matched.isdigit():
        place = f"{matched.title()} ({m['name']})"
    elif matched and matched.isdigit():
        place = f"{m['name']} ({matched})"

    why = {
        "jobcenter": "Im Kreis Borken richtet sich die Zuständigkeit nach Ihrem Wohnort: Ihre erste Anlaufstelle ist immer das Jobcenter Ihrer Stadt oder Gemeinde.",
        "jugendamt": (
            f"{m['name']} hat ein eigenes Jugendamt." if m.get("jugendamt_area") != "kreis"
            else f"{m['name']} hat kein eigenes Jugendamt; zuständig ist das Kreisjugendamt."
        ),
        "agentur": "Für Arbeitslosengeld I (ALG I) ist die Agentur für Arbeit zuständig, nicht das Jobcenter. Der Kreis Borken gehört zur Agentur für Arbeit Coesfeld.",
    }[kind]
    lines = [f"Sie wohnen in {place}: Zuständig ist {office['name']}.", why]
    if office.get("role"):
        lines.append(office["role"])
    if kind == "agentur" and m.get("agentur_basis"):
        lines.append("Hinweis: Das ist die nächstgelegene Geschäftsstelle; fragen Sie bei der Agentur nach, welche für Sie zuständig ist.")
    if kind == "jugendamt":
        portal = data.kita_portals.get(m.get("kita_portal") or "")
        if portal and portal.get("verified"):
            lines.append(f"Kita-Anmeldung für {m['name']}: {portal['name']} – {portal['url']}")

    contact = _contact_lines(office, now)
    if contact:
        lines.append("Geprüfte Kontaktdaten:")
        lines += [f"• {line}" for line in contact]
    has_phone = "phone" in verified_contact(office)
    if not has_phone and office_id != data.raw["switchboard"]:
        lines.append("Eine geprüfte Telefonnummer dieser Stelle haben wir noch nicht.")
        lines += _switchboard_block(data, now)

    sources = _sources(office, data.switchboard) + [WOHNORT_SOURCE[1]]
    lines.append("")
    lines.append("Quellen: " + "; ".join(dict.fromkeys(sources)))
    lines.append(f"Stand der Angaben: {_date_de(str(data.raw.get('as_of', '')))}")

    buttons = [{"title": "Rückruf vereinbaren", "payload": "/request_callback"}]
    if kind != "jugendamt":
        buttons.append({"title": "Jugendamt und Kita", "payload": "/ask_kita_anmeldung"})
    if kind != "jobcenter":
        buttons.append({"title": "Mein Jobcenter", "payload": "/ask_office"})
    return OfficeReply("\n".join(lines), buttons, municipality_id, m.get("jugendamt_area"))


def ambiguous_reply(data: OfficeData, candidates: tuple[str, ...]) -> OfficeReply:
    names = data.municipalities
    buttons = [
        {"title": names[c]["name"], "payload": f'/inform_place{{"municipality": "{c}"}}'}
        for c in candidates
        if c in names
    ][:6]
    return OfficeReply("Welchen Ort meinen Sie? Bitte wählen Sie:", buttons)


def outside_reply(data: OfficeData, matched: str | None) -> OfficeReply:
    place = matched.title() if matched and not matched.isdigit() else (f"Die Postleitzahl {matched}" if matched else "Dieser Ort")
    verb = "gehört" if matched and matched.isdigit() else "liegt"
    text = (
        f"{place} {verb} nicht zum Kreis Borken. Ich kann nur für die 17 Städte und Gemeinden im Kreis Borken sagen, welches Amt zuständig ist.\n"
        "Allgemein gilt: Zuständig ist das Jobcenter an Ihrem Wohnort. Ihre Stadt- oder Gemeindeverwaltung sagt Ihnen, welches das ist.\n"
        "Wenn Sie doch im Kreis Borken wohnen, schreiben Sie mir bitte Ihre Stadt oder Gemeinde."
    )
    return OfficeReply(text)


def ask_place_reply() -> OfficeReply:
    return OfficeReply(
        "In welcher Stadt oder Gemeinde wohnen Sie? Sie können auch Ihren Ortsteil oder die Postleitzahl schreiben, zum Beispiel „Gemen“ oder „46325“."
    )


def reply_for(data: OfficeData, resolution: Resolution, remembered: str | None, text: str, now: datetime) -> OfficeReply:
    kind = office_kind_for(text)
    if resolution.status == "found" and resolution.municipality in data.municipalities:
        return found_reply(data, resolution.municipality, kind, now, resolution.matched)
    if resolution.status == "ambiguous":
        return ambiguous_reply(data, resolution.candidates)
    if resolution.status == "outside":
        return outside_reply(data, resolution.matched)
    if remembered in data.municipalities:
        return found_reply(data, remembered, kind, now)
    return ask_place_reply()


def _date_de(iso: str) -> str:
    parts = iso.split("-")
    return f"{parts[2]}.{parts[1]}.{parts[0]}" if len(parts) == 3 else iso
