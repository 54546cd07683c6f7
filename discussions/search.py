"""Full-text search over posts: SQLite FTS5 on the embedded default, PostgreSQL's
`german` text search in production. Only visible posts are indexed, and every query
is limited to forums the member may see."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from models import Forum, Member, Organisation, Post, Thread
from ortsverein.markdown import plain_text
from ortsverein.pagination import Page
from ortsverein.permissions import visible_org_clause

START, STOP = "\x02", "\x03"  # highlight markers, replaced after escaping
MAX_TERMS = 12
# Lightweight handles on the search tables the migration creates (not ORM models).
posts_fts = table("posts_fts", column("rowid"), column("title"), column("body"))
post_search = table("post_search", column("post_id"), column("document"))


@dataclass(frozen=True)
class Hit:
    post_id: int
    number: int
    thread_id: int
    thread_title: str
    forum_name: str
    excerpt: Markup


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def index_post(session: Session, post_id: int, title: str, body: str) -> None:
    """(Re)index a post in the caller's transaction; the opening post carries the
    thread's title."""
    if _postgres(session):
        session.execute(
            text(
                "INSERT INTO post_search (post_id, document) VALUES (:id,"
                " setweight(to_tsvector('german', :title), 'A')"
                " || to_tsvector('german', :body))"
                " ON CONFLICT (post_id) DO UPDATE SET document = excluded.document"
            ),
            {"id": post_id, "title": title, "body": body},
        )
        return
    session.execute(text("DELETE FROM posts_fts WHERE rowid = :id"), {"id": post_id})
    session.execute(
        text("INSERT INTO posts_fts (rowid, title, body) VALUES (:id, :title, :body)"),
        {"id": post_id, "title": title, "body": body},
    )


def unindex_post(session: Session, post_id: int) -> None:
    if _postgres(session):
        statement = "DELETE FROM post_search WHERE post_id = :id"
    else:
        statement = "DELETE FROM posts_fts WHERE rowid = :id"
    session.execute(text(statement), {"id": post_id})


def unindex_posts(session: Session, post_ids: list[int]) -> None:
    for post_id in post_ids:
        unindex_post(session, post_id)


def fts5_query(q: str) -> str:
    """Words of the query as quoted FTS5 prefix terms, all required; FTS5's own
    syntax is never passed through, so any input is a valid query."""
    words = re.findall(r"\w+", q)[:MAX_TERMS]
    return " ".join(f'"{w}"*' for w in words)


EXCERPT_WORDS = 30  # words around the first hit
_MARKED = re.compile(re.escape(START) + "(.*?)" + re.escape(STOP), re.S)
_WORDS = re.compile(r"(\w+)")


def plain_excerpt(body: str, marked: str) -> Markup:
    """The post's text without Markdown, around the first word the database marked
    in its own excerpt (`marked`, from the raw body: its stemming and prefix
    matching decide what a hit is), each such word in <mark>."""
    hits = {w.lower() for m in _MARKED.findall(marked) for w in _WORDS.findall(m)}
    words = plain_text(body).split(" ")

    def is_hit(word: str) -> bool:
        return any(w.lower() in hits for w in _WORDS.findall(word))

    first = next((i for i, w in enumerate(words) if is_hit(w)), 0)
    start = max(0, first - EXCERPT_WORDS // 3)
    end = min(len(words), start + EXCERPT_WORDS)
    text = " ".join(words[start:end])
    parts = []
    for i, part in enumerate(_WORDS.split(text)):  # odd places: the words
        if i % 2 and part.lower() in hits:
            parts.append(Markup("<mark>%s</mark>") % part)
        else:
            parts.append(escape(part))
    lead = "… " if start > 0 else ""
    tail = " …" if end < len(words) else ""
    return escape(lead) + Markup("").join(parts) + escape(tail)


def search(
    session: Session, member: Member, q: str, page: int = 1, per_page: int = 20
) -> Page:
    """Ranked posts matching q in forums the member may see, with excerpts."""
    q = (q or "").replace("\x00", " ").strip()[:200]
    visible = (
        select(Post.id)
        .join(Thread, Post.thread_id == Thread.id)
        .join(Forum, Thread.forum_id == Forum.id)
        .join(Organisation, Forum.organisation_id == Organisation.id)
        .where(
            visible_org_clause(member),
            Post.hidden_at.is_(None),
            Post.deleted_at.is_(None),
        )
    )
    if _postgres(session):
        query = func.websearch_to_tsquery("german", q)
        document = post_search.c.document
        matches = (
            select(
                post_search.c.post_id.label("post_id"),
                func.ts_rank(document, query).label("rank"),
            )
            .where(document.op("@@")(query))
            .where(post_search.c.post_id.in_(visible))
        ).subquery("matches")
        excerpt: ColumnElement[Any] | None = func.ts_headline(
            "german",
            Post.body,
            query,
            f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12,"
            ' MaxFragments=2, FragmentDelimiter=" … "',
        )
    else:
        terms = fts5_query(q)
        if not terms:
            return Page([], page, per_page, 0)
        fts: ColumnClause[Any] = literal_column("posts_fts")
        matches = (
            select(
                posts_fts.c.rowid.label("post_id"),
                func.bm25(fts, 5.0, 1.0).label("rank"),
                func.snippet(fts, 1, START, STOP, "…", 24).label("excerpt"),
            )
            .select_from(posts_fts)
            .where(fts.op("MATCH")(terms))
            .where(posts_fts.c.rowid.in_(visible))
        ).subquery("matches")
        excerpt = None
    total = session.scalar(select(func.count()).select_from(matches)) or 0
    columns: list[ColumnElement[Any] | InstrumentedAttribute[Any]] = [
        Post.id,
        Post.number,
        Thread.id,
        Thread.title,
        Forum.name,
        Post.body,
    ]
    columns.append(excerpt if excerpt is not None else matches.c.excerpt)
    rows = session.execute(
        select(*columns)
        .select_from(matches)
        .join(Post, Post.id == matches.c.post_id)
        .join(Thread, Post.thread_id == Thread.id)
        .join(Forum, Thread.forum_id == Forum.id)
        .order_by(matches.c.rank.desc() if excerpt is not None else matches.c.rank)
        .order_by(Post.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    hits = [
        Hit(r[0], r[1], r[2], r[3], r[4], plain_excerpt(r[5], r[6] or "")) for r in rows
    ]
    return Page(hits, page, per_page, total)
