"""The `ortsverein` command line (the same commands as `flask --app wsgi ...`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import func, select

from models import Member, Organisation, Role, RoleName

from . import audit, logs
from .app_object import app_object
from .db import db, write_intent


@click.group("db", help="Database schema (Alembic migrations).")
def db_group():
    pass


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str):
    """Apply migrations up to REVISION (default: head)."""
    from .migrate import upgrade

    upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at {revision}")
    if revision == "head":  # the column is wide enough for sealed secrets
        from .auth.totp import seal_legacy_secrets

        with write_intent():
            sealed = seal_legacy_secrets(db.session, current_app.config["SECRET_KEY"])
        if sealed:
            click.echo(f"{sealed} two-factor secrets encrypted")


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str):
    """Revert migrations down to REVISION."""
    from .migrate import downgrade

    downgrade(current_app.config["DATABASE_URL"], revision)


@db_group.command("revision")
@click.option("-m", "--message", required=True)
@with_appcontext
def db_revision(message: str):
    """Autogenerate a new revision from the models (review it before committing)."""
    from alembic import command

    from .migrate import alembic_config

    command.revision(
        alembic_config(current_app.config["DATABASE_URL"]),
        message=message,
        autogenerate=True,
    )


@click.command("seed-demo")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Do nothing (and succeed) when the database already has data.",
)
@with_appcontext
def seed_demo(if_empty: bool):
    """Load the demo branch (refused on a non-empty database and in production)."""
    from .seed import DEMO_ACCOUNTS, DEMO_PASSWORD, DemoRefused, is_empty, seed

    if if_empty and not is_empty(db.session):
        click.echo("the database already has data; demo data not loaded again")
    else:
        try:
            with write_intent():
                seed(db.session, current_app.config)
        except DemoRefused as err:
            raise click.ClickException(str(err)) from None
        click.echo("demo data loaded")
    click.echo(f"demo accounts (password {DEMO_PASSWORD!r}, only in the demo data):")
    for email, what in DEMO_ACCOUNTS:
        click.echo(f"  {email:50} {what}")


@click.command("create-admin")
@click.argument("email")
@click.option(
    "--org",
    "org_slug",
    default=None,
    help="Organisation to administer (default: the root of the tree).",
)
@click.password_option(help="Asked for when not given.")
@click.option("--first-name", default="Admin")
@click.option("--last-name", default="Ortsverein")
@click.option("--number", default=None, help="Membership number (default: ADMIN-<n>).")
@with_appcontext
def create_admin(email, org_slug, password, first_name, last_name, number):
    """Create an admin account with a password (or give an existing member the role)."""
    from .auth.passwords import hash_password
    from .auth.services import check_new_password, member_by_email, normalise_email
    from .errors import ValidationFailed

    session = db.session
    with write_intent():
        if org_slug:
            org = session.scalar(
                select(Organisation).where(Organisation.slug == org_slug)
            )
        else:
            org = session.scalar(
                select(Organisation)
                .where(Organisation.parent_id.is_(None))
                .order_by(Organisation.id)
            )
        if org is None:
            raise click.ClickException(
                "no such organisation; create the tree first (seed-demo or import-orgs)"
            )
        member = member_by_email(session, email)
        if member is None:
            count = session.scalar(select(func.count(Member.id))) or 0
            member = Member(
                email=normalise_email(email),
                first_name=first_name,
                last_name=last_name,
                home_branch=org,
                membership_number=number or f"ADMIN-{count + 1}",
            )
            session.add(member)
        try:
            check_new_password(password, member)
        except ValidationFailed as err:
            raise click.ClickException(err.message) from None
        member.password_hash = hash_password(password)
        if not any(
            r.role == RoleName.ADMIN and r.organisation_id == org.id
            for r in member.roles
        ):
            member.roles.append(Role(organisation=org, role=RoleName.ADMIN))
        session.flush()
        audit.record(
            session, None, "admin.created", organisation=org, target=member, via="cli"
        )
        session.commit()
    click.echo(f"{member.email} is admin of {org.name}")


@click.command("import-members")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--org",
    "org_slug",
    required=True,
    help="The organisation whose subtree the list covers.",
)
@click.option("--dry-run", is_flag=True, help="Check every row, write nothing.")
@click.option("--invite", is_flag=True, help="Email activation links to new members.")
@with_appcontext
def import_members(file: Path, org_slug: str, dry_run: bool, invite: bool):
    """Import a membership list (CSV); nothing is written if any row is bad."""
    from .auth.services import invite_numbers
    from .members.importer import ImportFileError, apply_import, plan_import

    session = db.session
    scope = session.scalar(select(Organisation).where(Organisation.slug == org_slug))
    if scope is None:
        raise click.ClickException(f"unknown organisation {org_slug!r}")
    with write_intent():
        try:
            plan = plan_import(session, file.read_bytes(), scope, None)
        except ImportFileError as err:
            raise click.ClickException(str(err)) from None
        click.echo(
            f"{plan.rows} rows: {len(plan.creates)} new, {len(plan.updates)} "
            f"updated, {plan.unchanged} unchanged, {len(plan.errors)} bad"
        )
        for error in plan.errors:
            click.echo(f"line {error.line}: {error.reason}", err=True)
        if plan.errors:
            click.echo("nothing imported: correct the bad rows and run again", err=True)
            sys.exit(1)
        if dry_run:
            click.echo("dry run: nothing written")
            return
        numbers = apply_import(session, plan, None, scope, source=f"cli:{file.name}")
    click.echo("imported")
    if invite and numbers:
        sent = invite_numbers(session, numbers, None)
        click.echo(f"{sent} of {len(numbers)} invitations sent")


@click.group("audit", help="The hash-chained audit log.")
def audit_group():
    pass


@audit_group.command("verify")
@with_appcontext
def audit_verify():
    """Check the audit log's hash chain; exit 1 on a break."""
    report = audit.verify_chain(db.session)
    if report.ok:
        click.echo(f"audit log intact: {report.entries} entries")
        return
    click.echo(
        f"audit log BROKEN at entry {report.first_bad_id}: {report.reason}", err=True
    )
    sys.exit(1)


@click.command("serve")
@click.option("--host", envvar="HOST", default="127.0.0.1", show_default=True)
@click.option("--port", envvar="PORT", default=5000, type=int, show_default=True)
@click.option(
    "--threads",
    default=200,
    show_default=True,
    help="Threads of the one worker (threading mode); each open socket (a member "
    "in a thread or a meeting) holds one. Connections: this plus 100 (gevent: at "
    "least 2,000).",
)
@with_appcontext
def serve(host: str, port: int, threads: int):
    """Serve the app with Socket.IO in one process on gunicorn, the same server as
    in production: the threaded worker, or the gevent worker where the Socket.IO
    async mode is gevent (production's)."""
    from gunicorn.app.base import BaseApplication

    flask_app = app_object()
    # Features tidy up what a previous run of this one process left behind.
    with write_intent():
        for hook in flask_app.config.get("SERVE_HOOKS", []):
            hook(db.session)
        db.session.commit()
    db.session.close()
    # The worker is forked from this process: it must not inherit these connections.
    db.engine.dispose()

    gevent = flask_app.config["SOCKETIO_ASYNC_MODE"] == "gevent"
    # gunicorn's default of 1000 connections would refuse the 1001st socket (and
    # with it every request) however many threads there are.
    connections = max(2000, threads + 100) if gevent else threads + 100
    needed = connections + 200  # sockets plus database, Redis, files
    allowed = allow_open_files(needed)
    if allowed < needed:
        click.echo(
            f"Warnung: höchstens {allowed} offene Dateien erlaubt, {needed} gebraucht "
            "(LimitNOFILE= / ulimit -n erhöhen).",
            err=True,
        )

    class OneProcess(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", 1)  # Socket.IO needs sticky sessions: one process
            if gevent:
                # One greenlet per connection (the package patched the standard
                # library when it was imported); `threads` does not apply. Work
                # that holds the loop (sealing a national vote on first access)
                # must not get the worker killed as hung after gunicorn's 30 s.
                self.cfg.set("worker_class", "gevent")
                self.cfg.set("timeout", 120)
            else:
                self.cfg.set("worker_class", "gthread")
                self.cfg.set("threads", threads)
            self.cfg.set("worker_connections", connections)
            if logs.is_json(flask_app):
                # One JSON line per request comes from the app (ortsverein/logs.py);
                # gunicorn's own lines are JSON too.
                self.cfg.set("accesslog", None)
                self.cfg.set("logconfig_dict", logs.gunicorn_logconfig())
            else:
                self.cfg.set("accesslog", "-")

        def load(self):
            return flask_app

    if gevent:
        # Let greenlets the app started (the in-memory rate-limit store's timer)
        # finish here: run first in the forked worker they failed with a KeyError
        # traceback in its log at every start.
        import gevent as gevent_module

        gevent_module.sleep(0.05)
    click.echo(f"Ortsverein läuft auf http://{host}:{port}/  (Strg+C beendet)")
    OneProcess().run()


def allow_open_files(needed: int) -> int:
    """Raise this process's soft limit of open files towards `needed` (systemd's
    default of 1024 would end sockets long before the connections allowed) and
    return it (`needed` where there is no limit); a hard limit below it is the
    operator's to raise (LimitNOFILE=)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return soft if soft != resource.RLIM_INFINITY else needed
    top = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, top), hard))
    return max(soft, top)


def init_app(app: Flask) -> None:
    for command in (
        db_group,
        seed_demo,
        create_admin,
        import_members,
        audit_group,
        serve,
    ):
        app.cli.add_command(command)


def _create_app():
    from . import create_app

    return create_app()


def main() -> None:
    """Console script entry point."""
    FlaskGroup(
        create_app=_create_app,
        add_default_commands=True,
        help="Ortsverein command line.",
    )(prog_name="ortsverein")
