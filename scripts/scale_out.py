"""Several Rasa instances and action servers on one PostgreSQL tracker database and one Redis lock
store, behind a proxy that sends each conversation's messages to the instances in turn; then every
conversation's events are checked in the database.

    python scripts/scale_out.py                         # 200 conversations, atomic lock store (make scale)
    python scripts/scale_out.py --lock-store stock      # the same with Rasa's own RedisLockStore
    python scripts/scale_out.py --conversations 1000 --instances 2 --json report.json

The proxy is deliberately not sticky: the n-th message of a conversation goes to instance n mod k,
so consecutive messages and the messages of a burst (sent at the same moment) are processed by
different instances, the worst case for the lock store. Production routing is sticky
(deploy/nginx/lotse.conf); stickiness saves cache misses, the lock store makes it correct.
tests/integration/test_scale_out.py runs this with 200 conversations and kills an instance.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import signal
import sys
import tempfile
import threading
import time
import uuid
import zlib
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable, Optional
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lotse.core.endpoints import render_endpoints  # noqa: E402
from lotse.core.settings import load_settings  # noqa: E402
from lotse.runner.stack import Stack, free_port, rss_mb  # noqa: E402

POSTGRES_ADMIN_URL = "postgresql://root@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/1"
MODEL = ROOT / "models" / "lotse.tar.gz"

KNOWLEDGE = [
    "Kann ich eine Umschulung in Teilzeit machen?",
    "Wie komme ich an einen Bildungsgutschein?",
    "Zahlt das Jobcenter die Kita während der Umschulung?",
    "Was ist der Mehrbedarf für Alleinerziehende?",
    "Der Vater zahlt keinen Unterhalt, was kann ich tun?",
    "Wer hilft mir bei der Wohnungssuche?",
    "Wie viele Kinderkrankentage habe ich allein?",
    "Lohnt sich ein Minijob?",
]
OFFICE = ["ich wohn in gemen, wo muss ich hin?", "Welches Jobcenter ist für Stadtlohn zuständig?", "48599"]
TOWNS = ["Ahaus", "Bocholt", "Borken", "Gescher", "Gronau", "Heek", "Heiden", "Isselburg", "Legden", "Raesfeld",
         "Reken", "Rhede", "Schöppingen", "Stadtlohn", "Südlohn", "Velen", "Vreden"]
MAX_CALLBACK_MESSAGES = 30
START_BOOKING = "Ich hätte gern einen Rückruf"


# --- databases ---------------------------------------------------------------------------------

def create_database(admin_url: str, name: str) -> str:
    import sqlalchemy as sa

    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + "/" + name


def drop_database(admin_url: str, name: str) -> None:
    import sqlalchemy as sa

    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


# --- the proxy ---------------------------------------------------------------------------------

class AlternatingProxy:
    """HTTP proxy in its own thread. With `by_conversation`, the n-th request of a conversation
    (REST body "sender") goes to upstream n mod k; otherwise requests go round-robin. An upstream
    that refuses a connection is taken out (the request never reached it, so it is retried on the
    next one, as nginx does with `proxy_next_upstream error`); a request that fails after it was
    sent is answered with 502, never retried (it may have been processed)."""

    def __init__(self, upstreams: list[str], by_conversation: bool):
        self.upstreams = upstreams
        self.by_conversation = by_conversation
        self.sticky = False  # True: a conversation stays on one upstream, as with nginx in production
        self.down: set[int] = set()
        self.served: Counter[int] = Counter()
        self.in_flight: Counter[int] = Counter()
        self._counts: Counter[str] = Counter()
        self._round_robin = itertools.count()
        self.port = free_port()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._runner: Optional[web.AppRunner] = None
        self._session: Optional[aiohttp.ClientSession] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "AlternatingProxy":
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("proxy did not start")
        return self

    def stop(self) -> None:
        async def _shutdown() -> None:
            if self._session:
                await self._session.close()
            if self._runner:
                await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(_shutdown(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(30)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._serve())
        self._ready.set()
        self._loop.run_forever()

    async def _serve(self) -> None:
        # A new connection per request: a reused keep-alive connection that the upstream closes at
        # the same moment fails mid-request, and a sent request must not be retried.
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=170), connector=aiohttp.TCPConnector(limit=0, force_close=True)
        )
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    def _first_choice(self, body: bytes) -> int:
        if self.by_conversation:
            try:
                sender = str(json.loads(body).get("sender"))
            except (ValueError, AttributeError):
                sender = ""
            if self.sticky:
                return zlib.crc32(sender.encode()) % len(self.upstreams)
            n = self._counts[sender]
            self._counts[sender] += 1
            return n % len(self.upstreams)
        return next(self._round_robin) % len(self.upstreams)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        first = self._first_choice(body)
        order = [(first + k) % len(self.upstreams) for k in range(len(self.upstreams))]
        headers = {"Content-Type": request.headers.get("Content-Type", "application/json")}
        for i in order:
            if i in self.down:
                continue
            self.in_flight[i] += 1
            try:
                async with self._session.request(
                    request.method, self.upstreams[i] + request.path_qs, data=body, headers=headers
                ) as response:
                    payload = await response.read()
                    self.served[i] += 1
                    passed_on = {"Content-Type": response.headers.get("Content-Type", "application/json")}
                    if "Retry-After" in response.headers:  # lotse/rasa_server/channels/rest.py's 503 "send it again"
                        passed_on["Retry-After"] = response.headers["Retry-After"]
                    return web.Response(status=response.status, body=payload, headers=passed_on)
            except aiohttp.ClientConnectorError:
                self.down.add(i)
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                return web.Response(status=502, text=f"upstream failed during the request: {type(exc).__name__} {exc}"[:200])
            finally:
                self.in_flight[i] -= 1
        return web.Response(status=502, text="no upstream")


# --- the cluster -------------------------------------------------------------------------------

class StockLockStack(Stack):
    """A Rasa instance with Rasa's own RedisLockStore (for the comparison in docs/deploy.md)."""

    redis_url: str = REDIS_URL

    def endpoints_text(self) -> str:
        parts = urlsplit(self.redis_url)
        return render_endpoints(self.settings) + (
            "\nlock_store:\n  type: redis\n"
            f"  url: {parts.hostname}\n  port: {parts.port or 6379}\n  db: {parts.path.lstrip('/') or 0}\n"
            "  key_prefix: lotsestock\n"
        )


@dataclass
class Cluster:
    workdir: Path
    tracker_db: str
    callback_db_url: str
    lock_store: str = "atomic"  # atomic | stock
    instances: int = 2
    lock_lifetime_seconds: float = 3.0  # how long a killed instance's locks block its conversations
    lock_wait_seconds: float = 120.0  # the run overloads the machine on purpose (production: 30 s)
    model: Path = MODEL
    redis_url: str = REDIS_URL
    rasa: list[Stack] = field(default_factory=list)
    actions: list[Stack] = field(default_factory=list)
    rasa_proxy: Optional[AlternatingProxy] = None
    actions_proxy: Optional[AlternatingProxy] = None

    def _env(self, name: str) -> dict[str, str]:
        return {
            "LOTSE_DATA_DIR": str(self.workdir / name),
            "LOTSE_TRACKER_DIALECT": "postgresql",
            "LOTSE_TRACKER_HOST": "127.0.0.1:5432",
            "LOTSE_TRACKER_DB": self.tracker_db,
            "LOTSE_TRACKER_USER": "root",
            "LOTSE_CALLBACK_DB_URL": self.callback_db_url,
            "LOTSE_LOCK_STORE": "redis" if self.lock_store == "atomic" else "in_memory",
            "LOTSE_REDIS_URL": self.redis_url,
            "LOTSE_LOCK_LIFETIME_SECONDS": str(self.lock_lifetime_seconds),
            "LOTSE_LOCK_WAIT_SECONDS": str(self.lock_wait_seconds),
            "LOTSE_INSTANCES": str(self.instances),
            "LOTSE_DB_CONNECTIONS": str(12 * self.instances),  # 2+1 per process: a shared PostgreSQL
            "LOTSE_WEB_PORT": str(free_port()),
        }

    def start(self, timeout: float = 300) -> None:
        action_ports = [free_port() for _ in range(self.instances)]
        rasa_ports = [free_port() for _ in range(self.instances)]
        self.actions_proxy = AlternatingProxy([f"http://127.0.0.1:{p}" for p in action_ports], by_conversation=False).start()
        self.rasa_proxy = AlternatingProxy([f"http://127.0.0.1:{p}" for p in rasa_ports], by_conversation=True).start()
        for i, port in enumerate(action_ports):
            env = {**self._env(f"actions-{i + 1}"), "LOTSE_ACTIONS_PORT": str(port), "LOTSE_RASA_PORT": str(free_port())}
            stack = Stack(load_settings(env), self.model, self.workdir / f"actions-{i + 1}" / "logs")
            stack.start(only=("actions",))
            self.actions.append(stack)
        stack_class = Stack if self.lock_store == "atomic" else StockLockStack
        for i, port in enumerate(rasa_ports):
            env = {**self._env(f"rasa-{i + 1}"), "LOTSE_RASA_PORT": str(port), "LOTSE_ACTIONS_PORT": str(self.actions_proxy.port)}
            stack = stack_class(load_settings(env), self.model, self.workdir / f"rasa-{i + 1}" / "logs")
            stack.start(only=("rasa",))
            self.rasa.append(stack)
        for stack in self.actions + self.rasa:
            stack.wait_ready(timeout)

    @property
    def url(self) -> str:
        return f"{self.rasa_proxy.url}/webhooks/rest/webhook"

    def kill_rasa(self, index: int) -> None:
        """SIGKILL, as a crash or an OOM kill would: no graceful shutdown, locks left to expire."""
        proc = self.rasa[index].processes["rasa"]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)

    def memory_mb(self) -> dict[str, float]:
        result = {}
        for i, stack in enumerate(self.rasa):
            if stack.processes["rasa"].poll() is None:
                result[f"rasa-{i + 1}"] = rss_mb(stack.processes["rasa"].pid)
        for i, stack in enumerate(self.actions):
            result[f"actions-{i + 1}"] = rss_mb(stack.processes["actions"].pid)
        return result

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time (user + system) each running Rasa and action server process has used so far."""
        ticks = os.sysconf("SC_CLK_TCK")
        result = {}
        for kind, stacks in (("rasa", self.rasa), ("actions", self.actions)):
            for i, stack in enumerate(stacks):
                proc = stack.processes[kind]
                if proc.poll() is None:
                    fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
                    result[f"{kind}-{i + 1}"] = (int(fields[11]) + int(fields[12])) / ticks
        return result

    def stop(self) -> None:
        for stack in self.rasa + self.actions:
            stack.stop()
        for proxy in (self.rasa_proxy, self.actions_proxy):
            if proxy:
                proxy.stop()


# --- conversations -----------------------------------------------------------------------------

@dataclass
class Conversation:
    sender: str
    kind: str  # knowledge | callback
    index: int
    sent: int = 0
    errors: int = 0
    retries: int = 0
    reference: Optional[str] = None
    answered: set[int] = field(default_factory=set)  # seqs the client got an answer for
    booking_requests: int = 0  # how often the user (re)started the callback form
    transcript: list[str] = field(default_factory=list)  # the last few exchanges, for the report
    latencies_ms: list[float] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)


def reply_text(replies: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in replies)


def next_callback_message(replies: list[dict], town: str, phone: str) -> Optional[str]:
    """What a user answers to the callback form's last question; None once a code was given."""
    text = reply_text(replies)
    payloads = [b.get("payload", "") for m in replies for b in m.get("buttons") or []]
    windows = [p for p in payloads if p.startswith("/inform")]
    if "Rückruf-Code:" in text:
        return None
    if "Stimmt das?" in text:
        return "/affirm"
    if windows:
        return windows[0]
    if "ansprechen" in text:
        return "/deny"
    if "Sind Sie einverstanden" in text:
        return "/affirm"
    if "Unter welcher Telefonnummer" in text:
        return phone
    if "In welcher Stadt" in text:
        return town
    if "Worum soll es gehen" in text:
        return "Kita-Platz"
    return START_BOOKING  # an answer that fits no step (e.g. the previous answer was lost): start again


class Driver:
    """Sends the conversations' messages; each message carries {"seq", "step"} as REST metadata,
    which Rasa stores with the user event, so the database can be checked message by message."""

    def __init__(self, url: str, retry: bool):
        self.url = url
        self.retry = retry

    async def say(self, session: aiohttp.ClientSession, conv: Conversation, text: str, seq: int, step: int) -> list[dict]:
        for attempt in range(2 if self.retry else 1):
            metadata = {"seq": seq, "step": step, "retry": attempt}
            started = time.perf_counter()
            try:
                async with session.post(self.url, json={"sender": conv.sender, "message": text, "metadata": metadata}) as r:
                    body = await r.json(content_type=None) if r.status == 200 else None
                    problem = None if r.status == 200 and body else (
                        f"HTTP {r.status} {(await r.text())[:120]}" if r.status != 200 else "no answer (Rasa failed to process it)")
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
                body, problem = None, type(exc).__name__
            conv.latencies_ms.append((time.perf_counter() - started) * 1000)
            if problem is None:
                conv.answered.add(seq)
                return body
            conv.errors += 1
            if len(conv.error_samples) < 3:
                conv.error_samples.append(f"seq {seq}: {problem}")
            if attempt == 0 and self.retry:
                conv.retries += 1
                await asyncio.sleep(0.5)  # a user who sees an error and sends the message again
        return []

    async def burst(self, session: aiohttp.ClientSession, conv: Conversation, texts: list[str], step: int) -> list[list[dict]]:
        seqs = range(conv.sent, conv.sent + len(texts))
        conv.sent += len(texts)
        return await asyncio.gather(*(self.say(session, conv, t, s, step) for t, s in zip(texts, seqs, strict=True)))

    async def knowledge(self, session: aiohttp.ClientSession, conv: Conversation) -> None:
        i = conv.index
        steps = [
            ["Hallo"],
            [KNOWLEDGE[i % len(KNOWLEDGE)], KNOWLEDGE[(i + 3) % len(KNOWLEDGE)], KNOWLEDGE[(i + 5) % len(KNOWLEDGE)]],
            [OFFICE[i % len(OFFICE)]],
            ["danke", KNOWLEDGE[(i + 1) % len(KNOWLEDGE)]],
        ]
        for step, texts in enumerate(steps):
            await self.burst(session, conv, texts, step)

    async def bursts(self, session: aiohttp.ClientSession, conv: Conversation) -> None:
        """Only bursts: four messages at once, five times (the lock store's hardest case)."""
        i = conv.index
        for step in range(5):
            texts = [KNOWLEDGE[(i + step * 4 + k) % len(KNOWLEDGE)] for k in range(4)]
            await self.burst(session, conv, texts, step)

    async def callback(self, session: aiohttp.ClientSession, conv: Conversation) -> None:
        town, phone = TOWNS[conv.index % len(TOWNS)], f"0171 {2000000 + conv.index:07d}"
        message: Optional[str] = START_BOOKING
        for step in range(MAX_CALLBACK_MESSAGES):
            if message is None:
                return
            conv.booking_requests += message == START_BOOKING
            replies = (await self.burst(session, conv, [message], step))[0]
            text = reply_text(replies)
            conv.transcript = (conv.transcript + [f"> {message}", f"< {text[:100]}"])[-8:]
            if "Rückruf-Code: " in text:
                conv.reference = text.split("Rückruf-Code: ")[1].split()[0]
            message = next_callback_message(replies, town, phone)

    async def run(self, conversations: list[Conversation], meanwhile: Optional[Callable[[], Awaitable[Any]]] = None) -> float:
        """All conversations at once; `meanwhile` (e.g. killing an instance) runs alongside."""
        started = time.perf_counter()
        timeout = aiohttp.ClientTimeout(total=180)
        async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as session:
            side = asyncio.ensure_future(meanwhile()) if meanwhile else None
            await asyncio.gather(*(getattr(self, c.kind)(session, c) for c in conversations))
            if side:
                await side
        return time.perf_counter() - started


def make_conversations(count: int, prefix: str, callback_every: int = 4, kind: str = "knowledge") -> list[Conversation]:
    """`kind` conversations, every `callback_every`-th one books a callback instead."""
    return [
        Conversation(f"{prefix}-{uuid.uuid4().hex[:10]}", "callback" if i % callback_every == callback_every - 1 else kind, i)
        for i in range(count)
    ]


# --- checks ------------------------------------------------------------------------------------

@dataclass
class Check:
    conversations: int = 0
    messages_sent: int = 0
    lost: int = 0  # a message the client got an answer to that is not in the database
    duplicated_messages: int = 0  # one message stored twice
    duplicated_events: int = 0  # identical event rows
    out_of_order: int = 0  # a message stored before one that was sent earlier (bursts excepted)
    interleaved_turns: int = 0  # a message processed while the previous turn was still running
    unanswered_turns: int = 0  # a stored message without a bot answer before the next one
    unfinished: int = 0  # the conversation does not end listening
    samples: list[str] = field(default_factory=list)

    @property
    def problems(self) -> int:
        return (self.lost + self.duplicated_messages + self.duplicated_events + self.out_of_order
                + self.interleaved_turns + self.unanswered_turns + self.unfinished)

    def note(self, sender: str, what: str) -> None:
        if len(self.samples) < 10:
            self.samples.append(f"{sender}: {what}")


def conversation_events(engine: Any, sender: str) -> list[dict]:
    import sqlalchemy as sa

    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender})
        return [json.loads(r.data) for r in rows]


def check_conversation(check: Check, conv: Conversation, events: list[dict], strict: bool) -> None:
    check.conversations += 1
    check.messages_sent += conv.sent
    raw = Counter(json.dumps(e, sort_keys=True) for e in events)
    for row, n in raw.items():
        if n > 1:
            check.duplicated_events += n - 1
            check.note(conv.sender, f"event stored {n} times: {row[:160]}")
    users = [(i, (e.get("metadata") or {})) for i, e in enumerate(events) if e.get("event") == "user"]
    seqs = Counter(m.get("seq") for _, m in users)
    missing = sorted(s for s in conv.answered if seqs[s] == 0)
    check.lost += len(missing)
    if missing:
        check.note(conv.sender, f"answered messages {missing} not stored")
    doubled = sum(n - 1 for n in seqs.values() if n > 1)
    if strict or not conv.retries:
        check.duplicated_messages += doubled
    steps = [m.get("step", -1) for _, m in users]
    disorder = sum(1 for a, b in itertools.pairwise(steps) if b < a)
    check.out_of_order += disorder
    if disorder:
        check.note(conv.sender, f"steps stored in the order {steps}")
    for (i, _), (j, _) in itertools.pairwise(users):
        between = events[i + 1:j]
        actions = [e.get("name") for e in between if e.get("event") == "action"]
        if not actions or actions[-1] != "action_listen":
            check.interleaved_turns += 1
            check.note(conv.sender, f"turn at event {j} began before the turn at event {i} ended")
        elif not any(e.get("event") == "bot" for e in between):
            check.unanswered_turns += 1
    last_actions = [e.get("name") for e in events if e.get("event") == "action"]
    if not last_actions or last_actions[-1] != "action_listen":
        check.unfinished += 1


def check_all(tracker_url: str, conversations: list[Conversation], strict: bool) -> Check:
    import sqlalchemy as sa

    engine = sa.create_engine(tracker_url)
    check = Check()
    try:
        for conv in conversations:
            check_conversation(check, conv, conversation_events(engine, conv.sender), strict)
    finally:
        engine.dispose()
    return check


def stored_callbacks(callback_db_url: str, senders: list[str]) -> dict[str, list[str]]:
    import sqlalchemy as sa

    from lotse.database.schema import callbacks

    engine = sa.create_engine(callback_db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.select(callbacks.c.conversation_id, callbacks.c.reference).where(callbacks.c.conversation_id.in_(senders)))
            result: dict[str, list[str]] = {}
            for row in rows:
                result.setdefault(row.conversation_id, []).append(row.reference)
            return result
    finally:
        engine.dispose()


# --- report ------------------------------------------------------------------------------------

class ConnectionSampler:
    """Highest number of PostgreSQL connections to the given databases while it runs."""

    def __init__(self, databases: list[str], admin_url: str = POSTGRES_ADMIN_URL):
        import sqlalchemy as sa

        self._engine = sa.create_engine(admin_url, poolclass=sa.pool.NullPool)
        self._databases = databases
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.maximum = 0

    def _run(self) -> None:
        import sqlalchemy as sa

        query = sa.text("SELECT count(*) FROM pg_stat_activity WHERE datname = ANY(:names)")
        with self._engine.connect() as conn:
            while not self._stop.wait(0.25):
                self.maximum = max(self.maximum, conn.execute(query, {"names": list(self._databases)}).scalar())

    def __enter__(self) -> "ConnectionSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join(10)
        self._engine.dispose()

@dataclass
class Report:
    lock_store: str
    instances: int
    conversations: int
    messages: int
    seconds: float
    messages_per_second: float
    errors: int
    p50_ms: float
    p95_ms: float
    check: dict
    served_by_instance: dict
    memory_mb: dict
    callbacks_confirmed: int = 0
    callbacks_lost: int = 0
    conversations_with_two_callbacks: int = 0
    callbacks_beyond_requests: int = 0  # stored callbacks the user did not ask for (booked twice)
    killed_with_requests_in_flight: int = 0
    postgres_connections_max: int = 0
    error_samples: list = field(default_factory=list)
    unconfirmed_samples: list = field(default_factory=list)  # callback conversations without a code


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))]


def callback_losses(callback_db_url: str, conversations: list[Conversation]) -> tuple[int, int, int, int]:
    """(confirmed, lost, conversations with more than one callback, callbacks beyond the requests)."""
    confirmed = [c for c in conversations if c.reference]
    stored = stored_callbacks(callback_db_url, [c.sender for c in conversations])
    lost = sum(1 for c in confirmed if c.reference not in stored.get(c.sender, []))
    doubled = sum(1 for refs in stored.values() if len(refs) > 1)
    beyond = sum(max(0, len(stored.get(c.sender, [])) - c.booking_requests) for c in conversations)
    return len(confirmed), lost, doubled, beyond


def run_phase(cluster: Cluster, conversations: list[Conversation], strict: bool,
              meanwhile: Optional[Callable[[], Awaitable[Any]]] = None) -> Report:
    """Drive the conversations and check them. `strict`: no retries, so every message must be
    stored exactly once; otherwise a failed message is sent once more, as a user would."""
    before = Counter(cluster.rasa_proxy.served)
    with ConnectionSampler([cluster.tracker_db, cluster.callback_db_url.rsplit("/", 1)[1]]) as connections:
        seconds = asyncio.run(Driver(cluster.url, retry=not strict).run(conversations, meanwhile))
    served = {f"rasa-{i + 1}": n - before[i] for i, n in sorted(cluster.rasa_proxy.served.items())}
    tracker_url = f"postgresql://root@127.0.0.1:5432/{cluster.tracker_db}"
    check = check_all(tracker_url, conversations, strict)
    confirmed, lost, doubled, beyond = callback_losses(cluster.callback_db_url, conversations)
    latencies = [ms for c in conversations for ms in c.latencies_ms]
    messages = sum(c.sent for c in conversations)
    return Report(
        lock_store=cluster.lock_store, instances=cluster.instances, conversations=len(conversations), messages=messages,
        seconds=round(seconds, 1), messages_per_second=round(messages / seconds, 1),
        errors=sum(c.errors for c in conversations), p50_ms=round(percentile(latencies, 50), 1),
        p95_ms=round(percentile(latencies, 95), 1), check={**asdict(check), "problems": check.problems},
        served_by_instance=served, memory_mb={k: round(v) for k, v in cluster.memory_mb().items()},
        callbacks_confirmed=confirmed, callbacks_lost=lost, conversations_with_two_callbacks=doubled,
        callbacks_beyond_requests=beyond, postgres_connections_max=connections.maximum,
        error_samples=[e for c in conversations for e in c.error_samples][:5],
        unconfirmed_samples=[c.transcript for c in conversations if c.kind == "callback" and not c.reference][:3],
    )


def throughput(cluster: Cluster) -> dict:
    """`make bench`'s concurrent measurements (scripts/bench.py) through the proxy, routing each
    conversation to one instance as nginx does in production: 20 users without pause
    (saturation), then 20 users paced to 62 messages/s in total."""
    from scripts import bench

    url = cluster.url
    cluster.rasa_proxy.sticky = True
    try:
        before = cluster.cpu_seconds()
        saturated, saturated_rate = bench.run_concurrent(url, 20, 3)
        used = {k: v - before.get(k, 0.0) for k, v in cluster.cpu_seconds().items()}
        paced, paced_rate = bench.run_concurrent(url, 20, 6, rate=62.0)
    finally:
        cluster.rasa_proxy.sticky = False
    messages = len(saturated.latencies_ms)
    per_message = {kind: round(1000 * sum(v for k, v in used.items() if k.startswith(kind)) / messages, 1) for kind in ("rasa", "actions")}
    return {
        "cpu_ms_per_message": per_message,
        "saturated_messages_per_second": round(saturated_rate, 1),
        "saturated_p95_ms": round(bench.percentile(saturated.latencies_ms, 95)),
        "paced_62_per_second_throughput": round(paced_rate, 1),
        "paced_p50_ms": round(bench.percentile(paced.latencies_ms, 50)),
        "paced_p95_ms": round(bench.percentile(paced.latencies_ms, 95)),
        "errors": saturated.errors + paced.errors,
        "memory_mb": {k: round(v) for k, v in cluster.memory_mb().items()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--lock-store", choices=["atomic", "stock"], default="atomic")
    parser.add_argument("--kill", action="store_true", help="then a second run in which one instance is killed")
    parser.add_argument("--bursts", type=int, default=0, help="then a run of this many conversations made only of bursts")
    parser.add_argument("--throughput", action="store_true", help="also measure messages/s as `make bench` does")
    parser.add_argument("--admin-url", default=POSTGRES_ADMIN_URL)
    parser.add_argument("--json", help="write the report(s) here")
    args = parser.parse_args()
    tag = uuid.uuid4().hex[:8]
    names = (f"lotse_scale_tracker_{tag}", f"lotse_scale_callbacks_{tag}")
    create_database(args.admin_url, names[0])
    callback_url = create_database(args.admin_url, names[1])
    reports, measured = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        cluster = Cluster(Path(tmp), names[0], callback_url, lock_store=args.lock_store, instances=args.instances)
        try:
            cluster.start()
            reports.append(run_phase(cluster, make_conversations(args.conversations, "scale"), strict=True))
            if args.bursts:
                convs = make_conversations(args.bursts, "bursts", callback_every=10**9, kind="bursts")
                reports.append(run_phase(cluster, convs, strict=True))
            if args.throughput:
                measured = throughput(cluster)
            if args.kill:
                reports.append(kill_phase(cluster, max(8, args.conversations // 5)))
        finally:
            cluster.stop()
            for name in names:
                drop_database(args.admin_url, name)
    machine = {"cores": os.cpu_count(), "load_average_1m": round(os.getloadavg()[0], 1)}
    text = json.dumps({"runs": [asdict(r) for r in reports], "throughput": measured, "machine": machine}, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        Path(args.json).write_text(text, encoding="utf-8")
    strict = reports[:2] if args.bursts else reports[:1]
    return 0 if all(r.errors == 0 and r.check["problems"] == 0 for r in strict) else 1


def kill_phase(cluster: Cluster, conversations: int, victim: int = 1) -> Report:
    """Callback conversations only. Once a quarter of them have their reference code, instance
    `victim` is killed (SIGKILL) at a moment when it is processing at least one request."""
    convs = make_conversations(conversations, "kill", callback_every=1)
    in_flight_at_kill = 0

    async def kill_when_busy() -> None:
        nonlocal in_flight_at_kill
        while sum(1 for c in convs if c.reference) < max(1, conversations // 4):
            await asyncio.sleep(0.02)
        while cluster.rasa_proxy.in_flight[victim] == 0:
            await asyncio.sleep(0.001)
        in_flight_at_kill = cluster.rasa_proxy.in_flight[victim]
        cluster.kill_rasa(victim)

    report = run_phase(cluster, convs, strict=False, meanwhile=kill_when_busy)
    report.killed_with_requests_in_flight = in_flight_at_kill
    return report


if __name__ == "__main__":
    sys.exit(main())
