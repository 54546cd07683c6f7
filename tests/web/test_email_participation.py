"""Participation by email: notification and digest emails as multipart with signed
links to the very page, the one-click unsubscribe (RFC 8058) without login, and
the email settings per topic, per forum and the digest's frequency."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from models import EmailMute, Member, Notification, utcnow
from tests.factories import PASSWORD, fresh, make_poll, make_post

LINK_RE = re.compile(r"https?://[^\s\"<>]+/mail/open/[A-Za-z0-9_.\-]+")


def _mails(app, to: str | None = None) -> list:
    folder = Path(app.instance_path) / "mail"
    found = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in folder.glob("*.eml")
    ]
    return [m for m in found if to is None or m["To"] == to]


def _clear(app) -> None:
    for path in (Path(app.instance_path) / "mail").glob("*.eml"):
        path.unlink()


def _parts(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def _poll_mail(app, session, world, locale: str | None = None):
    """The member opted in; a poll opens; the one email they get."""
    from polls.lifecycle import ensure_current

    member = session.get(Member, world.member.id)
    member.notify_by_email = True
    member.locale = locale
    session.commit()
    with app.test_request_context():
        poll = make_poll(session, world.nord, world.organiser)
        ensure_current(session, poll)
    mails = _mails(app, world.member.email)
    assert len(mails) == 1
    return mails[0], poll


def test_notification_mail_is_multipart_with_a_signed_link_to_the_poll(
    app, client, auth, session, world
):
    message, poll = _poll_mail(app, session, world)
    assert message.get_content_type() == "multipart/alternative"
    text, html = _parts(message)
    assert message["Subject"] == "Neue Abstimmung: Frage yes_no_abstain"
    assert '<html lang="de">' in html and "color-scheme" in html
    assert "<h1>Neue Abstimmung: Frage yes_no_abstain</h1>" in html
    assert "<img" not in html
    unsubscribe = message["List-Unsubscribe"]
    assert unsubscribe.startswith("<http") and "/mail/unsubscribe/" in unsubscribe
    # on the wire one plain line, as mail clients read it (no encoded word)
    (raw,) = (Path(app.instance_path) / "mail").glob("*.eml")
    assert f"\nList-Unsubscribe: {unsubscribe}\n".encode() in raw.read_bytes()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = LINK_RE.search(text).group(0)
    assert link in html  # the same link in both parts
    # Without a session the link leads to the login, and logs nobody in.
    response = client.get(_path(link))
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]
    assert response.headers["Location"].endswith(f"next=/polls/{poll.id}")
    assert client.get(f"/polls/{poll.id}").status_code == 302  # still anonymous
    # After login it opens the poll itself and marks the notification read.
    auth.login(world.member)
    response = client.get(_path(link))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/polls/{poll.id}"
    fresh(session)
    note = session.scalar(
        select(Notification).where(Notification.member_id == world.member.id)
    )
    assert note.read_at is not None


def test_a_tampered_or_expired_link_gets_a_clear_page(app, client, session, world):
    message, _poll = _poll_mail(app, session, world)
    text, _html = _parts(message)
    path = _path(LINK_RE.search(text).group(0))
    token = path.rsplit("/", 1)[1]
    payload, rest = token.split(".", 1)
    # the same signature over another page: refused
    import base64
    import json

    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["p"] = "/members/"
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    response = client.get(f"/mail/open/{forged}.{rest}")
    assert response.status_code == 400
    assert "ungültig" in response.get_data(as_text=True)
    response = client.get(path[:-2] + ("AA" if not path.endswith("AA") else "BB"))
    assert response.status_code == 400
    app.config["MAIL_LINK_MAX_AGE"] = -1
    response = client.get(path)
    assert response.status_code == 400
    assert "abgelaufen" in response.get_data(as_text=True)


def test_mail_in_the_members_language(app, session, world):
    message, _poll = _poll_mail(app, session, world, locale="en")
    text, html = _parts(message)
    assert message["Subject"] == "New poll: Frage yes_no_abstain"
    assert '<html lang="en">' in html
    assert "Neue Abstimmung" not in text


def test_one_click_unsubscribe_by_a_post_without_cookies(app, session, world):
    message, _poll = _poll_mail(app, session, world)
    url = message["List-Unsubscribe"].strip("<>")
    bare = app.test_client(use_cookies=False)
    # a person sees a page with a button first; nothing changes on GET
    page = bare.get(_path(url))
    assert page.status_code == 200 and '<form method="post"' in page.get_data(True)
    assert session.scalar(select(EmailMute.id)) is None
    # the mail client's one-click POST: no cookie, no CSRF token
    response = bare.post(
        _path(url),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert "keine E-Mails mehr" in response.get_data(as_text=True)
    fresh(session)
    assert session.scalars(
        select(EmailMute.topic).where(EmailMute.member_id == world.member.id)
    ).all() == ["polls"]
    # the next poll comes in the app, not by email
    _clear(app)
    from polls.lifecycle import ensure_current

    with app.test_request_context():
        ensure_current(session, make_poll(session, world.nord, world.organiser))
    assert _mails(app, world.member.email) == []
    assert (
        session.scalar(
            select(Notification.id).where(
                Notification.member_id == world.member.id,
                Notification.read_at.is_(None),
            )
        )
        is not None
    )


def test_a_forged_unsubscribe_changes_nothing(app, session, world):
    message, _poll = _poll_mail(app, session, world)
    url = message["List-Unsubscribe"].strip("<>")
    bare = app.test_client(use_cookies=False)
    response = bare.post(_path(url)[:-3] + "xyz")
    assert response.status_code == 400
    fresh(session)
    assert session.scalar(select(EmailMute.id)) is None


def _digest(app, session, world, forums, frequency="daily"):
    member = session.get(Member, world.member.id)
    member.digest_by_email = frequency != "off"
    member.digest_frequency = frequency if frequency != "off" else "daily"
    member.last_name = "Mitglied"
    session.commit()
    with app.app_context():
        make_post(session, forums.nord_thread, world.board, "Was meint @Mina.Mitglied?")
    result = app.test_cli_runner().invoke(args=["send-digests"])
    assert result.exit_code == 0, result.output
    return result.output


def test_digest_is_multipart_with_signed_links_and_its_own_unsubscribe(
    app, client, session, world, forums
):
    assert "digests sent: 1" in _digest(app, session, world, forums)
    (message,) = _mails(app, world.member.email)
    text, html = _parts(message)
    assert "Lastenrad" in text and "Lastenrad" in html
    link = LINK_RE.search(html).group(0)
    auth_client = client
    from tests.conftest import Auth

    Auth(auth_client).login(world.member)
    target = auth_client.get(_path(link)).headers["Location"]
    assert target.startswith("/forums/posts/")
    # its unsubscribe switches the digest off
    url = message["List-Unsubscribe"].strip("<>")
    app.test_client(use_cookies=False).post(
        _path(url), data={"List-Unsubscribe": "One-Click"}
    )
    fresh(session)
    assert session.get(Member, world.member.id).digest_by_email is False


def test_a_weekly_digest_waits_a_week(app, session, world, forums):
    assert "digests sent: 1" in _digest(app, session, world, forums, "weekly")
    (message,) = _mails(app, world.member.email)
    assert "Woche" in message["Subject"]
    member = session.get(Member, world.member.id)
    member.last_digest_at = utcnow() - timedelta(days=2)
    session.commit()
    with app.app_context():
        make_post(session, forums.nord_thread, world.board, "Nochmal @Mina.Mitglied")
    runner = app.test_cli_runner()
    assert "digests sent: 0" in runner.invoke(args=["send-digests"]).output
    member = session.get(Member, world.member.id)
    member.last_digest_at = utcnow() - timedelta(days=7)
    session.commit()
    assert "digests sent: 1" in runner.invoke(args=["send-digests"]).output


def test_the_digest_leaves_out_a_muted_topic_and_a_muted_forum(
    app, session, world, forums
):
    session.add(EmailMute(member_id=world.member.id, topic="mentions", forum_id=0))
    session.commit()
    assert "digests sent: 0" in _digest(app, session, world, forums)
    session.query(EmailMute).delete()
    session.add(
        EmailMute(member_id=world.member.id, topic="forum", forum_id=forums.nord.id)
    )
    session.commit()
    output = app.test_cli_runner().invoke(args=["send-digests", "--force"]).output
    assert "digests sent: 0" in output, output


def test_settings_page_saves_topics_forums_and_frequency(
    app, auth, client, session, world, forums
):
    auth.login(world.member)
    page = client.get("/profile/notifications").get_data(as_text=True)
    assert "Nord-Forum" in page and "Süd-Forum" not in page  # only forums they see
    visible = [int(i) for i in re.findall(r'name="forums"[^>]*value="(\d+)"', page)]
    assert forums.nord.id in visible
    response = auth.post(
        "/profile/notifications",
        {
            "digest_frequency": "weekly",
            "topic_mentions": "y",
            "topic_polls": "y",
            "forums": [i for i in visible if i != forums.nord.id],
        },
    )
    assert response.status_code == 302
    fresh(session)
    member = session.get(Member, world.member.id)
    assert member.digest_by_email is True and member.digest_frequency == "weekly"
    assert member.notify_by_email is False
    mutes = set(
        session.execute(
            select(EmailMute.topic, EmailMute.forum_id).where(
                EmailMute.member_id == member.id
            )
        ).all()
    )
    assert mutes == {
        ("replies", 0),
        ("new_threads", 0),
        ("meetings", 0),
        ("forum", forums.nord.id),
    }
    # the page shows what is stored
    page = client.get("/profile/notifications").get_data(as_text=True)
    assert re.search(r'<option selected value="weekly"|value="weekly" selected', page)
    # and the API says the same
    token = client.post(
        "/api/v1/auth/token",
        json={"email": world.member.email, "password": PASSWORD},
    ).get_json()["token"]
    api = client.get(
        "/api/v1/me/settings", headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    assert api["digest_frequency"] == "weekly"
    assert api["forums_without_email"] == [forums.nord.id]
    assert api["email_topics"] == {
        "mentions": True,
        "replies": False,
        "new_threads": False,
        "polls": True,
        "meetings": False,
    }


@pytest.mark.parametrize("bad", ["stündlich", ""])
def test_a_bad_setting_is_shown_again_with_its_message(
    auth, client, session, world, bad
):
    auth.login(world.member)
    response = auth.post(
        "/profile/notifications",
        {"digest_frequency": bad, "topic_replies": "y", "notify_by_email": "y"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in page
    assert re.search(
        r'name="notify_by_email"[^>]*checked|checked[^>]*name="notify_by_email"', page
    )
    fresh(session)
    assert session.get(Member, world.member.id).notify_by_email is False


def test_meeting_invitations_respect_the_meetings_setting(app, session, world):
    from meetings.invitations import send_invitations
    from tests.factories import make_meeting, meeting_action

    session.add(EmailMute(member_id=world.member.id, topic="meetings", forum_id=0))
    session.commit()
    with app.test_request_context():
        meeting = make_meeting(session, world.nord, world.organiser)
        meeting_action(session, send_invitations, world.organiser, meeting)
    assert _mails(app, world.member.email) == []  # in the app only
    (board,) = _mails(app, world.board.email)
    assert board["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert any(p.get_filename() for p in board.iter_attachments())  # the .ics
    fresh(session)
    invited = session.scalars(
        select(Notification.member_id).where(Notification.kind == "meeting_invitation")
    ).all()
    assert world.member.id in invited
