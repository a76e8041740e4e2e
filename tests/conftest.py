from __future__ import annotations

from pathlib import Path

import pytest

from lotse.offices import load_office_data, load_outside_places

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"


@pytest.fixture(scope="session")
def office_data():
    return load_office_data(CONTENT)


@pytest.fixture(scope="session")
def gazetteer(office_data):
    return office_data.gazetteer(load_outside_places(CONTENT))
