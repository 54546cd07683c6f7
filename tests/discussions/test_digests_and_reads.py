"""The daily digest (`ortsverein send-digests`) and the background writer of read
marks (page views do not write; the marks land shortly after)."""

from __future__ import annotations

import email
import email.policy
import gc
import subprocess
import sys
import time
import weakref
from pathlib import Path

from sqlalchemy import select

from models import Member, ThreadRead
from tests.conftest import ROOT, build_app
from tests.factories import fresh, make_post


def _mails(app) -> list:
    folder = Path(app.instance_path) / "mail"
    return [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in folder.glob("*.eml")
    ]


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_digest_sends_unread_notifications_once_a_day(app, session, world, forums):
    member = session.get(Member, world.member.id)
    member.digest_by_email = True
    member.last_name = "Mitglied"
    session.commit()
    with app.app_context():
        make_post(session, forums.nord_thread, world.board, "Was meint @Mina.Mitglied?")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["send-digests"])
    assert result.exit_code == 0, result.output
    assert "digests sent: 1" in result.output
    mails = _mails(app)
    assert len(mails) == 1
    body = _text(mails[0])
    assert mails[0]["To"] == world.member.email
    assert "Lastenrad" in body and "/mail/open/" in body
    # a second run the same day sends nothing
    assert "digests sent: 0" in runner.invoke(args=["send-digests"]).output
    assert len(_mails(app)) == 1


def test_no_digest_without_opt_in_or_news(app, session, world, forums):
    with app.app_context():
        make_post(session, forums.nord_thread, world.board, "Hallo @Mina.Test")
    result = app.test_cli_runner().invoke(args=["send-digests"])
    assert "digests sent: 0" in result.output
    assert _mails(app) == []


def test_profile_switches_the_digest_on(auth, client, session, world):
    auth.login(world.member)
    auth.post("/profile/notifications", {"digest_frequency": "daily"})
    fresh(session)
    assert session.get(Member, world.member.id).digest_by_email is True


def test_read_marks_are_written_in_the_background(
    app, auth, client, session, world, forums
):
    app.config["READ_MARKS_SYNC"] = False
    auth.login(world.member)
    client.get(f"/forums/threads/{forums.nord_thread.id}")
    # the page itself shows the mark at once (pending marks count)...
    page = client.get(f"/forums/{forums.nord.id}").get_data(as_text=True)
    assert " neu" not in page
    # ...and the writer thread stores it shortly after
    deadline = time.monotonic() + 10
    stored = None
    while time.monotonic() < deadline and stored is None:
        fresh(session)
        stored = session.scalar(
            select(ThreadRead.last_read).where(ThreadRead.member_id == world.member.id)
        )
        time.sleep(0.1)
    assert stored == 1


def test_a_digest_is_claimed_once_however_many_runs_overlap(app, session, world):
    """Two runs that both saw no digest yet: only the first claim counts, so only
    one of them mails the member."""
    from datetime import timedelta

    from discussions.digests import _claim
    from models import utcnow

    now = utcnow()
    with app.app_context():
        assert _claim(session, world.member.id, None, now) is True
        assert _claim(session, world.member.id, None, now + timedelta(1)) is False
        assert _claim(session, world.member.id, now, now + timedelta(2)) is True


def test_forum_news_by_digest_poll_news_at_once_never_both(app, session, world, forums):
    """With both email options on, a reply comes in the digest only, and a new
    poll by immediate email only: each by one route, as the profile says."""
    from tests.factories import make_poll

    member = session.get(Member, world.member.id)
    member.digest_by_email = member.notify_by_email = True
    member.last_name = "Mitglied"
    session.commit()
    with app.test_request_context():
        make_post(session, forums.nord_thread, world.board, "Was meint @Mina.Mitglied?")
        from polls.lifecycle import ensure_current

        ensure_current(session, make_poll(session, world.nord, world.organiser))
    deadline = time.monotonic() + 10  # immediate mail goes out in the background
    immediate = []
    while not immediate and time.monotonic() < deadline:
        immediate = [m for m in _mails(app) if m["To"] == world.member.email]
        time.sleep(0.05)
    time.sleep(0.3)  # and nothing else follows it
    immediate = [m for m in _mails(app) if m["To"] == world.member.email]
    assert [m["Subject"] for m in immediate] == [
        "Neue Abstimmung: Frage yes_no_abstain"
    ]
    result = app.test_cli_runner().invoke(args=["send-digests"])
    assert "digests sent: 1" in result.output
    digest = [m for m in _mails(app) if m["Subject"].startswith("Ortsverein:")]
    body = _text(digest[0])
    assert "Lastenrad" in body and "Neue Abstimmung" not in body


def test_marks_still_pending_when_the_process_ends_are_written(
    session, world, forums, db_url, tmp_path
):
    """The writer's last round runs as the process exits, for each of its apps."""
    script = (
        "from ortsverein import create_app\n"
        f"app = create_app('testing', DATABASE_URL={db_url!r}, "
        f"INSTANCE_PATH={str(tmp_path / 'other')!r})\n"
        # READ_MARKS_SYNC (testing): no thread; the mark waits for a flush
        "app.extensions['ortsverein_read_marks']"
        f".mark({world.member.id}, {forums.nord_thread.id}, 1)\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=ROOT, timeout=120)
    fresh(session)
    stored = session.scalar(
        select(ThreadRead.last_read).where(ThreadRead.member_id == world.member.id)
    )
    assert stored == 1


def test_an_app_done_with_is_freed(db_url, tmp_path):
    """Nothing of the process (the read-mark writer's exit hook, the Socket.IO
    server) keeps an app alive once a newer one took its place: a process that
    builds apps, as the suite does for every test, does not grow without end."""
    first = build_app(db_url, tmp_path / "first")
    alive = weakref.ref(first)
    first.extensions["ortsverein_db"][0].dispose()
    del first
    second = build_app(db_url, tmp_path / "second")
    gc.collect()
    assert alive() is None
    second.extensions["ortsverein_db"][0].dispose()
