"""The request's logged-in member (ortsverein/auth/current.py): plain values read with
the login session, the ORM member loaded only when a view needs more, and then the
one truth for the rest of the request."""

from __future__ import annotations

from sqlalchemy import event, select

from models import Post, RoleName
from ortsverein.auth import login_sessions
from ortsverein.auth.current import CurrentMember, load_current
from ortsverein.db import db
from ortsverein.permissions import can_see_org, has_role, holds_role, orgs_with_role
from tests.factories import make_member


def _statements(app):
    engine = app.extensions["ortsverein_db"][0]
    seen: list[str] = []

    def note(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    return seen, lambda: event.remove(engine, "before_cursor_execute", note)


def _login_key(app, session, member) -> str:
    """The key of a new login session of the member's, as a login makes one."""
    with app.test_request_context():
        key = login_sessions.key_of(login_sessions.begin(session, member))
        session.commit()
    return key


def test_facts_and_permissions_come_without_loading_the_member(app, session, world):
    with app.app_context():
        key = _login_key(app, session, world.board)
    with app.test_request_context():
        found = load_current(world.board.id, key)
        assert found is not None
        member, _last_seen = found
        assert isinstance(member, CurrentMember)
        seen, stop = _statements(app)
        try:
            assert (member.id, member.email, member.name) == (
                world.board.id,
                "vorstand@example.org",
                world.board.name,
            )
            assert member.home.id == world.nord.id
            assert [(o.role, o.organisation.id) for o in member.offices] == [
                (RoleName.BOARD, world.nord.id)
            ]
            assert holds_role(member, RoleName.BOARD)
            assert not holds_role(member, RoleName.ORGANISER)
            assert has_role(member, world.nord, RoleName.BOARD)
            assert not has_role(member, world.sued, RoleName.BOARD)
            assert can_see_org(member, world.bund) and not can_see_org(
                member, world.sued
            )
            assert seen == []  # none of that asked the database
            # The secrets are not among the facts: asking loads the ORM member.
            assert member.password_hash == world.board.password_hash
            assert len(seen) == 1
        finally:
            stop()


def test_no_member_without_an_open_login_session(app, session, world):
    with app.app_context():
        key = _login_key(app, session, world.member)
    with app.test_request_context():
        assert load_current(world.member.id, "not-the-key") is None
        assert load_current(world.board.id, key) is None  # someone else's login


def test_after_loading_the_orm_member_is_the_truth(app, session, world):
    with app.app_context():
        key = _login_key(app, session, world.member)
    with app.test_request_context():
        member, _ = load_current(world.member.id, key)
        member.locale = "en"  # a view changing the member loads it and sets it there
        assert member.locale == "en"
        orm = member.orm()
        assert orm.locale == "en" and orm is db.session.get(type(orm), orm.id)
        orm.first_name = "Neu"
        assert member.name.startswith("Neu ")
        assert member.get_id() == f"{orm.id}:{orm.session_version}"
        db.session.rollback()


def test_orgs_with_role_gives_orm_organisations_for_queries_and_forms(
    app, session, world
):
    with app.app_context():
        key = _login_key(app, session, world.organiser)
    with app.test_request_context():
        member, _ = load_current(world.organiser.id, key)
        (org,) = orgs_with_role(member, RoleName.ORGANISER)
        assert org is db.session.get(type(org), world.nord.id)  # in the session


def test_a_member_with_several_offices_has_each_once(app, session, world):
    with app.app_context():
        both = make_member(
            session,
            world.sued,
            email="zwei@example.org",
            roles=((world.sued, "board"), (world.ub, "organiser")),
        )
        key = _login_key(app, session, both)
    with app.test_request_context():
        member, _ = load_current(both.id, key)
        assert sorted((o.role, o.organisation.id) for o in member.offices) == sorted(
            [(RoleName.BOARD, world.sued.id), (RoleName.ORGANISER, world.ub.id)]
        )
        assert member.home.ancestor_ids() == world.sued.ancestor_ids()


def test_pages_show_the_offices_and_a_service_gets_the_member(
    app, auth, client, session, world, forums
):
    """The home page lists the member's offices from the plain values; writing a
    post hands the member to a service, which stores them as the author."""
    auth.login(world.board)
    home = client.get("/").get_data(as_text=True)
    assert "Deine Ämter" in home and "Vorstand – OV Nord" in home
    auth.logout()
    auth.login(world.member)
    assert "Deine Ämter" not in client.get("/").get_data(as_text=True)
    thread = forums.nord_thread
    response = auth.post(f"/forums/threads/{thread.id}", {"body": "Von Mina"})
    assert response.status_code == 302
    post = session.scalars(
        select(Post).where(Post.thread_id == thread.id).order_by(Post.id.desc())
    ).first()
    assert (post.body, post.author_id) == ("Von Mina", world.member.id)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert world.member.name in page
