"""Withdrawing an amendment and the amendment deadline, through the Flask test
client and the JSON API: the submitter takes an amendment back until it is put to
a vote (audit-logged, shown on the motion and amendments pages, no longer offered
once voted on); members' amendments are refused after the book's deadline, named
in its time zone, while the motion committee may still propose."""

from __future__ import annotations

import io
import json
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import select, update

from meetings import attendance
from meetings import services as meeting_services
from models import AmendmentStatus, AuditEntry, MotionAmendment, MotionBook, utcnow
from motions import amendments, services
from tests.factories import fresh, make_meeting, meeting_action

from .conftest import act, make_book, submit
from .test_api import Api

TEXT = "Der Ortsverein fordert mehr Radwege.\n\nUnd Bänke."


def _page(response) -> str:
    return response.get_data(as_text=True)


def _propose(auth, motion_id, first, last, text):
    return auth.post(
        f"/motions/{motion_id}/amendments",
        {"first": first, "last": last, "text": text, "reasoning": ""},
    )


def _withdraw(auth, motion_id, amendment_id):
    return auth.post(
        f"/motions/{motion_id}/amendments/{amendment_id}/withdraw",
        follow_redirects=True,
    )


def _close_book(session, book):
    session.execute(
        update(MotionBook)
        .where(MotionBook.id == book.id)
        .values(deadline=utcnow() - timedelta(minutes=5))
    )
    session.commit()


def test_the_submitter_withdraws_an_amendment(app, session, world, auth, client, book):
    with app.app_context():
        motion = submit(session, book, world.board, text=TEXT)
        mine = act(session, amendments.propose, world.member, motion, 1, 1, "Radwege!")
        other = act(session, amendments.propose, world.board, motion, 2, 2, "Bäume.")
    auth.login(world.member)
    page = _page(client.get(f"/motions/{motion.id}/amendments"))
    assert "Ä1 zurückziehen" in page and "Ä2 zurückziehen" not in page
    # Someone else's amendment cannot be withdrawn by them.
    refused = _page(_withdraw(auth, motion.id, other.id))
    assert "Zurückziehen kann nur, wer den Änderungsantrag gestellt hat." in refused
    assert _withdraw(auth, motion.id, 999_999).status_code == 404

    done = _page(_withdraw(auth, motion.id, mine.id))
    assert "Der Änderungsantrag Ä1 ist zurückgezogen." in done
    assert "Ä1 zurückziehen" not in done
    assert '<span class="badge badge--neutral">zurückgezogen</span>' in done
    motion_page = _page(client.get(f"/motions/{motion.id}"))
    assert (
        f'href="/motions/{motion.id}/amendments#amendment-{mine.id}">Ä1 '
        '<span class="badge badge--neutral">zurückgezogen</span></a>'
    ) in motion_page
    again = _page(_withdraw(auth, motion.id, mine.id))
    assert "Ä1 ist zurückgezogen; zurückziehen lässt er sich nicht mehr" in again
    fresh(session)
    assert session.get(MotionAmendment, mine.id).status == AmendmentStatus.WITHDRAWN
    assert session.get(MotionAmendment, other.id).status == AmendmentStatus.SUBMITTED
    logged = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "motion.amendment_withdrawn")
    ).all()
    assert [(e.actor_id, json.loads(e.details)["amendment"]) for e in logged] == [
        (world.member.id, "Ä1")
    ]
    # The motion's PDF prints the open amendment only.
    pdf = client.get(f"/motions/{motion.id}/antrag.pdf")
    printed = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Ä2" in printed and "Ä1" not in printed
    # The committee can no longer decide on it.
    auth.logout()
    auth.login(world.organiser)
    page = _page(client.get(f"/motions/{motion.id}/amendments"))
    assert f'id="decision-{mine.id}"' not in page
    assert f'id="decision-{other.id}"' in page
    refused = _page(
        auth.post(
            f"/motions/{motion.id}/amendments/{mine.id}/decide",
            {"decision": "accept"},
            follow_redirects=True,
        )
    )
    assert "Dieser Änderungsantrag ist zurückgezogen." in refused
    fresh(session)
    assert session.get(MotionAmendment, mine.id).status == AmendmentStatus.WITHDRAWN


def test_an_amendment_put_to_the_vote_is_not_withdrawn(
    app, session, world, auth, client
):
    meeting = make_meeting(session, world.nord, world.organiser)
    with app.app_context():
        book = make_book(
            session,
            world.nord,
            world.organiser,
            occasion="meeting",
            meeting_id=meeting.id,
        )
        motion = submit(session, book, world.member, text=TEXT)
        first = act(
            session,
            amendments.propose,
            world.board,
            motion,
            1,
            1,
            "Der Ortsverein fordert sichere Radwege.",
        )
        act(session, amendments.decide, world.organiser, motion, first.id, True)
        act(session, services.change_status, world.organiser, motion, "admitted")
    meeting_action(session, meeting_services.start, world.organiser, meeting)
    meeting_action(session, attendance.check_in, world.organiser, meeting)
    auth.login(world.board)
    # Accepted by the committee but not yet voted on: still withdrawable.
    assert "Ä1 zurückziehen" in _page(client.get(f"/motions/{motion.id}/amendments"))
    auth.logout()
    auth.login(world.organiser)
    response = auth.post(
        f"/motions/{motion.id}/amendments/{first.id}/vote", follow_redirects=True
    )
    assert "Die Abstimmung läuft" in _page(response)
    auth.logout()
    auth.login(world.board)
    assert "Ä1 zurückziehen" not in _page(
        client.get(f"/motions/{motion.id}/amendments")
    )
    refused = _page(_withdraw(auth, motion.id, first.id))
    assert "Über den Änderungsantrag Ä1 wird schon abgestimmt" in refused
    api = Api(client, world.board)
    error = api("POST", f"/motions/{motion.id}/amendments/{first.id}/withdraw", 409)[
        "error"
    ]
    assert error["code"] == "transition_not_allowed"
    fresh(session)
    assert session.get(MotionAmendment, first.id).status == AmendmentStatus.ACCEPTED


def test_members_amendments_end_with_the_deadline_the_committee_may_go_on(
    app, session, world, auth, client, book
):
    with app.app_context():
        motion = submit(session, book, world.board, text=TEXT)
    _close_book(session, book)
    auth.login(world.member)
    page = _page(client.get(f"/motions/{motion.id}/amendments"))
    assert "Änderungsanträge sind nicht mehr möglich" in page
    assert "(Europe/Berlin)" in page
    assert 'name="first"' not in page  # the form is not offered
    response = _propose(auth, motion.id, 1, 1, "Spät.")
    assert response.status_code == 422
    assert "Der Antragsschluss ist vorbei" in _page(response)
    assert "Spät.</textarea>" in _page(response)  # what was typed is kept
    api = Api(client, world.member)
    error = api(
        "POST",
        f"/motions/{motion.id}/amendments",
        409,
        json={"first_line": 1, "last_line": 1, "text": "Spät."},
    )["error"]
    assert error["code"] == "deadline_passed"
    assert "(Europe/Berlin)" in error["message"]
    fresh(session)
    assert session.scalars(select(MotionAmendment)).all() == []

    auth.logout()
    auth.login(world.organiser)  # the motion committee
    page = _page(client.get(f"/motions/{motion.id}/amendments"))
    assert "nur noch die Antragskommission" in page and 'name="first"' in page
    response = _propose(auth, motion.id, 1, 1, "Die Kommission formuliert neu.")
    assert response.status_code == 302, _page(response)[:2000]
    committee = Api(client, world.organiser)
    created = committee(
        "POST",
        f"/motions/{motion.id}/amendments",
        201,
        json={"first_line": 2, "last_line": 2, "text": "Und Bäume."},
    )
    assert created["label"] == "Ä2"


def test_withdrawal_through_the_api(app, session, world, client, book):
    with app.app_context():
        motion = submit(session, book, world.board, text=TEXT)
        row = act(session, amendments.propose, world.member, motion, 1, 1, "Radwege!")
    path = f"/motions/{motion.id}/amendments/{row.id}/withdraw"
    other = Api(client, world.board)
    assert other("POST", path, 403)["error"]["code"] == "forbidden"
    mine = Api(client, world.member)
    body = mine("POST", path)
    assert (body["label"], body["status"]) == ("Ä1", "withdrawn")
    listed = mine("GET", f"/motions/{motion.id}/amendments")["items"]
    assert [a["status"] for a in listed] == ["withdrawn"]
    again = mine("POST", path, 409)["error"]
    assert again["code"] == "transition_not_allowed"
    assert mine("POST", f"/motions/{motion.id}/amendments/999999/withdraw", 404)
    doc = client.get("/api/v1/openapi.json").get_json()
    route = doc["paths"][
        "/api/v1/motions/{motion_id}/amendments/{amendment_id}/withdraw"
    ]
    assert set(route) == {"post"}
    assert {"403", "404", "409"} <= set(route["post"]["responses"])
