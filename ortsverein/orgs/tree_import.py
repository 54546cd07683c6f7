"""The organisation tree from CSV (`ortsverein import-orgs`): every row is checked
against the file and the tree already stored; nothing is written unless all rows are
good. Re-importing updates names, levels and parents by slug and never duplicates."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Organisation, OrgLevel

from .. import audit
from ..i18n import _
from ..members.csv_rows import ImportFileError, read_table
from .tree import LEVEL_RANK, recompute_paths

__all__ = ["ImportFileError", "TreePlan", "apply_tree", "plan_tree"]

FIELDS = ("slug", "name", "level", "parent")
HEADER_ALIASES = {
    "slug": {"slug", "kürzel", "kuerzel"},
    "name": {"name"},
    "level": {"level", "ebene"},
    "parent": {"parent", "übergeordnet", "uebergeordnet", "parent_slug"},
}
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str


@dataclass
class TreePlan:
    """What an import would do: rows by slug, and the bad rows by line."""

    rows: dict[str, dict] = field(default_factory=dict)
    creates: list[str] = field(default_factory=list)
    updates: list[str] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _missing_tree_columns(cols: str) -> str:
    return _(
        "Der Kopfzeile fehlen die Spalten: %(cols)s. Erwartet werden "
        "slug;name;level;parent oder Kürzel;Name;Ebene;Übergeordnet.",
        cols=cols,
    )


def read_tree_rows(data: bytes | str) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, {slug, name, level, parent}) from the CSV."""
    return read_table(data, FIELDS, HEADER_ALIASES, _missing_tree_columns)


def _check_row(values: dict) -> str | None:
    """A row needs a slug, a name and a known level; no control characters."""
    if any(ch < " " or ch == "\x7f" for value in values.values() for ch in value):
        return _("Die Zeile enthält Steuerzeichen.")
    for fieldname, label in (
        ("slug", _("Kürzel")),
        ("name", _("Name")),
        ("level", _("Ebene")),
    ):
        if not values[fieldname]:
            return _("%(field)s fehlt.", field=label)
    values["slug"] = values["slug"].lower()
    values["parent"] = values["parent"].lower()
    values["level"] = values["level"].lower()
    if not SLUG_RE.match(values["slug"]):
        return _(
            "Das Kürzel „%(s)s“ ist ungültig (Kleinbuchstaben, Ziffern, - und _, "
            "höchstens 100 Zeichen).",
            s=values["slug"][:100],
        )
    if len(values["name"]) > 200:
        return _("Der Name ist länger als 200 Zeichen.")
    if values["level"] not in LEVEL_RANK:
        return _(
            "Die Ebene „%(l)s“ gibt es nicht (bund, land, bezirk, unterbezirk, "
            "ortsverein).",
            l=values["level"][:50],
        )
    return None


def plan_tree(session: Session, data: bytes | str) -> TreePlan:
    """Check every row: fields, duplicate slugs, unknown parents, one root, no
    cycles, each level below its parent's (for the tree as it would be after the
    import, stored organisations included). Writes nothing."""
    plan = TreePlan()
    lines: dict[str, int] = {}
    for line, values in read_tree_rows(data):
        reason = _check_row(values)
        if reason is None and values["slug"] in lines:
            reason = _(
                "Das Kürzel steht schon in Zeile %(line)d.", line=lines[values["slug"]]
            )
        if reason is not None:
            plan.errors.append(RowError(line, reason))
            continue
        lines[values["slug"]] = line
        plan.rows[values["slug"]] = values

    stored = {
        o.slug: o
        for o in session.scalars(
            select(Organisation).where(Organisation.dissolved_at.is_(None))
        )
    }
    # The tree after the import: slug -> (parent slug or "", level).
    parent_of = {
        slug: (o.parent.slug if o.parent is not None else "")
        for slug, o in stored.items()
    }
    level_of = {slug: o.level.value for slug, o in stored.items()}
    for slug, values in plan.rows.items():
        parent_of[slug] = values["parent"]
        level_of[slug] = values["level"]
    roots = sorted(
        (s for s, p in parent_of.items() if not p),
        key=lambda s: (s not in stored, lines.get(s, 0)),
    )
    bad: dict[str, str] = {}
    for slug in plan.rows:
        parent = parent_of[slug]
        if not parent:
            if roots and roots[0] != slug:
                bad[slug] = _(
                    "Nur die Wurzel hat keine übergeordnete Gliederung; die Wurzel ist "
                    "„%(root)s“.",
                    root=roots[0],
                )
            continue
        if parent not in parent_of:
            bad[slug] = _(
                "Die übergeordnete Gliederung „%(p)s“ gibt es weder in der Datei noch "
                "in der Datenbank.",
                p=parent[:100],
            )
            continue
        seen = {slug}
        step = parent
        while step and step not in seen and step in parent_of:
            seen.add(step)
            step = parent_of[step]
        if step in seen:
            bad[slug] = _(
                "Die übergeordneten Gliederungen von „%(slug)s“ bilden einen Kreis.",
                slug=slug,
            )
            continue
        if LEVEL_RANK[level_of[slug]] <= LEVEL_RANK[level_of[parent]]:
            bad[slug] = _(
                "Die Ebene „%(l)s“ liegt nicht unter der Ebene „%(pl)s“ von „%(p)s“.",
                l=level_of[slug],
                pl=level_of[parent],
                p=parent,
            )
    # A changed level must still lie above the stored children the file leaves alone.
    for slug in stored:
        parent = parent_of[slug]
        if slug in plan.rows or not parent or parent not in plan.rows:
            continue
        if LEVEL_RANK[level_of[slug]] <= LEVEL_RANK[level_of[parent]]:
            bad.setdefault(
                parent,
                _(
                    "Die Ebene „%(l)s“ liegt nicht über der Ebene von „%(c)s“, das "
                    "darunter liegt.",
                    l=level_of[parent],
                    c=slug,
                ),
            )
    for slug, reason in bad.items():
        plan.errors.append(RowError(lines[slug], reason))
    plan.errors.sort(key=lambda e: e.line)
    if plan.errors:
        return plan
    for slug, values in plan.rows.items():
        org = stored.get(slug)
        if org is None:
            plan.creates.append(slug)
        elif (
            org.name,
            org.level.value,
            org.parent.slug if org.parent is not None else "",
        ) == (values["name"], values["level"], values["parent"]):
            plan.unchanged += 1
        else:
            plan.updates.append(slug)
    return plan


def apply_tree(session: Session, plan: TreePlan, source: str) -> None:
    """Write a checked plan in one transaction, audit-logged."""
    if not plan.ok:
        raise ValueError("an import with bad rows must not be applied")
    by_slug = {
        o.slug: o
        for o in session.scalars(
            select(Organisation).where(Organisation.dissolved_at.is_(None))
        )
    }
    for slug in plan.creates:
        values = plan.rows[slug]
        org = Organisation(
            slug=slug, name=values["name"], level=OrgLevel(values["level"]), path="/"
        )
        session.add(org)
        by_slug[slug] = org
    for slug in plan.creates + plan.updates:
        values = plan.rows[slug]
        org = by_slug[slug]
        org.name = values["name"]
        org.level = OrgLevel(values["level"])
        org.parent = by_slug[values["parent"]] if values["parent"] else None
    session.flush()
    recompute_paths(session)
    audit.record(
        session,
        None,
        "orgs.imported",
        source=source,
        created=len(plan.creates),
        updated=len(plan.updates),
        unchanged=plan.unchanged,
    )
    session.commit()
