"""The production tier (tests/production/tier.py) for this folder's tests: started
once for the folder, as deploy/ describes it (every test leaves it whole)."""

from __future__ import annotations

import pytest

from .tier import ProductionTier


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/production/" in str(item.fspath):
            item.add_marker(pytest.mark.production)


@pytest.fixture(scope="package")
def tier():
    started = ProductionTier(pages=2, live=2)
    try:
        started.start()
        yield started
    finally:
        started.stop()
