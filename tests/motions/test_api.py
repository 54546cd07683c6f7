"""The motions JSON API: books and motions with status history for members who may
see them (404 for others), submitting with the deadline enforced (409 with the
deadline in the message), supporting and taking support back, and the OpenAPI
document that describes every route."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from models import MotionBook, utcnow
from motions import services
from tests.factories import PASSWORD

from .conftest import act, submit

API = "/api/v1"


class Api:
    def __init__(self, client, member):
        response = client.post(
            f"{API}/auth/token", json={"email": member.email, "password": PASSWORD}
        )
        assert response.status_code == 201, response.get_json()
        self.client = client
        self.headers = {"Authorization": f"Bearer {response.get_json()['token']}"}

    def __call__(self, method, path, expect=200, **kwargs):
        response = self.client.open(
            f"{API}{path}", method=method, headers=self.headers, **kwargs
        )
        assert response.status_code == expect, response.get_json()
        return response.get_json()


def test_read_books_and_motions_with_history(app, session, world, client, book):
    with app.app_context():
        motion = submit(session, book, world.member)
        act(session, services.change_status, world.organiser, motion, "admitted")
    api = Api(client, world.board)
    books = api("GET", f"/motion-books?org={world.nord.id}")
    assert [b["id"] for b in books["items"]] == [book.id]
    assert books["next"] is None
    one = api("GET", f"/motion-books/{book.id}")
    assert one["timezone"] == "Europe/Berlin" and one["deadline_passed"] is False
    assert [c["name"] for c in one["categories"]] == ["Umwelt", "Verkehr"]
    assert one["may_submit"] is True
    listed = api("GET", f"/motion-books/{book.id}/motions")["items"]
    assert [(m["number"], m["status"]) for m in listed] == [("A1", "admitted")]
    history = api("GET", f"/motions/{motion.id}")["history"]
    assert [(h["from_status"], h["to_status"]) for h in history] == [
        (None, "submitted"),
        ("submitted", "admitted"),
    ]
    assert history[1]["actor"]["id"] == world.organiser.id


def test_submit_and_support(app, session, world, client, book):
    author = Api(client, world.member)
    created = author(
        "POST",
        f"/motion-books/{book.id}/motions",
        201,
        json={
            "title": "Bänke",
            "text": "Mehr Bänke.",
            "category_id": book.categories[1].id,
        },
    )
    assert created["number"] == "A1" and created["category"]["name"] == "Verkehr"
    assert created["submitters"] == [{"id": world.member.id, "name": world.member.name}]
    error = author("POST", f"/motions/{created['id']}/support", 409)["error"]
    assert error["code"] == "conflict"  # one's own motion
    supporter = Api(client, world.board)
    body = supporter("POST", f"/motions/{created['id']}/support")
    assert body["supporter_count"] == 1 and body["supported"] is True
    body = supporter("DELETE", f"/motions/{created['id']}/support")
    assert body["supporter_count"] == 0 and body["supported"] is False


def test_bad_input_late_and_foreign_requests(app, session, world, client, book):
    api = Api(client, world.member)
    error = api("POST", f"/motion-books/{book.id}/motions", 422, json={"text": "x"})
    assert "title" in error["error"]["fields"]
    error = api(
        "POST",
        f"/motion-books/{book.id}/motions",
        422,
        json={"title": "T", "text": "x", "category_id": 999},
    )["error"]
    assert error["fields"] == {
        "category_id": "Bitte wähle ein Sachgebiet aus der Liste."
    }
    session.execute(
        update(MotionBook)
        .where(MotionBook.id == book.id)
        .values(deadline=utcnow() - timedelta(minutes=5))
    )
    session.commit()
    error = api(
        "POST",
        f"/motion-books/{book.id}/motions",
        409,
        json={"title": "T", "text": "x"},
    )["error"]
    assert error["code"] == "deadline_passed" and "Europe/Berlin" in error["message"]
    other = Api(client, world.sued_member)
    assert other("GET", f"/motion-books/{book.id}", 404)["error"]["code"] == "not_found"
    assert other("GET", f"/motion-books?org={world.nord.id}")["items"] == []
    other(
        "POST",
        f"/motion-books/{book.id}/motions",
        404,
        json={"title": "T", "text": "x"},
    )


def test_every_motion_route_is_documented(client):
    doc = client.get(f"{API}/openapi.json").get_json()
    assert {
        "/api/v1/motion-books",
        "/api/v1/motion-books/{book_id}",
        "/api/v1/motion-books/{book_id}/motions",
        "/api/v1/motions/{motion_id}",
        "/api/v1/motions/{motion_id}/support",
    } <= set(doc["paths"])
    assert set(doc["paths"]["/api/v1/motions/{motion_id}/support"]) == {
        "post",
        "delete",
    }
    assert {"Motion", "MotionBook", "MotionSubmit", "MotionPage"} <= set(
        doc["components"]["schemas"]
    )
