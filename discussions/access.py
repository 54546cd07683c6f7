"""Who may see and moderate forums, threads and posts; loaders that answer NotFound
for anything a member may not see."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, joinedload

from models import Forum, Member, Organisation, Post, RoleName, Thread
from ortsverein.errors import NotFound
from ortsverein.permissions import (
    can_see_org,
    has_role,
    orgs_with_role,
    visible_org_clause,
)


def can_moderate(member: Member, org: Organisation) -> bool:
    """Organisers (and admins) of a forum's organisation or an ancestor moderate it."""
    return has_role(member, org, RoleName.ORGANISER)


def moderated_orgs(member: Member) -> list[Organisation]:
    return orgs_with_role(member, RoleName.ORGANISER)


# Loader options, built once: every page loads its forum, thread or post with them.
_FORUM = (joinedload(Forum.organisation),)
_THREAD = (joinedload(Thread.forum).joinedload(Forum.organisation),)
_POST = (
    joinedload(Post.thread).joinedload(Thread.forum).joinedload(Forum.organisation),
    joinedload(Post.author),
)


# A thread page loads its thread first thing, a forum page its forum; a SELECT
# built once costs less than session.get() building one with these options on
# every call.
_THREAD_BY_ID = select(Thread).where(Thread.id == bindparam("id")).options(*_THREAD)
_FORUM_BY_ID = select(Forum).where(Forum.id == bindparam("id")).options(*_FORUM)


def get_forum(session: Session, member: Member, forum_id: int) -> Forum:
    forum = session.execute(_FORUM_BY_ID, {"id": forum_id}).scalar_one_or_none()
    if forum is None or not can_see_org(member, forum.organisation):
        raise NotFound()
    return forum


def get_thread(session: Session, member: Member, thread_id: int) -> Thread:
    thread = session.execute(_THREAD_BY_ID, {"id": thread_id}).scalar_one_or_none()
    if thread is None or not can_see_org(member, thread.forum.organisation):
        raise NotFound()
    return thread


def get_post(session: Session, member: Member, post_id: int) -> Post:
    post = session.get(Post, post_id, options=_POST)
    if post is None or not can_see_org(member, post.thread.forum.organisation):
        raise NotFound()
    return post


def can_join_thread(session: Session, member: Member, thread_id: int) -> bool:
    try:
        get_thread(session, member, thread_id)
    except NotFound:
        return False
    return True


def can_join_forum(session: Session, member: Member, forum_id: int) -> bool:
    try:
        get_forum(session, member, forum_id)
    except NotFound:
        return False
    return True


def visible_forums_query(member: Member):
    """Forums the member may see, in their organisation's order then position."""
    return (
        select(Forum)
        .join(Organisation, Forum.organisation_id == Organisation.id)
        .where(visible_org_clause(member))
        .options(joinedload(Forum.organisation))
        .order_by(Forum.archived, Organisation.path, Forum.position, Forum.name)
    )


def insert_ignore(session: Session, model, **values) -> None:
    """INSERT that does nothing when the row exists (subscriptions, reactions)."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    session.execute(module.insert(model).values(**values).on_conflict_do_nothing())
