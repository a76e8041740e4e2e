"""Console settings from the environment, and the create-admin command."""
from __future__ import annotations

import pytest

from lotse.console import cli
from lotse.console.users import authenticate
from lotse.core.settings import load_settings, process_environment
from lotse.database.engine import make_engine
from tests.console.demo import DEMO_PASSWORD


def test_console_settings_have_safe_defaults_and_reach_the_processes():
    defaults = load_settings({})
    assert (defaults.console_host, defaults.console_port, defaults.retention_days) == ("127.0.0.1", 8090, 90)
    assert defaults.console_cookie_secure and defaults.console_idle_minutes == 30
    assert (defaults.console_max_failed_logins, defaults.console_lockout_minutes) == (5, 15)
    custom = load_settings({"LOTSE_CONSOLE_PORT": "9100", "LOTSE_CONSOLE_COOKIE_SECURE": "false", "LOTSE_RETENTION_DAYS": "30"})
    assert (custom.console_port, custom.console_cookie_secure, custom.retention_days) == (9100, False, 30)
    env = process_environment(custom, base={})
    assert env["LOTSE_CONSOLE_PORT"] == "9100" and env["LOTSE_CONSOLE_COOKIE_SECURE"] == "false" and env["LOTSE_RETENTION_DAYS"] == "30"


def test_create_admin_takes_the_password_from_the_environment_only(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LOTSE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("LOTSE_CALLBACK_DB_URL", raising=False)
    monkeypatch.delenv(cli.PASSWORD_ENV, raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert cli.main(["create-admin", "--username", "a.erste"]) == 2  # no prompt without a terminal
    monkeypatch.setenv(cli.PASSWORD_ENV, DEMO_PASSWORD)
    assert cli.main(["create-admin", "--username", "a.erste"]) == 0
    assert cli.main(["create-admin", "--username", "a.erste"]) == 1  # exists already
    assert "gibt es schon" in capsys.readouterr().err
    engine = make_engine(f"sqlite:///{tmp_path / 'callbacks.db'}")
    from datetime import datetime, timezone

    result = authenticate(engine, "a.erste", DEMO_PASSWORD, datetime.now(timezone.utc), 5, 15)
    assert result.user is not None and result.user.role == "admin"
    with pytest.raises(SystemExit):
        cli.main(["create-admin", "--username", "x", "--password", "im-argv"])  # there is no such option
