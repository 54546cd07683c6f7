"""A board's import preview never tells whether someone is a member elsewhere."""

from __future__ import annotations

import io

from tests.factories import make_member

HEADER = "Mitgliedsnummer;Vorname;Nachname;E-Mail;Gliederung\n"
NOT_HERE = "Diese Zeile kann hier nicht übernommen werden."


def _upload(auth, org, text, lang=None):
    data = {"org": str(org.id), "file": (io.BytesIO(text.encode()), "liste.csv")}
    headers = {"Accept-Language": lang} if lang else {}
    return auth.post(
        "/members/import", data, content_type="multipart/form-data", headers=headers
    )


def _reasons(page: str) -> list[str]:
    table = page.split("Fehlerhafte Zeilen", 1)[1].split("</table>", 1)[0]
    cells = table.split("<td>")[1:]
    return [c.split("</td>", 1)[0] for c in cells[1::2]]


def test_an_address_held_in_another_branch_gets_a_generic_routed_reason(world, auth):
    auth.login(world.board)
    rows = (
        f"X-1;Sven;Test;{world.sued_member.email};ov-nord\n"
        f"{world.sued_member.membership_number};Sven;Test;neu@example.org;ov-nord\n"
        f"{world.admin.membership_number};Alex;Admin;admin@example.org;ov-nord\n"
    )
    page = _upload(auth, world.nord, HEADER + rows).get_data(as_text=True)
    reasons = _reasons(page)
    # the same words for an address or a number held elsewhere and an office above
    assert len(reasons) == 3 and len(set(reasons)) == 1, reasons
    assert reasons[0].startswith(NOT_HERE)
    assert "Vorstand von Unterbezirk" in reasons[0]  # routed to the board above both
    for leak in ("vergeben", "gehört", "E-Mail-Adresse", "Mitgliedsnummer", "Süd"):
        assert leak not in reasons[0]
    assert world.sued_member.membership_number not in reasons[0]


def test_the_reason_is_translated(world, auth):
    auth.login(world.board)
    row = f"X-1;Sven;Test;{world.sued_member.email};ov-nord\n"
    page = _upload(auth, world.nord, HEADER + row, lang="en").get_data(as_text=True)
    assert "This row cannot be imported here." in page
    assert "board of Unterbezirk" in page


def test_a_board_covering_both_branches_sees_the_precise_reason(
    world, auth, session, app
):
    with app.app_context():
        ub_board = make_member(session, world.ub, roles=((world.ub, "board"),))
        session.commit()
    auth.login(ub_board)
    row = f"X-1;Sven;Test;{world.sued_member.email};ov-nord\n"
    page = _upload(auth, world.ub, HEADER + row).get_data(as_text=True)
    assert (
        f"Die E-Mail-Adresse gehört schon dem Mitglied "
        f"{world.sued_member.membership_number}." in page
    )


def test_the_operators_command_line_keeps_the_precise_reason(world, app, tmp_path):
    path = tmp_path / "liste.csv"
    path.write_text(
        HEADER
        + f"X-1;Sven;Test;{world.sued_member.email};ov-nord\n"
        + f"{world.sued_member.membership_number};Sven;Test;neu@example.org;ov-nord\n"
    )
    result = app.test_cli_runner().invoke(
        args=["import-members", str(path), "--org", "ov-nord", "--dry-run"]
    )
    assert result.exit_code != 0
    assert (
        f"gehört schon dem Mitglied {world.sued_member.membership_number}"
        in result.output
    )
    assert "gehört einem Mitglied außerhalb von OV Nord" in result.output
