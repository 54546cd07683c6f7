"""Retention: what is deleted (or pseudonymised) when, run by `ortsverein retention`
from cron. Each kind is counted for --dry-run and removed in a transaction of its
own; the periods come from the configuration (config.py, README's processing
record)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.orm import Session

from models import (
    ApiToken,
    Attendance,
    LoginSession,
    Notification,
    OneTimeLink,
    PaperVoter,
    Participation,
    Poll,
)

from .. import audit
from ..db import rowcount, write_intent
from . import end_read, exports
from .deletion import polls_past_challenge


@dataclass(frozen=True)
class Kind:
    name: str
    count: Callable[[Session, datetime], int]
    apply: Callable[[Session, datetime], int]


def _days(name: str) -> timedelta:
    return timedelta(days=current_app.config[name])


def _count(session: Session, stmt: Select) -> int:
    return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def _rows(model, *conditions) -> Kind:
    """A kind that is a set of rows of one table, chosen by conditions on `now`."""

    def where(now: datetime):
        return [c(now) for c in conditions]

    def count(session: Session, now: datetime) -> int:
        return _count(session, select(model).where(*where(now)))

    def apply(session: Session, now: datetime) -> int:
        return rowcount(session.execute(delete(model).where(*where(now))))

    return Kind(model.__tablename__, count, apply)


def _participations() -> Kind:
    """Who took part in polls past their challenge period (the box, the counts and
    the published result stay); each poll's removal is audit-logged with the count,
    so `verify-poll` still knows how many there were."""

    def polls(session: Session, now: datetime) -> list[int]:
        past = polls_past_challenge(now)
        return sorted(
            set(
                session.scalars(
                    select(Participation.poll_id).where(Participation.poll_id.in_(past))
                )
            )
            | set(
                session.scalars(
                    select(PaperVoter.poll_id).where(PaperVoter.poll_id.in_(past))
                )
            )
        )

    def count(session: Session, now: datetime) -> int:
        past = polls_past_challenge(now)
        return _count(
            session, select(Participation).where(Participation.poll_id.in_(past))
        ) + _count(session, select(PaperVoter).where(PaperVoter.poll_id.in_(past)))

    def apply(session: Session, now: datetime) -> int:
        removed = 0
        for poll_id in polls(session, now):
            poll = session.get(Poll, poll_id)
            counts = {
                model.__tablename__: rowcount(
                    session.execute(delete(model).where(model.poll_id == poll_id))
                )
                for model in (Participation, PaperVoter)
            }
            removed += sum(counts.values())
            audit.record(
                session,
                None,
                "retention.participations_removed",
                organisation=poll.organisation if poll else None,
                target=poll,
                **counts,
            )
        return removed

    return Kind("participations", count, apply)


def _files(name: str, folder: str, pattern: str, age: Callable[[], timedelta]) -> Kind:
    def old(now: datetime) -> list[Path]:
        base = Path(current_app.config["INSTANCE_PATH"]) / folder
        if not base.is_dir():
            return []
        limit = (now - age()).timestamp()
        found = []
        for path in base.glob(pattern):
            try:
                if path.is_file() and path.stat().st_mtime < limit:
                    found.append(path)
            except FileNotFoundError:
                continue
        return found

    def apply(_session: Session, now: datetime) -> int:
        paths = old(now)
        for path in paths:
            path.unlink(missing_ok=True)
        return len(paths)

    return Kind(name, lambda _s, now: len(old(now)), apply)


def _exports() -> Kind:
    def apply(session: Session, now: datetime) -> int:
        return exports.remove(
            session, exports.expired(session, now), current_app.config["INSTANCE_PATH"]
        )

    return Kind("data_exports", lambda s, now: len(exports.expired(s, now)), apply)


def _audit() -> Kind:
    def before(now: datetime) -> datetime:
        years = current_app.config["RETENTION_AUDIT_YEARS"]
        return now - timedelta(days=round(365.25 * years))

    return Kind(
        "audit_names",
        lambda s, now: audit.pseudonymisable_count(s, before(now)),
        lambda s, now: audit.pseudonymise(s, before=before(now)),
    )


def kinds() -> list[Kind]:
    """Every kind of data retention removes, in the order it runs."""
    return [
        _participations(),
        _rows(
            Notification,
            lambda now: (
                Notification.created_at < now - _days("RETENTION_NOTIFICATION_DAYS")
            ),
        ),
        _rows(
            ApiToken,
            lambda now: or_(
                ApiToken.revoked_at < now - _days("RETENTION_TOKEN_DAYS"),
                func.coalesce(ApiToken.last_used_at, ApiToken.created_at)
                < now - _days("RETENTION_TOKEN_DAYS"),
            ),
        ),
        _rows(
            LoginSession,
            lambda now: or_(
                LoginSession.ended_at.is_not(None),
                LoginSession.last_seen_at < now - _days("SESSION_DAYS"),
            ),
        ),
        _rows(OneTimeLink, lambda now: OneTimeLink.expires_at < now),
        _rows(
            Attendance,
            lambda now: Attendance.joined_at < now - _days("RETENTION_ATTENDANCE_DAYS"),
        ),
        _exports(),
        _files("mail_files", "mail", "*.eml", lambda: _days("RETENTION_MAIL_DAYS")),
        _files(
            "import_previews",
            "imports",
            "*",
            lambda: timedelta(hours=current_app.config["RETENTION_IMPORT_HOURS"]),
        ),
        _audit(),
    ]


def run(session: Session, now: datetime, *, dry_run: bool = False) -> dict[str, int]:
    """Count (dry run) or remove each kind, each in its own transaction."""
    done: dict[str, int] = {}
    for kind in kinds():
        if dry_run:
            done[kind.name] = kind.count(session, now)
            session.rollback()
            continue
        end_read(session)
        with write_intent():
            done[kind.name] = kind.apply(session, now)
            session.commit()
    return done
