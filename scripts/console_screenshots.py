"""Screenshots of the staff console from invented demo data (docs/screenshot-console-*.png).

    .venv/bin/python scripts/console_screenshots.py [--out docs]

Seeds throw-away SQLite databases with tests.console.demo, runs the console in-process on a free port
and photographs the transcript list, one transcript, the callback queue and the dashboard in
Debian's headless Chromium.
"""
from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lotse.console.app import build_console  # noqa: E402
from lotse.console.users import create_user  # noqa: E402
from lotse.core.settings import load_settings  # noqa: E402
from lotse.database.engine import make_engine  # noqa: E402
from lotse.database.migrations import migrate  # noqa: E402
from tests.console.demo import DEMO_PASSWORD, seed_demo  # noqa: E402
from tests.console.server import start_console  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "docs"))
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings({"LOTSE_DATA_DIR": tmp, "LOTSE_CONSOLE_SECRET": "screenshots"})
        migrate(settings.callback_db_url)
        app, tracker = make_engine(settings.callback_db_url), make_engine(settings.tracker_db_url)
        demo = seed_demo(app, tracker, datetime.now(timezone.utc))
        create_user(app, "a.admin", DEMO_PASSWORD, "admin")
        server = start_console(build_console(settings, app, tracker))
        try:
            alias = server.state.reader.pseudonym(demo.callback)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=CHROMIUM_ARGS + ["--lang=de-DE"],
                                            env={"LANG": "de_DE.UTF-8", "LANGUAGE": "de"})
                page = browser.new_page(viewport={"width": 1360, "height": 900}, locale="de-DE")
                page.goto(server.url + "/login")
                page.fill("#username", "a.admin")
                page.fill("#password", DEMO_PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(re.compile(r".*/transcripts$"))
                shots = {
                    "transcripts": "/transcripts?from=" + datetime.now(timezone.utc).date().replace(day=1).isoformat(),
                    "transcript": f"/transcripts/{alias}",
                    "queue": "/queue?view=all",
                    "dashboard": "/dashboard",
                }
                for name, path in shots.items():
                    page.goto(server.url + path)
                    target = Path(args.out) / f"screenshot-console-{name}.png"
                    page.screenshot(path=str(target), full_page=name != "transcripts")
                    print("wrote", target)
                browser.close()
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
