"""Benchmark Lotse end to end through the REST webhook, with a stock `rasa init` bot and a null
HTTP endpoint measured in the same run.

    python scripts/bench.py                 # full run, writes docs/benchmarks.md (make bench)
    python scripts/bench.py --smoke         # a quick check that the benchmark still runs

Conversations are scripted and realistic: knowledge questions, personalised answers, office
look-ups and complete callback bookings.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import subprocess
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

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lotse.core.settings import load_settings  # noqa: E402
from lotse.runner.stack import BIN, Stack, free_ports, rss_mb  # noqa: E402

KNOWLEDGE = [
    "Kann ich eine Umschulung in Teilzeit machen?",
    "Wie komme ich an einen Bildungsgutschein?",
    "Zahlt das Jobcenter die Kita während der Umschulung?",
    "Mein Sohn ist 2, muss ich schon arbeiten?",
    "Was ist der Mehrbedarf für Alleinerziehende?",
    "Der Vater zahlt keinen Unterhalt, was kann ich tun?",
    "Was ist ein TaxiBus?",
    "Wer hilft mir bei der Wohnungssuche?",
    "Wie viele Kinderkrankentage habe ich allein?",
    "Lohnt sich ein Minijob?",
]
OFFICE = ["ich wohn in gemen, wo muss ich hin?", "Welches Jobcenter ist für Stadtlohn zuständig?", "48599", "Und wo ist das Jugendamt?"]


@dataclass
class Timings:
    latencies_ms: list[float] = field(default_factory=list)
    done_at: list[float] = field(default_factory=list)  # perf_counter() when each answer arrived
    errors: int = 0
    statuses: Counter = field(default_factory=Counter)  # HTTP status or exception name -> requests
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, ms: float, ok: bool, status: str = "") -> None:
        with self.lock:
            self.latencies_ms.append(ms)
            self.done_at.append(time.perf_counter())
            self.statuses[status or ("200" if ok else "error")] += 1
            if not ok:
                self.errors += 1


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


class Client:
    """A keep-alive HTTP client; with `interval` set it paces itself like a user who reads and
    types: one message every `interval` seconds on average (each pause drawn from 0.5–1.5 ×
    interval, the first one from 0–1 × interval), so that users are not in lockstep."""

    def __init__(self, url: str, timings: Timings, interval: float = 0.0, expect_reply: bool = True, seed: int = 0):
        self.url = url
        self.expect_reply = expect_reply
        self.random = random.Random(seed)
        self.session = requests.Session()
        self.timings = timings
        self.interval = interval
        self._next_send = time.perf_counter() + self.random.uniform(0, interval)

    def say(self, sender: str, message: str) -> list[dict]:
        if self.interval:
            delay = self._next_send - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            self._next_send = time.perf_counter() + self.interval * self.random.uniform(0.5, 1.5)
        started = time.perf_counter()
        try:
            response = self.session.post(self.url, json={"sender": sender, "message": message}, timeout=30)
            ok, status = response.status_code == 200, str(response.status_code)
            body = response.json() if ok else []
            if ok and not body and self.expect_reply:  # every message gets an answer: an empty one is a failure
                ok, status = False, "empty reply"
        except (requests.RequestException, ValueError) as exc:
            ok, status, body = False, type(exc).__name__, []
        self.timings.add((time.perf_counter() - started) * 1000, ok, status)
        return body


def knowledge_conversation(client: Client, sender: str, i: int) -> int:
    messages = ["Hallo", KNOWLEDGE[i % len(KNOWLEDGE)], KNOWLEDGE[(i + 3) % len(KNOWLEDGE)], OFFICE[i % len(OFFICE)], "danke"]
    for m in messages:
        client.say(sender, m)
    return len(messages)


def callback_conversation(client: Client, sender: str, i: int) -> int:
    count = 0
    for m in ["Ich hätte gern einen Rückruf", "Kita-Platz", "Velen", "/affirm", "0171 2345678"]:
        replies = client.say(sender, m)
        count += 1
    window = next((b["payload"] for r in replies for b in r.get("buttons", []) if b["payload"].startswith("/inform")), None)
    for m in [window or "morgen vormittag", "/deny", "/affirm"]:
        client.say(sender, m)
        count += 1
    return count


def mixed_conversation(client: Client, i: int) -> int:
    sender = f"bench-{uuid.uuid4().hex[:10]}"
    return callback_conversation(client, sender, i) if i % 3 == 2 else knowledge_conversation(client, sender, i)


def run_sequential(url: str, conversations: int) -> Timings:
    timings = Timings()
    client = Client(url, timings)
    for i in range(conversations):
        mixed_conversation(client, i)
    return timings


def run_concurrent(url: str, users: int, conversations_per_user: int, rate: float = 0.0) -> tuple[Timings, float]:
    """`users` conversations at the same time; with `rate` (messages/s over all users) each user
    is paced, otherwise every user sends its next message as soon as the reply arrives.
    Throughput is counted while all users are active (from the last user's first answer to the
    first user's last answer), so start-up and the tail of the slowest user do not dilute it."""
    timings = Timings()
    interval = users / rate if rate else 0.0
    spans: list[tuple[float, float]] = []  # each user's first and last answer

    def user(u: int) -> int:
        mine = Timings()
        client = Client(url, mine, interval, seed=u)
        count = sum(mixed_conversation(client, u * 7 + k) for k in range(conversations_per_user))
        with timings.lock:
            timings.latencies_ms += mine.latencies_ms
            timings.done_at += mine.done_at
            timings.errors += mine.errors
            timings.statuses.update(mine.statuses)
            spans.append((mine.done_at[0], mine.done_at[-1]))
        return count

    with ThreadPoolExecutor(max_workers=users) as pool:
        list(pool.map(user, range(users)))
    window_start, window_end = max(s for s, _ in spans), min(e for _, e in spans)
    in_window = sum(1 for t in timings.done_at if window_start < t <= window_end)
    return timings, in_window / (window_end - window_start)


def run_long(url: str, conversations: int, length: int) -> tuple[float, float]:
    """p95 over messages 1–10 vs messages (length-9)–length of long conversations."""
    early, late = [], []
    for _ in range(conversations):
        timings = Timings()
        client = Client(url, timings)
        sender = f"long-{uuid.uuid4().hex[:10]}"
        for n in range(length):
            client.say(sender, KNOWLEDGE[n % len(KNOWLEDGE)])
        early += timings.latencies_ms[:10]
        late += timings.latencies_ms[-10:]
    return percentile(early, 95), percentile(late, 95)


class NullHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # otherwise delayed ACKs add ~40 ms to every reply

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b"[]"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def floor_latency(messages: int) -> Timings:
    server = ThreadingHTTPServer(("127.0.0.1", 0), NullHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    timings = Timings()
    client = Client(f"http://127.0.0.1:{server.server_address[1]}/", timings, expect_reply=False)
    for i in range(messages):
        client.say("floor", KNOWLEDGE[i % len(KNOWLEDGE)])
    server.shutdown()
    return timings


def env_for_rasa() -> dict[str, str]:
    return {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(ROOT)}


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 300) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}")
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return time.perf_counter() - started
        except requests.RequestException:
            time.sleep(0.2)
    raise TimeoutError(url)


def stock_bot(workdir: Path, messages: int) -> dict:
    """`rasa init` (default config, in-memory tracker), trained and run on this machine."""
    init_dir = workdir / "stock"
    init_dir.mkdir()
    started = time.perf_counter()
    subprocess.run([str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(init_dir)], env=env_for_rasa(),
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    train_s = time.perf_counter() - started
    port = 15405
    proc = subprocess.Popen([str(BIN / "rasa"), "run", "-p", str(port), "-i", "127.0.0.1", "--quiet"], cwd=init_dir,
                            env=env_for_rasa(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        ready_s = wait_http(f"http://127.0.0.1:{port}/", proc)
        timings = Timings()
        client = Client(f"http://127.0.0.1:{port}/webhooks/rest/webhook", timings)
        script = ["hello", "I am feeling sad", "yes", "great", "bye", "are you a bot?", "very good", "no"]
        for i in range(messages):
            client.say(f"stock-{i // len(script)}", script[i % len(script)])
        rss = rss_mb(proc.pid)
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
    return {"timings": timings, "train_s": train_s, "ready_s": ready_s, "rss_mb": rss}


EMBEDDING_CACHE = ROOT / ".build" / "embedding-cache"


def training_time(workdir: Path) -> float:
    """A full training as on a fresh clone: `--force`, and the sentence-embedding cache of earlier
    trainings moved aside for it (restored afterwards), so the examples are embedded again."""
    kept = workdir / "embedding-cache-kept"
    if EMBEDDING_CACHE.exists():
        shutil.move(str(EMBEDDING_CACHE), str(kept))
    try:
        started = time.perf_counter()
        subprocess.run([str(BIN / "rasa"), "train", "--config", "config.yml", "--domain", ".build/domain", "--data", "data",
                        ".build/data", "--out", str(workdir / "models"), "--fixed-model-name", "full", "--force"],
                       cwd=ROOT, env=env_for_rasa(), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - started
    finally:
        if kept.exists():
            shutil.rmtree(EMBEDDING_CACHE, ignore_errors=True)
            shutil.move(str(kept), str(EMBEDDING_CACHE))


# A phrase of the first message (the core) of the TaxiBus answer.
CHANGED_ANSWER = ("content/answers/mobilitaet.yml", "Auch ohne Auto gibt es Wege: Bus", "Auch ohne eigenes Auto kommen Sie ans Ziel: Bus")


def answer_change_time(url: str, content_dir: Path, timeout: float = 120) -> float:
    """Save a changed answer text in the running stack's content directory, as staff would, and
    ask until the bot answers with it (lotse/rasa_server/nlg.py loads checked content without training)."""
    relative, old, new = CHANGED_ANSWER
    path = content_dir / Path(relative).relative_to("content")
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    started = time.perf_counter()
    client = Client(url, Timings())
    while time.perf_counter() - started < timeout:
        replies = client.say(f"change-{uuid.uuid4().hex[:8]}", "Was ist ein TaxiBus?")
        if any(new in (r.get("text") or "") for r in replies):
            return time.perf_counter() - started
        time.sleep(0.1)
    raise TimeoutError("the changed answer text was not served")


def summary(t: Timings) -> str:
    return (f"p50 {percentile(t.latencies_ms, 50):.1f} ms, p95 {percentile(t.latencies_ms, 95):.1f} ms, "
            f"p99 {percentile(t.latencies_ms, 99):.1f} ms, {len(t.latencies_ms)} messages, {t.errors} errors")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true", help="tiny counts, no stock bot, no training: checks the benchmark runs")
    parser.add_argument("--url", help="benchmark an already running Rasa REST webhook instead of starting the stack")
    parser.add_argument("--write", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args()
    smoke = args.smoke
    model = ROOT / "models" / "lotse.tar.gz"
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        stack = None
        if args.url:
            url = args.url
        else:
            content_dir = workdir / "content"  # a copy: the answer-text change edits it
            shutil.copytree(ROOT / "content", content_dir)
            env = {**free_ports(), "LOTSE_DATA_DIR": str(workdir / "data"), "LOTSE_CONTENT_DIR": str(content_dir)}
            stack = Stack(load_settings(env), model, workdir / "logs")
            stack.start()
            results["ready_s"] = stack.wait_ready(timeout=300)
            url = f"{stack.settings.rasa_url}/webhooks/rest/webhook"
        try:
            Client(url, Timings()).say("warm-up", "Hallo")
            results["sequential"] = run_sequential(url, 3 if smoke else 60)
            results["concurrent"], results["throughput"] = run_concurrent(url, 4 if smoke else 20, 1 if smoke else 6, rate=62.0)
            results["saturated"], results["max_throughput"] = run_concurrent(url, 4 if smoke else 20, 1 if smoke else 3)
            results["early_p95"], results["late_p95"] = run_long(url, 1 if smoke else 5, 12 if smoke else 100)
            if stack:
                results["rss_rasa"] = rss_mb(stack.processes["rasa"].pid)
                results["rss_actions"] = rss_mb(stack.processes["actions"].pid)
                results["change_s"] = answer_change_time(url, content_dir)
        finally:
            if stack:
                stack.stop()
        results["floor"] = floor_latency(50 if smoke else 500)
        print(f"Lotse sequential: {summary(results['sequential'])}", flush=True)
        print(f"Lotse concurrent: {summary(results['concurrent'])}, {results['throughput']:.1f} messages/s", flush=True)
        if not smoke:
            results["stock"] = stock_bot(workdir, 300)
            results["train_s"] = training_time(workdir)

    seq, conc = results["sequential"], results["concurrent"]
    lines = [
        f"sequential (mixed conversations): {summary(seq)}",
        f"20 concurrent conversations: {summary(conc)}, {results['throughput']:.1f} messages/s",
        f"long conversation: p95 messages 1–10 {results['early_p95']:.1f} ms, last 10 messages {results['late_p95']:.1f} ms",
        f"null HTTP endpoint (floor): {summary(results['floor'])}",
    ]
    if "ready_s" in results:
        lines.append(f"start-up to ready: {results['ready_s']:.1f} s; RSS Rasa {results['rss_rasa']:.0f} MB, actions {results['rss_actions']:.0f} MB")
    if "stock" in results:
        stock = results["stock"]
        lines.append(f"stock rasa init bot: {summary(stock['timings'])}; train {stock['train_s']:.0f} s (incl. init), ready {stock['ready_s']:.1f} s, RSS {stock['rss_mb']:.0f} MB")
        lines.append(f"full training (--force): {results['train_s']:.1f} s")
    if "change_s" in results:
        lines.append(f"answer-text change served (saved in the content directory of the running stack): {results['change_s']:.1f} s")
    print("\n".join(lines))
    errors = seq.errors + conc.errors
    if smoke:
        return 1 if errors else 0
    write_report(Path(args.write), results)
    return 1 if errors else 0


def write_report(path: Path, r: dict) -> None:
    seq, conc, stock = r["sequential"], r["concurrent"], r["stock"]
    p = percentile
    ratio = p(seq.latencies_ms, 95) / p(stock["timings"].latencies_ms, 95)
    rows = [
        ("Sequential p50 (mixed conversations)", f"{p(seq.latencies_ms, 50):.1f} ms", "≤ 20 ms"),
        ("Sequential p95", f"{p(seq.latencies_ms, 95):.1f} ms", "≤ 40 ms"),
        ("Sequential p99", f"{p(seq.latencies_ms, 99):.1f} ms", ""),
        ("Stock `rasa init` bot p50 / p95 (same run)", f"{p(stock['timings'].latencies_ms, 50):.1f} / {p(stock['timings'].latencies_ms, 95):.1f} ms", ""),
        ("Lotse p95 ÷ stock p95", f"{ratio:.2f}", "≤ 0.5"),
        ("Null HTTP endpoint p50 / p95 (floor)", f"{p(r['floor'].latencies_ms, 50):.2f} / {p(r['floor'].latencies_ms, 95):.2f} ms", ""),
        ("20 concurrent conversations at 62 messages/s offered: sustained throughput", f"{r['throughput']:.1f} messages/s", "≥ 60 /s"),
        ("20 concurrent conversations at 62 messages/s offered: p50 / p95 / p99", f"{p(conc.latencies_ms, 50):.1f} / {p(conc.latencies_ms, 95):.1f} / {p(conc.latencies_ms, 99):.1f} ms", "p95 ≤ 200 ms"),
        ("20 conversations without pause (saturation): throughput, p95", f"{r['max_throughput']:.1f} messages/s, {p(r['saturated'].latencies_ms, 95):.0f} ms", ""),
        ("Errors (sequential + concurrent)", f"{seq.errors + conc.errors} of {len(seq.latencies_ms) + len(conc.latencies_ms)}", "0"),
        ("p95 messages 1–10 vs 91–100 of a conversation", f"{r['early_p95']:.1f} vs {r['late_p95']:.1f} ms ({r['late_p95'] / r['early_p95']:.2f}×)", "≤ 1.5×"),
        ("Start-up to ready (all processes)", f"{r['ready_s']:.1f} s", "≤ 20 s"),
        ("RSS Rasa server", f"{r['rss_rasa']:.0f} MB", "≤ 800 MB"),
        ("RSS action server", f"{r['rss_actions']:.0f} MB", "≤ 200 MB"),
        ("Full training (`rasa train --force`, empty embedding cache as on a fresh clone)", f"{r['train_s']:.1f} s", "≤ 120 s"),
        ("Answer-text change served by the running bot (file saved → new text in a reply)", f"{r['change_s']:.1f} s", "≤ 30 s"),
        ("Stock bot: training incl. `rasa init`, ready, RSS", f"{stock['train_s']:.0f} s, {stock['ready_s']:.1f} s, {stock['rss_mb']:.0f} MB", ""),
    ]
    text = "\n".join(
        [
            "# Benchmarks",
            "",
            f"Command: `make bench` (python scripts/bench.py), run on {time.strftime('%Y-%m-%d %H:%M')} UTC.",
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}.",
            "Lotse runs as `make run` runs it: Rasa with the SQL tracker store (SQLite), the action server and the worker, all on",
            "127.0.0.1; the client is a keep-alive HTTP client in the same machine. Conversations mix knowledge answers,",
            "personalised answers, office look-ups and complete callback bookings (every third conversation).",
            "Sequential: 60 conversations one after another. Concurrent: 20 users with 6 conversations each, each user",
            "paced to 3.1 messages/s on average (62 messages/s offered in total, like people reading and typing; pauses",
            "drawn from 0.5–1.5 × the mean with a fixed seed, so the users are not in lockstep); saturation: the same",
            "20 users sending each next message as soon as the reply arrives (Little's law: latency = users ÷ throughput).",
            "Long: 5 conversations of 100 messages. The stock bot is `rasa init` (default DIET/TED config, in-memory",
            "tracker) trained and run on the same machine in the same run; the floor is a null HTTP endpoint.",
            "Answer-text change: a changed answer text saved in the running stack's content directory (a copy), timed until",
            "a reply carries it (lotse/rasa_server/nlg.py serves checked content without training); a new answer with a new intent needs",
            "`make train` (full training time).",
            "",
            "| measure | result | target |",
            "|---|---|---|",
            *[f"| {a} | {b} | {c} |" for a, b, c in rows],
            "",
        ]
    )
    path.write_text(text, encoding="utf-8")
    print(f"written to {path}")


if __name__ == "__main__":
    sys.exit(main())
