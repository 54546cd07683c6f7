"""What members read for the motion statuses, recommendations and occasions, and
the deadline as the book's time zone shows it."""

from __future__ import annotations

from babel.dates import format_datetime
from flask_babel import get_locale

from models import (
    AmendmentStatus,
    Motion,
    MotionBook,
    MotionStatus,
    Occasion,
    Recommendation,
)
from ortsverein.i18n import _, _l

from .access import zone

STATUS = {
    MotionStatus.SUBMITTED: _l("eingereicht"),
    MotionStatus.ADMITTED: _l("zugelassen"),
    MotionStatus.INADMISSIBLE: _l("unzulässig"),
    MotionStatus.RECOMMENDED: _l("Empfehlung der Antragskommission"),
    MotionStatus.ADOPTED: _l("beschlossen"),
    MotionStatus.REJECTED: _l("abgelehnt"),
    MotionStatus.REFERRED: _l("überwiesen"),
    MotionStatus.WITHDRAWN: _l("zurückgezogen"),
}
# Badge colours of the design system (badge--*): decided green/red, open blue.
STATUS_VARIANT = {
    MotionStatus.SUBMITTED: "neutral",
    MotionStatus.ADMITTED: "info",
    MotionStatus.INADMISSIBLE: "danger",
    MotionStatus.RECOMMENDED: "primary",
    MotionStatus.ADOPTED: "success",
    MotionStatus.REJECTED: "danger",
    MotionStatus.REFERRED: "warning",
    MotionStatus.WITHDRAWN: "neutral",
}
AMENDMENT_STATUS = {
    AmendmentStatus.SUBMITTED: _l("eingereicht"),
    AmendmentStatus.ACCEPTED: _l("angenommen, noch nicht eingearbeitet"),
    AmendmentStatus.REJECTED: _l("abgelehnt"),
    AmendmentStatus.MERGED: _l("übernommen"),
    AmendmentStatus.WITHDRAWN: _l("zurückgezogen"),
}
AMENDMENT_VARIANT = {
    AmendmentStatus.SUBMITTED: "primary",
    AmendmentStatus.ACCEPTED: "info",
    AmendmentStatus.REJECTED: "neutral",
    AmendmentStatus.MERGED: "success",
    AmendmentStatus.WITHDRAWN: "neutral",
}
RECOMMENDATION = {
    Recommendation.ACCEPT: _l("Annahme"),
    Recommendation.REJECT: _l("Ablehnung"),
    Recommendation.ACCEPT_MODIFIED: _l("Annahme in geänderter Fassung"),
    Recommendation.REFER: _l("Überweisung"),
}
OCCASION = {
    Occasion.STANDING: _l("ständig (ohne Anlass)"),
    Occasion.MEETING: _l("eine Sitzung"),
    Occasion.CONFERENCE: _l("ein Parteitag einer höheren Ebene"),
}


def status_text(motion: Motion) -> str:
    """The status in words, with the recommendation and referral target."""
    text = str(STATUS[motion.status])
    if motion.status == MotionStatus.RECOMMENDED and motion.recommendation:
        text = f"{text}: {RECOMMENDATION[motion.recommendation]}"
    if motion.referral_target and motion.status in (
        MotionStatus.RECOMMENDED,
        MotionStatus.REFERRED,
    ):
        text = _("%(status)s an %(target)s", status=text, target=motion.referral_target)
    return text


def deadline_text(book: MotionBook) -> str:
    """The deadline in the book's time zone, its zone named ("Europe/Berlin")."""
    if book.deadline is None:
        return _("kein Antragsschluss")
    when = format_datetime(
        book.deadline, "medium", tzinfo=zone(book), locale=get_locale()
    )
    return _("%(when)s (%(zone)s)", when=when, zone=book.timezone)
