"""Permission matrix: every route with an id, for each role and for another branch.
A forbidden object answers 404, exactly like a missing one."""

from __future__ import annotations

import pytest

from tests.factories import fresh

# Who may manage OV Nord's members: its board and the admin of the Bund.
ROLES = ["anonymous", "member", "organiser", "board", "sued_board", "admin"]
ALLOWED = {"board", "admin"}


def _login(world, auth, role):
    if role != "anonymous":
        auth.login(getattr(world, role))


def _routes(w):
    target = w.member
    role_id = w.organiser.roles[0].id
    return [
        ("GET", f"/members/{target.id}", None),
        ("POST", f"/members/{target.id}/roles", {"grant": f"{w.nord.id}:organiser"}),
        ("POST", f"/members/{w.organiser.id}/roles/{role_id}/revoke", {}),
        ("POST", f"/members/{target.id}/deactivate", {}),
        ("POST", f"/members/{target.id}/reactivate", {}),
        ("POST", f"/members/{target.id}/invite", {}),
        ("POST", f"/members/policy/{w.nord.id}", {f"p{w.nord.id}-required": "y"}),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_member_admin_routes(world, auth, client, role):
    _login(world, auth, role)
    for method, path, data in _routes(world):
        if method == "GET":
            response = client.get(path)
        else:
            response = auth.post(path, data)
        if role == "anonymous":
            assert response.status_code == 302, (path, role)
            assert "/login" in response.headers["Location"]
        elif role in ALLOWED:
            assert response.status_code in (200, 302), (
                path,
                role,
                response.status_code,
            )
        else:
            assert response.status_code == 404, (path, role, response.status_code)


@pytest.mark.parametrize("role", ROLES)
def test_member_lists_are_scoped(world, auth, client, role):
    _login(world, auth, role)
    response = client.get("/members/")
    if role == "anonymous":
        assert response.status_code == 302
        return
    if role in ("member", "organiser"):
        assert response.status_code == 404
        return
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    if role == "sued_board":
        assert world.sued_member.email in page
        assert world.member.email not in page
    else:
        assert world.member.email in page
        assert (world.sued_member.email in page) == (role == "admin")


def test_unknown_member_is_404_like_a_forbidden_one(world, auth, client):
    auth.login(world.board)
    assert client.get("/members/999999").status_code == 404
    assert client.get(f"/members/{world.sued_member.id}").status_code == 404


def test_token_of_another_member_cannot_be_revoked(world, auth, session, client, app):
    from ortsverein.auth.tokens import create_api_token

    with app.app_context():
        create_api_token(session, world.member, "phone")
    session.commit()
    token_id = world.member.api_tokens[0].id
    auth.login(world.organiser)
    assert auth.post(f"/profile/tokens/{token_id}/revoke").status_code == 404
    fresh(session)
    assert world.member.api_tokens[0].revoked_at is None
    auth.logout()
    auth.login(world.member)
    assert auth.post(f"/profile/tokens/{token_id}/revoke").status_code == 302
    fresh(session)
    assert world.member.api_tokens[0].revoked_at is not None


def test_board_cannot_grant_admin_or_change_own_roles(world, auth, session):
    auth.login(world.board)
    auth.post(f"/members/{world.member.id}/roles", {"grant": f"{world.bund.id}:admin"})
    auth.post(
        f"/members/{world.board.id}/roles", {"grant": f"{world.nord.id}:organiser"}
    )
    fresh(session)
    assert world.member.roles == []
    assert [r.role.value for r in world.board.roles] == ["board"]


def test_board_grants_and_revokes_a_role_with_audit(world, auth, session):
    from sqlalchemy import select

    from models import AuditEntry

    auth.login(world.board)
    response = auth.post(
        f"/members/{world.member.id}/roles", {"grant": f"{world.nord.id}:organiser"}
    )
    assert response.status_code == 302
    fresh(session)
    assert [r.role.value for r in world.member.roles] == ["organiser"]
    role_id = world.member.roles[0].id
    auth.post(f"/members/{world.member.id}/roles/{role_id}/revoke")
    fresh(session)
    assert world.member.roles == []
    actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["role.granted", "role.revoked"]


def test_member_list_pages_and_search(world, app, session, auth, client):
    from tests.factories import make_member

    with app.app_context():
        for i in range(60):
            make_member(
                session, world.nord, first_name="Zora", last_name=f"Zett{i:02d}"
            )
    session.commit()
    auth.login(world.board)
    first = client.get("/members/").get_data(as_text=True)
    assert "Seite 1 von 2" in first and 'rel="next"' in first
    second = client.get("/members/?page=2").get_data(as_text=True)
    assert "Seite 2 von 2" in second
    found = client.get("/members/?q=zett05").get_data(as_text=True)
    assert "Zett05" in found and "Zett06" not in found
    by_number = client.get(f"/members/?q={world.member.membership_number}")
    assert world.member.email in by_number.get_data(as_text=True)
    nonsense = client.get("/members/?page=abc&status=weird")
    assert nonsense.status_code == 200
