"""Corrections of misunderstood user messages (four-eyes): a reviewer proposes the right intent,
an administrator other than the proposer approves or rejects it, approved corrections export as
Rasa NLU training data. The message is stored with personal data already replaced by neutral
stand-ins (lotse.console.masking.scrub_for_training), so neither the table nor the export holds any."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from lotse.console.masking import scrub_for_training
from lotse.database.console_schema import nlu_corrections

EXPORT_HEADER = (
    "# NLU-Korrekturen aus der Lotse-Konsole (freigegeben im Vier-Augen-Prinzip).\n"
    "# Personenbezogene Daten sind durch neutrale Platzhalter ersetzt. Vor dem Übernehmen nach data/nlu/de/ prüfen.\n"
)


class CorrectionError(ValueError):
    """German, safe to show."""


@dataclass(frozen=True)
class Correction:
    id: int
    conversation_id: str
    event_id: int
    text: str
    predicted_intent: str | None
    corrected_intent: str
    state: str
    proposed_by: str
    created_at: datetime
    decided_by: str | None


def _row(r: sa.engine.Row) -> Correction:
    created = r.created_at if r.created_at.tzinfo else r.created_at.replace(tzinfo=timezone.utc)
    return Correction(r.id, r.conversation_id, r.event_id, r.text, r.predicted_intent, r.corrected_intent, r.state,
                      r.proposed_by, created, r.decided_by)


def propose(
    engine: Engine, conversation_id: str, event_id: int, text: str, predicted: str | None, corrected: str,
    known_intents: set[str], username: str, names: tuple[str, ...] = (), now: datetime | None = None,
) -> Correction:
    if corrected not in known_intents:
        raise CorrectionError("Bitte wählen Sie ein Intent aus der Liste.")
    if corrected == predicted:
        raise CorrectionError("Das ist bereits das erkannte Intent.")
    scrubbed = scrub_for_training(text, names)
    if not scrubbed:
        raise CorrectionError("Leere Nachrichten können nicht korrigiert werden.")
    now = now or datetime.now(timezone.utc)
    values = dict(text=scrubbed, predicted_intent=predicted, corrected_intent=corrected, state="proposed",
                  proposed_by=username, created_at=now, decided_by=None, decided_at=None)
    key = (nlu_corrections.c.conversation_id == conversation_id) & (nlu_corrections.c.event_id == event_id)
    try:
        with engine.begin() as conn:
            if not conn.execute(sa.update(nlu_corrections).where(key).values(**values)).rowcount:
                conn.execute(sa.insert(nlu_corrections).values(conversation_id=conversation_id, event_id=event_id, **values))
    except IntegrityError as exc:  # proposed twice at the same moment
        raise CorrectionError("Diese Nachricht wurde gerade schon korrigiert.") from exc
    with engine.connect() as conn:
        return _row(conn.execute(sa.select(nlu_corrections).where(key)).one())


def decide(engine: Engine, correction_id: int, approve: bool, username: str, now: datetime | None = None) -> Correction:
    with engine.begin() as conn:
        row = conn.execute(sa.select(nlu_corrections).where(nlu_corrections.c.id == correction_id)).first()
        if row is None or row.state != "proposed":
            raise CorrectionError("Diese Korrektur ist nicht mehr offen.")
        if row.proposed_by == username:
            raise CorrectionError("Vier-Augen-Prinzip: Eine eigene Korrektur kann nicht selbst freigegeben werden.")
        conn.execute(
            sa.update(nlu_corrections).where(nlu_corrections.c.id == correction_id).values(
                state="approved" if approve else "rejected", decided_by=username, decided_at=now or datetime.now(timezone.utc)
            )
        )
        return _row(conn.execute(sa.select(nlu_corrections).where(nlu_corrections.c.id == correction_id)).one())


def listing(engine: Engine, state: str | None = None) -> list[Correction]:
    query = sa.select(nlu_corrections).order_by(nlu_corrections.c.created_at.desc())
    if state:
        query = query.where(nlu_corrections.c.state == state)
    with engine.connect() as conn:
        return [_row(r) for r in conn.execute(query)]


def for_conversation(engine: Engine, conversation_id: str) -> dict[int, Correction]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(nlu_corrections).where(nlu_corrections.c.conversation_id == conversation_id))
        return {r.event_id: _row(r) for r in rows}


class _Literal(str):
    pass


def _literal(dumper: yaml.SafeDumper, value: _Literal) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")


def nlu_yaml(corrections: list[Correction]) -> str:
    """Approved corrections as Rasa 3 NLU data (one block per intent, sorted, duplicates removed)."""
    examples: dict[str, list[str]] = defaultdict(list)
    for correction in corrections:
        text = scrub_for_training(correction.text)
        if correction.state == "approved" and text and text not in examples[correction.corrected_intent]:
            examples[correction.corrected_intent].append(text)
    dumper = type("NluDumper", (yaml.SafeDumper,), {})
    dumper.add_representer(_Literal, _literal)
    data = {
        "version": "3.1",
        "nlu": [
            {"intent": intent, "examples": _Literal("".join(f"- {text}\n" for text in sorted(texts)))}
            for intent, texts in sorted(examples.items())
        ],
    }
    return EXPORT_HEADER + yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False, width=1000)
