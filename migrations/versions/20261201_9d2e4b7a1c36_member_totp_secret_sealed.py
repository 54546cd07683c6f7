"""Members' TOTP secrets are stored encrypted: the column grows to hold them.

The secrets themselves are encrypted by `ortsverein db upgrade` right after the
revisions (it knows SECRET_KEY; a revision does not), and a plain one left over is
still read and sealed at its next use.

Revision ID: 9d2e4b7a1c36
Revises: 7c3f9a1e2b54
Create Date: 2026-12-01 11:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '9d2e4b7a1c36'
down_revision: Union[str, Sequence[str], None] = '7c3f9a1e2b54'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.alter_column('totp_secret',
               existing_type=sa.String(length=64),
               type_=sa.String(length=255),
               existing_nullable=True)


def downgrade() -> None:
    """Downgrade schema. Sealed secrets do not fit the old column: two-factor
    logins are switched off (members set them up again) rather than cut short."""
    op.execute(
        "UPDATE members SET totp_secret = NULL, totp_enabled = false "
        "WHERE length(totp_secret) > 64"
    )
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.alter_column('totp_secret',
               existing_type=sa.String(length=255),
               type_=sa.String(length=64),
               existing_nullable=True)
