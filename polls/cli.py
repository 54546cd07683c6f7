"""Poll commands: `ortsverein tick` (for cron), `ortsverein verify-poll` and
`ortsverein recover-poll-key`."""

from __future__ import annotations

import json
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from models import BallotRecord, Participation, Poll, Receipt
from ortsverein import audit, metrics
from ortsverein.db import db

from . import escrow
from .lifecycle import due_polls, ensure_current
from .records import participations_removed, recount, sealing_records
from .scrub import finish_sealing
from .state import CLOSED, status


@click.command("tick")
@with_appcontext
def tick():
    """Open and close polls whose time has come, and finish sealings: destroy the
    keys of sealed polls and scrub until done (idempotent; run from cron)."""
    done = 0
    for poll in due_polls(db.session):
        before = (poll.opened_at, poll.closed_at, poll.reminded_at)
        ensure_current(db.session, poll)
        if (poll.opened_at, poll.closed_at, poll.reminded_at) != before:
            done += 1
            click.echo(f"poll {poll.id}: {status(poll)}")
    click.echo(f"{done} poll(s) updated")
    # Features that own polls finish their part (an election counts its sealed
    # rounds): each hook takes the session and returns a line to print, or "".
    for hook in current_app.config.get("TICK_HOOKS", []):
        line = hook(db.session)
        if line:
            click.echo(line)
    scrubbed = finish_sealing(db.session)
    if not scrubbed:
        click.echo("traces of casting order not yet scrubbed; the next tick retries")
    # For /metrics: the run, and so the tick's lag, as the app processes see it.
    metrics.record_job_run("tick", polls_updated=done, unscrubbed=int(not scrubbed))


@click.command("verify-poll")
@click.argument("poll_id", type=int)
@with_appcontext
def verify_poll(poll_id: int):
    """Recompute a closed poll's digests and tally; exit 1 on any mismatch."""
    poll = db.session.get(Poll, poll_id)
    if poll is None:
        raise click.ClickException(f"no poll {poll_id}")
    if ensure_current(db.session, poll) != CLOSED:
        raise click.ClickException(f"poll {poll_id} is not closed")
    if poll.closed_at is None:
        raise click.ClickException(
            f"poll {poll_id} is not sealed yet"
            + (" (its private key is missing)" if poll.key_missing_at else "")
        )
    try:
        digest, receipts_digest, result = recount(db.session, poll)
    except (ValueError, TypeError, KeyError) as err:
        click.echo(f"MISMATCH: a ballot can no longer be counted ({err!r})", err=True)
        sys.exit(1)
    problems = []
    # Compare with what the hash-chained audit log recorded at sealing, not only with
    # the polls row (which whoever changes ballots could change too).
    chain = audit.verify_chain(db.session)
    if not chain.ok:
        problems.append(f"the audit log is broken at entry {chain.first_bad_id}")
    sealed = sealing_records(db.session, poll)
    if len(sealed) != 1:
        problems.append("no single sealing entry for this poll in the audit log")
    else:
        logged = sealed[0]
        if logged.get("digest") != digest:
            problems.append(
                f"ballot-box digest {digest} != the one logged at sealing "
                f"{logged.get('digest')}"
            )
        if logged.get("receipts_digest") != receipts_digest:
            problems.append("receipts digest differs from the one logged at sealing")
        if logged.get("ballots") != result.ballots:
            problems.append("ballot count differs from the one logged at sealing")
    counts = {
        model.__tablename__: db.session.scalar(
            select(func.count()).select_from(model).where(model.poll_id == poll.id)
        )
        for model in (Participation, BallotRecord, Receipt)
    }
    # Who took part goes after the challenge period (ortsverein retention).
    counts["participations"] = (counts["participations"] or 0) + (
        participations_removed(db.session, poll)
    )
    if len(set(counts.values())) != 1:
        problems.append(f"participations, ballots and receipts differ: {counts}")
    if digest != poll.ballot_digest:
        problems.append(f"ballot-box digest {digest} != published {poll.ballot_digest}")
    if receipts_digest != poll.receipts_digest:
        problems.append(
            f"receipts digest {receipts_digest} != published {poll.receipts_digest}"
        )
    if json.dumps(result.as_dict(), sort_keys=True) != poll.result_json:
        problems.append("the recount differs from the published result")
    click.echo(f"poll {poll_id}: {result.ballots} ballots, digest {digest}")
    if problems:
        for problem in problems:
            click.echo(f"MISMATCH: {problem}", err=True)
        sys.exit(1)
    click.echo("verified: digests and tally match what was published")


@click.command("recover-poll-key")
@click.argument("poll_id", type=int)
@with_appcontext
def recover_poll_key(poll_id: int):
    """Restore the lost private key of an escrowed poll from its holders' shares,
    read from standard input (one share of words per line; an empty line or the
    end of input finishes). Never for a sealed poll."""
    poll = db.session.get(Poll, poll_id)
    if poll is None:
        raise click.ClickException(f"no poll {poll_id}")
    if not poll.escrow_threshold:
        raise click.ClickException(f"poll {poll_id} has no key escrow")
    if sys.stdin.isatty():
        click.echo(
            f"Enter {poll.escrow_threshold} shares, one per line, then an empty line:",
            err=True,
        )
    shares: list[str] = []
    for line in sys.stdin:
        words = " ".join(line.split())
        if not words:
            if shares:
                break
            continue
        shares.append(words)
    try:
        used = escrow.recover(db.session, poll, shares)
    except escrow.SharesRefused as err:
        db.session.rollback()
        raise click.ClickException(str(err)) from None
    # A poll whose time is up is sealed and counted now (sealing then destroys the
    # key again, with the shares still waiting in the folder).
    ensure_current(db.session, poll)
    counted = " and counted" if poll.closed_at is not None else ""
    click.echo(f"poll {poll_id}: key restored from {used} shares{counted}")
    if not finish_sealing(db.session):
        click.echo("traces of casting order not yet scrubbed; the next tick retries")
