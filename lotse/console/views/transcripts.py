"""Transcript list with filters and search; one transcript with tags, notes, "reviewed", the
audit-logged reveal of masked data, proposing an intent correction, and the test-story export."""
from __future__ import annotations

import functools
from typing import Any, Callable, Mapping

from aiohttp import web

from lotse.console import audit, corrections, review
from lotse.console.filters import matches, parse_filters, time_range
from lotse.console.queue import STATUS_LABELS
from lotse.console.security import clean_note, clean_reason, clean_tag
from lotse.console.stories import story_yaml
from lotse.console.transcripts import Turn, build_turns, summarise
from lotse.console.users import User
from lotse.console.web import Console, console, forbidden, form_text, not_found, number_in_path, redirect, render, view
from lotse.widget.feedback import ratings_for

PAGE_SIZE = 50
READERS = ("reviewer", "admin")


class _Denied(Exception):
    pass


def _agent_may_open(state: Console, user: User, conversation_id: str) -> bool:
    return any(user.may_see_office(cb.office_id) for cb in review.conversation_callbacks(state.app_engine, conversation_id))


def _conversation(request: web.Request) -> str | None:
    """The conversation behind the URL's pseudonym, if it exists and this user may open it."""
    state, user = console(request), request["user"]
    conversation_id = state.reader.resolve(request.match_info["alias"])
    if conversation_id is None:
        return None
    if user.role not in READERS and not _agent_may_open(state, user, conversation_id):
        raise _Denied()
    return conversation_id


def _callback_names(state: Console, conversation_id: str) -> tuple[str, ...]:
    """First names given for callbacks in this conversation: masked wherever the transcript shows them."""
    return tuple(cb.first_name for cb in review.conversation_callbacks(state.app_engine, conversation_id) if cb.first_name)


def _may_reveal(state: Console, user: User, conversation_id: str) -> bool:
    """Admins may reveal; a callback agent only for a conversation with a callback of their offices."""
    return user.is_admin or (user.role == "callback_agent" and _agent_may_open(state, user, conversation_id))


@view(*READERS)
def transcript_list(request: web.Request, form: Mapping[str, Any]) -> web.Response:
    state = console(request)
    filters, problems = parse_filters(request.query, state.now().astimezone(state.zone).date())
    start, end = time_range(filters, state.zone)
    summaries = state.reader.summaries(start, end, review.callback_names(state.app_engine))
    notes = review.annotations(state.app_engine)
    hits = [s for s in summaries if matches(s, filters, notes)]
    pages = max(1, -(-len(hits) // PAGE_SIZE))
    page = min(filters.page, pages)
    rows = [
        {
            "alias": state.reader.pseudonym(s.conversation_id), "summary": s,
            "tags": sorted(notes.tags.get(s.conversation_id, set())),
            "reviewed": s.conversation_id in notes.reviewed, "down": s.conversation_id in notes.thumbs_down,
            "callback": s.conversation_id in notes.with_callback or s.callback_requested, "human": s.human_requested,
        }
        for s in hits[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    ]
    return render(
        request, "transcripts.html", filters=filters, problems=problems, rows=rows, total=len(hits), page=page, pages=pages,
        channels=sorted({s.channel for s in summaries} | ({filters.channel} if filters.channel else set())),
        languages=sorted({s.language for s in summaries} | {"de"}), intents=state.intents + ["nlu_fallback"],
        tags=review.all_tags(state.app_engine),
    )


def _transcript_page(request: web.Request, conversation_id: str, reveal: bool = False, error: str = "", status: int = 200) -> web.Response:
    state, user = console(request), request["user"]
    alias = state.reader.pseudonym(conversation_id)
    events = state.reader.events(conversation_id)
    callbacks = review.conversation_callbacks(state.app_engine, conversation_id)
    names = tuple(cb.first_name for cb in callbacks if cb.first_name)
    summary = summarise(conversation_id, events, state.reader.threshold, names)
    turns = build_turns(events, state.reader.threshold, names, ratings_for(state.app_engine, conversation_id), reveal=reveal)
    return render(
        request, "transcript.html", status=status, alias=alias, summary=summary, turns=turns, reveal=reveal, error=error,
        tags=review.tags_of(state.app_engine, conversation_id), notes=review.notes_of(state.app_engine, conversation_id),
        reviewed=review.review_of(state.app_engine, conversation_id),
        callbacks=[cb for cb in callbacks if user.role == "reviewer" or user.may_see_office(cb.office_id)],
        show_callback_details=user.role != "reviewer",
        corrections=corrections.for_conversation(state.app_engine, conversation_id),
        may_reveal=_may_reveal(state, user, conversation_id), may_review=user.role in READERS, status_labels=STATUS_LABELS,
    )


def opened(func: Callable[[web.Request, Mapping[str, Any], str], web.Response]) -> Callable[[web.Request, Mapping[str, Any]], web.Response]:
    """A view of the conversation in the URL: 403 when this user may not open it, 404 when there is none."""

    @functools.wraps(func)
    def wrapped(request: web.Request, form: Mapping[str, Any]) -> web.Response:
        try:
            conversation_id = _conversation(request)
        except _Denied:
            return forbidden(request)
        if conversation_id is None:
            return not_found(request)
        return func(request, form, conversation_id)

    return wrapped


@view(*READERS, "callback_agent")
@opened
def transcript(request: web.Request, form: Mapping[str, Any], conversation_id: str) -> web.Response:
    state = console(request)
    audit.record(state.app_engine, request["user"].username, "transcript_view", state.reader.pseudonym(conversation_id), now=state.now())
    return _transcript_page(request, conversation_id)


@view(*READERS, "callback_agent")
@opened
def reveal(request: web.Request, form: Mapping[str, Any], conversation_id: str) -> web.Response:
    state, user = console(request), request["user"]
    if not _may_reveal(state, user, conversation_id):
        return forbidden(request)
    reason = clean_reason(form_text(form, "reason", 1000))
    if reason is None:
        return _transcript_page(request, conversation_id, error="Bitte geben Sie einen Grund an (mindestens 5 Zeichen).", status=400)
    audit.record(state.app_engine, user.username, "reveal", state.reader.pseudonym(conversation_id), reason, now=state.now())
    return _transcript_page(request, conversation_id, reveal=True)


def _annotate(request: web.Request) -> tuple[Console, str]:
    state = console(request)
    conversation_id = state.reader.resolve(request.match_info["alias"])
    if conversation_id is None:
        raise web.HTTPNotFound()
    return state, conversation_id


def _add_annotation(request: web.Request, text: str | None, error: str, save: Callable[..., None], message: str) -> web.Response:
    """Saves a cleaned tag or note (None: it was not acceptable, the page says why) and goes back to the transcript."""
    state, conversation_id = _annotate(request)
    if text is None:
        return _transcript_page(request, conversation_id, error=error, status=400)
    save(state.app_engine, conversation_id, text, request["user"].username, state.now())
    raise redirect(f"/transcripts/{request.match_info['alias']}", message)


@view(*READERS)
def add_tag(request: web.Request, form: Mapping[str, Any]) -> web.Response:
    return _add_annotation(request, clean_tag(form_text(form, "tag", 100)),
                           "Schlagwörter: 1–40 Zeichen, Buchstaben, Ziffern, Leer- und Bindestrich.", review.add_tag, "tag_added")


@view(*READERS)
def remove_tag(request: web.Request, form: Mapping[str, Any]) -> web.Response:
    state, conversation_id = _annotate(request)
    review.remove_tag(state.app_engine, conversation_id, form_text(form, "tag", 100))
    raise redirect(f"/transcripts/{request.match_info['alias']}", "tag_removed")


@view(*READERS)
def add_note(request: web.Request, form: Mapping[str, Any]) -> web.Response:
    return _add_annotation(request, clean_note(form_text(form, "note", 5000)),
                           "Die Notiz ist leer oder länger als 2000 Zeichen.", review.add_note, "note_added")


@view(*READERS)
def mark_reviewed(request: web.Request, form: Mapping[str, Any]) -> web.Response:
    state, conversation_id = _annotate(request)
    done = form_text(form, "reviewed") == "1"
    review.set_reviewed(state.app_engine, conversation_id, done, request["user"].username, state.now())
    raise redirect(f"/transcripts/{request.match_info['alias']}", "reviewed" if done else "unreviewed")


@view(*READERS)
def story(request: web.Request, form: Mapping[str, Any]) -> web.Response:
    state, conversation_id = _annotate(request)
    alias = request.match_info["alias"]
    names = _callback_names(state, conversation_id)
    approved = {event_id: c.corrected_intent for event_id, c in corrections.for_conversation(state.app_engine, conversation_id).items()
                if c.state == "approved"}
    text = story_yaml(f"Gespräch {alias} (Konsole)", state.reader.events(conversation_id), approved, names)
    audit.record(state.app_engine, request["user"].username, "export_story", alias, now=state.now())
    return web.Response(text=text, content_type="application/x-yaml", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="story-{alias}.yml"'})


def _user_turn(state: Console, conversation_id: str, request: web.Request) -> Turn | None:
    """The user message in the URL, as the transcript shows it, or None."""
    event_id = number_in_path(request, "event_id")
    for event in state.reader.events(conversation_id):
        if event.id == event_id and event.type_name == "user":
            return build_turns([event], state.reader.threshold, _callback_names(state, conversation_id))[0]
    return None


@view(*READERS)
def correction_form(request: web.Request, form: Mapping[str, Any]) -> web.Response:
    state, conversation_id = _annotate(request)
    turn = _user_turn(state, conversation_id, request)
    if turn is None:
        return not_found(request)
    existing = corrections.for_conversation(state.app_engine, conversation_id).get(turn.event_id)
    return render(request, "correct.html", alias=request.match_info["alias"], turn=turn, intents=state.intents,
                  existing=existing, error="")


@view(*READERS)
def propose(request: web.Request, form: Mapping[str, Any]) -> web.Response:
    state, conversation_id = _annotate(request)
    turn = _user_turn(state, conversation_id, request)
    if turn is None:
        return not_found(request)
    try:
        corrections.propose(state.app_engine, conversation_id, turn.event_id, turn.text, turn.intent, form_text(form, "intent", 255),
                            set(state.intents), request["user"].username, _callback_names(state, conversation_id), state.now())
    except corrections.CorrectionError as exc:
        return render(request, "correct.html", status=400, alias=request.match_info["alias"], turn=turn,
                      intents=state.intents, existing=None, error=str(exc))
    raise redirect(f"/transcripts/{request.match_info['alias']}", "proposed")


def register(router: web.UrlDispatcher) -> None:
    router.add_get("/transcripts", transcript_list)
    router.add_get("/transcripts/{alias}", transcript)
    router.add_post("/transcripts/{alias}/reveal", reveal)
    router.add_post("/transcripts/{alias}/tags", add_tag)
    router.add_post("/transcripts/{alias}/tags/remove", remove_tag)
    router.add_post("/transcripts/{alias}/notes", add_note)
    router.add_post("/transcripts/{alias}/reviewed", mark_reviewed)
    router.add_get("/transcripts/{alias}/story.yml", story)
    router.add_get("/transcripts/{alias}/correct/{event_id}", correction_form)
    router.add_post("/transcripts/{alias}/correct/{event_id}", propose)
