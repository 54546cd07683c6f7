"""An election in a running meeting, in four Chromium contexts: the organiser
creates it, members nominate (one is proposed and consents), the chair starts the
round, members vote live from the room, the chair enters the room's paper ballots
and closes the vote in the room (counted at once), nobody has the absolute
majority, a second round between the two strongest elects one, who accepts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from meetings import attendance, services
from models import utcnow
from ortsverein.local_time import to_local
from tests.browser.test_forum_live import _login
from tests.factories import make_meeting, make_member, meeting_action

pytestmark = pytest.mark.browser

LOCAL = "%Y-%m-%dT%H:%M"


def _in_room(page, room_url: str) -> None:
    """Open the meeting room: it checks the member in (present while there)."""
    page.goto(room_url)
    page.get_by_text("Du bist anwesend.").wait_for()


def _vote(page, room_url: str, name: str) -> None:
    """From the meeting room to the ballot and back: one live vote."""
    _in_room(page, room_url)  # reloaded: the round has started meanwhile
    page.get_by_role("link", name="Jetzt abstimmen").click()
    page.wait_for_url(re.compile(r"/polls/\d+/vote$"))
    page.get_by_role("radio", name=name).check()
    page.get_by_label(re.compile("Ich habe meine Auswahl geprüft")).check()
    page.get_by_role("button", name="Stimme verbindlich abgeben").click()
    expect(page.locator("#receipt-code")).to_be_visible()
    _in_room(page, room_url)


def _paper(chair, room_url: str, voters: list[str], counts: dict[str, int]) -> None:
    """The chair ticks who voted on paper in the room and enters their counts."""
    chair.goto(room_url)
    summary = chair.get_by_text("Papierstimmen aus dem Saal erfassen")
    first = chair.get_by_role("checkbox", name=voters[0])
    summary.click()
    try:  # a live refresh of the room may land between the click and the form
        first.wait_for(state="visible", timeout=5_000)
    except PlaywrightTimeout:
        summary.click()
    expect(first).to_be_visible()
    for name in voters:
        chair.get_by_role("checkbox", name=name).check()
    form = chair.locator("form", has_text="Wer hat auf Papier abgestimmt?")
    for name, n in counts.items():
        form.get_by_label(name, exact=True).fill(str(n))
    # What was entered is still there when it is sent: the room's live refresh
    # waits while the chair is in the form (meeting.js), even if it was fetching
    # when they began.
    for name in voters:
        expect(chair.get_by_role("checkbox", name=name)).to_be_checked()
    for name, n in counts.items():
        expect(form.get_by_label(name, exact=True)).to_have_value(str(n))
    chair.get_by_role("button", name="Papierstimmen zählen").click()
    chair.wait_for_url(re.compile(rf"{re.escape(room_url)}"))


def test_meeting_election_with_paper_ballots_second_round_and_acceptance(
    app, world, session, live_server, browser
):
    with app.app_context():
        anna = make_member(session, world.nord, first_name="Anna", last_name="Arndt")
        ben = make_member(session, world.nord, first_name="Ben", last_name="Brandt")
        cem = make_member(session, world.nord, first_name="Cem", last_name="Celik")
        session.commit()
    meeting = make_meeting(
        session, world.nord, world.organiser, title="Jahresversammlung"
    )
    meeting_action(session, services.start, world.organiser, meeting)
    # Two members sit in the room without a device: they vote on paper.
    for member in (world.board, world.member):
        meeting_action(
            session, attendance.room_check_in, world.organiser, meeting, member.id
        )
    base = live_server.url
    room_url = f"{base}/meetings/{meeting.id}"
    contexts = [browser.new_context(locale="de-DE") for _ in range(4)]
    try:
        chair, pa, pb, pc = (c.new_page() for c in contexts)
        for page in (chair, pa, pb, pc):
            page.set_default_timeout(30_000)
        chair.on("dialog", lambda dialog: dialog.accept())
        for page, member in (
            (chair, world.organiser),
            (pa, anna),
            (pb, ben),
            (pc, cem),
        ):
            _login(page, base, member)
        # The three with a device open the room: it checks them in. Each keeps
        # it open in a tab of its own the whole time, as a member at a meeting
        # does, so the trips to the ballot and the election page never end their
        # presence (the tests' grace is 1 s): the chair starts each round for
        # those present at that moment.
        for page in (pa, pb, pc):
            _in_room(page, room_url)
        room_tabs = [c.new_page() for c in contexts[1:]]
        for tab in room_tabs:
            _in_room(tab, room_url)
        # Back to the first tab, as a member would look at it: a hidden tab gets
        # no animation frames, and Playwright waits for them before every click.
        for page in (pa, pb, pc):
            page.bring_to_front()

        # The organiser creates the election for the running meeting.
        now = utcnow()
        chair.goto(f"{base}/elections/new")
        chair.get_by_label("Titel").fill("Vorsitz 2027")
        chair.get_by_label("Amt", exact=True).fill("Vorsitz")
        chair.get_by_label("Vorschläge ab (Ortszeit Berlin)").fill(
            to_local(now - timedelta(hours=1)).strftime(LOCAL)
        )
        chair.get_by_label("Vorschläge bis (Ortszeit Berlin)").fill(
            to_local(now + timedelta(days=1)).strftime(LOCAL)
        )
        chair.get_by_label(
            "In einer Sitzung (wählen dürfen die Anwesenden)"
        ).select_option(str(meeting.id))
        chair.get_by_role("button", name=re.compile("Speichern|Anlegen")).click()
        chair.wait_for_url(re.compile(r"/elections/\d+$"))
        election_url = chair.url

        # Anna and Ben stand; Anna proposes Cem, who consents.
        for page in (pa, pb):
            page.goto(election_url)
            page.get_by_label("Wen schlägst du vor?").select_option(
                label=anna.name if page is pa else ben.name
            )
            page.get_by_role("button", name="Vorschlagen").click()
            expect(
                page.get_by_text("Deine Kandidatur ist eingetragen.")
            ).to_be_visible()
        pa.get_by_label("Wen schlägst du vor?").select_option(label=cem.name)
        pa.get_by_role("button", name="Vorschlagen").click()
        expect(pa.get_by_text("wird um Zustimmung gebeten")).to_be_visible()
        pc.goto(election_url)
        pc.get_by_label("Deine Vorstellung (Markdown)").fill("Ich mache das gern.")
        pc.get_by_role("button", name="Ich stimme zu und kandidiere").click()
        expect(pc.get_by_text("Du kandidierst. Viel Erfolg!")).to_be_visible()

        for page in (pa, pb, pc):  # back to the room, where the vote will be
            _in_room(page, room_url)
        chair.goto(election_url)
        chair.get_by_role("button", name="Vorschlagsliste schließen").click()
        expect(
            chair.get_by_text("Die Vorschlagsliste ist geschlossen.")
        ).to_be_visible()
        chair.get_by_role("button", name="Nächsten Wahlgang beginnen").click()
        expect(chair.get_by_text("Der 1. Wahlgang hat begonnen.")).to_be_visible()

        # Round 1: live votes from the room and two paper ballots.
        _vote(pa, room_url, anna.name)
        _vote(pb, room_url, ben.name)
        _vote(pc, room_url, cem.name)
        _paper(
            chair,
            room_url,
            [world.board.name, world.member.name],
            {anna.name: 1, ben.name: 1},
        )
        # Closed in the room, not on the election page: counted at once.
        chair.get_by_role("button", name="Abstimmung schließen").click()
        # The room says what the election's rule decided, not the poll's tally.
        expect(chair.locator("#vote caption")).to_contain_text(
            f"Niemand hat die nötige Mehrheit; zweiter Wahlgang: {anna.name}, "
            f"{ben.name}."
        )
        expect(pb.locator("#vote caption")).to_contain_text("zweiter Wahlgang")
        chair.goto(election_url)
        rounds = chair.locator("section", has=chair.locator("#rounds-heading"))
        expect(rounds.get_by_role("row", name=anna.name)).to_contain_text("2")
        expect(rounds.get_by_role("row", name=ben.name)).to_contain_text("2")
        expect(rounds.get_by_role("row", name=cem.name)).to_contain_text("1")
        expect(chair.get_by_text("Gewählt", exact=True)).to_have_count(0)
        on_ballot = chair.get_by_text("Auf dem Stimmzettel:")
        expect(on_ballot).to_contain_text(f"{anna.name}, {ben.name}")
        expect(on_ballot).not_to_contain_text(cem.name)

        # Round 2 between the two strongest.
        chair.get_by_role("button", name="Nächsten Wahlgang beginnen").click()
        expect(chair.get_by_text("Der 2. Wahlgang hat begonnen.")).to_be_visible()
        _vote(pa, room_url, anna.name)
        _vote(pb, room_url, ben.name)
        _vote(pc, room_url, anna.name)
        # Cem watches the election's page while the round is closed and counted.
        pc.goto(election_url)
        pc.wait_for_function("() => window.ortsvereinSocket?.connected")
        _paper(
            chair,
            room_url,
            [world.board.name, world.member.name],
            {anna.name: 1, ben.name: 1},
        )
        chair.goto(election_url)
        chair.get_by_role("button", name="Wahlgang schließen und auszählen").click()
        expect(
            chair.get_by_text("Der Wahlgang ist geschlossen und ausgezählt.")
        ).to_be_visible()
        elected = chair.locator("section", has=chair.locator("#result-heading"))
        expect(elected.get_by_role("heading", name=anna.name)).to_be_visible()
        expect(elected).to_contain_text("Annahme ausstehend")
        # Cem's page shows it without a reload (result_published).
        expect(pc.locator("#result-heading")).to_be_visible()
        expect(pc.locator("[data-election-part=results]")).to_contain_text(
            "Annahme ausstehend"
        )

        # Anna accepts in the app.
        pa.goto(election_url)
        pa.get_by_role("button", name=f"Wahl annehmen: {anna.name}").click()
        expect(pa.get_by_text("Die Erklärung ist festgehalten.")).to_be_visible()
        expect(pa.get_by_text("hat die Wahl angenommen")).to_be_visible()
    finally:
        for context in contexts:
            context.close()
