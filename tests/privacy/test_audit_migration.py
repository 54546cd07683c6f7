"""The data-rights migration lets the database allow exactly one change to audit
entries (pseudonymising a version 2 entry), and its downgrade takes that back."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from ortsverein.db import make_engine
from ortsverein.migrate import downgrade, upgrade
from tests.test_migrations import empty_url  # noqa: F401  (fixture)

BEFORE = "add267812c8a"  # the revision before data rights


V1 = (
    "INSERT INTO audit_entries (id, created_at, action, details, prev_hash, hash)"
    " VALUES (1, CURRENT_TIMESTAMP, 'x', '{}', :p, :h)"
)
V2 = (
    "INSERT INTO audit_entries (id, created_at, action, details, prev_hash, hash,"
    " hash_version, actor_ref, actor_salt)"
    " VALUES (1, CURRENT_TIMESTAMP, 'x', '{}', :p, :h, 2, :r, :s)"
)
CLEAR = {
    "actor_id": "UPDATE audit_entries SET actor_id = NULL",
    "target_id": "UPDATE audit_entries SET target_id = NULL",
}


def _entry(conn, version: int) -> None:
    conn.execute(
        text(V2 if version == 2 else V1),
        {"p": "0" * 64, "h": "1" * 64, "r": "2" * 64, "s": "3" * 32},
    )


def _refused(engine, statement: str) -> bool:
    with engine.connect() as conn:
        try:
            conn.execute(text(statement))
            conn.commit()
        except Exception as err:  # noqa: BLE001  (either database's error)
            assert "append-only" in str(err)
            return True
    return False


def test_only_pseudonymising_passes_and_downgrade_restores_append_only(empty_url):  # noqa: F811
    upgrade(empty_url)
    engine = make_engine(empty_url)
    with engine.begin() as conn:
        _entry(conn, 2)
    assert _refused(engine, "UPDATE audit_entries SET action = 'y'")
    assert _refused(engine, "DELETE FROM audit_entries")
    assert not _refused(engine, "UPDATE audit_entries SET actor_salt = NULL")
    engine.dispose()

    downgrade(empty_url, BEFORE)
    engine = make_engine(empty_url)
    assert _refused(engine, "UPDATE audit_entries SET action = 'y'")
    assert _refused(engine, "DELETE FROM audit_entries")
    engine.dispose()
    upgrade(empty_url)


@pytest.mark.parametrize("column", ["actor_id", "target_id"])
def test_an_entry_of_version_1_stays_untouchable(empty_url, column):  # noqa: F811
    upgrade(empty_url)
    engine = make_engine(empty_url)
    with engine.begin() as conn:
        _entry(conn, 1)
    assert _refused(engine, CLEAR[column])
    engine.dispose()
