"""Background jobs of the running stack: webhook delivery from the outbox and the phone purge.

`python -m lotse.worker` runs until stopped; `python -m lotse.worker --once` runs each job once.
"""
from __future__ import annotations

import argparse
import logging
import signal
import time
from datetime import datetime, timezone
from pathlib import Path

import requests

from lotse.callback_calendar import load_calendar_config
from lotse.callback_store import CallbackStore, StoreUnavailable
from lotse.outbox import deliver_due
from lotse.settings import load_settings

log = logging.getLogger("lotse.worker")
PURGE_INTERVAL_SECONDS = 3600


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--once", action="store_true")
    parser.add_argument("--interval", type=float, default=2.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = load_settings()
    capacity = load_calendar_config(Path(settings.content_dir) / "callbacks.yml").capacity_per_window
    running = True

    def _stop(signum, frame):  # noqa: ARG001
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    store: CallbackStore | None = None
    session = requests.Session()
    last_purge = 0.0
    while running:
        try:
            store = store or CallbackStore.open(settings.callback_db_url, capacity, pool_size=1, max_overflow=1)
            now = datetime.now(timezone.utc)
            if settings.callback_webhook_url:
                deliver_due(store, settings.callback_webhook_url, settings.callback_webhook_secret, now, session)
            if time.monotonic() - last_purge > PURGE_INTERVAL_SECONDS or args.once:
                purged = store.purge_phone_numbers(settings.phone_retention_days, now)
                if purged:
                    log.info("purged %d phone numbers", purged)
                last_purge = time.monotonic()
        except (StoreUnavailable, Exception) as exc:  # keep running: the database may come back
            log.warning("worker cycle failed: %s", type(exc).__name__)
            store = None
        if args.once:
            break
        time.sleep(args.interval)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
