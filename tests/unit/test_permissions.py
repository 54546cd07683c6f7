"""Role rules without an app: roles hold for the subtree; board and organiser differ."""

from __future__ import annotations

import pytest

from models import Member, Organisation, OrgLevel, Role, RoleName
from ortsverein.permissions import can_see_org, has_role, in_subtree, orgs_with_role


def _tree():
    bund = Organisation(id=1, name="Bund", slug="bund", level=OrgLevel.BUND, path="/1/")
    ub = Organisation(
        id=2, name="UB", slug="ub", level=OrgLevel.UNTERBEZIRK, path="/1/2/"
    )
    nord = Organisation(
        id=3, name="Nord", slug="nord", level=OrgLevel.ORTSVEREIN, path="/1/2/3/"
    )
    sued = Organisation(
        id=4, name="Süd", slug="sued", level=OrgLevel.ORTSVEREIN, path="/1/2/4/"
    )
    # "/1/2/3/" must not count as inside "/1/2/30/" and vice versa
    dreissig = Organisation(
        id=30, name="Dreißig", slug="d", level=OrgLevel.ORTSVEREIN, path="/1/2/30/"
    )
    return bund, ub, nord, sued, dreissig


def _member(home, *roles):
    m = Member(
        first_name="A",
        last_name="B",
        email="a@b.c",
        membership_number="1",
        home_branch=home,
        active=True,
    )
    m.roles = [Role(organisation=org, role=role) for org, role in roles]
    return m


def test_role_holds_for_the_subtree_only():
    bund, ub, nord, sued, dreissig = _tree()
    organiser = _member(nord, (ub, RoleName.ORGANISER))
    assert has_role(organiser, nord, RoleName.ORGANISER)
    assert has_role(organiser, sued, RoleName.ORGANISER)
    assert not has_role(organiser, bund, RoleName.ORGANISER)
    assert not has_role(organiser, nord, RoleName.BOARD)


def test_path_prefix_does_not_confuse_siblings():
    bund, ub, nord, sued, dreissig = _tree()
    nord.path = "/1/2/3/"
    assert not in_subtree(dreissig, nord)
    board = _member(nord, (nord, RoleName.BOARD))
    assert not has_role(board, dreissig, RoleName.BOARD)


@pytest.mark.parametrize("role", list(RoleName))
def test_admin_grants_everything(role):
    bund, ub, nord, *_ = _tree()
    admin = _member(nord, (bund, RoleName.ADMIN))
    assert has_role(admin, nord, role)


def test_inactive_members_hold_nothing():
    bund, ub, nord, *_ = _tree()
    m = _member(nord, (bund, RoleName.ADMIN))
    m.active = False
    assert not has_role(m, nord, RoleName.MEMBER)
    assert not can_see_org(m, nord)


def test_visibility_home_branch_ancestors_and_role_subtrees():
    bund, ub, nord, sued, _ = _tree()
    member = _member(nord)
    assert can_see_org(member, bund) and can_see_org(member, nord)
    assert not can_see_org(member, sued)
    organiser = _member(nord, (ub, RoleName.ORGANISER))
    assert can_see_org(organiser, sued)


def test_orgs_with_role_returns_roots_of_subtrees():
    bund, ub, nord, sued, _ = _tree()
    m = _member(
        nord, (nord, RoleName.BOARD), (ub, RoleName.BOARD), (sued, RoleName.BOARD)
    )
    assert orgs_with_role(m, RoleName.BOARD) == [ub]
