"""What a build may reuse from earlier ones, and where it keeps it (`.builder-cache/<version>/`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from .. import __version__
from ..content.config import SiteConfig
from ..content.validate import LoadOptions
from ..output.plan_memo import PlanMemo
from ..output.templates import Renderer
from .bodies import MarkdownMemo
from .body_packs import BodyStore
from .linking import RelatedCache
from .load_cache import Discovered, LoadCache
from .resources import DigestCache
from .search_stage import ShardStore, search_store
from .stored_plan import StoredPlanMemo

CACHE_DIR = ".builder-cache"
LOAD_CACHE, RELATED_CACHE = "load.pickle", "related.pickle"   # in cache_folder(), beside the bodies' store


def cache_folder(source: Path) -> Path:
    return source / CACHE_DIR / __version__


@dataclass
class Caches:
    """What a build may reuse from earlier builds; each part is only ever a shortcut."""

    bodies: BodyStore
    load: Callable[[SiteConfig], LoadCache]
    related: RelatedCache
    renderers: dict[str, Renderer] = field(default_factory=dict)  # by settings digest: compiled templates
    digests: DigestCache = field(default_factory=lambda: DigestCache(None))   # of bundle files, by status
    search: ShardStore | None = None        # indexed search shards (None: the site is built without search)
    # Content files' statuses (load_cache.file_status) as the input walk took them, before anything was
    # read: loading stats only the files missing here (a status older than the text read with it only
    # makes the next build read the file again).
    statuses: Mapping[str, tuple] = field(default_factory=dict)
    templates: Path | None = None           # compiled templates (Jinja's bytecode), for a new Renderer
    plan_memo: PlanMemo | None = None       # fingerprints of the last plan (a StoredPlanMemo in a folder)
    discovered: Discovered | None = None    # the last load's files, for a process told what changed since
    markdown: MarkdownMemo | None = None    # the last build's Markdown renderer, for a process that renders again

    @classmethod
    def in_folder(cls, folder: Path | None) -> "Caches":
        """Caches kept in `folder` between builds, or for this build only when None."""
        return cls(
            bodies=BodyStore(folder),
            load=lambda config: LoadCache(folder / LOAD_CACHE if folder else None,
                                          LoadOptions.from_config(config),
                                          config.markdown.max_file_size),
            related=RelatedCache(folder / RELATED_CACHE if folder else None, keep_state=False),
            digests=DigestCache(folder / "digests.pickle" if folder else None),
            search=search_store(folder),
            templates=folder / "templates" if folder else None,
            plan_memo=StoredPlanMemo(folder) if folder else None,
        )
