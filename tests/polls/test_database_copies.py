"""A copy of the database taken while a secret poll is open (an admin's copy of the
SQLite file through the backup API, a nightly pg_dump, a read-only reporting role)
holds no readable ballot and no key that opens one; after sealing the key is gone,
so such a copy stays unreadable for good."""

from __future__ import annotations

import sqlite3
import subprocess

import pytest
from sqlalchemy import create_engine, make_url, text

from polls import ballot_keys, casting
from polls.lifecycle import ensure_current
from tests.factories import close_now, make_member, make_poll


@pytest.fixture
def open_poll(app, session, world, ctx):
    """A secret poll of OV Nord with five ballots cast."""
    with app.app_context():
        voters = [make_member(session, world.nord) for _ in range(5)]
    poll = make_poll(
        session, world.nord, world.organiser, kind="single_choice", options=("A", "B")
    )
    a, b = (o.id for o in poll.options)
    for voter, choice in zip(voters, [[a], [a], [b], [a], [b]], strict=True):
        casting.cast(session, poll, voter, choice)
    return poll


def _rows(connection, sql: str, **params) -> list:
    return list(connection.execute(text(sql), params))


def _assert_nothing_readable(rows_of, poll, secret: bytes) -> None:
    """In the copy: no plain ballot of the poll, five sealed ones, none of which
    contains the key or a choice as its canonical line."""
    assert rows_of("SELECT choices FROM ballots WHERE poll_id = :p", p=poll.id) == []
    boxes = [
        bytes(r[0])
        for r in rows_of("SELECT box FROM sealed_ballots WHERE poll_id = :p", p=poll.id)
    ]
    assert len(boxes) == 5
    lines = [f"[{o.id}]".encode() for o in poll.options]
    for box in boxes:
        # a sealed box: 48 bytes of ephemeral key and tag around the ciphertext
        assert len(box) == 48 + len(lines[0])
        assert secret not in box and not any(line in box for line in lines)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_sqlite_copy_during_the_poll_reads_nothing_and_never_will(
    app, session, open_poll, tmp_path, db_url
):
    secret = ballot_keys.key_path(open_poll.id).read_bytes()
    copy_path = tmp_path / "copy.db"
    source = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    with sqlite3.connect(copy_path) as target:
        source.backup(target)
    source.close()
    assert secret not in copy_path.read_bytes()  # the key never was in the database
    copy = create_engine(f"sqlite:///{copy_path}")
    with copy.connect() as conn:
        _assert_nothing_readable(
            lambda sql, **kw: _rows(conn, sql, **kw), open_poll, secret
        )
    close_now(session, open_poll)
    session.commit()
    ensure_current(session, open_poll)
    assert open_poll.closed_at is not None
    assert not ballot_keys.key_path(open_poll.id).exists()  # nothing can open the copy
    copy.dispose()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_pg_dump_and_a_read_only_role_during_the_poll_read_nothing(
    app, session, open_poll, postgres_server, db_url
):
    secret = ballot_keys.key_path(open_poll.id).read_bytes()
    admin = create_engine(db_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP ROLE IF EXISTS reporting"))
        conn.execute(text("CREATE ROLE reporting LOGIN PASSWORD 'reporting'"))
        conn.execute(text("GRANT SELECT ON ALL TABLES IN SCHEMA public TO reporting"))
    try:
        url = make_url(db_url).set(username="reporting", password="reporting")
        reporting = create_engine(url)
        with reporting.connect() as conn:
            _assert_nothing_readable(
                lambda sql, **kw: _rows(conn, sql, **kw), open_poll, secret
            )
        reporting.dispose()
        dump = subprocess.run(
            [
                str(postgres_server.bindir / "pg_dump"),
                "--data-only",
                "--table=ballots",
                "--table=sealed_ballots",
                "--table=participations",
                "--dbname",
                db_url.replace("postgresql+psycopg", "postgresql"),
            ],
            capture_output=True,
            check=True,
        ).stdout
        assert secret.hex().encode() not in dump
        # The dump's ballot rows are sealed: no line of the box copy is plain.
        copied = dump.split(b"COPY public.ballots")[1].split(b"\\.")[0]
        assert copied.count(b"\n") == 1  # the header line only: no plain ballot
    finally:
        with admin.connect() as conn:
            conn.execute(
                text("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM reporting")
            )
            conn.execute(text("DROP ROLE reporting"))
        admin.dispose()
