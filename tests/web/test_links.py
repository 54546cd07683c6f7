"""Invitation and password-reset links: single use, expiry, tampering."""

from __future__ import annotations

import email
import re
from datetime import timedelta
from pathlib import Path

import pytest

from models import LinkPurpose, OneTimeLink, utcnow
from tests.factories import PASSWORD, fresh, make_member

NEW_PASSWORD = "ein-neues-langes-passwort"


def _mails(app) -> list[email.message.Message]:
    folder = Path(app.instance_path) / "mail"
    paths = sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
    return [email.message_from_bytes(p.read_bytes()) for p in paths]


def _link(app, path_prefix: str) -> str:
    body = _mails(app)[-1].get_payload(decode=True).decode()
    return re.search(rf"http://[^/\s]+({path_prefix}/[A-Za-z0-9_-]+)", body).group(1)


@pytest.fixture
def invited(world, app, session, auth):
    with app.app_context():
        newbie = make_member(
            session,
            world.nord,
            email="neu@example.org",
            first_name="Nele",
            password=None,
        )
    session.commit()
    auth.login(world.board)
    assert auth.post(f"/members/{newbie.id}/invite").status_code == 302
    auth.logout()
    return newbie


def test_invitation_mail_sets_password_once(invited, app, client, auth):
    message = _mails(app)[-1]
    assert message["To"] == "neu@example.org"
    assert message["Subject"] == "Einladung zu Ortsverein"
    path = _link(app, "/activate")
    page = client.get(path).get_data(as_text=True)
    assert "Nele" in page
    response = client.post(
        path,
        data={
            "csrf_token": auth.csrf(),
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.headers["Location"] == "/"
    assert client.get("/profile/").status_code == 200  # logged in straight away
    auth.logout()
    auth.login("neu@example.org", NEW_PASSWORD)
    auth.logout()
    again = client.get(path)
    assert again.status_code == 410
    assert "schon benutzt" in again.get_data(as_text=True)


def test_short_password_keeps_the_form_and_says_why(invited, app, client, auth):
    path = _link(app, "/activate")
    response = client.post(
        path, data={"csrf_token": auth.csrf(), "password": "kurz", "confirm": "kurz"}
    )
    assert response.status_code == 200
    assert "Feld muss mindestens 10 Zeichen beinhalten." in response.get_data(
        as_text=True
    )
    assert client.get(path).status_code == 200  # the link is still usable


def test_expired_invitation(invited, app, client, session):
    path = _link(app, "/activate")
    for link in session.query(OneTimeLink).all():
        link.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    response = client.get(path)
    assert response.status_code == 410
    assert "abgelaufen" in response.get_data(as_text=True)


def test_tampered_link_is_refused(invited, app, client, auth):
    path = _link(app, "/activate")
    tampered = path[:-2] + ("AA" if not path.endswith("AA") else "BB")
    response = client.get(tampered)
    assert response.status_code == 404
    assert "ungültig" in response.get_data(as_text=True)
    response = client.post(
        tampered,
        data={
            "csrf_token": auth.csrf(),
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 404


def test_new_invitation_replaces_the_old_link(invited, world, app, auth, client):
    first = _link(app, "/activate")
    auth.login(world.board)
    auth.post(f"/members/{invited.id}/invite")
    auth.logout()
    second = _link(app, "/activate")
    assert first != second
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_reset_does_not_reveal_membership(world, app, client, auth):
    for address in ("unbekannt@example.org", world.member.email):
        response = client.post(
            "/reset", data={"csrf_token": auth.csrf(), "email": address}
        )
        assert response.status_code == 302
    assert len(_mails(app)) == 1
    assert _mails(app)[0]["To"] == world.member.email


def test_reset_link_sets_password_once_and_ends_other_sessions(
    world, app, client, auth, session
):
    from tests.conftest import Auth

    other = app.test_client()
    Auth(other).login(world.member)
    client.post("/reset", data={"csrf_token": auth.csrf(), "email": world.member.email})
    path = _link(app, "/reset")
    response = client.post(
        path,
        data={
            "csrf_token": auth.csrf(),
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.headers["Location"] == "/login"
    assert other.get("/profile/").status_code == 302
    assert client.get(path).status_code == 410
    auth.login(world.member, NEW_PASSWORD)
    fresh(session)
    links = session.query(OneTimeLink).filter_by(purpose=LinkPurpose.RESET).all()
    assert len(links) == 1 and links[0].used_at is not None
    # the old password no longer works
    auth.logout()
    response = client.post(
        "/login",
        data={
            "csrf_token": auth.csrf(),
            "email": world.member.email,
            "password": PASSWORD,
        },
    )
    assert response.status_code == 401


def test_activation_link_cannot_reset_and_vice_versa(invited, app, client):
    path = _link(app, "/activate")
    assert client.get(path.replace("/activate/", "/reset/")).status_code == 404
