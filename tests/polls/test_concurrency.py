"""Many members voting at once, and a server killed while they do: exactly one ballot
per member, every acknowledged ballot counted, no 500, no "database is locked"."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from sqlalchemy import func, select

from models import Participation, Receipt
from ortsverein.auth.tokens import create_api_token
from polls.casting import receipt_hash
from tests.factories import fresh, make_member, make_poll, stored_ballots
from tests.servers import free_port, wait_for_port


def _voters(app, session, world, n):
    with app.app_context():
        members = [make_member(session, world.nord, password=None) for _ in range(n)]
        tokens = [create_api_token(session, m, "load") for m in members]
    session.commit()
    return members, tokens


def _count(session, model, poll_id):
    return session.scalar(
        select(func.count()).select_from(model).where(model.poll_id == poll_id)
    )


def test_300_members_at_once_and_20_attempts_by_one(world, app, session, live_server):
    members, tokens = _voters(app, session, world, 300)
    poll = make_poll(session, world.nord, world.organiser)
    _storm(session, f"{live_server.url}/api/v1/polls/{poll.id}/ballots", poll, tokens)


def test_300_members_at_once_under_gevent(world, app, session, db_url, tmp_path):
    """Production's worker: gunicorn with gevent, where a ballot request takes the
    SQLite write lock up front and writes in the transaction it read in."""
    members, tokens = _voters(app, session, world, 300)
    poll = make_poll(session, world.nord, world.organiser)
    env = {
        **os.environ,
        "ORTSVEREIN_DATABASE_URL": db_url,
        "ORTSVEREIN_CONFIG": "development",
        "ORTSVEREIN_SOCKETIO_ASYNC_MODE": "gevent",
        "ORTSVEREIN_INSTANCE_PATH": str(tmp_path / "server"),
        # Every process of an instance reads the one key folder (here the test's).
        "ORTSVEREIN_BALLOT_KEY_DIR": app.config["BALLOT_KEY_DIR"],
    }
    port = free_port()
    server = _serve(env, port)
    try:
        wait_for_port(port, 30)
        url = f"http://127.0.0.1:{port}/api/v1/polls/{poll.id}/ballots"
        _storm(session, url, poll, tokens)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(20)


def _storm(session, url, poll, tokens):
    """Every member votes at once, and the first 20 times at once: one ballot each,
    the 19 repeats 409 already_voted, nothing else."""
    yes = poll.options[0].id

    def vote(token):
        response = requests.post(
            url,
            json={"choices": [yes]},
            timeout=60,
            headers={"Authorization": f"Bearer {token}"},
        )
        return response.status_code, response.json()

    barrier = threading.Barrier(20)

    def eager(token):
        barrier.wait()
        return vote(token)

    with ThreadPoolExecutor(max_workers=40) as pool:
        same = [pool.submit(eager, tokens[0]) for _ in range(20)]
        rest = [pool.submit(vote, t) for t in tokens[1:]]
        same_results = [f.result() for f in same]
        rest_results = [f.result() for f in rest]
    codes = sorted(code for code, _ in same_results)
    assert codes == [201] + [409] * 19
    assert all(
        body["error"]["code"] == "already_voted"
        for code, body in same_results
        if code == 409
    )
    assert {code for code, _ in rest_results} == {201}, rest_results[:3]
    fresh(session)
    assert _count(session, Participation, poll.id) == 300
    assert stored_ballots(session, poll.id) == 300
    assert _count(session, Receipt, poll.id) == 300


def _serve(env, port):
    cli = Path(sys.executable).with_name("ortsverein")
    return subprocess.Popen(
        [str(cli), "serve", "--threads", "32"],
        env={**env, "PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def test_sigkill_while_200_members_vote(world, app, session, db_url, tmp_path):
    members, tokens = _voters(app, session, world, 200)
    poll = make_poll(session, world.nord, world.organiser, closes_in=86400)
    with app.test_request_context():
        from polls.lifecycle import ensure_current

        ensure_current(session, poll)  # freeze the electorate before the storm
    yes = poll.options[0].id
    env = {
        **os.environ,
        "ORTSVEREIN_DATABASE_URL": db_url,
        "ORTSVEREIN_CONFIG": "development",
        "ORTSVEREIN_INSTANCE_PATH": str(tmp_path / "server"),
        "ORTSVEREIN_BALLOT_KEY_DIR": app.config["BALLOT_KEY_DIR"],
    }
    port = free_port()
    server = _serve(env, port)
    wait_for_port(port, 30)
    url = f"http://127.0.0.1:{port}/api/v1/polls/{poll.id}/ballots"
    acknowledged: dict[int, str] = {}
    lock = threading.Lock()

    def vote(i):
        try:
            response = requests.post(
                url,
                json={"choices": [yes]},
                timeout=20,
                headers={"Authorization": f"Bearer {tokens[i]}"},
            )
        except requests.RequestException:
            return
        if response.status_code == 201:
            with lock:
                acknowledged[i] = response.json()["receipt"]

    with ThreadPoolExecutor(max_workers=24) as pool:
        futures = [pool.submit(vote, i) for i in range(200)]
        deadline = time.monotonic() + 30
        while len(acknowledged) < 60 and time.monotonic() < deadline:
            time.sleep(0.005)
        os.killpg(server.pid, signal.SIGKILL)  # master and worker, mid-stream
        server.wait(10)
        for f in futures:
            f.result()
    assert 60 <= len(acknowledged) < 200, len(acknowledged)
    fresh(session)
    stored = set(
        session.scalars(select(Receipt.hash).where(Receipt.poll_id == poll.id))
    )
    assert {receipt_hash(code) for code in acknowledged.values()} <= stored
    assert (
        _count(session, Participation, poll.id)
        == stored_ballots(session, poll.id)
        == len(stored)
    )
    # After a restart everyone without an acknowledgement votes once, no more.
    server = _serve(env, port)
    try:
        wait_for_port(port, 30)
        for i in range(200):
            if i in acknowledged:
                continue
            headers = {"Authorization": f"Bearer {tokens[i]}"}
            first = requests.post(
                url, json={"choices": [yes]}, headers=headers, timeout=20
            )
            assert first.status_code in (201, 409), first.text
            second = requests.post(
                url, json={"choices": [yes]}, headers=headers, timeout=20
            )
            assert second.status_code == 409
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(20)
    fresh(session)
    assert _count(session, Participation, poll.id) == 200
    assert stored_ballots(session, poll.id) == 200
    assert _count(session, Receipt, poll.id) == 200
