"""Forwarding an adopted motion up the tree, through the Flask test client: the
branch's board sends it to an open book of the Unterbezirk, where it appears as a
new motion with its origin, the adopted text as version 1 and the branch's status
history; the Unterbezirk's decision shows back at the branch. Once per book; a
passed deadline is named; other levels' books and other members get 404."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from models import AuditEntry, Motion, utcnow
from motions import services
from tests.factories import fresh

from .conftest import act, make_book, submit

TEXT = "Der Ortsverein fordert mehr Radwege.\n\nUnd Bänke."


def _page(response) -> str:
    return response.get_data(as_text=True)


def _adopted(session, world, book, **kw):
    motion = submit(session, book, world.member, text=TEXT, **kw)
    act(session, services.change_status, world.organiser, motion, "admitted")
    act(session, services.change_status, world.organiser, motion, "adopted")
    return motion


def _forward(auth, motion, book_id):
    return auth.post(f"/motions/{motion.id}/forward", {"book": book_id})


def test_board_forwards_and_sees_the_higher_decision(
    app, session, world, auth, client, book
):
    with app.app_context():
        motion = _adopted(session, world, book, category_id=book.categories[1].id)
        upper = make_book(
            session, world.ub, world.admin, title="UB-Parteitag", categories=["Verkehr"]
        )
        other = make_book(session, world.sued, world.admin, title="Süd-Buch")
    auth.login(world.board)
    page = _page(client.get(f"/motions/{motion.id}"))
    assert "An eine höhere Gliederung weiterleiten" in page
    assert f'<option value="{upper.id}">Unterbezirk: UB-Parteitag</option>' in page
    assert "Süd-Buch" not in page and f'value="{book.id}"' not in page

    response = _forward(auth, motion, upper.id)
    assert response.status_code == 302, _page(response)[:3000]
    assert "dort als A1" in _page(client.get(response.headers["Location"]))
    fresh(session)
    copy = session.scalars(select(Motion).where(Motion.book_id == upper.id)).one()
    assert (copy.number, copy.status.value, copy.title) == (
        "A1",
        "submitted",
        "Mehr Radwege",
    )
    assert copy.forwarded_from_id == motion.id and copy.on_behalf_of_id == world.nord.id
    assert [(v.number, v.text) for v in copy.versions] == [(1, motion.text)]
    assert copy.category is not None and copy.category.name == "Verkehr"
    assert copy.thread_id is not None  # its debate in the UB book's forum
    actions = set(session.scalars(select(AuditEntry.action)))
    assert {"motion.forwarded", "motion.forward_received"} <= actions

    there = _page(client.get(f"/motions/{copy.id}"))
    assert "Weitergeleitet von OV Nord: Beschluss A1" in there
    assert f'href="/motions/{motion.id}"' in there
    history = there.split("Verlauf in OV Nord")[1].split("</section>")[0]
    assert "beschlossen" in history and "zugelassen" in history

    with app.app_context():
        copy = services.get_motion(session, world.admin, copy.id)
        act(session, services.change_status, world.admin, copy, "admitted")
        act(session, services.change_status, world.admin, copy, "adopted")
    back = _page(client.get(f"/motions/{motion.id}"))
    forwarded = re.search(
        r"Weitergeleitet an „UB-Parteitag“ \(Unterbezirk\) als A1.*?</li>", back, re.S
    )
    assert forwarded, back
    assert "dort:" in forwarded.group(0) and "beschlossen" in forwarded.group(0)
    # Once per book: the book left the list, and a second post is refused.
    assert f'value="{upper.id}"' not in back
    again = _forward(auth, motion, upper.id)
    assert again.status_code == 422
    assert "bereits an „UB-Parteitag“ weitergeleitet" in _page(again)
    fresh(session)
    assert (
        len(session.scalars(select(Motion).where(Motion.book_id == upper.id)).all())
        == 1
    )
    assert other.id  # the sibling's book never was a target


def test_refusals_name_the_reason_or_answer_404(
    app, session, world, auth, client, book
):
    with app.app_context():
        motion = _adopted(session, world, book)
        pending = submit(session, book, world.member, title="Offen")
        late = make_book(
            session,
            world.land,
            world.admin,
            title="Landesparteitag",
            deadline=utcnow() - timedelta(minutes=5),
        )
        upper = make_book(session, world.ub, world.admin, title="UB-Parteitag")
        own = make_book(session, world.nord, world.organiser, title="Zweites Buch")
        sibling = make_book(session, world.sued, world.admin, title="Süd-Buch")
    auth.login(world.board)
    response = _forward(auth, motion, late.id)
    assert response.status_code == 422
    assert "Der Antragsschluss ist vorbei" in _page(response)
    assert "(Europe/Berlin)" in _page(response)
    response = _forward(auth, motion, own.id)
    assert response.status_code == 422
    assert "nur an ein Antragsbuch einer höheren Gliederung" in _page(response)
    assert _forward(auth, motion, sibling.id).status_code == 404  # not visible
    assert _forward(auth, motion, 999_999).status_code == 404
    response = _forward(auth, pending, upper.id)
    assert response.status_code == 422
    assert "nur beschlossene Anträge" in _page(response)
    assert "An eine höhere Gliederung weiterleiten" not in _page(
        client.get(f"/motions/{pending.id}")
    )
    fresh(session)
    assert (
        session.scalars(
            select(Motion).where(Motion.forwarded_from_id.is_not(None))
        ).all()
        == []
    )

    auth.logout()
    auth.login(world.member)  # not on the board
    assert _forward(auth, motion, upper.id).status_code == 404
    assert "weiterleiten" not in _page(client.get(f"/motions/{motion.id}"))
    auth.logout()
    auth.login(world.sued_board)  # another branch's board
    assert _forward(auth, motion, upper.id).status_code == 404


def test_a_sibling_branch_sees_the_origin_but_not_the_branch_motion(
    app, session, world, auth, client, book
):
    with app.app_context():
        motion = _adopted(session, world, book)
        upper = make_book(session, world.ub, world.admin, title="UB-Parteitag")
        copy = act(session, services.forward, world.board, motion, upper)
    auth.login(world.sued_member)
    page = _page(client.get(f"/motions/{copy.id}"))
    assert "Weitergeleitet von OV Nord: Beschluss A1" in page
    assert f'href="/motions/{motion.id}"' not in page
    assert "Verlauf in OV Nord" in page
    assert client.get(f"/motions/{motion.id}").status_code == 404


def test_the_api_shows_both_ends_of_a_forwarding(app, session, world, client, book):
    from .test_api import Api

    with app.app_context():
        motion = _adopted(session, world, book)
        upper = make_book(session, world.ub, world.admin, title="UB-Parteitag")
        copy = act(session, services.forward, world.board, motion, upper)
        copy = services.get_motion(session, world.admin, copy.id)
        act(session, services.change_status, world.admin, copy, "admitted")
    api = Api(client, world.member)
    origin = api("GET", f"/motions/{motion.id}")
    assert origin["forwarded_from"] is None
    assert [
        (f["motion_id"], f["book_title"], f["status"]) for f in origin["forwarded_to"]
    ] == [(copy.id, "UB-Parteitag", "admitted")]
    there = api("GET", f"/motion-books/{upper.id}/motions")["items"][0]
    assert there["forwarded_from"]["motion_id"] == motion.id
    assert there["forwarded_from"]["organisation"]["name"] == "OV Nord"
    assert there["on_behalf_of"]["name"] == "OV Nord" and there["forwarded_to"] == []


def test_the_board_forwards_through_the_api(app, session, world, client, book):
    from .test_api import API, Api

    with app.app_context():
        motion = _adopted(session, world, book)
        pending = submit(session, book, world.member, title="Offen")
        upper = make_book(session, world.ub, world.admin, title="UB-Parteitag")
        late = make_book(
            session,
            world.land,
            world.admin,
            title="Landesparteitag",
            deadline=utcnow() - timedelta(minutes=5),
        )
        own = make_book(session, world.nord, world.organiser, title="Zweites Buch")
        sibling = make_book(session, world.sued, world.admin, title="Süd-Buch")
    path = f"/motions/{motion.id}/forward"

    def code(body):
        return body["error"]["code"]

    member = Api(client, world.member)  # sees the motion, is not on the board
    assert code(member("POST", path, 403, json={"book_id": upper.id})) == "not_board"
    board = Api(client, world.board)
    refused = board(
        "POST", f"/motions/{pending.id}/forward", 409, json={"book_id": upper.id}
    )
    assert code(refused) == "not_adopted"
    refused = board("POST", path, 422, json={"book_id": own.id})
    assert code(refused) == "book_not_higher"
    assert "höheren Gliederung" in refused["error"]["fields"]["book_id"]
    refused = board("POST", path, 409, json={"book_id": late.id})
    assert code(refused) == "deadline_passed"
    assert "(Europe/Berlin)" in refused["error"]["message"]
    assert code(board("POST", path, 404, json={"book_id": sibling.id})) == "not_found"
    assert code(board("POST", path, 422, json={})) == "validation_error"
    fresh(session)
    assert session.scalars(select(Motion).where(Motion.book_id == upper.id)).all() == []

    created = board("POST", path, 201, json={"book_id": upper.id})
    assert (created["book_id"], created["number"], created["status"]) == (
        upper.id,
        "A1",
        "submitted",
    )
    assert created["text"] == TEXT and created["on_behalf_of"]["name"] == "OV Nord"
    assert created["forwarded_from"]["motion_id"] == motion.id
    again = board("POST", path, 409, json={"book_id": upper.id})
    assert code(again) == "already_forwarded"
    origin = board("GET", f"/motions/{motion.id}")
    assert [f["motion_id"] for f in origin["forwarded_to"]] == [created["id"]]
    fresh(session)
    assert (
        session.scalar(
            select(AuditEntry).where(AuditEntry.action == "motion.forwarded")
        ).actor_id
        == world.board.id
    )

    doc = client.get(f"{API}/openapi.json").get_json()
    route = doc["paths"]["/api/v1/motions/{motion_id}/forward"]
    assert set(route) == {"post"}
    assert "MotionForward" in doc["components"]["schemas"]
    assert {"403", "404", "409", "422"} <= set(route["post"]["responses"])
