"""A motion from submission to the higher level's book, in three Chromium contexts:
a member submits it to the branch's book for its meeting, two others support it,
the motion committee admits it, the member proposes an amendment and the
committee accepts it for the vote; in the running meeting the chair puts the
amendment to the vote, then the motion as amended (version 2), the members vote
from the room, and the board forwards the adopted motion to the Unterbezirk's
book, where it shows with its origin and its amended text."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from meetings import services as meeting_services
from tests.browser.test_election_meeting import _in_room, _vote
from tests.browser.test_forum_live import _login
from tests.factories import make_meeting, meeting_action
from tests.motions.conftest import make_book

pytestmark = pytest.mark.browser


def _flash(page, text: str) -> None:
    expect(page.get_by_text(text).first).to_be_visible()


def _close(chair, motion_url: str) -> None:
    chair.goto(motion_url)
    chair.get_by_role("button", name="Abstimmung schließen und auszählen").click()
    _flash(chair, "Die Abstimmung ist geschlossen und ausgezählt.")


def test_motion_amended_adopted_in_the_meeting_and_forwarded(
    app, world, session, live_server, browser
):
    meeting = make_meeting(
        session, world.nord, world.organiser, title="Jahresversammlung"
    )
    with app.app_context():
        book = make_book(
            session,
            world.nord,
            world.organiser,
            title="Anträge zur Jahresversammlung",
            occasion="meeting",
            meeting_id=meeting.id,
            supporters_needed=2,
        )
        make_book(session, world.ub, world.admin, title="UB-Parteitag")
    meeting_action(session, meeting_services.start, world.organiser, meeting)
    base = live_server.url
    room_url = f"{base}/meetings/{meeting.id}"
    contexts = [browser.new_context(locale="de-DE") for _ in range(3)]
    try:
        author, board, chair = (c.new_page() for c in contexts)
        for page, member in (
            (author, world.member),
            (board, world.board),
            (chair, world.organiser),
        ):
            page.set_default_timeout(30_000)
            _login(page, base, member)

        # The member submits the motion to the branch's book.
        author.goto(f"{base}/motions/books/{book.id}/submit")
        author.get_by_label("Titel").fill("Mehr Radwege")
        author.get_by_label("Antragstext").fill(
            "Der Ortsverein fordert mehr Radwege.\n\nUnd Bänke an den Haltestellen."
        )
        author.get_by_label("Begründung").fill("Weil Radfahren allen nützt.")
        author.get_by_role("button", name="Antrag einreichen").click()
        _flash(author, "Dein Antrag A1 ist eingereicht.")
        author.wait_for_url(re.compile(r"/motions/\d+$"))
        motion_url = author.url

        # Two others support it; the committee admits it.
        for page in (board, chair):
            page.goto(motion_url)
            page.get_by_role("button", name="Antrag unterstützen").click()
            _flash(page, "Du unterstützt den Antrag A1.")
        chair.get_by_label("Neuer Status").select_option(label="zugelassen")
        chair.get_by_role("button", name="Status ändern").click()
        _flash(chair, "Der Status ist geändert.")

        # The member proposes an amendment to line 1; the committee accepts it.
        author.goto(f"{motion_url}/amendments")
        author.get_by_label("Von Zeile").fill("1")
        author.get_by_label("Bis Zeile").fill("1")
        author.get_by_label("Neuer Text dieser Zeilen").fill(
            "Der Ortsverein fordert sichere Radwege."
        )
        author.get_by_role("button", name="Änderungsantrag stellen").click()
        _flash(author, "Der Änderungsantrag Ä1 ist gestellt.")
        chair.goto(f"{motion_url}/amendments")
        decide = chair.locator("form", has=chair.get_by_label("Entscheidung zu Ä1"))
        decide.get_by_label("Entscheidung zu Ä1").select_option(label="annehmen")
        decide.get_by_role("button", name="Speichern").click()
        _flash(chair, "Entschieden: Ä1.")

        # In the meeting: everyone keeps the room open in a tab of their own
        # (present the whole time; the other tab goes to ballots and pages).
        rooms = [c.new_page() for c in contexts]
        for room in rooms:
            room.set_default_timeout(30_000)
            _in_room(room, room_url)
        # Back to the first tab, as a member would look at it: a hidden tab gets
        # no animation frames, and Playwright waits for them before every click.
        for page in (author, board, chair):
            page.bring_to_front()
        # The amendment first.
        chair.goto(motion_url)
        expect(
            chair.get_by_role("button", name="Abstimmung über den Antrag starten")
        ).to_have_count(0)
        chair.get_by_role(
            "button", name="Abstimmung über Änderungsantrag Ä1 starten"
        ).click()
        _flash(chair, "Die Abstimmung läuft; der Saal sieht sie live.")
        for page in (author, board, chair):
            _vote(page, room_url, "Ja")
        _close(chair, motion_url)

        # Then the motion as amended: version 2 with the amendment merged.
        expect(
            chair.get_by_text(
                "Abgestimmt wird über den Antrag in der geänderten Fassung (Fassung 2)"
            )
        ).to_be_visible()
        expect(chair.locator(".motion-text")).to_contain_text(
            "Der Ortsverein fordert sichere Radwege."
        )
        chair.get_by_role(
            "button",
            name="Abstimmung über den Antrag in der geänderten Fassung "
            "(Fassung 2) starten",
        ).click()
        _flash(chair, "Die Abstimmung läuft; der Saal sieht sie live.")
        _in_room(author, room_url)
        expect(
            author.get_by_text(
                re.compile("A1 in der geänderten Fassung 2: Mehr Radwege")
            ).first
        ).to_be_visible()
        _vote(author, room_url, "Ja")
        _vote(board, room_url, "Ja")
        _vote(chair, room_url, "Nein")
        _close(chair, motion_url)
        expect(
            chair.get_by_text("Antrag in der geänderten Fassung (Fassung 2)").first
        ).to_be_visible()
        expect(chair.get_by_text("2 Ja, 1 Nein, 0 Enthaltungen").first).to_be_visible()

        # The board forwards the adopted motion to the Unterbezirk's book.
        board.goto(motion_url)
        expect(board.get_by_text("beschlossen").first).to_be_visible()
        board.get_by_label("An das Antragsbuch").select_option(
            label="Unterbezirk: UB-Parteitag"
        )
        board.get_by_role("button", name="Weiterleiten").click()
        expect(board.get_by_text("dort als A1")).to_be_visible()
        board.get_by_role(
            "link", name=re.compile("Weitergeleitet an „UB-Parteitag“")
        ).click()
        board.wait_for_url(re.compile(r"/motions/\d+$"))
        assert board.url != motion_url
        expect(
            board.get_by_text("Weitergeleitet von OV Nord: Beschluss A1")
        ).to_be_visible()
        expect(board.locator(".motion-text")).to_contain_text(
            "Der Ortsverein fordert sichere Radwege."
        )
        board.get_by_role("link", name="« UB-Parteitag").click()
        board.wait_for_url(re.compile(r"/motions/books/\d+$"))
        expect(board.get_by_text("Mehr Radwege").first).to_be_visible()
    finally:
        for context in contexts:  # closes the room tabs too
            context.close()
