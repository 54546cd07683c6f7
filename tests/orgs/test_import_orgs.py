"""`ortsverein import-orgs`: the organisation tree from CSV, all rows or none."""

from __future__ import annotations

from sqlalchemy import func, select

from models import AuditEntry, Organisation, OrgLevel
from tests.factories import fresh

TREE = """\ufeffKürzel;Name;Ebene;Übergeordnet
bund;Bundesverband;bund;
nrw;Landesverband NRW;land;bund
ub-koeln;Unterbezirk Köln;unterbezirk;nrw
ov-ehrenfeld;OV Ehrenfeld;ortsverein;ub-koeln
ov-nippes;OV Nippes;Ortsverein;ub-koeln
"""


def _import(app, tmp_path, text: str, *extra: str, name: str = "tree.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return app.test_cli_runner().invoke(args=["import-orgs", str(path), *extra])


def _tree(session) -> dict[str, tuple[str, str, str | None, str]]:
    fresh(session)
    return {
        o.slug: (o.name, o.level.value, o.parent.slug if o.parent else None, o.path)
        for o in session.scalars(select(Organisation))
    }


def test_import_builds_the_tree_with_paths_and_audit(db_url, app, session, tmp_path):
    result = _import(app, tmp_path, TREE)
    assert result.exit_code == 0, result.output
    assert "5 new" in result.output
    tree = _tree(session)
    assert tree["ov-nippes"][:3] == ("OV Nippes", "ortsverein", "ub-koeln")
    assert tree["bund"][2] is None
    # the paths are the chain of ids: a subtree query finds the branches
    by_slug = {o.slug: o for o in session.scalars(select(Organisation))}
    assert by_slug["ov-ehrenfeld"].ancestor_ids() == [
        by_slug[s].id for s in ("bund", "nrw", "ub-koeln", "ov-ehrenfeld")
    ]
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "orgs.imported")
    ).one()
    assert '"created":5' in entry.details
    verify = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert verify.exit_code == 0, verify.output


def test_reimport_updates_by_slug_and_moves_subtrees(db_url, app, session, tmp_path):
    assert _import(app, tmp_path, TREE).exit_code == 0
    again = (
        "slug,name,level,parent\n"
        "bund,Bundesverband,bund,\n"
        "nrw,Landesverband Nordrhein-Westfalen,land,bund\n"
        "by,Landesverband Bayern,land,bund\n"
        "ub-koeln,Unterbezirk Köln,unterbezirk,by\n"
    )
    result = _import(app, tmp_path, again, name="again.csv")
    assert result.exit_code == 0, result.output
    assert "1 new, 2 updated, 1 unchanged" in result.output
    tree = _tree(session)
    assert len(tree) == 6  # nothing duplicated, the branches not listed stay
    assert tree["nrw"][0] == "Landesverband Nordrhein-Westfalen"
    ids = {o.slug: o.id for o in session.scalars(select(Organisation))}
    # the moved Unterbezirk takes its Ortsvereine along
    assert tree["ov-nippes"][3] == (
        f"/{ids['bund']}/{ids['by']}/{ids['ub-koeln']}/{ids['ov-nippes']}/"
    )


def test_bad_rows_are_listed_by_line_and_nothing_is_written(
    db_url, app, session, tmp_path
):
    bad = (
        "slug;name;level;parent\n"
        "bund;Bund;bund;\n"  # 2 fine
        "zweite-wurzel;Noch eine Wurzel;bund;\n"  # 3 a second root
        "nrw;NRW;land;nirgendwo\n"  # 4 unknown parent
        "nrw;NRW doppelt;land;bund\n"  # 5 duplicate slug
        "ov-a;OV A;ortsverein;ov-b\n"  # 6 cycle
        "ov-b;OV B;ortsverein;ov-a\n"  # 7 cycle
        "land2;Land;land;kreis\n"  # 8 level not below the parent's
        "kreis;Kreis;unterbezirk;bund\n"  # 9 fine
        "ob;Oben;land;kreis\n"  # 10 level not below the parent's
        "ohne-name;;ortsverein;bund\n"  # 11 missing name
        "x;X;gemeinde;bund\n"  # 12 unknown level
    )
    result = _import(app, tmp_path, bad)
    assert result.exit_code == 1
    lines = [
        int(line.split(":")[0].removeprefix("line "))
        for line in result.output.splitlines()
        if line.startswith("line ")
    ]
    assert lines == [3, 4, 5, 6, 7, 8, 10, 11, 12]
    assert "nothing imported" in result.output
    assert "nirgendwo" in result.output and "Kreis" in result.output
    fresh(session)
    assert session.scalar(select(func.count(Organisation.id))) == 0
    assert session.scalar(select(func.count(AuditEntry.id))) == 0


def test_dry_run_and_level_checks_against_the_stored_tree(
    db_url, app, session, tmp_path
):
    dry = _import(app, tmp_path, TREE, "--dry-run")
    assert dry.exit_code == 0 and "dry run" in dry.output
    assert _tree(session) == {}
    assert _import(app, tmp_path, TREE).exit_code == 0
    # the Unterbezirk cannot become an Ortsverein while Ortsvereine lie below it
    demote = "slug,name,level,parent\nub-koeln,UB Köln,ortsverein,nrw\n"
    result = _import(app, tmp_path, demote, name="demote.csv")
    assert result.exit_code == 1 and "line 2:" in result.output
    # and a stored branch cannot be hung below its own subtree
    loop = "slug,name,level,parent\nnrw,NRW,land,ov-nippes\n"
    result = _import(app, tmp_path, loop, name="loop.csv")
    assert result.exit_code == 1 and "Kreis" in result.output
    assert _tree(session)["ub-koeln"][1] == OrgLevel.UNTERBEZIRK.value


def test_unreadable_files_get_a_clear_message(app, tmp_path):
    missing = _import(app, tmp_path, "slug,name\nbund,Bund\n")
    assert missing.exit_code != 0 and "level" in missing.output
    latin = tmp_path / "latin.csv"
    latin.write_bytes("slug;name;level;parent\nb;Bünd;bund;\n".encode("latin-1"))
    result = app.test_cli_runner().invoke(args=["import-orgs", str(latin)])
    assert result.exit_code != 0 and "UTF-8" in result.output
