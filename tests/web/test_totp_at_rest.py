"""Two-factor secrets are stored encrypted, and plain ones from before are sealed."""

from __future__ import annotations

import time

import pyotp
from sqlalchemy import text

from ortsverein.auth.profile import PENDING_SECRET
from ortsverein.auth.totp import SEALED, seal
from tests.conftest import build_app
from tests.factories import PASSWORD, fresh


def _stored(session, member) -> str:
    fresh(session)
    return session.execute(
        text("SELECT totp_secret FROM members WHERE id = :id"), {"id": member.id}
    ).scalar_one()


def test_a_secret_set_up_in_the_profile_is_stored_encrypted(
    world, client, auth, session
):
    auth.login(world.member)
    assert client.get("/profile/2fa").status_code == 200
    with client.session_transaction() as cookie_session:
        secret = cookie_session[PENDING_SECRET]
    response = auth.post("/profile/2fa", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    stored = _stored(session, world.member)
    assert stored.startswith(SEALED) and secret not in stored
    later = pyotp.TOTP(secret).at(time.time() + 30)  # the setup spent this step
    body = {"email": world.member.email, "password": PASSWORD, "totp": later}
    assert client.post("/api/v1/auth/token", json=body).status_code == 201


def test_a_legacy_plain_secret_works_once_more_and_is_then_sealed(
    world, client, session
):
    secret = pyotp.random_base32()
    world.member.totp_secret, world.member.totp_enabled = secret, True
    session.commit()
    body = {
        "email": world.member.email,
        "password": PASSWORD,
        "totp": pyotp.TOTP(secret).now(),
    }
    assert client.post("/api/v1/auth/token", json=body).status_code == 201
    stored = _stored(session, world.member)
    assert stored.startswith(SEALED) and secret not in stored


def test_db_upgrade_seals_every_plain_secret(world, app, session):
    secret = pyotp.random_base32()
    world.member.totp_secret, world.member.totp_enabled = secret, True
    world.board.totp_secret, world.board.totp_enabled = (
        seal("ALREADYSEALED234", app.config["SECRET_KEY"]),
        True,
    )
    already = world.board.totp_secret
    session.commit()
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "1 two-factor secrets encrypted" in result.output
    stored = _stored(session, world.member)
    assert stored.startswith(SEALED) and secret not in stored
    assert _stored(session, world.board) == already  # not sealed twice


def test_a_secret_sealed_under_another_key_never_lets_anyone_in(
    world, db_url, tmp_path, session
):
    secret = pyotp.random_base32()
    world.member.totp_secret = seal(secret, "a-different-secret-key")
    world.member.totp_enabled = True
    session.commit()
    other = build_app(db_url, tmp_path)
    body = {
        "email": world.member.email,
        "password": PASSWORD,
        "totp": pyotp.TOTP(secret).now(),
    }
    for totp in (body["totp"], ""):
        response = other.test_client().post(
            "/api/v1/auth/token", json={**body, "totp": totp}
        )
        assert response.status_code == 401
    other.extensions["ortsverein_db"][0].dispose()
