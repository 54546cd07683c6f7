"""`ortsverein serve`, the end of `make run`: pages and sockets in one process."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
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
