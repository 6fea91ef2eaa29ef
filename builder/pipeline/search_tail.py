"""A large site's search shards, indexed after its pages by a process that holds nothing else.

At 100,000 articles a shard's index takes Pagefind 400-600 MiB, so a build's process, holding the
whole site (about 1 GiB) and forking its workers, could index one shard at a time beside them, and
was still at it long after its pages were written. Run from the command line
(`pipeline.build.build_handing_off`), the build runs in a child process: when its shards are too
large to index side by side there (`search_stage.start_search`), it writes the pages, hands the
shards over with the commit (`output_commit.Commit`) to the process that started it, and exits.
That process indexes them on every core and commits the output. A text edit (`text_edit`) hands
its article's shard over alike: Pagefind then runs beside a process that holds nothing else.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import Diagnostics
from ..output.search_shards import PackedRecords, Shard
from .body_packs import BodyStore, Location
from .options import BuildReport, Progress
from .output_commit import Commit, commit_output
from .search_stage import KeptShard, SearchJob, ShardStore

STAGE = "search index"    # its lap in `build --timings`


@dataclass
class SearchTail:
    """The search shards a build's process left to index, and the commit that waits for them."""

    shards: list[Shard]                 # every shard of the index; records (packed) only in those still to index
    kept: dict[str, KeptShard]          # the shard store's shards as the build's process left them
    store: Path                         # the shard store's folder
    bodies: Path                        # the body store's folder: its packs hold the records' bodies
    locations: dict[str, Location]      # where the bodies of the records still to index are
    language: str
    jobs: int
    commit: Commit
    scratch: Path | None = None         # a build's own cache folder (no cache kept), removed once done

    @classmethod
    def of(cls, job: SearchJob, bodies: BodyStore, commit: Commit) -> "SearchTail":
        """The shards `job` was to index (`deferred`), with the bodies' places in `bodies` as saved."""
        assert job.store.folder is not None and bodies.folder is not None
        todo = {shard.name for shard in job.todo}
        shards = [replace(shard, records=PackedRecords(shard.records) if shard.name in todo else ())
                  for shard in job.shards]
        locations = {record.body_key: bodies.locations[record.body_key]
                     for shard in job.todo for record in shard.records}
        return cls(shards, dict(job.store.kept), job.store.folder, bodies.folder, locations, job.language,
                   job.jobs, commit)


def finish(report: BuildReport, progress: Progress | None = None) -> BuildReport:
    """Index the shards `report.pending` hands over, commit the output, and report the whole build."""
    tail = report.pending
    assert isinstance(tail, SearchTail)
    started = time.perf_counter()
    problems = Diagnostics(list(report.diagnostics))
    bodies = BodyStore(tail.bodies, index=False)
    bodies.locations = tail.locations
    try:
        job = SearchJob(tail.shards, ShardStore.resumed(tail.store, tail.kept), bodies, tail.language, tail.jobs,
                        alone=True)
        found = job.result(problems, progress)
        if found is None:
            tail.commit.staged.abort()
        ok = found is not None and commit_output(tail.commit, found, problems)
    except BaseException:
        tail.commit.staged.abort()
        raise
    finally:
        bodies.close()
        if tail.scratch is not None:
            shutil.rmtree(tail.scratch, ignore_errors=True)
    seconds = time.perf_counter() - started
    return replace(report, ok=ok, diagnostics=tuple(dict.fromkeys(problems.items)), pending=None,
                   seconds=report.seconds + seconds, stages=(*report.stages, (STAGE, seconds)))
