"""`ortsverein retention`: each kind goes after its period, measured against a
frozen clock (the `now` retention is given), on SQLite and PostgreSQL."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from models import (
    ApiToken,
    Attendance,
    AuditEntry,
    BallotRecord,
    LoginSession,
    Notification,
    PaperVoter,
    Participation,
    Poll,
    utcnow,
)
from ortsverein import audit
from ortsverein.privacy import retention
from tests.factories import fresh

NOW = utcnow().replace(microsecond=0) + timedelta(days=3)  # the frozen clock


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def age_file(path: Path, days: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x")
    then = (NOW - timedelta(days=days)).timestamp()
    os.utime(path, (then, then))


def test_each_kind_goes_after_its_period_and_not_before(app, session, world, seeded):
    member = world.member
    days = app.config
    session.add_all(
        [
            Notification(
                member_id=member.id,
                kind="reply",
                created_at=NOW
                - timedelta(days=days["RETENTION_NOTIFICATION_DAYS"] + 1),
            ),
            Notification(
                member_id=member.id,
                kind="reply",
                subject="jung",
                created_at=NOW
                - timedelta(days=days["RETENTION_NOTIFICATION_DAYS"] - 1),
            ),
            ApiToken(
                member_id=member.id,
                name="alt",
                token_hash="a" * 64,
                created_at=NOW - timedelta(days=400),
                last_used_at=NOW - timedelta(days=366),
            ),
            ApiToken(
                member_id=member.id,
                name="benutzt",
                token_hash="b" * 64,
                created_at=NOW - timedelta(days=400),
                last_used_at=NOW - timedelta(days=10),
            ),
            LoginSession(id="e" * 64, member_id=member.id, ended_at=NOW),
            LoginSession(
                id="f" * 64,
                member_id=member.id,
                last_seen_at=NOW - timedelta(days=days["SESSION_DAYS"] + 1),
            ),
            LoginSession(id="g" * 64, member_id=member.id, last_seen_at=NOW),
            Attendance(
                meeting_id=seeded.meeting.id,
                member_id=member.id,
                joined_at=NOW - timedelta(days=days["RETENTION_ATTENDANCE_DAYS"] + 1),
            ),
        ]
    )
    session.commit()
    instance = Path(app.instance_path)
    age_file(instance / "mail" / "old.eml", 15)
    age_file(instance / "mail" / "new.eml", 13)
    age_file(instance / "imports" / "old.csv", 1.5)
    age_file(instance / "imports" / "new.csv", 0.5)

    with app.app_context():
        planned = retention.run(session, NOW, dry_run=True)
    assert planned["notifications"] == 1
    assert planned["api_tokens"] == 1
    assert planned["login_sessions"] >= 2
    assert planned["attendances"] == 1
    assert planned["mail_files"] == 1 and planned["import_previews"] == 1
    assert planned["participations"] == 0  # the seeded poll closed just now
    fresh(session)
    assert count(session, Notification, Notification.member_id == member.id) >= 2
    assert (instance / "mail" / "old.eml").exists()  # a dry run deletes nothing

    with app.app_context():
        done = retention.run(session, NOW)
    assert done == planned
    fresh(session)
    limit = NOW - timedelta(days=days["RETENTION_NOTIFICATION_DAYS"])
    assert count(session, Notification, Notification.created_at < limit) == 0
    assert count(session, Notification, Notification.subject == "jung") == 1
    assert session.scalars(select(ApiToken.name)).all() == ["benutzt"]
    assert session.scalars(select(LoginSession.id)).all() == ["g" * 64]
    assert count(session, Attendance, Attendance.member_id == member.id) == 0
    assert count(session, Attendance, Attendance.member_id == seeded.member.id) == 1
    assert not (instance / "mail" / "old.eml").exists()
    assert (instance / "mail" / "new.eml").exists()
    assert not (instance / "imports" / "old.csv").exists()
    assert (instance / "imports" / "new.csv").exists()


def test_participations_go_after_the_challenge_period_and_the_box_stays(
    app, session, seeded
):
    poll_id = seeded.poll.id
    ballots = count(session, BallotRecord, BallotRecord.poll_id == poll_id)
    assert ballots == 1
    result = session.get(Poll, poll_id).result_json
    closed = session.get(Poll, poll_id).closed_at
    period = timedelta(days=app.config["RETENTION_CHALLENGE_DAYS"])
    session.add(PaperVoter(poll_id=poll_id, member_id=seeded.member.id))
    session.commit()

    with app.app_context():
        assert (
            retention.run(session, closed + period - timedelta(minutes=1))[
                "participations"
            ]
            == 0
        )
        removed = retention.run(session, closed + period + timedelta(minutes=1))
    assert removed["participations"] == 2  # one participation, one paper tick
    fresh(session)
    assert count(session, Participation, Participation.poll_id == poll_id) == 0
    assert count(session, PaperVoter, PaperVoter.poll_id == poll_id) == 0
    assert count(session, BallotRecord, BallotRecord.poll_id == poll_id) == ballots
    assert session.get(Poll, poll_id).result_json == result
    # The recount still agrees: the removal is in the audit log with its count.
    check = app.test_cli_runner().invoke(args=["verify-poll", str(poll_id)])
    assert check.exit_code == 0, check.output


def test_audit_entries_are_pseudonymised_after_the_statute_period(
    app, session, world, seeded
):
    named = select(func.count(AuditEntry.id)).where(AuditEntry.actor_id.is_not(None))
    assert session.scalar(named) > 0
    years = app.config["RETENTION_AUDIT_YEARS"]
    with app.app_context():
        early = retention.run(session, NOW + timedelta(days=365 * years - 30))
        assert early["audit_names"] == 0
        late = retention.run(session, NOW + timedelta(days=365 * years + 30))
    assert late["audit_names"] > 0
    fresh(session)
    assert session.scalar(named) == 0
    assert session.scalar(select(func.count(AuditEntry.id))) > 0  # events stay
    assert audit.verify_chain(session).ok


def test_cli_dry_run_lists_counts_per_kind_and_deletes_nothing(app, session, world):
    session.add(
        Notification(
            member_id=world.member.id,
            kind="reply",
            created_at=utcnow() - timedelta(days=365),
        )
    )
    session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["retention", "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = dict(line.split() for line in result.output.splitlines()[:-1])
    assert lines["notifications"] == "1"
    assert set(lines) >= {
        "participations",
        "notifications",
        "api_tokens",
        "login_sessions",
        "attendances",
        "data_exports",
        "mail_files",
        "import_previews",
        "audit_names",
    }
    assert "nothing deleted" in result.output
    fresh(session)
    assert count(session, Notification) == 1
    result = runner.invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    fresh(session)
    assert count(session, Notification) == 0
