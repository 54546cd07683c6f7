"""Admins manage the organisation tree in the browser and over the API: create,
rename, move (with the subtree), merge (after a preview), dissolve an empty branch."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models import AuditEntry, Forum, Meeting, Member, Organisation, OrgLevel, Poll
from tests.factories import (
    PASSWORD,
    fresh,
    make_forum,
    make_meeting,
    make_member,
    make_org,
    make_poll,
)


def _token(client, member) -> dict:
    response = client.post(
        "/api/v1/auth/token", json={"email": member.email, "password": PASSWORD}
    )
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def _actions(session) -> list[str]:
    fresh(session)
    return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_api_create_rename_move_with_subtree(world, client, session, app):
    h = _token(client, world.admin)
    made = client.post(
        "/api/v1/orgs",
        json={
            "parent_id": world.land.id,
            "name": "UB Neu",
            "slug": "ub-neu",
            "level": "unterbezirk",
        },
        headers=h,
    )
    assert made.status_code == 201, made.get_json()
    new_id = made.get_json()["id"]
    # a branch at a level not below its parent's is refused with the field named
    wrong = client.post(
        "/api/v1/orgs",
        json={"parent_id": world.nord.id, "name": "X", "slug": "x", "level": "land"},
        headers=h,
    )
    assert (
        wrong.status_code == 422 and "parent_id" in wrong.get_json()["error"]["fields"]
    )
    taken = client.post(
        "/api/v1/orgs",
        json={
            "parent_id": world.land.id,
            "name": "Y",
            "slug": "ov-nord",
            "level": "unterbezirk",
        },
        headers=h,
    )
    assert taken.status_code == 422
    renamed = client.patch(
        f"/api/v1/orgs/{world.ub.id}", json={"name": "UB Musterstadt"}, headers=h
    )
    assert renamed.get_json()["name"] == "UB Musterstadt"
    # move the old Unterbezirk's OV Nord below the new one: its members follow
    moved = client.patch(
        f"/api/v1/orgs/{world.nord.id}", json={"parent_id": new_id}, headers=h
    )
    assert moved.status_code == 200 and moved.get_json()["parent_id"] == new_id
    fresh(session)
    nord = session.get(Organisation, world.nord.id)
    assert nord.ancestor_ids() == [world.bund.id, world.land.id, new_id, nord.id]
    # a move below its own subtree, and of the root, is refused
    loop = client.patch(
        f"/api/v1/orgs/{world.land.id}", json={"parent_id": world.sued.id}, headers=h
    )
    assert loop.status_code == 409
    root = client.patch(
        f"/api/v1/orgs/{world.bund.id}", json={"parent_id": world.land.id}, headers=h
    )
    assert root.status_code == 409
    assert _actions(session)[-3:] == ["org.created", "org.renamed", "org.moved"]
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0


def test_a_move_carries_the_whole_subtree_paths(world, client, session):
    h = _token(client, world.admin)
    land2 = client.post(
        "/api/v1/orgs",
        json={
            "parent_id": world.bund.id,
            "name": "Land 2",
            "slug": "land2",
            "level": "land",
        },
        headers=h,
    ).get_json()["id"]
    assert (
        client.patch(
            f"/api/v1/orgs/{world.ub.id}", json={"parent_id": land2}, headers=h
        ).status_code
        == 200
    )
    fresh(session)
    for org in (world.ub, world.nord, world.sued):
        org = session.get(Organisation, org.id)
        assert org.ancestor_ids()[:3] == [world.bund.id, land2, world.ub.id]
    # members of the moved branches still see their branch's forums
    forum = make_forum(session, world.nord, world.organiser)
    member_h = _token(client, world.member)
    ids = [
        f["id"]
        for f in client.get("/api/v1/forums", headers=member_h).get_json()["items"]
    ]
    assert forum.id in ids


@pytest.mark.parametrize("who", ["board", "organiser", "member"])
def test_only_admins_see_or_change_the_tree(world, client, who):
    h = _token(client, getattr(world, who))
    assert client.get("/api/v1/orgs", headers=h).get_json()["items"] == []
    assert client.get(f"/api/v1/orgs/{world.nord.id}", headers=h).status_code == 404
    assert (
        client.patch(
            f"/api/v1/orgs/{world.nord.id}", json={"name": "Meins"}, headers=h
        ).status_code
        == 404
    )
    assert client.delete(f"/api/v1/orgs/{world.sued.id}", headers=h).status_code == 404
    assert (
        client.post(
            f"/api/v1/orgs/{world.sued.id}/merge",
            json={"into": world.nord.id},
            headers=h,
        ).status_code
        == 404
    )


def test_an_admin_of_a_branch_cannot_reach_above_it(world, client, session, app):
    with app.app_context():
        ub_admin = make_member(session, world.nord, roles=((world.ub, "admin"),))
        session.commit()
    h = _token(client, ub_admin)
    slugs = {
        o["slug"] for o in client.get("/api/v1/orgs", headers=h).get_json()["items"]
    }
    assert slugs == {"ub", "ov-nord", "ov-sued"}
    assert (
        client.patch(
            f"/api/v1/orgs/{world.land.id}", json={"name": "Meins"}, headers=h
        ).status_code
        == 404
    )
    assert (
        client.patch(
            f"/api/v1/orgs/{world.nord.id}",
            json={"parent_id": world.land.id},
            headers=h,
        ).status_code
        == 404
    )


def test_merge_moves_everything_after_a_preview(world, client, session, app):
    forum = make_forum(session, world.sued, world.admin)
    poll = make_poll(session, world.sued, world.admin)
    meeting = make_meeting(session, world.sued, world.admin)
    sued_members = set(
        session.scalars(select(Member.id).where(Member.home_branch_id == world.sued.id))
    )
    # a ballot before the merge: the poll's facts are kept by this process
    board_h = _token(client, world.sued_board)
    option = client.get(f"/api/v1/polls/{poll.id}", headers=board_h).get_json()[
        "options"
    ][0]["id"]
    assert (
        client.post(
            f"/api/v1/polls/{poll.id}/ballots",
            json={"choices": [option]},
            headers=board_h,
        ).status_code
        == 201
    )
    h = _token(client, world.admin)
    preview = client.get(
        f"/api/v1/orgs/{world.sued.id}/merge-preview?into={world.nord.id}", headers=h
    ).get_json()
    assert (
        preview["members"],
        preview["forums"],
        preview["polls"],
        preview["meetings"],
    ) == (len(sued_members), 1, 1, 1)
    fresh(session)
    assert session.get(Forum, forum.id).organisation_id == world.sued.id  # unchanged
    merged = client.post(
        f"/api/v1/orgs/{world.sued.id}/merge", json={"into": world.nord.id}, headers=h
    )
    assert merged.status_code == 200, merged.get_json()
    fresh(session)
    assert session.get(Forum, forum.id).organisation_id == world.nord.id
    assert session.get(Poll, poll.id).organisation_id == world.nord.id
    assert session.get(Meeting, meeting.id).organisation_id == world.nord.id
    assert sued_members <= set(
        session.scalars(select(Member.id).where(Member.home_branch_id == world.nord.id))
    )
    # the former OV Süd board now holds its office on OV Nord
    board = session.get(Member, world.sued_board.id)
    assert [r.organisation_id for r in board.roles] == [world.nord.id]
    # the source left the tree; its slug is free again, its history stays
    assert client.get(f"/api/v1/orgs/{world.sued.id}", headers=h).status_code == 404
    slugs = {
        o["slug"] for o in client.get("/api/v1/orgs", headers=h).get_json()["items"]
    }
    assert "ov-sued" not in slugs
    assert _actions(session)[-1] == "org.merged"
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0
    # the member from OV Süd votes in the poll now held by OV Nord
    member_h = _token(client, world.sued_member)
    cast = client.post(
        f"/api/v1/polls/{poll.id}/ballots", json={"choices": [option]}, headers=member_h
    )
    assert cast.status_code == 201, cast.get_json()


def test_merge_into_own_subtree_is_refused(world, client):
    h = _token(client, world.admin)
    response = client.get(
        f"/api/v1/orgs/{world.ub.id}/merge-preview?into={world.nord.id}", headers=h
    )
    assert response.status_code == 409
    assert (
        client.post(
            f"/api/v1/orgs/{world.ub.id}/merge", json={"into": world.nord.id}, headers=h
        ).status_code
        == 409
    )


def test_dissolve_only_an_empty_branch(world, client, session):
    empty = make_org(session, "OV Leer", "ov-leer", OrgLevel.ORTSVEREIN, world.ub)
    session.commit()
    h = _token(client, world.admin)
    full = client.delete(f"/api/v1/orgs/{world.sued.id}", headers=h)
    assert (
        full.status_code == 409 and "nicht leer" in full.get_json()["error"]["message"]
    )
    assert client.delete(f"/api/v1/orgs/{empty.id}", headers=h).status_code == 204
    assert client.delete(f"/api/v1/orgs/{empty.id}", headers=h).status_code == 404
    # a re-import of the tree does not bring back the dissolved branch
    fresh(session)
    live = session.scalar(
        select(func.count(Organisation.id)).where(Organisation.dissolved_at.is_(None))
    )
    assert live == 5


def test_browser_merge_shows_a_preview_first(world, auth, session):
    auth.login(world.admin)
    assert "/orgs/" in auth.client.get("/members/").get_data(as_text=True)
    page = auth.client.get("/orgs/")
    assert page.status_code == 200 and "OV Süd" in page.get_data(as_text=True)
    preview = auth.post(
        f"/orgs/{world.sued.id}/merge", {"merge-target_id": str(world.nord.id)}
    )
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Jetzt zusammenführen" in text
    fresh(session)
    assert session.get(Organisation, world.sued.id).dissolved_at is None
    done = auth.post(f"/orgs/{world.sued.id}/merge/{world.nord.id}")
    assert done.status_code == 302
    fresh(session)
    assert session.get(Organisation, world.sued.id).dissolved_at is not None
    # a move under its own subtree is refused with the reason on the page
    refused = auth.post(
        f"/orgs/{world.ub.id}/move",
        {"move-parent_id": str(world.nord.id)},
        follow_redirects=True,
    )
    assert "unter sich selbst" in refused.get_data(as_text=True)


def test_browser_create_and_rename_keep_what_was_typed(world, auth, session):
    auth.login(world.admin)
    bad = auth.post(
        "/orgs/new",
        {
            "name": "OV Ost",
            "slug": "Ungültig!",
            "level": "ortsverein",
            "parent_id": str(world.ub.id),
        },
    )
    assert bad.status_code == 422
    assert 'value="OV Ost"' in bad.get_data(as_text=True)
    good = auth.post(
        "/orgs/new",
        {
            "name": "OV Ost",
            "slug": "ov-ost",
            "level": "ortsverein",
            "parent_id": str(world.ub.id),
        },
    )
    assert good.status_code == 302
    fresh(session)
    ost = session.scalar(select(Organisation).where(Organisation.slug == "ov-ost"))
    assert ost.parent_id == world.ub.id
    auth.post(f"/orgs/{ost.id}/rename", {"rename-name": "OV Ostend"})
    fresh(session)
    assert session.get(Organisation, ost.id).name == "OV Ostend"


def test_board_members_do_not_find_the_tree_pages(world, auth):
    auth.login(world.board)
    assert "/orgs/" not in auth.client.get("/members/").get_data(as_text=True)
    assert auth.client.get("/orgs/").status_code == 404
    assert (
        auth.post(f"/orgs/{world.nord.id}/rename", {"rename-name": "x"}).status_code
        == 404
    )
