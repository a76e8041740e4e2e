"""Rasa's endpoints file for this environment, written at start next to the credentials file.

`endpoints.yml` holds what every set-up shares (action server, SQL tracker store). The lock store
depends on the set-up: one instance keeps Rasa's in-memory lock store (the default, `make run`);
several instances need the atomic Redis lock store (`LOTSE_LOCK_STORE=redis`, docs/deploy.md).
Values that may hold secrets stay `${VAR}` placeholders that Rasa fills in from its environment.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from lotse.core.settings import PROJECT_ROOT, Settings

BASE_ENDPOINTS = PROJECT_ROOT / "endpoints.yml"
ATOMIC_REDIS_LOCK_STORE = "lotse.rasa_server.lock_store.AtomicRedisLockStore"


def lock_store_section(settings: Settings) -> str:
    if settings.lock_store == "in_memory":
        return ""
    return (
        "lock_store:\n"
        f"  type: {ATOMIC_REDIS_LOCK_STORE}\n"
        "  url: ${LOTSE_REDIS_URL}\n"
        f"  lifetime_seconds: {settings.lock_lifetime_seconds:g}\n"
        f"  wait_seconds: {settings.lock_wait_seconds:g}\n"
        "  key_prefix: lotse\n"
    )


def render_endpoints(settings: Settings, base: Path = BASE_ENDPOINTS) -> str:
    header = "# Written by lotse/core/endpoints.py at start; edit endpoints.yml or the environment instead.\n"
    text = base.read_text(encoding="utf-8").rstrip("\n") + "\n"
    if re.search(r"^lock_store\s*:", text, re.M):
        raise ValueError(f"{base} must not configure lock_store: it follows LOTSE_LOCK_STORE (lotse/core/endpoints.py)")
    section = lock_store_section(settings)
    return header + text + ("\n" + section if section else "")


def write_endpoints(path: Path, text: str) -> Path:
    """Writes Rasa's endpoints file (atomically) and returns its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
    return path
