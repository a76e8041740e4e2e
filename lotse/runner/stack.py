"""Start Lotse's processes (action server, Rasa server, web page, worker, staff console) and stop them together.

`python -m lotse.runner.stack --model models/lotse.tar.gz` is what `make run` calls; the integration
tests use `Stack` directly with their own ports and data directory.
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from lotse.core.credentials import write_credentials
from lotse.core.endpoints import render_endpoints, write_endpoints
from lotse.core.settings import PROJECT_ROOT, Settings, load_settings, own_environment, process_environment

BIN = Path(sys.executable).parent


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its direct children, in MB (Linux /proc)."""
    total = 0
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    for p in [pid] + [int(c) for c in children]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total / 1024


PORT_VARIABLES = ("LOTSE_RASA_PORT", "LOTSE_ACTIONS_PORT", "LOTSE_WEB_PORT", "LOTSE_CONSOLE_PORT")


def free_port() -> int:
    """A port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def free_ports() -> dict[str, str]:
    """A free port for every process that listens, so tests and benchmarks run beside `make run`
    and beside each other."""
    return {name: str(free_port()) for name in PORT_VARIABLES}


LOGGING_CONFIG = PROJECT_ROOT / "config" / "logging.yml"  # redacts personal data (lotse/privacy/redact.py)


def log_level_flag(level: str) -> list[str]:
    """Rasa's and rasa-sdk's flag for a log level name."""
    return {"DEBUG": ["--debug"], "INFO": ["--verbose"]}.get(level.upper(), ["--quiet"])


@dataclass
class Stack:
    settings: Settings
    model: Path
    log_dir: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def credentials_file(self) -> Path:
        """Written at start from the environment (lotse/core/credentials.py): always-on and messenger channels."""
        return self.settings.data_dir / "credentials.yml"

    @property
    def endpoints_file(self) -> Path:
        """Written at start (lotse/core/endpoints.py): endpoints.yml plus the lock store of this set-up."""
        return self.settings.data_dir / "endpoints.yml"

    def endpoints_text(self) -> str:
        return render_endpoints(self.settings)

    def commands(self) -> dict[str, list[str]]:
        s = self.settings
        return {
            "actions": [
                # actions/server.py: rasa-sdk with a shared-secret check (LOTSE_ACTIONS_SECRET).
                str(BIN / "python"), "-m", "actions.server", "--actions", "actions", "-p", str(s.actions_port),
                *log_level_flag(s.log_level), "--logging-config_file", str(LOGGING_CONFIG),
            ],
            # lotse/rasa_server/server.py: `rasa run`, with the HTTP API only when LOTSE_RASA_API_TOKEN is set.
            "rasa": [
                str(BIN / "python"), "-m", "lotse.rasa_server.server", "run", "--model", str(self.model),
                "--endpoints", str(self.endpoints_file),
                "--credentials", str(self.credentials_file), "-i", s.rasa_host, "-p", str(s.rasa_port),
                *log_level_flag(s.log_level), "--logging-config-file", str(LOGGING_CONFIG),
            ],
            "web": [str(BIN / "python"), "-m", "lotse.webserver.app"],
            "worker": [str(BIN / "python"), "-m", "lotse.worker.jobs"],
            "console": [str(BIN / "python"), "-m", "lotse.console", "serve"],
        }

    def health_urls(self) -> dict[str, str]:
        s = self.settings
        return {
            "actions": f"http://{s.actions_host}:{s.actions_port}/health",
            "rasa": f"{s.rasa_url}/",
            "web": f"http://{s.web_host}:{s.web_port}/healthz",
            "console": f"http://{s.console_host}:{s.console_port}/healthz",
        }

    def prepare(self) -> dict[str, str]:
        """The processes' environment; writes Rasa's credentials and endpoints files for it."""
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        env = process_environment(self.settings)
        write_credentials(self.credentials_file, env)
        write_endpoints(self.endpoints_file, self.endpoints_text())
        return env

    def start(self, only: tuple[str, ...] | None = None) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        env = self.prepare()
        for name, cmd in self.commands().items():
            if only and name not in only:
                continue
            log = open(self.log_dir / f"{name}.log", "ab")
            self.processes[name] = subprocess.Popen(
                cmd, cwd=PROJECT_ROOT, env=self.process_env(name, env), stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def process_env(self, name: str, env: dict[str, str]) -> dict[str, str]:
        """One process's environment: secrets only for the processes that read them (lotse/core/settings.py:
        only Rasa gets the API token and the request size limit, only Rasa and the action server the
        action server's secret)."""
        return own_environment(name, self.settings, env)

    def wait_ready(self, timeout: float = 120.0) -> float:
        started = time.monotonic()
        pending = {name: url for name, url in self.health_urls().items() if name in self.processes}
        while pending:
            for name in list(pending):
                proc = self.processes[name]
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited with {proc.returncode}; see {self.log_dir / (name + '.log')}")
                try:
                    with urllib.request.urlopen(pending[name], timeout=2) as response:
                        if response.status == 200:
                            del pending[name]
                except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                    pass
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"not ready after {timeout:.0f} s: {sorted(pending)}")
            if pending:
                time.sleep(0.25)
        return time.monotonic() - started

    def stop(self, name: str | None = None) -> None:
        names = [name] if name else list(self.processes)
        for n in names:
            proc = self.processes.get(n)
            if proc and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for n in names:
            proc = self.processes.get(n)
            if proc:
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description="Run Lotse: action server, Rasa server and web page.")
    parser.add_argument("--model", default=str(PROJECT_ROOT / "models" / "lotse.tar.gz"))
    args = parser.parse_args()
    settings = load_settings()
    stack = Stack(settings, Path(args.model), settings.data_dir / "logs")
    stopping = False

    def _stop(signum, frame):  # noqa: ARG001
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    stack.start()
    print("Starting Lotse … (logs in", stack.log_dir, ")", flush=True)
    try:
        seconds = stack.wait_ready()
        print(f"Lotse is ready after {seconds:.1f} s:", flush=True)
        print(f"  chat page       http://localhost:{settings.web_port}", flush=True)
        print(f"  Rasa REST       http://localhost:{settings.rasa_port}/webhooks/rest/webhook", flush=True)
        print(f"  action server   http://localhost:{settings.actions_port}/health", flush=True)
        print(f"  staff console   http://localhost:{settings.console_port}  (first admin: python -m lotse.console create-admin)", flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        while not stopping:
            for name, proc in stack.processes.items():
                if proc.poll() is not None:
                    print(f"{name} stopped unexpectedly (exit {proc.returncode}); stopping Lotse.", flush=True)
                    stopping = True
            time.sleep(0.5)
    except (RuntimeError, TimeoutError) as exc:
        print(f"Lotse could not start: {exc}", file=sys.stderr, flush=True)
        stack.stop()
        return 1
    print("Stopping Lotse …", flush=True)
    stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
