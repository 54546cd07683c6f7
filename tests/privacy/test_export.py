"""Art. 15/20: a member's data as a ZIP of JSON files, built in the background,
linked by email, downloadable by that member alone for a week; never a choice."""

from __future__ import annotations

import io
import json
import time
import zipfile
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from models import BallotRecord, DataExport, ExportStatus, utcnow
from tests.factories import fresh


def wait_ready(session, member_id: int, timeout: float = 30.0) -> DataExport:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fresh(session)
        export = session.scalar(
            select(DataExport)
            .where(DataExport.member_id == member_id)
            .order_by(DataExport.id.desc())
        )
        if export is not None and export.status in (
            ExportStatus.READY,
            ExportStatus.FAILED,
        ):
            return export
        time.sleep(0.1)
    raise AssertionError("the export was not built in time")


def all_keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value).union(*(all_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(all_keys(v) for v in value))
    return set()


def unzip(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name).decode() for name in zf.namelist()}


def test_member_exports_everything_stored_about_them_but_no_choice(
    auth, client, seeded, session, mails, app
):
    who = seeded.member
    auth.login(who)
    response = auth.post("/profile/data/export")
    assert response.status_code == 302
    export = wait_ready(session, who.id)
    assert export.status == ExportStatus.READY
    assert export.expires_at - export.finished_at == timedelta(days=7)
    # The file lies in the instance folder, readable by the app's user only.
    path = Path(app.instance_path) / "exports" / export.file_name
    assert path.stat().st_mode & 0o777 == 0o600

    page = client.get("/profile/data").get_data(as_text=True)
    assert f"/profile/data/exports/{export.id}" in page
    [mail] = [m for m in mails() if "Datenauskunft" in m["Subject"]]
    assert mail["To"] == who.email
    assert f"{app.config['BASE_URL']}/profile/data" in mail.get_content()

    download = client.get(f"/profile/data/exports/{export.id}")
    assert download.status_code == 200
    assert download.headers["Cache-Control"] == "no-store"
    files = unzip(download.data)
    data = {n: json.loads(c) for n, c in files.items() if n.endswith(".json")}
    assert data["profile.json"]["email"] == who.email
    assert data["profile.json"]["membership_number"] == who.membership_number
    assert "password_hash" not in files["profile.json"]
    assert [r["role"] for r in data["roles.json"]] == ["organiser"]
    forums = data["forums.json"]
    assert [t["title"] for t in forums["threads_started"]] == ["Radweg Hauptstraße"]
    edited = next(p for p in forums["posts"] if p["id"] == seeded.post.id)
    assert edited["body"] == "Zweite Fassung der Meinung"
    assert [v["body"] for v in edited["earlier_versions"]] == ["Noch eine Meinung"]
    assert [r["reason"] for r in forums["reports_made"]] == ["Bitte prüfen"]
    assert data["subscriptions.json"]["threads"] == [seeded.thread.id]
    assert "Eigens gesetzt" in [n["subject"] for n in data["notifications.json"]]
    [stay] = data["meetings.json"]["attendance"]
    assert stay["meeting"] == "Jahresversammlung" and stay["in_room"] is True
    polls = data["polls.json"]
    assert [p["poll_id"] for p in polls["took_part"]] == [seeded.poll.id]
    assert [p["poll_id"] for p in polls["eligible"]] == [seeded.poll.id]
    assert any(e["action"] == "data_export.requested" for e in data["audit_log.json"])

    # Nothing anywhere in the archive says how they voted.
    everything = "\n".join(files.values())
    assert "Zebrastreifen" not in everything and "Ampelanlage" not in everything
    assert seeded.receipt not in everything
    fresh(session)
    for ballot_id, choices in session.execute(
        select(BallotRecord.id, BallotRecord.choices).where(
            BallotRecord.poll_id == seeded.poll.id
        )
    ):
        assert ballot_id not in everything
        assert choices  # the box holds the choice; the export does not
    keys = set().union(*(all_keys(d) for d in data.values()))
    assert not {k for k in keys if "choice" in k or "option" in k or "ballot" in k}


def test_only_the_member_downloads_their_export(auth, client, seeded, session, world):
    auth.login(seeded.member)
    auth.post("/profile/data/export")
    export = wait_ready(session, seeded.member.id)
    auth.logout()
    for other in (world.member, world.board, world.admin):
        auth.login(other)
        assert client.get(f"/profile/data/exports/{export.id}").status_code == 404
        auth.logout()


def test_a_second_request_waits_for_the_first(auth, client, world, session):
    session.add(DataExport(member_id=world.member.id, requested_by_id=world.member.id))
    session.commit()
    auth.login(world.member)
    response = auth.post("/profile/data/export", follow_redirects=True)
    assert "wird gerade erstellt" in response.get_data(as_text=True)
    fresh(session)
    assert len(session.scalars(select(DataExport)).all()) == 1


def test_expired_export_is_refused_and_removed_by_retention(
    auth, client, world, session, app
):
    auth.login(world.member)
    auth.post("/profile/data/export")
    export = wait_ready(session, world.member.id)
    path = Path(app.instance_path) / "exports" / export.file_name
    export_id = export.id
    session.execute(
        update(DataExport)
        .where(DataExport.id == export_id)
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    session.commit()
    assert client.get(f"/profile/data/exports/{export_id}").status_code == 404
    result = app.test_cli_runner().invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    assert not path.exists()
    fresh(session)
    assert session.get(DataExport, export_id) is None


def test_board_runs_the_export_for_a_member_who_alone_downloads_it(
    auth, client, world, session, mails
):
    auth.login(world.board)
    page = client.get(f"/members/{world.member.id}/data")
    assert page.status_code == 200
    assert auth.post(f"/members/{world.member.id}/data/export").status_code == 302
    export = wait_ready(session, world.member.id)
    assert export.requested_by_id == world.board.id
    assert client.get(f"/profile/data/exports/{export.id}").status_code == 404
    assert any(m["To"] == world.member.email for m in mails())
    auth.logout()
    auth.login(world.member)
    assert client.get(f"/profile/data/exports/{export.id}").status_code == 200


def test_a_board_cannot_export_members_of_another_branch(auth, client, world):
    auth.login(world.sued_board)
    assert client.get(f"/members/{world.member.id}/data").status_code == 404
    response = auth.post(f"/members/{world.member.id}/data/export")
    assert response.status_code == 404


def test_profile_links_to_my_data(auth, client, world):
    auth.login(world.member)
    assert 'href="/profile/data"' in client.get("/profile/").get_data(as_text=True)


def test_a_job_a_restart_left_behind_shows_its_state_and_is_built_by_retention(
    auth, client, world, session, app, mails
):
    session.add(
        DataExport(
            member_id=world.member.id,
            requested_by_id=world.member.id,
            status=ExportStatus.RUNNING,
            created_at=utcnow() - timedelta(minutes=20),
        )
    )
    session.commit()
    auth.login(world.member)
    page = client.get("/profile/data").get_data(as_text=True)
    assert 'data-export-status="running"' in page and "wird erstellt" in page
    result = app.test_cli_runner().invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    assert "1 unfinished data export(s) built" in result.output
    export = wait_ready(session, world.member.id, timeout=1)
    assert export.status == ExportStatus.READY
    assert [m["To"] for m in mails()] == [world.member.email]
    page = client.get("/profile/data").get_data(as_text=True)
    assert f'href="/profile/data/exports/{export.id}"' in page


def test_one_export_a_day(auth, client, world, session):
    auth.login(world.member)
    auth.post("/profile/data/export")
    wait_ready(session, world.member.id)
    response = auth.post("/profile/data/export", follow_redirects=True)
    assert "Heute wurde schon eine Auskunft erstellt" in response.get_data(as_text=True)
    fresh(session)
    assert len(session.scalars(select(DataExport)).all()) == 1
