"""What a build is asked (`BuildOptions`) and what it answers (`BuildReport`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping

from ..errors import Diagnostic
from .loading import Visibility

if TYPE_CHECKING:
    from .search_tail import SearchTail

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class BuildOptions:
    """What the command line (or a test) asks of one build."""

    source: Path
    destination: Path | None = None     # default: <source>/site
    drafts: bool = False
    base_url: str | None = None
    jobs: int = 0                       # 0: every core
    cache: bool = True                  # the persistent cache in <source>/.builder-cache
    image_cache: bool = True            # encoded images in <source>/.builder-cache (also for the preview)
    fingerprint_assets: bool = True     # theme assets named by their digest (the preview keeps plain names)
    strict: bool = False                # warnings count as errors
    future: bool = False                # build articles dated in the future (scheduled)
    expired: bool = False               # build articles past their expiry_date
    now: datetime | None = None         # the moment that decides both; None: the build's start
    # The shards of a large site's search index are left to the process that started the build: they
    # come back in the report (`BuildReport.pending`) once the pages are written (`search_tail`).
    hand_off_search: bool = False

    @property
    def visibility(self) -> Visibility:
        return Visibility(self.drafts, self.future, self.expired, self.now)

    @property
    def output(self) -> Path:
        return self.destination if self.destination is not None else self.source / "site"


@dataclass(frozen=True)
class BuildReport:
    """How a build went."""

    ok: bool
    diagnostics: tuple[Diagnostic, ...]
    articles: int = 0
    terms: int = 0
    tags: int = 0
    pages: int = 0
    rendered: int = 0
    seconds: float = 0.0
    sources: Mapping[str, str] = field(default_factory=dict)   # output path → content file
    scheduled: int = 0                  # articles dated in the future, left out
    next_due: datetime | None = None    # when the first of them is due
    changes_at: datetime | None = None  # when time alone may change the output next (None: never)
    stages: tuple[tuple[str, float], ...] = ()   # (stage, seconds) in order (`build --timings`)
    pending: SearchTail | None = None   # with `hand_off_search`: the output is in place once this is finished

    def timings(self) -> str:
        """The stages' seconds, one per line, and what the build spent outside them."""
        width = max((len(stage) for stage, _ in self.stages), default=0)
        lines = [f"  {stage:<{width}}  {seconds:7.2f} s" for stage, seconds in self.stages]
        rest = self.seconds - sum(seconds for _, seconds in self.stages)
        lines.append(f"  {'rest':<{width}}  {max(rest, 0.0):7.2f} s")
        return "\n".join(lines)

    def summary(self) -> str:
        built = (f"Built {self.pages} pages: {self.articles} articles, {self.terms} terms, "
                 f"{self.tags} tags in {self.seconds:.1f} s")
        if self.scheduled and self.next_due is not None:
            built += (f"\n{self.scheduled} scheduled article{'s' if self.scheduled > 1 else ''} left out; "
                      f"the next is due {self.next_due.isoformat()} (rebuild then)")
        return built
