"""A service's refusal on a page: one handler for every view shows the reason on the
page the member came from (or the one the view named), keeps nothing the request
wrote, and answers 404 for what the member may not see."""

from __future__ import annotations

import pytest
from flask_login import current_user
from sqlalchemy import select

from models import Member
from ortsverein.db import db
from ortsverein.errors import Conflict, NotFound
from ortsverein.web import back_to


@pytest.fixture
def refusing_app(app):
    """Two pages that write first and are then refused by a 'service'."""

    def rename_then_refuse():
        current_user.first_name = "Umbenannt"
        db.session.flush()
        raise Conflict("Das geht gerade nicht.")

    def refuse_back_to_named_page():
        back_to("/polls/")
        raise Conflict("Zu spät.")

    def not_visible():
        raise NotFound()

    app.add_url_rule("/_t/refuse", "t_refuse", rename_then_refuse, methods=["POST"])
    app.add_url_rule(
        "/_t/named", "t_named", refuse_back_to_named_page, methods=["POST"]
    )
    app.add_url_rule("/_t/hidden", "t_hidden", not_visible)
    return app


def _name(session, email):
    session.expire_all()
    return session.scalar(select(Member.first_name).where(Member.email == email))


def test_a_refusal_goes_back_to_our_page_with_the_reason_and_keeps_no_write(
    refusing_app, client, auth, world, session
):
    auth.login(world.member)
    before = _name(session, world.member.email)
    response = auth.post("/_t/refuse", headers={"Referer": "http://localhost/forums/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/forums/"
    assert _name(session, world.member.email) == before
    page = client.get("/forums/").get_data(as_text=True)
    assert "Das geht gerade nicht." in page


@pytest.mark.parametrize(
    "referrer", ["https://evil.example/x", "http://localhost//evil.example/x"]
)
def test_a_refusal_never_follows_a_foreign_referrer(
    refusing_app, auth, world, referrer
):
    auth.login(world.member)
    response = auth.post("/_t/refuse", headers={"Referer": referrer})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_the_page_a_view_names_wins_over_the_referrer(refusing_app, auth, world):
    auth.login(world.member)
    response = auth.post("/_t/named", headers={"Referer": "http://localhost/forums/"})
    assert response.headers["Location"] == "/polls/"


def test_what_the_member_may_not_see_is_a_404_page(refusing_app, client, auth, world):
    auth.login(world.member)
    response = client.get("/_t/hidden")
    assert response.status_code == 404
    assert "text/html" in response.content_type


def test_an_author_agreeing_with_their_own_post_is_told_so_on_the_post(
    app, client, auth, world, forums, session
):
    from models import Post

    post = session.scalars(
        select(Post).where(Post.thread_id == forums.nord_thread.id)
    ).first()
    auth.login(world.organiser)  # who opened the thread
    response = auth.post(f"/forums/posts/{post.id}/agree")
    assert response.status_code == 302
    assert f"#post-{post.id}" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Eigenen Beiträgen kannst du nicht zustimmen." in page
