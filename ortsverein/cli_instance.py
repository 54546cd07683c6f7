"""Commands that set up and keep an instance: the organisation tree, the first
admin, the membership list, backup and restore (registered by cli.init_app)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from models import Member, Organisation, Role, RoleName

from . import audit
from .db import db, write_intent


@click.command("import-orgs")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row, write nothing.")
@with_appcontext
def import_orgs(file: Path, dry_run: bool):
    """Import the organisation tree (CSV slug;name;level;parent); nothing is
    written if any row is bad."""
    from .orgs.tree_import import ImportFileError, apply_tree, plan_tree

    with write_intent():
        try:
            plan = plan_tree(db.session, file.read_bytes())
        except ImportFileError as err:
            raise click.ClickException(str(err)) from None
        for error in plan.errors:
            click.echo(f"line {error.line}: {error.reason}", err=True)
        if plan.errors:
            click.echo(
                f"{len(plan.errors)} bad rows: nothing imported; correct them and "
                "run again",
                err=True,
            )
            sys.exit(1)
        click.echo(
            f"{len(plan.rows)} rows: {len(plan.creates)} new, {len(plan.updates)} "
            f"updated, {plan.unchanged} unchanged"
        )
        if dry_run:
            click.echo("dry run: nothing written")
            return
        apply_tree(db.session, plan, source=f"cli:{file.name}")
    click.echo("imported")


@click.command("create-admin")
@click.argument("email")
@click.option(
    "--org",
    "org_slug",
    default=None,
    help="Organisation to administer (default: the root of the tree).",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password once from standard input (without it, standard input "
    "that is not a terminal gives the password and its confirmation, one a line).",
)
@click.option("--password", default=None, hidden=True)
@click.option("--first-name", default="Admin")
@click.option("--last-name", default="Ortsverein")
@click.option("--number", default=None, help="Membership number (default: ADMIN-<n>).")
@with_appcontext
def create_admin(
    email, org_slug, password_stdin, password, first_name, last_name, number
):
    """Create an admin account with a password (or give an existing member the role).
    The password is asked for on a terminal and read from standard input otherwise."""
    from .auth.passwords import hash_password
    from .auth.services import check_new_password, member_by_email, normalise_email
    from .errors import ValidationFailed

    session = db.session
    if _admin_org(session, org_slug) is None:
        raise click.ClickException(
            "no such organisation; create the tree first (seed-demo or import-orgs)"
        )
    session.rollback()  # no transaction stays open while a person types
    if password is None:
        password = _read_password(password_stdin)
    with write_intent():
        org = _admin_org(session, org_slug)
        if org is None:
            raise click.ClickException("the organisation was removed meanwhile")
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


def _admin_org(session, org_slug: str | None) -> Organisation | None:
    """The organisation by slug, or the root of the tree."""
    if org_slug:
        return session.scalar(select(Organisation).where(Organisation.slug == org_slug))
    return session.scalar(
        select(Organisation)
        .where(Organisation.parent_id.is_(None), Organisation.dissolved_at.is_(None))
        .order_by(Organisation.id)
    )


def _read_password(once: bool) -> str:
    """The new password: prompted twice on a terminal; from a script, one line of
    standard input (--password-stdin) or two that must agree."""
    stdin = sys.stdin
    if not once and stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    first = stdin.readline().rstrip("\r\n")
    if not first:
        raise click.ClickException("no password on standard input")
    if once:
        return first
    second = stdin.readline().rstrip("\r\n")
    if second != first:
        raise click.ClickException(
            "the two passwords on standard input differ (or use --password-stdin)"
        )
    return first


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
@click.option(
    "--sync",
    is_flag=True,
    help="The list is the whole register of the organisation: deactivate active "
    "members it no longer names (after confirmation), reactivate those it names.",
)
@click.option("--yes", is_flag=True, help="With --sync: deactivate without asking.")
@with_appcontext
def import_members(
    file: Path, org_slug: str, dry_run: bool, invite: bool, sync: bool, yes: bool
):
    """Import a membership list (CSV); nothing is written if any row is bad."""
    from .auth.services import invite_numbers
    from .members.importer import ImportFileError, apply_import, plan_import

    session = db.session
    scope = session.scalar(select(Organisation).where(Organisation.slug == org_slug))
    if scope is None:
        raise click.ClickException(f"unknown organisation {org_slug!r}")
    try:
        plan = plan_import(session, file.read_bytes(), scope, None, sync=sync)
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
    if sync:
        click.echo(
            f"{plan.reactivated} deactivated members are in the list again and "
            f"will be reactivated; {len(plan.missing)} active members are no "
            "longer in the list:"
        )
        for gone in plan.missing:
            click.echo(f"  {gone.membership_number:20} {gone.name}")
    if dry_run:
        click.echo("dry run: nothing written")
        return
    if (
        sync
        and plan.missing
        and not yes
        and not click.confirm(f"Deactivate these {len(plan.missing)} members?")
    ):
        click.echo("nothing imported")
        sys.exit(1)
    confirmed = plan.missing
    session.rollback()  # nobody waits on a transaction while the operator reads
    with write_intent():
        plan = plan_import(session, file.read_bytes(), scope, None, sync=sync)
        if not plan.ok or plan.missing != confirmed:
            raise click.ClickException("the register changed meanwhile; run again")
        numbers = apply_import(session, plan, None, scope, source=f"cli:{file.name}")
    click.echo(
        f"imported; {len(plan.missing)} deactivated, {plan.reactivated} reactivated"
        if sync
        else "imported"
    )
    if invite and numbers:
        sent = invite_numbers(session, numbers, None)
        click.echo(f"{sent} of {len(numbers)} invitations sent")


@click.command("backup")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(folder: Path):
    """Back up the database into FOLDER (new or empty): pg_dump's custom format or
    SQLite's backup API, and a manifest.json. The ballot keys are never included."""
    from .backup import BackupError, backup

    try:
        manifest = backup(current_app.config["DATABASE_URL"], folder)
    except BackupError as err:
        raise click.ClickException(str(err)) from None
    head = manifest["audit_head"]
    click.echo(
        f"{manifest['database']} backup in {folder}: schema "
        f"{manifest['schema_revision']}, {manifest['audit_entries']} audit entries"
        + (f", head {head['id']} {head['hash'][:16]}…" if head else "")
    )


@click.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the data.")
@with_appcontext
def restore_command(folder: Path, yes: bool):
    """Restore a backup made by `ortsverein backup` into the configured database
    (replacing what is there), check its audit-log head and give the database a
    new instance id. Then run `ortsverein audit verify`."""
    from .backup import BackupError, read_manifest, restore

    try:
        manifest = read_manifest(folder)
    except BackupError as err:
        raise click.ClickException(str(err)) from None
    if not yes and not click.confirm(
        f"Replace the data of the configured database with the backup of "
        f"{manifest['created_at']}?"
    ):
        sys.exit(1)
    db.session.close()
    db.engine.dispose()  # no connection of this process holds the old data
    try:
        restore(current_app.config["DATABASE_URL"], folder)
    except BackupError as err:
        raise click.ClickException(str(err)) from None
    click.echo(
        f"restored the backup of {manifest['created_at']} (schema "
        f"{manifest['schema_revision']}); now run `ortsverein db upgrade` and "
        "`ortsverein audit verify`"
    )
