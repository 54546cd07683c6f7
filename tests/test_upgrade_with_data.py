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
