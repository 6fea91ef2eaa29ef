"""`builder serve`: build in memory, serve, watch, rebuild, and tell open tabs.

`Preview` wires the three parts: an IncrementalBuilder (the pipeline), a
`RunningServer` (server.py) and a `SiteWatcher` (watch.py). Each burst of file
changes gives one rebuild on the watcher's thread; the outcome becomes a new
snapshot for the server plus one live-reload message, decided by the pure
`message_for()`.
"""

from __future__ import annotations

import secrets
import signal
import sys
import threading
import time
import traceback
import webbrowser
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Collection, Iterable, Mapping, Protocol, TextIO

from ..errors import Diagnostic
from .responses import Snapshot, normalize_base_path
from .texts import preview_texts
from .server import LiveState, RunningServer
from .watch import Change, SiteWatcher


class Outcome(Protocol):
    """The part of pipeline.BuildOutcome the preview reads."""

    ok: bool
    diagnostics: tuple[Diagnostic, ...]
    files: Mapping[str, bytes]
    changed: frozenset[str]
    sources_changed: tuple[str, ...]
    url_of_source: Mapping[str, str]
    base_path: str
    summary: str
    language: str


class SiteBuilder(Protocol):
    """The part of pipeline.IncrementalBuilder the preview uses."""

    def build(self, changed: Collection[str] | None = None) -> Outcome: ...
    def ignored(self, path: Path) -> bool: ...
    def close(self) -> None: ...


def site_url(base_path: str, path: str) -> str:
    """A site path ("/artikel/x/") as a URL path under the base path ("/zeitung/artikel/x/")."""
    return normalize_base_path(base_path) + path.lstrip("/")


def navigate_target(outcome: Outcome) -> str | None:
    """The page of the first changed content file that has one, as a URL path."""
    for source in outcome.sources_changed:
        url = outcome.url_of_source.get(source)
        if url:
            return site_url(outcome.base_path, url)
    return None


def diagnostics_json(diagnostics: Iterable[Diagnostic]) -> tuple[dict[str, Any], ...]:
    """Errors first (they are what the overlay is about), then warnings, as JSON-ready dicts."""
    ordered = sorted(diagnostics, key=lambda d: d.severity != "error")
    return tuple(d.as_dict() for d in ordered)


def message_for(outcome: Outcome, *, was_ok: bool, build: str, navigate: bool,
                base_changed: bool = False) -> dict[str, Any] | None:
    """The live-reload message one build outcome sends to open tabs, or None for no message.

    A failed build shows the error overlay; the first good build after a failed
    one reloads (which removes the overlay); a good build whose changed output
    is only stylesheets swaps them in place; any other change reloads, going to
    the edited article's page with `navigate`.
    """
    if not outcome.ok:
        return {"type": "error", "diagnostics": list(diagnostics_json(outcome.diagnostics)),
                "texts": dict(preview_texts(outcome.language))}
    target = navigate_target(outcome) if navigate else None
    if base_changed:
        target = site_url(outcome.base_path, "/")
    if not outcome.changed and was_ok and target is None:
        return None
    if outcome.changed and was_ok and not base_changed and all(p.endswith(".css") for p in outcome.changed):
        return {"type": "css", "build": build}
    return {"type": "reload", "navigate": target, "build": build}


@dataclass(frozen=True)
class Crashed:
    """The outcome of a build that raised: one diagnostic, and the last good site kept."""

    diagnostics: tuple[Diagnostic, ...]
    files: Mapping[str, bytes]
    base_path: str
    ok: bool = False
    changed: frozenset[str] = frozenset()
    sources_changed: tuple[str, ...] = ()
    url_of_source: Mapping[str, str] = field(default_factory=dict)
    summary: str = "Build crashed"
    language: str = "en"


def crashed(exc: Exception, last_good: Snapshot) -> Crashed:
    """An outcome for a pipeline exception, so tabs show it like any build error."""
    message = f"internal error: {type(exc).__name__}: {exc} (see the terminal for the traceback)"
    return Crashed((Diagnostic("builder", None, message),), last_good.files, last_good.base_path,
                   language=last_good.language)


class BuildCount:
    """How many builds ran; tests and benchmarks wait on it instead of sleeping."""

    def __init__(self) -> None:
        self.count = 0
        self.cond = threading.Condition()

    def add(self) -> None:
        with self.cond:
            self.count += 1
            self.cond.notify_all()

    def wait_for(self, n: int, timeout: float) -> bool:
        """Wait until at least `n` builds ran; False on timeout."""
        with self.cond:
            return self.cond.wait_for(lambda: self.count >= n, timeout)


class Preview:
    """A running preview: first build, server and watcher; `stop()` tears all of it down.

    `quiet` is the watcher's quiet window: an editor's save (write in place,
    temp file + rename) is over within a few milliseconds, and every
    millisecond here adds to the save → reload time (budget 300 ms);
    `max_wait` bounds a long burst such as a big `git checkout`.
    """

    def __init__(self, source: Path, *, port: int = 8000, bind: str = "127.0.0.1", drafts: bool = False,
                 future: bool = False, expired: bool = False,
                 navigate: bool = False, builder: SiteBuilder | None = None, out: TextIO | None = None,
                 err: TextIO | None = None, quiet: float = 0.05, max_wait: float = 1.0,
                 keepalive: float = 15.0) -> None:
        self.source = Path(source).resolve()
        self.port = port
        self.bind = bind
        self.navigate = navigate
        self.out = out if out is not None else sys.stdout
        self.err = err if err is not None else sys.stderr
        if builder is None:
            from ..pipeline.incremental import IncrementalBuilder  # the preview sits on top of the pipeline
            builder = IncrementalBuilder(self.source, drafts=drafts, future=future, expired=expired,
                                         on_problem=lambda problem: self._say(self.err, str(problem)))
        self.builder = builder
        self.state = LiveState(keepalive=keepalive)
        self.builds = BuildCount()
        self._run_id = secrets.token_hex(4)  # build ids differ between runs: old tabs reload
        self._build_number = 0
        self._quiet = quiet
        self._max_wait = max_wait
        self.server: RunningServer | None = None
        self.watcher: SiteWatcher | None = None
        self.last_outcome: Outcome | None = None
        self._building = threading.Lock()  # one build at a time: the builder is not thread-safe

    @property
    def url(self) -> str:
        """The home page URL of the running server."""
        assert self.server is not None, "start() first"
        return self.server.url()

    def start(self) -> None:
        """Bind the port, build once, then serve and watch. Raises OSError if the port is taken."""
        self.server = RunningServer(self.state, self.bind, self.port, start=False)
        try:
            # Watch before the first build, so an edit saved during it is not lost.
            self.watcher = SiteWatcher(self.source, self.rebuild, ignored=self.builder.ignored,
                                       quiet=self._quiet, max_wait=self._max_wait, warn=self.err)
            self.watcher.start()
            with self._building:
                self._publish(self._build(), first=True)
            self.server.start()
        except BaseException:
            self.stop()
            raise

    def rebuild(self, changes: frozenset[Change]) -> None:
        """Rebuild after a burst of changes and tell the open tabs (runs on the watcher thread)."""
        paths = sorted(change.path for change in changes)
        shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        with self._building:
            self._say(self.out, f"Changed: {shown}")
            self._publish(self._build(paths), first=False)

    def stop(self) -> None:
        """Stop the watcher, then the server (joining their threads), then close the builder. Safe to call
        twice."""
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None
        if self.server is not None:
            self.server.stop()
            self.server = None
        self.builder.close()

    def _build(self, changed: Collection[str] | None = None) -> Outcome:
        started = time.perf_counter()
        try:
            outcome = self.builder.build(changed)
        except Exception as exc:  # the pipeline promises not to raise; if it does, keep serving
            self._say(self.err, traceback.format_exc().rstrip())
            outcome = crashed(exc, self.state.snapshot)
        elapsed = time.perf_counter() - started
        self.last_outcome = outcome
        for diagnostic in outcome.diagnostics:
            self._say(self.err, str(diagnostic))
        if outcome.ok:
            self._say(self.out, outcome.summary or f"Built in {elapsed:.2f} s")
        else:
            errors = sum(1 for d in outcome.diagnostics if d.severity == "error")
            self._say(self.err, f"Build failed with {errors} error{'s' if errors != 1 else ''}; "
                      "still serving the last good build.")
        self.builds.add()
        return outcome

    def _publish(self, outcome: Outcome, *, first: bool) -> None:
        previous = self.state.snapshot
        base_changed = not first and normalize_base_path(outcome.base_path) != previous.base_path
        if outcome.ok and (outcome.changed or first or not self.state.ok or base_changed):
            self._build_number += 1
        build = f"{self._run_id}.{self._build_number}"
        snapshot = Snapshot(outcome.files, outcome.base_path, build, outcome.language)
        message = None if first else message_for(outcome, was_ok=self.state.ok, build=build,
                                                  navigate=self.navigate, base_changed=base_changed)
        self.state.update(snapshot, ok=outcome.ok, diagnostics=diagnostics_json(outcome.diagnostics)
                          if not outcome.ok else (), message=message)

    @staticmethod
    def _say(stream: TextIO, text: str) -> None:
        print(text, file=stream, flush=True)


def run_preview(source: Path, *, port: int = 8000, bind: str = "127.0.0.1", drafts: bool = False,
                future: bool = False, expired: bool = False, open_browser: bool = False, navigate: bool = False,
                on_ready: Callable[[Preview], None] | None = None) -> int:
    """Build, serve and watch `source` until Ctrl-C (or SIGTERM); returns the exit status."""
    if not Path(source).is_dir():
        print(f"error: site folder not found: {source}", file=sys.stderr, flush=True)
        return 1
    if bind in {"0.0.0.0", "::", ""}:
        print(f"warning: --bind {bind or '0.0.0.0'} makes the preview reachable from other "
              "machines on the network", file=sys.stderr, flush=True)
    preview = Preview(source, port=port, bind=bind or "0.0.0.0", drafts=drafts, future=future, expired=expired,
                      navigate=navigate)
    stop = threading.Event()
    restore_term = _raise_on_sigterm()
    try:
        try:
            preview.start()
        except OSError as exc:
            print(f"error: cannot serve on {bind}:{port}: {exc.strerror or exc}"
                  + (f"; try --port {port + 1}" if port else ""), file=sys.stderr, flush=True)
            return 1
        print(f"Serving {preview.source.name or preview.source} at {preview.url} (Ctrl-C to stop)", flush=True)
        if open_browser:
            webbrowser.open(preview.url)
        if on_ready is not None:
            on_ready(preview)
        stop.wait()  # interrupted by KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    finally:
        preview.stop()
        restore_term()
    print("Stopped.", flush=True)
    return 0


def _raise_on_sigterm() -> Callable[[], None]:
    """Treat SIGTERM like Ctrl-C, and Ctrl-C as Ctrl-C, while the preview runs; returns a function
    restoring the old handlers."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    # A shell starts background jobs with Ctrl-C ignored, and Python then keeps it ignored:
    # the preview promises "Ctrl-C to stop", whoever started it.
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)
    return restore
