"""Motion forwarding (issue 17): a motion in a higher level's book names the
adopted motion it was forwarded from; a motion goes to a given book once.

Revision ID: fea76b25adb6
Revises: a9b0192c72a5
Create Date: 2026-12-03 12:10:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'fea76b25adb6'
down_revision: Union[str, Sequence[str], None] = 'a9b0192c72a5'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('motions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('forwarded_from_id', sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_motions_forwarded_from_id'), ['forwarded_from_id'], unique=False
        )
        batch_op.create_unique_constraint(
            batch_op.f('uq_motions_book_id_forwarded_from_id'),
            ['book_id', 'forwarded_from_id'],
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_motions_forwarded_from_id_motions'),
            'motions',
            ['forwarded_from_id'],
            ['id'],
            ondelete='SET NULL',
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('motions', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_motions_forwarded_from_id_motions'), type_='foreignkey'
        )
        batch_op.drop_constraint(
            batch_op.f('uq_motions_book_id_forwarded_from_id'), type_='unique'
        )
        batch_op.drop_index(batch_op.f('ix_motions_forwarded_from_id'))
        batch_op.drop_column('forwarded_from_id')
