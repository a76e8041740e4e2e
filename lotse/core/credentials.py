"""Rasa's channel configuration (credentials), built from the environment in one place.

`credentials.yml` holds the always-on channels (REST, socket.io). At start, lotse.runner.stack writes
`<data_dir>/credentials.yml`: those channels plus every messenger channel whose variables are all
set (docs/channels.md). Required values are written as `${VAR}` placeholders that Rasa fills in
from its own environment, so no secret is ever written to disk.
"""
from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional

import yaml

from lotse.core.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)

ALWAYS_ON_CREDENTIALS = PROJECT_ROOT / "credentials.yml"
# Lotse's REST channel (size, type and rate checks); it keeps Rasa's name and URL, `rest`.
REST_CHANNEL = "lotse.rasa_server.channels.rest.RestInput"


@dataclass(frozen=True)
class ChannelSpec:
    class_path: str
    # credential key -> variable; all must be set to enable the channel; written as ${VAR}
    required: Mapping[str, str]
    # credential key -> (variable, default); not secret, written as literal values
    optional: Mapping[str, tuple[str, str]] = field(default_factory=dict)


MESSENGER_CHANNELS: dict[str, ChannelSpec] = {
    "telegram": ChannelSpec(
        "lotse.rasa_server.channels.telegram.TelegramInput",
        {"access_token": "LOTSE_TELEGRAM_TOKEN", "secret_token": "LOTSE_TELEGRAM_SECRET"},
        {"api_url": ("LOTSE_TELEGRAM_API_URL", "https://api.telegram.org")},
    ),
    "facebook": ChannelSpec(
        "lotse.rasa_server.channels.facebook.FacebookInput",
        {
            "verify_token": "LOTSE_FACEBOOK_VERIFY_TOKEN",
            "app_secret": "LOTSE_FACEBOOK_APP_SECRET",
            "page_access_token": "LOTSE_FACEBOOK_PAGE_ACCESS_TOKEN",
        },
        {"api_url": ("LOTSE_FACEBOOK_API_URL", "https://graph.facebook.com/v19.0")},
    ),
    "twilio_whatsapp": ChannelSpec(
        "lotse.rasa_server.channels.twilio_whatsapp.TwilioWhatsAppInput",
        {
            "account_sid": "LOTSE_TWILIO_ACCOUNT_SID",
            "auth_token": "LOTSE_TWILIO_AUTH_TOKEN",
            "whatsapp_number": "LOTSE_TWILIO_WHATSAPP_NUMBER",
        },
        {
            "api_url": ("LOTSE_TWILIO_API_URL", "https://api.twilio.com"),
            "public_url": ("LOTSE_TWILIO_PUBLIC_URL", ""),
            "content_api_url": ("LOTSE_TWILIO_CONTENT_API_URL", ""),
        },
    ),
    "whatsapp_cloud": ChannelSpec(
        "lotse.rasa_server.channels.whatsapp_cloud.WhatsAppCloudInput",
        {
            "verify_token": "LOTSE_WHATSAPP_VERIFY_TOKEN",
            "app_secret": "LOTSE_WHATSAPP_APP_SECRET",
            "access_token": "LOTSE_WHATSAPP_ACCESS_TOKEN",
            "phone_number_id": "LOTSE_WHATSAPP_PHONE_NUMBER_ID",
        },
        {"api_url": ("LOTSE_WHATSAPP_API_URL", "https://graph.facebook.com/v19.0")},
    ),
}


def _value(env: Mapping[str, str], name: str) -> str:
    return (env.get(name) or "").strip()


def missing_variables(name: str, env: Mapping[str, str]) -> list[str]:
    return [var for var in MESSENGER_CHANNELS[name].required.values() if not _value(env, var)]


def channel_values(name: str, env: Mapping[str, str]) -> Optional[dict[str, str]]:
    """The real values for one channel (for tools such as the Telegram webhook registration),
    or None when the channel is not fully configured."""
    if missing_variables(name, env):
        return None
    spec = MESSENGER_CHANNELS[name]
    values = {key: _value(env, var) for key, var in spec.required.items()}
    values.update({key: _value(env, var) or default for key, (var, default) in spec.optional.items()})
    return values


def always_on_channels(path: Path = ALWAYS_ON_CREDENTIALS) -> dict[str, Any]:
    """The channels in credentials.yml; a REST channel is always there (Lotse's, unless the file
    names Rasa's own `rest`)."""
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    channels = {name: settings or {} for name, settings in loaded.items()}
    if "rest" not in channels:
        channels.setdefault(REST_CHANNEL, {})
    return channels


def channel_credentials(env: Mapping[str, str], always_on: Path = ALWAYS_ON_CREDENTIALS) -> dict[str, Any]:
    """Everything Rasa's --credentials file holds: the always-on channels and each configured messenger."""
    credentials = always_on_channels(always_on)
    for name, spec in MESSENGER_CHANNELS.items():
        if missing_variables(name, env):
            continue
        settings: dict[str, Any] = {key: f"${{{var}}}" for key, var in spec.required.items()}
        settings.update({key: _value(env, var) or default for key, (var, default) in spec.optional.items()})
        credentials[spec.class_path] = settings
    return credentials


_PLACEHOLDER = re.compile(r"\$\{[A-Z][A-Z0-9_]*\}")
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    # Rasa expands ${VAR} only in plain (unquoted) scalars; everything else is quoted so that it
    # stays literal. yaml.safe_dump would quote the placeholders once Rasa is imported.
    return text if _PLACEHOLDER.fullmatch(text) else json.dumps(text, ensure_ascii=False)


def _lines(key: str, value: Any, indent: int) -> list[str]:
    name = key if _PLAIN_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)
    pad = "  " * indent
    if isinstance(value, Mapping):
        if not value:
            return [f"{pad}{name}: {{}}"]
        nested = [line for k, v in value.items() for line in _lines(str(k), v, indent + 1)]
        return [f"{pad}{name}:", *nested]
    if isinstance(value, (list, tuple)):
        return [f"{pad}{name}: {json.dumps(list(value), ensure_ascii=False)}"]
    return [f"{pad}{name}: {_scalar(value)}".rstrip()]


def render_credentials(credentials: Mapping[str, Any]) -> str:
    header = "# Written by lotse/core/credentials.py at start; edit credentials.yml or the environment instead.\n"
    return header + "\n".join(line for k, v in credentials.items() for line in _lines(str(k), v, 0)) + "\n"


def write_credentials(path: Path, env: Mapping[str, str]) -> Path:
    """Writes Rasa's credentials file for this environment (atomically) and returns its path."""
    for name in MESSENGER_CHANNELS:
        missing = missing_variables(name, env)
        if 0 < len(missing) < len(MESSENGER_CHANNELS[name].required):
            logger.warning("channel %s not enabled: %s not set", name, ", ".join(missing))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(render_credentials(channel_credentials(env)), encoding="utf-8")
    os.replace(temporary, path)
    return path
