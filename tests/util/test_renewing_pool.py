"""Tests for builder.util.renewing_pool: workers renewed by the memory they made their own."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from builder.util.parallel import chunks, map_indices
from builder.util.renewing_pool import WorkerFailed, map_chunks

_HELD: list[bytearray] = []


def _grow(state: int, index: int) -> tuple[int, int]:
    """Holds `state` bytes more in the worker (touched, so the kernel counts their pages)."""
    _HELD.append(bytearray(b"x" * state))
    return index * 3, os.getpid()


def test_a_worker_that_grows_past_the_budget_makes_way_for_a_new_fork() -> None:
    count = 600
    found = map_indices(_grow, 1 << 20, count, 2, renew_at=32 << 20)   # 1 MiB an item, 32 MiB a worker
    assert [value for value, _ in found] == [i * 3 for i in range(count)]
    pids = [pid for _, pid in found]
    by_pid: dict[int, int] = {}
    for pid in pids:
        by_pid[pid] = by_pid.get(pid, 0) + 1
    # A worker retires after the chunk that passes the budget: it never took much more than 32 items.
    most = 32 + max(stop - start for start, stop in chunks(count, 2))
    assert max(by_pid.values()) <= most and len(by_pid) >= count // most > 2
    assert os.getpid() not in by_pid


def test_workers_that_stay_within_the_budget_are_never_renewed() -> None:
    found = map_indices(_grow, 16, 2000, 2, renew_at=256 << 20)
    assert [value for value, _ in found] == [i * 3 for i in range(2000)]
    assert len({pid for _, pid in found}) <= 2   # one may take every chunk before the other starts


def test_progress_counts_items_as_chunks_come_back() -> None:
    seen: list[tuple[int, int]] = []
    map_indices(_grow, 16, 500, 2, progress=lambda n, total: seen.append((n, total)), renew_at=256 << 20)
    assert [n for n, _ in seen] == sorted(n for n, _ in seen) and seen[-1] == (500, 500)


def _fail_at(state: tuple[str, int], index: int) -> int:
    folder, failing = state
    with open(os.path.join(folder, str(os.getpid())), "w"):
        pass   # the workers' pids, to see that none is left behind
    if index == failing:
        raise KeyError(f"item {index}")
    return index


def _gone(folder: Path) -> bool:
    """Whether every worker that wrote its pid into `folder` has exited and been reaped."""
    pids = [int(name) for name in os.listdir(folder)]
    for pid in pids:
        try:
            os.kill(pid, 0)   # a zombie (exited, never waited for) still answers
        except ProcessLookupError:
            continue
        return False
    return len(pids) >= 1


def test_an_exception_in_a_worker_is_raised_in_the_parent_and_the_others_stop(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="item 333") as raised:
        map_indices(_fail_at, (str(tmp_path), 333), 1000, 2, renew_at=256 << 20)
    assert "_fail_at" in "".join(raised.value.__notes__)   # where the worker raised it
    assert _gone(tmp_path)


def _die_at(state: tuple[str, int], index: int) -> int:
    folder, dying = state
    with open(os.path.join(folder, str(os.getpid())), "w"):
        pass
    if index == dying:
        os.kill(os.getpid(), signal.SIGKILL)
    return index


def test_a_worker_that_dies_fails_the_map(tmp_path: Path) -> None:
    with pytest.raises(WorkerFailed, match="stopped"):
        map_chunks(lambda bounds: [_die_at((str(tmp_path), 150), i) for i in range(*bounds)], chunks(1000, 2), 2,
                   256 << 20)
    assert _gone(tmp_path)
