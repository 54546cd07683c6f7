"""`ortsverein send-digests`: the daily email of unread notifications (for cron)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from ortsverein import metrics
from ortsverein.db import db


@click.command("send-digests")
@click.option("--force", is_flag=True, help="Ignore the once-a-day rule (for testing).")
@with_appcontext
def send_digests(force: bool):
    """Email each member who asked for it their unread notifications since the last
    digest; at most one digest a day per member."""
    from .digests import send_all

    base = current_app.config["BASE_URL"]
    # Each member's claim is a write of its own (digests._claim); the rest reads.
    with current_app.test_request_context(base_url=base):
        sent, failed = send_all(db.session, force=force)
    click.echo(f"digests sent: {sent}, failed: {failed}")
    metrics.record_job_run("digests", sent=sent, failed=failed)  # for /metrics
    if failed:
        raise SystemExit(1)
