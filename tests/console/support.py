"""A seeded console for HTTP and browser tests: demo data, one account per role, a settable clock."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests

from lotse.console.app import build_console
from lotse.console.users import create_user
from lotse.core.settings import load_settings
from lotse.database.engine import make_engine
from lotse.database.migrations import migrate
from tests.console.demo import DEMO_PASSWORD, DemoConversations, seed_demo
from tests.console.server import RunningConsole, start_console

ACCOUNTS = {
    "a.admin": ("admin", ()),
    "b.admin": ("admin", ()),
    "r.reviewer": ("reviewer", ()),
    "c.borken": ("callback_agent", ("jc_borken",)),
    "c.ahaus": ("callback_agent", ("jc_ahaus",)),
    "l.locked": ("reviewer", ()),
}


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@dataclass
class SeededConsole:
    server: RunningConsole
    demo: DemoConversations
    clock: Clock

    @property
    def url(self) -> str:
        return self.server.url

    def alias(self, conversation_id: str) -> str:
        return self.server.state.reader.pseudonym(conversation_id)

    def login(self, username: str, password: str = DEMO_PASSWORD) -> requests.Session:
        session = requests.Session()
        response = session.post(f"{self.url}/login", data={"username": username, "password": password,
                                                            "login_token": login_token(session, self.url)})
        assert response.status_code == 200 and not response.url.endswith("/login"), response.text[:500]
        return session


def login_token(session: requests.Session, url: str) -> str:
    page = session.get(f"{url}/login")
    return re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)


def csrf_token(session: requests.Session, page_url: str) -> str:
    page = session.get(page_url)
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def start_seeded_console(data_dir: Path, **env: str) -> SeededConsole:
    settings = load_settings({"LOTSE_DATA_DIR": str(data_dir), "LOTSE_CONSOLE_SECRET": "test-secret",
                              "LOTSE_CONSOLE_MAX_FAILED_LOGINS": "3", **env})
    migrate(settings.callback_db_url)
    app, tracker = make_engine(settings.callback_db_url), make_engine(settings.tracker_db_url)
    clock = Clock()
    demo = seed_demo(app, tracker, clock.now, conversations=20)
    for username, (role, offices) in ACCOUNTS.items():
        create_user(app, username, DEMO_PASSWORD, role, offices)
    return SeededConsole(start_console(build_console(settings, app, tracker, clock=clock)), demo, clock)
