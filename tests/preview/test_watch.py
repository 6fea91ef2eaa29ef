"""The watcher: which paths matter, and bursts of events become one rebuild."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import threading
from pathlib import Path, PurePosixPath
from types import SimpleNamespace

import pytest

from builder.preview.watch import Change, Debouncer, SiteWatcher, classify

ROOT = PurePosixPath("/home/redaktion/zeitung")


@pytest.mark.parametrize(("relative", "kind"), [
    ("content/articles/us-antwort-an-russland.md", "content"),
    ("content/glossary/normandie-format.md", "content"),
    ("content/articles", "content"),
    ("content", "content"),
    ("layouts", "template"),
    ("static", "static"),
    ("layouts/article.html", "template"),
    ("layouts/partials/kopf.html", "template"),
    ("layouts/assets/style.css", "static"),
    ("layouts/assets", "static"),
    ("static/extra.css", "static"),
    ("static/bilder/kreml.jpg", "static"),
    ("config.yaml", "config"),
    ("config.yml", "config"),
    ("_includes/bild.html", "template"),   # Jekyll includes run in bodies
    ("_includes/assets/x.html", "template"),
    # editor swap, backup and lock files
    ("content/articles/.nato-antwort.md.swp", None),
    ("content/articles/nato-antwort.md.swp", None),
    ("content/articles/nato-antwort.md~", None),
    ("content/articles/.#nato-antwort.md", None),
    ("content/articles/#nato-antwort.md#", None),
    ("content/articles/4913", None),
    ("content/articles/nato-antwort.md___jb_tmp___", None),
    ("layouts/.DS_Store", None),
    ("config.yaml~", None),
    # hidden files and folders, output, cache, VCS, tools
    ("content/.entwurf/notiz.md", None),
    (".git/index", None),
    (".git/objects/ab/cdef", None),
    (".builder-cache/pages.pickle", None),
    ("site/artikel/nato-antwort/index.html", None),
    ("site/assets/style.css", None),
    (".venv/lib/python3.11/site.py", None),
    ("builder/pipeline.py", None),
    ("README.md", None),
    ("content/__pycache__/x.pyc", None),
    ("", None),
])
def test_classify_table(relative: str, kind: str | None) -> None:
    assert classify(ROOT / relative, ROOT) == kind


def test_classify_ignores_paths_outside_the_site() -> None:
    assert classify(PurePosixPath("/etc/passwd"), ROOT) is None
    assert classify(PurePosixPath("/home/redaktion/content/a.md"), ROOT) is None


class Recorder:
    """A debouncer or watcher callback that records batches and signals each one."""

    def __init__(self) -> None:
        self.batches: list[frozenset[object]] = []
        self.called = threading.Event()

    def __call__(self, batch: frozenset[object]) -> None:
        self.batches.append(batch)
        self.called.set()


def test_debouncer_coalesces_a_burst_of_200_events_into_one_callback() -> None:
    recorder = Recorder()
    debouncer = Debouncer(recorder, quiet=0.05, max_wait=10.0)
    try:
        for n in range(200):
            debouncer.submit(f"content/articles/artikel-{n:03}.md")
        assert recorder.called.wait(5.0)
        assert debouncer.wait_idle(5.0)
    finally:
        debouncer.close(flush=True)
    assert len(recorder.batches) == 1
    assert recorder.batches[0] == {f"content/articles/artikel-{n:03}.md" for n in range(200)}


def test_debouncer_waits_for_quiet_before_calling_back() -> None:
    """Nothing is delivered while events keep coming faster than the quiet period."""
    recorder = Recorder()
    debouncer = Debouncer(recorder, quiet=0.5, max_wait=30.0)
    try:
        for n in range(20):
            debouncer.submit(n)
            # waiting on an Event that never fires: no callback may slip in between events
            assert not recorder.called.wait(0.02)
        assert recorder.called.wait(5.0)
    finally:
        debouncer.close()
    assert recorder.batches == [frozenset(range(20))]


def test_debouncer_delivers_after_max_wait_even_if_the_burst_never_ends() -> None:
    recorder = Recorder()
    debouncer = Debouncer(recorder, quiet=0.2, max_wait=0.3)
    try:
        n = 0
        while not recorder.called.is_set():
            debouncer.submit(n)
            n += 1
            recorder.called.wait(0.01)
            assert n < 2000, "no callback although max_wait passed"
    finally:
        debouncer.close()
    assert len(recorder.batches[0]) >= 1


def test_debouncer_events_during_a_callback_form_the_next_batch() -> None:
    entered, release = threading.Event(), threading.Event()
    batches: list[frozenset[object]] = []
    second = threading.Event()

    def slow(batch: frozenset[object]) -> None:
        batches.append(batch)
        if len(batches) == 1:
            entered.set()
            release.wait(5.0)
        else:
            second.set()

    debouncer = Debouncer(slow, quiet=0.02, max_wait=1.0)
    try:
        debouncer.submit("content/articles/a.md")
        assert entered.wait(5.0)
        debouncer.submit("content/articles/b.md")
        debouncer.submit("content/articles/c.md")
        release.set()
        assert second.wait(5.0)
    finally:
        debouncer.close()
    assert batches == [frozenset({"content/articles/a.md"}),
                       frozenset({"content/articles/b.md", "content/articles/c.md"})]


def test_debouncer_close_without_flush_drops_pending_items() -> None:
    recorder = Recorder()
    debouncer = Debouncer(recorder, quiet=30.0, max_wait=60.0)
    debouncer.submit("content/articles/a.md")
    debouncer.close()
    assert recorder.batches == []


def test_debouncer_survives_a_failing_callback(capsys: pytest.CaptureFixture[str]) -> None:
    calls: list[frozenset[object]] = []
    done = threading.Event()

    def flaky(batch: frozenset[object]) -> None:
        calls.append(batch)
        if len(calls) == 1:
            raise RuntimeError("Festplatte voll")
        done.set()

    debouncer = Debouncer(flaky, quiet=0.01, max_wait=1.0)
    try:
        debouncer.submit(1)
        assert debouncer.wait_idle(5.0)
        debouncer.submit(2)
        assert done.wait(5.0)
    finally:
        debouncer.close()
    assert calls == [frozenset({1}), frozenset({2})]
    assert capsys.readouterr().err == "warning: rebuild failed: RuntimeError('Festplatte voll')\n"


def event(kind: str, src: Path, dest: Path | None = None, *, is_directory: bool = False) -> SimpleNamespace:
    """A stand-in for a watchdog event (same attributes)."""
    return SimpleNamespace(event_type=kind, src_path=str(src), dest_path=str(dest) if dest else "",
                           is_directory=is_directory)


@pytest.fixture
def fed_watcher(tmp_path: Path):
    """A SiteWatcher fed by hand (never started): yields (watcher, batches, called)."""
    recorder = Recorder()
    watcher = SiteWatcher(tmp_path, recorder, quiet=0.05, max_wait=10.0)
    yield watcher, recorder.batches, recorder.called
    watcher.stop()


def test_write_in_place_is_one_change(fed_watcher, tmp_path: Path) -> None:
    watcher, batches, called = fed_watcher
    article = tmp_path / "content/articles/nato-antwort.md"
    for kind in ("modified", "modified", "closed"):
        watcher.on_event(event(kind, article))
    assert called.wait(5.0) and watcher.wait_idle(5.0)
    assert batches == [frozenset({Change("content/articles/nato-antwort.md", "content")})]


def test_temp_file_and_rename_is_one_change_of_the_target(fed_watcher, tmp_path: Path) -> None:
    """Atomic save: write `.nato-antwort.md.tmp1234`, then rename it over the article."""
    watcher, batches, called = fed_watcher
    article = tmp_path / "content/articles/nato-antwort.md"
    temp = tmp_path / "content/articles/.nato-antwort.md.tmp1234"
    watcher.on_event(event("created", temp))
    watcher.on_event(event("modified", temp))
    watcher.on_event(event("moved", temp, article))
    assert called.wait(5.0) and watcher.wait_idle(5.0)
    assert batches == [frozenset({Change("content/articles/nato-antwort.md", "content")})]


def test_delete_and_recreate_is_one_change(fed_watcher, tmp_path: Path) -> None:
    watcher, batches, called = fed_watcher
    article = tmp_path / "content/articles/nato-antwort.md"
    watcher.on_event(event("deleted", article))
    watcher.on_event(event("created", article))
    watcher.on_event(event("modified", article))
    assert called.wait(5.0) and watcher.wait_idle(5.0)
    assert batches == [frozenset({Change("content/articles/nato-antwort.md", "content")})]


def test_swap_files_and_reads_never_trigger_a_rebuild(fed_watcher, tmp_path: Path) -> None:
    watcher, batches, called = fed_watcher
    folder = tmp_path / "content/articles"
    for name in (".nato-antwort.md.swp", "4913", "nato-antwort.md~", ".#nato-antwort.md"):
        watcher.on_event(event("created", folder / name))
        watcher.on_event(event("deleted", folder / name))
    # the build reading a source is not a change
    watcher.on_event(event("opened", folder / "nato-antwort.md"))
    watcher.on_event(event("closed_no_write", folder / "nato-antwort.md"))
    watcher.on_event(event("modified", tmp_path / "site/index.html"))
    # a folder's modification only echoes the file events inside it
    watcher.on_event(event("modified", folder, is_directory=True))
    assert watcher.wait_idle(5.0)
    assert not called.is_set()
    # ... while a real save still does
    watcher.on_event(event("modified", folder / "nato-antwort.md"))
    assert called.wait(5.0)
    assert batches == [frozenset({Change("content/articles/nato-antwort.md", "content")})]


def test_the_builders_ignore_rule_is_honoured(tmp_path: Path) -> None:
    batches: list[frozenset[Change]] = []
    watcher = SiteWatcher(tmp_path, batches.append, quiet=0.01,
                          ignored=lambda path: path.name == "entwurf.md")
    try:
        watcher.submit_paths([tmp_path / "content/articles/entwurf.md"])
        assert watcher.wait_idle(5.0)
        assert batches == []
        watcher.submit_paths([tmp_path / "content/articles/kreml.md"])
        assert watcher.wait_idle(5.0)
    finally:
        watcher.stop()
    assert batches == [frozenset({Change("content/articles/kreml.md", "content")})]


def test_real_observer_sees_200_files_written_at_once_as_one_rebuild(tmp_path: Path) -> None:
    (tmp_path / "content/articles").mkdir(parents=True)
    recorder = Recorder()
    batches, called = recorder.batches, recorder.called
    # quiet and max_wait are generous so a loaded machine cannot split the burst in two
    watcher = SiteWatcher(tmp_path, recorder, quiet=0.5, max_wait=20.0)
    watcher.start()
    try:
        for n in range(200):
            (tmp_path / f"content/articles/artikel-{n:03}.md").write_text(
                f"---\ntitle: Artikel {n}\n---\n\nText über Sanktionen.\n", encoding="utf-8")
        assert called.wait(10.0), "no rebuild within 10 s"
        assert watcher.wait_idle(10.0)
    finally:
        watcher.stop()
    assert len(batches) == 1
    assert {change.path for change in batches[0]} == {f"content/articles/artikel-{n:03}.md" for n in range(200)}
    assert {change.kind for change in batches[0]} == {"content"}


class RecordingObserver:
    """Records what is scheduled; starts and stops without watching anything."""

    def __init__(self) -> None:
        self.scheduled: list[tuple[str, bool]] = []

    def schedule(self, handler: object, path: str, *, recursive: bool = False) -> tuple[str, bool]:
        self.scheduled.append((path, recursive))
        return (path, recursive)

    def unschedule(self, watch: object) -> None:
        self.scheduled.remove(watch)  # type: ignore[arg-type]

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def join(self, timeout: float | None = None) -> None:
        pass


def test_only_the_root_and_the_source_folders_are_watched(tmp_path: Path) -> None:
    for folder in ("content/articles", "layouts/assets", ".git/objects", ".venv/lib", "site/artikel"):
        (tmp_path / folder).mkdir(parents=True)
    observer = RecordingObserver()
    watcher = SiteWatcher(tmp_path, lambda batch: None, observer_factory=lambda: observer)
    watcher.start()
    watcher.stop()
    assert observer.scheduled == [(str(tmp_path.resolve()), False),
                                  (str(tmp_path.resolve() / "content"), True),
                                  (str(tmp_path.resolve() / "layouts"), True)]


def test_a_source_folder_created_later_is_watched_too(tmp_path: Path) -> None:
    batches: list[frozenset[Change]] = []
    first, second = threading.Event(), threading.Event()

    def on_change(batch: frozenset[Change]) -> None:
        batches.append(batch)
        (second if first.is_set() else first).set()

    watcher = SiteWatcher(tmp_path, on_change, quiet=0.1, max_wait=10.0)
    watcher.start()
    try:
        (tmp_path / "static").mkdir()
        assert first.wait(10.0)
        assert Change("static", "static") in batches[0]
        (tmp_path / "static/extra.css").write_text("h1 { color: navy; }\n", encoding="utf-8")
        assert second.wait(10.0), "no event from inside the new folder"
    finally:
        watcher.stop()
    assert Change("static/extra.css", "static") in batches[-1]


class RefusingObserver:
    """An observer whose start fails like inotify does when the watch limit is reached."""

    def schedule(self, handler: object, path: str, *, recursive: bool = False) -> None:
        self.path = path

    def start(self) -> None:
        raise OSError(28, "inotify watch limit reached")

    def stop(self) -> None:
        raise AssertionError("a refused observer is never stopped")

    def join(self, timeout: float | None = None) -> None:
        raise AssertionError("a refused observer is never joined")


def test_falls_back_to_polling_when_inotify_runs_out(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    called = threading.Event()
    warnings = io.StringIO()
    watcher = SiteWatcher(tmp_path, lambda batch: called.set(), quiet=0.01,
                          observer_factory=RefusingObserver, warn=warnings)
    watcher.start()
    try:
        assert watcher.polling
        (tmp_path / "content/kreml.md").write_text("Kreml\n", encoding="utf-8")
        assert called.wait(10.0), "the polling observer saw no change"
    finally:
        watcher.stop()
    assert warnings.getvalue() == (
        f"warning: cannot watch {tmp_path.name} with inotify (inotify watch limit reached); "
        "falling back to polling, changes may take a second to show. "
        "Raise fs.inotify.max_user_watches to fix this.\n")


def test_stop_joins_every_thread(tmp_path: Path) -> None:
    before = set(threading.enumerate())
    watcher = SiteWatcher(tmp_path, lambda batch: None)
    watcher.start()
    watcher.stop()
    assert set(threading.enumerate()) - before == set()


def test_classify_accepts_real_paths(tmp_path: Path) -> None:
    assert classify(tmp_path / "content" / "a.md", tmp_path) == "content"
    assert classify(Path(os.fspath(tmp_path)) / ".git" / "HEAD", tmp_path) is None


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_a_git_checkout_of_500_files_is_one_rebuild(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=Redaktion", "-c", "user.email=redaktion@example.org",
                        "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
                       cwd=tmp_path, check=True, capture_output=True)

    folder = tmp_path / "content/articles"
    folder.mkdir(parents=True)
    git("init", "-q")
    for n in range(500):
        (folder / f"meldung-{n:03}.md").write_text(f"---\ntitle: Meldung {n}\n---\n\nErste Fassung.\n",
                                                   encoding="utf-8")
    git("add", "content")
    git("commit", "-q", "-m", "Erste Fassung")
    git("checkout", "-q", "-b", "korrektur")
    for n in range(500):
        (folder / f"meldung-{n:03}.md").write_text(f"---\ntitle: Meldung {n}\n---\n\nKorrigiert.\n",
                                                   encoding="utf-8")
    git("commit", "-q", "-a", "-m", "Korrektur")

    recorder = Recorder()
    batches, called = recorder.batches, recorder.called
    watcher = SiteWatcher(tmp_path, recorder, quiet=0.5, max_wait=20.0)
    watcher.start()
    try:
        git("checkout", "-q", "main")
        assert called.wait(20.0), "no rebuild after the checkout"
        assert watcher.wait_idle(20.0)
    finally:
        watcher.stop()
    assert len(batches) == 1
    assert {change.path for change in batches[0]} == {f"content/articles/meldung-{n:03}.md" for n in range(500)}
    assert (folder / "meldung-499.md").read_text(encoding="utf-8").endswith("Erste Fassung.\n")
