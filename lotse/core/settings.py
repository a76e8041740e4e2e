"""All configuration of Lotse, read from the environment in one place.

Every variable has a safe default so that `make run` works with no configuration.
`.env.example` documents each variable.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_WIDGET_ORIGINS = ("http://localhost:8080", "http://127.0.0.1:8080")
LOCK_STORES = ("in_memory", "redis")


@dataclass(frozen=True)
class DbPool:
    """SQLAlchemy pool of one process: `size` kept open, up to `max_overflow` more under load."""

    size: int
    max_overflow: int


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    content_dir: Path
    tracker_db_dialect: str
    tracker_db: str
    tracker_db_host: str
    tracker_db_user: str
    tracker_db_password: str
    rasa_host: str
    rasa_port: int
    actions_host: str
    actions_port: int
    web_host: str
    web_port: int
    timezone: str
    callback_db_url: str
    callback_webhook_url: str
    callback_webhook_secret: str
    phone_retention_days: int
    public_url: str
    log_level: str
    # Website chat widget (docs/widget.md). An empty secret is generated once into data_dir.
    widget_secret: str
    widget_session_hours: int
    widget_origins: tuple[str, ...]
    # Several instances (docs/deploy.md): the lock store and PostgreSQL connection budget.
    lock_store: str
    redis_url: str
    lock_lifetime_seconds: float
    lock_wait_seconds: float
    instances: int
    db_connections: int
    rasa_backlog: int
    retention_days: int = 90
    console_host: str = "127.0.0.1"
    console_port: int = 8090
    console_secret: str = ""
    console_cookie_secure: bool = True
    console_idle_minutes: int = 30
    console_max_failed_logins: int = 5
    console_lockout_minutes: int = 15
    action_timeout_seconds: float = 2.0  # Rasa gives up on the action server after this (lotse/rasa_server/overrides.py)
    # Staff webhook delivery (lotse/callbacks/outbox.py): how long one POST may take, and the longest pause
    # between attempts during an outage (= how late an event may arrive after the receiver is back).
    webhook_timeout_seconds: float = 5.0
    webhook_max_retry_seconds: float = 3600.0
    # Hardening (docs/hardening.md): sizes, rate limits, Rasa's HTTP API, the action server's secret.
    max_body_bytes: int = 16 * 1024
    max_webhook_body_bytes: int = 1024 * 1024
    max_message_chars: int = 2000
    rate_per_ip_per_minute: int = 120
    rate_per_conversation_per_minute: int = 30
    rate_exempt_ips: tuple[str, ...] = ("127.0.0.1", "::1")
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    rasa_api_token: str = ""
    actions_secret: str = ""

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


def _comma_list(value: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    if value is None or not value.strip():
        return default
    return tuple(item.strip() for item in value.split(",") if item.strip())


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    data_dir = Path(env.get("LOTSE_DATA_DIR", str(PROJECT_ROOT / "var")))
    return Settings(
        data_dir=data_dir,
        content_dir=Path(env.get("LOTSE_CONTENT_DIR", str(PROJECT_ROOT / "content"))),
        tracker_db_dialect=env.get("LOTSE_TRACKER_DIALECT", "sqlite"),
        tracker_db=env.get("LOTSE_TRACKER_DB", str(data_dir / "tracker.db")),
        tracker_db_host=env.get("LOTSE_TRACKER_HOST", ""),
        tracker_db_user=env.get("LOTSE_TRACKER_USER", ""),
        tracker_db_password=env.get("LOTSE_TRACKER_PASSWORD", ""),
        rasa_host=env.get("LOTSE_RASA_HOST", "127.0.0.1"),
        rasa_port=int(env.get("LOTSE_RASA_PORT", "5005")),
        actions_host=env.get("LOTSE_ACTIONS_HOST", "127.0.0.1"),
        actions_port=int(env.get("LOTSE_ACTIONS_PORT", "5055")),
        web_host=env.get("LOTSE_WEB_HOST", "127.0.0.1"),
        web_port=int(env.get("LOTSE_WEB_PORT", "8080")),
        timezone=env.get("LOTSE_TIMEZONE", "Europe/Berlin"),
        callback_db_url=env.get("LOTSE_CALLBACK_DB_URL", f"sqlite:///{data_dir / 'callbacks.db'}"),
        callback_webhook_url=env.get("LOTSE_CALLBACK_WEBHOOK_URL", ""),
        callback_webhook_secret=env.get("LOTSE_CALLBACK_WEBHOOK_SECRET", ""),
        phone_retention_days=int(env.get("LOTSE_PHONE_RETENTION_DAYS", "30")),
        public_url=env.get("LOTSE_PUBLIC_URL", "http://localhost:8080").rstrip("/"),
        log_level=env.get("LOTSE_LOG_LEVEL", "WARNING").upper(),
        widget_secret=env.get("LOTSE_WIDGET_SECRET", ""),
        widget_session_hours=int(env.get("LOTSE_WIDGET_SESSION_HOURS", "24")),
        widget_origins=_comma_list(env.get("LOTSE_WIDGET_ORIGINS"), DEFAULT_WIDGET_ORIGINS),
        retention_days=int(env.get("LOTSE_RETENTION_DAYS", "90")),
        console_host=env.get("LOTSE_CONSOLE_HOST", "127.0.0.1"),
        console_port=int(env.get("LOTSE_CONSOLE_PORT", "8090")),
        console_secret=env.get("LOTSE_CONSOLE_SECRET", ""),
        console_cookie_secure=env.get("LOTSE_CONSOLE_COOKIE_SECURE", "true").strip().lower() not in ("0", "false", "no", "off"),
        console_idle_minutes=int(env.get("LOTSE_CONSOLE_IDLE_MINUTES", "30")),
        console_max_failed_logins=int(env.get("LOTSE_CONSOLE_MAX_FAILED_LOGINS", "5")),
        console_lockout_minutes=int(env.get("LOTSE_CONSOLE_LOCKOUT_MINUTES", "15")),
        action_timeout_seconds=float(env.get("LOTSE_ACTION_TIMEOUT_SECONDS", "2")),
        webhook_timeout_seconds=float(env.get("LOTSE_WEBHOOK_TIMEOUT_SECONDS", "5")),
        webhook_max_retry_seconds=float(env.get("LOTSE_WEBHOOK_MAX_RETRY_SECONDS", "3600")),
        max_body_bytes=int(env.get("LOTSE_MAX_BODY_BYTES", str(16 * 1024))),
        max_webhook_body_bytes=int(env.get("LOTSE_MAX_WEBHOOK_BODY_BYTES", str(1024 * 1024))),
        max_message_chars=int(env.get("LOTSE_MAX_MESSAGE_CHARS", "2000")),
        rate_per_ip_per_minute=int(env.get("LOTSE_RATE_PER_IP_PER_MINUTE", "120")),
        rate_per_conversation_per_minute=int(env.get("LOTSE_RATE_PER_CONVERSATION_PER_MINUTE", "30")),
        rate_exempt_ips=_addresses(env.get("LOTSE_RATE_EXEMPT_IPS", "127.0.0.1,::1")),
        trusted_proxies=_addresses(env.get("LOTSE_TRUSTED_PROXIES", "127.0.0.1,::1")),
        rasa_api_token=env.get("LOTSE_RASA_API_TOKEN", "").strip(),
        actions_secret=env.get("LOTSE_ACTIONS_SECRET", "").strip(),
        lock_store=_choice(env, "LOTSE_LOCK_STORE", LOCK_STORES),
        redis_url=env.get("LOTSE_REDIS_URL", "redis://127.0.0.1:6379/1"),
        lock_lifetime_seconds=float(env.get("LOTSE_LOCK_LIFETIME_SECONDS", "15")),
        lock_wait_seconds=float(env.get("LOTSE_LOCK_WAIT_SECONDS", "30")),
        instances=int(env.get("LOTSE_INSTANCES", "1")),
        db_connections=int(env.get("LOTSE_DB_CONNECTIONS", "80")),
        rasa_backlog=int(env.get("LOTSE_RASA_BACKLOG", "1024")),
    )


def _addresses(value: str) -> tuple[str, ...]:
    """A comma-separated list of IP addresses ("" = none)."""
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _choice(env: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str:
    value = (env.get(name) or allowed[0]).strip()
    if value not in allowed:
        raise ValueError(f"{name}={value!r}: expected one of {', '.join(allowed)}")
    return value


def process_environment(settings: Settings, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for Lotse's processes: every `${VAR}` used in endpoints.yml is defined."""
    env = dict(os.environ if base is None else base)
    env.update(
        {
            "LOTSE_DATA_DIR": str(settings.data_dir),
            "LOTSE_CONTENT_DIR": str(settings.content_dir),
            "LOTSE_TRACKER_DIALECT": settings.tracker_db_dialect,
            "LOTSE_TRACKER_DB": settings.tracker_db,
            "LOTSE_TRACKER_HOST": settings.tracker_db_host,
            "LOTSE_TRACKER_USER": settings.tracker_db_user,
            "LOTSE_TRACKER_PASSWORD": settings.tracker_db_password,
            "LOTSE_ACTION_ENDPOINT_URL": settings.action_endpoint_url,
            "LOTSE_RASA_PORT": str(settings.rasa_port),
            "LOTSE_ACTIONS_PORT": str(settings.actions_port),
            "LOTSE_WEB_PORT": str(settings.web_port),
            "LOTSE_CALLBACK_DB_URL": settings.callback_db_url,
            "LOTSE_CALLBACK_WEBHOOK_URL": settings.callback_webhook_url,
            "LOTSE_CALLBACK_WEBHOOK_SECRET": settings.callback_webhook_secret,
            "LOTSE_PHONE_RETENTION_DAYS": str(settings.phone_retention_days),
            "LOTSE_LOG_LEVEL": settings.log_level,
            "LOTSE_PUBLIC_URL": settings.public_url,
            "LOTSE_WIDGET_SECRET": settings.widget_secret,
            "LOTSE_WIDGET_SESSION_HOURS": str(settings.widget_session_hours),
            "LOTSE_WIDGET_ORIGINS": ",".join(settings.widget_origins),
            "LOTSE_RETENTION_DAYS": str(settings.retention_days),
            "LOTSE_CONSOLE_HOST": settings.console_host,
            "LOTSE_CONSOLE_PORT": str(settings.console_port),
            "LOTSE_CONSOLE_SECRET": settings.console_secret,
            "LOTSE_CONSOLE_COOKIE_SECURE": "true" if settings.console_cookie_secure else "false",
            "LOTSE_CONSOLE_IDLE_MINUTES": str(settings.console_idle_minutes),
            "LOTSE_CONSOLE_MAX_FAILED_LOGINS": str(settings.console_max_failed_logins),
            "LOTSE_CONSOLE_LOCKOUT_MINUTES": str(settings.console_lockout_minutes),
            "LOTSE_ACTION_TIMEOUT_SECONDS": str(settings.action_timeout_seconds),
            "LOTSE_WEBHOOK_TIMEOUT_SECONDS": str(settings.webhook_timeout_seconds),
            "LOTSE_WEBHOOK_MAX_RETRY_SECONDS": str(settings.webhook_max_retry_seconds),
            "LOTSE_MAX_BODY_BYTES": str(settings.max_body_bytes),
            "LOTSE_MAX_WEBHOOK_BODY_BYTES": str(settings.max_webhook_body_bytes),
            "LOTSE_MAX_MESSAGE_CHARS": str(settings.max_message_chars),
            "LOTSE_RATE_PER_IP_PER_MINUTE": str(settings.rate_per_ip_per_minute),
            "LOTSE_RATE_PER_CONVERSATION_PER_MINUTE": str(settings.rate_per_conversation_per_minute),
            "LOTSE_RATE_EXEMPT_IPS": ",".join(settings.rate_exempt_ips),
            "LOTSE_TRUSTED_PROXIES": ",".join(settings.trusted_proxies),
            "LOTSE_ACTIONS_SECRET": settings.actions_secret,  # endpoints.yml; lotse.runner.stack gives it to Rasa and actions only
            "LOTSE_LOCK_STORE": settings.lock_store,
            "LOTSE_REDIS_URL": settings.redis_url,
            "LOTSE_INSTANCES": str(settings.instances),
            "LOTSE_DB_CONNECTIONS": str(settings.db_connections),
            # Rasa's own names for the tracker store's PostgreSQL pool (ignored for SQLite).
            "SQL_POOL_SIZE": str(settings.db_pool.size),
            "SQL_MAX_OVERFLOW": str(settings.db_pool.max_overflow),
            # Connections Rasa's server lets wait to be accepted (Rasa's default 100 reset
            # connections under a burst of a few hundred simultaneous messages).
            "SANIC_BACKLOG": str(settings.rasa_backlog),
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "PYTHONPATH": str(PROJECT_ROOT),
        }
    )
    return env
