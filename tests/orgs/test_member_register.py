"""The member register as a sync: who is no longer in the list is deactivated after
confirmation, who reappears is reactivated; on the command line and the board's page."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from models import AuditEntry, LoginSession, Member
from tests.factories import PASSWORD, fresh


def _register(world, *members, extra: str = "") -> str:
    lines = ["Mitgliedsnummer;Vorname;Nachname;E-Mail;Gliederung"]
    for m in members:
        lines.append(
            f"{m.membership_number};{m.first_name};{m.last_name};{m.email};ov-nord"
        )
    return "\n".join(lines) + "\n" + extra


def _active(session, member) -> bool:
    fresh(session)
    return session.get(Member, member.id).active


def test_cli_sync_lists_confirms_deactivates_and_reactivates(
    world, app, session, tmp_path, client
):
    # the member is logged in somewhere: the deactivation ends that session
    token = client.post(
        "/api/v1/auth/token", json={"email": world.member.email, "password": PASSWORD}
    ).get_json()["token"]
    path = tmp_path / "register.csv"
    path.write_text(
        _register(
            world,
            world.board,
            world.organiser,
            extra="N-7001;Neu;Mitglied;neu@example.org;ov-nord\n",
        ),
        encoding="utf-8",
    )
    cli = app.test_cli_runner()
    args = ["import-members", str(path), "--org", "ov-nord", "--sync"]
    dry = cli.invoke(args=[*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "1 active members are no longer in the list" in dry.output
    assert world.member.membership_number in dry.output
    # the admin (an operator, in no party register) is never listed
    assert world.admin.membership_number not in dry.output
    declined = cli.invoke(args=args, input="n\n")
    assert declined.exit_code == 1 and "nothing imported" in declined.output
    assert _active(session, world.member)
    done = cli.invoke(args=args, input="y\n")
    assert done.exit_code == 0, done.output
    assert "1 deactivated" in done.output
    assert not _active(session, world.member)
    assert _active(session, world.admin)
    assert (
        client.get(
            "/api/v1/me", headers={"Authorization": f"Bearer {token}"}
        ).status_code
        == 401
    )
    fresh(session)
    assert (
        session.scalar(
            select(LoginSession.id).where(
                LoginSession.member_id == world.member.id,
                LoginSession.ended_at.is_(None),
            )
        )
        is None
    )
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "members.imported")
    ).all()[-1]
    assert world.member.membership_number in entry.details
    # the member is in the next list again: reactivated, not duplicated
    path.write_text(
        _register(
            world,
            world.board,
            world.organiser,
            world.member,
            extra="N-7001;Neu;Mitglied;neu@example.org;ov-nord\n",
        ),
        encoding="utf-8",
    )
    back = cli.invoke(args=[*args, "--yes"])
    assert back.exit_code == 0, back.output
    assert "0 deactivated, 1 reactivated" in back.output
    assert _active(session, world.member)
    # without --sync a list that leaves people out deactivates nobody
    path.write_text(_register(world, world.board), encoding="utf-8")
    plain = cli.invoke(args=["import-members", str(path), "--org", "ov-nord"])
    assert plain.exit_code == 0
    assert _active(session, world.member) and _active(session, world.organiser)


def test_board_page_previews_who_goes_and_deactivates_on_confirmation(
    world, auth, session
):
    auth.login(world.board)
    text = _register(world, world.board, world.organiser)
    data = {
        "org": str(world.nord.id),
        "file": (io.BytesIO(text.encode()), "liste.csv"),
        "sync": "y",
    }
    preview = auth.post("/members/import", data, content_type="multipart/form-data")
    page = preview.get_data(as_text=True)
    assert world.member.membership_number in page
    assert "1 Mitglieder deaktivieren" in page
    assert _active(session, world.member)  # nothing yet
    upload = re.search(r'name="upload" type="hidden" value="([^"]+)"', page).group(1)
    done = auth.post(
        "/members/import/confirm", {"upload": upload, "invite": "", "sync": "1"}
    )
    assert done.status_code == 302
    assert not _active(session, world.member)
    # a board member never deactivates the admin whose office lies above them
    assert _active(session, world.admin)


def test_board_confirmation_is_refused_when_the_list_of_leavers_changed(
    world, auth, session, app
):
    auth.login(world.board)
    text = _register(world, world.board, world.organiser, world.member)
    data = {
        "org": str(world.nord.id),
        "file": (io.BytesIO(text.encode()), "liste.csv"),
        "sync": "y",
    }
    page = auth.post(
        "/members/import", data, content_type="multipart/form-data"
    ).get_data(as_text=True)
    upload = re.search(r'name="upload" type="hidden" value="([^"]+)"', page).group(1)
    # meanwhile a new member joins OV Nord, who is not in the uploaded list
    from tests.factories import make_member

    with app.app_context():
        newcomer = make_member(session, world.nord)
        session.commit()
    response = auth.post(
        "/members/import/confirm", {"upload": upload, "invite": "", "sync": "1"}
    )
    assert response.status_code == 200
    assert "Seit der Vorschau" in response.get_data(as_text=True)
    assert _active(session, newcomer)


def _mails(app) -> list:
    import email
    from pathlib import Path

    folder = Path(app.instance_path) / "mail"
    paths = sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
    return [email.message_from_bytes(p.read_bytes()) for p in paths]


def test_member_changes_email_through_a_link_to_the_new_address(
    world, auth, session, app, client
):
    auth.login(world.member)
    taken = auth.post("/members/email", {"email": world.board.email})
    assert taken.status_code == 422
    assert "kann nicht verwendet werden" in taken.get_data(as_text=True)
    sent = auth.post("/members/email", {"email": "Mina.Neu@Example.org"})
    assert sent.status_code == 302
    assert _active(session, world.member)
    fresh(session)
    assert session.get(Member, world.member.id).email == "mitglied@example.org"
    mail = _mails(app)[-1]
    assert mail["To"] == "mina.neu@example.org"
    body = mail.get_payload(decode=True).decode()
    path = re.search(r"http://[^/\s]+(/members/email/confirm/[^\s]+)", body).group(1)
    # fetching the link (a mail scanner does) changes nothing; the button does
    page = client.get(path)
    assert page.status_code == 200 and "mina.neu@example.org" in page.get_data(
        as_text=True
    )
    fresh(session)
    assert session.get(Member, world.member.id).email == "mitglied@example.org"
    assert auth.post(path).status_code == 302
    fresh(session)
    assert session.get(Member, world.member.id).email == "mina.neu@example.org"
    told = _mails(app)[-1]
    assert told["To"] == "mitglied@example.org"
    assert "mina.neu@example.org" in told.get_payload(decode=True).decode()
    # the link works once; a forged one is not found
    assert client.get(path).status_code == 404
    assert client.get(path[:-3] + "xyz").status_code == 404
    actions = list(
        session.scalars(
            select(AuditEntry.action).where(AuditEntry.target_id == world.member.id)
        )
    )
    assert "member.email_changed" in actions
    # and the new address logs in
    auth.logout()
    auth.login("mina.neu@example.org")


def test_expired_link_is_refused(world, auth, session, app, monkeypatch):
    auth.login(world.member)
    auth.post("/members/email", {"email": "spaet@example.org"})
    body = _mails(app)[-1].get_payload(decode=True).decode()
    path = re.search(r"http://[^/\s]+(/members/email/confirm/[^\s]+)", body).group(1)
    from ortsverein.members import email_change

    monkeypatch.setattr(email_change, "CONFIRM_HOURS", 0)
    import time

    time.sleep(1.1)
    refused = auth.post(path, follow_redirects=True)
    assert "abgelaufen" in refused.get_data(as_text=True)
    fresh(session)
    assert session.get(Member, world.member.id).email == "mitglied@example.org"


def test_board_changes_a_members_email_audit_logged(world, auth, session, app):
    auth.login(world.board)
    done = auth.post(
        f"/members/{world.member.id}/email",
        {"board-email": "neu.vom.vorstand@example.org"},
    )
    assert done.status_code == 302
    fresh(session)
    assert session.get(Member, world.member.id).email == "neu.vom.vorstand@example.org"
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "member.email_changed")
    ).one()
    assert entry.actor_id == world.board.id and '"via":"board"' in entry.details
    recipients = {m["To"] for m in _mails(app)[-2:]}
    assert recipients == {"mitglied@example.org", "neu.vom.vorstand@example.org"}
    # a board member of another branch does not find the member
    auth.logout()
    auth.login(world.sued_board)
    assert (
        auth.post(
            f"/members/{world.member.id}/email", {"board-email": "x@example.org"}
        ).status_code
        == 404
    )
