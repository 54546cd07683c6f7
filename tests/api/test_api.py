"""The JSON API: token login, /me, the error shape, the OpenAPI document."""

from __future__ import annotations

import pyotp
import pytest
from sqlalchemy import select

from models import ApiToken
from tests.factories import PASSWORD, fresh


def _token(client, member, **extra) -> str:
    response = client.post(
        "/api/v1/auth/token",
        json={"email": member.email, "password": PASSWORD, **extra},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


def test_token_login_and_me(world, client):
    token = _token(client, world.board, name="Handy")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    me = response.get_json()
    assert me["id"] == world.board.id
    assert me["email"] == "vorstand@example.org"
    assert me["home_branch"] == {
        "id": world.nord.id,
        "name": "OV Nord",
        "slug": "ov-nord",
    }
    assert me["roles"] == [
        {
            "role": "board",
            "organisation": {"id": world.nord.id, "name": "OV Nord", "slug": "ov-nord"},
        }
    ]
    assert "password_hash" not in me and "totp_secret" not in me


def test_tokens_are_stored_hashed(world, client, session):
    token = _token(client, world.member)
    fresh(session)
    stored = session.scalars(select(ApiToken.token_hash)).all()
    assert token not in stored
    assert len(stored) == 1 and len(stored[0]) == 64


@pytest.mark.parametrize(
    "body,status,code",
    [
        (
            {"email": "mitglied@example.org", "password": "falsch"},
            401,
            "invalid_credentials",
        ),
        (
            {"email": "niemand@example.org", "password": PASSWORD},
            401,
            "invalid_credentials",
        ),
        ({"email": "kein-email", "password": "x"}, 422, "validation_error"),
        ({"password": "x"}, 422, "validation_error"),
    ],
)
def test_token_login_errors(world, client, body, status, code):
    response = client.post("/api/v1/auth/token", json=body)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert response.get_json()["error"]["message"]


def test_non_json_body(client):
    response = client.post(
        "/api/v1/auth/token",
        data="email=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_json"


def test_token_login_with_two_factor(world, client, session):
    secret = pyotp.random_base32()
    world.member.totp_secret, world.member.totp_enabled = secret, True
    session.commit()
    body = {"email": world.member.email, "password": PASSWORD}
    assert (
        client.post("/api/v1/auth/token", json=body).get_json()["error"]["code"]
        == "totp_required"
    )
    wrong = client.post("/api/v1/auth/token", json={**body, "totp": "000000"})
    assert wrong.get_json()["error"]["code"] == "invalid_totp"
    ok = client.post(
        "/api/v1/auth/token", json={**body, "totp": pyotp.TOTP(secret).now()}
    )
    assert ok.status_code == 201


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer ov_unknown", "Basic abc"])
def test_me_needs_a_valid_token(client, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] in ("unauthenticated", "invalid_token")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_and_deactivated_member(world, client, auth, session):
    token = _token(client, world.member)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    token = _token(client, world.member)
    headers = {"Authorization": f"Bearer {token}"}
    auth.login(world.board)
    auth.post(f"/members/{world.member.id}/deactivate")
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_token_use_is_recorded_at_most_hourly(world, client, session):
    """The profile lists when each token was last used; an API read writes that at
    most once an hour."""
    from datetime import timedelta

    from sqlalchemy import update

    from models import utcnow

    headers = {"Authorization": f"Bearer {_token(client, world.member)}"}
    two_hours_ago = utcnow() - timedelta(hours=2)
    session.execute(update(ApiToken).values(last_used_at=two_hours_ago))
    session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    fresh(session)
    used = session.scalar(select(ApiToken.last_used_at))
    assert used > utcnow() - timedelta(minutes=1)
    ten_minutes_ago = utcnow() - timedelta(minutes=10)
    session.execute(update(ApiToken).values(last_used_at=ten_minutes_ago))
    session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    fresh(session)
    assert session.scalar(select(ApiToken.last_used_at)) == ten_minutes_ago


def test_token_revoked_on_profile_page(world, client, auth):
    token = _token(client, world.member, name="Skript")
    auth.login(world.member)
    page = client.get("/profile/").get_data(as_text=True)
    assert "Skript" in page and token not in page
    fresh_id = page.split("/profile/tokens/")[1].split("/")[0]
    auth.post(f"/profile/tokens/{fresh_id}/revoke")
    assert (
        client.get(
            "/api/v1/me", headers={"Authorization": f"Bearer {token}"}
        ).status_code
        == 401
    )


def test_unknown_api_route_and_method_are_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json() == {
        "error": {
            "code": "not_found",
            "message": response.get_json()["error"]["message"],
        }
    }
    response = client.get("/api/v1/auth/token")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_openapi_document_is_valid_and_generated(client):
    from openapi_spec_validator import validate

    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    validate(doc)
    assert {"/api/v1/auth/token", "/api/v1/me"} <= set(doc["paths"])
    assert set(doc["paths"]["/api/v1/auth/token"]) == {"post", "delete"}
    assert "Member" in doc["components"]["schemas"]
    assert doc["paths"]["/api/v1/auth/token"]["post"]["security"] == []


def test_token_endpoint_is_rate_limited(world, db_url, tmp_path):
    from tests.conftest import build_app

    app = build_app(
        db_url, tmp_path, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2/minute"
    )
    client = app.test_client()
    codes = [
        client.post(
            "/api/v1/auth/token", json={"email": world.member.email, "password": "x"}
        ).status_code
        for _ in range(3)
    ]
    assert codes == [401, 401, 429]
    assert (
        client.post("/api/v1/auth/token", json={}).get_json()["error"]["code"]
        == "rate_limited"
    )
    app.extensions["ortsverein_db"][0].dispose()


@pytest.mark.parametrize(
    "body",
    [
        {"email": "mitglied@example.org", "password": "\ud800"},
        {"email": "mitglied@example.org\x00", "password": PASSWORD},
        {"email": "mitglied@example.org", "password": PASSWORD, "name": "a\x00b"},
        {"email": "mitglied@example.org", "password": PASSWORD, "x": [{"y": "\udfff"}]},
    ],
)
def test_json_text_that_is_not_text_is_refused_by_name(world, client, body):
    """A lone surrogate is valid JSON but no text, and NUL no text PostgreSQL
    stores: a 422 naming the field, before anything tries to use it."""
    response = client.post("/api/v1/auth/token", json=body)
    assert response.status_code == 422, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and error["fields"]


def test_json_nested_deeper_than_the_parser_goes_is_invalid(client):
    response = client.post(
        "/api/v1/auth/token",
        data="[" * 100_000,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_json"


def test_every_operation_documents_its_errors_with_the_error_schema(client):
    """What a client and the contract run rely on: each error status an operation
    can answer is documented, with the one error body."""
    doc = client.get("/api/v1/openapi.json").get_json()
    error = {"$ref": "#/components/schemas/Error"}
    body = doc["components"]["schemas"]["ErrorBody"]
    assert set(body["properties"]) == {"code", "message", "fields"}
    assert body["properties"]["fields"]["additionalProperties"] == {"type": "string"}
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            where = f"{method.upper()} {path}"
            assert "400" in responses, where
            if operation.get("security") != []:
                assert "401" in responses, where
            if "requestBody" in operation:
                assert "422" in responses, where
            if "{" in path:
                assert "404" in responses, where
            for status, response in responses.items():
                if int(status) >= 400:
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == error, (where, status)
    token = doc["paths"]["/api/v1/auth/token"]["post"]["responses"]
    assert {"403", "429"} <= set(token)
