"""Domain errors of the forums."""

from __future__ import annotations

from ortsverein.errors import Conflict


class ThreadLocked(Conflict):
    code = "thread_locked"


class ForumArchived(Conflict):
    code = "forum_archived"


class PostGone(Conflict):
    """The post was deleted by its author or hidden by the moderation."""

    code = "post_gone"
