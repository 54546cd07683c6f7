"""The command line: seed-demo, create-admin, audit verify."""

from __future__ import annotations

from sqlalchemy import select, text

from models import AuditEntry, Member, RoleName
from tests.factories import fresh


def test_seed_demo_fills_an_empty_database_once(app, session, client):
    cli = app.test_cli_runner()
    result = cli.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "vorstand@example.org" in result.output
    fresh(session)
    emails = set(session.scalars(select(Member.email)))
    assert {
        "admin@example.org",
        "vorstand@example.org",
        "orga@example.org",
        "mitglied@example.org",
        "sued@example.org",
        "mitglied01@example.org",
        "mitglied40@example.org",
    } <= emails
    assert len(emails) == 45
    again = cli.invoke(args=["seed-demo"])
    assert again.exit_code != 0 and "not empty" in again.output
    quiet = cli.invoke(args=["seed-demo", "--if-empty"])
    assert quiet.exit_code == 0 and "not loaded again" in quiet.output
    # the demo accounts really log in with the documented password
    from tests.conftest import Auth

    Auth(client).login("vorstand@example.org", "demo-passwort")
    assert "Mitglieder" in client.get("/").get_data(as_text=True)


def test_seed_demo_refused_in_production(db_url, tmp_path, monkeypatch):
    from config import get_config
    from ortsverein import create_app

    monkeypatch.setenv("ORTSVEREIN_SECRET_KEY", "p" * 40)
    monkeypatch.setenv("ORTSVEREIN_BASE_URL", "https://ov.example.org")
    settings = {
        **get_config("production"),
        "DATABASE_URL": db_url,
        "INSTANCE_PATH": str(tmp_path),
    }
    app = create_app(settings)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0 and "production" in result.output
    app.extensions["ortsverein_db"][0].dispose()


def test_create_admin(world, app, session):
    cli = app.test_cli_runner()
    result = cli.invoke(
        args=["create-admin", "Chefin@Example.org"],
        input="ein-sehr-gutes-passwort\nein-sehr-gutes-passwort\n",
    )
    assert result.exit_code == 0, result.output
    fresh(session)
    admin = session.scalar(select(Member).where(Member.email == "chefin@example.org"))
    assert [r.role for r in admin.roles] == [RoleName.ADMIN]
    assert admin.roles[0].organisation_id == world.bund.id
    short = cli.invoke(args=["create-admin", "x@example.org"], input="kurz\nkurz\n")
    assert short.exit_code != 0 and "mindestens 10" in short.output


def test_audit_verify_detects_a_changed_entry(world, app, session, auth):
    auth.login(world.board)
    auth.post(f"/members/{world.member.id}/deactivate")
    auth.post(f"/members/{world.member.id}/reactivate")
    cli = app.test_cli_runner()
    ok = cli.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "intact" in ok.output
    fresh(session)
    entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()[-2]
    conn = session.connection()
    # The table refuses updates; an attacker with database access drops the guard first.
    if conn.dialect.name == "sqlite":
        conn.execute(text("DROP TRIGGER audit_entries_no_update"))
    else:
        conn.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
    conn.execute(
        text("UPDATE audit_entries SET details = :d WHERE id = :id"),
        {"d": '{"forged":true}', "id": entry.id},
    )
    if conn.dialect.name == "postgresql":  # the database is shared by later tests
        conn.execute(text("ALTER TABLE audit_entries ENABLE TRIGGER USER"))
    session.commit()
    broken = cli.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1
    assert f"BROKEN at entry {entry.id}" in broken.output


def test_audit_log_refuses_update_and_delete(world, session):
    import pytest
    from sqlalchemy.exc import DatabaseError

    from ortsverein import audit

    audit.record(session, world.board, "test.entry")
    session.commit()

    for statement in (
        "UPDATE audit_entries SET action = 'x'",
        "DELETE FROM audit_entries",
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            session.execute(text(statement))
        session.rollback()


def test_audit_page_checks_the_chain(world, app, auth, client):
    auth.login(world.board)
    auth.post(f"/members/{world.member.id}/deactivate")
    page = client.get("/members/audit?verify=1").get_data(as_text=True)
    assert "hat das Konto von" in page and "gesperrt" in page
    assert "Die Kette ist intakt" in page


def test_tick_from_cron_sends_its_mail_before_the_process_ends(
    world, app, session, tmp_path
):
    """`ortsverein tick` as cron runs it (a process of its own, mail not forced to be
    synchronous): the opening's e-mail to a member who asked for it is written
    before the process exits, not left to a background thread that dies with it."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tests.factories import make_poll

    with app.app_context():
        world.member.notify_by_email = True
        session.commit()
        poll = make_poll(session, world.nord, world.organiser, opens_in=-5)
    instance = tmp_path / "cron-instance"
    env = {
        **os.environ,
        "ORTSVEREIN_CONFIG": "development",
        "ORTSVEREIN_DATABASE_URL": app.config["DATABASE_URL"],
        "ORTSVEREIN_INSTANCE_PATH": str(instance),
    }
    cli = Path(sys.executable).with_name("ortsverein")
    done = subprocess.run(
        [str(cli), "tick"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert f"poll {poll.id}: open" in done.stdout
    mails = [p.read_bytes() for p in (instance / "mail").glob("*.eml")]
    assert len(mails) == 1
    assert world.member.email.encode() in mails[0]


def test_create_admin_reads_the_password_from_a_script(world, app, session):
    cli = app.test_cli_runner()
    once = cli.invoke(
        args=[
            "create-admin",
            "skript@example.org",
            "--org",
            "land",
            "--password-stdin",
        ],
        input="aus-dem-skript-gelesen\n",
    )
    assert once.exit_code == 0, once.output
    differ = cli.invoke(
        args=["create-admin", "zwei@example.org", "--org", "land"],
        input="ein-sehr-gutes-passwort\nein-anderes-passwort\n",
    )
    assert differ.exit_code != 0 and "differ" in differ.output
    empty = cli.invoke(
        args=["create-admin", "leer@example.org", "--org", "land"], input=""
    )
    assert empty.exit_code != 0 and "no password" in empty.output
    unknown = cli.invoke(
        args=["create-admin", "x@example.org", "--org", "gibt-es-nicht"],
        input="ein-sehr-gutes-passwort\nein-sehr-gutes-passwort\n",
    )
    assert unknown.exit_code != 0 and "create the tree first" in unknown.output
    fresh(session)
    emails = set(session.scalars(select(Member.email)))
    assert "skript@example.org" in emails
    assert not {"zwei@example.org", "leer@example.org"} & emails
    from tests.conftest import Auth

    client = app.test_client()
    Auth(client).login("skript@example.org", "aus-dem-skript-gelesen")
    assert client.get("/members/").status_code == 200
