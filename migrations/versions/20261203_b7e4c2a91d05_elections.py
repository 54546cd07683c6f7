"""Elections of people: elections, candidacies, ballot rounds (each a poll) with
the candidates on their ballots, elected seats with acceptance; and the members'
optional gender for quota counts.

Revision ID: b7e4c2a91d05
Revises: 5e1a7c9d3b20
Create Date: 2026-12-03 10:46:19.188499

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'b7e4c2a91d05'
down_revision: Union[str, Sequence[str], None] = '5e1a7c9d3b20'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('elections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('office', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('method', sa.Enum('single', 'approval', 'block', 'stv_scottish', 'stv_meek', name='electionmethod', native_enum=False, length=20), nullable=False),
    sa.Column('runoff', sa.Enum('top_two', 'plain', name='runoff', native_enum=False, length=20), nullable=False),
    sa.Column('min_yes_percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('quota_percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('secret', sa.Boolean(), nullable=False),
    sa.Column('statute_reference', sa.String(length=200), nullable=False),
    sa.Column('nominations_open_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('nominations_close_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('nomination', 'balloting', 'finished', name='electionstatus', native_enum=False, length=20), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['members.id'], name=op.f('fk_elections_created_by_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_elections_meeting_id_meetings'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_elections_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_elections'))
    )
    with op.batch_alter_table('elections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_elections_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_elections_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('candidacies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('election_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('nominated_by_id', sa.Integer(), nullable=True),
    sa.Column('consent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('statement_html', sa.Text(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['election_id'], ['elections.id'], name=op.f('fk_candidacies_election_id_elections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_candidacies_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['nominated_by_id'], ['members.id'], name=op.f('fk_candidacies_nominated_by_id_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_candidacies')),
    sa.UniqueConstraint('election_id', 'member_id', name=op.f('uq_candidacies_election_id_member_id'))
    )
    with op.batch_alter_table('candidacies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_candidacies_election_id'), ['election_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_candidacies_member_id'), ['member_id'], unique=False)

    op.create_table('election_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('election_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('result_json', sa.Text(), nullable=True),
    sa.Column('counted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['election_id'], ['elections.id'], name=op.f('fk_election_rounds_election_id_elections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_election_rounds_poll_id_polls'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_election_rounds')),
    sa.UniqueConstraint('election_id', 'number', name=op.f('uq_election_rounds_election_id_number')),
    sa.UniqueConstraint('poll_id', name=op.f('uq_election_rounds_poll_id'))
    )
    with op.batch_alter_table('election_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_election_rounds_election_id'), ['election_id'], unique=False)

    op.create_table('elected_seats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('election_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('by_quota', sa.Boolean(), nullable=False),
    sa.Column('acceptance', sa.Enum('accepted', 'declined', name='acceptance', native_enum=False, length=20), nullable=True),
    sa.Column('acceptance_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acceptance_recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['acceptance_recorded_by_id'], ['members.id'], name=op.f('fk_elected_seats_acceptance_recorded_by_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['election_id'], ['elections.id'], name=op.f('fk_elected_seats_election_id_elections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_elected_seats_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['election_rounds.id'], name=op.f('fk_elected_seats_round_id_election_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_elected_seats')),
    sa.UniqueConstraint('election_id', 'member_id', name=op.f('uq_elected_seats_election_id_member_id'))
    )
    with op.batch_alter_table('elected_seats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_elected_seats_election_id'), ['election_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_elected_seats_member_id'), ['member_id'], unique=False)

    op.create_table('election_round_candidates',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('candidacy_id', sa.Integer(), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['candidacy_id'], ['candidacies.id'], name=op.f('fk_election_round_candidates_candidacy_id_candidacies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['option_id'], ['poll_options.id'], name=op.f('fk_election_round_candidates_option_id_poll_options'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['election_rounds.id'], name=op.f('fk_election_round_candidates_round_id_election_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_id', 'candidacy_id', name=op.f('pk_election_round_candidates'))
    )
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gender', sa.String(length=1), nullable=True))



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_column('gender')

    op.drop_table('election_round_candidates')
    with op.batch_alter_table('elected_seats', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_elected_seats_member_id'))
        batch_op.drop_index(batch_op.f('ix_elected_seats_election_id'))

    op.drop_table('elected_seats')
    with op.batch_alter_table('election_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_election_rounds_election_id'))

    op.drop_table('election_rounds')
    with op.batch_alter_table('candidacies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_candidacies_member_id'))
        batch_op.drop_index(batch_op.f('ix_candidacies_election_id'))

    op.drop_table('candidacies')
    with op.batch_alter_table('elections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_elections_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_elections_meeting_id'))

    op.drop_table('elections')
