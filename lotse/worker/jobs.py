"""Background jobs of the running stack: webhook delivery from the outbox, the phone purge (hourly)
and the retention purge (daily, LOTSE_RETENTION_DAYS; lotse/privacy/retention.py).

`python -m lotse.worker.jobs` runs until stopped; `python -m lotse.worker.jobs --once` runs each job once.
"""
from __future__ import annotations

import argparse
import logging
import signal
import time
from datetime import datetime, timezone
from pathlib import Path

import requests

from lotse.callbacks.calendar import load_calendar_config
from lotse.callbacks.outbox import deliver_due
from lotse.callbacks.store import CallbackStore, StoreUnavailable
from lotse.core.settings import Settings, load_settings
from lotse.database.engine import make_engine
from lotse.privacy.redact import configure_logging
from lotse.privacy.retention import purge

log = logging.getLogger("lotse.worker")
PURGE_INTERVAL_SECONDS = 3600
RETENTION_INTERVAL_SECONDS = 24 * 3600


def run_retention_purge(store: CallbackStore, settings: Settings, now: datetime) -> None:
    tracker = make_engine(settings.tracker_db_url)
    try:
        report = purge(store.engine, tracker, settings.retention_days, now)
    finally:
        tracker.dispose()
    if report.total:
        log.info(
            "retention purge: %d tracker events, %d callbacks, %d ratings, %d console entries",
            report.tracker_events, report.callbacks, report.feedback, report.console_rows,
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--once", action="store_true")
    parser.add_argument("--interval", type=float, default=2.0)
    args = parser.parse_args()
    configure_logging(load_settings().log_level)
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
    last_purge = float("-inf")  # monotonic() starts near 0 at boot: run both purges at start
    last_retention = float("-inf")
    while running:
        try:
            store = store or CallbackStore.open(settings.callback_db_url, capacity, pool_size=1, max_overflow=1)
            now = datetime.now(timezone.utc)
            if settings.callback_webhook_url:
                deliver_due(
                    store.engine, settings.callback_webhook_url, settings.callback_webhook_secret, now, session,
                    timeout=settings.webhook_timeout_seconds, max_delay=settings.webhook_max_retry_seconds,
                )
            if time.monotonic() - last_purge > PURGE_INTERVAL_SECONDS or args.once:
                purged = store.purge_phone_numbers(settings.phone_retention_days, now)
                if purged:
                    log.info("purged %d phone numbers", purged)
                last_purge = time.monotonic()
            if time.monotonic() - last_retention > RETENTION_INTERVAL_SECONDS or args.once:
                run_retention_purge(store, settings, now)
                last_retention = time.monotonic()
        except (StoreUnavailable, Exception) as exc:  # keep running: the database may come back
            log.warning("worker cycle failed: %s", type(exc).__name__)
            store = None
        if args.once:
            break
        time.sleep(args.interval)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
