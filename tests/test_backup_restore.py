"""`ortsverein backup` and `ortsverein restore`: a restored copy passes `audit verify`
and `verify-poll` for every closed poll, and running processes never mix a restored
database's open polls up with the facts they kept of the one before."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import select, text

from models import Poll
from ortsverein.db import make_engine
from polls import casting
from polls.lifecycle import ensure_current
from tests.conftest import build_app
from tests.factories import PASSWORD, close_now, fresh, make_poll


def _fresh_database(db_url: str, tmp_path) -> str:
    """An empty database of the same kind: a new file, or a new PostgreSQL database."""
    if db_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored.db'}"
    name = f"restored_{uuid.uuid4().hex[:12]}"
    admin = make_engine(
        db_url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return db_url.rsplit("/", 1)[0] + f"/{name}"


def _drop(url: str) -> None:
    if url.startswith("postgresql"):
        admin = make_engine(
            url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as conn:
            conn.execute(
                text(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")
            )
        admin.dispose()


def test_backup_restores_into_a_fresh_database_that_verifies(
    db_url, world, app, session, tmp_path
):
    with app.app_context():
        closed = []
        for _ in range(2):
            poll = make_poll(session, world.nord, world.organiser)
            yes = poll.options[0].id
            for voter in (world.member, world.board, world.organiser):
                casting.cast(session, poll, voter, [yes])
            close_now(session, poll)
            ensure_current(session, poll)
            closed.append(poll.id)
        make_poll(session, world.nord, world.organiser)  # still open
    cli = app.test_cli_runner()
    folder = tmp_path / "backup-1"
    made = cli.invoke(args=["backup", str(folder)])
    assert made.exit_code == 0, made.output
    manifest = json.loads((folder / "manifest.json").read_text())
    fresh(session)
    head = session.execute(
        text("SELECT id, hash FROM audit_entries ORDER BY id DESC LIMIT 1")
    ).one()
    assert manifest["audit_head"] == {"id": head.id, "hash": head.hash}
    assert manifest["database"] == db_url.split(":")[0].split("+")[0]
    revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert manifest["schema_revision"] == revision
    assert (folder / manifest["file"]).stat().st_size > 0
    # a second backup never overwrites the first
    again = cli.invoke(args=["backup", str(folder)])
    assert again.exit_code != 0 and "not empty" in again.output

    target = _fresh_database(db_url, tmp_path)
    restored = build_app(target, tmp_path / "restored")
    try:
        rcli = restored.test_cli_runner()
        result = rcli.invoke(args=["restore", str(folder), "--yes"])
        assert result.exit_code == 0, result.output
        verify = rcli.invoke(args=["audit", "verify"])
        assert verify.exit_code == 0 and "intact" in verify.output, verify.output
        engine = make_engine(target)
        with engine.connect() as conn:
            closed_ids = (
                conn.execute(select(Poll.id).where(Poll.closed_at.is_not(None)))
                .scalars()
                .all()
            )
        engine.dispose()
        assert sorted(closed_ids) == sorted(closed)
        for poll_id in closed_ids:
            check = rcli.invoke(args=["verify-poll", str(poll_id)])
            assert check.exit_code == 0 and "verified" in check.output, check.output
        # a changed backup file is refused before anything is written
        data = folder / manifest["file"]
        data.write_bytes(data.read_bytes()[:-10])
        broken = rcli.invoke(args=["restore", str(folder), "--yes"])
        assert broken.exit_code != 0 and "does not match" in broken.output
    finally:
        restored.extensions["ortsverein_db"][0].dispose()
        _drop(target)


def _token(client, member) -> dict:
    response = client.post(
        "/api/v1/auth/token", json={"email": member.email, "password": PASSWORD}
    )
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_a_restore_under_a_running_process_is_not_mixed_up_with_kept_poll_facts(
    db_url, world, app, session, tmp_path, client
):
    from ortsverein import caches

    previous = caches.set_enabled(True)
    try:
        folder = tmp_path / "before-the-poll"
        assert app.test_cli_runner().invoke(args=["backup", str(folder)]).exit_code == 0
        # after the backup a poll opens and this process keeps its facts
        with app.app_context():
            first = make_poll(session, world.nord, world.organiser, options=("A", "B"))
        h = _token(client, world.member)
        cast = client.post(
            f"/api/v1/polls/{first.id}/ballots",
            json={"choices": [first.options[0].id]},
            headers=h,
        )
        assert cast.status_code == 201, cast.get_json()
        # the database is restored under the running process: that poll never was
        fresh(session)
        restored = app.test_cli_runner().invoke(args=["restore", str(folder), "--yes"])
        assert restored.exit_code == 0, restored.output
        # a new poll takes the same id, with options of its own
        with app.app_context():
            second = make_poll(
                session,
                world.nord,
                world.organiser,
                kind="single_choice",
                options=("Rot", "Grün", "Blau"),
            )
        assert second.id == first.id
        h = _token(client, world.member)
        cast = client.post(
            f"/api/v1/polls/{second.id}/ballots",
            json={"choices": [second.options[2].id]},
            headers=h,
        )
        assert cast.status_code == 201, cast.get_json()
        fresh(session)  # a snapshot from before the ballot could not write
        with app.app_context():
            close_now(session, second)
            ensure_current(session, second)
        result = client.get(f"/api/v1/polls/{second.id}/results", headers=h).get_json()
        blue = second.options[2].id
        assert result["winners"] == [blue] and result["counts"][str(blue)] == 1, result
        check = app.test_cli_runner().invoke(args=["verify-poll", str(second.id)])
        assert check.exit_code == 0, check.output
    finally:
        caches.set_enabled(previous)
