"""All configuration of Lotse, read from the environment in one place.

The fields of `Settings` are the table of Lotse's variables: each one names its environment
variable, its default, its parser and the processes that read it. From that table come
- the Settings object (`Settings.from_environ`, `load_settings()`: this process's, read once),
- the environment of the processes Lotse starts (`process_environment`, `own_environment`),
- the list `.env.example` documents (`VARIABLES`; checked by tests/unit/test_deploy_files.py).
`DERIVED` adds what the processes read under other names (Rasa's endpoints.yml, Sanic, SQLAlchemy).

Every variable has a safe default so that `make run` works with no configuration.
"""
# ruff: noqa: RUF009 - `variable()` is dataclasses.field() carrying the row, not a shared default value
from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_WIDGET_ORIGINS = ("http://localhost:8080", "http://127.0.0.1:8080")
LOCK_STORES = ("in_memory", "redis")

# The processes Lotse runs (lotse.runner.stack's commands).
ACTIONS, RASA, WEB, WORKER, CONSOLE = "actions", "rasa", "web", "worker", "console"
PROCESSES = (ACTIONS, RASA, WEB, WORKER, CONSOLE)


@dataclass(frozen=True)
class Parser:
    """How a variable's text becomes its value (`parse`) and the value text again (`text`)."""

    parse: Callable[[str], Any]
    text: Callable[[Any], str] = str


def _comma_separated(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _flag(value: str) -> bool:
    return value.strip().lower() not in ("0", "false", "no", "off")


def _one_of(allowed: tuple[str, ...]) -> Parser:
    def parse(value: str) -> str:
        if value.strip() not in allowed:
            raise ValueError(f"expected one of {', '.join(allowed)}")
        return value.strip()

    return Parser(parse)


TEXT = Parser(str)
STRIPPED = Parser(str.strip)
INT = Parser(int)
FLOAT = Parser(float)
PATH = Parser(Path)
FLAG = Parser(_flag, lambda on: "true" if on else "false")
LIST = Parser(_comma_separated, ",".join)  # comma-separated; "" = none
URL = Parser(lambda value: value.rstrip("/"))
LEVEL = Parser(str.upper)


def _day_or_empty(value: str) -> str:
    """A day as YYYY-MM-DD, or "" (none)."""
    value = value.strip()
    if value:
        date.fromisoformat(value)  # ValueError names the variable (Variable.value)
    return value


DAY = Parser(_day_or_empty)  # "" or YYYY-MM-DD; lotse.knowledge.facts.answer_day reads it


@dataclass(frozen=True)
class FromOthers:
    """A default computed from the variables before it (e.g. a file in the data directory)."""

    compute: Callable[[Mapping[str, Any]], Any]


@dataclass(frozen=True)
class Variable:
    """One row of the table: environment variable, Settings field, default, parser, readers."""

    name: str
    default: Any
    parser: Parser
    processes: frozenset[str]
    # Only `processes` receive it (a secret); the others get every variable.
    private: bool = False
    # Blank (unset, "" or spaces) means the default, not an empty value.
    blank_is_default: bool = False
    # A private variable left out rather than passed empty (Rasa's API is on whenever the token is set).
    omit_empty: bool = False
    field: str = ""  # filled in from the Settings field that declares it

    def text_of(self, settings: Settings) -> str:
        return self.parser.text(getattr(settings, self.field))

    def value(self, env: Mapping[str, str], earlier: Mapping[str, Any]) -> Any:
        text = env.get(self.name)
        if text is None or (self.blank_is_default and not text.strip()):
            return self.default.compute(earlier) if isinstance(self.default, FromOthers) else self.default
        try:
            return self.parser.parse(text)
        except ValueError as exc:
            raise ValueError(f"{self.name}={text!r}: {exc}") from exc


ROW = "lotse.variable"


def variable(name: str, default: Any, parser: Parser, *processes: str, **options: bool) -> Any:
    """A Settings field read from `name` by `processes` (see Variable for the options)."""
    row = Variable(name, default, parser, frozenset(processes), **options)
    return dataclasses.field(metadata={ROW: row})


@dataclass(frozen=True)
class DbPool:
    """SQLAlchemy pool of one process: `size` kept open, up to `max_overflow` more under load."""

    size: int
    max_overflow: int


@dataclass(frozen=True, kw_only=True)
class Settings:
    data_dir: Path = variable("LOTSE_DATA_DIR", PROJECT_ROOT / "var", PATH, RASA, CONSOLE)
    content_dir: Path = variable("LOTSE_CONTENT_DIR", PROJECT_ROOT / "content", PATH, *PROCESSES)
    # The tracker store: Rasa's (endpoints.yml), the worker's retention purge, the console's transcripts.
    tracker_db_dialect: str = variable("LOTSE_TRACKER_DIALECT", "sqlite", TEXT, RASA, WORKER, CONSOLE)
    tracker_db: str = variable(
        "LOTSE_TRACKER_DB", FromOthers(lambda s: str(s["data_dir"] / "tracker.db")), TEXT, RASA, WORKER, CONSOLE
    )
    tracker_db_host: str = variable("LOTSE_TRACKER_HOST", "", TEXT, RASA, WORKER, CONSOLE)
    tracker_db_user: str = variable("LOTSE_TRACKER_USER", "", TEXT, RASA, WORKER, CONSOLE)
    tracker_db_password: str = variable("LOTSE_TRACKER_PASSWORD", "", TEXT, RASA, WORKER, CONSOLE)
    # Addresses. Rasa and the action server get theirs on the command line (lotse.runner.stack);
    # Rasa reaches the action server through LOTSE_ACTION_ENDPOINT_URL, the web page Rasa through rasa_url.
    rasa_host: str = variable("LOTSE_RASA_HOST", "127.0.0.1", TEXT, WEB)
    rasa_port: int = variable("LOTSE_RASA_PORT", 5005, INT, WEB)
    actions_host: str = variable("LOTSE_ACTIONS_HOST", "127.0.0.1", TEXT, RASA, ACTIONS)
    actions_port: int = variable("LOTSE_ACTIONS_PORT", 5055, INT, RASA)
    web_host: str = variable("LOTSE_WEB_HOST", "127.0.0.1", TEXT, WEB)
    web_port: int = variable("LOTSE_WEB_PORT", 8080, INT, WEB)
    timezone: str = variable("LOTSE_TIMEZONE", "Europe/Berlin", TEXT, RASA, ACTIONS, CONSOLE)
    # The day answers are given for (dated facts, content/facts.yml); empty = today. Previews and tests only.
    answer_date: str = variable("LOTSE_ANSWER_DATE", "", DAY, RASA)
    callback_db_url: str = variable(
        "LOTSE_CALLBACK_DB_URL", FromOthers(lambda s: f"sqlite:///{s['data_dir'] / 'callbacks.db'}"), TEXT,
        RASA, ACTIONS, WORKER, CONSOLE,
    )
    callback_webhook_url: str = variable("LOTSE_CALLBACK_WEBHOOK_URL", "", TEXT, WORKER)
    callback_webhook_secret: str = variable("LOTSE_CALLBACK_WEBHOOK_SECRET", "", TEXT, WORKER)
    phone_retention_days: int = variable("LOTSE_PHONE_RETENTION_DAYS", 30, INT, ACTIONS, WORKER)
    public_url: str = variable("LOTSE_PUBLIC_URL", "http://localhost:8080", URL, RASA, WEB)
    # Rasa and the action server get theirs as a command-line flag (lotse.runner.stack).
    log_level: str = variable("LOTSE_LOG_LEVEL", "WARNING", LEVEL, WEB, WORKER, CONSOLE)
    # Website chat widget (docs/widget.md). An empty secret is generated once into data_dir.
    widget_secret: str = variable("LOTSE_WIDGET_SECRET", "", TEXT, RASA)
    widget_session_hours: int = variable("LOTSE_WIDGET_SESSION_HOURS", 24, INT, RASA)
    widget_origins: tuple[str, ...] = variable(
        "LOTSE_WIDGET_ORIGINS", DEFAULT_WIDGET_ORIGINS, LIST, RASA, WEB, blank_is_default=True
    )
    # Several instances (docs/deploy.md): the lock store and PostgreSQL connection budget.
    # The lock store's settings reach Rasa through the endpoints file lotse/core/endpoints.py writes.
    lock_store: str = variable("LOTSE_LOCK_STORE", LOCK_STORES[0], _one_of(LOCK_STORES), RASA, blank_is_default=True)
    redis_url: str = variable("LOTSE_REDIS_URL", "redis://127.0.0.1:6379/1", TEXT, RASA)
    lock_lifetime_seconds: float = variable("LOTSE_LOCK_LIFETIME_SECONDS", 15.0, FLOAT, RASA)
    lock_wait_seconds: float = variable("LOTSE_LOCK_WAIT_SECONDS", 30.0, FLOAT, RASA)
    instances: int = variable("LOTSE_INSTANCES", 1, INT, RASA, ACTIONS)
    db_connections: int = variable("LOTSE_DB_CONNECTIONS", 80, INT, RASA, ACTIONS)
    rasa_backlog: int = variable("LOTSE_RASA_BACKLOG", 1024, INT, RASA)
    retention_days: int = variable("LOTSE_RETENTION_DAYS", 90, INT, WORKER, CONSOLE)
    console_host: str = variable("LOTSE_CONSOLE_HOST", "127.0.0.1", TEXT, CONSOLE)
    console_port: int = variable("LOTSE_CONSOLE_PORT", 8090, INT, CONSOLE)
    console_secret: str = variable("LOTSE_CONSOLE_SECRET", "", TEXT, CONSOLE)
    console_cookie_secure: bool = variable("LOTSE_CONSOLE_COOKIE_SECURE", True, FLAG, CONSOLE)
    console_idle_minutes: int = variable("LOTSE_CONSOLE_IDLE_MINUTES", 30, INT, CONSOLE)
    console_max_failed_logins: int = variable("LOTSE_CONSOLE_MAX_FAILED_LOGINS", 5, INT, CONSOLE)
    console_lockout_minutes: int = variable("LOTSE_CONSOLE_LOCKOUT_MINUTES", 15, INT, CONSOLE)
    # Rasa gives up on the action server after this (lotse/rasa_server/overrides.py).
    action_timeout_seconds: float = variable("LOTSE_ACTION_TIMEOUT_SECONDS", 2.0, FLOAT, RASA)
    # Staff webhook delivery (lotse/callbacks/outbox.py): how long one POST may take, and the longest pause
    # between attempts during an outage (= how late an event may arrive after the receiver is back).
    webhook_timeout_seconds: float = variable("LOTSE_WEBHOOK_TIMEOUT_SECONDS", 5.0, FLOAT, WORKER)
    webhook_max_retry_seconds: float = variable("LOTSE_WEBHOOK_MAX_RETRY_SECONDS", 3600.0, FLOAT, WORKER)
    # Hardening (docs/hardening.md): sizes, rate limits, Rasa's HTTP API, the action server's secret.
    max_body_bytes: int = variable("LOTSE_MAX_BODY_BYTES", 16 * 1024, INT, RASA, WEB)
    max_webhook_body_bytes: int = variable("LOTSE_MAX_WEBHOOK_BODY_BYTES", 1024 * 1024, INT, RASA)
    max_message_chars: int = variable("LOTSE_MAX_MESSAGE_CHARS", 2000, INT, RASA, WEB)
    rate_per_ip_per_minute: int = variable("LOTSE_RATE_PER_IP_PER_MINUTE", 120, INT, RASA, WEB)
    rate_per_conversation_per_minute: int = variable("LOTSE_RATE_PER_CONVERSATION_PER_MINUTE", 30, INT, RASA, WEB)
    rate_exempt_ips: tuple[str, ...] = variable("LOTSE_RATE_EXEMPT_IPS", ("127.0.0.1", "::1"), LIST, RASA, WEB)
    trusted_proxies: tuple[str, ...] = variable("LOTSE_TRUSTED_PROXIES", ("127.0.0.1", "::1"), LIST, RASA, WEB)
    rasa_api_token: str = variable("LOTSE_RASA_API_TOKEN", "", STRIPPED, RASA, private=True, omit_empty=True)
    # Read by Rasa through endpoints.yml (so always defined there) and by actions/server.py.
    actions_secret: str = variable("LOTSE_ACTIONS_SECRET", "", STRIPPED, RASA, ACTIONS, private=True)

    @classmethod
    def from_environ(cls, env: Mapping[str, str]) -> Settings:
        """The settings `env` describes: each variable parsed, or its default when unset."""
        values: dict[str, Any] = {}
        for row in VARIABLES:
            values[row.field] = row.value(env, values)
        return cls(**values)

    @property
    def db_pool(self) -> DbPool:
        """Connections per process so that every process of every instance together stays within
        `db_connections`: each instance runs a Rasa server (tracker store) and an action server
        (callbacks); the worker and the staff console run once."""
        processes = 2 * max(1, self.instances) + 2
        per_process = max(2, self.db_connections // processes)
        size = max(1, per_process // 2)
        return DbPool(size=size, max_overflow=per_process - size)

    @property
    def action_endpoint_url(self) -> str:
        return f"http://{self.actions_host}:{self.actions_port}/webhook"

    @property
    def tracker_db_url(self) -> str:
        """The tracker store's database as an SQLAlchemy URL (Rasa builds the same from endpoints.yml)."""
        if self.tracker_db_dialect == "sqlite":
            return f"sqlite:///{self.tracker_db}"
        from sqlalchemy.engine import URL

        host, _, port = self.tracker_db_host.partition(":")
        return URL.create(
            self.tracker_db_dialect,
            username=self.tracker_db_user or None,
            password=self.tracker_db_password or None,
            host=host or None,
            port=int(port) if port else None,
            database=self.tracker_db,
        ).render_as_string(hide_password=False)

    @property
    def rasa_url(self) -> str:
        return f"http://{self.rasa_host}:{self.rasa_port}"

    @property
    def widget_allowed_origins(self) -> tuple[str, ...]:
        """Pages that may open the widget's socket.io connection: the configured ones and the public URL."""
        origins = [web_origin(value) for value in (*self.widget_origins, self.public_url)]
        return tuple(dict.fromkeys(o for o in origins if o))


VARIABLES: tuple[Variable, ...] = tuple(
    dataclasses.replace(f.metadata[ROW], field=f.name) for f in dataclasses.fields(Settings)
)


@dataclass(frozen=True)
class Derived:
    """A variable a process reads under another name, computed from the settings."""

    name: str
    compute: Callable[[Settings], str]
    processes: frozenset[str]
    private: bool = False  # only `processes` receive it
    omit_empty: ClassVar[bool] = False

    def text_of(self, settings: Settings) -> str:
        return self.compute(settings)


def derived(name: str, compute: Callable[[Settings], str], *processes: str, private: bool = False) -> Derived:
    return Derived(name, compute, frozenset(processes), private)


DERIVED: tuple[Derived, ...] = (
    derived("LOTSE_ACTION_ENDPOINT_URL", lambda s: s.action_endpoint_url, RASA),  # endpoints.yml
    derived("SANIC_HOST", lambda s: s.actions_host, ACTIONS),  # rasa-sdk's bind address
    # Sanic refuses larger bodies with 413 before reading them; the action server is not limited
    # because Rasa sends it whole conversations.
    derived("SANIC_REQUEST_MAX_SIZE", lambda s: str(s.max_webhook_body_bytes), RASA, private=True),
    # Connections Rasa's server lets wait to be accepted (Rasa's default 100 reset
    # connections under a burst of a few hundred simultaneous messages).
    derived("SANIC_BACKLOG", lambda s: str(s.rasa_backlog), RASA),
    # Rasa's own names for the tracker store's PostgreSQL pool (ignored for SQLite).
    derived("SQL_POOL_SIZE", lambda s: str(s.db_pool.size), RASA),
    derived("SQL_MAX_OVERFLOW", lambda s: str(s.db_pool.max_overflow), RASA),
    derived("RASA_TELEMETRY_ENABLED", lambda s: "false", *PROCESSES),
    derived("TF_CPP_MIN_LOG_LEVEL", lambda s: "2", *PROCESSES),
    derived("SQLALCHEMY_SILENCE_UBER_WARNING", lambda s: "1", *PROCESSES),
    derived("PYTHONPATH", lambda s: str(PROJECT_ROOT), *PROCESSES),
)


def web_origin(url: str) -> str:
    """The origin a browser sends for pages under `url` ("https://a.de:443/x/" -> "https://a.de"); "" if it has none."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    default_port = 443 if parts.scheme == "https" else 80
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default_port else "")


@functools.cache
def _this_process_settings() -> Settings:
    return Settings.from_environ(os.environ)


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """The settings of `env`; without it this process's, read from os.environ on the first call
    (the environment of a process does not change; `load_settings.cache_clear()` reads it again)."""
    return _this_process_settings() if env is None else Settings.from_environ(env)


load_settings.cache_clear = _this_process_settings.cache_clear  # type: ignore[attr-defined]


def process_environment(settings: Settings, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for Lotse's processes: `base` (default os.environ) with every variable of
    the table and of DERIVED set from `settings` (so every `${VAR}` in endpoints.yml is defined).
    `own_environment` narrows it to one process."""
    env = dict(os.environ if base is None else base)
    env.update({row.name: row.text_of(settings) for row in (*VARIABLES, *DERIVED)})
    return env


def own_environment(process: str, settings: Settings, env: Mapping[str, str]) -> dict[str, str]:
    """`env` for one process: a private variable (a secret) only if the process reads it, and
    always with the value of `settings`; every other variable as it is."""
    private = [row for row in (*VARIABLES, *DERIVED) if row.private]
    own = {name: value for name, value in env.items() if name not in {row.name for row in private}}
    for row in private:
        value = row.text_of(settings)
        if process in row.processes and (value or not row.omit_empty):
            own[row.name] = value
    return own
