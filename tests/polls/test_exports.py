"""Board exports, each read back with its own library and checked against the tally."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select, text

from models import AuditEntry
from polls import casting
from polls.lifecycle import ensure_current, stored_result
from tests.factories import PASSWORD, close_now, fresh, make_member, make_poll


@pytest.fixture
def closed(world, app, session):
    """A closed secret yes/no poll: 3 yes, 1 no, 1 abstention among 6 members."""
    with app.app_context():
        extra = [make_member(session, world.nord) for _ in range(2)]
        session.commit()
        poll = make_poll(
            session,
            world.nord,
            world.organiser,
            options=("Ja", "Nein", "Enthaltung"),
            quorum=50,
        )
        poll.title = "Lastenrad für Infostände – „jetzt“?"
        session.commit()
        yes, no, abstain = (o.id for o in poll.options)
        for voter, choice in [
            (world.member, yes),
            (world.board, yes),
            (world.organiser, yes),
            (world.admin, no),
            (extra[0], abstain),
        ]:
            casting.cast(session, poll, voter, [choice])
        close_now(session, poll)
        ensure_current(session, poll)
    return poll


def recount_from_csv(text_body: str, option_ids) -> Counter:
    """An independent recount: read the ballot-box CSV and count first choices."""
    rows = list(csv.reader(io.StringIO(text_body.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][0] == "Stimmzettel"
    counts = Counter({o: 0 for o in option_ids})
    for row in rows[1:]:
        if row:
            counts.update(json.loads(row[1]))
    return counts


def test_every_format_reads_back_and_matches_the_tally(closed, auth, client, session):
    auth.login("vorstand@example.org")
    base = f"/polls/{closed.id}/export"
    stored = stored_result(closed)
    ids = [o.id for o in closed.options]

    result_csv = client.get(f"{base}.csv")
    assert result_csv.headers["Content-Type"].startswith("text/csv")
    body = result_csv.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows[1:4] == [
        ["Ja", "3", "60,0"],
        ["Nein", "1", "20,0"],
        ["Enthaltung", "1", "20,0"],
    ]
    assert ["Ergebnis", "angenommen"] in rows
    comma = client.get(f"{base}.csv?delimiter=comma").get_data(as_text=True)
    assert comma.splitlines()[1] == "Ja,3,60.0"

    ballots = client.get(f"{base}.ballots.csv").get_data(as_text=True)
    recount = recount_from_csv(ballots, ids)
    assert {str(k): v for k, v in recount.items()} == stored["counts"]
    receipts = client.get(f"{base}.receipts.csv").get_data(as_text=True).split()
    assert receipts[0] == "Quittung" and len(receipts) == 2 + 5  # header words + 5
    assert not any(r in ballots for r in receipts[2:])  # never paired

    record = json.loads(client.get(f"{base}.json").get_data(as_text=True))
    assert record["result"] == stored and record["verified"] is True
    assert record["ballot_box_digest"] == closed.ballot_digest
    assert sorted(record["ballots"]) == sorted([[ids[0]]] * 3 + [[ids[1]], [ids[2]]])
    assert record["named_votes"] == []  # a secret poll never lists who voted how
    assert record["exported_by"]["name"]

    book = load_workbook(io.BytesIO(client.get(f"{base}.xlsx").data), read_only=True)
    assert book.sheetnames == ["Ergebnis", "Urne"]
    cells = [r for r in book["Ergebnis"].iter_rows(values_only=True)]
    assert ("Ja", 3, 60.0) in [tuple(r[:3]) for r in cells]
    assert len(list(book["Urne"].iter_rows(values_only=True))) == 1 + 5

    reader = PdfReader(io.BytesIO(client.get(f"{base}.pdf").data))
    pdf_text = " ".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) <= 3
    for expected in (
        "Lastenrad für Infostände – „jetzt“?",
        "OV Nord",
        "angenommen",
        closed.ballot_digest[:32],
        "Versammlungsleitung",
        "Protokollführung",
        "stimmt überein",
    ):
        assert expected in pdf_text.replace("\n", " "), expected

    fresh(session)
    formats = [
        json.loads(d)["format"]
        for d in session.scalars(
            select(AuditEntry.details).where(AuditEntry.action == "poll.exported")
        )
    ]
    assert sorted(formats) == sorted(
        ["csv", "csv", "ballots.csv", "receipts.csv", "json", "xlsx", "pdf"]
    )


@pytest.mark.parametrize(
    "role,allowed",
    [
        ("member", False),
        ("organiser", False),
        ("sued_board", False),
        ("board", True),
        ("admin", True),
    ],
)
def test_export_role_matrix(world, closed, auth, client, role, allowed):
    auth.login(getattr(world, role))
    for fmt in ("csv", "json", "xlsx", "pdf", "ballots.csv", "receipts.csv"):
        response = client.get(f"/polls/{closed.id}/export.{fmt}")
        response.get_data()  # read the stream to its end, as a browser does
        response.close()
        assert response.status_code == (200 if allowed else 404), (role, fmt)
    token = client.post(
        "/api/v1/auth/token",
        json={"email": getattr(world, role).email, "password": PASSWORD},
    ).get_json()["token"]
    for fmt in ("csv", "json", "xlsx", "pdf"):
        response = client.get(
            f"/api/v1/polls/{closed.id}/export.{fmt}",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == (200 if allowed else 404), (role, fmt)


def test_no_export_while_open(world, session, auth, client):
    poll = make_poll(session, world.nord, world.organiser)
    auth.login(world.board)
    assert client.get(f"/polls/{poll.id}/export.pdf").status_code == 302
    token = client.post(
        "/api/v1/auth/token", json={"email": world.board.email, "password": PASSWORD}
    ).get_json()["token"]
    response = client.get(
        f"/api/v1/polls/{poll.id}/export.json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "poll_not_closed"


def test_named_poll_export_lists_who_voted_how(world, app, session, auth, client):
    with app.app_context():
        poll = make_poll(session, world.nord, world.organiser, secret=False)
        casting.cast(session, poll, world.member, [poll.options[1].id])
        close_now(session, poll)
        ensure_current(session, poll)
    auth.login(world.board)
    record = json.loads(client.get(f"/polls/{poll.id}/export.json").data)
    number = world.member.membership_number
    assert record["named_votes"] == [
        {"membership_number": number, "name": world.member.name, "vote": "Nein"}
    ]


def test_a_changed_ballot_makes_the_record_say_it_does_not_verify(
    closed, auth, client, session
):
    fresh(session)
    session.execute(
        text(
            "UPDATE ballots SET choices = :c WHERE id = "
            "(SELECT id FROM ballots WHERE poll_id = :p AND choices <> :c LIMIT 1)"
        ),
        {"c": f"[{closed.options[2].id}]", "p": closed.id},
    )
    session.commit()
    auth.login("vorstand@example.org")
    record = json.loads(client.get(f"/polls/{closed.id}/export.json").data)
    assert record["verified"] is False
    reader = PdfReader(io.BytesIO(client.get(f"/polls/{closed.id}/export.pdf").data))
    assert "stimmt NICHT" in " ".join(p.extract_text() for p in reader.pages)


def test_board_report_of_a_period(closed, auth, client):
    auth.login("vorstand@example.org")
    page = client.get("/polls/report").get_data(as_text=True)
    assert "Lastenrad" in page and "angenommen" in page
    book = load_workbook(
        io.BytesIO(client.get("/polls/report?format=xlsx").data), read_only=True
    )
    rows = list(book["Abstimmungen"].iter_rows(values_only=True))
    assert rows[0][0] == "Nr." and rows[1][8] == "angenommen"
    assert (
        client.get("/polls/report?from=2000-01-01&to=2000-12-31&format=csv")
        .get_data(as_text=True)
        .count("\n")
        == 1
    )  # header only
