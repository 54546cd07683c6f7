"""The resolutions book (Beschlussbuch) through the Flask test client: an
organisation's adopted motions only, found by topic and year, paginated; the
motion committee downloads the overview as CSV and XLSX (number, title,
submitters, status, supporters, amendments), audit-logged; others get 404."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlalchemy import select, update

from models import AuditEntry, MotionStatus, MotionStatusChange
from motions import amendments, services
from tests.factories import fresh

from .conftest import act, submit


def _page(response) -> str:
    return response.get_data(as_text=True)


def _adopt(session, world, motion):
    act(session, services.change_status, world.organiser, motion, "admitted")
    act(session, services.change_status, world.organiser, motion, "adopted")


def _setup(app, session, world, book):
    umwelt, verkehr = book.categories
    with app.app_context():
        bikes = submit(session, book, world.member, category_id=verkehr.id)
        act(session, services.support, world.board, bikes)
        act(session, amendments.propose, world.board, bikes, 1, 1, "Mehr Busse.")
        _adopt(session, world, bikes)
        trees = submit(
            session, book, world.member, title="=Bäume pflanzen", category_id=umwelt.id
        )
        _adopt(session, world, trees)
        submit(session, book, world.member, title="Noch offen", category_id=umwelt.id)
    # The trees were adopted in 2025 (the branch's year).
    session.execute(
        update(MotionStatusChange)
        .where(
            MotionStatusChange.motion_id == trees.id,
            MotionStatusChange.to_status == MotionStatus.ADOPTED,
        )
        .values(created_at=datetime(2025, 6, 1, 10, tzinfo=UTC))
    )
    session.commit()
    return bikes, trees


def test_members_search_the_resolutions_by_topic_and_year(
    app, session, world, auth, client, book
):
    bikes, trees = _setup(app, session, world, book)
    auth.login(world.member)
    base = f"/motions/resolutions?org={world.nord.id}"
    page = _page(client.get(base))
    assert "Mehr Radwege" in page and "=Bäume pflanzen" in page
    assert "Noch offen" not in page
    assert page.index("Mehr Radwege") < page.index("=Bäume pflanzen")  # newest first
    assert "Übersicht als CSV" not in page  # for the committee only
    verkehr = _page(client.get(base + "&category=Verkehr"))
    assert "Mehr Radwege" in verkehr and "Bäume" not in verkehr
    old = _page(client.get(base + "&year=2025"))
    assert "Bäume" in old and "Mehr Radwege" not in old
    assert '<option value="2025" selected>' in old
    none = _page(client.get(base + "&year=2025&category=Verkehr"))
    assert "Keine beschlossenen Anträge für diese Suche." in none
    odd = client.get(base + "&year=abc&page=x")
    assert odd.status_code == 200 and "Mehr Radwege" in _page(odd)
    first = _page(client.get(base + "&per_page=1"))
    assert "Seite 1 von 2" in first and "Bäume" not in first
    assert "Bäume" in _page(client.get(base + "&per_page=1&page=2"))
    # The member's own branch is the default.
    assert "Mehr Radwege" in _page(client.get("/motions/resolutions"))
    auth.logout()
    auth.login(world.sued_member)
    assert client.get(base).status_code == 404
    assert "Mehr Radwege" not in _page(client.get("/motions/resolutions"))


def test_committee_downloads_the_overview(app, session, world, auth, client, book):
    bikes, trees = _setup(app, session, world, book)
    auth.login(world.organiser)
    base = f"/motions/resolutions/export.csv?org={world.nord.id}"
    assert "Übersicht als CSV" in _page(
        client.get(f"/motions/resolutions?org={world.nord.id}")
    )
    response = client.get(base)
    assert response.status_code == 200
    assert "Beschlussbuch-ov-nord.csv" in response.headers["Content-Disposition"]
    rows = list(
        csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";")
    )
    assert rows[0] == [
        "Nummer",
        "Antragsbuch",
        "Titel",
        "Antragsteller",
        "Sachgebiet",
        "Status",
        "Beschlossen am",
        "Unterstützungen",
        "Änderungsanträge",
    ]
    by_number = {r[0]: r for r in rows[1:]}
    assert set(by_number) == {"A1", "A2"}
    assert by_number["A1"][2:] == [
        "Mehr Radwege",
        world.member.name,
        "Verkehr",
        "beschlossen",
        datetime.now(ZoneInfo("Europe/Berlin")).date().isoformat(),
        "1",
        "1",
    ]
    assert by_number["A2"][2] == "'=Bäume pflanzen"  # never a formula
    assert by_number["A2"][6] == "2025-06-01"
    only = client.get(base + "&year=2025").get_data().decode("utf-8-sig")
    assert "Bäume" in only and "Radwege" not in only

    xlsx = client.get(f"/motions/resolutions/export.xlsx?org={world.nord.id}")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Nummer" and len(values) == 3
    bikes_row = next(v for v in values if v[0] == "A1")
    assert bikes_row[7:] == [1, 1]
    assert next(v for v in values if v[0] == "A2")[2] == "=Bäume pflanzen"
    formula_like = [
        c for row in sheet.iter_rows() for c in row if c.value == "=Bäume pflanzen"
    ]
    assert [c.data_type for c in formula_like] == ["s"]  # text, not a formula
    fresh(session)
    exported = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "motion.resolutions_exported")
    ).all()
    assert len(exported) == 3

    assert client.get("/motions/resolutions/export.pdf?org=1").status_code == 404
    auth.logout()
    auth.login(world.member)
    assert client.get(base).status_code == 404
    auth.logout()
    auth.login(world.sued_board)
    assert client.get(base).status_code == 404


def test_committee_downloads_the_overview_as_ods(
    app, session, world, auth, client, book
):
    from odf.namespaces import OFFICENS
    from odf.opendocument import load as load_ods
    from odf.table import Table, TableCell, TableRow

    _setup(app, session, world, book)
    auth.login(world.organiser)
    page = _page(client.get(f"/motions/resolutions?org={world.nord.id}"))
    assert f"/motions/resolutions/export.ods?org={world.nord.id}" in page
    response = client.get(f"/motions/resolutions/export.ods?org={world.nord.id}")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.oasis.opendocument.spreadsheet"
    assert "Beschlussbuch-ov-nord.ods" in response.headers["Content-Disposition"]
    document = load_ods(io.BytesIO(response.get_data()))
    (table,) = document.spreadsheet.getElementsByType(Table)
    assert table.getAttribute("name") == "Beschlussbuch"
    rows = []
    for row in table.getElementsByType(TableRow):
        cells = row.getElementsByType(TableCell)
        rows.append([(c.getAttrNS(OFFICENS, "value-type"), str(c)) for c in cells])
    assert [text for _, text in rows[0]][:3] == ["Nummer", "Antragsbuch", "Titel"]
    assert len(rows) == 3
    by_number = {r[0][1]: r for r in rows[1:]}
    assert set(by_number) == {"A1", "A2"}
    assert [text for _, text in by_number["A1"][2:6]] == [
        "Mehr Radwege",
        world.member.name,
        "Verkehr",
        "beschlossen",
    ]
    assert by_number["A1"][7:] == [("float", "1"), ("float", "1")]
    # Text that looks like a formula stays a string cell, without a formula.
    assert by_number["A2"][2] == ("string", "=Bäume pflanzen")
    assert not any(
        c.getAttribute("formula") for c in table.getElementsByType(TableCell)
    )
    only = client.get(f"/motions/resolutions/export.ods?org={world.nord.id}&year=2025")
    (table,) = load_ods(io.BytesIO(only.get_data())).spreadsheet.getElementsByType(
        Table
    )
    numbers = [
        str(r.getElementsByType(TableCell)[0])
        for r in table.getElementsByType(TableRow)
    ]
    assert numbers == ["Nummer", "A2"]
    exported = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "motion.resolutions_exported")
    ).all()
    assert [json.loads(e.details)["format"] for e in exported] == ["ods", "ods"]

    # Other members (not the committee) get 404, as for CSV and XLSX.
    auth.logout()
    auth.login(world.member)
    assert (
        client.get(f"/motions/resolutions/export.ods?org={world.nord.id}").status_code
        == 404
    )
    assert "Übersicht als ODS" not in _page(
        client.get(f"/motions/resolutions?org={world.nord.id}")
    )
