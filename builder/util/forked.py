"""One step run in a forked copy of the process, its result taken back: the copy's memory goes with it.

Python's allocator keeps most of what a large step freed (its arenas are shared by the objects that
stay), so a process that built a large site holds about as much memory afterwards as at its peak.
A step run in a child leaves the parent as it was: once the child exits, all of it is free.
"""

from __future__ import annotations

import os
import pickle
import sys
import traceback
from typing import Callable, TypeVar

T = TypeVar("T")


class ChildFailed(Exception):
    """The child ended without a result (an uncaught exception, whose traceback it printed, or a signal)."""

    def __init__(self, exit_code: int) -> None:
        super().__init__(f"exit code {exit_code}")
        self.exit_code = exit_code


def in_child(step: Callable[[], T]) -> T:
    """step() run in a forked child; its result, pickled through a pipe, returned here. Where the
    platform cannot fork, step() runs in this process."""
    if not hasattr(os, "fork"):
        return step()
    read_end, write_end = os.pipe()
    for stream in (sys.stdout, sys.stderr):   # or what they buffered would be written twice
        stream.flush()
    pid = os.fork()
    if pid == 0:   # pragma: no cover - the child's lines run in the fork (coverage sees the parent)
        _child(step, read_end, write_end)
    os.close(write_end)
    try:
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
    finally:
        # On Ctrl-C the child gets the signal too: it cleans up (a staged output is removed) before
        # this process goes on.
        _, status = os.waitpid(pid, 0)
    if not data:
        raise ChildFailed(os.waitstatus_to_exitcode(status))
    result: T = pickle.loads(data)
    return result


def _child(step: Callable[[], T], read_end: int, write_end: int) -> None:
    """Run `step`, send its result, and leave without the interpreter's teardown (the parent's atexit
    handlers, files and threads are not the child's to close)."""
    code = 1
    try:
        os.close(read_end)
        data = pickle.dumps(step(), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(data)
        code = 0
    except KeyboardInterrupt:
        code = 130
    except BaseException:
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)
