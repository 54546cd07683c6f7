"""Email preferences per topic and forum, the digest's frequency, the secret of a
member's calendar feed, and when a scheduled poll was cancelled.

Revision ID: 5e1a7c9d3b20
Revises: 3e8b51c07d2a
Create Date: 2026-12-03 07:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision: str = '5e1a7c9d3b20'
down_revision: Union[str, Sequence[str], None] = '3e8b51c07d2a'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('email_mutes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=20), nullable=False),
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_email_mutes_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_mutes')),
    sa.UniqueConstraint('member_id', 'topic', 'forum_id', name=op.f('uq_email_mutes_member_id_topic_forum_id'))
    )
    with op.batch_alter_table('email_mutes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_email_mutes_member_id'), ['member_id'], unique=False)

    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest_frequency', sa.String(length=10), server_default='daily', nullable=False))
        batch_op.add_column(sa.Column('calendar_token_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_members_calendar_token_hash'), ['calendar_token_hash'])

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('forum_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notifications_forum_id_forums'), 'forums', ['forum_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.drop_column('cancelled_at')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notifications_forum_id_forums'), type_='foreignkey')
        batch_op.drop_column('forum_id')

    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_members_calendar_token_hash'), type_='unique')
        batch_op.drop_column('calendar_token_hash')
        batch_op.drop_column('digest_frequency')

    with op.batch_alter_table('email_mutes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_email_mutes_member_id'))

    op.drop_table('email_mutes')
