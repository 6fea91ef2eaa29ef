"""Running one step over many items on every core, deterministically.

Workers are forked after the parent has computed the shared, read-only state,
so they inherit it instead of receiving it pickled; only item indices and
small results cross process boundaries. Results come back in input order.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from typing import Any, Callable, TypeVar

from .renewing_pool import map_chunks

T = TypeVar("T")
_STATE: Any = None
_FN: Callable[[Any, int], Any] | None = None
MIN_ITEMS_PER_JOB = 64
MIN_CHUNK, MAX_CHUNK = 8, 256


def hold_across_forks(lock: Any) -> None:
    """Make every fork of this process wait until it holds `lock` (a module-level lock of a library
    that threads use): a lock another thread holds when the process forks stays held in the child
    for ever, as the thread that would release it is not copied, and the child waits at its first
    use. The search stage formats dates in threads while page writers are forked and renewed."""
    if hasattr(os, "register_at_fork"):   # no fork, no handlers (Windows)
        os.register_at_fork(before=lock.acquire, after_in_parent=lock.release, after_in_child=lock.release)


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _run_chunk(bounds: tuple[int, int]) -> list[Any]:
    assert _FN is not None
    return [_FN(_STATE, index) for index in range(*bounds)]


def chunks(count: int, jobs: int) -> list[tuple[int, int]]:
    """Index ranges for the workers: large ones first (fewer round trips), then smaller and smaller,
    so that no worker starts a long chunk while the others run out of work."""
    bounds = []
    start = 0
    while start < count:
        size = max(MIN_CHUNK, min(MAX_CHUNK, (count - start) // (jobs * 4)))
        bounds.append((start, min(start + size, count)))
        start += size
    return bounds


def map_indices(fn: Callable[[Any, int], T], state: Any, count: int, jobs: int,
                progress: Callable[[int, int], None] | None = None, renew_after: int | None = None,
                meanwhile: Callable[[], None] | None = None, renew_at: int | None = None) -> list[T]:
    """[fn(state, 0), …, fn(state, count - 1)], spread over `jobs` processes.

    With `renew_after`, a worker makes way for a new fork of the parent after that many chunks;
    with `renew_at` (bytes), once it has made that much memory its own (`renewing_pool`, without
    `meanwhile`). What it copied of the parent's memory (touching an object copies its page) and
    what it allocated goes with it, so a worker's memory does not grow with the site. Only for
    steps whose results leave the worker complete (no buffered file left open at its exit).

    `meanwhile` is called in the parent once the workers are forked, before their results are
    taken: serial work the next steps need runs while the workers are busy, not after them.
    Without worker processes it is not called.
    """
    global _STATE, _FN
    jobs = min(jobs, max(1, count // MIN_ITEMS_PER_JOB))
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        results = []
        for index in range(count):
            results.append(fn(state, index))
            if progress and index % 200 == 199:
                progress(index + 1, count)
        if progress:
            progress(count, count)
        return results
    _STATE, _FN = state, fn
    results = []
    # Objects the parent made so far are never collected in a worker: a full collection there
    # would touch every one of them and so copy the parent's memory page by page.
    gc.freeze()
    try:
        if renew_at is not None:
            assert meanwhile is None, "workers renewed by their memory take no meanwhile"
            done = map_chunks(_run_chunk, chunks(count, jobs), jobs, renew_at,
                              (lambda n: progress(n, count)) if progress else None)
            return [result for chunk in done for result in chunk]
        # Workers collect their own garbage (Jinja makes cycles) even when the parent paused that.
        with multiprocessing.get_context("fork").Pool(jobs, initializer=gc.enable,
                                                       maxtasksperchild=renew_after) as pool:
            results_in_order = pool.imap(_run_chunk, chunks(count, jobs))
            if meanwhile is not None:
                meanwhile()
            for chunk in results_in_order:
                results.extend(chunk)
                if progress:
                    progress(len(results), count)
    finally:
        gc.unfreeze()
        _STATE, _FN = None, None
    return results
