"""Members, their roles on organisations, login sessions, API tokens and emailed
one-time links."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .organisation import Organisation


class RoleName(enum.StrEnum):
    MEMBER = "member"
    ORGANISER = "organiser"
    BOARD = "board"
    ADMIN = "admin"


ROLE_ENUM = Enum(
    RoleName,
    native_enum=False,
    length=20,
    values_callable=lambda e: [m.value for m in e],
)


class Member(Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_number: Mapped[str] = mapped_column(String(40), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    # Stored lower-cased, so the unique constraint is case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    home_branch_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped to revoke every login session of the member at once.
    session_version: Mapped[int] = mapped_column(default=1)
    # Encrypted (ortsverein.auth.totp.seal); values from before 0.5.0 were plain.
    totp_secret: Mapped[str | None] = mapped_column(String(255))
    totp_enabled: Mapped[bool] = mapped_column(default=False)
    # The time step of the last accepted code, so a code cannot be used twice.
    totp_last_step: Mapped[int | None] = mapped_column()
    locale: Mapped[str | None] = mapped_column(String(5))
    # Optional, for gender quotas in elections only: "w", "m", "d" (divers) or None
    # (not stated). Only an election's count reads it (elections/services.py).
    gender: Mapped[str | None] = mapped_column(String(1))
    # Also send notifications (poll opened, reminders) by email; off by default.
    notify_by_email: Mapped[bool] = mapped_column(
        default=False, server_default=text("false")
    )
    # A daily email with the unread notifications (`ortsverein send-digests`).
    digest_by_email: Mapped[bool] = mapped_column(
        default=False, server_default=text("false")
    )
    # How often the digest comes while it is on: "daily" or "weekly".
    digest_frequency: Mapped[str] = mapped_column(
        String(10), default="daily", server_default="daily"
    )
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # SHA-256 hex of the secret in the member's calendar feed URL; None: no feed.
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow
    )
    # The account was deleted (GDPR Art. 17): the row stays only as an anonymous
    # placeholder for what still refers to it (ortsverein/privacy/deletion.py).
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    home_branch: Mapped[Organisation] = relationship()
    roles: Mapped[list[Role]] = relationship(
        back_populates="member", cascade="all, delete-orphan"
    )
    api_tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="member", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index("ix_members_last_name_first_name", "last_name", "first_name"),
    )

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def activated(self) -> bool:
        return self.password_hash is not None

    # What the permission checks read (ortsverein.permissions): the roles and home
    # branch here, plain values on the request's logged-in member
    # (ortsverein.auth.current), which spares a page loading the ORM member.
    @property
    def offices(self) -> list[Role]:
        return self.roles

    @property
    def home(self) -> Organisation:
        return self.home_branch

    def __repr__(self) -> str:
        return f"<Member {self.membership_number}>"


class Role(Base):
    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[RoleName] = mapped_column(ROLE_ENUM)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    member: Mapped[Member] = relationship(back_populates="roles")
    organisation: Mapped[Organisation] = relationship()

    __table_args__ = (UniqueConstraint("member_id", "organisation_id", "role"),)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    # SHA-256 hex of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    member: Mapped[Member] = relationship(back_populates="api_tokens")


class LoginSession(Base):
    """One login on one device. The session cookie carries a random secret whose
    SHA-256 is the key here; a cookie whose login session has ended (logout,
    password change or reset) is refused, even while its signature is valid."""

    __tablename__ = "login_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Updated at most once an hour, not with every request.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LinkPurpose(enum.StrEnum):
    ACTIVATE = "activate"
    RESET = "reset"


class OneTimeLink(Base):
    """An emailed activation or password-reset link: single use, expiring."""

    __tablename__ = "one_time_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[LinkPurpose] = mapped_column(
        Enum(
            LinkPurpose,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    member: Mapped[Member] = relationship()


# Flask-Login's user protocol, written out so that models/ needs no Flask import.
def _get_id(self: Member) -> str:
    # The session version is part of the id: bumping it invalidates every old cookie.
    return f"{self.id}:{self.session_version}"


Member.get_id = _get_id
Member.is_authenticated = property(lambda self: True)
Member.is_anonymous = property(lambda self: False)
Member.is_active = property(lambda self: self.active)
