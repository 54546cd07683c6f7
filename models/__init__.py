"""All models, re-exported so Alembic sees every table."""

from .audit import GENESIS_HASH, AuditEntry
from .base import Base, UTCDateTime, utcnow
from .member import ApiToken, LinkPurpose, Member, OneTimeLink, Role, RoleName
from .notification import Notification
from .organisation import Organisation, OrgLevel
from .poll import (
    BallotRecord,
    ElectorateEntry,
    Majority,
    NamedVote,
    Participation,
    Poll,
    PollKind,
    PollOption,
    Receipt,
    Repeat,
    RulePreset,
)

__all__ = [
    "GENESIS_HASH",
    "ApiToken",
    "BallotRecord",
    "ElectorateEntry",
    "Majority",
    "NamedVote",
    "Notification",
    "Participation",
    "Poll",
    "PollKind",
    "PollOption",
    "Receipt",
    "Repeat",
    "RulePreset",
    "AuditEntry",
    "Base",
    "LinkPurpose",
    "Member",
    "OneTimeLink",
    "OrgLevel",
    "Organisation",
    "Role",
    "RoleName",
    "UTCDateTime",
    "utcnow",
]
