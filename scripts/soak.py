"""Soak test: many simulated users for minutes against the real stack, then count the bookings.

    python scripts/soak.py --users 50 --seconds 300 --write docs/soak.md    # make soak
    python scripts/soak.py --users 3 --seconds 15                          # a quick run

Starts Lotse (action server, Rasa with the SQLite tracker store, worker, web page) on free ports
of 127.0.0.1 with `LOTSE_CALLBACK_WEBHOOK_URL` pointing at a fake staff webhook in this process.
The receiver checks every `X-Lotse-Signature` and counts deliveries per event id, so a repeated
delivery shows up as a duplicate. Each simulated user runs conversations one after another, with a
think time between messages, until the time is up: knowledge questions in German, English and
Ukrainian, office look-ups and complete callback bookings (a window that fills up meanwhile is
answered by choosing another offered window, as a person would). At the end the outbox is drained
and three numbers must agree: codes shown to users, rows in the callbacks table, and distinct
`callback.created` deliveries (with no duplicate and no bad signature). Every request's latency and
HTTP status is recorded; any non-200 answer, timeout or unreadable body is a failed request.
Exit status 0 only when nothing failed and the three numbers agree.
"""
from __future__ import annotations

import argparse
import hmac
import json
import os
import platform
import random
import re
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Mapping

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lotse.callbacks.outbox import signature  # noqa: E402
from lotse.core.settings import load_settings  # noqa: E402
from lotse.database.engine import make_engine  # noqa: E402
from lotse.database.schema import callbacks, outbox  # noqa: E402
from lotse.runner.stack import Stack, free_ports, rss_mb  # noqa: E402
from scripts.bench import KNOWLEDGE, OFFICE, Client, Timings, percentile  # noqa: E402

MODEL = ROOT / "models" / "lotse.tar.gz"
CREATED = "callback.created"  # the outbox event type of a new callback (lotse/callbacks/store.py)
FAKE_PHONE = "0171 2345678"  # obviously fake: no personal data in logs or databases
CODE = re.compile(r"Rückruf-Code: ([A-Z0-9]{3}-[A-Z0-9]{3})")

QUESTIONS_EN = [
    "can I do a retraining part time because of my kids",
    "how much does the kita cost per month",
    "do I have to work when my child is still small",
    "is there extra money for single mothers",
    "I have no car, how do I get to work by bus",
    "my rent is too high, will the jobcenter still pay it",
]
QUESTIONS_UK = [
    "чи можна пройти перекваліфікацію неповний день через дітей",
    "скільки коштує дитячий садок на місяць",
    "чи мушу я працювати якщо дитина ще маленька",
    "чи є додаткові гроші для матерів одиначок",
    "в мене немає машини, як доїхати на роботу автобусом",
    "де можна отримати незалежну консультацію",
]
TOWNS = [
    "Ahaus", "Bocholt", "Borken", "Gescher", "Gronau", "Heek", "Heiden", "Isselburg", "Legden", "Raesfeld",
    "Reken", "Rhede", "Schöppingen", "Stadtlohn", "Südlohn", "Velen", "Vreden", "Gemen", "Ramsdorf", "46342",
]
TOPICS = ["Kita-Platz", "Umschulung", "Miete", "Bescheid", "Kita", "Unterhalt"]
# The order in which each user's conversations come (user u starts at position u): 3 in 10 are
# bookings, so even a 15-second smoke run books.
MIX = ["booking", "knowledge_de", "office", "knowledge_en", "booking", "knowledge_uk", "knowledge_de", "booking",
       "office", "knowledge_de"]
MAX_FORM_STEPS = 12  # window choices, name and read-back after the phone number


# --- the fake staff webhook ---------------------------------------------------------------------


@dataclass
class Deliveries:
    """What the staff webhook received, per event id."""

    secret: str
    count: Counter = field(default_factory=Counter)  # event id -> deliveries
    events: dict[str, tuple[str, str]] = field(default_factory=dict)  # event id -> (event type, reference)
    bad_signatures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def receive(self, headers: Mapping[str, str], body: bytes) -> int:
        """Record one POST; the HTTP status to answer."""
        if not hmac.compare_digest(headers.get("X-Lotse-Signature", ""), signature(self.secret, body)):
            with self.lock:
                self.bad_signatures += 1
            return 401
        payload = json.loads(body)
        event_id = headers.get("Idempotency-Key", "")
        with self.lock:
            self.count[event_id] += 1
            self.events[event_id] = (payload.get("event", ""), payload.get("reference", ""))
        return 200

    def total(self) -> int:
        with self.lock:
            return sum(self.count.values())

    def created_references(self) -> list[str]:
        with self.lock:
            return [ref for event_type, ref in self.events.values() if event_type == CREATED]

    def duplicates(self) -> int:
        """Deliveries beyond the first of an event id."""
        with self.lock:
            return sum(n - 1 for n in self.count.values() if n > 1)

    def other_events(self) -> int:
        with self.lock:
            return sum(1 for event_type, _ in self.events.values() if event_type != CREATED)


def webhook_server(deliveries: Deliveries) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            try:
                status = deliveries.receive(self.headers, body)
            except ValueError:
                status = 400
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):  # noqa: ANN002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --- simulated users ----------------------------------------------------------------------------


@dataclass
class Tally:
    """What the simulated users saw (not what the server stored)."""

    codes: list[str] = field(default_factory=list)
    conversations: Counter = field(default_factory=Counter)
    window_taken: int = 0  # "already full" / "just taken" answers, followed by another choice
    no_window: int = 0  # bookings given up because no window was offered
    anomalies: Counter = field(default_factory=Counter)  # replies a conversation did not expect
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_code(self, code: str) -> None:
        with self.lock:
            self.codes.append(code)

    def add_conversation(self, kind: str) -> None:
        with self.lock:
            self.conversations[kind] += 1

    def add_window_taken(self) -> None:
        with self.lock:
            self.window_taken += 1

    def add_no_window(self) -> None:
        with self.lock:
            self.no_window += 1

    def add_anomaly(self, what: str) -> None:
        with self.lock:
            self.anomalies[what] += 1


class User:
    """One simulated person: a keep-alive client, a think time between messages, a random source."""

    def __init__(self, url: str, timings: Timings, tally: Tally, rng: random.Random, think: tuple[float, float]):
        self.client = Client(url, timings)
        self.tally = tally
        self.rng = rng
        self.think = think
        self.sender = ""
        self.kind = ""

    def say(self, message: str) -> list[dict]:
        time.sleep(self.rng.uniform(*self.think))
        return self.client.say(self.sender, message)

    def expect(self, message: str, marker: str) -> list[dict] | None:
        """Send; the replies if one contains `marker`, else None (noted as an anomaly)."""
        replies = self.say(message)
        if marker in text(replies):
            return replies
        self.tally.add_anomaly(f"{self.kind}: no {marker!r} after {message!r}")
        return None

    def converse(self, kind: str) -> None:
        self.sender, self.kind = f"soak-{uuid.uuid4().hex[:12]}", kind
        self.tally.add_conversation(kind)
        {"booking": self.book, "knowledge_de": self.knowledge_de, "knowledge_en": self.knowledge_en,
         "knowledge_uk": self.knowledge_uk, "office": self.office}[kind]()

    def knowledge_de(self) -> None:
        for message in ["Hallo", *self.rng.sample(KNOWLEDGE, 2), "danke"]:
            self.say(message)

    def knowledge_en(self) -> None:
        for message in self.rng.sample(QUESTIONS_EN, 2):
            self.expect(message, "Source")

    def knowledge_uk(self) -> None:
        for message in self.rng.sample(QUESTIONS_UK, 2):
            self.expect(message, "Джерел")

    def office(self) -> None:
        self.say(self.rng.choice(OFFICE))
        self.expect(f"Welches Jobcenter ist für {self.rng.choice(TOWNS)} zuständig?", "Jobcenter")

    def book(self) -> None:
        """The flow of tests/integration/test_callbacks.py `book()`, choosing among offered windows."""
        steps = [("Ich hätte gern einen Rückruf", "Worum soll es gehen"), (self.rng.choice(TOPICS), "In welcher Stadt"),
                 (self.rng.choice(TOWNS), "einverstanden"), ("/affirm", "Telefonnummer")]
        for message, marker in steps:
            if self.expect(message, marker) is None:
                return
        self.finish_form(self.say(FAKE_PHONE))

    def finish_form(self, replies: list[dict]) -> None:
        for _ in range(MAX_FORM_STEPS):
            reply = text(replies)
            match = CODE.search(reply)
            if match:
                self.tally.add_code(match.group(1))
                return
            windows = [b["payload"] for b in buttons(replies) if b["payload"].startswith("/inform")]
            if "Stimmt das?" in reply:
                replies = self.say("/affirm")
            elif "ansprechen" in reply:
                replies = self.say("/deny")  # no name
            elif windows:
                if "belegt" in reply or "vergeben" in reply:
                    self.tally.add_window_taken()
                replies = self.say(self.rng.choice(windows))
            elif "belegt" in reply or "freien Zeiten" in reply or "noch frei" in reply:
                self.tally.add_no_window()
                self.say("/stop")
                return
            else:
                self.tally.add_anomaly(f"booking: unexpected form reply {reply[:80]!r}")
                return
        self.tally.add_anomaly("booking: form not finished")


def buttons(messages: list[dict]) -> list[dict]:
    return [b for m in messages for b in m.get("buttons", [])]


def text(messages: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def run_users(url: str, users: int, seconds: float, think: tuple[float, float], seed: int) -> tuple[Timings, Tally, float]:
    """`users` people at once, each starting new conversations until `seconds` are over (a
    conversation under way is finished). Starts are spread over the first seconds, like a ramp-up."""
    timings, tally = Timings(), Tally()
    started = time.monotonic()
    deadline = started + seconds

    def person(u: int) -> None:
        rng = random.Random(seed * 1000 + u)
        time.sleep(min(u * 0.1, seconds / 10))
        user = User(url, timings, tally, rng, think)
        k = 0
        while time.monotonic() < deadline:
            user.converse(MIX[(u + k) % len(MIX)])
            k += 1

    with ThreadPoolExecutor(max_workers=users) as pool:
        for outcome in [pool.submit(person, u) for u in range(users)]:
            outcome.result()
    return timings, tally, time.monotonic() - started


# --- the run ------------------------------------------------------------------------------------


@dataclass
class SoakConfig:
    users: int = 3
    seconds: float = 15.0
    think: tuple[float, float] = (1.0, 3.0)
    seed: int = 1
    capacity: int | None = None  # callbacks per window; None: as in content/callbacks.yml
    drain_timeout: float = 120.0


@dataclass
class SoakResult:
    config: SoakConfig
    timings: Timings
    tally: Tally
    deliveries: Deliveries
    elapsed_s: float
    rows: list[str]  # references in the callbacks table
    pending_events: int  # outbox events not delivered after draining
    drain_s: float
    ready_s: float
    rss_start_mb: float
    rss_end_mb: float
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]

    @property
    def failures(self) -> int:
        return self.timings.errors

    @property
    def bookings(self) -> int:
        return len(self.tally.codes)

    @property
    def created_deliveries(self) -> int:
        return len(self.deliveries.created_references())

    @property
    def consistent(self) -> bool:
        """Codes seen == rows == distinct created deliveries, as the same references; no duplicates."""
        codes, rows, delivered = self.tally.codes, self.rows, self.deliveries.created_references()
        return (len(codes) == len(set(codes)) == len(rows) == len(delivered)
                and set(codes) == set(rows) == set(delivered)
                and self.deliveries.duplicates() == 0 and self.deliveries.bad_signatures == 0)

    @property
    def ok(self) -> bool:
        return self.failures == 0 and self.consistent and self.pending_events == 0


def content_with_capacity(workdir: Path, capacity: int) -> Path:
    """A copy of content/ whose callbacks.yml allows `capacity` callbacks per window and office."""
    copy = workdir / "content"
    shutil.copytree(ROOT / "content", copy)
    calendar = copy / "callbacks.yml"
    changed, n = re.subn(r"(?m)^capacity_per_window:\s*\d+", f"capacity_per_window: {capacity}", calendar.read_text(encoding="utf-8"))
    if n != 1:
        raise ValueError("capacity_per_window not found in content/callbacks.yml")
    calendar.write_text(changed, encoding="utf-8")
    return copy


def start_stack(workdir: Path, webhook_url: str, secret: str, capacity: int | None) -> Stack:
    env = {
        **free_ports(),
        "LOTSE_DATA_DIR": str(workdir / "data"),
        "LOTSE_CALLBACK_WEBHOOK_URL": webhook_url, "LOTSE_CALLBACK_WEBHOOK_SECRET": secret,
    }
    if capacity is not None:
        env["LOTSE_CONTENT_DIR"] = str(content_with_capacity(workdir, capacity))
    return Stack(load_settings(env), MODEL, workdir / "logs")


def stored_references(db_url: str) -> tuple[list[str], int]:
    """References in the callbacks table and the number of undelivered outbox events."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            refs = [r.reference for r in conn.execute(sa.select(callbacks.c.reference))]
            pending = conn.execute(sa.select(sa.func.count()).select_from(outbox).where(outbox.c.delivered_at.is_(None))).scalar_one()
        return refs, int(pending)
    finally:
        engine.dispose()


def drain(db_url: str, deliveries: Deliveries, timeout: float) -> tuple[int, float]:
    """Wait until the worker has delivered the outbox (no pending event, deliveries unchanged for a
    few seconds) or `timeout`; the pending events left and the seconds waited."""
    started = time.monotonic()
    last, stable_since = -1, time.monotonic()
    while True:
        _, pending = stored_references(db_url)
        total = deliveries.total()
        if total != last:
            last, stable_since = total, time.monotonic()
        if (pending == 0 and time.monotonic() - stable_since >= 3.0) or time.monotonic() - started > timeout:
            return pending, time.monotonic() - started
        time.sleep(0.5)


def run_soak(config: SoakConfig, workdir: Path) -> SoakResult:
    if not MODEL.exists():
        raise FileNotFoundError(f"no trained model at {MODEL}: run `make train` first")
    secret = uuid.uuid4().hex
    deliveries = Deliveries(secret)
    server = webhook_server(deliveries)
    stack = start_stack(workdir, f"http://127.0.0.1:{server.server_address[1]}/staff", secret, config.capacity)
    try:
        stack.start()
        ready_s = stack.wait_ready(timeout=300)
        url = f"{stack.settings.rasa_url}/webhooks/rest/webhook"
        Client(url, Timings()).say("warm-up", "Hallo")
        rss_start = rss_mb(stack.processes["rasa"].pid)
        load_before = os.getloadavg()
        timings, tally, elapsed = run_users(url, config.users, config.seconds, config.think, config.seed)
        load_after = os.getloadavg()
        rss_end = rss_mb(stack.processes["rasa"].pid)
        pending, drain_s = drain(stack.settings.callback_db_url, deliveries, config.drain_timeout)
        rows, _ = stored_references(stack.settings.callback_db_url)
    finally:
        stack.stop()
        server.shutdown()
    return SoakResult(config, timings, tally, deliveries, elapsed, rows, pending, drain_s, ready_s, rss_start, rss_end,
                      load_before, load_after)


# --- the report ---------------------------------------------------------------------------------


def summary_lines(r: SoakResult) -> list[str]:
    t, lat = r.timings, r.timings.latencies_ms
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(r.timings.statuses.items()))
    anomalies = sum(r.tally.anomalies.values())
    return [
        f"users {r.config.users}, duration {r.elapsed_s:.0f} s (asked {r.config.seconds:.0f} s), think time "
        f"{r.config.think[0]:g}–{r.config.think[1]:g} s, seed {r.config.seed}",
        f"requests {len(lat)}, failed {t.errors} (statuses: {statuses})",
        f"latency p50 {percentile(lat, 50):.0f} ms, p95 {percentile(lat, 95):.0f} ms, p99 {percentile(lat, 99):.0f} ms, "
        f"max {max(lat, default=float('nan')):.0f} ms; throughput {len(lat) / r.elapsed_s:.1f} requests/s",
        "conversations " + ", ".join(f"{k} {v}" for k, v in sorted(r.tally.conversations.items())),
        f"bookings confirmed (codes seen) {r.bookings}, rows {len(r.rows)}, {CREATED} deliveries {r.created_deliveries} "
        f"(duplicates {r.deliveries.duplicates()}, bad signatures {r.deliveries.bad_signatures}, other events "
        f"{r.deliveries.other_events()}, undelivered {r.pending_events}, drained in {r.drain_s:.0f} s)",
        f"window full/just taken, chose another {r.tally.window_taken}; gave up for lack of a window {r.tally.no_window}; "
        f"unexpected replies {anomalies}" + "".join(f"\n  {v}× {k}" for k, v in r.tally.anomalies.most_common(10)),
        f"RSS Rasa {r.rss_start_mb:.0f} MB after warm-up, {r.rss_end_mb:.0f} MB at the end; "
        f"load average {r.load_before[0]:.1f} before, {r.load_after[0]:.1f} at the end; ready after {r.ready_s:.1f} s",
        "RESULT: " + ("ok" if r.ok else "FAILED") + " (zero failed requests; codes == rows == deliveries, no duplicates)",
    ]


def write_report(path: Path, r: SoakResult, command: str) -> None:
    lat = r.timings.latencies_ms
    capacity = "as in content/callbacks.yml" if r.config.capacity is None else f"{r.config.capacity} (a temporary copy of content/)"
    rows = [
        ("Simulated users (at the same time)", str(r.config.users), ""),
        ("Duration", f"{r.elapsed_s:.0f} s", f"{r.config.seconds:.0f} s asked; conversations under way are finished"),
        ("Think time between messages", f"{r.config.think[0]:g}–{r.config.think[1]:g} s (uniform)", f"seed {r.config.seed}"),
        ("Conversations", str(sum(r.tally.conversations.values())),
         ", ".join(f"{k} {v}" for k, v in sorted(r.tally.conversations.items()))),
        ("Requests", str(len(lat)), ", ".join(f"HTTP {k}: {v}" for k, v in sorted(r.timings.statuses.items()))),
        ("**Failed requests**", f"**{r.failures}**", "must be 0"),
        ("Latency p50 / p95 / p99 / max", f"{percentile(lat, 50):.0f} / **{percentile(lat, 95):.0f}** / {percentile(lat, 99):.0f} / "
         f"{max(lat, default=float('nan')):.0f} ms", "client-side, whole REST round trip"),
        ("Throughput", f"{len(lat) / r.elapsed_s:.1f} requests/s", "set by the users' pace and the latency; the maximum is in docs/benchmarks.md"),
        ("**Confirmed bookings** (codes users saw)", f"**{r.bookings}**", ""),
        ("**Rows** in the callbacks table", f"**{len(r.rows)}**", "same references as the codes" if set(r.rows) == set(r.tally.codes) else "REFERENCES DIFFER"),
        (f"**Webhook deliveries** (`{CREATED}`, distinct event ids)", f"**{r.created_deliveries}**",
         f"duplicates {r.deliveries.duplicates()}, bad signatures {r.deliveries.bad_signatures}, undelivered {r.pending_events}, "
         f"drained {r.drain_s:.0f} s after the last user"),
        ("Window full or just taken → another window chosen", str(r.tally.window_taken), f"capacity per window {capacity}"),
        ("Bookings given up: no window offered", str(r.tally.no_window), ""),
        ("Unexpected replies (not failed requests)", str(sum(r.tally.anomalies.values())), unexpected_note(r.tally)),
        ("RSS Rasa server after warm-up → end", f"{r.rss_start_mb:.0f} → {r.rss_end_mb:.0f} MB", ""),
        ("Load average (1 min) before → end", f"{r.load_before[0]:.1f} → {r.load_after[0]:.1f}", f"{os.cpu_count()} cores"),
        ("Result", "**ok**" if r.ok else "**FAILED**", "0 failed requests and bookings == rows == deliveries, no duplicates"),
    ]
    text_ = "\n".join([
        "# Soak test",
        "",
        f"Command: {command}, run on {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC.",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}; "
        "the simulated users run on the same machine as Lotse.",
        "",
        "Lotse runs as `make run` runs it (Rasa with the SQLite tracker store, action server, worker, web page) on free",
        "ports of 127.0.0.1, with its own data directory, and the worker delivers staff notifications to a fake webhook",
        "in the soak script that checks every HMAC signature and counts deliveries per event id. Each simulated user",
        "runs conversations one after another with a think time before every message: German knowledge questions,",
        "English and Ukrainian questions, office look-ups and complete callback bookings (3 in 10 conversations;",
        "random town and topic, a random one of the offered windows; \"already taken\" is answered with another window).",
        "After the last user the outbox is drained, then codes seen, rows and deliveries are compared.",
        "`make test` runs the same code with 3 users for 15 s (tests/integration/test_soak_smoke.py) and asserts the",
        "property (no failed request, bookings == rows == deliveries), not the timings.",
        *load_warning(r),
        "",
        "| measure | result | note |",
        "|---|---|---|",
        *[f"| {a} | {b} | {c} |" for a, b, c in rows],
        "",
    ])
    path.write_text(text_, encoding="utf-8")
    print(f"written to {path}")


def unexpected_note(tally: Tally) -> str:
    """Per conversation kind, with the most frequent example."""
    kinds = Counter()
    for what, n in tally.anomalies.items():
        kinds[what.split(":")[0]] += n
    if not kinds:
        return ""
    example, n = tally.anomalies.most_common(1)[0]
    return ", ".join(f"{k} {v}" for k, v in kinds.most_common()) + f"; most frequent ({n}×): {example}"


def load_warning(r: SoakResult) -> list[str]:
    cores = os.cpu_count() or 1
    if r.load_before[0] <= cores / 2:
        return []
    return ["", f"**The machine was shared during this run**: load average {r.load_before[0]:.1f} on {cores} cores "
                "just before the users started (Lotse idle, so from other processes). The latencies include waiting for "
                "a CPU and are not Lotse's own; the counts and the failure figure are not affected."]


def parse_think(value: str) -> tuple[float, float]:
    low, _, high = value.partition(",")
    return float(low), float(high or low)


def main() -> int:
    parser = argparse.ArgumentParser(description="Soak test: simulated users against the real stack.")
    parser.add_argument("--users", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--think", type=parse_think, default=(1.0, 3.0), help="think time range in seconds, e.g. 1,3")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--capacity", type=int, help="callbacks per window (runs on a temporary copy of content/)")
    parser.add_argument("--write", help="write the markdown report here")
    args = parser.parse_args()
    config = SoakConfig(users=args.users, seconds=args.seconds, think=args.think, seed=args.seed, capacity=args.capacity)
    with tempfile.TemporaryDirectory(prefix="lotse-soak-") as tmp:
        result = run_soak(config, Path(tmp))
    print("\n".join(summary_lines(result)), flush=True)
    if args.write:
        command = "`make soak` (`python scripts/soak.py " + " ".join(sys.argv[1:]) + "`)"
        write_report(Path(args.write), result, command)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
