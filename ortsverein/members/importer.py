"""Membership-list import: every row is checked first; nothing is written unless all
rows are good. Re-importing updates members by membership number."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Row, insert, select, text, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from models import (
    Member,
    Organisation,
    Role,
    utcnow,
)

from .. import audit
from ..greenlets import pause
from ..i18n import _
from ..permissions import can_manage_office, in_subtree
from ..realtime import disconnect_member
from .csv_rows import ImportFileError, check_row, read_rows
from .register_sync import Missing, deactivate, missing_members

__all__ = [
    "ImportFileError",
    "ImportPlan",
    "Missing",
    "RowError",
    "apply_import",
    "plan_import",
]

CHUNK = 900  # ids per IN (...) query; below SQLite's parameter limit


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str


@dataclass
class ImportPlan:
    creates: list[dict] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    # Only with sync: who is to be deactivated, and how many come back.
    sync: bool = False
    missing: list[Missing] = field(default_factory=list)
    reactivated: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows(self) -> int:
        return len(self.creates) + len(self.updates) + self.unchanged + len(self.errors)


# What _existing() reads of a member: number, id, email, first and last name, home
# branch id, whether the account is activated, and whether it is active.
_Existing = Row[str, int, str, str, str, int, bool, bool]


def _existing(
    session: Session, column: InstrumentedAttribute[str], keys: list[str]
) -> dict[str, _Existing]:
    found: dict[str, _Existing] = {}
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        rows = session.execute(
            select(
                Member.membership_number,
                Member.id,
                Member.email,
                Member.first_name,
                Member.last_name,
                Member.home_branch_id,
                Member.password_hash.is_not(None).label("activated"),
                Member.active,
            ).where(column.in_(chunk))
        ).all()
        for row in rows:
            found[
                row.membership_number
                if column is Member.membership_number
                else row.email
            ] = row
    return found


def _not_here(scope: Organisation) -> str:
    """The one reason a board member in the browser gets for a row that touches a
    member outside their authority (an address or number held in another branch, an
    office above them): it must not tell whether someone is a party member elsewhere
    (GDPR Art. 9), and it sends the row to a board whose area covers both."""
    if scope.parent is None:
        return _(
            "Diese Zeile kann hier nicht übernommen werden. Bitte gib sie an die "
            "Administration weiter; sie kann die Zeile prüfen und importieren."
        )
    return _(
        "Diese Zeile kann hier nicht übernommen werden. Bitte gib sie an den "
        "Vorstand von %(org)s oder einer Gliederung darüber weiter; dort kann sie "
        "geprüft und importiert werden.",
        org=scope.parent.name,
    )


def _may_update(session: Session, actor: Member, member_id: int) -> bool:
    """The actor's authority covers every office the member holds."""
    offices = session.execute(
        select(Role.role, Organisation)
        .join(Organisation, Role.organisation_id == Organisation.id)
        .where(Role.member_id == member_id)
    ).all()
    return all(can_manage_office(actor, org, role) for role, org in offices)


def plan_import(
    session: Session,
    data: bytes | str,
    scope: Organisation,
    actor: Member | None,
    *,
    sync: bool = False,
) -> ImportPlan:
    """Check every row against the file and the database; write nothing.
    With sync the list is the whole register of the scope: active members it no
    longer names are listed to be deactivated, deactivated ones it names return.
    With an actor (a board member in the browser) an import never changes the email
    of an activated account, never touches a member holding an office beyond the
    actor's authority, and names nothing about members outside the actor's area.
    Without one (the operator's command line) only the scope applies."""
    plan = ImportPlan(sync=sync)
    rows: list[tuple[int, dict]] = []
    seen_numbers: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    orgs = {
        o.slug: o
        for o in session.scalars(
            select(Organisation).where(Organisation.path.startswith(scope.path))
        )
    }
    for line, values in read_rows(data):
        pause(line)  # a file of 100,000 rows must not freeze every socket (gevent)
        reason = check_row(values)
        if reason is None and values["branch"] not in orgs:
            reason = _(
                "Die Gliederung „%(slug)s“ gibt es in %(scope)s nicht.",
                slug=values["branch"][:100],
                scope=scope.name,
            )
        if reason is None and values["membership_number"] in seen_numbers:
            reason = _(
                "Die Mitgliedsnummer steht schon in Zeile %(line)d.",
                line=seen_numbers[values["membership_number"]],
            )
        if reason is None and values["email"] in seen_emails:
            reason = _(
                "Die E-Mail-Adresse steht schon in Zeile %(line)d.",
                line=seen_emails[values["email"]],
            )
        if reason is not None:
            plan.errors.append(RowError(line, reason))
            continue
        seen_numbers[values["membership_number"]] = line
        seen_emails[values["email"]] = line
        rows.append((line, values))

    by_number = _existing(session, Member.membership_number, list(seen_numbers))
    by_email = _existing(session, Member.email, list(seen_emails))
    now = utcnow()
    for line, values in rows:
        pause(line)
        branch = orgs[values["branch"]]
        current = by_number.get(values["membership_number"])
        holder = by_email.get(values["email"])
        if (
            holder is not None
            and holder.membership_number != values["membership_number"]
        ):
            holder_branch = session.get_one(Organisation, holder.home_branch_id)
            if actor is None or in_subtree(holder_branch, scope):
                reason = _(
                    "Die E-Mail-Adresse gehört schon dem Mitglied %(n)s.",
                    n=holder.membership_number,
                )
            else:
                reason = _not_here(scope)
            plan.errors.append(RowError(line, reason))
            continue
        record = {
            "first_name": values["first_name"],
            "last_name": values["last_name"],
            "email": values["email"],
            "home_branch_id": branch.id,
        }
        if current is None:
            record.update(
                membership_number=values["membership_number"],
                active=True,
                session_version=1,
                totp_enabled=False,
                created_at=now,
                updated_at=now,
            )
            plan.creates.append(record)
            continue
        current_branch = session.get_one(Organisation, current.home_branch_id)
        if not in_subtree(current_branch, scope) or (
            actor is not None and not _may_update(session, actor, current.id)
        ):
            reason = (
                _not_here(scope)
                if actor is not None
                else _(
                    "Die Mitgliedsnummer %(n)s gehört einem Mitglied außerhalb von "
                    "%(scope)s.",
                    n=values["membership_number"],
                    scope=scope.name,
                )
            )
            plan.errors.append(RowError(line, reason))
            continue
        if actor is not None and current.activated and current.email != values["email"]:
            plan.errors.append(
                RowError(
                    line,
                    _(
                        "Das Mitglied %(n)s hat seinen Zugang schon eingerichtet; "
                        "seine E-Mail-Adresse wird nicht per Import geändert.",
                        n=values["membership_number"],
                    ),
                )
            )
            continue
        returns = sync and not current.active
        if returns:
            record["active"] = True
            plan.reactivated += 1
        if not returns and (
            current.first_name,
            current.last_name,
            current.email,
            current.home_branch_id,
        ) == tuple(record.values()):
            plan.unchanged += 1
        else:
            plan.updates.append({"id": current.id, "updated_at": now, **record})
    plan.errors.sort(key=lambda e: e.line)
    if sync:
        plan.missing = missing_members(
            session,
            scope,
            set(seen_numbers),
            None
            if actor is None
            else lambda member_id: _may_update(session, actor, member_id),
        )
    return plan


def apply_import(
    session: Session,
    plan: ImportPlan,
    actor: Member | None,
    scope: Organisation,
    source: str,
) -> list[str]:
    """Write a checked plan in one transaction; returns the new membership numbers."""
    if not plan.ok:
        raise ValueError("an import with bad rows must not be applied")
    for start in range(0, len(plan.creates), 5000):
        session.execute(insert(Member), plan.creates[start : start + 5000])
    for start in range(0, len(plan.updates), 5000):
        session.execute(update(Member), plan.updates[start : start + 5000])
    deactivated = [m.id for m in plan.missing] if plan.sync else []
    deactivate(session, deactivated)
    if len(plan.creates) > 1000 and session.get_bind().dialect.name == "postgresql":
        # Fresh statistics after a bulk load: without them the planner keeps
        # seq-scanning the grown table for the next import's look-ups.
        session.execute(text("ANALYZE members"))
    audit.record(
        session,
        actor,
        "members.imported",
        organisation=scope,
        source=source,
        created=len(plan.creates),
        updated=len(plan.updates),
        unchanged=plan.unchanged,
        **(
            {
                "sync": True,
                "reactivated": plan.reactivated,
                "deactivated": [m.membership_number for m in plan.missing],
            }
            if plan.sync
            else {}
        ),
    )
    session.commit()
    for member_id in deactivated:
        disconnect_member(member_id)
    return [c["membership_number"] for c in plan.creates]
