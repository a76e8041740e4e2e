"""The worker process delivers due notifications, purges old phone numbers and applies the
retention period in one cycle."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

from lotse.callbacks.store import CallbackStore
from lotse.runner.stack import free_port
from tests.conftest import ROOT
from tests.unit.test_callback_store import booking
from tests.unit.test_outbox import SECRET, Receiver


def test_worker_once_delivers_and_purges(tmp_path):
    url = f"sqlite:///{tmp_path / 'callbacks.db'}"
    store = CallbackStore.open(url, capacity=3)
    now = datetime.now(timezone.utc)
    old = store.book(booking(), "old#1")
    store.cancel(old.reference, now=now - timedelta(days=40))  # past the phone retention (30), not the general one (90)
    ancient = store.book(booking(), "ancient#1")
    store.cancel(ancient.reference, now=now - timedelta(days=100))
    port = free_port()
    receiver = Receiver(port)
    receiver.start()
    try:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "LOTSE_DATA_DIR": str(tmp_path),
            "LOTSE_CALLBACK_DB_URL": url,
            "LOTSE_CALLBACK_WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
            "LOTSE_CALLBACK_WEBHOOK_SECRET": SECRET,
        }
        result = subprocess.run([sys.executable, "-m", "lotse.worker.jobs", "--once"], env=env, cwd=ROOT,
                                capture_output=True, text=True, timeout=60)
    finally:
        receiver.stop()
    assert result.returncode == 0, result.stderr
    assert len(receiver.deliveries) == 4 and receiver.bad_signatures == 0
    assert store.find(old.reference).phone_e164 is None
    assert store.find(ancient.reference) is None  # closed before the retention period: deleted
    assert "+49" not in result.stderr + result.stdout  # no personal data in the worker's log
