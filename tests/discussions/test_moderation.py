"""Moderation by organisers: pin, lock, move, hide with a reason the author sees,
reports into a queue; every action in the audit log; members cannot moderate."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import AuditEntry, PostReport, Thread
from tests.factories import fresh, make_forum, make_post


def _actions(session) -> list[str]:
    fresh(session)
    return session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()


def test_pin_and_lock(auth, client, session, world, forums):
    tid = forums.nord_thread.id
    auth.login(world.organiser)
    auth.post(f"/forums/threads/{tid}/moderate/pin")
    auth.post(f"/forums/threads/{tid}/moderate/lock")
    fresh(session)
    thread = session.get(Thread, tid)
    assert thread.pinned and thread.locked
    assert {"thread.pinned", "thread.locked"} <= set(_actions(session))
    auth.logout()
    auth.login(world.member)
    page = client.get(f"/forums/threads/{tid}").get_data(as_text=True)
    assert "Dieses Thema ist geschlossen." in page
    response = auth.post(f"/forums/threads/{tid}", {"body": "Darf ich noch?"})
    assert "Dieses Thema ist geschlossen." in response.get_data(as_text=True)
    fresh(session)
    assert session.get(Thread, tid).post_count == 1


def test_move_between_moderated_forums_only(app, auth, session, world, forums):
    with app.app_context():
        other = make_forum(session, world.nord, world.organiser, "Zweites Forum")
    tid = forums.nord_thread.id
    auth.login(world.organiser)
    # OV Süd's forum is not the organiser's: refused, thread stays
    auth.post(f"/forums/threads/{tid}/move", {"forum": forums.sued.id})
    fresh(session)
    assert session.get(Thread, tid).forum_id == forums.nord.id
    auth.post(f"/forums/threads/{tid}/move", {"forum": other.id})
    fresh(session)
    assert session.get(Thread, tid).forum_id == other.id
    assert session.get(type(other), other.id).thread_count == 1
    assert "thread.moved" in _actions(session)


def test_report_queue_hide_with_reason(app, auth, client, session, world, forums):
    with app.app_context():
        post = make_post(session, forums.nord_thread, world.member, "Pöbelei")
    auth.login(world.board)
    auth.post(f"/forums/posts/{post.id}/report", {"reason": "Beleidigend"})
    auth.logout()
    auth.login(world.organiser)
    queue = client.get("/forums/moderation").get_data(as_text=True)
    assert "Beleidigend" in queue and "Pöbelei" in queue
    auth.post(
        f"/forums/posts/{post.id}/hide",
        {"reason": "Bitte sachlich bleiben", "from_queue": "1"},
    )
    assert "Keine offenen Meldungen." in client.get("/forums/moderation").get_data(
        as_text=True
    )
    fresh(session)
    assert session.scalar(select(PostReport.resolved_at)) is not None
    assert {"post.reported", "post.hidden"} <= set(_actions(session))
    auth.logout()
    auth.login(world.member)  # the author sees the reason
    page = client.get(f"/forums/threads/{forums.nord_thread.id}").get_data(as_text=True)
    assert "Bitte sachlich bleiben" in page and "Pöbelei" not in page
    auth.logout()
    auth.login(world.board)  # others see only that it was hidden
    page = client.get(f"/forums/threads/{forums.nord_thread.id}").get_data(as_text=True)
    assert "Von der Moderation ausgeblendet." in page
    assert "Bitte sachlich bleiben" not in page and "Pöbelei" not in page


def test_dismissed_report_keeps_the_post(app, auth, client, session, world, forums):
    post_id = forums.nord_thread.last_post_id
    auth.login(world.member)
    auth.post(f"/forums/posts/{post_id}/report", {"reason": "Falsch"})
    report_id = session.scalar(select(PostReport.id))
    auth.logout()
    auth.login(world.organiser)
    auth.post(f"/forums/moderation/reports/{report_id}/dismiss")
    assert "report.dismissed" in _actions(session)
    page = client.get(f"/forums/threads/{forums.nord_thread.id}").get_data(as_text=True)
    assert "Brauchen wir ein Lastenrad?" in page


def test_a_report_counts_once_and_only_for_others_live_posts(
    auth, client, session, world, forums
):
    """A double submit does not flood the queue; nobody reports their own post; a
    post its author deleted cannot be reported and shows no body in the queue."""
    post_id = forums.nord_thread.last_post_id  # written by the organiser

    def report(reason: str) -> str:
        url = f"/forums/posts/{post_id}/report"
        answer = auth.post(url, {"reason": reason}, follow_redirects=True)
        return answer.get_data(as_text=True)

    def reporters() -> list[int]:
        fresh(session)
        return session.scalars(select(PostReport.reporter_id)).all()

    auth.login(world.member)
    report("Falsch")
    report("Falsch")
    assert reporters() == [world.member.id]
    auth.logout()
    auth.login(world.organiser)
    assert "Eigene Beiträge kannst du nicht melden." in report("Ich")
    assert reporters() == [world.member.id]
    auth.post(f"/forums/posts/{post_id}/delete")
    queue = client.get("/forums/moderation").get_data(as_text=True)
    assert "Vom Autor gelöscht." in queue
    assert "Brauchen wir ein Lastenrad?" not in queue
    auth.logout()
    auth.login(world.board)
    assert "nicht mehr sichtbar" in report("Spät")
    assert reporters() == [world.member.id]


def test_text_written_while_a_moderator_intervened_is_kept_to_copy(
    auth, client, session, world, forums
):
    """A reply sent just after the thread was locked, and an edit sent just after
    the post was hidden, are refused, but the text stays on the page to copy."""
    tid = forums.nord_thread.id
    with client.application.app_context():
        post = make_post(session, forums.nord_thread, world.member, "Mein Beitrag")
    auth.login(world.organiser)
    auth.post(f"/forums/threads/{tid}/moderate/lock")
    auth.post(f"/forums/posts/{post.id}/hide", {"reason": "Zu laut"})
    auth.logout()
    auth.login(world.member)
    reply = auth.post(f"/forums/threads/{tid}", {"body": "Lange überlegte Antwort"})
    page = reply.get_data(as_text=True)
    assert "geschlossen" in page
    assert 'readonly rows="6">Lange überlegte Antwort</textarea>' in page
    edit = auth.post(f"/forums/posts/{post.id}/edit", {"body": "Neue Fassung"})
    assert edit.status_code == 409
    assert 'readonly rows="6">Neue Fassung</textarea>' in edit.get_data(as_text=True)
    opened = client.get(f"/forums/posts/{post.id}/edit", follow_redirects=True)
    assert "nicht mehr sichtbar" in opened.get_data(as_text=True)
    assert "Speichern" not in opened.get_data(as_text=True)


def test_a_thread_title_is_corrected_by_its_author_or_a_moderator(
    auth, client, session, world, forums
):
    """The author edits the title with the opening post; a moderator renames from
    the thread page (audit-logged); search finds the thread by the new title; a
    member who is neither cannot rename."""
    tid = forums.nord_thread.id
    first = forums.nord_thread.last_post_id  # the opening post, by the organiser
    auth.login(world.member)
    assert auth.post(f"/forums/threads/{tid}/rename", {"title": "X"}).status_code == 404
    auth.logout()
    auth.login(world.organiser)
    form = client.get(f"/forums/posts/{first}/edit").get_data(as_text=True)
    assert 'value="Lastenrad"' in form
    saved = auth.post(
        f"/forums/posts/{first}/edit",
        {"title": "Lastenrad für den OV", "body": "Brauchen wir ein Lastenrad?"},
    )
    assert saved.status_code == 302
    fresh(session)
    assert session.get(Thread, tid).title == "Lastenrad für den OV"
    empty = auth.post(
        f"/forums/posts/{first}/edit", {"title": " ", "body": "Brauchen wir eins?"}
    )
    assert empty.status_code == 200 and "Bitte" in empty.get_data(as_text=True)
    assert "Brauchen wir eins?</textarea>" in empty.get_data(as_text=True)
    auth.post(f"/forums/threads/{tid}/rename", {"title": "Ein Lastenrad fürs Büro"})
    fresh(session)
    assert session.get(Thread, tid).title == "Ein Lastenrad fürs Büro"
    assert "thread.renamed" in _actions(session)
    found = client.get("/forums/search?q=B%C3%BCro").get_data(as_text=True)
    assert "Ein Lastenrad fürs Büro" in found


def test_report_without_reason_keeps_the_form(auth, client, world, forums):
    auth.login(world.member)
    response = auth.post(f"/forums/posts/{forums.nord_thread.last_post_id}/report", {})
    assert response.status_code == 200
    assert "Bitte korrigiere" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/forums/threads/{tid}/moderate/pin",
        "/forums/threads/{tid}/moderate/lock",
        "/forums/posts/{pid}/hide",
        "/forums/posts/{pid}/unhide",
    ],
)
def test_members_cannot_moderate(auth, client, session, world, forums, path):
    auth.login(world.member)
    url = path.format(tid=forums.nord_thread.id, pid=forums.nord_thread.last_post_id)
    assert auth.post(url, {"reason": "x"}).status_code == 404
    assert client.get("/forums/moderation").status_code == 404
    assert client.get(f"/forums/{forums.nord.id}/edit").status_code == 404
    fresh(session)
    thread = session.get(Thread, forums.nord_thread.id)
    assert not thread.pinned and not thread.locked


def test_organisers_create_order_and_archive_forums(auth, client, session, world):
    auth.login(world.organiser)
    response = auth.post(
        "/forums/new",
        {"org": world.nord.id, "name": "", "description": "Kept text", "position": 2},
    )
    assert response.status_code == 200 and "Kept text" in response.get_data(
        as_text=True
    )
    response = auth.post(
        "/forums/new",
        {"org": world.nord.id, "name": "Haushalt", "description": "", "position": 2},
    )
    forum_id = int(response.headers["Location"].rsplit("/", 1)[1])
    auth.post(
        f"/forums/{forum_id}/edit",
        {"name": "Haushalt 2027", "description": "", "position": 1, "archived": "y"},
    )
    page = client.get(f"/forums/{forum_id}").get_data(as_text=True)
    assert "Haushalt 2027" in page and "archiviert" in page
    response = auth.post(
        f"/forums/{forum_id}/threads/new", {"title": "Noch was", "body": "?"}
    )
    assert response.status_code == 302  # refused with a message, nothing written
    assert client.get(response.headers["Location"]).status_code == 200
    # an organiser of OV Nord cannot create forums for OV Süd
    response = auth.post(
        "/forums/new", {"org": world.sued.id, "name": "Fremd", "position": 0}
    )
    assert response.status_code == 200
    assert {"forum.created", "forum.updated"} <= set(_actions(session))
