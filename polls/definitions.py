"""A poll's definition as organisers and chairs enter it: the input, every rule it
must meet, and how it is written onto a poll; and option labels as readers see them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from models import (
    Majority,
    Member,
    Organisation,
    Poll,
    PollKind,
    PollOption,
    Repeat,
)
from ortsverein.errors import NotFound, ValidationFailed
from ortsverein.i18n import _
from ortsverein.markdown import render

from . import escrow
from .presets import preset_for
from .visibility import can_organise

YES_NO_LABELS = ("Ja", "Nein", "Enthaltung")  # stored so: the record is German
_YES_NO_SHOWN = {
    "Ja": lambda: _("Ja"),
    "Nein": lambda: _("Nein"),
    "Enthaltung": lambda: _("Enthaltung"),
}


def option_label(poll: Poll | str, label: str) -> str:
    """An option as the reader sees it: yes/no/abstain in the reader's language,
    every other option as its organiser wrote it. `poll` may be the kind alone (a
    meeting's vote summary carries it as a string)."""
    kind = getattr(poll, "kind", poll)
    if kind == PollKind.YES_NO_ABSTAIN and label in _YES_NO_SHOWN:
        return _YES_NO_SHOWN[label]()
    return label


@dataclass
class PollInput:
    org_id: int
    title: str
    body: str
    kind: str
    options: list[str]
    secret: bool
    opens_at: datetime
    closes_at: datetime
    quorum_percent: Decimal = Decimal(0)
    majority: str = "simple"
    min_choices: int = 0
    max_choices: int = 1
    preset_id: int | None = None
    repeat: str = "none"
    # Key escrow: how many board members' shares restore the key (None: none)
    escrow_threshold: int | None = None
    errors: dict[str, str] = field(default_factory=dict)


def validate(
    session: Session, member: Member, data: PollInput, *, chair: bool = False
) -> Organisation:
    """Check a poll definition; raise ValidationFailed naming every broken rule.
    Organisers define polls; a meeting's chair (checked by the meeting) its votes."""
    errors: dict[str, str] = {}
    org = session.get(Organisation, data.org_id)
    if org is None or not (chair or can_organise(member, org)):
        raise NotFound()
    if not data.title.strip():
        errors["title"] = _("Bitte gib eine Frage oder einen Titel an.")
    if data.kind not in PollKind._value2member_map_:
        errors["kind"] = _("Unbekannte Art der Abstimmung.")
    labels = [o.strip() for o in data.options if o.strip()]
    if data.kind != PollKind.YES_NO_ABSTAIN and len(labels) < 2:
        errors["options"] = _("Es braucht mindestens zwei Optionen.")
    if len(set(labels)) != len(labels):
        errors["options"] = _("Jede Option darf nur einmal vorkommen.")
    if data.closes_at <= data.opens_at:
        errors["closes_at"] = _("Das Ende muss nach dem Beginn liegen.")
    if not Decimal(0) <= data.quorum_percent <= Decimal(100):
        errors["quorum_percent"] = _("Das Quorum liegt zwischen 0 und 100 Prozent.")
    if data.majority not in Majority._value2member_map_:
        errors["majority"] = _("Unbekannte Mehrheitsregel.")
    if data.kind == PollKind.MULTIPLE_CHOICE and not (
        0 <= data.min_choices <= data.max_choices <= max(len(labels), 1)
    ):
        errors["max_choices"] = _(
            "Mindest- und Höchstzahl passen nicht zu den Optionen."
        )
    if data.repeat not in Repeat._value2member_map_:
        errors["repeat"] = _("Unbekannte Wiederholung.")
    if data.escrow_threshold is not None:
        _check_escrow(session, org, data, errors)
    if data.preset_id is not None and preset_for(session, org, data.preset_id) is None:
        errors["preset"] = _(
            "Diese Regel gilt nicht für die gewählte Gliederung. Wähle eine Regel "
            "dieser Gliederung oder einer übergeordneten."
        )
    if errors:
        raise ValidationFailed(
            _("Bitte korrigiere die markierten Angaben."), fields=errors
        )
    return org


def _check_escrow(
    session: Session, org: Organisation, data: PollInput, errors: dict[str, str]
) -> None:
    board = len(escrow.board_holders(session, org.id))
    if not data.secret:
        errors["escrow_threshold"] = _(
            "Nur der Schlüssel einer geheimen Abstimmung kann geteilt werden."
        )
    elif board < escrow.MIN_THRESHOLD:
        errors["escrow_threshold"] = _(
            "Für die Treuhand braucht der Vorstand dieser Gliederung mindestens "
            "zwei Mitglieder; er hat %(n)d.",
            n=board,
        )
    elif not escrow.MIN_THRESHOLD <= (data.escrow_threshold or 0) <= board:
        errors["escrow_threshold"] = _(
            "Wähle zwischen 2 und %(n)d Anteilen (so viele Vorstandsmitglieder "
            "hat diese Gliederung).",
            n=board,
        )


def apply_definition(session: Session, poll: Poll, data: PollInput) -> None:
    """Write a checked definition onto the poll (a preset's rule wins)."""
    preset = preset_for(session, poll.organisation, data.preset_id)
    if preset is not None:
        poll.quorum_percent, poll.majority = preset.quorum_percent, preset.majority
        poll.rule_name, poll.statute_reference = preset.name, preset.statute_reference
    else:
        poll.quorum_percent = data.quorum_percent
        poll.majority = Majority(data.majority)
        poll.rule_name, poll.statute_reference = "", ""
    poll.title = data.title.strip()[:200]
    poll.body = data.body
    poll.body_html = render(data.body)
    poll.kind = PollKind(data.kind)
    poll.secret = data.secret
    poll.opens_at, poll.closes_at = data.opens_at, data.closes_at
    poll.repeat = Repeat(data.repeat)
    if poll.kind == PollKind.YES_NO_ABSTAIN:
        labels = list(YES_NO_LABELS)
        poll.min_choices, poll.max_choices = 0, 1
    else:
        labels = [o.strip()[:300] for o in data.options if o.strip()]
        if poll.kind == PollKind.MULTIPLE_CHOICE:
            poll.min_choices, poll.max_choices = data.min_choices, data.max_choices
        elif poll.kind == PollKind.SINGLE_CHOICE:
            poll.min_choices, poll.max_choices = 0, 1
        else:
            poll.min_choices, poll.max_choices = 0, len(labels)
    poll.options.clear()
    session.flush()
    for position, label in enumerate(labels):
        poll.options.append(PollOption(position=position, label=label))
    escrow.choose_holders(session, poll, data.escrow_threshold)
