"""Tests for builder.util.parallel: chunking and ordered results over worker processes."""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.synchronize
import os
import threading
import time
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from builder.util.parallel import MAX_CHUNK, MIN_CHUNK, chunks, hold_across_forks, map_indices


@given(st.integers(0, 20_000), st.integers(1, 8))
def test_chunks_cover_every_index_once_in_order(count: int, jobs: int) -> None:
    bounds = chunks(count, jobs)
    assert [i for start, stop in bounds for i in range(start, stop)] == list(range(count))
    assert all(stop - start <= MAX_CHUNK for start, stop in bounds)
    assert all(stop - start >= MIN_CHUNK for start, stop in bounds[:-1])


def test_chunks_get_smaller_towards_the_end() -> None:
    sizes = [stop - start for start, stop in chunks(11_000, 2)]
    assert sizes[0] == MAX_CHUNK and sizes[-2] == MIN_CHUNK
    assert sizes == sorted(sizes, reverse=True)[:-1] + sizes[-1:]


def _square_and_pid(state: int, index: int) -> tuple[int, int]:
    return index * index + state, os.getpid()


def test_results_come_back_in_order_from_worker_processes() -> None:
    results = map_indices(_square_and_pid, 7, 1000, 2)
    assert [value for value, _ in results] == [i * i + 7 for i in range(1000)]
    assert gc.get_freeze_count() == 0  # the parent's objects are collectable again


def test_one_job_runs_in_process() -> None:
    assert map_indices(_square_and_pid, 0, 5, 1) == [(i * i, os.getpid()) for i in range(5)]


def test_renewed_workers_are_new_forks_and_keep_results_in_order() -> None:
    count = 3000
    renewed = map_indices(_square_and_pid, 7, count, 2, renew_after=2)
    assert [value for value, _ in renewed] == [i * i + 7 for i in range(count)]
    chunk_count = len(chunks(count, 2))
    # Two chunks a worker: at least half as many processes as chunks did the work.
    assert len({pid for _, pid in renewed}) >= chunk_count // 2
    assert len({pid for _, pid in map_indices(_square_and_pid, 7, count, 2)}) <= 2   # without: two for good


def _wait_for(state: tuple[multiprocessing.synchronize.Event, float], index: int) -> bool:
    event, deadline = state   # one deadline for all items: a failing run ends within seconds
    return event.wait(timeout=max(0.0, deadline - time.monotonic()))


def test_meanwhile_runs_in_the_parent_while_the_workers_work() -> None:
    # The workers wait for an event only `meanwhile` sets: called after the results were
    # taken (or never), every worker would time out and return False.
    event = multiprocessing.get_context("fork").Event()
    calls: list[int] = []

    def meanwhile() -> None:
        calls.append(os.getpid())
        event.set()

    assert map_indices(_wait_for, (event, time.monotonic() + 10), 200, 2, meanwhile=meanwhile) == [True] * 200
    assert calls == [os.getpid()]


def test_meanwhile_is_not_called_without_workers() -> None:
    calls: list[int] = []
    assert map_indices(_square_and_pid, 0, 5, 1, meanwhile=lambda: calls.append(1)) == [(i * i, os.getpid())
                                                                                      for i in range(5)]
    assert calls == []


_FREE: dict[int, bool] = {}   # per worker process: whether it could take the lock


def _lock_is_free(lock: Any, index: int) -> bool:
    """Whether this worker can take `lock` (tried once per worker, for up to 2 s)."""
    if os.getpid() not in _FREE:
        _FREE[os.getpid()] = lock.acquire(timeout=2)
        if _FREE[os.getpid()]:
            lock.release()
    return _FREE[os.getpid()]


def _forked_while_another_thread_holds(lock: Any) -> list[bool]:
    """Workers forked while a thread holds `lock` (for 0.3 s): can each of them take it?"""
    held, done = threading.Event(), threading.Event()

    def holder() -> None:
        with lock:
            held.set()
            done.wait(0.3)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait()
    try:
        return map_indices(_lock_is_free, lock, 128, 2)
    finally:
        done.set()
        thread.join()


def test_a_lock_held_by_another_thread_at_a_fork_stays_held_in_the_workers() -> None:
    assert set(_forked_while_another_thread_holds(threading.RLock())) == {False}


def test_a_lock_held_across_forks_is_free_in_the_workers() -> None:
    lock = threading.RLock()
    hold_across_forks(lock)
    assert set(_forked_while_another_thread_holds(lock)) == {True}


def test_babels_lock_is_held_across_forks() -> None:
    # The search stage's threads format dates with Babel while page writers are forked: a writer
    # forked while one of them held Babel's lock waited for ever at its first date.
    from babel import localedata

    import builder.content.dates  # noqa: F401  (registers the lock)
    assert set(_forked_while_another_thread_holds(localedata._cache_lock)) == {True}
