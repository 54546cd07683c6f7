"""SQLite writers of one process queue on a lock instead of SQLite's sleeping busy
handler; however a writer's transaction ends, the next one gets in at once."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from ortsverein.db import make_engine, reading_after_commit, write_intent


@pytest.fixture
def factory(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'writers.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    yield sessionmaker(engine)
    engine.dispose()


def _write(factory, value: int, end: str = "commit"):
    session = factory()
    with write_intent():
        session.execute(text("INSERT INTO t VALUES (:x)"), {"x": value})
    getattr(session, end)()
    return session


@pytest.mark.parametrize("end", ["commit", "rollback", "close"])
def test_the_next_writer_gets_in_however_the_last_one_ended(factory, end):
    _write(factory, 1, end)
    started = time.monotonic()
    _write(factory, 2).close()  # would wait out the 30 s timeout on a kept lock
    assert time.monotonic() - started < 5
    with factory() as session:
        values = session.scalars(text("SELECT x FROM t ORDER BY x")).all()
    assert values == ([1, 2] if end == "commit" else [2])


def test_a_waiting_writer_goes_in_when_the_first_commits(factory):
    holder = factory()
    with write_intent():
        holder.execute(text("INSERT INTO t VALUES (1)"))
    second_done = threading.Event()

    def second():
        _write(factory, 2).close()
        second_done.set()

    thread = threading.Thread(target=second)
    thread.start()
    assert not second_done.wait(0.3)  # queued behind the open writer
    holder.commit()
    holder.close()
    assert second_done.wait(5)
    thread.join()
    with factory() as session:
        assert session.scalars(text("SELECT x FROM t ORDER BY x")).all() == [1, 2]


def test_readers_do_not_queue_behind_a_writer(factory):
    holder = factory()
    with write_intent():
        holder.execute(text("INSERT INTO t VALUES (1)"))
    with factory() as reader:
        assert reader.scalar(text("SELECT count(*) FROM t")) == 0  # WAL: the past
    holder.rollback()
    holder.close()


def test_reads_after_a_commit_hold_up_no_writer(factory):
    """What a writing request reads after its commit (whom to notify, the turnout
    to publish) runs as a reader: another writer gets in while it is under way."""
    session = factory()
    with write_intent():
        session.execute(text("INSERT INTO t VALUES (1)"))
        session.commit()
        with reading_after_commit(session):
            assert session.scalar(text("SELECT count(*) FROM t")) == 1
            started = time.monotonic()
            other = threading.Thread(target=lambda: _write(factory, 2).close())
            other.start()
            other.join(40)
            assert time.monotonic() - started < 5
        assert not session.in_transaction()
    session.close()


def test_a_slow_request_body_holds_up_no_writer(world, forums, live_server, client):
    """A client that sends a writing request's headers and holds back its JSON body
    must not hold SQLite's write lock meanwhile: the body is read before the first
    statement (the token check) begins the writing transaction."""
    import socket

    import requests

    from tests.factories import PASSWORD

    def token(member):
        return client.post(
            "/api/v1/auth/token", json={"email": member.email, "password": PASSWORD}
        ).get_json()["token"]

    slow_token, quick_token = token(world.member), token(world.board)
    host, port = live_server.url.removeprefix("http://").split(":")
    path = f"/api/v1/threads/{forums.nord_thread.id}/posts"
    slow = socket.create_connection((host, int(port)))
    try:
        slow.sendall(
            (
                f"POST {path} HTTP/1.1\r\nHost: {host}\r\n"
                f"Authorization: Bearer {slow_token}\r\n"
                "Content-Type: application/json\r\nContent-Length: 40\r\n\r\n"
            ).encode()
        )
        time.sleep(0.5)  # the slow request is in its view's first steps by now
        started = time.monotonic()
        quick = requests.post(
            f"{live_server.url}{path}",
            json={"body": "Schnell dazwischen"},
            headers={"Authorization": f"Bearer {quick_token}"},
            timeout=20,
        )
        assert quick.status_code == 201, quick.text
        assert time.monotonic() - started < 5
    finally:
        slow.close()
