"""`python -m lotse.console serve` runs the staff console; `python -m lotse.console create-admin --username X`
creates an administrator, reading the password from LOTSE_CONSOLE_ADMIN_PASSWORD or a prompt
(never from the command line, where it would end up in the shell history)."""
from __future__ import annotations

import argparse
import getpass
import os
import sys

from lotse.core.settings import load_settings
from lotse.privacy.redact import configure_logging

PASSWORD_ENV = "LOTSE_CONSOLE_ADMIN_PASSWORD"


def read_password(env: dict[str, str] | os._Environ[str], prompt: bool) -> str | None:
    if env.get(PASSWORD_ENV):
        return env[PASSWORD_ENV]
    if not prompt:
        return None
    first = getpass.getpass("Passwort (mindestens 12 Zeichen): ")
    if first != getpass.getpass("Passwort wiederholen: "):
        print("Die Passwörter stimmen nicht überein.", file=sys.stderr)
        return None
    return first


def create_admin(username: str) -> int:
    from lotse.console import audit
    from lotse.console.users import UserError, create_user
    from lotse.database.engine import make_engine
    from lotse.database.migrations import migrate

    settings = load_settings()
    password = read_password(os.environ, prompt=sys.stdin.isatty())
    if not password:
        print(f"Kein Passwort: setzen Sie {PASSWORD_ENV} oder starten Sie den Befehl in einem Terminal.", file=sys.stderr)
        return 2
    migrate(settings.callback_db_url)
    engine = make_engine(settings.callback_db_url)
    try:
        user = create_user(engine, username, password, "admin")
    except UserError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    audit.record(engine, None, "user_created", user.username, "admin (Kommandozeile)")
    print(f"Administrationskonto „{user.username}“ angelegt.")
    return 0


def serve(host: str, port: int) -> int:
    from aiohttp import web

    from lotse.console.app import build_console, create_app

    configure_logging(load_settings().log_level)
    web.run_app(create_app(build_console(load_settings())), host=host, port=port, access_log=None, print=None)
    return 0


def main(argv: list[str] | None = None) -> int:
    settings = load_settings()
    parser = argparse.ArgumentParser(prog="python -m lotse.console", description="Lotse staff console")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="run the console web app")
    run.add_argument("--host", default=settings.console_host)
    run.add_argument("--port", type=int, default=settings.console_port)
    admin = commands.add_parser("create-admin", help=f"create an administrator (password from {PASSWORD_ENV} or a prompt)")
    admin.add_argument("--username", required=True)
    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve(args.host, args.port)
    return create_admin(args.username)


if __name__ == "__main__":
    sys.exit(main())
