"""Import a generated membership list of 100,000 members into SQLite and PostgreSQL.

Prints members/second for the first import (all new) and a re-import (all unchanged),
next to a baseline in the same run: a raw SQLAlchemy Core executemany of the same rows
into the same database, without any checking. Target: 100,000 members in under 60 s.
Usage: python bench/import_members.py [--members N] [--only sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text  # noqa: E402

from models import Member, Organisation, OrgLevel  # noqa: E402
from ortsverein import create_app  # noqa: E402
from ortsverein.db import db, write_intent  # noqa: E402
from ortsverein.members.importer import apply_import, plan_import  # noqa: E402
from ortsverein.migrate import upgrade  # noqa: E402

BRANCHES = 200


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    python = platform.python_version()
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, Python {python}"


def make_csv(n: int) -> bytes:
    lines = ["Mitgliedsnummer;Vorname;Nachname;E-Mail;Gliederung"]
    for i in range(n):
        lines.append(
            f"M-{i:07d};Vorname{i};Nachname{i % 977};m{i}@example.org;"
            f"ov-{i % BRANCHES:03d}"
        )
    return ("\n".join(lines) + "\n").encode()


def make_tree(session) -> Organisation:
    root = Organisation(name="Bund", slug="bund", level=OrgLevel.BUND, path="/")
    session.add(root)
    session.flush()
    root.path = f"/{root.id}/"
    for b in range(BRANCHES):
        org = Organisation(
            name=f"OV {b}",
            slug=f"ov-{b:03d}",
            level=OrgLevel.ORTSVEREIN,
            parent=root,
            path="/",
        )
        session.add(org)
        session.flush()
        org.path = f"{root.path}{org.id}/"
    session.commit()
    return root


def run(kind: str, url: str, data: bytes, n: int, tmp: Path) -> None:
    upgrade(url)
    app = create_app("testing", DATABASE_URL=url, INSTANCE_PATH=str(tmp / kind))
    with app.app_context(), write_intent():
        session = db.session
        root = make_tree(session)
        t0 = time.perf_counter()
        plan = plan_import(session, data, root, None)
        t1 = time.perf_counter()
        apply_import(session, plan, None, root, source="bench")
        t2 = time.perf_counter()
        assert len(plan.creates) == n and plan.ok
        again = plan_import(session, data, root, None)
        t3 = time.perf_counter()
        assert again.unchanged == n
        # Baseline: the same rows, raw executemany into a scratch copy of the table.
        rows = [
            {
                **r,
                "membership_number": "B" + r["membership_number"],
                "email": "b" + r["email"],
            }
            for r in plan.creates
        ]
        t4 = time.perf_counter()
        for start in range(0, len(rows), 5000):
            session.execute(insert(Member), rows[start : start + 5000])
        session.commit()
        t5 = time.perf_counter()
        session.execute(text("DELETE FROM members WHERE membership_number LIKE 'BM-%'"))
        session.commit()
    app.extensions["ortsverein_db"][0].dispose()
    first, re_import, baseline = t2 - t0, t3 - t2, t5 - t4
    print(
        f"{kind:10} first import {n} members: {first:6.1f} s "
        f"({n / first:8.0f} members/s; check {t1 - t0:.1f} s, write {t2 - t1:.1f} s)"
    )
    print(
        f"{kind:10} re-import (all unchanged): {re_import:6.1f} s "
        f"({n / re_import:8.0f} members/s)"
    )
    print(
        f"{kind:10} baseline raw executemany:  {baseline:6.1f} s "
        f"({n / baseline:8.0f} rows/s); import/baseline time ratio "
        f"{first / baseline:.1f}x; target < 60 s: {'met' if first < 60 else 'MISSED'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    print(f"machine: {machine()}")
    data = make_csv(args.members)
    tmp = Path(tempfile.mkdtemp(prefix="ortsverein-bench-"))
    try:
        if args.only in (None, "sqlite"):
            run("sqlite", f"sqlite:///{tmp / 'bench.db'}", data, args.members, tmp)
        if args.only in (None, "postgresql"):
            from tests.servers import PostgresServer

            server = PostgresServer()
            server.start()
            try:
                run("postgresql", server.url(), data, args.members, tmp)
            finally:
                server.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
