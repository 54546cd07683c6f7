"""What a member does to an existing post over the JSON API (edit, delete, agree,
report) and following threads and forums: the same rules as the thread page, and
another branch's post or thread is not there (404)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import ForumSubscription, Post, PostReport, ThreadSubscription
from tests.factories import PASSWORD, fresh, make_post

API = "/api/v1"


def _headers(client, member) -> dict:
    response = client.post(
        f"{API}/auth/token", json={"email": member.email, "password": PASSWORD}
    )
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


@pytest.fixture
def reply(app, session, world, forums):
    """The member's own reply in OV Nord's thread."""
    with app.app_context():
        return make_post(session, forums.nord_thread, world.member, "Ich bin dafür.")


def _opening_post_id(session, thread) -> int:
    post_id = session.scalar(
        select(Post.id).where(Post.thread_id == thread.id, Post.number == 1)
    )
    session.commit()
    return post_id


def test_author_edits_and_deletes_a_post(client, session, world, forums, reply):
    headers = _headers(client, world.member)
    edited = client.patch(
        f"{API}/posts/{reply.id}",
        json={"body": "Ich bin *sehr* dafür."},
        headers=headers,
    )
    assert edited.status_code == 200, edited.get_json()
    assert edited.get_json()["html"] == "<p>Ich bin <em>sehr</em> dafür.</p>\n"
    assert edited.get_json()["edited_at"]
    deleted = client.delete(f"{API}/posts/{reply.id}", headers=headers)
    assert deleted.status_code == 204
    again = client.delete(f"{API}/posts/{reply.id}", headers=headers)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "post_gone"


def test_opening_post_renames_its_thread(client, session, world, forums):
    opening = _opening_post_id(session, forums.nord_thread)
    headers = _headers(client, world.organiser)
    response = client.patch(
        f"{API}/posts/{opening}",
        json={"body": "Brauchen wir ein Lastenrad?", "title": "Lastenrad für alle"},
        headers=headers,
    )
    assert response.status_code == 200, response.get_json()
    thread = client.get(f"{API}/threads/{forums.nord_thread.id}/posts", headers=headers)
    assert thread.status_code == 200
    fresh(session)
    assert forums.nord_thread.title == "Lastenrad für alle"


def test_only_the_author_edits(client, world, reply):
    headers = _headers(client, world.board)
    response = client.patch(
        f"{API}/posts/{reply.id}", json={"body": "x"}, headers=headers
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert client.delete(f"{API}/posts/{reply.id}", headers=headers).status_code == 403


def test_agree_and_take_it_back(client, world, reply):
    headers = _headers(client, world.board)
    for _ in range(2):  # a second POST changes nothing
        agreed = client.post(f"{API}/posts/{reply.id}/agree", headers=headers)
        assert agreed.status_code == 200
        assert agreed.get_json() == {
            "post_id": reply.id,
            "agreed": True,
            "agree_count": 1,
        }
    taken_back = client.delete(f"{API}/posts/{reply.id}/agree", headers=headers)
    assert taken_back.get_json() == {
        "post_id": reply.id,
        "agreed": False,
        "agree_count": 0,
    }
    own = client.post(
        f"{API}/posts/{reply.id}/agree", headers=_headers(client, world.member)
    )
    assert own.status_code == 403


def test_report_a_post_once(client, session, world, reply):
    headers = _headers(client, world.board)
    first = client.post(
        f"{API}/posts/{reply.id}/reports",
        json={"reason": "Beleidigend"},
        headers=headers,
    )
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["reason"] == "Beleidigend"
    second = client.post(
        f"{API}/posts/{reply.id}/reports", json={"reason": "Nochmal"}, headers=headers
    )
    assert second.get_json()["id"] == first.get_json()["id"]
    fresh(session)
    assert len(session.scalars(select(PostReport)).all()) == 1


@pytest.mark.parametrize(
    "method,path,body",
    [
        ("PATCH", "/posts/{post}", {"body": ""}),
        ("PATCH", "/posts/{post}", {}),
        ("PATCH", "/posts/{post}", {"body": "x", "title": ""}),
        ("POST", "/posts/{post}/reports", {"reason": ""}),
        ("POST", "/posts/{post}/reports", {"reason": ["a"]}),
    ],
)
def test_bad_input_answers_422(client, world, reply, method, path, body):
    who = world.member if method == "PATCH" else world.board
    response = client.open(
        f"{API}{path.format(post=reply.id)}",
        method=method,
        json=body,
        headers=_headers(client, who),
    )
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and error["fields"]


@pytest.mark.parametrize(
    "method,path,body",
    [
        ("PATCH", "/posts/{post}", {"body": "x"}),
        ("DELETE", "/posts/{post}", None),
        ("POST", "/posts/{post}/agree", None),
        ("DELETE", "/posts/{post}/agree", None),
        ("POST", "/posts/{post}/reports", {"reason": "x"}),
        ("PUT", "/threads/{thread}/subscription", None),
        ("DELETE", "/threads/{thread}/subscription", None),
        ("PUT", "/forums/{forum}/subscription", None),
        ("DELETE", "/forums/{forum}/subscription", None),
    ],
)
def test_another_branch_is_not_there_and_a_token_is_needed(
    app, client, session, world, forums, method, path, body
):
    with app.app_context():
        post = make_post(session, forums.sued_thread, world.sued_member, "Grillen")
    url = API + path.format(
        post=post.id, thread=forums.sued_thread.id, forum=forums.sued.id
    )
    response = client.open(
        url, method=method, json=body, headers=_headers(client, world.member)
    )
    assert response.status_code == 404, response.get_json()
    assert response.get_json()["error"]["code"] == "not_found"
    assert client.open(url, method=method, json=body).status_code == 401


def test_follow_and_unfollow_a_thread_and_a_forum(client, session, world, forums):
    headers = _headers(client, world.member)
    thread = f"{API}/threads/{forums.nord_thread.id}/subscription"
    forum = f"{API}/forums/{forums.nord.id}/subscription"
    for url in (thread, forum):
        for _ in range(2):  # PUT twice: still one subscription
            response = client.put(url, headers=headers)
            assert response.status_code == 200
            assert response.get_json() == {"subscribed": True}
    assert _followed(session, world.member) == (
        [forums.nord_thread.id],
        [forums.nord.id],
    )
    for url in (thread, forum):
        response = client.delete(url, headers=headers)
        assert response.get_json() == {"subscribed": False}
    assert _followed(session, world.member) == ([], [])


def _followed(session, member) -> tuple[list[int], list[int]]:
    fresh(session)
    threads = session.scalars(
        select(ThreadSubscription.thread_id).where(
            ThreadSubscription.member_id == member.id
        )
    ).all()
    forums = session.scalars(
        select(ForumSubscription.forum_id).where(
            ForumSubscription.member_id == member.id
        )
    ).all()
    session.commit()
    return list(threads), list(forums)
