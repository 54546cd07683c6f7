"""With REDIS_URL set, a post made through one worker process reaches clients that
are connected to another: two real server processes and a real Redis server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.realtime.test_forum_live import Listener
from tests.servers import RedisServer, free_port, wait_for_port

CLI = Path(sys.executable).with_name("ortsverein")


def _serve(env: dict, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [str(CLI), "serve"],
        env={**env, "PORT": str(port), "HOST": "127.0.0.1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _token(base: str, email: str) -> str:
    return requests.post(
        f"{base}/api/v1/auth/token",
        json={"email": email, "password": "demo-passwort"},
        timeout=10,
    ).json()["token"]


def _nord_thread(base: str, headers: dict) -> int:
    forums = requests.get(f"{base}/api/v1/forums", headers=headers, timeout=10)
    forum = next(f for f in forums.json()["items"] if "Nord" in f["name"])
    threads = requests.get(
        f"{base}/api/v1/forums/{forum['id']}/threads", headers=headers, timeout=10
    ).json()["items"]
    return threads[0]["id"]


@pytest.mark.parametrize("async_mode", ["gevent", "threading"])
def test_post_through_one_process_reaches_a_client_of_another(
    sqlite_template, tmp_path, redis_url, async_mode
):
    """Production's async mode (gevent, config.py) and the embedded default's."""
    db_path = tmp_path / "shared.db"
    shutil.copy(sqlite_template, db_path)
    env = {
        **os.environ,
        "ORTSVEREIN_DATABASE_URL": f"sqlite:///{db_path}",
        "ORTSVEREIN_REDIS_URL": redis_url,
        "ORTSVEREIN_INSTANCE_PATH": str(tmp_path / "instance"),
        "ORTSVEREIN_SOCKETIO_ASYNC_MODE": async_mode,
    }
    seeded = subprocess.run(
        [str(CLI), "seed-demo"], env=env, capture_output=True, text=True, timeout=120
    )
    assert seeded.returncode == 0, seeded.stderr
    ports = free_port(), free_port()
    servers = [_serve(env, port) for port in ports]
    listener = None
    try:
        for port in ports:
            wait_for_port(port, timeout=30)
        first, second = (f"http://127.0.0.1:{p}" for p in ports)

        def token(base, email):
            return requests.post(
                f"{base}/api/v1/auth/token",
                json={"email": email, "password": "demo-passwort"},
                timeout=10,
            ).json()["token"]

        reader_token = token(first, "mitglied@example.org")
        writer_token = token(second, "vorstand@example.org")
        headers = {"Authorization": f"Bearer {writer_token}"}
        forums = requests.get(f"{second}/api/v1/forums", headers=headers, timeout=10)
        forum = next(f for f in forums.json()["items"] if "Nord" in f["name"])
        threads = requests.get(
            f"{second}/api/v1/forums/{forum['id']}/threads", headers=headers, timeout=10
        ).json()["items"]
        thread_id = threads[0]["id"]

        listener = Listener(first, reader_token)  # connected to the first process
        assert listener.join(f"thread:{thread_id}") == {"ok": True}
        response = requests.post(  # posted through the second process
            f"{second}/api/v1/threads/{thread_id}/posts",
            json={"body": "Über **Redis** zugestellt"},
            headers=headers,
            timeout=10,
        )
        assert response.status_code == 201, response.text
        payload = listener.wait_for("post_created", timeout=30)
        assert payload["post"]["id"] == response.json()["id"]
        assert "<strong>Redis</strong>" in payload["post"]["html"]
    finally:
        if listener is not None:
            listener.close()
        for server in servers:
            server.terminate()
        outputs = [server.communicate(timeout=20)[0] for server in servers]
    worker = "gevent" if async_mode == "gevent" else "gthread"
    assert all(f"Using worker: {worker}" in output for output in outputs), outputs


def test_clients_resync_after_a_redis_restart(sqlite_template, tmp_path):
    """Redis restarts while a reader listens on one process and a member posts
    through the other: the post's event is lost with Redis, but once the reader's
    process has subscribed again (by redis-py itself after a short outage, by the
    listening loop after a longer one) it tells its sockets to `resync`, and
    joining again brings the post. A join while Redis is away answers
    `unavailable`."""
    redis_server = RedisServer()  # of its own: this test restarts it
    redis_server.start()
    db_path = tmp_path / "shared.db"
    shutil.copy(sqlite_template, db_path)
    env = {
        **os.environ,
        "ORTSVEREIN_DATABASE_URL": f"sqlite:///{db_path}",
        "ORTSVEREIN_REDIS_URL": redis_server.url,
        "ORTSVEREIN_INSTANCE_PATH": str(tmp_path / "instance"),
        "ORTSVEREIN_SOCKETIO_ASYNC_MODE": "gevent",
    }
    seeded = subprocess.run(
        [str(CLI), "seed-demo"], env=env, capture_output=True, text=True, timeout=120
    )
    assert seeded.returncode == 0, seeded.stderr
    ports = free_port(), free_port()
    servers = [_serve(env, port) for port in ports]
    listener = None
    try:
        for port in ports:
            wait_for_port(port, timeout=30)
        first, second = (f"http://127.0.0.1:{p}" for p in ports)
        reader_token = _token(first, "mitglied@example.org")
        headers = {"Authorization": f"Bearer {_token(second, 'vorstand@example.org')}"}
        thread_id = _nord_thread(second, headers)
        before = requests.post(
            f"{second}/api/v1/threads/{thread_id}/posts",
            json={"body": "Vor dem Neustart"},
            headers=headers,
            timeout=10,
        ).json()["id"]

        listener = Listener(first, reader_token)
        joined = listener.join(f"thread:{thread_id}", after=before)
        assert joined["ok"] and joined["posts"] == []

        assert redis_server.proc is not None
        redis_server.proc.terminate()
        redis_server.proc.wait(10)
        # Posted while Redis is away: saved, acknowledged, its event lost.
        response = requests.post(
            f"{second}/api/v1/threads/{thread_id}/posts",
            json={"body": "Während Redis weg ist"},
            headers=headers,
            timeout=30,
        )
        assert response.status_code == 201, response.text
        lost = response.json()["id"]
        # A join meanwhile is answered, not left hanging: try again later.
        refused = listener.client.call(
            "join", {"room": f"thread:{thread_id}", "after": before}, timeout=60
        )
        assert refused == {"ok": False, "error": "unavailable"}
        redis_server.start()  # the same port

        listener.wait_for("resync", timeout=60)  # redis-py retries with back-off
        again = listener.join(f"thread:{thread_id}", after=before)
        assert [p["id"] for p in again["posts"]] == [lost]
        # And the queue carries events again.
        response = requests.post(
            f"{second}/api/v1/threads/{thread_id}/posts",
            json={"body": "Nach dem Neustart"},
            headers=headers,
            timeout=10,
        )
        assert response.status_code == 201, response.text
        # The event of the post made while Redis was away may come first: the
        # process publishes it again once Redis is back (ortsverein/message_queue.py).
        after = response.json()["id"]
        payload = listener.wait_for(
            "post_created", timeout=30, where=lambda d: d["post"]["id"] != lost
        )
        assert payload["post"]["id"] == after
    finally:
        if listener is not None:
            listener.close()
        for server in servers:
            server.terminate()
        outputs = [server.communicate(timeout=20)[0] for server in servers]
        redis_server.stop()
    assert "told to resync" in outputs[0], outputs[0][-3000:]
