"""Optional key escrow for secret polls: how many shares restore a poll's private
key, and which board members hold one (the shares themselves never enter the
database: they wait in the key folder until picked up).

Revision ID: 5e1a7c2d9b40
Revises: add267812c8a
Create Date: 2026-12-03 07:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from models.base import UTCDateTime


revision: str = "5e1a7c2d9b40"
down_revision: Union[str, Sequence[str], None] = "add267812c8a"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("polls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("escrow_threshold", sa.Integer(), nullable=True))
    op.create_table(
        "poll_key_shares",
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("picked_up_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_poll_key_shares_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["polls.id"],
            name=op.f("fk_poll_key_shares_poll_id_polls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("poll_id", "member_id", name=op.f("pk_poll_key_shares")),
    )


def downgrade() -> None:
    op.drop_table("poll_key_shares")
    with op.batch_alter_table("polls", schema=None) as batch_op:
        batch_op.drop_column("escrow_threshold")
