"""Cancelling a scheduled poll, deleting a draft and stopping a regular series: by
an organiser only (anyone else gets 404), after a confirmation page, audit-logged
and notified, through the web and the API."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from models import AuditEntry, Notification, Poll, Repeat
from polls.lifecycle import due_polls, ensure_current
from tests.factories import PASSWORD, close_now, fresh, make_poll

API = "/api/v1"


def _token(client, member) -> dict:
    token = client.post(
        f"{API}/auth/token", json={"email": member.email, "password": PASSWORD}
    ).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


def _actions(session, poll_id: int) -> list[str]:
    return list(
        session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.target_id == poll_id, AuditEntry.target_type == "poll")
            .order_by(AuditEntry.id)
        )
    )


def _notified(session, kind: str) -> set[int]:
    return set(
        session.scalars(select(Notification.member_id).where(Notification.kind == kind))
    )


def test_an_organiser_cancels_a_scheduled_poll_after_confirming(
    app, auth, client, session, world
):
    with app.test_request_context():
        poll = make_poll(
            session, world.nord, world.organiser, opens_in=3600, closes_in=7200
        )
    auth.login(world.organiser)
    page = client.get(f"/polls/{poll.id}").get_data(as_text=True)
    assert f"/polls/{poll.id}/cancel" in page
    confirm = client.get(f"/polls/{poll.id}/cancel")
    assert confirm.status_code == 200 and "Ja, absagen" in confirm.get_data(True)
    fresh(session)
    assert session.get(Poll, poll.id).cancelled_at is None  # GET changes nothing
    response = auth.post(f"/polls/{poll.id}/cancel")
    assert response.status_code == 302
    fresh(session)
    cancelled = session.get(Poll, poll.id)
    assert cancelled.cancelled_at is not None
    assert "poll.cancelled" in _actions(session, poll.id)
    # the would-be electorate is told, the poll never opens
    assert world.member.id in _notified(session, "poll_cancelled")
    assert world.sued_member.id not in _notified(session, "poll_cancelled")
    past = poll.opens_at.replace(year=2020)
    session.execute(update(Poll).where(Poll.id == poll.id).values(opens_at=past))
    session.commit()
    assert poll.id not in [p.id for p in due_polls(session)]
    with app.test_request_context():
        assert ensure_current(session, session.get(Poll, poll.id)) == "cancelled"
    fresh(session)
    assert session.get(Poll, poll.id).opened_at is None
    auth.login(world.member)
    page = client.get(f"/polls/{poll.id}").get_data(as_text=True)
    assert "abgesagt" in page


def test_an_open_poll_cannot_be_cancelled(app, auth, client, session, world):
    with app.test_request_context():
        poll = make_poll(session, world.nord, world.organiser)
    auth.login(world.organiser)
    response = auth.post(f"/polls/{poll.id}/cancel", follow_redirects=True)
    assert "vor ihrem Beginn" in response.get_data(as_text=True)
    fresh(session)
    assert session.get(Poll, poll.id).cancelled_at is None


@pytest.mark.parametrize("who", ["member", "sued_board", "board"])
@pytest.mark.parametrize("action", ["cancel", "delete", "stop-series"])
def test_others_get_404_and_change_nothing(
    app, auth, client, session, world, who, action
):
    with app.test_request_context():
        poll = make_poll(
            session,
            world.nord,
            world.organiser,
            opens_in=3600,
            closes_in=7200,
            scheduled=action != "delete",
        )
    session.execute(update(Poll).where(Poll.id == poll.id).values(repeat="monthly"))
    session.commit()
    auth.login(getattr(world, who))
    assert client.get(f"/polls/{poll.id}/{action}").status_code == 404
    assert auth.post(f"/polls/{poll.id}/{action}").status_code == 404
    headers = _token(client, getattr(world, who))
    if action == "delete":
        response = client.delete(f"{API}/polls/{poll.id}", headers=headers)
    else:
        response = client.post(f"{API}/polls/{poll.id}/{action}", headers=headers)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    fresh(session)
    kept = session.get(Poll, poll.id)
    assert kept is not None and kept.cancelled_at is None
    assert kept.repeat == Repeat.MONTHLY


def test_a_draft_is_deleted_through_the_api_and_logged(app, client, session, world):
    with app.test_request_context():
        draft = make_poll(session, world.nord, world.organiser, scheduled=False)
        scheduled = make_poll(
            session, world.nord, world.organiser, opens_in=3600, closes_in=7200
        )
    headers = _token(client, world.admin)
    refused = client.delete(f"{API}/polls/{scheduled.id}", headers=headers)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "poll_not_editable"
    draft_id = draft.id
    response = client.delete(f"{API}/polls/{draft_id}", headers=headers)
    assert response.status_code == 204
    fresh(session)
    assert session.get(Poll, draft_id) is None
    assert _actions(session, draft_id)[-1] == "poll.deleted"
    # the organiser who wrote it learns of it; the admin who deleted it does not
    assert _notified(session, "poll_deleted") == {world.organiser.id}
    assert client.get(f"{API}/polls/{draft_id}", headers=headers).status_code == 404


def test_cancel_through_the_api(app, client, session, world):
    with app.test_request_context():
        poll = make_poll(
            session, world.nord, world.organiser, opens_in=3600, closes_in=7200
        )
    headers = _token(client, world.organiser)
    response = client.post(f"{API}/polls/{poll.id}/cancel", headers=headers)
    assert response.status_code == 200
    assert response.get_json()["status"] == "cancelled"
    again = client.post(f"{API}/polls/{poll.id}/cancel", headers=headers)
    assert again.status_code == 409


def test_stopping_a_series_means_no_next_poll(app, auth, client, session, world):
    with app.test_request_context():
        poll = make_poll(session, world.nord, world.organiser)
    session.execute(update(Poll).where(Poll.id == poll.id).values(repeat="monthly"))
    session.commit()
    auth.login(world.admin)
    assert "Ja, Reihe beenden" in client.get(f"/polls/{poll.id}/stop-series").get_data(
        True
    )
    assert auth.post(f"/polls/{poll.id}/stop-series").status_code == 302
    fresh(session)
    assert session.get(Poll, poll.id).repeat == Repeat.NONE
    assert "poll.series_stopped" in _actions(session, poll.id)
    # the organisation's organiser hears of it; the admin who stopped it does not
    assert _notified(session, "poll_series_stopped") == {world.organiser.id}
    with app.test_request_context():
        close_now(session, poll)
        ensure_current(session, poll)
    fresh(session)
    assert session.scalar(select(Poll).where(Poll.copied_from_id == poll.id)) is None
    headers = _token(client, world.organiser)
    response = client.post(f"{API}/polls/{poll.id}/stop-series", headers=headers)
    assert response.status_code == 409
