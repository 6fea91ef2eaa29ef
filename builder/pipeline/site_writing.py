"""Writing the planned pages: rendered by workers into a staged copy of the output, committed at once.

`write_site` takes what `build.prepare` planned: it compares the pages' fingerprints with the
last build's manifest, chooses between a whole new tree and a patch of the old one
(`update_plan`), renders the changed pages on every core, writes the search index beside them,
and commits, or leaves the previous output untouched when anything failed.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import replace
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Diagnostic, Diagnostics
from ..output.images import ImageProblem
from ..output.manifest import Manifest, read_manifest
from ..output.specs import FileGroup, LinkedSite, PageSpec, made_files, output_files, writing_order
from ..output.templates import TemplateProblem
from ..output.write import PatchOutput, StagedOutput, recover_interrupted
from ..util.parallel import cpu_count, map_indices
from ..util.stage_times import StageTimes
from .caches import Caches, cache_folder
from .edit_state import keep_for_text_edits
from .options import BuildOptions, BuildReport, Progress
from .output_commit import Commit, commit_output, write_failure
from .search_tail import SearchTail
from .stored_plan import StoredPlanMemo
from .teaser_pass import make_teasers_first
from .unchanged import next_change
from .update_plan import choose_update, deleted_files

if TYPE_CHECKING:
    from .build import Prepared

# Writing pages, a worker is renewed once it has made this much memory its own (`util.renewing_pool`):
# what it copied of the site's objects by touching them stays bounded, however large the site. A
# writer of 10,000 articles' pages takes about 80 MiB in all and is never renewed; at 100,000
# articles one reaches this after about 16 chunks of 256 pages.
RENEW_WRITER_AT = 128 << 20


def import_for_writers() -> None:
    """Import what page writers import on first use (Babel's number formats; kept out of every
    command's start): done once in the parent, it is not done again in every writer forked afterwards."""
    import babel.numbers  # noqa: F401


def render_spec(specs: list[PageSpec], index: int) -> tuple[list[tuple[str, bytes]], Diagnostic | None]:
    """Make one spec's output files; a template failure becomes its diagnostic."""
    spec = specs[index]
    try:
        return made_files(spec), None
    except TemplateProblem as exc:
        return [], exc.diagnostic
    except ImageProblem as exc:  # a truncated or damaged photo: the error names the file
        return [], Diagnostic(spec.source or spec.path, None, str(exc))


def _render_only(specs: list[PageSpec], index: int) -> Diagnostic | None:
    return render_spec(specs, index)[1]


def _template_problems(prepared: Prepared, options: BuildOptions, destination: Path,
                       progress: Progress | None) -> list[Diagnostic]:
    """Render, without writing, the pages a successful build would write, for their templates' errors."""
    manifest_file = manifest_path(options.source, destination) if options.cache else None
    previous = read_manifest(manifest_file, destination) if manifest_file else None
    old = previous.files if previous else {}
    todo = [spec for spec in prepared.specs
            if old.get(spec.path) != spec.fingerprint and not isinstance(spec, FileGroup)]   # no templates there
    if prepared.renderer is not None:
        prepared.renderer.compile_all()
    found = map_indices(_render_only, todo, len(todo), options.jobs or cpu_count(),
                        (lambda n, total: progress("Checking pages", n, total)) if progress else None,
                        renew_at=RENEW_WRITER_AT)
    return [problem for problem in found if problem is not None]


def _render_to_folder(state: tuple[list[PageSpec], StagedOutput | PatchOutput], index: int) -> Diagnostic | None:
    specs, staged = state
    made, problem = render_spec(specs, index)
    for path, data in made:
        try:
            staged.write(path, data)
        except OSError as exc:  # a name too long for the file system, a full disk, no permission
            spec = specs[index]
            return Diagnostic(spec.source or str(staged.destination / path), spec.line if spec.source else None,
                              f"cannot write output file '{path}': {exc.strerror or exc}")
    return problem


def manifest_path(source: Path, destination: Path) -> Path:
    """Where the cache keeps the manifest of the output at `destination` (one per destination)."""
    key = hashlib.sha256(str(destination.resolve()).encode()).hexdigest()[:16]
    return cache_folder(source) / f"manifest-{key}.json"


def write_site(options: BuildOptions, caches: Caches, prepared: Prepared, destination: Path, started: float,
               progress: Progress | None, times: StageTimes) -> BuildReport:
    """Write what `prepared` planned into `destination` and save the caches; on any error (content,
    templates, the file system) report them all and leave the previous output as it was."""
    problems, site = prepared.problems, prepared.site
    if problems.errors or site is None or (options.strict and problems.warnings):
        if site is not None:   # the templates' errors too, in the same round
            problems.items.extend(_template_problems(prepared, options, destination, progress))
        return BuildReport(False, tuple(unique_diagnostics(problems.items)), seconds=time.perf_counter() - started)
    try:
        recover_interrupted(destination)   # before the manifest is compared with the destination
    except OSError as exc:
        problems.error(str(destination), None, f"cannot recover the output folder: {exc.strerror or exc}")
        return BuildReport(False, tuple(problems.items), seconds=time.perf_counter() - started)
    manifest_file = manifest_path(options.source, destination) if options.cache else None
    previous = read_manifest(manifest_file, destination) if manifest_file else None
    files = {spec.path: spec.fingerprint for spec in prepared.specs}
    search, job = site.config.search, prepared.search
    old = previous.files if previous else {}
    found = None
    if job is not None and not job.todo:   # nothing to index: the search files are known at once
        found = job.result(problems, progress)
        if found is None:
            return BuildReport(False, tuple(problems.items), seconds=time.perf_counter() - started)
    # While Pagefind still indexes, the update is chosen as though every file of its shards changes.
    expected = found.files if found else job.expected(old) if job else {}
    groups = {spec.path: spec.joined for spec in prepared.specs if isinstance(spec, FileGroup)}
    changed = [spec for spec in prepared.specs if old.get(spec.path) != spec.fingerprint]
    update = choose_update(destination, {**files, **expected}, search, previous,
                           [path for spec in changed for path in output_files(spec)]
                           + [path for path, print_ in expected.items() if old.get(path) != print_],
                           deleted_files({**files, **expected}, groups, previous))
    if update == "unchanged":
        times.lap("writing")
        _save_caches(options, caches, site, prepared)
        return _succeeded(options, destination, prepared, problems, 0, started, times, previous, caches)
    staged: StagedOutput | PatchOutput
    try:
        staged = PatchOutput(destination) if update == "patch" else StagedOutput(destination)
    except OSError as exc:
        problems.error(str(destination), None, f"cannot prepare the output folder: {exc.strerror or exc}")
        return BuildReport(False, tuple(problems.items), seconds=time.perf_counter() - started)
    todo = changed
    try:
        if isinstance(staged, StagedOutput):   # a whole new tree: hard-link what has not changed
            todo = [spec for spec in prepared.specs
                    if old.get(spec.path) != spec.fingerprint or not all(map(staged.reuse, output_files(spec)))]
        if prepared.renderer is not None:   # once, before the workers fork, not once per worker
            prepared.renderer.compile_all()
            if len(todo) >= len(site.articles):   # a whole site's pages, not an edit's few
                make_teasers_first(prepared.renderer, site.articles)
        order = writing_order(todo, site.article_by_slug)
        results = map_indices(_render_to_folder, ([todo[index] for index in order], staged), len(todo),
                              options.jobs or cpu_count(),
                              (lambda n, total: progress("Writing pages", n, total)) if progress else None,
                              renew_at=RENEW_WRITER_AT)
        in_plan_order = sorted(zip(order, results), key=itemgetter(0))   # the problems as the pages were planned
        problems.items.extend(problem for _, problem in in_plan_order if problem is not None)
        written = [path for spec in todo for path in output_files(spec)] if isinstance(staged, PatchOutput) else []
        commit = Commit(destination, staged, manifest_file, previous, files, groups, written, search)
        if job is not None and found is None and not problems.errors:
            if job.deferred:   # left to the process that started the build
                times.lap("writing")
                _save_caches(options, caches, site, prepared)   # before the bodies' places are handed on
                tail = SearchTail.of(job, caches.bodies, commit)
                return _succeeded(options, destination, prepared, problems, len(todo), started, times, previous,
                                  caches, tail)
            found = job.result(problems, progress)
    except OSError as exc:
        write_failure(staged, destination, problems, exc)
        return BuildReport(False, tuple(unique_diagnostics(problems.items)), seconds=time.perf_counter() - started)
    except BaseException:
        staged.abort()
        raise
    if not commit_output(commit, found, problems):
        return BuildReport(False, tuple(unique_diagnostics(problems.items)), seconds=time.perf_counter() - started)
    times.lap("writing")
    _save_caches(options, caches, site, prepared)
    return _succeeded(options, destination, prepared, problems, len(todo), started, times, previous, caches)


def _succeeded(options: BuildOptions, destination: Path, prepared: Prepared, problems: Diagnostics, rendered: int,
               started: float, times: StageTimes, previous: Manifest | None, caches: Caches,
               tail: SearchTail | None = None) -> BuildReport:
    """The report of a build whose output is in place, or will be once `tail` is finished (the text
    edit's state is then kept for the marker the output will carry)."""
    assert prepared.site is not None
    report = _report(prepared, prepared.site, problems, rendered, started, times)
    keep_for_text_edits(options, destination, prepared, prepared.site, report, previous,
                        caches.related.signal_digest, caches.bodies, tail.commit.marker if tail else None)
    times.lap("saving caches")
    return replace(report, seconds=time.perf_counter() - started, stages=tuple(times.laps), pending=tail)


def _save_caches(options: BuildOptions, caches: Caches, site: LinkedSite, prepared: Prepared) -> None:
    """Keep what this build learnt for the next one (only what changed is written)."""
    if not options.cache:
        return
    caches.bodies.save(site.body_keys())
    caches.digests.save()
    if isinstance(caches.plan_memo, StoredPlanMemo):
        caches.plan_memo.save()
    if prepared.load_cache is not None:
        prepared.load_cache.save()


def _report(prepared: Prepared, site: LinkedSite, problems: Diagnostics, rendered: int,
            started: float, times: StageTimes) -> BuildReport:
    return BuildReport(True, tuple(problems.items), len(site.articles), len(site.terms), len(site.links.tags),
                       sum(1 for s in prepared.specs if s.path.endswith(".html")), rendered,
                       time.perf_counter() - started,
                       {s.path: s.source for s in prepared.specs if s.source and not isinstance(s, FileGroup)},
                       len(prepared.scheduled), prepared.scheduled[0].date if prepared.scheduled else None,
                       next_change((*site.articles, *prepared.scheduled), site.now, site.config.tz),
                       tuple(times.laps))


def unique_diagnostics(items: list[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics in order, each once."""
    return list(dict.fromkeys(items))
