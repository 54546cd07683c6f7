"""All models, re-exported so Alembic sees every table."""

from .audit import GENESIS_HASH, AuditEntry
from .base import Base, UTCDateTime, utcnow
from .forum import (
    Forum,
    ForumSubscription,
    Post,
    PostReport,
    PostRevision,
    Reaction,
    Thread,
    ThreadRead,
    ThreadSubscription,
)
from .instance import InstanceIdentity
from .meeting import AgendaItem, Attendance, Meeting, MeetingChair, SpeakerRequest
from .member import (
    ApiToken,
    LinkPurpose,
    LoginSession,
    Member,
    OneTimeLink,
    Role,
    RoleName,
)
from .notification import Notification
from .organisation import Organisation, OrgLevel
from .poll import (
    BallotRecord,
    ElectorateEntry,
    Majority,
    NamedVote,
    PaperVoter,
    Participation,
    Poll,
    PollKind,
    PollOption,
    Receipt,
    Repeat,
    RulePreset,
    SealedBallot,
)

__all__ = [
    "AgendaItem",
    "Attendance",
    "Meeting",
    "MeetingChair",
    "PaperVoter",
    "SpeakerRequest",
    "Forum",
    "ForumSubscription",
    "Post",
    "PostReport",
    "PostRevision",
    "Reaction",
    "Thread",
    "ThreadRead",
    "ThreadSubscription",
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
    "SealedBallot",
    "Repeat",
    "RulePreset",
    "AuditEntry",
    "InstanceIdentity",
    "Base",
    "LinkPurpose",
    "LoginSession",
    "Member",
    "OneTimeLink",
    "OrgLevel",
    "Organisation",
    "Role",
    "RoleName",
    "UTCDateTime",
    "utcnow",
]
