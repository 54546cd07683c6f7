"""Token, two-factor and reset attempts are limited per account too, not only per
client address, and the limit tells nothing about whether the account exists."""

from __future__ import annotations

import pyotp
import pytest

from tests.conftest import Auth, build_app
from tests.factories import PASSWORD


@pytest.fixture
def limited(db_url, tmp_path, world):
    app = build_app(
        db_url, tmp_path, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute"
    )
    yield app
    app.extensions["ortsverein_db"][0].dispose()


def _address(i: int) -> dict:
    return {"REMOTE_ADDR": f"10.0.1.{i + 1}"}


@pytest.mark.parametrize("email", ["mitglied@example.org", "niemand@example.org"])
def test_token_attempts_are_limited_per_account(limited, email):
    codes, bodies = [], []
    for i in range(3):  # three client addresses, one account
        response = limited.test_client().post(
            "/api/v1/auth/token",
            environ_base=_address(i),
            json={"email": email.upper() if i else email, "password": "falsch-falsch"},
        )
        codes.append(response.status_code)
        bodies.append(response.get_json())
    assert codes == [401, 401, 429]
    assert bodies[2]["error"]["code"] == "rate_limited"
    assert email not in str(bodies[2]).lower()


def test_form_and_token_attempts_count_together(limited, world):
    client = limited.test_client()
    token = Auth(client).csrf()
    form = {"csrf_token": token, "email": world.member.email, "password": "falsch!!"}
    first = client.post("/login", data=form, environ_base=_address(0))
    api = limited.test_client().post(
        "/api/v1/auth/token",
        environ_base=_address(1),
        json={"email": world.member.email, "password": "falsch!!"},
    )
    third = client.post("/login", data=form, environ_base=_address(2))
    assert (first.status_code, api.status_code, third.status_code) == (401, 401, 429)


@pytest.mark.parametrize("email", ["mitglied@example.org", "niemand@example.org"])
def test_reset_requests_are_limited_per_account(limited, email):
    codes = []
    for i in range(3):
        client = limited.test_client()
        token = Auth(client).csrf()
        response = client.post(
            "/reset",
            environ_base=_address(i),
            data={"csrf_token": token, "email": email},
        )
        codes.append(response.status_code)
    assert codes == [302, 302, 429]
    assert "Zu viele Versuche" in response.get_data(as_text=True)


def test_two_factor_codes_are_limited_per_account(limited, world, session):
    secret = pyotp.random_base32()
    world.member.totp_secret, world.member.totp_enabled = secret, True
    session.commit()
    client = limited.test_client()
    token = Auth(client).csrf()
    login = client.post(
        "/login",
        data={"csrf_token": token, "email": world.member.email, "password": PASSWORD},
    )
    assert login.headers["Location"].endswith("/login/2fa")
    codes = [
        client.post(
            "/login/2fa",
            environ_base=_address(i),  # the pending login's cookie, sent from anywhere
            data={"csrf_token": token, "code": "000000"},
        ).status_code
        for i in range(3)
    ]
    assert codes == [200, 200, 429]
