"""Motion pages through the Flask test client: an organiser opens a book, a member
submits (the text kept on an error, a late motion refused with the deadline), a
member supports with one click, the committee decides, the submitter withdraws;
pages of another branch's book answer 404; German and English."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from models import Motion, MotionBook, MotionStatus, utcnow
from tests.factories import fresh

from .conftest import submit


def _page(response) -> str:
    return response.get_data(as_text=True)


def test_organiser_creates_a_book_with_deadline_in_its_zone(
    app, session, world, auth, client
):
    auth.login(world.organiser)
    form = _page(client.get("/motions/books/new"))
    assert 'name="deadline"' in form
    response = auth.post(
        "/motions/books/new",
        {
            "org": world.nord.id,
            "title": "Anträge zum Parteitag",
            "occasion": "conference",
            "conference_title": "Unterbezirksparteitag 2027",
            "conference_org": world.ub.id,
            "deadline": "2027-03-01T18:00",
            "timezone": "Europe/Berlin",
            "members_may_submit": "y",
            "supporters_needed": "3",
            "categories": "Umwelt\nVerkehr\n",
            "prefix": "P",
            "meeting": "",
        },
    )
    assert response.status_code == 302, _page(response)[:2000]
    fresh(session)
    book = session.scalars(select(MotionBook)).one()
    assert book.deadline.isoformat() == "2027-03-01T17:00:00+00:00"
    assert [c.name for c in book.categories] == ["Umwelt", "Verkehr"]
    page = _page(client.get(response.headers["Location"]))
    assert "Unterbezirksparteitag 2027 (Unterbezirk)" in page
    assert "01.03.2027, 18:00:00 (Europe/Berlin)" in page
    assert book.forum.name == "Anträge: Anträge zum Parteitag"


def test_book_form_keeps_input_and_names_the_error(world, auth, client):
    auth.login(world.organiser)
    response = auth.post(
        "/motions/books/new",
        {
            "org": world.nord.id,
            "title": "Buch",
            "occasion": "conference",
            "conference_title": "",
            "timezone": "Europe/Berlin",
            "categories": "Frieden",
            "prefix": "A",
            "meeting": "",
            "conference_org": "",
        },
    )
    assert response.status_code == 422
    page = _page(response)
    assert "Bitte nenne den Parteitag" in page
    assert "Frieden</textarea>" in page


def test_members_cannot_open_books(world, auth, client):
    auth.login(world.member)
    assert client.get("/motions/books/new").status_code == 404


def test_submit_keeps_the_text_on_error_then_files_the_motion(
    session, world, auth, client, book
):
    auth.login(world.member)
    text = "Der Ortsverein fordert:\n\n* mehr Bänke\n* mehr Bäume"
    response = auth.post(
        f"/motions/books/{book.id}/submit",
        {"title": "", "text": text, "on_behalf_of": "self", "category": ""},
    )
    assert response.status_code == 422
    page = _page(response)
    assert "mehr Bänke" in page and "mehr Bäume" in page
    response = auth.post(
        f"/motions/books/{book.id}/submit",
        {
            "title": "Bänke",
            "text": text,
            "reasoning": "Zum Ausruhen",
            "on_behalf_of": "self",
            "category": str(book.categories[0].id),
        },
    )
    assert response.status_code == 302
    page = _page(client.get(response.headers["Location"], follow_redirects=True))
    assert "A1: Bänke" in page
    assert '<span class="motion-line__marker">*</span> mehr Bänke' in page
    assert "Zum Ausruhen" in page
    assert "Zur Diskussion im Forum" in page
    book_page = _page(client.get(f"/motions/books/{book.id}"))
    assert "Umwelt" in book_page and "A1: Bänke" in book_page
    assert "eingereicht" in book_page and "0 Unterstützungen" in book_page


def test_late_submission_is_refused_with_the_deadline(
    session, world, auth, client, book
):
    session.execute(
        update(MotionBook)
        .where(MotionBook.id == book.id)
        .values(deadline=utcnow() - timedelta(hours=1))
    )
    session.commit()
    auth.login(world.member)
    response = auth.post(
        f"/motions/books/{book.id}/submit",
        {
            "title": "Zu spät",
            "text": "Text bleibt",
            "on_behalf_of": "self",
            "category": "",
        },
    )
    assert response.status_code == 422
    page = _page(response)
    assert "Der Antragsschluss ist vorbei" in page and "(Europe/Berlin)" in page
    assert "Text bleibt" in page
    fresh(session)
    assert session.scalars(select(Motion)).all() == []


def test_support_decide_and_withdraw_through_the_pages(
    app, session, world, auth, client, book
):
    with app.app_context():
        motion = submit(session, book, world.member)
    auth.login(world.board)
    page = _page(client.get(f"/motions/{motion.id}"))
    assert "Antrag unterstützen" in page
    assert "Status ändern" not in page  # the board is not the motion committee
    auth.post(f"/motions/{motion.id}/support")
    page = _page(client.get(f"/motions/{motion.id}"))
    assert "1 Unterstützung" in page and "Unterstützung zurücknehmen" in page
    assert (
        auth.post(f"/motions/{motion.id}/status", {"status": "admitted"}).status_code
        == 404
    )
    auth.logout()
    auth.login(world.organiser)
    response = auth.post(
        f"/motions/{motion.id}/status",
        {"status": "adopted", "recommendation": "", "note": "Mein Vermerk"},
    )
    assert response.status_code == 422
    page = _page(response)
    assert "kann nicht" in page  # submitted cannot become adopted at once
    assert "Mein Vermerk</textarea>" in page
    response = auth.post(
        f"/motions/{motion.id}/status",
        {"status": "recommended", "recommendation": "refer", "note": "x"},
    )
    assert response.status_code == 422
    assert "kann nicht" in _page(response)
    auth.post(
        f"/motions/{motion.id}/status",
        {"status": "admitted", "recommendation": "", "note": "passt"},
    )
    page = _page(client.get(f"/motions/{motion.id}"))
    assert re.search(r"eingereicht → <strong>zugelassen</strong>", page)
    assert "passt" in page
    auth.logout()
    auth.login(world.member)
    auth.post(f"/motions/{motion.id}/withdraw", {"note": ""})
    fresh(session)
    assert session.get(Motion, motion.id).status == MotionStatus.WITHDRAWN


def test_other_branches_get_404_and_english_reads_english(
    app, session, world, auth, client, book
):
    with app.app_context():
        motion = submit(session, book, world.member)
    auth.login(world.sued_member)
    assert client.get(f"/motions/books/{book.id}").status_code == 404
    assert client.get(f"/motions/{motion.id}").status_code == 404
    assert auth.post(f"/motions/{motion.id}/support").status_code == 404
    assert book.title not in _page(client.get("/motions/"))
    auth.logout()
    auth.login(world.member)
    client.set_cookie("lang", "en")
    auth.post("/profile/language", {"lang": "en", "next": "/"})
    page = _page(client.get(f"/motions/{motion.id}"))
    assert "Motion text" in page and "submitted" in page
    index = _page(client.get("/motions/"))
    assert "Motion books" in index and book.title in index


def test_the_text_shows_numbered_printed_lines_across_paragraphs(
    app, session, world, auth, client, book
):
    first = " ".join(["Radweg"] * 30)  # 209 characters: three printed lines
    with app.app_context():
        motion = submit(
            session, book, world.member, text=f"{first}\n\nZweiter **Absatz**."
        )
    auth.login(world.member)
    page = _page(client.get(f"/motions/{motion.id}"))
    numbers = re.findall(r'<span class="motion-line__no">(\d+)</span>', page)
    assert numbers == ["1", "2", "3", "4"]
    lines = re.findall(r'<span class="motion-line__text">(.*?)</span></li>', page)
    assert all(len(line) <= 80 for line in lines[:3])
    assert " ".join(lines[:3]) == first
    assert lines[3] == "Zweiter <strong>Absatz</strong>."
