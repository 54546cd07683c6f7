"""Amendments through the Flask test client: a member picks lines, loads their text
and proposes new text (no JavaScript); the diff marks words for eyes and screen
readers; lines that are gone are refused with the typed text kept; overlapping
amendments are flagged; the committee accepts and merges into a new version, the
old one kept and comparable; other branches see nothing."""

from __future__ import annotations

import html
import io

from pypdf import PdfReader
from sqlalchemy import select

from models import AmendmentStatus, Motion, MotionAmendment, MotionVersion
from motions.text import number_lines
from tests.factories import fresh

from .conftest import submit

TEXT = (
    "Der Ortsverein fordert den Ausbau der Radwege in allen Stadtteilen, "
    "insbesondere an den Schulen und entlang der Hauptstraßen, wo Kinder "
    "täglich unterwegs sind.\n\n"
    "- sichere Kreuzungen\n"
    "- Abstellanlagen an allen Haltestellen\n"
    "- eine Fahrradstraße durch die Innenstadt"
)


def _page(response) -> str:
    return response.get_data(as_text=True)


def _motion(app, session, book, world):
    with app.app_context():
        return submit(session, book, world.board, title="Radwege", text=TEXT)


def _switch(auth, member):
    auth.logout()
    auth.login(member)


def _propose(auth, motion_id, first, last, text, **extra):
    return auth.post(
        f"/motions/{motion_id}/amendments",
        {"first": first, "last": last, "text": text, "reasoning": "", **extra},
    )


def test_member_loads_lines_proposes_and_sees_the_diff(
    app, session, world, book, auth, client
):
    motion = _motion(app, session, book, world)
    lines = number_lines(TEXT)
    assert [line.text for line in lines[2:4]] == [
        "sichere Kreuzungen",
        "Abstellanlagen an allen Haltestellen",
    ]
    auth.login(world.member)
    page = _page(client.get(f"/motions/{motion.id}/amendments"))
    assert f"Der Antrag hat {len(lines)} Zeilen." in page
    loaded = _page(_propose(auth, motion.id, 3, 4, "", load="1"))
    assert "sichere Kreuzungen\n- Abstellanlagen an allen Haltestellen</textarea>" in (
        html.unescape(loaded)
    )
    response = _propose(
        auth,
        motion.id,
        3,
        4,
        "sichere und beleuchtete Kreuzungen\n- Abstellanlagen an allen Haltestellen",
    )
    assert response.status_code == 302, _page(response)[:3000]
    page = _page(client.get(response.headers["Location"]))
    assert "Ä1 zu " in page and "Zeile 3" in page
    assert (
        '<ins><span class="visually-hidden">eingefügt: </span>und beleuchtete</ins>'
    ) in page
    fresh(session)
    row = session.scalars(select(MotionAmendment)).one()
    assert (row.first_line, row.last_line, row.version) == (3, 4, 1)
    assert row.submitter_id == world.member.id


def test_lines_that_do_not_exist_are_refused_and_the_text_is_kept(
    app, session, world, book, auth, client
):
    motion = _motion(app, session, book, world)
    count = len(number_lines(TEXT))
    auth.login(world.member)
    response = _propose(auth, motion.id, count, count + 3, "Mein neuer Text")
    assert response.status_code == 422
    page = html.unescape(_page(response))
    assert f"nur {count} Zeilen" in page
    assert "Mein neuer Text</textarea>" in page
    unchanged = _propose(auth, motion.id, 1, 1, number_lines(TEXT)[0].text)
    assert unchanged.status_code == 422
    assert "ändert nichts" in _page(unchanged)
    fresh(session)
    assert session.scalars(select(MotionAmendment)).all() == []


def test_overlapping_amendments_are_flagged_and_not_merged_together(
    app, session, world, book, auth, client
):
    motion = _motion(app, session, book, world)
    auth.login(world.member)
    assert _propose(auth, motion.id, 1, 2, "Wir wollen Radwege.").status_code == 302
    assert _propose(auth, motion.id, 2, 3, "Und Bänke.").status_code == 302
    page = _page(client.get(f"/motions/{motion.id}/amendments"))
    assert "Überschneidet sich mit Ä2" in page and "Überschneidet sich mit Ä1" in page
    _switch(auth, world.organiser)
    fresh(session)
    for row in session.scalars(select(MotionAmendment)):
        auth.post(
            f"/motions/{motion.id}/amendments/{row.id}/decide", {"decision": "accept"}
        )
    response = auth.post(f"/motions/{motion.id}/merge", follow_redirects=True)
    page = _page(response)
    assert "Ä1" in page and "Ä2" in page and "dieselben Zeilen" in page
    fresh(session)
    assert session.get(Motion, motion.id).version == 1


def test_committee_merges_accepted_amendments_into_a_new_kept_version(
    app, session, world, book, auth, client
):
    motion = _motion(app, session, book, world)
    auth.login(world.member)
    _propose(auth, motion.id, 1, 1, "Der Ortsverein fordert sichere Radwege in allen")
    _propose(auth, motion.id, 5, 5, "eine Fahrradstraße durch jeden Stadtteil")
    _propose(auth, motion.id, 4, 4, "Abstellanlagen überall")  # to be rejected
    # a member cannot decide
    fresh(session)
    first_id = session.scalars(select(MotionAmendment.id)).first()
    refused = auth.post(
        f"/motions/{motion.id}/amendments/{first_id}/decide", {"decision": "accept"}
    )
    assert refused.status_code == 404
    _switch(auth, world.organiser)
    decisions = {"Ä1": "accept", "Ä2": "accept", "Ä3": "reject"}
    for row in session.scalars(select(MotionAmendment)):
        auth.post(
            f"/motions/{motion.id}/amendments/{row.id}/decide",
            {"decision": decisions[row.label]},
        )
    response = auth.post(f"/motions/{motion.id}/merge", follow_redirects=True)
    assert "Neue Fassung 2" in _page(response)
    fresh(session)
    merged = session.get(Motion, motion.id)
    assert merged.version == 2
    assert "fordert sichere Radwege in allen" in merged.text
    assert "- eine Fahrradstraße durch jeden Stadtteil" in merged.text
    assert "- Abstellanlagen an allen Haltestellen" in merged.text  # Ä3 rejected
    assert [v.number for v in session.scalars(select(MotionVersion))] == [1, 2]
    statuses = {
        r.label: (r.status, r.merged_into)
        for r in session.scalars(select(MotionAmendment))
    }
    assert statuses == {
        "Ä1": (AmendmentStatus.MERGED, 2),
        "Ä2": (AmendmentStatus.MERGED, 2),
        "Ä3": (AmendmentStatus.REJECTED, None),
    }
    # the motion page numbers the new text; the versions compare word by word
    assert "sichere" in _page(client.get(f"/motions/{motion.id}"))
    diff = _page(client.get(f"/motions/{motion.id}/versions?old=1&new=2"))
    assert '<span class="visually-hidden">gestrichen: </span>den Ausbau der' in diff
    assert '<span class="visually-hidden">eingefügt: </span>sichere' in diff
    assert "jeden Stadtteil" in diff


def test_an_amendment_to_lines_changed_since_is_refused_at_merge(
    app, session, world, book, auth, client
):
    motion = _motion(app, session, book, world)
    auth.login(world.member)
    _propose(auth, motion.id, 1, 1, "Der Ortsverein fordert sichere Radwege in allen")
    _propose(auth, motion.id, 2, 2, "an den Schulen, wo Kinder unterwegs sind.")
    _switch(auth, world.organiser)
    fresh(session)
    rows = {r.label: r.id for r in session.scalars(select(MotionAmendment))}
    decide = f"/motions/{motion.id}/amendments/{{}}/decide"
    auth.post(decide.format(rows["Ä1"]), {"decision": "accept"})
    auth.post(f"/motions/{motion.id}/merge")
    fresh(session)
    assert session.get(Motion, motion.id).version == 2
    # Ä2 was made against version 1; the merge moved other words onto its line 2
    page = _page(client.get(f"/motions/{motion.id}/amendments"))
    assert "Ä2 bezieht sich auf Fassung 1" in html.unescape(page)
    auth.post(decide.format(rows["Ä2"]), {"decision": "accept"})
    page = _page(auth.post(f"/motions/{motion.id}/merge", follow_redirects=True))
    assert "lauten in der aktuellen Fassung anders" in html.unescape(page)
    fresh(session)
    assert session.get(Motion, motion.id).version == 2


def test_another_branch_sees_no_amendments(app, session, world, book, auth, client):
    motion = _motion(app, session, book, world)
    auth.login(world.sued_member)
    assert client.get(f"/motions/{motion.id}/amendments").status_code == 404
    assert _propose(auth, motion.id, 1, 1, "x").status_code == 404
    assert client.get(f"/motions/{motion.id}/versions").status_code == 404


def test_book_and_motion_as_pdf_carry_the_open_amendments(
    app, session, world, book, auth, client
):
    motion = _motion(app, session, book, world)
    auth.login(world.member)
    _propose(auth, motion.id, 3, 3, "sichere und helle Kreuzungen")
    response = client.get(f"/motions/books/{book.id}/antragsbuch.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages]
    assert "Anträge zur Mitgliederversammlung" in pages[0]
    assert f"{motion.number}: Radwege" in pages[1]  # the contents
    text = "\n".join(pages[2:])
    assert f"Ä1 zu {motion.number}, Zeile 3" in text and "Mina" in text
    assert "helle" in text
    single = client.get(f"/motions/{motion.id}/antrag.pdf")
    assert single.status_code == 200
    assert (
        f"Ä1 zu {motion.number}"
        in PdfReader(io.BytesIO(single.data)).pages[0].extract_text()
    )
    _switch(auth, world.sued_member)
    assert client.get(f"/motions/books/{book.id}/antragsbuch.pdf").status_code == 404
    assert client.get(f"/motions/{motion.id}/antrag.pdf").status_code == 404
