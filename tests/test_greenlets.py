"""Under gevent (production's async mode) password hashing must not freeze the
other greenlets, i.e. every open socket of the process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from tests.factories import PASSWORD

SCRIPT = textwrap.dedent(
    """
    import json, time
    import gevent
    from ortsverein import create_app
    from ortsverein.auth.passwords import check_password, hash_password
    from models import Member

    app = create_app("testing", ARGON2_TIME_COST=4, ARGON2_MEMORY_COST=65536,
                     ARGON2_PARALLELISM=1)
    with app.app_context():
        member = Member(password_hash=hash_password(PASSWORD))
        gaps, last, done = [], [time.monotonic()], [False]

        def ticker():
            while not done[0]:
                gevent.sleep(0.005)
                now = time.monotonic()
                gaps.append(now - last[0])
                last[0] = now

        def login():
            with app.app_context():
                return check_password(member, PASSWORD)

        tick = gevent.spawn(ticker)
        started = time.monotonic()
        logins = [gevent.spawn(login) for _ in range(4)]
        gevent.joinall(logins)
        took = time.monotonic() - started
        done[0] = True
        tick.join()
        print(json.dumps({"ok": [g.value for g in logins], "took": took,
                          "max_gap": max(gaps)}))
    """
)


def test_logins_under_gevent_leave_other_greenlets_running(tmp_path):
    env = {
        **os.environ,
        "ORTSVEREIN_SOCKETIO_ASYNC_MODE": "gevent",
        "ORTSVEREIN_INSTANCE_PATH": str(tmp_path),
        "ORTSVEREIN_DATABASE_URL": f"sqlite:///{tmp_path / 'unused.db'}",
    }
    done = subprocess.run(
        [sys.executable, "-c", f"PASSWORD = {PASSWORD!r}\n" + SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )
    assert done.returncode == 0, done.stderr
    import json

    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["ok"] == [True] * 4
    # Four argon2 checks take far longer than the ticker's longest wait; on the
    # event loop itself they would stop it for at least one check's time.
    assert result["took"] > 0.2
    assert result["max_gap"] < result["took"] / 4, result
