"""Forked workers that make way for a fresh fork once they have made enough memory their own.

A forked worker shares the parent's memory until it writes to a page (a reference count is a
write): then the page is copied into the worker. A page writer touches articles from the whole
archive, so what it copies grows with the pages it writes, up to the size of the parent; a fresh
fork starts from nothing again. Renewing after a fixed number of chunks (Pool's
`maxtasksperchild`) renews the writers of a small site too, where they never grow much, and each
new writer makes its teasers and template modules again. Here a worker counts what it made its
own, as the minor page faults the kernel counts for it (a page copied on write or newly
allocated is one), and retires after the chunk that passes the budget; the parent forks a new
one while chunks are left.

The workers take the next chunk from a counter they share, so none waits for the parent
between chunks; each sends its results back with whether it retires.
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.connection
import os
import resource
import signal
import traceback
from typing import Any, Callable

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class WorkerFailed(RuntimeError):
    """A worker raised an exception that does not pickle, or died."""


def map_chunks(run: Callable[[tuple[int, int]], list[Any]], bounds: list[tuple[int, int]], jobs: int,
               budget: int, progress: Callable[[int], None] | None = None) -> list[list[Any]]:
    """[run(b) for b in bounds] on `jobs` forked workers, each retiring once it faulted in more than
    `budget` bytes; `progress` is called with the number of items done after each chunk."""
    counter = multiprocessing.RawValue("l", 0)
    lock = multiprocessing.Lock()
    results: list[list[Any] | None] = [None] * len(bounds)
    workers: dict[multiprocessing.connection.Connection, int] = {}
    done = items = 0

    def fork() -> None:
        ours, theirs = multiprocessing.Pipe()
        pid = os.fork()
        if pid == 0:   # the worker: never returns
            ours.close()
            for other in workers:
                other.close()
            _work(theirs, run, bounds, counter, lock, budget)
        theirs.close()
        workers[ours] = pid

    try:
        for _ in range(min(jobs, len(bounds))):
            fork()
        while workers:
            for conn in multiprocessing.connection.wait(list(workers)):
                try:
                    message = conn.recv()
                except EOFError:
                    pid = workers.pop(conn)
                    conn.close()
                    _, status = os.waitpid(pid, 0)
                    if done < len(bounds):
                        raise WorkerFailed(f"a worker process stopped (wait status {status})") from None
                    continue
                if isinstance(message, BaseException):
                    raise message
                if isinstance(message, str):
                    raise WorkerFailed(message)
                index, found, retiring = message
                if index >= 0:
                    results[index] = found
                    done += 1
                    items += len(found)
                    if progress is not None:
                        progress(items)
                if retiring:   # it exits: a new fork takes its place while chunks are left
                    pid = workers.pop(conn)
                    conn.close()
                    os.waitpid(pid, 0)
                    if counter.value < len(bounds):
                        fork()
    finally:
        for conn, pid in workers.items():   # an error or an interrupt: stop the others
            conn.close()
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
    return [found for found in results if found is not None]


def _work(conn: multiprocessing.connection.Connection, run: Callable[[tuple[int, int]], list[Any]],
          bounds: list[tuple[int, int]], counter: Any, lock: Any, budget: int) -> None:
    code = 0
    gc.enable()   # a worker collects its own garbage (Jinja makes cycles) even when the parent paused that
    try:
        while True:
            with lock:
                index = counter.value
                counter.value = index + 1
            if index >= len(bounds):
                conn.send((-1, [], True))
                break
            found = run(bounds[index])
            retiring = resource.getrusage(resource.RUSAGE_SELF).ru_minflt * PAGE > budget
            conn.send((index, found, retiring))
            if retiring:
                break
    except BaseException as exc:   # noqa: BLE001 - sent to the parent, which raises it
        code = 1
        text = "".join(traceback.format_exception(exc))
        try:
            exc.add_note(f"raised in a worker process:\n{text}")
            conn.send(exc)
        except Exception:   # it does not pickle: its traceback as text
            conn.send(text)
    finally:
        conn.close()
        os._exit(code)
