"""`@Vorname.Nachname` mentions: who is meant, limited to members who can see the
thread, so a mention never reveals a thread to someone outside the forum."""

from __future__ import annotations

import re

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models import Member, Organisation
from ortsverein.permissions import members_who_can_see_clause

MENTION_RE = re.compile(r"(?<![\w@/])@([^\W\d_][\w.\-]{0,80})")
MAX_MENTIONS = 20


def handle(member: Member) -> str:
    """The name to mention a member by: first and last name joined by a dot,
    spaces as hyphens (`@Anna.Schmidt`, `@Jan-Ole.de-Vries`)."""
    return f"{member.first_name}.{member.last_name}".replace(" ", "-")


def _key(value: str) -> str:
    return value.casefold().rstrip(".-")


def mentioned_handles(body: str) -> list[str]:
    """Handles written in the text, without those inside code."""
    text = re.sub(r"```.*?```|`[^`]*`", " ", body or "", flags=re.S)
    seen: dict[str, None] = {}
    for match in MENTION_RE.finditer(text):
        seen.setdefault(_key(match.group(1)), None)
    return list(seen)[:MAX_MENTIONS]


def resolve(session: Session, body: str, org: Organisation, exclude: int) -> list[int]:
    """Ids of active members mentioned in body who may see forums of org."""
    handles = mentioned_handles(body)
    firsts = {h.split(".", 1)[0] for h in handles if "." in h}
    if not firsts:
        return []
    # The handle writes spaces as hyphens: `@Anna-Lena.…` means "Anna Lena" too.
    firsts |= {first.replace("-", " ") for first in firsts}
    variants = set()
    for first in firsts:
        variants |= {first, first.capitalize(), first.title(), first.upper()}
    candidates = session.scalars(
        select(Member).where(
            Member.active.is_(True),
            Member.id != exclude,
            or_(
                func.lower(Member.first_name).in_(firsts),
                Member.first_name.in_(variants),
            ),
            members_who_can_see_clause(org),
        )
    ).all()
    wanted = set(handles)
    return sorted({m.id for m in candidates if _key(handle(m)) in wanted})
