"""Watch the site folder: classify changed paths and coalesce bursts into one rebuild.

Three pieces, from pure to effectful:
- `classify(path, root)` names the kind of a change, or None for paths that
  never affect the build (editor swap files, hidden files, output folders);
- `Debouncer` collects submitted changes and calls back once per burst, after
  the burst has been quiet for `quiet` seconds (or `max_wait` at the latest);
- `SiteWatcher` feeds watchdog's file events through `classify` into a
  `Debouncer`, falling back to polling when inotify runs out.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Callable, Iterable, Literal, Protocol, TextIO

ChangeKind = Literal["content", "template", "static", "config"]

CONFIG_NAMES = frozenset({"config.yaml", "config.yml"})
# Only these top-level folders feed the build, so the output folder (`site/`),
# the cache and tool folders are ignored without naming them.
SOURCE_DIRS = frozenset({"content", "layouts", "static", "_includes"})   # _includes: Jekyll includes
# Names editors write beside the file they save (vim's write test file is "4913").
IGNORED_NAMES = frozenset({"4913", ".DS_Store", "Thumbs.db", "desktop.ini"})
IGNORED_SUFFIXES = (".swp", ".swo", ".swx", ".swpx", ".tmp", ".bak", ".orig", ".pyc",
                    "___jb_tmp___", "___jb_old___")


def is_editor_noise(name: str) -> bool:
    """True for swap, backup and lock files that editors write next to the real file."""
    return (
        name in IGNORED_NAMES
        or name.startswith((".", "#"))   # hidden files, emacs locks `.#x` and autosaves `#x#`
        or name.endswith("~")            # emacs/gedit backups `x~`
        or name.endswith(IGNORED_SUFFIXES)
    )


def classify(path: PurePath | str, root: PurePath | str) -> ChangeKind | None:
    """The kind of change a changed `path` under the site folder `root` is, or None to ignore it.

    `content/**` → "content"; `layouts/assets/**` and `static/**` → "static";
    other `layouts/**` and `_includes/**` → "template"; `config.yaml` at the root → "config".
    Everything else (the output and cache folders, `.git`, hidden files and
    folders, editor swap/backup files, paths outside the root) → None.
    """
    try:
        parts = PurePath(path).relative_to(PurePath(root)).parts
    except ValueError:
        return None
    if not parts:
        return None
    if any(part.startswith(".") for part in parts) or is_editor_noise(parts[-1]):
        return None
    top = parts[0]
    if "__pycache__" in parts:
        return None
    if len(parts) == 1 and top in CONFIG_NAMES:
        return "config"
    if top not in SOURCE_DIRS:
        return None
    if top in ("layouts", "_includes"):
        return "static" if parts[1:2] == ("assets",) and top == "layouts" else "template"
    return "content" if top == "content" else "static"


@dataclass(frozen=True)
class Change:
    """One changed path (site-relative, POSIX) and its kind."""

    path: str
    kind: ChangeKind


class Debouncer:
    """Coalesces a burst of submitted items into one callback with all of them.

    The callback runs on the debouncer's own thread, one batch at a time, once
    no item has arrived for `quiet` seconds, or `max_wait` seconds after the
    first item of the batch if the burst never goes quiet. Items that arrive
    while the callback runs form the next batch.
    """

    def __init__(self, callback: Callable[[frozenset[object]], None], *, quiet: float = 0.1,
                 max_wait: float = 1.0, name: str = "debouncer") -> None:
        self._callback = callback
        self._quiet = quiet
        self._max_wait = max(max_wait, quiet)
        self._clock = time.monotonic
        self._cond = threading.Condition()
        self._pending: set[object] = set()
        self._first = 0.0
        self._last = 0.0
        self._closed = False
        self._busy = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, item: object) -> None:
        """Add one item to the current batch and restart the quiet period."""
        self.submit_many((item,))

    def submit_many(self, items: Iterable[object]) -> None:
        """Add several items at once (one wake-up of the worker)."""
        with self._cond:
            if self._closed:
                return
            now = self._clock()
            if not self._pending:
                self._first = now
            self._pending.update(items)
            if self._pending:
                self._last = now
                self._cond.notify_all()

    def close(self, *, flush: bool = False, timeout: float | None = 5.0) -> None:
        """Stop the worker; with `flush`, a pending batch is delivered first."""
        with self._cond:
            if not flush:
                self._pending.clear()
            self._closed = True
            self._cond.notify_all()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until no batch is pending or running; False on timeout."""
        deadline = None if timeout is None else self._clock() + timeout
        with self._cond:
            while self._pending or self._busy:
                remaining = None if deadline is None else deadline - self._clock()
                if remaining is not None and remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._closed:
                    self._cond.wait()
                if not self._pending:      # closed with nothing left to deliver
                    return
                while not self._closed:
                    due = min(self._last + self._quiet, self._first + self._max_wait)
                    remaining = due - self._clock()
                    if remaining <= 0:
                        break
                    self._cond.wait(remaining)
                batch = frozenset(self._pending)
                self._pending.clear()
                self._busy = True
            try:
                if batch:
                    self._callback(batch)
            except Exception as exc:  # a failing callback must not kill the watcher
                print(f"warning: rebuild failed: {exc!r}", file=sys.stderr)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()


class ObserverLike(Protocol):
    """The part of watchdog's observer API that `SiteWatcher` uses."""

    def schedule(self, event_handler: object, path: str, *, recursive: bool = False) -> object: ...
    def unschedule(self, watch: object) -> None: ...
    def start(self) -> None: ...
    def stop(self) -> None: ...
    def join(self, timeout: float | None = None) -> None: ...


# watchdog reports reads too (opened / closed without writing); the build reads
# every source, so reacting to them would rebuild forever.
_WRITE_EVENTS = frozenset({"created", "modified", "deleted", "moved", "closed"})


def _default_observer() -> ObserverLike:
    from watchdog.observers import Observer
    return Observer()


def _polling_observer() -> ObserverLike:
    from watchdog.observers.polling import PollingObserver
    return PollingObserver(timeout=0.5)


class SiteWatcher:
    """Watches the site folder `root` and calls `on_change` once per burst of relevant changes."""

    def __init__(self, root: Path, on_change: Callable[[frozenset[Change]], None], *,
                 ignored: Callable[[Path], bool] | None = None, quiet: float = 0.1,
                 max_wait: float = 1.0,
                 observer_factory: Callable[[], ObserverLike] = _default_observer,
                 fallback_factory: Callable[[], ObserverLike] = _polling_observer,
                 warn: TextIO | None = None) -> None:
        self.root = Path(root).resolve()
        self._ignored = ignored
        self._observer_factory = observer_factory
        self._fallback_factory = fallback_factory
        self._warn = warn if warn is not None else sys.stderr
        self._debouncer = Debouncer(on_change, quiet=quiet, max_wait=max_wait,  # type: ignore[arg-type]
                                    name="site-watcher-debounce")
        self._observer: ObserverLike | None = None
        self._handler: object = None
        self._watches: dict[str, object] = {}
        self.polling = False

    def start(self) -> None:
        """Start observing; falls back to polling if the OS refuses more inotify watches.

        Only the site root (not recursively, for `config.yaml`) and the source
        folders are watched, never `.git`, `.venv` or the output folder.
        """
        from watchdog.events import FileSystemEventHandler

        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: object) -> None:
                watcher.on_event(event)

        self._handler = Handler()
        observer = self._observer_factory()
        self._schedule_all(observer)
        try:
            observer.start()
        except OSError as exc:
            print(f"warning: cannot watch {self.root.name or self.root} with inotify ({exc.strerror or exc}); "
                  "falling back to polling, changes may take a second to show. "
                  "Raise fs.inotify.max_user_watches to fix this.", file=self._warn)
            observer = self._fallback_factory()
            self._schedule_all(observer)
            observer.start()
            self.polling = True
        self._observer = observer

    def _schedule_all(self, observer: ObserverLike) -> None:
        self._watches = {}
        observer.schedule(self._handler, str(self.root), recursive=False)
        for name in sorted(SOURCE_DIRS):
            if (self.root / name).is_dir():
                self._watches[name] = observer.schedule(self._handler, str(self.root / name), recursive=True)

    def _watch_new_source_dir(self, path: Path) -> None:
        """A source folder created (or moved in) after start gets its own recursive watch."""
        observer = self._observer
        if observer is None or path.parent != self.root or path.name not in SOURCE_DIRS or not path.is_dir():
            return
        old = self._watches.pop(path.name, None)
        if old is not None:
            observer.unschedule(old)  # the old folder's watch died with it
        self._watches[path.name] = observer.schedule(self._handler, str(path), recursive=True)

    def on_event(self, event: object) -> None:
        """Feed one watchdog event (anything with event_type, src_path, dest_path)."""
        kind = getattr(event, "event_type", None)
        if kind not in _WRITE_EVENTS:
            return
        if kind == "modified" and getattr(event, "is_directory", False):
            return  # a folder's mtime changes with every file in it; the file events say which
        paths = [getattr(event, "src_path", ""), getattr(event, "dest_path", "")]
        if kind in ("created", "moved") and getattr(event, "is_directory", False):
            target = paths[1] or paths[0]
            self._watch_new_source_dir(Path(target.decode() if isinstance(target, bytes) else target))
        self.submit_paths(p for p in paths if p)

    def submit_paths(self, paths: Iterable[str | bytes | Path]) -> None:
        """Classify raw changed paths and queue the relevant ones for the next rebuild."""
        changes = []
        for raw in paths:
            path = Path(raw.decode() if isinstance(raw, bytes) else raw)
            kind = classify(path, self.root)
            if kind is None or (self._ignored is not None and self._ignored(path)):
                continue
            changes.append(Change(path.relative_to(self.root).as_posix(), kind))
        if changes:
            self._debouncer.submit_many(changes)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until queued changes have been handled (for tests and shutdown)."""
        return self._debouncer.wait_idle(timeout)

    def stop(self) -> None:
        """Stop the observer and the debouncer thread and join both."""
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(5.0)
            self._observer = None
        self._debouncer.close()

