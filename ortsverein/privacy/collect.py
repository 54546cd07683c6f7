"""Everything stored about one member, as JSON-ready dicts (GDPR Art. 15/20). Who
took part in which poll is listed, never a choice: a secret ballot is stored apart
from its voter, so no one can know it, and the export does not try."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models import (
    AgendaItem,
    ApiToken,
    Attendance,
    AuditEntry,
    Candidacy,
    DataExport,
    ElectedSeat,
    ElectorateEntry,
    EmailMute,
    Forum,
    ForumSubscription,
    LegalText,
    LoginSession,
    Meeting,
    MeetingChair,
    Member,
    Motion,
    MotionBook,
    MotionStatusChange,
    MotionSubmitter,
    MotionSupporter,
    NamedVote,
    NoticeAcknowledgement,
    Notification,
    OneTimeLink,
    PaperVoter,
    Participation,
    Poll,
    PollKeyShare,
    Post,
    PostReport,
    PostRevision,
    Reaction,
    Role,
    SpeakerRequest,
    Thread,
    ThreadRead,
    ThreadSubscription,
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def _row(obj: Any, *names: str, **extra: Any) -> dict[str, Any]:
    data = {name: _plain(getattr(obj, name)) for name in names}
    data.update({k: _plain(v) for k, v in extra.items()})
    return data


def profile(member: Member) -> dict[str, Any]:
    """The member's own record; secrets (password and TOTP) only as whether set."""
    return _row(
        member,
        "id",
        "membership_number",
        "first_name",
        "last_name",
        "email",
        "active",
        "locale",
        "gender",
        "notify_by_email",
        "digest_by_email",
        "digest_frequency",
        "last_digest_at",
        "invited_at",
        "activated_at",
        "last_login_at",
        "created_at",
        "updated_at",
        home_branch=member.home_branch.name,
        home_branch_slug=member.home_branch.slug,
        password_set=member.password_hash is not None,
        two_factor_enabled=member.totp_enabled,
        calendar_feed_set=member.calendar_token_hash is not None,
    )


def _posts(session: Session, member: Member) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Post, Thread.title, Forum.name)
        .join(Thread, Post.thread_id == Thread.id)
        .join(Forum, Thread.forum_id == Forum.id)
        .where(Post.author_id == member.id)
        .order_by(Post.id)
    ).all()
    ids = [post.id for post, _t, _f in rows]
    versions: dict[int, list[dict[str, Any]]] = {}
    for start in range(0, len(ids), 500):
        for revision in session.scalars(
            select(PostRevision)
            .where(PostRevision.post_id.in_(ids[start : start + 500]))
            .order_by(PostRevision.id)
        ):
            versions.setdefault(revision.post_id, []).append(
                _row(revision, "body", "created_at")
            )
    return [
        _row(
            post,
            "id",
            "thread_id",
            "number",
            "body",
            "created_at",
            "edited_at",
            "deleted_at",
            "hidden_at",
            "hidden_reason",
            thread=title,
            forum=forum,
            earlier_versions=versions.get(post.id, []),
        )
        for post, title, forum in rows
    ]


def _forums(session: Session, member: Member) -> dict[str, Any]:
    mine = member.id
    return {
        "threads_started": [
            _row(t, "id", "title", "created_at", forum_id=t.forum_id)
            for t in session.scalars(select(Thread).where(Thread.author_id == mine))
        ],
        "posts": _posts(session, member),
        "agreements": [
            {"post_id": r.post_id}
            for r in session.scalars(select(Reaction).where(Reaction.member_id == mine))
        ],
        "reports_made": [
            _row(r, "id", "post_id", "reason", "created_at", "resolved_at")
            for r in session.scalars(
                select(PostReport).where(PostReport.reporter_id == mine)
            )
        ],
    }


def _subscriptions(session: Session, member: Member) -> dict[str, Any]:
    mine = member.id
    return {
        "threads": [
            s.thread_id
            for s in session.scalars(
                select(ThreadSubscription).where(ThreadSubscription.member_id == mine)
            )
        ],
        "forums": [
            s.forum_id
            for s in session.scalars(
                select(ForumSubscription).where(ForumSubscription.member_id == mine)
            )
        ],
        "read_up_to": [
            {"thread_id": r.thread_id, "post_number": r.last_read}
            for r in session.scalars(
                select(ThreadRead).where(ThreadRead.member_id == mine)
            )
        ],
    }


def _meetings(session: Session, member: Member) -> dict[str, Any]:
    mine = member.id
    meetings = {
        m.id: m
        for m in session.scalars(
            select(Meeting).where(
                or_(
                    Meeting.id.in_(
                        select(Attendance.meeting_id).where(
                            Attendance.member_id == mine
                        )
                    ),
                    Meeting.id.in_(
                        select(MeetingChair.meeting_id).where(
                            MeetingChair.member_id == mine
                        )
                    ),
                    Meeting.created_by_id == mine,
                )
            )
        )
    }
    titles = {i: m.title for i, m in meetings.items()}
    return {
        "attendance": [
            _row(
                a,
                "meeting_id",
                "in_room",
                "joined_at",
                "left_at",
                meeting=titles.get(a.meeting_id),
            )
            for a in session.scalars(
                select(Attendance)
                .where(Attendance.member_id == mine)
                .order_by(Attendance.id)
            )
        ],
        "chaired": [
            {"meeting_id": c.meeting_id, "meeting": titles.get(c.meeting_id)}
            for c in session.scalars(
                select(MeetingChair).where(MeetingChair.member_id == mine)
            )
        ],
        "created": [
            {"meeting_id": i, "meeting": m.title}
            for i, m in meetings.items()
            if m.created_by_id == mine
        ],
        "speaker_requests": [
            _row(
                r,
                "requested_at",
                "called_at",
                "finished_at",
                "withdrawn_at",
                agenda_item=title,
            )
            for r, title in session.execute(
                select(SpeakerRequest, AgendaItem.title)
                .join(AgendaItem, SpeakerRequest.item_id == AgendaItem.id)
                .where(SpeakerRequest.member_id == mine)
            )
        ],
    }


def _elections(session: Session, member: Member) -> dict[str, Any]:
    """Candidacies (the member's own and those they proposed) and seats won."""
    mine = member.id
    return {
        "candidacies": [
            _row(
                c,
                "election_id",
                "consent_at",
                "statement",
                "withdrawn_at",
                "created_at",
                election=c.election.title,
                nominated_by_me=c.nominated_by_id == mine,
                nominee_is_me=c.member_id == mine,
            )
            for c in session.scalars(
                select(Candidacy)
                .where(
                    or_(Candidacy.member_id == mine, Candidacy.nominated_by_id == mine)
                )
                .order_by(Candidacy.id)
            )
        ],
        "elected": [
            _row(
                s,
                "election_id",
                "position",
                "by_quota",
                "acceptance",
                "acceptance_at",
                election=s.election.title,
            )
            for s in session.scalars(
                select(ElectedSeat)
                .where(ElectedSeat.member_id == mine)
                .order_by(ElectedSeat.id)
            )
        ],
    }


def _motions(session: Session, member: Member) -> dict[str, Any]:
    """The motions the member submitted (with their texts) and supported, and the
    status steps they took as a motion committee."""
    mine = member.id

    def named(m: Motion, book: str) -> dict[str, Any]:
        return {"motion_id": m.id, "number": m.number, "title": m.title, "book": book}

    return {
        "submitted": [
            {**named(m, book), "text": m.text, "reasoning": m.reasoning}
            for m, book in session.execute(
                select(Motion, MotionBook.title)
                .join(MotionBook, Motion.book_id == MotionBook.id)
                .join(MotionSubmitter, MotionSubmitter.motion_id == Motion.id)
                .where(MotionSubmitter.member_id == mine)
                .order_by(Motion.id)
            )
        ],
        "supported": [
            {**named(m, book), "supported_at": _plain(at)}
            for m, book, at in session.execute(
                select(Motion, MotionBook.title, MotionSupporter.supported_at)
                .join(MotionBook, Motion.book_id == MotionBook.id)
                .join(MotionSupporter, MotionSupporter.motion_id == Motion.id)
                .where(MotionSupporter.member_id == mine)
                .order_by(Motion.id)
            )
        ],
        "status_changes": [
            _row(c, "motion_id", "from_status", "to_status", "note", "created_at")
            for c in session.scalars(
                select(MotionStatusChange)
                .where(MotionStatusChange.actor_id == mine)
                .order_by(MotionStatusChange.id)
            )
        ],
    }


def _polls(session: Session, member: Member) -> dict[str, Any]:
    """Where the member could vote and did; never what they chose."""
    mine = member.id

    def titled(model) -> list[tuple[Any, str]]:
        return list(
            session.execute(
                select(model, Poll.title)
                .join(Poll, model.poll_id == Poll.id)
                .where(model.member_id == mine)
                .order_by(model.poll_id)
            ).all()
        )

    return {
        "note": "Which polls you took part in, never your choices.",
        "took_part": [
            {"poll_id": p.poll_id, "poll": title, "voted_on": p.voted_on.isoformat()}
            for p, title in titled(Participation)
        ],
        "voted_on_paper": [
            {"poll_id": p.poll_id, "poll": title} for p, title in titled(PaperVoter)
        ],
        "named_polls_voted": [
            {"poll_id": v.poll_id, "poll": title} for v, title in titled(NamedVote)
        ],
        "eligible": [
            {"poll_id": e.poll_id, "poll": title}
            for e, title in titled(ElectorateEntry)
        ],
        "created": [
            _row(p, "id", "title", "opens_at", "closes_at")
            for p in session.scalars(select(Poll).where(Poll.created_by_id == mine))
        ],
        # Key escrow: whether they hold a share, never the share (not stored here)
        "key_share_holder": [
            {
                "poll_id": s.poll_id,
                "poll": title,
                "picked_up_at": s.picked_up_at.isoformat() if s.picked_up_at else None,
            }
            for s, title in titled(PollKeyShare)
        ],
    }


def _account(session: Session, member: Member) -> dict[str, Any]:
    mine = member.id
    return {
        "login_sessions": [
            _row(s, "created_at", "last_seen_at", "ended_at")
            for s in session.scalars(
                select(LoginSession).where(LoginSession.member_id == mine)
            )
        ],
        "api_tokens": [
            _row(t, "name", "created_at", "last_used_at", "revoked_at")
            for t in session.scalars(select(ApiToken).where(ApiToken.member_id == mine))
        ],
        "emailed_links": [
            _row(link, "purpose", "created_at", "expires_at", "used_at")
            for link in session.scalars(
                select(OneTimeLink).where(OneTimeLink.member_id == mine)
            )
        ],
        "emails_switched_off": [
            _row(m, "topic", "forum_id", "created_at")
            for m in session.scalars(
                select(EmailMute).where(EmailMute.member_id == mine)
            )
        ],
        "privacy_notices_seen": [
            {"version": a.text_id, "seen_at": a.seen_at.isoformat()}
            for a in session.scalars(
                select(NoticeAcknowledgement).where(
                    NoticeAcknowledgement.member_id == mine
                )
            )
        ],
        "data_exports": [
            _row(e, "created_at", "finished_at", "expires_at", "status")
            for e in session.scalars(
                select(DataExport).where(DataExport.member_id == mine)
            )
        ],
        "legal_texts_written": [
            _row(t, "kind", "created_at")
            for t in session.scalars(
                select(LegalText).where(LegalText.created_by_id == mine)
            )
        ],
    }


def _audit(session: Session, member: Member) -> list[dict[str, Any]]:
    """Entries that still name the member as actor or subject."""
    entries = session.scalars(
        select(AuditEntry)
        .where(
            or_(
                AuditEntry.actor_id == member.id,
                (AuditEntry.target_type == "member")
                & (AuditEntry.target_id == member.id),
            )
        )
        .order_by(AuditEntry.id)
    )
    return [
        _row(
            e,
            "created_at",
            "action",
            "organisation_id",
            "target_type",
            "target_id",
            you_acted=e.actor_id == member.id,
            details=json.loads(e.details or "{}"),
        )
        for e in entries
    ]


def everything(session: Session, member: Member) -> dict[str, Any]:
    """File name -> content of the export (each a JSON document)."""
    return {
        "profile.json": profile(member),
        "roles.json": [
            _row(r, "role", "created_at", organisation=r.organisation.name)
            for r in session.scalars(select(Role).where(Role.member_id == member.id))
        ],
        "forums.json": _forums(session, member),
        "subscriptions.json": _subscriptions(session, member),
        "notifications.json": [
            _row(n, "kind", "subject", "url", "created_at", "read_at")
            for n in session.scalars(
                select(Notification)
                .where(Notification.member_id == member.id)
                .order_by(Notification.id)
            )
        ],
        "meetings.json": _meetings(session, member),
        "motions.json": _motions(session, member),
        "polls.json": _polls(session, member),
        "elections.json": _elections(session, member),
        "account.json": _account(session, member),
        "audit_log.json": _audit(session, member),
    }
