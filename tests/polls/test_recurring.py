"""Regular surveys and copies: a monthly series keeps its Berlin wall-clock time
and day, and a copy is a poll of its own."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from models import Poll, Repeat
from polls.lifecycle import ensure_current
from polls.recurring import _add_months
from tests.factories import close_now, fresh, make_poll


@pytest.mark.parametrize(
    "start, months, expected",
    [
        # 18:00 in Berlin in winter (CET) and in summer (CEST)
        ("2027-01-15 17:00", 6, "2027-07-15 16:00"),
        ("2027-07-15 16:00", 6, "2028-01-15 17:00"),
        # a day the month lacks becomes its last day
        ("2027-01-31 09:00", 1, "2027-02-28 09:00"),
        ("2028-01-31 09:00", 1, "2028-02-29 09:00"),
        ("2027-11-30 09:00", 3, "2028-02-29 09:00"),
        # just after midnight in Berlin is the evening before in UTC
        ("2027-03-31 22:30", 1, "2027-04-30 22:30"),
    ],
)
def test_a_series_keeps_its_wall_clock_time_in_berlin(start, months, expected):
    moment = datetime.fromisoformat(start).replace(tzinfo=UTC)
    assert _add_months(moment, months) == datetime.fromisoformat(expected).replace(
        tzinfo=UTC
    )


def test_closing_a_monthly_survey_schedules_the_next(world, session, ctx):
    poll = make_poll(session, world.nord, world.organiser)
    session.execute(update(Poll).where(Poll.id == poll.id).values(repeat="monthly"))
    session.commit()
    fresh(session)
    poll = session.get(Poll, poll.id)
    ensure_current(session, poll)
    close_now(session, poll)
    fresh(session)
    poll = session.get(Poll, poll.id)
    ensure_current(session, poll)
    fresh(session)
    nxt = session.scalars(select(Poll).where(Poll.copied_from_id == poll.id)).one()
    assert nxt.scheduled and nxt.repeat == Repeat.MONTHLY
    assert nxt.title == poll.title
    assert [o.label for o in nxt.options] == [o.label for o in poll.options]
    assert nxt.opens_at == _add_months(poll.opens_at, 1)
    assert nxt.closes_at == _add_months(poll.closes_at, 1)


def test_a_copy_starts_no_second_series(world, session, auth, client):
    poll = make_poll(session, world.nord, world.organiser)
    session.execute(update(Poll).where(Poll.id == poll.id).values(repeat="monthly"))
    session.commit()
    auth.login(world.organiser)
    response = auth.post(f"/polls/{poll.id}/copy")
    assert response.status_code == 302
    fresh(session)
    copy = session.scalars(select(Poll).where(Poll.copied_from_id == poll.id)).one()
    assert not copy.scheduled and copy.repeat == Repeat.NONE
    assert copy.title == poll.title
