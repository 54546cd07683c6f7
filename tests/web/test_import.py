"""Membership-list import: preview first, all-or-nothing, re-import updates."""

from __future__ import annotations

import io
import re
from pathlib import Path

from sqlalchemy import func, select

from models import AuditEntry, Member
from tests.factories import fresh

GOOD = (
    "Mitgliedsnummer;Vorname;Nachname;E-Mail;Gliederung\n"
    "N-9001;Erika;Mustermann;Erika@Example.org;ov-nord\n"
    "N-9002;Jürgen;Özdemir;juergen@example.org;ov-nord\n"
)
BAD = (
    "membership_number,first_name,last_name,email,branch\n"
    "N-9001,Erika,Mustermann,erika@example.org,ov-nord\n"
    "N-9003,Kai,,kai@example.org,ov-nord\n"
    "N-9004,Lea,Lang,not-an-email,ov-nord\n"
    "N-9005,Max,Moll,max@example.org,ov-sued\n"
    "N-9001,Erika,Doppelt,erika2@example.org,ov-nord\n"
    "N-9006,Nia,Neu,mitglied@example.org,ov-nord\n"
)


def _count(session) -> int:
    fresh(session)
    return session.scalar(select(func.count(Member.id)))


def _upload(auth, world, text, invite=True):
    data = {"org": str(world.nord.id), "file": (io.BytesIO(text.encode()), "liste.csv")}
    if invite:
        data["invite"] = "y"
    return auth.post("/members/import", data, content_type="multipart/form-data")


def _confirm(auth, page: str):
    upload = re.search(r'name="upload" type="hidden" value="([^"]+)"', page).group(1)
    invite = re.search(r'name="invite" type="hidden" value="([^"]*)"', page).group(1)
    return auth.post("/members/import/confirm", {"upload": upload, "invite": invite})


def test_good_file_preview_then_import_with_invitations(world, auth, session, app):
    before = _count(session)
    auth.login(world.board)
    preview = _upload(auth, world, GOOD)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Alle Zeilen sind in Ordnung." in page
    assert _count(session) == before  # the preview writes nothing
    response = _confirm(auth, page)
    assert response.status_code == 302
    assert _count(session) == before + 2
    erika = session.scalar(select(Member).where(Member.membership_number == "N-9001"))
    assert erika.email == "erika@example.org"  # stored lower-case
    assert erika.home_branch_id == world.nord.id and erika.password_hash is None
    mails = list((Path(app.instance_path) / "mail").glob("*.eml"))
    assert len(mails) == 2
    assert (
        session.scalar(
            select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1)
        )
        == "members.invited"
    )


def test_bad_rows_are_listed_by_line_and_nothing_is_written(world, auth, session):
    before = _count(session)
    auth.login(world.board)
    page = _upload(auth, world, BAD).get_data(as_text=True)
    assert "Nichts wurde importiert" in page
    rows = {
        int(n): reason
        for n, reason in re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td></tr>", page)
    }
    for line, reason in [
        (3, "Nachname fehlt."),
        (4, "ist keine gültige E-Mail-Adresse"),
        (5, "Die Gliederung „ov-sued“ gibt es in OV Nord nicht."),
        (6, "Die Mitgliedsnummer steht schon in Zeile 2."),
        (7, "Die E-Mail-Adresse gehört schon dem Mitglied"),
    ]:
        assert reason in rows.get(line, ""), (line, reason, rows)
    assert sorted(rows) == [3, 4, 5, 6, 7]
    assert "Jetzt importieren" not in page
    assert _count(session) == before


def test_reimport_updates_by_number_and_never_duplicates(world, auth, session):
    auth.login(world.board)
    _confirm(auth, _upload(auth, world, GOOD, invite=False).get_data(as_text=True))
    count = _count(session)
    changed = GOOD.replace("Mustermann", "Musterfrau").replace(
        "Erika@Example.org", "erika.neu@example.org"
    )
    page = _upload(auth, world, changed, invite=False).get_data(as_text=True)
    assert "<dt>Neu</dt><dd>0</dd>" in page
    assert "<dt>Aktualisiert</dt><dd>1</dd>" in page
    assert "<dt>Unverändert</dt><dd>1</dd>" in page
    _confirm(auth, page)
    assert _count(session) == count
    erika = session.scalar(select(Member).where(Member.membership_number == "N-9001"))
    assert (erika.last_name, erika.email) == ("Musterfrau", "erika.neu@example.org")


def test_board_cannot_move_members_of_another_branch(world, auth, session):
    text = (
        "Mitgliedsnummer;Vorname;Nachname;E-Mail;Gliederung\n"
        f"{world.sued_member.membership_number};Sven;Süd;sued@example.org;ov-nord\n"
    )
    auth.login(world.board)
    page = _upload(auth, world, text).get_data(as_text=True)
    assert "kann hier nicht übernommen werden" in page
    fresh(session)
    assert world.sued_member.home_branch_id == world.sued.id


def test_unreadable_files_get_a_clear_message(world, auth):
    auth.login(world.board)
    for content, message in [
        ("Name;Mail\nx;y\n", "Der Kopfzeile fehlen die Spalten"),
        ("", "Die Datei ist leer."),
    ]:
        response = _upload(auth, world, content)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    latin1 = (
        "Mitgliedsnummer;Vorname;Nachname;E-Mail;Gliederung\n"
        "1;Jürgen;A;a@b.de;ov-nord\n"
    )
    data = {
        "org": str(world.nord.id),
        "file": (io.BytesIO(latin1.encode("latin-1")), "liste.csv"),
    }
    response = auth.post("/members/import", data, content_type="multipart/form-data")
    assert "nicht UTF-8-kodiert" in response.get_data(as_text=True)


def test_cli_import_dry_run_then_real(world, app, session, tmp_path):
    path = tmp_path / "liste.csv"
    path.write_text(BAD, encoding="utf-8")
    result = app.test_cli_runner().invoke(
        args=["import-members", str(path), "--org", "ov-nord"]
    )
    assert result.exit_code == 1
    assert "line 3: Nachname fehlt." in result.output
    assert "nothing imported" in result.output
    before = _count(session)
    path.write_text(GOOD, encoding="utf-8-sig")
    cli = app.test_cli_runner()
    dry = cli.invoke(
        args=["import-members", str(path), "--org", "ov-nord", "--dry-run"]
    )
    assert dry.exit_code == 0 and "dry run" in dry.output
    assert _count(session) == before
    real = cli.invoke(args=["import-members", str(path), "--org", "ov-nord"])
    assert real.exit_code == 0, real.output
    assert "2 new" in real.output
    assert _count(session) == before + 2
    again = cli.invoke(args=["import-members", str(path), "--org", "ov-nord"])
    assert "0 new, 0 updated, 2 unchanged" in again.output
    assert _count(session) == before + 2
