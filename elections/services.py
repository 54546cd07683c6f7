"""Election use cases, the only module other features import: define an election,
nominate, consent, withdraw, close the list, hold ballot rounds (each a poll run
through `polls.services`), count them, record who accepts their seat."""

from __future__ import annotations

from .access import can_organise as can_organise
from .access import get_candidacy as get_candidacy
from .access import get_election as get_election
from .access import may_stand as may_stand
from .access import organisation_elections as organisation_elections
from .access import visible_elections as visible_elections
from .definitions import ElectionInput as ElectionInput
from .definitions import create_election as create_election
from .definitions import update_election as update_election
from .nominations import close_nominations as close_nominations
from .nominations import consent as consent
from .nominations import nominate as nominate
from .nominations import nominations_open as nominations_open
from .nominations import open_acceptances as open_acceptances
from .nominations import pending_consents as pending_consents
from .nominations import withdraw as withdraw
from .reopening import may_reopen as may_reopen
from .reopening import reopen_nominations as reopen_nominations
from .rounds import close_round as close_round
from .rounds import finish as finish
from .rounds import next_candidates as next_candidates
from .rounds import record_acceptance as record_acceptance
from .rounds import refresh as refresh
from .rounds import remaining_seats as remaining_seats
from .rounds import start_round as start_round
from .rounds import unfinished_round as unfinished_round
