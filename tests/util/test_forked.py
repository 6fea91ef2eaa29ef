"""A step run in a forked child: its result comes back, its memory does not stay, its failure is named."""

from __future__ import annotations

import os

import pytest

from builder.util.forked import ChildFailed, in_child


_HELD: list[bytes] = []


def _grow_and_count() -> tuple[int, int]:
    _HELD.extend(b"x" * 1_000_000 for _ in range(200))   # 200 MB written, kept by whoever runs this: the child
    return os.getpid(), len(_HELD)


def _rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


@pytest.mark.skipif(not hasattr(os, "fork") or not os.path.exists("/proc/self/status"), reason="Linux only")
def test_the_result_comes_back_and_the_childs_memory_stays_with_the_child() -> None:
    before = _rss_kib()
    pid, count = in_child(_grow_and_count)
    assert pid != os.getpid() and count == 200
    assert _rss_kib() - before < 50_000   # the 200 MB were the child's


def _fails() -> None:
    raise RuntimeError("kaputt")


def _interrupted() -> None:
    raise KeyboardInterrupt


def test_a_failing_step_is_a_failed_child_with_its_traceback(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ChildFailed) as failed:
        in_child(_fails)
    assert failed.value.exit_code == 1
    assert "RuntimeError: kaputt" in capfd.readouterr().err


def test_an_interrupted_step_ends_quietly_with_the_interrupts_code(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ChildFailed) as failed:
        in_child(_interrupted)
    assert failed.value.exit_code == 130
    assert "Traceback" not in capfd.readouterr().err


def test_what_was_printed_before_the_fork_is_printed_once(capfd: pytest.CaptureFixture[str]) -> None:
    print("vorher", end="")   # buffered when the process forks
    assert in_child(lambda: 7) == 7
    assert capfd.readouterr().out.count("vorher") == 1
