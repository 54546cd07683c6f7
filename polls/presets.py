"""Statute rules: named presets of quorum and majority (with their statute
reference) that an organisation keeps and organisers pick for a poll."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Majority, Member, Organisation, RoleName, RulePreset
from ortsverein import audit
from ortsverein.errors import NotFound, ValidationFailed
from ortsverein.i18n import _
from ortsverein.permissions import has_role, in_subtree

from .visibility import can_organise


def preset_for(
    session: Session, org: Organisation, preset_id: int | None
) -> RulePreset | None:
    """The chosen rule preset if it holds for org (its own or an ancestor's)."""
    preset = session.get(RulePreset, preset_id) if preset_id else None
    if preset is None or not in_subtree(org, preset.organisation):
        return None
    return preset


def presets_for(session: Session, org: Organisation) -> list[RulePreset]:
    """Presets of the organisation and its ancestors."""
    return list(
        session.scalars(
            select(RulePreset)
            .where(RulePreset.organisation_id.in_(org.ancestor_ids()))
            .order_by(RulePreset.name)
        )
    )


def create_preset(
    session: Session,
    member: Member,
    org_id: int,
    name: str,
    quorum_percent: Decimal,
    majority: str,
    reference: str,
) -> RulePreset:
    org = session.get(Organisation, org_id)
    if org is None or not (
        can_organise(member, org) or has_role(member, org, RoleName.BOARD)
    ):
        raise NotFound()
    if (
        not name.strip()
        or not Decimal(0) <= quorum_percent <= Decimal(100)
        or majority not in Majority._value2member_map_
    ):
        raise ValidationFailed(_("Bitte gib Name, Quorum (0–100) und Mehrheit an."))
    preset = RulePreset(
        organisation=org,
        name=name.strip()[:200],
        quorum_percent=quorum_percent,
        majority=Majority(majority),
        statute_reference=reference.strip()[:200],
    )
    session.add(preset)
    session.flush()
    audit.record(
        session,
        member,
        "rule_preset.created",
        organisation=org,
        target=preset,
        name=preset.name,
    )
    session.commit()
    return preset
