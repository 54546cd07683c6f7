"""SQLite writers of one process queue on a lock instead of SQLite's sleeping busy
handler; however a writer's transaction ends, the next one gets in at once."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from ortsverein.db import make_engine, write_intent


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
