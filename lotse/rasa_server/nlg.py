"""Response selection for several languages (registered as `nlg` in endpoints.yml).

Every response has one variation per language (condition `language`), and knowledge answers also
have variations per child age or town (conditions `language` + `child_age_group`, ...). Rasa picks
randomly among all matching variations; Lotse takes the most specific one, so an English user
with a one-year-old gets the English one-year-old text, never the English general text by chance.

Texts are live: when staff save a changed answer or fixed text in the content directory, the
running Rasa server answers with it within a few seconds, without training or a restart
(`LiveResponses`). Changed content is served only when it passes every content check
(`make check-content`: sources, review dates, verified contact data, language parity); until it
does, the previous texts stay. New answers (new intents or rules) still need `make train`.

Dated facts (content/facts.yml) are filled in with their values on the day of the answer: the
texts are rendered again when the day changes (checked with the content, at most once a second),
from the last content that passed the checks, so on 1 January the bot gives the new amounts without
a release. The day is today in LOTSE_TIMEZONE, or LOTSE_ANSWER_DATE for previews.

Subclasses Rasa's TemplatedNaturalLanguageGenerator (listed in lotse/core/override_registry.py).
"""
from __future__ import annotations

import logging
import time
from datetime import date
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Text, Tuple

from rasa.core.nlg.generator import ResponseVariationFilter
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from lotse.core.settings import load_settings
from lotse.core.yamlfiles import load_yaml
from lotse.knowledge.child_age import extract_child_age
from lotse.knowledge.content import Content, content_problems, load_content, most_specific, render_responses
from lotse.knowledge.conversation import ANSWER_PREFIX, DETAILS_PREFIX, NOTED, Answers, answers_index
from lotse.knowledge.facts import answer_day
from lotse.knowledge.offices import load_office_data
from lotse.knowledge.personal import STORY_WORDS, memory_prefix, noted_details, other_needs
from lotse.knowledge.situation_text import check_offer, load_situation_texts
from lotse.knowledge.terms import explain_old_terms
from lotse.language.messages import messages_for

log = logging.getLogger(__name__)
CHECK_EVERY_SECONDS = 1.0
Responses = Dict[Text, List[Dict[Text, Any]]]


def content_stamp(content_dir: Path) -> Tuple[Tuple[str, int, int], ...]:
    """Changes whenever a content file is saved, added or removed."""
    stamps = []
    for path in sorted(Path(content_dir).rglob("*.yml")):
        try:
            stat = path.stat()
        except FileNotFoundError:  # removed while we looked
            continue
        stamps.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(stamps)


class LiveResponses:
    """The model's responses, with the texts as they are now in the content directory."""

    def __init__(
        self,
        built: Responses,
        content_dir: Path,
        public_url: str,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], date] = answer_day,
    ) -> None:
        self.built = built
        self.content_dir = Path(content_dir)
        self.public_url = public_url
        self.clock = clock
        self.today = today
        self.responses = built
        self._stamp: Tuple[Tuple[str, int, int], ...] = ()
        self._checked_at = float("-inf")
        self._content: Optional[Content] = None  # the last content that passed the checks
        self.index: Optional[Answers] = None  # of that content: which intent has which answer
        self._day: Optional[date] = None

    def use_model(self, built: Responses) -> None:
        """The responses of a newly loaded model, with the texts from the content directory."""
        self.built = self.responses = built
        self._stamp, self._checked_at, self._content = (), float("-inf"), None
        self.current()

    def current(self) -> Responses:
        now = self.clock()
        if now - self._checked_at < CHECK_EVERY_SECONDS:
            return self.responses
        self._checked_at = now
        day = self.today()
        stamp = content_stamp(self.content_dir)
        if stamp != self._stamp:
            self._stamp = stamp
            self._reload(day)
        elif day != self._day and self._content is not None:
            self._render(self._content, day)
        return self.responses

    def _reload(self, day: date) -> None:
        try:
            problems = content_problems(self.content_dir, day)
            content = None if problems else load_content(self.content_dir)
        except Exception as error:  # a half-saved or broken file: keep serving what we have
            log.warning("content could not be read (%s); answers stay as they were", type(error).__name__)
            return
        if content is None:
            log.warning("content changed but has %d problem(s) (make check-content); answers stay as they were", len(problems))
            if day != self._day and self._content is not None:
                self._render(self._content, day)
            return
        self._content = content
        self.index = Answers.from_content(content.answers)
        self._render(content, day)
        log.info("content texts loaded from %s", self.content_dir)

    def _render(self, content: Content, day: date) -> None:
        """The responses of `content` as given on `day` (dated facts filled in)."""
        self._day = day  # tried once a day: a failure is logged once, not every second
        try:
            fresh = render_responses(content, self.public_url, day)
        except Exception as error:  # e.g. a fact without a value that day: keep serving what we have
            log.error("answers could not be rendered for %s (%s); answers stay as they were", day, error)
            return
        # Only responses the model knows: a new answer needs its intent and rule (make train).
        self.responses = {name: fresh.get(name, variations) for name, variations in self.built.items()}


def _said_last_turn(response: Dict[Text, Any], tracker: DialogueStateTracker) -> bool:
    """Whether a bot message of the previous turn was this response's text (a line put before it,
    such as "Für Gescher:", included)."""
    text = response.get("text") or ""
    users = 0
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            users += 1
            if users == 2:
                return False
        elif users == 1 and isinstance(event, BotUttered) and text and (event.text or "").endswith(text):
            return True
    return False


class LotseNaturalLanguageGenerator(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None) -> None:
        settings = load_settings()
        self.live = LiveResponses({}, settings.content_dir, settings.public_url)
        super().__init__((domain or Domain.empty()).responses)

    # Rasa assigns `responses` when it loads a model (rasa/core/agent.py); reads get the live texts.
    @property  # type: ignore[override]
    def responses(self) -> Responses:
        return self.live.current()

    @responses.setter
    def responses(self, built: Responses) -> None:
        self.live.use_model(built)

    async def generate(
        self, utter_action: Text, tracker: DialogueStateTracker, output_channel: Text, **kwargs: Any
    ) -> Optional[Dict[Text, Any]]:
        response = await super().generate(utter_action, tracker, output_channel, **kwargs)
        if response is not None and utter_action.startswith(ANSWER_PREFIX) and _said_last_turn(response, tracker):
            # A follow-up that leads back to the answer just given ("Wie viel ist das?" after the
            # Mehrbedarf core): its details, not the same core again (issue #22).
            details = DETAILS_PREFIX + utter_action[len(ANSWER_PREFIX):]
            response = (await super().generate(details, tracker, output_channel, **kwargs)) or response
        response = self._explained(response, tracker)  # old words, once per conversation (lotse/knowledge/terms.py)
        if response is not None and utter_action == NOTED:
            return self._noted(response, tracker)
        if response is None or not utter_action.startswith(ANSWER_PREFIX):
            return response
        return self._personal(response, utter_action, tracker)

    def _explained(self, response: Optional[Dict[Text, Any]], tracker: DialogueStateTracker) -> Optional[Dict[Text, Any]]:
        """The response with the explanation of an old word of the user's message before it ("Hartz IV heißt heute …")."""
        said = [e.text or "" for e in tracker.events if isinstance(e, BotUttered)]
        text = (tracker.latest_message.text or "") if tracker.latest_message else ""
        return explain_old_terms(response, text, said, tracker.get_slot("language"), self.live.content_dir)

    def _town(self, slots: Dict[Text, Any]) -> Optional[str]:
        return load_office_data(self.live.content_dir).municipalities.get(slots.get("municipality") or "", {}).get("name")

    def _noted(self, response: Dict[Text, Any], tracker: DialogueStateTracker) -> Dict[Text, Any]:
        """ "Das merke ich mir" says what: the town and the children's ages kept for this conversation."""
        slots = tracker.current_slot_values()
        t = messages_for(slots.get("language"), self.live.content_dir)
        line = noted_details(self._town(slots), [float(a) for a in slots.get("child_ages") or []], t)
        if line:
            response["text"] = f"{line}\n{response.get('text') or ''}"
        return response

    def _personal(self, response: Dict[Text, Any], utter_action: Text, tracker: DialogueStateTracker) -> Dict[Text, Any]:
        """A knowledge answer as this person gets it: what it was chosen by, said back ("Für Gescher:"),
        and the other needs of a long message as buttons (lotse.knowledge.personal)."""
        content_dir = self.live.content_dir
        slots = tracker.current_slot_values()
        t = messages_for(slots.get("language"), content_dir)
        latest = tracker.latest_message
        text = (latest.text or "") if latest else ""
        conditions = [c.get("name") for c in response.get("condition") or [] if c.get("name") != "language"]
        if conditions:
            town = self._town(slots)
            ages = slots.get("child_ages") or []
            age = float(ages[-1]) if ages else extract_child_age(text)
            prefix = memory_prefix(conditions, town, age, t)
            if prefix:
                response["text"] = f"{prefix}\n{response.get('text') or ''}"
        answers = (self.live.index or answers_index(content_dir)).by_intent
        intent = latest.intent.get("name") if latest and latest.intent else None
        if latest and answers.get(intent or "") == utter_action[len(ANSWER_PREFIX):]:
            labels = (load_yaml(content_dir / "labels.yml") or {}).get("labels") or {}
            extra = other_needs(text, latest.parse_data.get("intent_ranking") or [], intent, answers, labels, t)
            offer = check_offer(text, intent, load_situation_texts(content_dir), t.language, STORY_WORDS)
            if offer and all(b.get("payload") != offer["payload"] for b in extra):
                extra.append(offer)  # several money questions in one story: the situation check
            if extra:
                response["buttons"] = [*(response.get("buttons") or []), *extra]
        return response

    def _random_response_for(
        self, utter_action: Text, output_channel: Text, filled_slots: Dict[Text, Any]
    ) -> Optional[Dict[Text, Any]]:
        responses = self.responses
        if utter_action not in responses:
            return None
        suitable = ResponseVariationFilter(responses).responses_for_utter_action(
            utter_action, output_channel, filled_slots
        )
        return most_specific(suitable)
