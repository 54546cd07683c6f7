"""Amendments (Änderungsanträge): members of the book's subtree propose new text for
a line range of a motion's current version; the motion committee accepts or rejects
them and merges the accepted ones into a new version (the old ones are kept).
Reached through motions.services; the text work is motions.text's."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    AmendmentStatus,
    Member,
    Motion,
    MotionAmendment,
    MotionDecision,
    MotionVersion,
    utcnow,
)
from ortsverein import audit
from ortsverein.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ortsverein.i18n import _

from . import live, workflow
from . import text as motion_text
from .access import deadline_passed, in_membership, is_committee
from .errors import TransitionRefused
from .labels import AMENDMENT_STATUS, STATUS
from .printed import numbered_html
from .rules import clean, require_open

MAX_AMENDMENT = 20_000


@dataclass(frozen=True)
class AmendmentView:
    """An amendment as its page shows it: the row, its diff against the version it
    was made for, and the labels of the amendments it overlaps."""

    amendment: MotionAmendment
    diff_html: Markup
    overlaps: tuple[str, ...]
    stale: str  # why it no longer applies to the current version ("" if it does)


def _version_text(motion: Motion, number: int) -> str:
    for version in motion.versions:
        if version.number == number:
            return version.text
    raise NotFound()


def _as_text_amendment(row: MotionAmendment) -> motion_text.Amendment:
    return motion_text.Amendment(row.first_line, row.last_line, row.text, row.label)


def list_amendments(session: Session, motion: Motion) -> list[MotionAmendment]:
    return list(
        session.scalars(
            select(MotionAmendment)
            .where(MotionAmendment.motion_id == motion.id)
            .order_by(MotionAmendment.first_line, MotionAmendment.sequence)
        )
    )


def _stale(motion: Motion, row: MotionAmendment) -> str:
    """Why an amendment made against an older version cannot go into the current
    one: its lines are gone, or they no longer read as they did."""
    if row.version == motion.version:
        return ""
    current = motion.text
    wanted = _as_text_amendment(row)
    try:
        now = motion_text.excerpt(current, row.first_line, row.last_line)
    except motion_text.LinesGone:
        count = len(motion_text.number_lines(current))
        return motion_text.lines_gone_message(wanted, count)
    then = motion_text.excerpt(
        _version_text(motion, row.version), row.first_line, row.last_line
    )
    if now != then:
        return str(
            _(
                "Der Änderungsantrag %(label)s bezieht sich auf Fassung %(version)s; "
                "die Zeilen %(first)s–%(last)s lauten in der aktuellen Fassung "
                "anders.",
                label=row.label,
                version=row.version,
                first=row.first_line,
                last=row.last_line,
            )
        )
    return ""


def views(session: Session, motion: Motion) -> list[AmendmentView]:
    """Every amendment of a motion with its diff, overlaps among the open ones
    (submitted or accepted, against the current version) flagged."""
    rows = list_amendments(session, motion)
    open_rows = [
        r
        for r in rows
        if r.status in (AmendmentStatus.SUBMITTED, AmendmentStatus.ACCEPTED)
        and r.version == motion.version
    ]
    clashes: dict[int, list[str]] = {}
    by_label = {r.label: r for r in open_rows}
    for one, other in motion_text.conflicts(_as_text_amendment(r) for r in open_rows):
        clashes.setdefault(by_label[one.label].id, []).append(other.label)
        clashes.setdefault(by_label[other.label].id, []).append(one.label)
    out = []
    for row in rows:
        base = _version_text(motion, row.version)
        try:
            changed = motion_text.apply(base, _as_text_amendment(row))
            diff = motion_text.diff_html(base, changed)
        except motion_text.LinesGone as gone:
            diff = Markup("<p>{}</p>").format(gone.message)
        stale = (
            _stale(motion, row)
            if row.status not in (AmendmentStatus.MERGED, AmendmentStatus.WITHDRAWN)
            else ""
        )
        out.append(AmendmentView(row, diff, tuple(clashes.get(row.id, [])), stale))
    return out


def propose(
    session: Session,
    member: Member,
    motion: Motion,
    first: int,
    last: int,
    new_text: str,
    reasoning: str = "",
) -> MotionAmendment:
    """A member of the subtree proposes replacement text for lines first..last of
    the motion's current version, while the motion is undecided and before the
    book's deadline (the motion committee still may after it, in the book's time
    zone); lines the version does not have are refused, as is text that changes
    nothing."""
    committee = is_committee(member, motion.book)
    if not in_membership(member, motion.book) and not committee:
        raise Forbidden(
            _("Änderungsanträge stellen können Mitglieder dieser Gliederung.")
        )
    if motion.status not in workflow.SUPPORTABLE:
        raise TransitionRefused(
            _(
                "Dieser Antrag ist %(status)s; Änderungsanträge sind nicht mehr "
                "möglich.",
                status=STATUS[motion.status],
            )
        )
    if not committee:
        require_open(motion.book)  # DeadlinePassed names it in the book's zone
    new_text = clean(new_text)
    if len(new_text) > MAX_AMENDMENT:
        raise ValidationFailed(
            _("Der neue Text ist zu lang."),
            fields={"text": _("Höchstens %(n)s Zeichen.", n=MAX_AMENDMENT)},
        )
    wanted = motion_text.Amendment(first, last, new_text)
    changed = motion_text.apply(motion.text, wanted)  # LinesGone, InvalidLineRange
    if changed == motion_text.canonical(motion.text):
        raise ValidationFailed(
            _("Der neue Text ändert nichts an den Zeilen."),
            fields={"text": _("Bitte ändere den Text der gewählten Zeilen.")},
        )
    sequence = (
        session.scalar(
            select(func.max(MotionAmendment.sequence)).where(
                MotionAmendment.motion_id == motion.id
            )
        )
        or 0
    ) + 1
    row = MotionAmendment(
        motion_id=motion.id,
        sequence=sequence,
        label=f"Ä{sequence}",
        version=motion.version,
        first_line=first,
        last_line=last,
        text=new_text,
        reasoning=clean(reasoning),
        submitter_id=member.id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        member,
        "motion.amendment_proposed",
        organisation=motion.book.organisation,
        target=motion,
        amendment=row.label,
    )
    session.commit()
    live.publish_amendment(row)
    return row


def may_propose(member: Member, motion: Motion) -> bool:
    """Whether the amendment form is offered: to members of the subtree until the
    deadline, to the motion committee after it too, while the motion is open."""
    if motion.status not in workflow.SUPPORTABLE:
        return False
    if is_committee(member, motion.book):
        return True
    return in_membership(member, motion.book) and not deadline_passed(motion.book)


# An amendment its submitter may still take back: not decided, merged or voted on.
WITHDRAWABLE = frozenset({AmendmentStatus.SUBMITTED, AmendmentStatus.ACCEPTED})


def _voted_on(session: Session, row: MotionAmendment) -> bool:
    return (
        session.scalar(
            select(func.count())
            .select_from(MotionDecision)
            .where(MotionDecision.amendment_id == row.id)
        )
        or 0
    ) > 0


def withdrawable(session: Session, member: Member, motion: Motion) -> set[int]:
    """The ids of the motion's amendments this member may withdraw: their own,
    still open, not put to a vote, while the motion is undecided."""
    if motion.status not in workflow.SUPPORTABLE:
        return set()
    rows = [
        r
        for r in list_amendments(session, motion)
        if r.submitter_id == member.id and r.status in WITHDRAWABLE
    ]
    if not rows:
        return set()
    voted = set(
        session.scalars(
            select(MotionDecision.amendment_id).where(
                MotionDecision.amendment_id.in_([r.id for r in rows])
            )
        )
    )
    return {r.id for r in rows if r.id not in voted}


def withdraw(
    session: Session, member: Member, motion: Motion, amendment_id: int
) -> MotionAmendment:
    """The submitter takes their amendment back before it is voted on (or
    decided, or merged), while the motion is undecided; audit-logged."""
    row = session.get(MotionAmendment, amendment_id)
    if row is None or row.motion_id != motion.id:
        raise NotFound()
    if row.submitter_id != member.id:
        raise Forbidden(
            _("Zurückziehen kann nur, wer den Änderungsantrag gestellt hat.")
        )
    if motion.status not in workflow.SUPPORTABLE:
        raise TransitionRefused(
            _("Dieser Antrag ist %(status)s.", status=STATUS[motion.status])
        )
    if row.status not in WITHDRAWABLE:
        raise TransitionRefused(
            _(
                "Der Änderungsantrag %(label)s ist %(status)s; zurückziehen lässt er "
                "sich nicht mehr.",
                label=row.label,
                status=AMENDMENT_STATUS[row.status],
            )
        )
    if _voted_on(session, row):
        raise TransitionRefused(
            _(
                "Über den Änderungsantrag %(label)s wird schon abgestimmt; "
                "zurückziehen lässt er sich nicht mehr.",
                label=row.label,
            )
        )
    row.status = AmendmentStatus.WITHDRAWN
    audit.record(
        session,
        member,
        "motion.amendment_withdrawn",
        organisation=motion.book.organisation,
        target=motion,
        amendment=row.label,
    )
    session.commit()
    live.publish_amendment(row, "amendment_withdrawn")
    return row


def _require_committee(member: Member, motion: Motion) -> None:
    if not is_committee(member, motion.book):
        raise Forbidden(_("Das entscheidet die Antragskommission."))


def decide(
    session: Session, member: Member, motion: Motion, amendment_id: int, accept: bool
) -> MotionAmendment:
    """The committee accepts (to merge) or rejects an amendment not yet merged."""
    _require_committee(member, motion)
    row = session.get(MotionAmendment, amendment_id)
    if row is None or row.motion_id != motion.id:
        raise NotFound()
    if row.status == AmendmentStatus.MERGED:
        raise Conflict(_("Dieser Änderungsantrag ist schon übernommen."))
    if row.status == AmendmentStatus.WITHDRAWN:
        raise Conflict(_("Dieser Änderungsantrag ist zurückgezogen."))
    row.status = AmendmentStatus.ACCEPTED if accept else AmendmentStatus.REJECTED
    audit.record(
        session,
        member,
        "motion.amendment_decided",
        organisation=motion.book.organisation,
        target=motion,
        amendment=row.label,
        new=row.status.value,
    )
    session.commit()
    return row


def merge_accepted(session: Session, member: Member, motion: Motion) -> Motion:
    """The committee merges every accepted amendment into a new version of the
    motion's text (the versions before it are kept). Amendments whose lines are
    gone or read differently in the current version, and overlapping ones, are
    refused with a message naming them; nothing is merged then."""
    _require_committee(member, motion)
    if motion.status in workflow.FINAL:
        raise TransitionRefused(
            _("Dieser Antrag ist %(status)s.", status=STATUS[motion.status])
        )
    accepted = [
        r
        for r in list_amendments(session, motion)
        if r.status == AmendmentStatus.ACCEPTED
    ]
    if not accepted:
        raise Conflict(_("Es gibt keine angenommenen Änderungsanträge."))
    for row in accepted:
        reason = _stale(motion, row)
        if reason:
            raise motion_text.LinesGone(reason)
    merged = motion_text.merge(motion.text, [_as_text_amendment(r) for r in accepted])
    number = motion.version + 1
    session.add(
        MotionVersion(
            motion_id=motion.id, number=number, text=merged, created_by_id=member.id
        )
    )
    motion.text = merged
    motion.text_html = numbered_html(merged)
    motion.version = number
    motion.updated_at = utcnow()
    for row in accepted:
        row.status = AmendmentStatus.MERGED
        row.merged_into = number
    audit.record(
        session,
        member,
        "motion.amendments_merged",
        organisation=motion.book.organisation,
        target=motion,
        amendments=[r.label for r in accepted],
        version=number,
    )
    session.commit()
    session.expire(motion, ["versions"])
    return motion


def version_diff(motion: Motion, old: int, new: int) -> Markup:
    """The word diff between any two kept versions of the motion."""
    return motion_text.diff_html(_version_text(motion, old), _version_text(motion, new))
