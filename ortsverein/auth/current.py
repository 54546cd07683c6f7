"""The logged-in member of a request: plain values first, the ORM member on demand.

Every page reads the member's id, name, language, offices and home branch (the
navigation, the two-factor rule, who may see what), and most pages nothing else of
them. Loading the member as an ORM object with its roles and their organisations
joined in took a fifth of a forum or thread page (docs/performance.md), so a request
gets a `CurrentMember` instead: those facts as plain values, read with the login
session in one statement of plain columns.

Anything else the code asks of it (the password hash, an attribute it sets, the
relationships, SQLAlchemy's instance state when it is passed to a service that
writes) loads the ORM member once, by primary key in the request's session, and from
then on every attribute comes from that object: what a view changes on the member is
what it reads back. `offices` and `home` are what the permission checks read
(ortsverein.permissions), the same names as on `Member`, where they are its roles
and home branch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from models import LoginSession, Member, Organisation, Role, RoleName
from models.organisation import ancestor_ids_of

from ..db import db


@dataclass(frozen=True, slots=True)
class OrgFacts:
    """An organisation as the permission checks and the navigation read it."""

    id: int
    path: str
    name: str

    def ancestor_ids(self) -> list[int]:
        return ancestor_ids_of(self.path)


@dataclass(frozen=True, slots=True)
class OfficeFacts:
    """A role the member holds on an organisation (a `Role`, as plain values)."""

    role: RoleName
    organisation: OrgFacts


# The columns a request reads of its member without loading the ORM object; never
# the password hash or the two-factor secret.
_FACTS = (
    "id",
    "membership_number",
    "first_name",
    "last_name",
    "email",
    "home_branch_id",
    "active",
    "session_version",
    "totp_enabled",
    "locale",
    "gender",
)

_home = Organisation.__table__.alias("home")
_office_org = Organisation.__table__.alias("office_org")
_role = Role.__table__.alias("role")
# Built once: the member with their home branch and offices (a row per office, or
# one row without), only with a login session of theirs that has not ended.
_BY_LOGIN = (
    select(
        *(getattr(Member, name) for name in _FACTS),
        LoginSession.last_seen_at,
        _home.c.path,
        _home.c.name,
        _role.c.role,
        _office_org.c.id,
        _office_org.c.path,
        _office_org.c.name,
    )
    .join(LoginSession, LoginSession.member_id == Member.id)
    .join(_home, _home.c.id == Member.home_branch_id)
    .outerjoin(_role, _role.c.member_id == Member.id)
    .outerjoin(_office_org, _office_org.c.id == _role.c.organisation_id)
    .where(
        Member.id == bindparam("id"),
        LoginSession.id == bindparam("login"),
        LoginSession.ended_at.is_(None),
    )
    .order_by(_role.c.id)
)

# The ORM member, when a view needs it, with what every page reads of it (an API
# request's member comes with the same: auth.tokens).
MEMBER_OPTIONS = (
    joinedload(Member.home_branch),
    joinedload(Member.roles).joinedload(Role.organisation),
)


class CurrentMember:
    """The request's member: plain facts until something needs the ORM object."""

    __slots__ = ("_facts", "_member")

    is_authenticated = True
    is_anonymous = False

    def __init__(self, facts: dict[str, Any]):
        object.__setattr__(self, "_facts", facts)
        object.__setattr__(self, "_member", None)

    def __getattr__(self, name: str) -> Any:
        # Only for names that are not the slots or class attributes above; dunder
        # names too: SQLAlchemy reads the instance's __dict__ and _sa_instance_state
        # when the member is handed to an ORM object, and gets the ORM member's.
        member = self._member
        if member is None:
            try:
                return self._facts[name]
            except KeyError:
                member = self.orm()
        return getattr(member, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.orm(), name, value)

    def __repr__(self) -> str:
        return f"<CurrentMember {self.id}>"

    def orm(self) -> Member:
        """The ORM member in the request's session (loaded once)."""
        member = self._member
        if member is None:
            # Without flushing: this may run while a service is still putting its
            # objects together (it passed the member to one of them), which loading
            # the member at the start of the request never interrupted.
            with db.session.no_autoflush:
                member = db.session.get(
                    Member, self._facts["id"], options=MEMBER_OPTIONS
                )
            if member is None:  # deleted since this request read it
                raise LookupError(f"member {self._facts['id']} is gone")
            object.__setattr__(self, "_member", member)
        return member

    # Member's own, which reads only columns: from the facts until the ORM member
    # is loaded, then from it.
    name = Member.name

    @property
    def is_active(self) -> bool:
        return bool(self.active)

    def get_id(self) -> str:
        """Flask-Login's id, from the ORM member: a view that bumped the session
        version logs the member in again with the new one."""
        member = self.orm()
        return f"{member.id}:{member.session_version}"


def load_current(
    member_id: int, login_key: str
) -> tuple[CurrentMember, datetime] | None:
    """The member with that id and a login session under that key that has not
    ended, with when the session was last noted in use; or None."""
    rows = db.session.execute(_BY_LOGIN, {"id": member_id, "login": login_key}).all()
    if not rows:
        return None
    first = rows[0]
    count = len(_FACTS)
    facts = dict(zip(_FACTS, first[:count], strict=True))
    last_seen, home_path, home_name = first[count : count + 3]
    facts["home"] = OrgFacts(facts["home_branch_id"], home_path, home_name)
    facts["offices"] = tuple(
        OfficeFacts(role, OrgFacts(org_id, path, name))
        for *_, role, org_id, path, name in rows
        if role is not None
    )
    return CurrentMember(facts), last_seen
