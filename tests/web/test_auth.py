"""Login, logout, sessions that can be revoked, two-factor login."""

from __future__ import annotations

import pyotp
import pytest

from models import Member
from tests.factories import PASSWORD, fresh


def test_login_page_is_german_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Anmelden" in page and 'lang="de"' in page


def test_member_logs_in_and_sees_home(world, client, auth):
    auth.login(world.member)
    page = client.get("/").get_data(as_text=True)
    assert "Hallo Mina!" in page
    assert "OV Nord" in page


def test_wrong_password_keeps_email_and_says_why(world, client, auth):
    response = client.post(
        "/login",
        data={
            "csrf_token": auth.csrf(),
            "email": world.member.email,
            "password": "falsch-falsch",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "E-Mail-Adresse oder Passwort ist falsch." in page
    assert f'value="{world.member.email}"' in page


def test_login_is_case_insensitive_for_email(world, auth):
    auth.login(world.member.email.upper())


def test_deactivated_member_cannot_log_in(world, session, client, auth):
    world.member.active = False
    session.commit()
    response = client.post(
        "/login",
        data={
            "csrf_token": auth.csrf(),
            "email": world.member.email,
            "password": PASSWORD,
        },
    )
    assert response.status_code == 401


def test_login_follows_only_local_next(world, client, auth):
    for target, expected in (
        ("/profile/", "/profile/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
    ):
        response = client.post(
            "/login",
            data={
                "csrf_token": auth.csrf(),
                "email": world.member.email,
                "password": PASSWORD,
                "next": target,
            },
        )
        assert response.headers["Location"] == expected
        auth.logout()


def test_login_starts_a_new_session(world, client, auth):
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    auth.login(world.member)
    with client.session_transaction() as sess:
        assert "planted" not in sess


def test_logout_everywhere_revokes_other_cookies(world, app, auth):
    other = app.test_client()
    from tests.conftest import Auth

    Auth(other).login(world.member)
    auth.login(world.member)
    assert other.get("/profile/").status_code == 200
    response = auth.post("/profile/logout-everywhere", {"confirm": "y"})
    assert response.status_code == 302
    assert auth.client.get("/profile/").status_code == 200  # this device stays
    assert other.get("/profile/").status_code == 302  # the other one is out


def test_deactivation_ends_the_members_session_at_once(world, app, auth):
    from tests.conftest import Auth

    member_client = app.test_client()
    Auth(member_client).login(world.member)
    assert member_client.get("/profile/").status_code == 200
    auth.login(world.board)
    response = auth.post(f"/members/{world.member.id}/deactivate")
    assert response.status_code == 302
    assert member_client.get("/profile/").status_code == 302


def test_login_rate_limited(world, app, db_url, tmp_path):
    from tests.conftest import Auth, build_app

    limited = build_app(
        db_url, tmp_path, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute"
    )
    client = limited.test_client()
    helper = Auth(client)
    codes = [
        client.post(
            "/login",
            data={
                "csrf_token": helper.csrf(),
                "email": world.member.email,
                "password": "falsch-falsch",
            },
        ).status_code
        for _ in range(4)
    ]
    assert codes == [401, 401, 401, 429]
    page = client.post(
        "/login",
        data={
            "csrf_token": helper.csrf(),
            "email": world.member.email,
            "password": PASSWORD,
        },
    ).get_data(as_text=True)
    assert "Zu viele Versuche" in page
    limited.extensions["ortsverein_db"][0].dispose()


def _enable_totp(session, member) -> pyotp.TOTP:
    secret = pyotp.random_base32()
    member.totp_secret, member.totp_enabled = secret, True
    session.commit()
    return pyotp.TOTP(secret)


def test_two_factor_login(world, session, client, auth):
    totp = _enable_totp(session, world.member)
    response = client.post(
        "/login",
        data={
            "csrf_token": auth.csrf(),
            "email": world.member.email,
            "password": PASSWORD,
        },
    )
    assert response.headers["Location"] == "/login/2fa"
    assert client.get("/profile/").status_code == 302  # not logged in yet
    wrong = client.post(
        "/login/2fa", data={"csrf_token": auth.csrf(), "code": "000000"}
    )
    assert "Der Code stimmt nicht" in wrong.get_data(as_text=True)
    ok = client.post("/login/2fa", data={"csrf_token": auth.csrf(), "code": totp.now()})
    assert ok.status_code == 302
    assert client.get("/profile/").status_code == 200


def test_two_factor_setup_from_profile(world, session, client, auth):
    auth.login(world.member)
    page = client.get("/profile/2fa").get_data(as_text=True)
    assert "<svg" in page
    with client.session_transaction() as sess:
        secret = sess["pending_totp_secret"]
    response = auth.post("/profile/2fa", {"code": pyotp.TOTP(secret).now()})
    assert response.headers["Location"] == "/profile/"
    fresh(session)
    assert session.get(Member, world.member.id).totp_enabled


def test_branch_can_require_two_factor_for_staff(world, session, client, auth):
    world.nord.require_2fa_for_staff = True
    session.commit()
    auth.login(world.organiser)
    response = client.get("/profile/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/profile/2fa"
    # ordinary members are not affected
    auth.logout()
    auth.login(world.member)
    assert client.get("/profile/").status_code == 200


@pytest.mark.parametrize("lang,text", [("en", "Log in"), ("de", "Anmelden")])
def test_language_switch(client, auth, lang, text):
    response = client.post(
        "/profile/language",
        data={"csrf_token": auth.csrf(), "lang": lang, "next": "/login"},
    )
    assert response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert f'lang="{lang}"' in page
    assert f">{text}</h1>" in page


def test_browser_language_is_honoured(client):
    page = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert 'lang="en"' in page.get_data(as_text=True)


def test_session_cookie_slides_hourly_not_with_every_page(
    world, client, auth, monkeypatch
):
    """The login cookie's expiry follows use, but the cookie is re-issued only when
    the session changed or an hour has passed, not signed again for every page."""
    import time

    from ortsverein.security import SESSION_REFRESH_SECONDS

    auth.login(world.member)
    client.get("/profile/")  # the first page after login keeps a new CSRF secret
    page = client.get("/profile/")
    assert page.status_code == 200 and "Set-Cookie" not in page.headers
    later = time.time() + SESSION_REFRESH_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)  # an hour and a bit later
    renewed = client.get("/profile/")
    cookie = renewed.headers["Set-Cookie"]
    assert cookie.startswith("session=") and "Expires=" in cookie
    assert "Set-Cookie" not in client.get("/profile/").headers
    switched = auth.post("/profile/language", {"lang": "en", "next": "/profile/"})
    assert "session=" in switched.headers["Set-Cookie"]  # a change goes out at once
    assert 'lang="en"' in client.get("/profile/").get_data(as_text=True)


def test_pages_switch_language_between_requests(world, client, auth):
    auth.login(world.member)
    for lang, skip, navigation in (
        ("de", "Zum Inhalt springen", "Hauptnavigation"),
        ("en", "Skip to content", "Main navigation"),
        ("de", "Zum Inhalt springen", "Hauptnavigation"),
    ):
        auth.post("/profile/language", {"lang": lang, "next": "/forums/"})
        page = client.get("/forums/").get_data(as_text=True)
        assert f'lang="{lang}"' in page
        assert skip in page and f'aria-label="{navigation}"' in page
