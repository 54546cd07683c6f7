"""What members and the motion committee do with motions: submit before the
deadline, support with one click (and take it back), withdraw one's own motion,
and move a motion through its statuses with the history kept. Reached through
motions.services."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from discussions import services as forum_services
from models import (
    Member,
    Motion,
    MotionBook,
    MotionStatus,
    MotionStatusChange,
    MotionSubmitter,
    MotionSupporter,
    MotionVersion,
    Organisation,
    Recommendation,
    utcnow,
)
from ortsverein import audit
from ortsverein.db import reading_after_commit, rowcount
from ortsverein.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ortsverein.i18n import _
from ortsverein.markdown import render

from . import live, workflow
from .access import (
    SELF,
    capacities,
    deadline_passed,
    in_membership,
    is_committee,
)
from .errors import DeadlinePassed, NotEnoughSupporters, TransitionRefused
from .labels import STATUS, deadline_text
from .printed import numbered_html

MAX_TEXT = 100_000
MAX_CO_SUBMITTERS = 20


@dataclass
class MotionInput:
    """A motion as its submitter writes it. `on_behalf_of` is SELF, the id of a
    subordinate branch (its board submits) or a working group's name."""

    title: str
    text: str
    reasoning: str = ""
    category_id: int | None = None
    on_behalf_of: str = SELF
    co_submitters: list[str] = field(default_factory=list)  # email addresses


def _require_open(book: MotionBook) -> None:
    if deadline_passed(book):
        raise DeadlinePassed(
            _(
                "Der Antragsschluss ist vorbei: %(deadline)s.",
                deadline=deadline_text(book),
            )
        )


def _clean(value: str | None) -> str:
    return (value or "").replace("\x00", "").replace("\r\n", "\n").strip()


def _capacity(
    member: Member, book: MotionBook, chosen: str
) -> tuple[Organisation | None, str]:
    """The branch or working group the motion is submitted for, if the member may
    submit in that name; NotFound-free: the book is visible already."""
    allowed = capacities(member, book)
    if not allowed:
        raise Forbidden(_("In diesem Antragsbuch darfst du keine Anträge stellen."))
    for capacity in allowed:
        if isinstance(capacity, Organisation) and chosen == str(capacity.id):
            return capacity, ""
        if isinstance(capacity, str) and capacity == chosen:
            return None, "" if capacity == SELF else capacity
    raise ValidationFailed(
        _("Bitte korrigiere die markierten Angaben."),
        fields={"on_behalf_of": _("In diesem Namen darfst du hier nicht einreichen.")},
    )


def _co_submitters(
    session: Session, member: Member, book: MotionBook, emails: list[str]
) -> list[Member]:
    wanted = []
    for email in emails:
        email = email.strip().lower()
        if email and email != member.email.lower() and email not in wanted:
            wanted.append(email)
    if len(wanted) > MAX_CO_SUBMITTERS:
        raise ValidationFailed(
            _("Bitte korrigiere die markierten Angaben."),
            fields={"co_submitters": _("Höchstens %(n)d.", n=MAX_CO_SUBMITTERS)},
        )
    found = {
        m.email.lower(): m
        for m in session.scalars(
            select(Member).where(func.lower(Member.email).in_(wanted))
        )
        if in_membership(m, book)
    }
    missing = [e for e in wanted if e not in found]
    if missing:
        raise ValidationFailed(
            _("Bitte korrigiere die markierten Angaben."),
            fields={
                "co_submitters": _(
                    "Kein Mitglied dieser Gliederung: %(emails)s",
                    emails=", ".join(missing),
                )
            },
        )
    return [found[e] for e in wanted]


def submit(
    session: Session, member: Member, book: MotionBook, data: MotionInput
) -> Motion:
    """A member who may submit files a motion before the deadline; it is numbered
    in the book (A1, A2, ...), its text kept as version 1, and its discussion
    thread opened in the book's forum."""
    _require_open(book)
    on_behalf_of, group = _capacity(member, book, data.on_behalf_of)
    errors: dict[str, str] = {}
    title = " ".join(_clean(data.title).split())
    text, reasoning = _clean(data.text), _clean(data.reasoning)
    if not title:
        errors["title"] = _("Bitte ausfüllen.")
    elif len(title) > 200:
        errors["title"] = _("Höchstens %(n)d Zeichen.", n=200)
    if not text:
        errors["text"] = _("Bitte ausfüllen.")
    elif len(text) > MAX_TEXT:
        errors["text"] = _("Höchstens %(n)d Zeichen.", n=MAX_TEXT)
    if len(reasoning) > MAX_TEXT:
        errors["reasoning"] = _("Höchstens %(n)d Zeichen.", n=MAX_TEXT)
    category = None
    if data.category_id is not None:
        category = next((c for c in book.categories if c.id == data.category_id), None)
        if category is None:
            errors["category_id"] = _("Bitte wähle ein Sachgebiet aus der Liste.")
    if errors:
        raise ValidationFailed(
            _("Bitte korrigiere die markierten Angaben."), fields=errors
        )
    others = _co_submitters(session, member, book, data.co_submitters)
    # Taking the next number locks the book's row (PostgreSQL) until the commit:
    # two motions submitted at once get two numbers.
    session.execute(
        update(MotionBook)
        .where(MotionBook.id == book.id)
        .values(next_number=MotionBook.next_number + 1)
    )
    sequence = session.scalar(
        select(MotionBook.next_number).where(MotionBook.id == book.id)
    )
    assert sequence is not None
    sequence -= 1
    motion = Motion(
        book=book,
        sequence=sequence,
        number=f"{book.prefix}{sequence}",
        title=title,
        text=text,
        text_html=numbered_html(text),
        reasoning=reasoning,
        reasoning_html=render(reasoning) if reasoning else "",
        category=category,
        on_behalf_of=on_behalf_of,
        working_group=group,
        status=MotionStatus.SUBMITTED,
        version=1,
    )
    motion.submitters = [
        MotionSubmitter(member=m, position=i) for i, m in enumerate([member, *others])
    ]
    motion.versions = [MotionVersion(number=1, text=text, created_by_id=member.id)]
    motion.history = [
        MotionStatusChange(
            from_status=None, to_status=MotionStatus.SUBMITTED, actor_id=member.id
        )
    ]
    session.add(motion)
    session.flush()
    created = None
    forum = book.forum
    if forum is not None and not forum.archived:
        url = url_for("motions.motion", motion_id=motion.id)
        created = forum_services.add_thread(
            session,
            member,
            forum.id,
            f"{motion.number}: {title}"[:200],
            _(
                "Aussprache zum Antrag %(number)s „%(title)s“: [zum Antrag](%(url)s)",
                number=motion.number,
                title=title,
                url=url,
            ),
        )
        motion.thread_id = created[0].id
    audit.record(
        session,
        member,
        "motion.submitted",
        organisation=book.organisation,
        target=motion,
        number=motion.number,
    )
    session.commit()
    if created is not None:
        forum_services.after_thread_commit(session, *created)
    with reading_after_commit(session):
        live.publish_created(motion)
    return motion


def _require_supportable(member: Member, motion: Motion) -> None:
    if not in_membership(member, motion.book):
        raise Forbidden(_("Unterstützen können Mitglieder dieser Gliederung."))
    if motion.status not in workflow.SUPPORTABLE:
        raise TransitionRefused(
            _(
                "Dieser Antrag ist %(status)s; Unterstützung ist nicht mehr möglich.",
                status=STATUS[motion.status],
            )
        )
    _require_open(motion.book)


def _count(session: Session, motion: Motion) -> None:
    motion.supporter_count = (
        session.scalar(
            select(func.count()).where(MotionSupporter.motion_id == motion.id)
        )
        or 0
    )


def support(session: Session, member: Member, motion: Motion) -> Motion:
    """A member of the subtree signs a motion before the deadline (once; signing
    again changes nothing). Submitters do not support their own motion."""
    _require_supportable(member, motion)
    if any(s.member_id == member.id for s in motion.submitters):
        raise Conflict(_("Deinen eigenen Antrag musst du nicht unterstützen."))
    exists = session.get(MotionSupporter, (motion.id, member.id))
    if exists is None:
        session.add(MotionSupporter(motion_id=motion.id, member_id=member.id))
        session.flush()
        _count(session, motion)
        audit.record(
            session,
            member,
            "motion.supported",
            organisation=motion.book.organisation,
            target=motion,
        )
    session.commit()
    return motion


def unsupport(session: Session, member: Member, motion: Motion) -> Motion:
    """A supporter takes their signature back, before the deadline."""
    _require_supportable(member, motion)
    removed = session.execute(
        delete(MotionSupporter).where(
            MotionSupporter.motion_id == motion.id,
            MotionSupporter.member_id == member.id,
        )
    )
    if rowcount(removed):
        _count(session, motion)
        audit.record(
            session,
            member,
            "motion.unsupported",
            organisation=motion.book.organisation,
            target=motion,
        )
    session.commit()
    session.expire(motion, ["supporters"])
    return motion


def _move(
    session: Session,
    actor: Member,
    motion: Motion,
    target: MotionStatus,
    recommendation: Recommendation | None,
    referral_target: str,
    note: str,
    action: str,
) -> Motion:
    previous = motion.status
    motion.status = target
    motion.recommendation = (
        recommendation if target == MotionStatus.RECOMMENDED else motion.recommendation
    )
    motion.referral_target = referral_target
    motion.updated_at = utcnow()
    motion.history.append(
        MotionStatusChange(
            from_status=previous,
            to_status=target,
            recommendation=recommendation,
            referral_target=referral_target,
            actor_id=actor.id,
            note=note,
        )
    )
    audit.record(
        session,
        actor,
        action,
        organisation=motion.book.organisation,
        target=motion,
        old=previous.value,
        new=target.value,
    )
    session.commit()
    with reading_after_commit(session):
        live.publish_status(motion, previous.value)
    return motion


def change_status(
    session: Session,
    actor: Member,
    motion: Motion,
    target: str,
    *,
    recommendation: str | None = None,
    referral_target: str = "",
    note: str = "",
) -> Motion:
    """The motion committee moves a motion on along the allowed steps; admission
    needs the book's number of supporters; a referral names its target."""
    if not is_committee(actor, motion.book):
        raise NotFound()
    try:
        to = MotionStatus(target)
        rec = Recommendation(recommendation) if recommendation else None
    except ValueError:
        raise ValidationFailed(
            _("Bitte korrigiere die markierten Angaben."),
            fields={"status": _("Bitte wähle einen Status aus der Liste.")},
        ) from None
    referral_target = " ".join((referral_target or "").split())[:200]
    note = _clean(note)[:5000]
    if not workflow.allowed(motion.status, to):
        raise TransitionRefused(
            _(
                "Ein Antrag mit dem Status „%(old)s“ kann nicht „%(new)s“ werden.",
                old=STATUS[motion.status],
                new=STATUS[to],
            )
        )
    if to == MotionStatus.RECOMMENDED and rec is None:
        raise ValidationFailed(
            _("Bitte korrigiere die markierten Angaben."),
            fields={"recommendation": _("Bitte wähle die Empfehlung.")},
        )
    if workflow.needs_target(to, rec) and not referral_target:
        raise ValidationFailed(
            _("Bitte korrigiere die markierten Angaben."),
            fields={"referral_target": _("Bitte nenne, an wen überwiesen wird.")},
        )
    if not workflow.needs_target(to, rec):
        referral_target = ""
    if to == MotionStatus.ADMITTED:
        _count(session, motion)
        missing = motion.book.supporters_needed - motion.supporter_count
        if missing > 0:
            raise NotEnoughSupporters(
                _(
                    "Zur Zulassung fehlen noch %(missing)d Unterstützende "
                    "(nötig sind %(needed)d, es sind %(have)d).",
                    missing=missing,
                    needed=motion.book.supporters_needed,
                    have=motion.supporter_count,
                )
            )
    return _move(
        session, actor, motion, to, rec, referral_target, note, "motion.status_changed"
    )


def withdraw(
    session: Session, member: Member, motion: Motion, note: str = ""
) -> Motion:
    """A submitter withdraws the motion until it is decided."""
    if not any(s.member_id == member.id for s in motion.submitters):
        raise Forbidden(_("Zurückziehen kann nur, wer den Antrag gestellt hat."))
    if motion.status not in workflow.WITHDRAWABLE:
        raise TransitionRefused(
            _(
                "Dieser Antrag ist %(status)s und lässt sich nicht mehr zurückziehen.",
                status=STATUS[motion.status],
            )
        )
    return _move(
        session,
        member,
        motion,
        MotionStatus.WITHDRAWN,
        None,
        "",
        _clean(note)[:5000],
        "motion.withdrawn",
    )
