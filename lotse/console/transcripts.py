"""Conversations read from Rasa's SQL tracker store (table `events`), never through Rasa's HTTP API.

`summarise` and `build_turns` are pure functions over event rows; `TranscriptReader` does the
database work. A summary is cached per conversation together with the newest event id it was
built from, so the list only re-reads conversations that changed (an erased one disappears).
"""
from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Engine

from lotse.console.masking import Segment, mask, mask_slot_value, masked_text, pseudonym
from lotse.widget.feedback import message_id

EVENTS = "events"
FALLBACK_INTENT = "nlu_fallback"
CALLBACK_INTENTS = frozenset({"request_callback", "change_callback", "cancel_callback"})
HUMAN_INTENTS = frozenset({"request_human"})
CALLBACK_LOOPS = frozenset({"callback_form", "callback_change_form", "callback_cancel_form"})
HIDDEN_ACTIONS = frozenset({"action_listen", "action_session_start"})
DEFAULT_THRESHOLD = 0.3
SUMMARY_CACHE_SIZE = 20000

_events_meta = sa.MetaData()
events_table = sa.Table(
    EVENTS,
    _events_meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255)),
    sa.Column("type_name", sa.String(255)),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)


@dataclass(frozen=True)
class EventRow:
    id: int
    type_name: str
    timestamp: float
    data: Mapping[str, Any]


@dataclass(frozen=True)
class Summary:
    conversation_id: str
    started: datetime
    ended: datetime
    channel: str
    language: str
    intents: tuple[str, ...]
    user_turns: int
    fallback: bool
    callback_requested: bool
    human_requested: bool
    user_text: str  # the user's messages, masked and lower-cased, for search
    newest_event_id: int


@dataclass(frozen=True)
class Turn:
    kind: str  # user, bot, action, slot, loop, session
    event_id: int
    at: datetime
    text: str = ""
    segments: tuple[Segment, ...] = ()
    intent: str | None = None
    confidence: float | None = None
    fallback: bool = False
    alternative: str | None = None  # best other intent when the NLU fell back
    entities: tuple[str, ...] = ()
    name: str | None = None  # action, slot or form name
    value: str | None = None  # slot value as shown (masked unless revealed)
    message_id: str | None = None
    rating: str | None = None
    buttons: tuple[str, ...] = ()


@dataclass
class Transcript:
    conversation_id: str
    pseudonym: str
    summary: Summary
    turns: list[Turn] = field(default_factory=list)


def fallback_threshold(config_path: Path) -> float:
    """The FallbackClassifier threshold from config.yml (what Rasa itself treats as low confidence)."""
    try:
        config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    except OSError:
        return DEFAULT_THRESHOLD
    for component in config.get("pipeline") or []:
        if isinstance(component, dict) and component.get("name") == "FallbackClassifier":
            return float(component.get("threshold", DEFAULT_THRESHOLD))
    return DEFAULT_THRESHOLD


def _at(timestamp: float | None) -> datetime:
    return datetime.fromtimestamp(timestamp or 0.0, tz=timezone.utc)


def parse_rows(rows: Iterable[Any]) -> list[EventRow]:
    parsed = []
    for row in rows:
        try:
            data = json.loads(row.data or "{}")
        except (TypeError, ValueError):
            data = {}
        parsed.append(EventRow(row.id, row.type_name, row.timestamp or 0.0, data if isinstance(data, dict) else {}))
    return parsed


def _intent(data: Mapping[str, Any]) -> tuple[str | None, float | None]:
    intent = (data.get("parse_data") or {}).get("intent") or {}
    confidence = intent.get("confidence")
    return intent.get("name"), float(confidence) if isinstance(confidence, (int, float)) else None


def is_fallback(intent: str | None, confidence: float | None, threshold: float) -> bool:
    return intent == FALLBACK_INTENT or (confidence is not None and confidence < threshold)


def summarise(conversation_id: str, events: Sequence[EventRow], threshold: float, names: Iterable[str] = ()) -> Summary:
    names = tuple(names)
    channel, language = "", "de"
    intents: list[str] = []
    texts: list[str] = []
    fallback = callback = human = False
    for event in events:
        data = event.data
        if event.type_name == "user":
            intent, confidence = _intent(data)
            channel = channel or (data.get("input_channel") or "")
            if intent:
                intents.append(intent)
            fallback = fallback or is_fallback(intent, confidence, threshold)
            callback = callback or intent in CALLBACK_INTENTS
            human = human or intent in HUMAN_INTENTS
            texts.append(masked_text(str(data.get("text") or ""), names).lower())
        elif event.type_name == "slot" and data.get("name") == "language" and data.get("value"):
            language = str(data["value"])
        elif event.type_name == "active_loop" and data.get("name") in CALLBACK_LOOPS:
            callback = True
        elif event.type_name == "action" and data.get("name") == "action_default_fallback":
            fallback = True
    return Summary(
        conversation_id=conversation_id,
        started=_at(events[0].timestamp) if events else _at(0),
        ended=_at(events[-1].timestamp) if events else _at(0),
        channel=channel or "unbekannt",
        language=language,
        intents=tuple(dict.fromkeys(intents)),
        user_turns=len(texts),
        fallback=fallback,
        callback_requested=callback,
        human_requested=human,
        user_text="\n".join(texts),
        newest_event_id=events[-1].id if events else 0,
    )


def _alternative(data: Mapping[str, Any]) -> str | None:
    for candidate in (data.get("parse_data") or {}).get("intent_ranking") or []:
        name = candidate.get("name")
        if name and name != FALLBACK_INTENT:
            confidence = candidate.get("confidence")
            return f"{name} ({confidence:.2f})" if isinstance(confidence, (int, float)) else name
    return None


def _segments(text: str, names: tuple[str, ...], reveal: bool) -> tuple[Segment, ...]:
    return (Segment(text),) if reveal else tuple(mask(text, names))


def build_turns(
    events: Sequence[EventRow], threshold: float, names: Iterable[str] = (), ratings: Mapping[str, str] | None = None,
    reveal: bool = False,
) -> list[Turn]:
    """The transcript as turns; personal data masked unless `reveal`."""
    names = tuple(names)
    ratings = ratings or {}
    turns: list[Turn] = []
    for event in events:
        data, at = event.data, _at(event.timestamp)
        if event.type_name == "user":
            text = str(data.get("text") or "")
            intent, confidence = _intent(data)
            entities = tuple(
                f"{e.get('entity')}={mask_slot_value(str(e.get('entity')), e.get('value'), names) if not reveal else e.get('value')}"
                for e in (data.get("parse_data") or {}).get("entities") or []
                if isinstance(e, dict)
            )
            fallback = is_fallback(intent, confidence, threshold)
            turns.append(Turn(
                "user", event.id, at, text, _segments(text, names, reveal), intent, confidence, fallback,
                _alternative(data) if fallback else None, entities,
            ))
        elif event.type_name == "bot":
            text = str(data.get("text") or "")
            mid = message_id(text) if text else None
            buttons = tuple(
                str(b.get("title") or "") for b in ((data.get("data") or {}).get("buttons") or []) if isinstance(b, dict)
            )
            turns.append(Turn("bot", event.id, at, text, _segments(text, names, reveal), message_id=mid,
                              rating=ratings.get(mid) if mid else None, buttons=buttons))
        elif event.type_name == "action" and data.get("name") not in HIDDEN_ACTIONS:
            confidence = data.get("confidence")
            turns.append(Turn("action", event.id, at, name=str(data.get("name")),
                              confidence=float(confidence) if isinstance(confidence, (int, float)) else None))
        elif event.type_name == "slot":
            name = str(data.get("name"))
            value = data.get("value")
            shown = ("–" if value is None else str(value)) if reveal else mask_slot_value(name, value, names)
            turns.append(Turn("slot", event.id, at, name=name, value=shown))
        elif event.type_name == "active_loop":
            turns.append(Turn("loop", event.id, at, name=str(data.get("name") or "")))
        elif event.type_name == "session_started":
            turns.append(Turn("session", event.id, at))
    return turns


class TranscriptReader:
    """Reads conversations from the tracker database; one per console process."""

    def __init__(self, engine: Engine, secret: bytes, threshold: float):
        self.engine = engine
        self.secret = secret
        self.threshold = threshold
        self._summaries: "OrderedDict[str, Summary]" = OrderedDict()
        self._pseudonyms: dict[str, str] = {}

    def available(self) -> bool:
        return sa.inspect(self.engine).has_table(EVENTS)

    def pseudonym(self, conversation_id: str) -> str:
        alias = pseudonym(self.secret, conversation_id)
        self._pseudonyms[alias] = conversation_id
        return alias

    def resolve(self, alias: str) -> str | None:
        """The conversation id behind a pseudonym, if that conversation still exists."""
        if not self.available():
            return None
        known = self._pseudonyms.get(alias)
        with self.engine.connect() as conn:
            if known is not None:
                exists = conn.execute(sa.select(events_table.c.id).where(events_table.c.sender_id == known).limit(1)).first()
                return known if exists else None
            for (sender_id,) in conn.execute(sa.select(events_table.c.sender_id).distinct()):
                if self.pseudonym(sender_id) == alias:
                    return sender_id
        return None

    def events(self, conversation_id: str) -> list[EventRow]:
        if not self.available():
            return []
        query = sa.select(events_table).where(events_table.c.sender_id == conversation_id).order_by(events_table.c.id)
        with self.engine.connect() as conn:
            return parse_rows(conn.execute(query))

    def summaries(self, start: datetime, end: datetime, names: Mapping[str, Sequence[str]] | None = None) -> list[Summary]:
        """Conversations with activity in [start, end), newest first."""
        if not self.available():
            return []
        names = names or {}
        heads = (
            sa.select(events_table.c.sender_id, sa.func.max(events_table.c.id).label("newest"))
            .where(events_table.c.timestamp >= start.timestamp(), events_table.c.timestamp < end.timestamp())
            .group_by(events_table.c.sender_id)
        )
        with self.engine.connect() as conn:
            newest = {row.sender_id: row.newest for row in conn.execute(heads)}
        stale = [cid for cid, top in newest.items() if cid not in self._summaries or self._summaries[cid].newest_event_id < top]
        self._load(stale, names)
        result = [self._summaries[cid] for cid in newest if cid in self._summaries]
        for summary in result:
            self._summaries.move_to_end(summary.conversation_id)
        while len(self._summaries) > SUMMARY_CACHE_SIZE:
            self._summaries.popitem(last=False)
        return sorted(result, key=lambda s: s.ended, reverse=True)

    def _load(self, conversation_ids: list[str], names: Mapping[str, Sequence[str]]) -> None:
        for i in range(0, len(conversation_ids), 200):
            chunk = conversation_ids[i : i + 200]
            query = sa.select(events_table).where(events_table.c.sender_id.in_(chunk)).order_by(events_table.c.id)
            grouped: dict[str, list[Any]] = {cid: [] for cid in chunk}
            with self.engine.connect() as conn:
                for row in conn.execute(query):
                    grouped[row.sender_id].append(row)
            for cid, rows in grouped.items():
                if rows:
                    self._summaries[cid] = summarise(cid, parse_rows(rows), self.threshold, names.get(cid, ()))
                    self.pseudonym(cid)

    def forget(self, conversation_id: str) -> None:
        self._summaries.pop(conversation_id, None)
