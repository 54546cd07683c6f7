"""A session cookie works only while its login lasts: logout and a new password
end it on the server, so a copy of the cookie is refused."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from models import LinkPurpose, LoginSession, utcnow
from ortsverein.auth.tokens import issue_link
from tests.conftest import Auth
from tests.factories import PASSWORD, fresh

NEW_PASSWORD = "ein-ganz-neues-passwort"


def _logged_in(client) -> bool:
    response = client.get("/profile/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def _open_login_sessions(session, member) -> int:
    fresh(session)
    return len(
        session.scalars(
            select(LoginSession).where(
                LoginSession.member_id == member.id, LoginSession.ended_at.is_(None)
            )
        ).all()
    )


def test_a_cookie_replayed_after_logout_is_refused(world, client, auth, session):
    auth.login(world.member)
    assert _logged_in(client)
    assert _logged_in(client)  # the cookie is now remembered by the process
    cookie = client.get_cookie("session").value
    assert _open_login_sessions(session, world.member) == 1
    auth.logout()
    assert not _logged_in(client)
    client.set_cookie("session", cookie)  # the copy an attacker kept
    assert not _logged_in(client)
    assert _open_login_sessions(session, world.member) == 0


def test_logout_ends_only_that_device(world, app, client, auth):
    other = app.test_client()
    Auth(other).login(world.member)
    auth.login(world.member)
    auth.logout()
    assert not _logged_in(client)
    assert _logged_in(other)


def test_a_password_change_ends_every_other_login(world, app, client, auth, session):
    other = app.test_client()
    Auth(other).login(world.member)
    kept = other.get_cookie("session").value
    auth.login(world.member)
    old_here = client.get_cookie("session").value
    response = auth.post(
        "/profile/password",
        {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert _logged_in(client)  # this device goes on under a new login session
    assert not _logged_in(other)
    other.set_cookie("session", kept)
    assert not _logged_in(other)
    client.set_cookie("session", old_here)
    assert not _logged_in(client)
    assert _open_login_sessions(session, world.member) == 1


def test_a_password_reset_ends_every_login(world, app, client, auth, session):
    other = app.test_client()
    Auth(other).login(world.member)
    with app.app_context():
        secret = issue_link(
            session, world.member, LinkPurpose.RESET, timedelta(hours=1)
        )
        session.commit()
    response = auth.post(
        f"/reset/{secret}", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert not _logged_in(other)
    assert _open_login_sessions(session, world.member) == 0


def test_use_is_noted_at_most_hourly(world, client, auth, session):
    auth.login(world.member)
    fresh(session)
    row = session.scalar(select(LoginSession))
    row.last_seen_at = utcnow() - timedelta(hours=2)
    session.commit()
    assert _logged_in(client)
    fresh(session)
    seen = session.scalar(select(LoginSession)).last_seen_at
    assert utcnow() - seen < timedelta(minutes=1)
    assert _logged_in(client)
    fresh(session)
    assert session.scalar(select(LoginSession)).last_seen_at == seen
