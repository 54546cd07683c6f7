"""The election protocol (Wahlprotokoll) as PDF and the result exports: a
single-seat election with a second round whose winner accepts, read back from the
PDF; the result per candidate per round as CSV and XLSX with names that cannot
run as formulas; only the board and the organisers may download."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from models import AuditEntry, Member
from tests.factories import PASSWORD, fresh, make_member


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    # Line breaks fall where the page wraps: compare with spaces only.
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))


@pytest.fixture
def held(elections, people, world, session, app):
    """Round 1: Anna 3, Ben 2, Cem 1 of 6 (no majority); round 2: Anna 4, Ben 2;
    Anna accepts in the app. Cem's name starts like a formula."""
    with app.app_context():
        cem = session.get(Member, people.cem.id)
        cem.first_name, cem.last_name = "=HYPERLINK(1)", "Celik"
        session.commit()
    election = elections.create()
    for who in (people.anna, people.ben, people.cem):
        elections.stand(election, who)
    elections.close_nominations(election)
    first = elections.start_round(election)
    votes = {
        people.anna: people.anna,
        world.member: people.anna,
        world.organiser: people.anna,
        people.ben: people.ben,
        world.board: people.ben,
        people.cem: people.cem,
    }
    for voter, choice in votes.items():
        elections.vote(voter, first, choice=elections.option(first, choice))
    elections.close(first)
    elections.page(election)  # counted on this look
    second = elections.start_round(election)
    for voter in (people.anna, world.member, world.organiser, people.cem):
        elections.vote(voter, second, choice=elections.option(second, people.anna))
    for voter in (people.ben, world.board):
        elections.vote(voter, second, choice=elections.option(second, people.ben))
    elections.close(second)
    elections.page(election)
    fresh(session)
    seat = session.get(type(election), election.id).elected[0]
    elections.as_(people.anna)
    response = elections.auth.post(f"/elections/seats/{seat.id}/accept")
    assert response.status_code == 302
    fresh(session)
    return election


def test_protocol_pdf_names_rounds_counts_acceptance_and_signature_lines(
    held, elections, people, world, session, client
):
    elections.as_(world.organiser)
    page = elections.page(held)
    assert "Wahlprotokoll (PDF)" in page
    response = client.get(f"/elections/{held.id}/export.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert (
        f"Wahlprotokoll-Wahl-{held.id}.pdf" in response.headers["Content-Disposition"]
    )
    text = _text(response.data)
    election = session.get(type(held), held.id)
    first, second = election.rounds
    for expected in (
        "Wahlprotokoll",
        "Vorsitz 2027",
        "OV Nord" if "OV Nord" in election.organisation.name else "",
        election.organisation.name,
        "Amt Vorsitz",
        "§ 11 Satzung",
        "Vorschlagsfrist",
        "Anna Arndt",
        "Ben Brandt",
        "=HYPERLINK(1) Celik",
        "1. Wahlgang",
        "2. Wahlgang",
        "Abgegebene Stimmzettel 6",
        "6 gültig, 0 ungültig oder leer",
        first.poll.ballot_digest,
        second.poll.ballot_digest,
        "Niemand erhält mehr als die Hälfte der 6 gültigen Stimmen",
        "1. Anna Arndt (im 2. Wahlgang)",
        "Annahme der Wahl: angenommen am",
        "festgehalten von Anna Arndt",
        "Versammlungsleitung",
        "Protokoll (Ort, Datum, Unterschrift)",
        "Wahlkommission",
    ):
        assert expected in text, expected
    # Votes per candidate per round: Anna 3 then 4, Ben 2 and 2, Cem 1.
    round_one = text[text.index("1. Wahlgang") : text.index("2. Wahlgang")]
    assert re.search(r"Anna Arndt 3\b", round_one)
    assert re.search(r"Ben Brandt 2\b", round_one)
    assert re.search(r"Celik 1\b", round_one)
    round_two = text[text.index("2. Wahlgang") : text.index("Ergebnis 1. ")]
    assert re.search(r"Anna Arndt 4 gewählt", round_two)
    assert "Stimmberechtigte" in round_two
    fresh(session)
    actions = session.scalars(
        select(AuditEntry.details).where(AuditEntry.action == "election.exported")
    ).all()
    assert len(actions) == 1 and '"pdf"' in actions[0]


def test_result_exports_per_candidate_per_round_neutralise_formulas(
    held, elections, world, client
):
    elections.as_(world.board)
    response = client.get(f"/elections/{held.id}/export.csv")
    assert response.status_code == 200
    assert f"Wahl-{held.id}-Ergebnis.csv" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    header = rows[1]
    data = [dict(zip(header, r, strict=True)) for r in rows[2:]]
    votes = {(r["Wahlgang"], r["Bewerbung"]): r["Stimmen"] for r in data}
    assert votes == {
        ("1", "Anna Arndt"): "3",
        ("1", "Ben Brandt"): "2",
        ("1", "'=HYPERLINK(1) Celik"): "1",
        ("2", "Anna Arndt"): "4",
        ("2", "Ben Brandt"): "2",
    }
    elected = {(r["Wahlgang"], r["Bewerbung"]) for r in data if r["gewählt"] == "ja"}
    assert elected == {("2", "Anna Arndt")}

    response = client.get(f"/elections/{held.id}/export.xlsx")
    assert response.status_code == 200
    assert f"Wahl-{held.id}-Ergebnis.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    cells = [c for row in book["Ergebnis"].iter_rows() for c in row]
    formula = next(c for c in cells if str(c.value).startswith("=HYPERLINK"))
    assert formula.data_type == "s"  # text, not a formula
    winners = list(book["Gewählt"].iter_rows(min_row=2, values_only=True))
    assert winners[0][1] == "Anna Arndt" and winners[0][4] == "angenommen"


def test_only_board_and_organisers_download_on_the_page_and_in_the_api(
    held, elections, world, people, client
):
    roles = {
        "member": False,
        "sued_board": False,
        "candidate": False,
        "organiser": True,
        "board": True,
        "admin": True,
    }
    for role, allowed in roles.items():
        member = people.anna if role == "candidate" else getattr(world, role)
        elections.as_(member)
        assert ("Wahlprotokoll (PDF)" in elections.page(held)) is allowed or (
            role == "sued_board"  # does not even see the election
        )
        token = client.post(
            "/api/v1/auth/token", json={"email": member.email, "password": PASSWORD}
        ).get_json()["token"]
        for fmt in ("pdf", "csv", "xlsx"):
            page = client.get(f"/elections/{held.id}/export.{fmt}")
            api = client.get(
                f"/api/v1/elections/{held.id}/export.{fmt}",
                headers={"Authorization": f"Bearer {token}"},
            )
            for response in (page, api):
                assert response.status_code == (200 if allowed else 404), (role, fmt)
            if not allowed:
                assert api.get_json()["error"]["code"] == "not_found"
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "get" in spec["paths"]["/api/v1/elections/{election_id}/export.{fmt}"]


def test_a_round_that_misses_the_quota_reopens_nominations_for_a_further_round(
    elections, people, world, session, app
):
    with app.app_context():
        for member, gender in ((people.ben, "m"), (people.cem, "m")):
            session.get(Member, member.id).gender = gender
        dora = make_member(session, world.nord, first_name="Dora", last_name="Dahl")
        dora.gender = "w"
        session.commit()
    election = elections.create(
        title="Stellvertretung",
        office="Stellvertretung",
        seats="2",
        method="block",
        quota_percent="40",
    )
    for who in (people.ben, people.cem):
        elections.stand(election, who)
    elections.close_nominations(election)
    # Before any round is counted the list cannot be reopened.
    elections.as_(world.organiser)
    early = elections.auth.post(
        f"/elections/{election.id}/reopen-nominations",
        {"closes_at": "2099-01-01T12:00"},
        follow_redirects=True,
    )
    assert "kann erst nach einem ausgezählten Wahlgang" in early.get_data(True)
    first = elections.start_round(election)
    both = [elections.option(first, people.ben), elections.option(first, people.cem)]
    for voter in (world.member, world.board, world.organiser):
        elections.vote(voter, first, choices=both)
    elections.close(first)
    page = elections.page(election)
    fresh(session)
    assert len(session.get(type(election), election.id).elected) == 1
    elections.as_(world.organiser)
    page = elections.page(election)
    assert "Vorschlagsliste wieder öffnen" in page

    # A plain member cannot; a time in the past is refused with a reason.
    elections.as_(world.member)
    denied = elections.auth.post(
        f"/elections/{election.id}/reopen-nominations",
        {"closes_at": "2099-01-01T12:00"},
    )
    assert denied.status_code == 404
    elections.as_(world.organiser)
    past = elections.auth.post(
        f"/elections/{election.id}/reopen-nominations",
        {"closes_at": "2020-01-01T12:00"},
        follow_redirects=True,
    )
    assert "in der Zukunft" in past.get_data(True)
    response = elections.auth.post(
        f"/elections/{election.id}/reopen-nominations",
        {"closes_at": "2099-01-01T12:00"},
        follow_redirects=True,
    )
    reopened = response.get_data(True)
    assert "Die Vorschlagsliste ist wieder offen." in reopened
    # The definition stands after a round: no edit button, the list is open.
    assert f"/elections/{election.id}/edit" not in reopened
    assert "Vorschlagsliste schließen" in reopened

    elections.stand(election, dora)
    elections.close_nominations(election)
    second = elections.start_round(election)
    fresh(session)
    on_ballot = {rc.candidacy.member_id for rc in second.candidates}
    seated = session.get(type(election), election.id).elected[0].member_id
    assert dora.id in on_ballot and seated not in on_ballot
    for voter in (world.member, world.board, world.organiser):
        elections.vote(voter, second, choices=[elections.option(second, dora)])
    elections.close(second)
    elections.page(election)
    fresh(session)
    final = session.get(type(election), election.id)
    assert [s.member_id for s in final.elected][1] == dora.id
    assert final.status.value == "finished"

    elections.as_(world.organiser)
    text = _text(elections.client.get(f"/elections/{election.id}/export.pdf").data)
    assert "Liste wieder geöffnet Nach dem 1. Wahlgang" in text
    assert "Dora Dahl" in text


def test_protocol_marks_the_quota_seat_and_explains_the_lot(
    elections, people, world, session, app, client
):
    with app.app_context():
        dan = make_member(session, world.nord, first_name="Dan", last_name="Dorn")
        session.commit()
    for member, gender in (
        (people.anna, "w"),
        (people.ben, "m"),
        (people.cem, "m"),
        (dan, "m"),
    ):
        session.get(Member, member.id).gender = gender
    session.commit()
    election = elections.create(
        title="Beisitz",
        office="Beisitzer:innen",
        seats="3",
        method="block",
        quota_percent="40",
    )
    for who in (people.anna, people.ben, people.cem, dan):
        elections.stand(election, who)
    elections.close_nominations(election)
    rnd = elections.start_round(election)

    def choose(*members):
        return {"choices": [elections.option(rnd, m) for m in members]}

    men = (people.ben, people.cem, dan)
    for voter in (world.member, world.board, world.organiser, people.ben):
        elections.vote(voter, rnd, **choose(*men))
    for voter in (people.anna, people.cem):
        elections.vote(voter, rnd, **choose(people.anna, people.ben))
    # Ben 6, Cem 4, Dan 4, Anna 2: Anna takes a seat by the quota; Cem and Dan
    # are tied, and the lot from the box's digest orders them.
    elections.close(rnd)
    elections.page(election)
    elections.as_(world.board)
    text = _text(client.get(f"/elections/{election.id}/export.pdf").data)
    assert "mindestens 40 % der Sitze je Geschlecht" in text
    assert re.search(r"Anna Arndt 2 gewählt \(Sitz über die Quote\)", text)
    assert re.search(r"Anna Arndt \(im 1\. Wahlgang, Sitz über die Quote\)", text)
    assert "Losentscheid: 1. Wahlgang: Stimmengleichheit zwischen" in text
    fresh(session)
    digest = session.get(type(election), election.id).rounds[0].poll.ballot_digest
    assert f"das Los aus der Prüfsumme der Urne ({digest})" in text
    assert "Annahme der Wahl: noch nicht erklärt" in text
