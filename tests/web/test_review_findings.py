"""Regression tests for privilege and robustness problems found in review."""

from __future__ import annotations

import io

import pyotp
import pytest

from models import Member
from tests.factories import PASSWORD, fresh


def _upload(auth, org, text):
    data = {"org": str(org.id), "file": (io.BytesIO(text.encode()), "liste.csv")}
    return auth.post("/members/import", data, content_type="multipart/form-data")


HEADER = "Mitgliedsnummer;Vorname;Nachname;E-Mail;Gliederung\n"


def test_branch_board_cannot_take_over_the_bund_admin(world, auth, client, session):
    """The admin's home branch is OV Nord, but OV Nord's board has no authority over
    an admin office: no email change by import, no deactivation, no detail page."""
    auth.login(world.board)
    row = f"{world.admin.membership_number};Alex;Admin;attacker@evil.example;ov-nord\n"
    page = _upload(auth, world.nord, HEADER + row).get_data(as_text=True)
    assert "kann hier nicht übernommen werden" in page
    assert "Jetzt importieren" not in page
    assert client.get(f"/members/{world.admin.id}").status_code == 404
    assert auth.post(f"/members/{world.admin.id}/deactivate").status_code == 404
    fresh(session)
    admin = session.get(Member, world.admin.id)
    assert admin.email == "admin@example.org" and admin.active


def test_import_never_changes_the_email_of_an_activated_account(world, auth, session):
    auth.login(world.board)
    row = f"{world.member.membership_number};Mina;Neu;mina.neu@example.org;ov-nord\n"
    page = _upload(auth, world.nord, HEADER + row).get_data(as_text=True)
    assert "wird nicht per Import geändert" in page
    fresh(session)
    assert session.get(Member, world.member.id).email == "mitglied@example.org"


def test_import_preview_reveals_nothing_about_other_branches(world, auth):
    auth.login(world.board)
    rows = (
        f"X-1;Sven;Test;{world.sued_member.email};ov-nord\n"
        f"{world.sued_member.membership_number};Sven;Test;neu@example.org;ov-nord\n"
    )
    page = _upload(auth, world.nord, HEADER + rows).get_data(as_text=True)
    assert "Diese Zeile kann hier nicht übernommen werden." in page
    assert world.sued_member.membership_number not in page.split("Fehlerhafte")[1]
    assert "OV Süd" not in page


def test_staff_without_required_2fa_get_no_token_and_no_socket(
    world, session, client, auth, socket_client
):
    world.nord.require_2fa_for_staff = True
    session.commit()
    response = client.post(
        "/api/v1/auth/token",
        json={"email": world.organiser.email, "password": PASSWORD},
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "two_factor_setup_required"
    auth.login(world.organiser)
    assert not socket_client().is_connected()


def test_a_totp_code_works_only_once(world, session, client, auth):
    secret = pyotp.random_base32()
    world.member.totp_secret, world.member.totp_enabled = secret, True
    session.commit()
    code = pyotp.TOTP(secret).now()
    body = {"email": world.member.email, "password": PASSWORD, "totp": code}
    assert client.post("/api/v1/auth/token", json=body).status_code == 201
    replay = client.post("/api/v1/auth/token", json=body)
    assert replay.status_code == 401
    assert replay.get_json()["error"]["code"] == "invalid_totp"


def test_login_is_limited_per_account_too(world, db_url, tmp_path):
    from tests.conftest import Auth, build_app

    app = build_app(
        db_url, tmp_path, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute"
    )
    codes = []
    for i in range(3):  # three different client addresses, one account
        client = app.test_client()
        environ = {"REMOTE_ADDR": f"10.0.0.{i + 1}"}
        token = Auth(client).csrf()
        codes.append(
            client.post(
                "/login",
                environ_base=environ,
                data={
                    "csrf_token": token,
                    "email": world.member.email,
                    "password": "falsch-falsch",
                },
            ).status_code
        )
    assert codes == [401, 401, 429]
    app.extensions["ortsverein_db"][0].dispose()


@pytest.mark.parametrize(
    "path",
    [
        "/members/?page=%C2%B2",
        "/members/?per_page=99999999999999999999",
        "/members/99999999999999999999",
        "/members/2147483648",
        "/members/?q=%00",
        "/members/?org=%00",
        "/members/audit?action=%00",
        "/members/policy/99999999999999999999",
    ],
)
def test_odd_input_never_gives_a_500(world, auth, client, path):
    auth.login(world.board)
    response = client.get(path)
    assert response.status_code in (200, 400, 404, 405), (path, response.status_code)


def test_odd_api_and_socket_input(world, client, auth, socket_client):
    token = client.post(
        "/api/v1/auth/token",
        json={"email": world.member.email, "password": PASSWORD, "name": "x" * 101},
    ).get_json()
    assert token["error"]["code"] == "validation_error"
    assert (
        client.get(
            "/api/v1/polls?page=%C2%B2", headers={"Authorization": "Bearer ov_x"}
        ).status_code
        == 401
    )
    auth.login(world.member)
    sock = socket_client()
    assert sock.emit("join", {"room": "thread:²"}, callback=True) == {
        "ok": False,
        "error": "bad_room",
    }
    assert sock.emit("join", {"room": "poll:99999999999"}, callback=True) == {
        "ok": False,
        "error": "bad_room",
    }


def test_a_later_app_without_redis_does_not_keep_the_queue(db_url, tmp_path, redis_url):
    import socketio as python_socketio

    from ortsverein.realtime import socketio
    from tests.conftest import build_app

    with_redis = build_app(db_url, tmp_path / "a", REDIS_URL=redis_url)
    assert isinstance(socketio.server.manager, python_socketio.RedisManager)
    without = build_app(db_url, tmp_path / "b")
    assert not isinstance(socketio.server.manager, python_socketio.RedisManager)
    assert socketio.server.manager.__class__.__name__ == "Manager"
    for app in (with_redis, without):
        app.extensions["ortsverein_db"][0].dispose()


def test_failed_import_previews_leave_no_copy(world, auth, app):
    from pathlib import Path

    auth.login(world.board)
    _upload(auth, world.nord, HEADER + "1;A;B;kaputt;ov-nord\n")
    folder = Path(app.instance_path) / "imports"
    assert not list(folder.glob("*.csv"))
