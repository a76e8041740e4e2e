"""The soak test's short version: 3 users for 15 s on an own stack with a fake staff webhook.

Checked is the property of `make soak`, not its timings: no failed request, and every booking a
user was shown is one row and exactly one signed `callback.created` delivery.
"""
from __future__ import annotations

from scripts.soak import SoakConfig, run_soak, summary_lines


def test_short_soak_loses_and_duplicates_nothing(tmp_path):
    result = run_soak(SoakConfig(users=3, seconds=15, think=(0.2, 0.6), drain_timeout=60), tmp_path)
    report = "\n".join(summary_lines(result))
    assert result.failures == 0, report
    assert result.bookings > 0, report
    assert result.bookings == len(result.rows) == result.created_deliveries, report
    assert result.deliveries.duplicates() == 0 and result.deliveries.bad_signatures == 0, report
    assert result.pending_events == 0, report
    # Language quality is tests/integration/test_languages.py's job; here bookings and look-ups must go through.
    assert not [a for a in result.tally.anomalies if a.startswith(("booking", "office"))], report
    assert result.ok, report
