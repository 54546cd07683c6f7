"""The member's own notifications and settings over the JSON API: listing, marking
read (one, all, up to the newest seen), the profile's settings, and the error
shape with fields."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Member, Notification
from ortsverein.notifications import notify
from tests.factories import PASSWORD, fresh

API = "/api/v1"


def _headers(client, member) -> dict:
    response = client.post(
        f"{API}/auth/token", json={"email": member.email, "password": PASSWORD}
    )
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def _notify(session, member, subject: str) -> int:
    notify(session, select(Member.id).where(Member.id == member.id), "x", subject, "/")
    session.commit()
    newest = session.scalar(select(Notification.id).order_by(Notification.id.desc()))
    session.commit()  # no snapshot left open: the app writes in between
    return newest


def test_notifications_listed_newest_first_and_marked_read(app, client, session, world):
    with app.app_context():
        first = _notify(session, world.member, "Eins")
        second = _notify(session, world.member, "Zwei")
        other = _notify(session, world.sued_member, "Geheim")
    headers = _headers(client, world.member)
    page = client.get(f"{API}/me/notifications?per_page=1", headers=headers)
    assert page.status_code == 200
    body = page.get_json()
    assert [n["id"] for n in body["items"]] == [second] and body["next"]
    assert body["items"][0]["text"] == "Zwei" and body["items"][0]["read_at"] is None
    rest = client.get(body["next"], headers=headers).get_json()
    assert [n["id"] for n in rest["items"]] == [first] and rest["next"] is None

    read = client.post(f"{API}/me/notifications/{first}/read", headers=headers)
    assert read.status_code == 200 and read.get_json()["read_at"]
    # someone else's notification is not there for this member
    gone = client.post(f"{API}/me/notifications/{other}/read", headers=headers)
    assert gone.status_code == 404
    assert gone.get_json()["error"]["code"] == "not_found"

    with app.app_context():
        third = _notify(session, world.member, "Drei")
    marked = client.post(
        f"{API}/me/notifications/read-all", json={"upto": second}, headers=headers
    )
    assert marked.status_code == 200 and marked.get_json() == {"marked": 1}
    fresh(session)
    unread = session.scalars(
        select(Notification.id).where(
            Notification.member_id == world.member.id, Notification.read_at.is_(None)
        )
    ).all()
    assert unread == [third]  # arrived after the newest the member saw
    assert client.post(
        f"{API}/me/notifications/read-all", headers=headers
    ).get_json() == {"marked": 1}


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/me/notifications"),
        ("POST", "/me/notifications/1/read"),
        ("POST", "/me/notifications/read-all"),
        ("GET", "/me/settings"),
        ("PATCH", "/me/settings"),
    ],
)
def test_own_routes_need_a_token(client, method, path):
    response = client.open(f"{API}{path}", method=method, json={})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthenticated"


def test_read_all_refuses_a_bad_upto(client, world):
    headers = _headers(client, world.member)
    response = client.post(
        f"{API}/me/notifications/read-all", json={"upto": "neu"}, headers=headers
    )
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"upto"}


def test_settings_read_and_changed_as_on_the_profile(client, session, world):
    headers = _headers(client, world.member)
    settings = client.get(f"{API}/me/settings", headers=headers).get_json()
    assert settings == {
        "notify_by_email": world.member.notify_by_email,
        "digest_by_email": world.member.digest_by_email,
        "digest_frequency": "off",
        "email_topics": {
            "mentions": True,
            "replies": True,
            "new_threads": True,
            "polls": True,
            "meetings": True,
        },
        "forums_without_email": [],
        "language": None,
    }
    changed = client.patch(
        f"{API}/me/settings",
        json={"digest_by_email": True, "language": "en"},
        headers=headers,
    )
    assert changed.status_code == 200
    assert changed.get_json()["digest_by_email"] is True
    assert changed.get_json()["digest_frequency"] == "daily"
    assert changed.get_json()["language"] == "en"
    fresh(session)
    member = session.get(Member, world.member.id)
    assert member.digest_by_email is True and member.locale == "en"
    assert member.notify_by_email == settings["notify_by_email"]  # left out: stays


@pytest.mark.parametrize(
    "body,field",
    [
        ({"language": "fr"}, "language"),
        ({"notify_by_email": "vielleicht"}, "notify_by_email"),
        ({"colour": "rot"}, "colour"),
        ({"digest_frequency": "stündlich"}, "digest_frequency"),
        ({"forums_without_email": [999999]}, "forums_without_email"),
    ],
)
def test_bad_settings_answer_422_with_one_message_per_field(client, world, body, field):
    headers = _headers(client, world.member)
    response = client.patch(f"{API}/me/settings", json=body, headers=headers)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and error["message"]
    assert list(error["fields"]) == [field]
    assert isinstance(error["fields"][field], str) and error["fields"][field]


def test_malformed_json_is_400(client, world):
    headers = _headers(client, world.member)
    response = client.patch(
        f"{API}/me/settings",
        data="{nicht json",
        headers={**headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_json"


def test_email_settings_per_topic_forum_and_frequency_through_the_api(
    client, session, world, forums
):
    headers = _headers(client, world.member)
    changed = client.patch(
        f"{API}/me/settings",
        json={
            "digest_frequency": "weekly",
            "email_topics": {"replies": False, "polls": False},
            "forums_without_email": [forums.nord.id],
        },
        headers=headers,
    )
    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()
    assert body["digest_frequency"] == "weekly" and body["digest_by_email"] is True
    assert body["email_topics"]["replies"] is False
    assert body["email_topics"]["mentions"] is True  # left out: stays
    assert body["forums_without_email"] == [forums.nord.id]
    # a forum the member may not see is refused, and nothing else changes with it
    refused = client.patch(
        f"{API}/me/settings",
        json={"digest_frequency": "off", "forums_without_email": [forums.sued.id]},
        headers=headers,
    )
    assert refused.status_code == 422
    again = client.get(f"{API}/me/settings", headers=headers).get_json()
    assert again["digest_frequency"] == "weekly"
    # the old switch still works: off, then on keeps the chosen frequency
    client.patch(f"{API}/me/settings", json={"digest_by_email": False}, headers=headers)
    off = client.get(f"{API}/me/settings", headers=headers).get_json()
    assert off["digest_frequency"] == "off"
    client.patch(f"{API}/me/settings", json={"digest_by_email": True}, headers=headers)
    on = client.get(f"{API}/me/settings", headers=headers).get_json()
    assert on["digest_frequency"] == "weekly"
