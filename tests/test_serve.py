"""`ortsverein serve`, the end of `make run`: pages and sockets in one process."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import requests
import socketio

from tests.servers import free_port, wait_for_port

CLI = Path(sys.executable).with_name("ortsverein")


def _instance(sqlite_template, tmp_path, **settings) -> tuple[Path, int, dict]:
    """A copy of the migrated database, a free port, and `serve`'s environment."""
    db_path = tmp_path / "serve.db"
    shutil.copy(sqlite_template, db_path)
    port = free_port()
    env = {
        **os.environ,
        "ORTSVEREIN_DATABASE_URL": f"sqlite:///{db_path}",
        "PORT": str(port),
        "HOST": "127.0.0.1",
        **settings,
    }
    return db_path, port, env


def _serve(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [str(CLI), "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_serve_one_process_with_sockets(sqlite_template, tmp_path):
    db_path, port, env = _instance(sqlite_template, tmp_path)
    seeded = subprocess.run(
        [str(CLI), "seed-demo", "--if-empty"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "mitglied@example.org" in seeded.stdout
    # A previous run ended while members sat in the demo's running meeting: one
    # online (its socket is gone with the process) and one in the room.
    with sqlite3.connect(db_path) as conn:
        meeting_id, member_id = conn.execute(
            "SELECT meetings.id, members.id FROM meetings, members WHERE "
            "started_at IS NOT NULL AND members.email = 'mitglied@example.org'"
        ).fetchone()
        for in_room in (0, 1):
            conn.execute(
                "INSERT INTO attendances (meeting_id, member_id, in_room, joined_at) "
                "VALUES (?, ?, ?, '2026-01-01 10:00:00')",
                (meeting_id, member_id, in_room),
            )
    server = _serve(env)
    try:
        wait_for_port(port, timeout=30)
        base = f"http://127.0.0.1:{port}"
        assert "Anmelden" in requests.get(f"{base}/login", timeout=10).text
        token = requests.post(
            f"{base}/api/v1/auth/token",
            timeout=10,
            json={"email": "mitglied@example.org", "password": "demo-passwort"},
        ).json()["token"]
        client = socketio.SimpleClient()
        client.connect(
            base, auth={"token": token}, transports=["websocket"], wait_timeout=10
        )
        assert client.connected
        client.disconnect()
        with sqlite3.connect(db_path) as conn:
            open_stretches = conn.execute(
                "SELECT in_room FROM attendances WHERE left_at IS NULL"
            ).fetchall()
        assert open_stretches == [(1,)]  # online presence did not outlive the run
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0]
    assert f"http://127.0.0.1:{port}/" in output


def test_the_gevent_worker_starts_without_a_traceback(sqlite_template, tmp_path):
    """Production's worker, with the in-memory rate-limit store (no Redis): its
    timer greenlet, started when the app was built, used to fail with a KeyError
    traceback in the forked worker's log at every start."""
    _db_path, port, env = _instance(
        sqlite_template,
        tmp_path,
        ORTSVEREIN_SOCKETIO_ASYNC_MODE="gevent",
        ORTSVEREIN_INSTANCE_PATH=str(tmp_path / "instance"),
    )
    env.pop("ORTSVEREIN_REDIS_URL", None)
    server = _serve(env)
    try:
        wait_for_port(port, timeout=30)
        assert requests.get(f"http://127.0.0.1:{port}/login", timeout=10).ok
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0]
    assert "Using worker: gevent" in output, output
    assert "Traceback" not in output and "failed with" not in output, output


PIPELINED = 200  # requests the hammering client sends at once on one connection


def _gevent_server(sqlite_template, tmp_path, *options):
    """`serve` in production's async mode; its access log goes to a file (a full
    pipe would stop the worker)."""
    _db_path, port, env = _instance(
        sqlite_template,
        tmp_path,
        ORTSVEREIN_SOCKETIO_ASYNC_MODE="gevent",
        ORTSVEREIN_INSTANCE_PATH=str(tmp_path / "instance"),
    )
    env.pop("ORTSVEREIN_REDIS_URL", None)
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(CLI), "serve", *options], env=env, stdout=out, stderr=out
        )
    return server, port, log


def _served_before_the_other(port: int, log: Path, server) -> int:
    """One client pipelines PIPELINED requests on one keep-alive connection (its
    next request is always waiting: the worst case of a client that sends the next
    one the moment the answer arrives); once its first answer is back, a second
    client asks for one page. How many of the first client's requests the server
    answered before the second one's (in the order of its access log)."""
    base = f"http://127.0.0.1:{port}"
    wait_for_port(port, timeout=30)
    assert requests.get(f"{base}/healthz", timeout=10).ok
    hammer = socket.create_connection(("127.0.0.1", port), timeout=60)
    hammer.sendall(
        b"".join(
            f"GET /login?hammer={i} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
            for i in range(PIPELINED)
        )
    )
    first_answer = threading.Event()
    received = bytearray()

    def drain():  # read every answer as it comes, so the server never waits
        while received.count(b"HTTP/1.1 200") < PIPELINED:
            chunk = hammer.recv(65536)
            if not chunk:
                break
            received.extend(chunk)
            first_answer.set()

    reader = threading.Thread(target=drain)
    reader.start()
    assert first_answer.wait(30)
    assert requests.get(f"{base}/login?other=1", timeout=60).ok
    reader.join(300)  # a loaded machine (caches off, -n auto) needs minutes
    hammer.close()
    assert received.count(b"HTTP/1.1 200") == PIPELINED
    server.terminate()
    server.wait(20)
    lines = log.read_text().splitlines()
    other = next(i for i, line in enumerate(lines) if "other=1" in line)
    return sum("hammer=" in line for line in lines[:other])


def test_gevent_keep_alive_connection_does_not_hold_the_worker(
    sqlite_template, tmp_path
):
    """Production's worker answers another client while one keep-alive connection
    always has its next request waiting: that connection waits its turn after each
    answer (ortsverein/serving.py), so the other client is served after a few of
    its requests, not after all of them. The same server with the turns switched
    off is the control: it answers all of the first client's requests first."""
    served_first = {}
    for options in ((), ("--no-fair-turns",)):
        server, port, log = _gevent_server(sqlite_template, tmp_path, *options)
        try:
            served_first[options] = _served_before_the_other(port, log, server)
        finally:
            server.kill()
            server.wait(20)
    assert served_first[()] < PIPELINED // 4, served_first
    assert served_first[("--no-fair-turns",)] > PIPELINED // 2, served_first
