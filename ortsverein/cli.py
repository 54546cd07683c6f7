"""The `ortsverein` command line (the same commands as `flask --app wsgi ...`)."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

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
@click.option(
    "--fair-turns/--no-fair-turns",
    default=True,
    show_default=True,
    help="gevent: after each answer a connection waits its turn before its next "
    "request is read (ortsverein/serving.py). Off only to measure the difference.",
)
@with_appcontext
def serve(host: str, port: int, threads: int, fair_turns: bool):
    """Serve the app with Socket.IO in one process on gunicorn, the same server as
    in production: the threaded worker, or the gevent worker where the Socket.IO
    async mode is gevent (production's)."""
    from gunicorn.app.base import BaseApplication

    from .serving import worker_settings

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

    settings = worker_settings(
        gevent, threads=threads, connections=connections, fair=fair_turns
    )

    class OneProcess(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", 1)  # Socket.IO needs sticky sessions: one process
            for name, value in settings.items():
                self.cfg.set(name, value)
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
    from . import cli_instance

    for command in (
        db_group,
        seed_demo,
        cli_instance.import_orgs,
        cli_instance.create_admin,
        cli_instance.import_members,
        audit_group,
        cli_instance.backup_command,
        cli_instance.restore_command,
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
