"""Time and peak memory of each export format for a closed poll with 400,000 ballots.

Targets (issue 5): ballot-box CSV under 5 s and 100 MB peak; PDF under 2 s.
Each export runs twice: once timed, once under tracemalloc for the peak of Python's
own allocations (tracemalloc slows every allocation several times over, so that run's
time is printed apart, in brackets, and is not the export's time).
Usage: python bench/exports.py [--ballots N]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, update  # noqa: E402

from bench.import_members import machine  # noqa: E402
from bench.polls import _members, _poll, _tree  # noqa: E402
from models import BallotRecord, Member, Poll, Receipt, Role, RoleName, utcnow  # noqa: E402
from ortsverein import create_app  # noqa: E402
from ortsverein.db import db, write_intent  # noqa: E402
from ortsverein.migrate import upgrade  # noqa: E402
from polls.checksums import canonical  # noqa: E402
from polls.lifecycle import ensure_current  # noqa: E402


def _fetch(client, path: str, headers: dict) -> tuple[float, int, int]:
    """Seconds to read the whole response, its size and status."""
    t0 = time.perf_counter()
    response = client.get(path, headers=headers, buffered=False)
    size = sum(len(chunk) for chunk in response.response)
    response.close()
    return time.perf_counter() - t0, size, response.status_code


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ballots", type=int, default=400_000)
    n = parser.parse_args().ballots
    print(f"machine: {machine()}")
    tmp = Path(tempfile.mkdtemp(prefix="ortsverein-bench-"))
    url = f"sqlite:///{tmp / 'exports.db'}"
    upgrade(url)
    app = create_app("testing", DATABASE_URL=url, INSTANCE_PATH=str(tmp))
    try:
        with app.test_request_context(), write_intent():
            session = db.session
            root, branch = _tree(session)
            _members(session, branch, 10, "E")
            board = session.query(Member).first()
            session.add(Role(member=board, organisation=root, role=RoleName.ADMIN))
            session.add(Role(member=board, organisation=root, role=RoleName.BOARD))
            session.commit()
            poll = _poll(
                session,
                root,
                board,
                kind="single_choice",
                options=["Rot", "Grün", "Blau", "Gelb"],
            )
            ensure_current(session, poll)
            ids = [o.id for o in poll.options]
            rnd = random.Random(4)
            for start in range(0, n, 20_000):
                size = min(20_000, n - start)
                session.execute(
                    insert(BallotRecord),
                    [
                        {
                            "id": uuid.uuid4().hex,
                            "poll_id": poll.id,
                            "choices": canonical([rnd.choice(ids)]),
                        }
                        for _ in range(size)
                    ],
                )
                session.execute(
                    insert(Receipt),
                    [
                        {"hash": uuid.uuid4().hex * 2, "poll_id": poll.id}
                        for _ in range(size)
                    ],
                )
            session.execute(
                update(Poll)
                .where(Poll.id == poll.id)
                .values(electorate_size=n, closes_at=utcnow() - timedelta(seconds=1))
            )
            session.commit()
            session.refresh(poll)
            t0 = time.perf_counter()
            ensure_current(session, poll)
            print(
                f"sealing {n} ballots (shuffle, digests, tally): "
                f"{time.perf_counter() - t0:5.2f} s"
            )
            poll_id, board_email = poll.id, board.email
        client = app.test_client()
        from ortsverein.auth.tokens import create_api_token

        with app.app_context():
            token = create_api_token(
                db.session,
                db.session.query(Member).filter_by(email=board_email).one(),
                "bench",
            )
            db.session.commit()
        headers = {"Authorization": f"Bearer {token}"}
        for fmt, path in [
            ("ballot-box CSV", f"/polls/{poll_id}/export.ballots.csv"),
            ("result CSV", f"/api/v1/polls/{poll_id}/export.csv"),
            ("JSON", f"/api/v1/polls/{poll_id}/export.json"),
            ("XLSX", f"/api/v1/polls/{poll_id}/export.xlsx"),
            ("PDF", f"/api/v1/polls/{poll_id}/export.pdf"),
        ]:
            if fmt == "ballot-box CSV":  # the web route; log in through a session
                with client.session_transaction() as sess:
                    sess["_user_id"] = f"{1}:1"
            elapsed, size, status = _fetch(client, path, headers)
            tracemalloc.start()
            traced, _, _ = _fetch(client, path, headers)
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            print(
                f"{fmt:15} {status} {size / 2**20:7.1f} MB in {elapsed:6.2f} s, "
                f"peak {peak:7.1f} MB ({traced:6.2f} s under tracemalloc)"
            )
    finally:
        app.extensions["ortsverein_db"][0].dispose()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
