"""Art. 17: a member (or their board) deletes the account. Posts stay unsigned or
go at the member's wish; polls in their challenge period keep the participation;
the audit log keeps the event, no longer names the member, and still verifies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update

from models import (
    ApiToken,
    AuditEntry,
    LoginSession,
    Member,
    Notification,
    Participation,
    Post,
    PostRevision,
    Role,
    utcnow,
)
from ortsverein import audit
from tests.factories import PASSWORD, fresh


def verify(app) -> None:
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact" in result.output


def test_wrong_password_or_no_confirmation_deletes_nothing(auth, client, world):
    auth.login(world.member)
    response = auth.post(
        "/profile/delete", {"password": "falsch-falsch-falsch", "confirm": "y"}
    )
    assert response.status_code == 422
    assert "Das Passwort stimmt nicht" in response.get_data(as_text=True)
    response = auth.post("/profile/delete", {"password": PASSWORD})
    assert response.status_code == 422
    assert "Bitte bestätige die Löschung" in response.get_data(as_text=True)
    assert client.get("/profile/").status_code == 200  # still logged in


def test_member_deletes_account_posts_stay_as_former_member(
    auth, client, seeded, session, app, world
):
    who = seeded.member
    member_id, email, name = who.id, who.email, who.name
    auth.login(who)
    response = auth.post("/profile/delete", {"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    # Logged out; the old password logs no one in.
    assert client.get("/profile/").status_code == 302
    login = client.post(
        "/login",
        data={"csrf_token": auth.csrf(), "email": email, "password": PASSWORD},
    )
    assert login.status_code == 401

    fresh(session)
    placeholder = session.get(Member, member_id)
    assert placeholder.deleted_at is not None and not placeholder.active
    assert email not in placeholder.email and placeholder.password_hash is None
    for model in (Role, ApiToken, LoginSession, Notification):
        count = select(func.count()).select_from(model)
        assert session.scalar(count.where(model.member_id == member_id)) == 0

    # The thread reads on, the posts unsigned.
    auth.login(world.member)
    page = client.get(f"/forums/threads/{seeded.thread.id}").get_data(as_text=True)
    assert "Zweite Fassung der Meinung" in page
    assert "ehemaliges Mitglied" in page and name not in page

    # The audit log keeps the event, names no one, and the chain holds.
    deleted = session.scalar(
        select(AuditEntry).where(AuditEntry.action == "member.deleted")
    )
    assert deleted.actor_id is None and deleted.target_id is None
    assert deleted.actor_ref and deleted.target_ref
    named = select(func.count(AuditEntry.id)).where(
        (AuditEntry.actor_id == member_id)
        | ((AuditEntry.target_type == "member") & (AuditEntry.target_id == member_id))
    )
    # Entries of before 0.5.0 (hash version 1) would keep the id; these are new.
    assert session.scalar(named) == 0
    verify(app)


def test_member_may_delete_their_texts_too(auth, client, seeded, session, world):
    auth.login(seeded.member)
    response = auth.post(
        "/profile/delete",
        {"password": PASSWORD, "confirm": "y", "delete_texts": "y"},
    )
    assert response.status_code == 302
    fresh(session)
    post = session.get(Post, seeded.post.id)
    assert post.body == "" and post.deleted_at is not None and post.author_id is None
    revisions = select(func.count()).select_from(PostRevision)
    assert session.scalar(revisions.where(PostRevision.post_id == post.id)) == 0
    auth.login(world.member)
    page = client.get(f"/forums/threads/{seeded.thread.id}").get_data(as_text=True)
    assert "Zweite Fassung" not in page and "Erste Fassung" not in page
    assert "Unfreundlicher Ton" in page  # the others' posts, the thread, remain
    # Search no longer finds the removed text; it still finds the others'.
    gone = client.get("/forums/search?q=Fassung").get_data(as_text=True)
    assert f'href="/forums/posts/{seeded.post.id}"' not in gone
    kept = client.get("/forums/search?q=Unfreundlicher").get_data(as_text=True)
    assert f'href="/forums/posts/{seeded.other_post.id}"' in kept


def test_participation_in_the_challenge_period_is_kept_until_it_ends(
    auth, seeded, session, app
):
    """The seeded poll closed just now: its participation stays; an older one goes."""
    who = seeded.member
    auth.login(who)
    auth.post("/profile/delete", {"password": PASSWORD, "confirm": "y"})
    fresh(session)
    kept = select(func.count()).select_from(Participation)
    assert session.scalar(kept.where(Participation.member_id == who.id)) == 1
    # After the challenge period, retention removes it with everyone else's.
    later = utcnow() + timedelta(days=app.config["RETENTION_CHALLENGE_DAYS"] + 1)
    from ortsverein.privacy import retention

    with app.app_context():
        retention.run(session, later)
    fresh(session)
    assert session.scalar(kept.where(Participation.poll_id == seeded.poll.id)) == 0


def test_board_deletes_a_member_of_its_branch_and_it_is_logged(
    auth, client, world, session, app
):
    auth.login(world.sued_board)
    assert (
        auth.post(f"/members/{world.member.id}/delete", {"confirm": "y"}).status_code
        == 404
    )
    auth.logout()
    auth.login(world.board)
    response = auth.post(f"/members/{world.member.id}/delete", {"confirm": "y"})
    assert response.status_code == 302
    fresh(session)
    entry = session.scalar(
        select(AuditEntry).where(AuditEntry.action == "member.deleted")
    )
    assert entry.actor_id == world.board.id  # the board acted, named
    assert entry.target_id is None and '"by":"board"' in entry.details
    assert client.get(f"/members/{world.member.id}").status_code == 404
    members = client.get("/members/").get_data(as_text=True)
    assert "Ehemaliges Mitglied" not in members
    verify(app)


def test_a_pseudonymised_entry_cannot_be_moved_to_someone_else(app, session, world):
    with app.test_request_context():
        audit.record(session, world.member, "test.acted", target=world.board)
        session.commit()
        audit.pseudonymise(session, member_id=world.member.id)
        session.commit()
    with app.app_context():
        assert audit.verify_chain(session).ok
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "test.acted"))
    assert entry.actor_id is None and entry.target_id == world.board.id
    # Pinning the entry on another member fails: the database refuses it, and the
    # commitment would not match.
    with pytest.raises(Exception, match="append-only"):
        session.execute(
            update(AuditEntry)
            .where(AuditEntry.id == entry.id)
            .values(target_id=world.admin.id)
        )
    session.rollback()
    with pytest.raises(Exception, match="append-only"):
        session.execute(
            update(AuditEntry)
            .where(AuditEntry.id == entry.id)
            .values(action="test.other")
        )
    session.rollback()


def test_verify_notices_a_member_reference_changed_behind_the_trigger(
    app, session, world
):
    """Someone who drops the trigger and re-points an entry breaks verification."""
    with app.test_request_context():
        audit.record(session, world.member, "test.acted")
        session.commit()
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        session.execute(
            text("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only")
        )
    else:
        session.execute(text("DROP TRIGGER audit_entries_no_update"))
    try:
        session.execute(
            update(AuditEntry)
            .where(AuditEntry.action == "test.acted")
            .values(actor_id=world.admin.id)
        )
        session.commit()
    finally:
        if postgres:  # the server's database outlives the test
            session.execute(
                text(
                    "ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only"
                )
            )
            session.commit()
    report = audit.verify_chain(session)
    assert not report.ok and report.reason == "member reference changed"


def test_a_page_seen_before_the_deletion_shows_it_at_once(
    auth, client, seeded, session, world, app
):
    """The per-process caches of pages and posts key on the rows: nothing stale."""
    thread = f"/forums/threads/{seeded.thread.id}"
    name = seeded.member.name
    auth.login(world.member)
    assert name in client.get(thread).get_data(as_text=True)
    auth.logout()
    auth.login(seeded.member)
    auth.post(
        "/profile/delete", {"password": PASSWORD, "confirm": "y", "delete_texts": "y"}
    )
    auth.login(world.member)
    page = client.get(thread).get_data(as_text=True)
    assert name not in page and "Zweite Fassung" not in page
    assert "ehemaliges Mitglied" in page
