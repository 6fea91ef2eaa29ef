"""Publishing a built site: to a folder, a git branch, S3-compatible object storage or an
SSH server, plus the redirect files (`_redirects`, an nginx map) made from alias pages.

Every target reports a `PublishPlan` (what was, or with `dry_run` would be, added, changed
and removed) so `--dry-run` can show it before anything is touched. This package may use
everything below `commands` on the ladder; nothing below imports it.
"""

from __future__ import annotations

from .common import PublishError, PublishPlan
from .directory import publish_directory
from .git import publish_git

__all__ = ["PublishError", "PublishPlan", "publish_directory", "publish_git"]
