"""A comment that quotes a motion's lines: from the motion page's small form the
member picks lines, they come into the comment as a quote headed by their
numbers, and the comment lands in the motion's thread; a range the motion does
not have is refused with its reason and the text kept; another branch's member
gets a 404."""

from __future__ import annotations

from sqlalchemy import select

from models import Post
from tests.factories import fresh

from .conftest import submit

TEXT = (
    "Der Ortsverein fordert sichere Radwege an allen Schulen der Stadt, "
    "getrennt vom Autoverkehr und gut beleuchtet.\n\n"
    "## Umsetzung\n\n"
    "- Tempo 30 vor jeder Schule\n"
    "- Fahrradstellplätze mit Dach"
)


def _page(response) -> str:
    return response.get_data(as_text=True)


def test_member_quotes_lines_into_the_motions_thread(
    app, session, world, auth, client, book
):
    motion = submit(session, book, world.organiser, text=TEXT)
    auth.login(world.member)
    page = _page(client.get(f"/motions/{motion.id}"))
    assert f'action="/motions/{motion.id}/comment"' in page
    assert 'name="first"' in page

    page = _page(client.get(f"/motions/{motion.id}/comment?first=3&last=5"))
    assert (
        "&gt; **Zeilen 3–5:**\n&gt; ## Umsetzung\n&gt; - Tempo 30 vor jeder Schule"
        in page
    )
    response = auth.post(
        f"/motions/{motion.id}/comment",
        {
            "first": "3",
            "last": "5",
            "body": "> **Zeilen 3–5:**\n> ## Umsetzung\n\nAuch vor Kitas!",
        },
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(f"/forums/threads/{motion.thread_id}")
    fresh(session)
    post = session.scalars(
        select(Post).where(Post.thread_id == motion.thread_id).order_by(Post.id.desc())
    ).first()
    assert post.author_id == world.member.id
    assert "Auch vor Kitas!" in post.body and "Zeilen 3–5" in post.body
    thread = _page(client.get(location))
    assert "<blockquote>" in thread and "Auch vor Kitas!" in thread


def test_quoting_keeps_what_was_written_and_refuses_lines_the_motion_lacks(
    session, world, auth, client, book
):
    motion = submit(session, book, world.organiser, text=TEXT)
    auth.login(world.member)
    response = auth.post(
        f"/motions/{motion.id}/comment",
        {"first": "2", "last": "", "body": "Mein Gedanke", "load": "1"},
    )
    assert response.status_code == 200
    page = _page(response)
    assert "&gt; **Zeile 2:**" in page and "Mein Gedanke</textarea>" in page

    response = auth.post(
        f"/motions/{motion.id}/comment",
        {"first": "4", "last": "40", "body": "Mein Gedanke", "load": "1"},
    )
    assert response.status_code == 422
    page = _page(response)
    assert (
        "Die Zeilen 4–40 gibt es in dieser Fassung nicht (mehr): sie hat nur 5" in page
    )
    assert "Mein Gedanke</textarea>" in page
    response = auth.post(
        f"/motions/{motion.id}/comment", {"first": "", "last": "", "body": ""}
    )
    assert response.status_code == 422
    assert "Bitte gib an, welche Zeilen" not in _page(response)  # only sending
    fresh(session)
    authors = session.scalars(
        select(Post.author_id).where(Post.thread_id == motion.thread_id)
    ).all()
    assert world.member.id not in authors


def test_another_branchs_member_gets_404(session, world, auth, client, book):
    motion = submit(session, book, world.organiser, text=TEXT)
    auth.login(world.sued_member)
    assert client.get(f"/motions/{motion.id}/comment?first=1").status_code == 404
