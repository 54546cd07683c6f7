"""Upgrading a database that already holds members keeps them and fills new columns."""

from __future__ import annotations

from sqlalchemy import text

from ortsverein.db import make_engine
from ortsverein.migrate import upgrade


def test_upgrade_from_the_first_revision_with_members(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "dd345d9ea71b")  # the first revision
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO organisations (id, name, slug, level, path, "
                "require_2fa_for_staff, created_at) VALUES "
                "(1, 'OV', 'ov', 'ortsverein', '/1/', 0, '2026-01-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO members (membership_number, first_name, last_name, email, "
                "home_branch_id, active, session_version, totp_enabled, created_at, "
                "updated_at) VALUES ('1', 'A', 'B', 'a@example.org', 1, 1, 1, 0, "
                "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
    engine.dispose()
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT email, notify_by_email FROM members")).one()
    engine.dispose()
    assert tuple(row) == ("a@example.org", 0)


def test_meetings_revision_keeps_polls_and_their_options(tmp_path):
    """The meetings revision rebuilds `polls` on SQLite; with foreign keys enforced a
    rebuild would cascade to the options and ballots. They must all survive."""
    url = f"sqlite:///{tmp_path / 'polls.db'}"
    upgrade(url, "d0a338cddba3")  # the forums revision, before meetings
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO organisations (id, name, slug, level, path, "
                "require_2fa_for_staff, created_at) VALUES "
                "(1, 'OV', 'ov', 'ortsverein', '/1/', 0, '2026-01-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO polls (id, organisation_id, title, body, body_html, kind, "
                "secret, opens_at, closes_at, quorum_percent, majority, min_choices, "
                "max_choices, rule_name, statute_reference, repeat, scheduled, "
                "created_at) VALUES (1, 1, 'Frage', '', '', 'yes_no_abstain', 1, "
                "'2026-01-01 00:00:00', '2026-01-02 00:00:00', 0, 'simple', 0, 1, "
                "'', '', 'none', 1, '2026-01-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO poll_options (poll_id, position, label) VALUES "
                "(1, 0, 'Ja'), (1, 1, 'Nein')"
            )
        )
        conn.execute(
            text("INSERT INTO ballots (id, poll_id, choices) VALUES ('b1', 1, '[1]')")
        )
    engine.dispose()
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        labels = conn.execute(text("SELECT label FROM poll_options")).scalars().all()
        ballots = conn.execute(text("SELECT count(*) FROM ballots")).scalar()
        meeting = conn.execute(text("SELECT meeting_id FROM polls")).scalar()
    engine.dispose()
    assert (sorted(labels), ballots, meeting) == (["Ja", "Nein"], 1, None)
