"""Fixtures of the forum tests: the world with a branch forum and a Bund forum."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.factories import make_forum, make_thread


@pytest.fixture
def forums(app, session, world):
    """OV Nord's forum with one thread, OV Süd's forum with one, and a Bund forum."""
    with app.app_context():
        f = SimpleNamespace()
        f.nord = make_forum(session, world.nord, world.organiser, "Nord-Forum")
        f.sued = make_forum(session, world.sued, world.admin, "Süd-Forum")
        f.bund = make_forum(session, world.bund, world.admin, "Programmdebatte")
        f.nord_thread = make_thread(
            session, f.nord, world.organiser, "Lastenrad", "Brauchen wir ein Lastenrad?"
        )
        f.sued_thread = make_thread(
            session, f.sued, world.sued_member, "Sommerfest", "Geheimer Grillplan"
        )
        return f
