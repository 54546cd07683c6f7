"""Key escrow, optional per secret poll, for binding votes: besides its file in
the key folder, the poll's private key is split at opening into one share for each
board member chosen as holder (Shamir's secret sharing as SLIP-39 mnemonics, through
Trezor's `shamir-mnemonic`), any `escrow_threshold` of which restore it with
`ortsverein recover-poll-key`. A lost key folder then loses no vote.

A share never enters the database. It waits in the key folder (where the private
key itself is, so it exposes nothing more) until its holder picks it up once from
the poll's page; then it exists only where they keep it. Sealing destroys the key
and any share not picked up; the shares held offline stay, and that is the price,
stated on the poll's page and in docs/secrecy.md: enough holders together with a
backup taken during the poll could link ballots to voters."""

from __future__ import annotations

import shamir_mnemonic
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from models import Member, Poll, PollKeyShare, Role, RoleName, utcnow
from ortsverein import audit
from ortsverein.db import rowcount
from ortsverein.errors import Conflict, NotFound
from ortsverein.i18n import _

from . import ballot_keys

# SLIP-39 wants at least two shares to be needed (one would be the key itself).
MIN_THRESHOLD = 2


class SharesRefused(Exception):
    """The shares given do not restore this poll's key (a message for the CLI)."""


def board_holders(session: Session, org_id: int) -> list[Member]:
    """The members who may hold a share: the board of the poll's organisation."""
    return list(
        session.scalars(
            select(Member)
            .join(Role, Role.member_id == Member.id)
            .where(
                Role.organisation_id == org_id,
                Role.role == RoleName.BOARD,
                Member.active.is_(True),
            )
            .order_by(Member.id)
            .distinct()
        )
    )


def choose_holders(session: Session, poll: Poll, threshold: int | None) -> None:
    """Record the escrow of a poll not yet opened: its threshold and the board
    members who will hold shares (checked by definitions.validate)."""
    poll.escrow_threshold = threshold if poll.secret else None
    session.execute(delete(PollKeyShare).where(PollKeyShare.poll_id == poll.id))
    if poll.escrow_threshold:
        for member in board_holders(session, poll.organisation_id):
            session.add(PollKeyShare(poll_id=poll.id, member_id=member.id))


def holders(session: Session, poll: Poll) -> list[PollKeyShare]:
    return list(
        session.scalars(
            select(PollKeyShare)
            .where(PollKeyShare.poll_id == poll.id)
            .order_by(PollKeyShare.member_id)
        )
    )


def create_key(session: Session, poll: Poll) -> bytes:
    """The poll's key pair at opening, with its shares written for the holders
    when the poll is escrowed. With fewer holders left than the threshold (board
    members gone since the poll was defined) the key is not escrowed: audited."""
    if not poll.escrow_threshold:
        return ballot_keys.create(poll.id)
    holder_ids = [share.member_id for share in holders(session, poll)]
    if len(holder_ids) < poll.escrow_threshold:
        audit.record(
            session,
            None,
            "poll.escrow_unavailable",
            organisation=poll.organisation,
            target=poll,
            holders=len(holder_ids),
            threshold=poll.escrow_threshold,
        )
        poll.escrow_threshold = None
        return ballot_keys.create(poll.id)

    def write_shares(secret: bytes) -> None:
        (mnemonics,) = shamir_mnemonic.generate_mnemonics(
            1, [(poll.escrow_threshold, len(holder_ids))], secret
        )
        for member_id, words in zip(holder_ids, mnemonics, strict=True):
            ballot_keys.write_secret_file(
                ballot_keys.share_path(poll.id, member_id), words.encode()
            )

    public_key = ballot_keys.create(poll.id, escrow=write_shares)
    audit.record(
        session,
        None,
        "poll.key_escrowed",
        organisation=poll.organisation,
        target=poll,
        holders=holder_ids,
        threshold=poll.escrow_threshold,
    )
    return public_key


def share_of(session: Session, poll: Poll, member: Member) -> PollKeyShare | None:
    if not poll.escrow_threshold:
        return None
    return session.get(PollKeyShare, (poll.id, member.id))


def share_waiting(session: Session, poll: Poll, member: Member) -> bool:
    """Whether the member has a share to pick up (only until sealing)."""
    share = share_of(session, poll, member)
    return (
        share is not None
        and share.picked_up_at is None
        and poll.closed_at is None
        and ballot_keys.share_path(poll.id, member.id).is_file()
    )


def pick_up(session: Session, poll: Poll, member: Member) -> str:
    """Hand the member their share, once: recorded and committed first, then the
    file destroyed, so a failure never loses a share that was not shown."""
    share = share_of(session, poll, member)
    if share is None:
        raise NotFound()
    path = ballot_keys.share_path(poll.id, member.id)
    if share.picked_up_at is not None or poll.closed_at is not None:
        raise Conflict(_already_message())
    try:
        words = path.read_text()
    except FileNotFoundError:
        raise Conflict(_gone_message()) from None
    done = rowcount(
        session.execute(
            update(PollKeyShare)
            .where(
                PollKeyShare.poll_id == poll.id,
                PollKeyShare.member_id == member.id,
                PollKeyShare.picked_up_at.is_(None),
            )
            .values(picked_up_at=utcnow())
        )
    )
    if not done:  # picked up in another tab a moment ago
        session.rollback()
        raise Conflict(_already_message())
    audit.record(
        session,
        member,
        "poll.key_share_picked_up",
        organisation=poll.organisation,
        target=poll,
    )
    session.commit()
    ballot_keys.destroy_file(path)
    return words


def _already_message() -> str:
    return _(
        "Du hast deinen Schlüsselanteil schon abgeholt; er wird nur einmal gezeigt."
    )


def _gone_message() -> str:
    return _(
        "Dein Schlüsselanteil ist nicht mehr da (der Schlüsselordner ging verloren "
        "oder die Abstimmung ist versiegelt)."
    )


def recover(session: Session, poll: Poll, mnemonics: list[str]) -> int:
    """Restore a lost key of an escrowed poll from its shares; returns how many
    were used. Never for a sealed poll: its key was destroyed on purpose."""
    if poll.closed_at is not None:
        raise SharesRefused(
            f"poll {poll.id} is sealed: its key was destroyed on purpose and is "
            "not restored"
        )
    if poll.ballot_public_key is None:
        raise SharesRefused(f"poll {poll.id} has no sealed ballots and no key")
    try:
        secret = shamir_mnemonic.combine_mnemonics(mnemonics)
    except (shamir_mnemonic.MnemonicError, ValueError) as err:
        raise SharesRefused(f"the shares do not fit together: {err}") from None
    if ballot_keys.public_key_of(secret) != poll.ballot_public_key:
        raise SharesRefused(
            f"the shares restore a key, but not the key of poll {poll.id}"
        )
    ballot_keys.write_private_key(poll.id, secret)
    session.execute(update(Poll).where(Poll.id == poll.id).values(key_missing_at=None))
    audit.record(
        session,
        None,
        "poll.key_recovered",
        organisation=poll.organisation,
        target=poll,
        shares=len(mnemonics),
    )
    session.commit()
    return len(mnemonics)
