"""Meetings: the invitation's calendar SEQUENCE, raised when a change is re-sent.

Revision ID: 5b1e7c0a9d42
Revises: 18cce52fefcf
Create Date: 2026-11-22 06:25:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '5b1e7c0a9d42'
down_revision: Union[str, Sequence[str], None] = '18cce52fefcf'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('calendar_sequence', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_column('calendar_sequence')
