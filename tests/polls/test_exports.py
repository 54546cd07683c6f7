"""Board exports, each read back with its own library and checked against the tally."""

from __future__ import annotations

import csv
import io
import json
import random
from collections import Counter

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select, text, update

from models import AuditEntry, Member
from polls import casting
from polls.checksums import digest_of, digest_of_counted
from polls.lifecycle import ensure_current
from polls.records import recount, stored_result
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
    assert ["Regel", "einfache Mehrheit, Quorum 50 %"] in rows
    assert ["Prüfsumme der Quittungen", closed.receipts_digest] in rows
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
    assert ("Nachzählung stimmt", "ja") in [tuple(r[:2]) for r in cells]
    assert ("Prüfsumme der Quittungen", closed.receipts_digest) in [
        tuple(r[:2]) for r in cells
    ]
    box = list(book["Urne"].iter_rows(values_only=True))
    assert len(box) == 1 + 5
    ballot_rows = list(csv.reader(io.StringIO(ballots.lstrip("\ufeff")), delimiter=";"))
    assert [tuple(r) for r in box[1:]] == [tuple(r[:2]) for r in ballot_rows[1:]]

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
    body = client.get(f"/polls/{closed.id}/export.csv").get_data(as_text=True)
    assert "Nachzählung stimmt;NEIN" in body
    book = load_workbook(
        io.BytesIO(client.get(f"/polls/{closed.id}/export.xlsx").data), read_only=True
    )
    cells = [tuple(r[:2]) for r in book["Ergebnis"].iter_rows(values_only=True)]
    assert ("Nachzählung stimmt", "NEIN") in cells


def _verified(client, poll) -> bool:
    return json.loads(client.get(f"/polls/{poll.id}/export.json").data)["verified"]


def test_each_export_checks_the_rows_as_they_are_now(closed, auth, client, session):
    """No remembered answer: a change is caught, and so is putting it back."""
    auth.login("vorstand@example.org")
    assert _verified(client, closed) is True
    fresh(session)
    ballot_id, choices = session.execute(
        text("SELECT id, choices FROM ballots WHERE poll_id = :p LIMIT 1"),
        {"p": closed.id},
    ).one()
    other = next(f"[{o.id}]" for o in closed.options if f"[{o.id}]" != choices)
    for value, verified in ((other, False), (choices, True)):
        session.execute(
            text("UPDATE ballots SET choices = :c WHERE id = :i"),
            {"c": value, "i": ballot_id},
        )
        session.commit()
        assert _verified(client, closed) is verified
    session.execute(
        text(
            "UPDATE receipts SET hash = :h WHERE hash = "
            "(SELECT hash FROM receipts WHERE poll_id = :p LIMIT 1)"
        ),
        {"h": "0" * 64, "p": closed.id},
    )
    session.commit()
    assert _verified(client, closed) is False


def test_rewriting_the_box_and_the_published_result_does_not_verify(
    closed, auth, client, session
):
    """The polls row is not the only witness: the sealing entry in the audit log is
    compared too."""
    fresh(session)
    session.execute(
        text("UPDATE ballots SET choices = :c WHERE poll_id = :p"),
        {"c": f"[{closed.options[1].id}]", "p": closed.id},
    )
    session.commit()
    digest, _receipts, result = recount(session, closed)
    session.execute(
        text("UPDATE polls SET ballot_digest = :d, result_json = :r WHERE id = :p"),
        {
            "d": digest,
            "r": json.dumps(result.as_dict(), sort_keys=True),
            "p": closed.id,
        },
    )
    session.commit()
    auth.login("vorstand@example.org")
    assert _verified(client, closed) is False


def test_a_ballot_row_that_is_no_list_of_options(closed, app, auth, client, session):
    """Shown as stored in every format, never a 500, and it does not verify."""
    fresh(session)
    odd = "kaputt <&> \x01"
    session.execute(
        text(
            "UPDATE ballots SET choices = :c WHERE id = "
            "(SELECT id FROM ballots WHERE poll_id = :p LIMIT 1)"
        ),
        {"c": odd, "p": closed.id},
    )
    session.commit()
    auth.login("vorstand@example.org")
    base = f"/polls/{closed.id}/export"
    record = json.loads(client.get(f"{base}.json").data)
    assert record["verified"] is False and odd in record["ballots"]
    ballots = client.get(f"{base}.ballots.csv").get_data(as_text=True)
    assert f"{odd};?" in ballots
    book = load_workbook(io.BytesIO(client.get(f"{base}.xlsx").data), read_only=True)
    box = [r[1] for r in book["Urne"].iter_rows(values_only=True)]
    assert "kaputt <&> \ufffd" in box and len(box) == 1 + 5
    reader = PdfReader(io.BytesIO(client.get(f"{base}.pdf").data))
    assert "stimmt NICHT" in " ".join(p.extract_text() for p in reader.pages)
    broken = app.test_cli_runner().invoke(args=["verify-poll", str(closed.id)])
    assert broken.exit_code == 1 and "MISMATCH" in broken.output


def test_the_counted_digest_is_the_published_recipe():
    """digest_of_counted over (line, count) pairs == digest_of over the lines."""
    rnd = random.Random(5)
    for _ in range(200):
        lines = [
            rnd.choice(["[1]", "[2]", "[1,2]", "[10]", "", "[2,1]", "ä"])
            for _ in range(rnd.randrange(0, 30))
        ]
        assert digest_of_counted(sorted(Counter(lines).items())) == digest_of(lines)
    assert digest_of_counted([("[3]", 100_001)]) == digest_of(["[3]"] * 100_001)


def test_board_report_of_a_period(closed, auth, client, session, world):
    auth.login("vorstand@example.org")
    page = client.get("/polls/report").get_data(as_text=True)
    assert "Lastenrad" in page and "Der Antrag ist angenommen." in page
    # the page speaks the board member's language (the files stay German records)
    fresh(session)
    session.execute(
        update(Member).where(Member.id == world.board.id).values(locale="en")
    )
    session.commit()
    english = client.get("/polls/report").get_data(as_text=True)
    assert "The motion is carried." in english and "angenommen" not in english
    book = load_workbook(
        io.BytesIO(client.get("/polls/report?format=xlsx").data), read_only=True
    )
    rows = list(book["Abstimmungen"].iter_rows(values_only=True))
    assert rows[0][0] == "Nr." and rows[1][9] == "angenommen"
    assert rows[0][8] == "Regel" and rows[1][8] == "einfache Mehrheit, Quorum 50 %"
    assert rows[1][11] == closed.receipts_digest
    assert (
        client.get("/polls/report?from=2000-01-01&to=2000-12-31&format=csv")
        .get_data(as_text=True)
        .count("\n")
        == 1
    )  # header only
