"""Redis gone in the multi-instance set-up (issue #12): two Rasa instances share one PostgreSQL
tracker database and the atomic Redis lock store (as in test_scale_out.py), behind the proxy that
sends each conversation's messages to the instances in turn. Redis is killed while conversations
are running, stays down for a while, and comes back.

What a user notices: a message that cannot get its conversation's turn lock is not processed and
is answered at once with 503 and "please send it again in a moment" in the user's language
(lotse/rasa_server/channels/rest.py); it is never processed unlocked. Nothing in the tracker store is corrupted
(every stored turn complete, no duplicated or interleaved events, refused messages not stored),
and once Redis is back the same conversations go on normally.

`make test` runs one kill-and-restart round; `make soak` runs LOTSE_FAULT_ROUNDS of them.
The test starts its own redis-server on a free port (the machine's shared Redis is not touched);
it is skipped with the reason when redis-server or PostgreSQL is not available.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional

import pytest
import requests

from lotse.runner.stack import free_port
from scripts.scale_out import Check, Cluster, Conversation, check_conversation, conversation_events
from tests.conftest import _postgres_database
from tests.integration.conftest import MODEL

GERMAN = ["Hallo", "Wie komme ich an einen Bildungsgutschein?", "Was ist der Mehrbedarf für Alleinerziehende?",
          "Lohnt sich ein Minijob?", "Wer hilft mir bei der Wohnungssuche?", "danke"]
ROUNDS = int(os.environ.get("LOTSE_FAULT_ROUNDS", "1"))  # kill-and-restart cycles (make soak: more)
TRY_AGAIN = {"de": "in einem Moment noch einmal", "en": "send it again in a moment"}


class OwnRedis:
    """A redis-server of this test only: no persistence, killed and restarted on the same port."""

    def __init__(self, binary: str, workdir: Path):
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = open(self.workdir / "redis.log", "ab")
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--dir", str(self.workdir)],
            stdout=log, stderr=subprocess.STDOUT,
        )
        import redis

        deadline = time.monotonic() + 15
        while True:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=1).ping()
                return
            except redis.RedisError as exc:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"redis-server did not start; see {self.workdir / 'redis.log'}") from exc
                time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL, as a crashed or OOM-killed Redis: no shutdown, every lock gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(15)


@dataclass
class User:
    """One conversation through the proxy; each message carries {"seq", "step"} as metadata, so
    the tracker store can be checked message by message (scripts/scale_out.py)."""

    url: str
    conversation: Conversation
    refused: set[int] = field(default_factory=set)  # seqs answered "send it again"
    unexpected: list[str] = field(default_factory=list)  # anything else that is not a normal answer

    def say(self, text: str, language: str = "de") -> int:
        conv = self.conversation
        seq = conv.sent
        conv.sent += 1
        body = {"sender": conv.sender, "message": text, "metadata": {"seq": seq, "step": seq}}
        try:
            response = requests.post(self.url, json=body, timeout=60)  # bounded: a hang fails here
        except requests.RequestException as exc:
            self.unexpected.append(f"seq {seq}: {type(exc).__name__}")
            return 0
        replies = response.json() if response.headers.get("Content-Type", "").startswith("application/json") else None
        texts = " ".join(r.get("text", "") for r in replies or [] if isinstance(r, dict))
        if response.status_code == 200 and texts:
            conv.answered.add(seq)
        elif response.status_code == 503 and TRY_AGAIN[language] in texts and response.headers.get("Retry-After"):
            self.refused.add(seq)
        else:
            self.unexpected.append(f"seq {seq}: HTTP {response.status_code} {response.text[:120]}")
        return response.status_code


@pytest.fixture(scope="module")
def cluster_with_own_redis(tmp_path_factory) -> Iterator[tuple[Cluster, OwnRedis]]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first (make test does)")
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server not installed: cannot start a Redis of this test's own to kill")
    workdir = tmp_path_factory.mktemp("redis-down")
    tag = uuid.uuid4().hex[:8]
    tracker_db, callback_db = f"lotse_it_rdown_tracker_{tag}", f"lotse_it_rdown_callbacks_{tag}"
    admin = _postgres_database(tracker_db)
    _postgres_database(callback_db)
    own = OwnRedis(binary, workdir)
    own.start()
    cluster = Cluster(
        workdir, tracker_db, f"postgresql://root@127.0.0.1:5432/{callback_db}", instances=2,
        redis_url=own.url, lock_wait_seconds=15.0,
    )
    try:
        cluster.start()
        yield cluster, own
    finally:
        cluster.stop()
        own.kill()
        with admin.connect() as conn:
            for name in (tracker_db, callback_db):
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def run_users(users: list[User], messages: int, offset: int = 0) -> None:
    """Every user sends `messages` messages one after another; the users at the same time."""
    def talk(user: User) -> None:
        for k in range(messages):
            user.say(GERMAN[(offset + k + user.conversation.index) % len(GERMAN)])

    threads = [threading.Thread(target=talk, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)


def answered(users: list[User]) -> int:
    return sum(len(u.conversation.answered) for u in users)


def refused(users: list[User]) -> int:
    return sum(len(u.refused) for u in users)


def kill_when(redis_server: OwnRedis, condition) -> None:
    deadline = time.monotonic() + 60
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.005)
    redis_server.kill()


def test_redis_gone_users_are_asked_to_send_again_nothing_is_corrupted_and_conversations_go_on(cluster_with_own_redis):
    cluster, redis_server = cluster_with_own_redis
    users = [User(cluster.url, Conversation(f"rdown-{uuid.uuid4().hex[:10]}", "knowledge", i)) for i in range(6)]

    run_users(users, 2)  # Redis up: normal answers from both instances
    assert all(len(u.conversation.answered) == 2 for u in users), [u.unexpected for u in users]

    for _ in range(ROUNDS):  # make test: 1 round; make soak: LOTSE_FAULT_ROUNDS
        # Killed while the users are writing (after a quarter of the next 24 messages were answered):
        # a turn that holds its lock finishes; later ones are refused.
        answered_before, refused_before = answered(users), refused(users)
        killer = threading.Thread(target=kill_when, args=(redis_server, lambda before=answered_before: answered(users) >= before + 6))
        killer.start()
        run_users(users, 4, offset=2)
        killer.join(60)
        assert redis_server.process.poll() is not None, "Redis was not killed during the run"
        assert answered(users) >= answered_before + 6 and refused(users) > refused_before

        # Redis down: every message gets the answer at once, in the user's language.
        for user in users[:3]:
            assert user.say("Lohnt sich ein Minijob?") == 503
        for user in users[3:]:
            assert user.say("Where do I apply for a childcare place?", language="en") == 503

        refused_while_down = refused(users)
        redis_server.start()  # back (empty: the locks of the killed Redis are gone)
        run_users(users, 2, offset=5)
        assert refused(users) == refused_while_down  # every message answered again
        for user in users:
            assert user.say("Was ist ein Bildungsgutschein?") == 200  # the same conversations go on

    assert [u.unexpected for u in users] == [[] for _ in users]  # no 500, no empty answer, no hang
    check = Check()
    import sqlalchemy as sa

    engine = sa.create_engine(cluster.rasa[0].settings.tracker_db_url)
    try:
        for user in users:
            events = conversation_events(engine, user.conversation.sender)
            check_conversation(check, user.conversation, events, strict=True)
            stored = {(e.get("metadata") or {}).get("seq") for e in events if e.get("event") == "user"}
            assert not stored & user.refused, "a message answered 'send it again' was processed after all"
    finally:
        engine.dispose()
    assert check.problems == 0, check
    sent = sum(u.conversation.sent for u in users)
    print(f"\nredis down: {ROUNDS} round(s), {len(users)} conversations, {sent} messages: {answered(users)} answered, "
          f"{refused(users)} 'send it again' (503), 0 other; tracker check: {check.messages_sent} messages, "
          f"{check.problems} problems")
