"""Motion fixtures: a motion book of OV Nord, created through the service as its
organiser does, and a helper that calls motion services as a request would."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models import utcnow
from motions import services
from tests.factories import _through_service


def make_book(session, org, organiser, **kw):
    data = services.BookInput(
        org_id=org.id,
        title=kw.pop("title", "Anträge zur Mitgliederversammlung"),
        deadline=kw.pop("deadline", utcnow() + timedelta(days=7)),
        categories=kw.pop("categories", ["Umwelt", "Verkehr"]),
        **kw,
    )
    return _through_service(session, services.create_book, organiser, data)


def act(session, function, *args, **kwargs):
    """A motion service called as a request would (write lock, request context)."""
    return _through_service(session, function, *args, **kwargs)


def submit(session, book, member, title="Mehr Radwege", **kw):
    data = services.MotionInput(
        title=title,
        text=kw.pop("text", "Der Ortsverein fordert mehr Radwege.\n\nUnd Bänke."),
        reasoning=kw.pop("reasoning", "Weil es gut ist."),
        **kw,
    )
    return act(session, services.submit, member, book, data)


@pytest.fixture
def book(app, session, world):
    with app.app_context():
        return make_book(session, world.nord, world.organiser)
