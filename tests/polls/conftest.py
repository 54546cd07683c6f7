"""Poll fixtures: a world with an open poll, in an app context for the services."""

from __future__ import annotations

import pytest


@pytest.fixture
def ctx(app):
    """An app context for calling services directly (they translate messages)."""
    with app.test_request_context():
        yield
