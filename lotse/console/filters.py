"""The transcript list's filters: parsed from the query string and applied to summaries. Pure functions."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Mapping
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from lotse.console.review import Annotations
from lotse.console.transcripts import Summary

DEFAULT_DAYS = 7
MAX_DAYS = 400
MAX_QUERY_CHARS = 100


@dataclass(frozen=True)
class Filters:
    date_from: date
    date_to: date
    channel: str = ""
    language: str = ""
    intent: str = ""
    fallback: bool = False
    handoff: bool = False  # callback or human requested
    thumbs_down: bool = False
    tag: str = ""
    reviewed: str = ""  # "", "yes", "no"
    q: str = ""
    page: int = 1

    def query_string(self, **changes: object) -> str:
        """The filters as a query string, e.g. for the pager links."""
        current = replace(self, **changes) if changes else self
        values = {
            "from": current.date_from.isoformat(), "to": current.date_to.isoformat(), "channel": current.channel,
            "language": current.language, "intent": current.intent, "fallback": "1" if current.fallback else "",
            "handoff": "1" if current.handoff else "", "down": "1" if current.thumbs_down else "", "tag": current.tag,
            "reviewed": current.reviewed, "q": current.q, "page": str(current.page) if current.page > 1 else "",
        }
        return urlencode({k: v for k, v in values.items() if v})


def _date(raw: str | None, default: date) -> date:
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return default


def parse_filters(query: Mapping[str, str], today: date) -> tuple[Filters, list[str]]:
    """Filters from the query string, with the problems found (shown to the user, never fatal)."""
    problems: list[str] = []
    date_to = _date(query.get("to"), today)
    date_from = _date(query.get("from"), date_to - timedelta(days=DEFAULT_DAYS - 1))
    if date_from > date_to:
        problems.append("Das Startdatum lag nach dem Enddatum; die Daten wurden getauscht.")
        date_from, date_to = date_to, date_from
    if (date_to - date_from).days > MAX_DAYS:
        problems.append(f"Der Zeitraum ist auf {MAX_DAYS} Tage begrenzt.")
        date_from = date_to - timedelta(days=MAX_DAYS)
    reviewed = query.get("reviewed", "")
    try:
        page = max(1, int(query.get("page", "1")))
    except ValueError:
        page = 1
    filters = Filters(
        date_from=date_from, date_to=date_to,
        channel=query.get("channel", "").strip()[:40], language=query.get("language", "").strip()[:8],
        intent=query.get("intent", "").strip()[:100],
        fallback=query.get("fallback") == "1", handoff=query.get("handoff") == "1", thumbs_down=query.get("down") == "1",
        tag=query.get("tag", "").strip().lower()[:40], reviewed=reviewed if reviewed in ("yes", "no") else "",
        q=" ".join(query.get("q", "").split())[:MAX_QUERY_CHARS], page=page,
    )
    return filters, problems


def time_range(filters: Filters, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of the chosen days in the office's time zone."""
    start = datetime.combine(filters.date_from, time.min, tzinfo=zone)
    end = datetime.combine(filters.date_to + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def matches(summary: Summary, filters: Filters, notes: Annotations) -> bool:
    cid = summary.conversation_id
    checks = (
        not filters.channel or summary.channel == filters.channel,
        not filters.language or summary.language == filters.language,
        not filters.intent or filters.intent in summary.intents,
        not filters.fallback or summary.fallback,
        not filters.handoff or summary.callback_requested or summary.human_requested or cid in notes.with_callback,
        not filters.thumbs_down or cid in notes.thumbs_down,
        not filters.tag or filters.tag in notes.tags.get(cid, set()),
        filters.reviewed != "yes" or cid in notes.reviewed,
        filters.reviewed != "no" or cid not in notes.reviewed,
        not filters.q or all(word in summary.user_text for word in filters.q.lower().split()),
    )
    return all(checks)
