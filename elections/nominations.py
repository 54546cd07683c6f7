"""Candidacies: a member nominates themselves or another member of the
organisation's subtree; a candidacy counts once its candidate has consented;
candidates withdraw; organisers close the list of nominations."""

from __future__ import annotations

from sqlalchemy import literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import Candidacy, ElectedSeat, Election, ElectionStatus, Member, utcnow
from ortsverein import audit
from ortsverein.errors import Conflict, NotFound, ValidationFailed
from ortsverein.i18n import _
from ortsverein.markdown import render
from ortsverein.notifications import notify

from .access import can_organise, may_stand
from .live import publish_election

MAX_STATEMENT = 5000


def nominations_open(election: Election) -> bool:
    """Members nominate within the period; organisers until they close the list
    (nominations from the floor of a meeting)."""
    now = utcnow()
    return (
        election.status == ElectionStatus.NOMINATION
        and election.nominations_open_at <= now < election.nominations_close_at
    )


def _check_statement(statement: str) -> str:
    if len(statement) > MAX_STATEMENT:
        raise ValidationFailed(
            _(
                "Die Vorstellung ist zu lang (höchstens %(n)d Zeichen).",
                n=MAX_STATEMENT,
            ),
            fields={"statement": _("Höchstens %(n)d Zeichen.", n=MAX_STATEMENT)},
        )
    return statement.strip()


def nominate(
    session: Session,
    member: Member,
    election: Election,
    nominee_id: int,
    statement: str = "",
) -> Candidacy:
    """Nominate oneself (counts at once) or another member (counts once they
    consent). Both must be members of the organisation's subtree."""
    organiser = can_organise(member, election.organisation)
    if election.status != ElectionStatus.NOMINATION:
        raise Conflict(_("Die Vorschlagsliste dieser Wahl ist geschlossen."))
    if not organiser and not nominations_open(election):
        raise Conflict(_("Vorschläge sind nur innerhalb der Vorschlagsfrist möglich."))
    if not organiser and not may_stand(member, election):
        raise NotFound()
    nominee = session.get(Member, nominee_id)
    if nominee is None or not may_stand(nominee, election):
        raise ValidationFailed(
            _("Vorgeschlagen werden können nur Mitglieder dieser Gliederung."),
            fields={"nominee": _("Kein Mitglied dieser Gliederung.")},
        )
    text = _check_statement(statement) if nominee.id == member.id else ""
    own = nominee.id == member.id
    candidacy = Candidacy(
        election=election,
        member=nominee,
        nominated_by=member,
        consent_at=utcnow() if own else None,
        statement=text,
        statement_html=render(text),
    )
    session.add(candidacy)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict(
            _("%(name)s ist für diese Wahl bereits vorgeschlagen.", name=nominee.name)
        ) from None
    audit.record(
        session,
        member,
        "election.nominated",
        organisation=election.organisation,
        target=election,
        candidate=nominee.name,
    )
    if not own:
        notify(
            session,
            select(literal(nominee.id)),
            "election_nomination",
            election.title,
            f"/elections/{election.id}",
        )
    session.commit()
    publish_election(election, "candidacy_changed", candidacy_id=candidacy.id)
    return candidacy


def consent(
    session: Session, member: Member, candidacy: Candidacy, statement: str = ""
) -> Candidacy:
    """The nominee agrees to stand (and may introduce themselves): only now is
    the candidacy on the ballot."""
    election = candidacy.election
    if candidacy.member_id != member.id:
        raise NotFound()
    if election.status != ElectionStatus.NOMINATION:
        raise Conflict(_("Die Vorschlagsliste dieser Wahl ist geschlossen."))
    if candidacy.withdrawn_at is not None:
        raise Conflict(_("Diese Kandidatur ist zurückgezogen."))
    text = _check_statement(statement)
    if candidacy.consent_at is None:
        candidacy.consent_at = utcnow()
        audit.record(
            session,
            member,
            "election.consented",
            organisation=election.organisation,
            target=election,
        )
    if text:
        candidacy.statement, candidacy.statement_html = text, render(text)
    session.commit()
    publish_election(election, "candidacy_changed", candidacy_id=candidacy.id)
    return candidacy


def withdraw(session: Session, member: Member, candidacy: Candidacy) -> Candidacy:
    """The candidate withdraws (or declines a nomination); an organiser may record
    it for them. A withdrawn candidate is on no later ballot."""
    election = candidacy.election
    if candidacy.member_id != member.id and not can_organise(
        member, election.organisation
    ):
        raise NotFound()
    if election.status == ElectionStatus.FINISHED:
        raise Conflict(_("Diese Wahl ist abgeschlossen."))
    if candidacy.withdrawn_at is not None:
        return candidacy
    candidacy.withdrawn_at = utcnow()
    audit.record(
        session,
        member,
        "election.withdrawn",
        organisation=election.organisation,
        target=election,
        candidate=candidacy.member.name,
    )
    session.commit()
    publish_election(election, "candidacy_changed", candidacy_id=candidacy.id)
    return candidacy


def close_nominations(session: Session, member: Member, election: Election) -> Election:
    """The list is closed: from now on ballots are held among the candidates who
    have consented. Nominations still awaiting consent lapse."""
    if not can_organise(member, election.organisation):
        raise NotFound()
    if election.status != ElectionStatus.NOMINATION:
        raise Conflict(_("Die Vorschlagsliste ist bereits geschlossen."))
    standing = [c for c in election.candidacies if c.standing]
    if not standing:
        raise ValidationFailed(
            _("Es gibt noch keine Kandidatur mit Zustimmung; die Liste bleibt offen.")
        )
    election.status = ElectionStatus.BALLOTING
    audit.record(
        session,
        member,
        "election.nominations_closed",
        organisation=election.organisation,
        target=election,
        candidates=len(standing),
    )
    session.commit()
    publish_election(election, "candidacy_changed")
    return election


def pending_consents(session: Session, member: Member) -> list[Candidacy]:
    """Nominations of the member that await their consent, in open elections."""
    return list(
        session.scalars(
            select(Candidacy)
            .join(Election, Candidacy.election_id == Election.id)
            .where(
                Candidacy.member_id == member.id,
                Candidacy.consent_at.is_(None),
                Candidacy.withdrawn_at.is_(None),
                Election.status == ElectionStatus.NOMINATION,
            )
            .order_by(Candidacy.id)
        )
    )


def open_acceptances(session: Session, member: Member) -> list[ElectedSeat]:
    """Seats the member was elected to and has not yet accepted or declined."""
    return list(
        session.scalars(
            select(ElectedSeat)
            .where(ElectedSeat.member_id == member.id, ElectedSeat.acceptance.is_(None))
            .order_by(ElectedSeat.id)
        )
    )
