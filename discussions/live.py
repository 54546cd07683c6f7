"""What the forums push over Socket.IO, always after the commit."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from models import Post, Thread
from ortsverein import db_outage
from ortsverein.i18n import _
from ortsverein.realtime import publish


def author_name(post: Post) -> str:
    return post.author.name if post.author else _("ehemaliges Mitglied")


def post_html(post: Post) -> str:
    """The sanitised HTML a reader sees in place of the post (rendered at save)."""
    if post.deleted_at is not None:
        return "<p><em>" + _("Vom Autor gelöscht.") + "</em></p>"
    if post.hidden_at is not None:
        return "<p><em>" + _("Von der Moderation ausgeblendet.") + "</em></p>"
    return post.body_html


def post_state(post: Post) -> str:
    if post.deleted_at is not None:
        return "deleted"
    return "hidden" if post.hidden_at is not None else "visible"


def post_payload(post: Post) -> dict:
    """The post as every reader of the thread receives it. `html` and `author` carry
    the placeholders in the language of whoever caused the event; `state` and
    `author_left` let a client show its reader's own (the forum page does)."""
    return {
        "thread_id": post.thread_id,
        "post": {
            "id": post.id,
            "number": post.number,
            "author": author_name(post),
            "author_left": post.author is None,
            "state": post_state(post),
            "html": post_html(post),
            "created_at": post.created_at.isoformat(),
            "edited": post.edited_at is not None,
            "url": url_for("discussions.post", post_id=post.id),
        },
    }


def publish_post(event: str, post: Post) -> None:
    """post_created, post_updated or post_hidden to everyone reading the thread."""
    publish_payload(event, post_payload(post))


def publish_payload(event: str, payload: dict) -> None:
    """A post's event from its payload (post_payload), built beforehand."""
    publish(event, payload, f"thread:{payload['thread_id']}")


def commit_and_publish_post(
    session: Session, event: str, post: Post, shows: ColumnElement[bool]
) -> None:
    """Commit a change to a post, then publish `event` (post_updated, post_hidden)
    with the post as changed. If the COMMIT's answer is lost, the event goes out
    once the database answers again and its row `shows` the change (a condition
    on the posts table that this change, and no later one, made true)."""
    payload, post_id = post_payload(post), post.id
    db_outage.commit_and_announce(
        session,
        f"{event} of post {post_id}",
        committed=lambda s: (
            s.scalar(select(Post.id).where(Post.id == post_id, shows)) is not None
        ),
        announce=lambda: publish_payload(event, payload),
    )


def thread_payload(thread: Thread) -> dict:
    """A new thread as every reader of its forum's index receives it."""
    return {
        "forum_id": thread.forum_id,
        "thread": {
            "id": thread.id,
            "title": thread.title,
            "author": thread.author.name if thread.author else "",
            "url": url_for("discussions.thread", thread_id=thread.id),
        },
    }


def publish_thread_created(thread: Thread) -> None:
    publish_thread_payload(thread_payload(thread))


def publish_thread_payload(payload: dict) -> None:
    """thread_created from its payload (thread_payload), built beforehand."""
    publish("thread_created", payload, f"forum:{payload['forum_id']}")
