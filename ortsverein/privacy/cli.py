"""`ortsverein retention [--dry-run]`: delete what is kept no longer (cron)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from models import utcnow

from ..db import db
from . import exports
from . import retention as policy


@click.command("retention")
@click.option("--dry-run", is_flag=True, help="Count what would go, delete nothing.")
@with_appcontext
def retention(dry_run: bool):
    """Delete (or pseudonymise) data past its retention period, each kind in its own
    transaction; build data exports a restart left unfinished."""
    now = utcnow()
    done = policy.run(db.session, now, dry_run=dry_run)
    width = max(len(name) for name in done)
    for name, count in done.items():
        click.echo(f"{name:{width}}  {count}")
    if dry_run:
        click.echo("dry run: nothing deleted")
        return
    rebuilt = exports.build_stale(db.session, now)
    if rebuilt:
        click.echo(f"{rebuilt} unfinished data export(s) built")
