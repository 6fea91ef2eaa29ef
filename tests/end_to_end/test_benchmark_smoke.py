"""The build benchmark runs end to end on a tiny corpus (CI never runs the 10,000-article one)."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from conftest import REPO


def test_benchmark_smoke_run_prints_its_table(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(REPO / "benchmarks/run.py"), "--smoke", "--workdir", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "200 articles, 50 terms" in lines
    for figure in ("bare 2 processes", "cold build", "warm build", "one article edited", "one title edited",
                   "one term edited", "one article added", "one article deleted"):
        assert any(line.strip().startswith(figure) for line in lines), figure
    assert any(line.split() == ["incremental", "==", "fresh", "yes"] for line in lines)
    assert any(line.strip().startswith("peak PSS sum (cold)") for line in lines)
    assert any(line.strip().startswith("highest of the runs") for line in lines)
    assert any(line.strip().startswith("related articles, 200 articles:") for line in lines)
    assert any(line.strip().startswith("glossary matching, 10,000 vs 50 terms:") for line in lines)


def test_corpus_generator_is_deterministic(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    from corpus import generate
    generate(tmp_path / "a", 20, 10)
    generate(tmp_path / "b", 20, 10)
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.md"))
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.md"))
    assert files_a == files_b and len(files_a) == 30
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files_a)


def test_archive_mode_measures_one_corpus_once_with_memory(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(REPO / "benchmarks/run.py"), "--articles", "150",
                           "--workdir", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = [line.strip() for line in done.stdout.splitlines()]
    assert "150 articles, 300 terms" in lines
    for figure in ("bare 2 processes", "cold build", "warm build", "one article edited", "peak PSS sum (cold)",
                   "cold build, CPU"):
        assert any(line.startswith(figure) for line in lines), figure
    assert not any(line.startswith(("bare 1 process", "related articles")) for line in lines)
    assert any(line.split() == ["incremental", "==", "fresh", "yes"] for line in lines)


def test_every_corpus_size_is_dated_in_the_past_and_its_terms_are_distinct(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    from corpus import generate, minutes_apart
    start = datetime(2015, 1, 1, 6, 0, tzinfo=timezone(timedelta(hours=1)))
    assert minutes_apart(1000) == minutes_apart(10_000) == 397   # the published corpora stay as they were
    for articles in (1000, 10_000, 100_000, 1_000_000):
        last = start + timedelta(minutes=articles * minutes_apart(articles) + 300)
        assert last < datetime(2023, 1, 1, tzinfo=timezone.utc), articles
    generate(tmp_path, 1, 3000)   # 3,000 terms once held "IGBE" and "Igbe"
    names = [path.read_text(encoding="utf-8").split('term: "')[1].split('"')[0].casefold()
             for path in (tmp_path / "content/glossary").glob("*.md")]
    assert len(set(names)) == len(names) == 3000
    sys.path.pop(0)


def test_peak_memory_sums_a_command_and_its_children(tmp_path: Path) -> None:
    """A parent and a forked child each fill 40 MiB of their own: the summed peak holds both."""
    holder = ("import os, sys, time\n"
              "block = bytearray(os.urandom(1 << 20)) * 40\n"
              "pid = os.fork()\n"
              "if pid == 0:\n"
              "    mine = bytearray(os.urandom(1 << 20)) * 40\n"
              "    time.sleep(1.5); os._exit(0)\n"
              "os.waitpid(pid, 0)\n")
    log = tmp_path / "samples.txt"
    done = subprocess.run([sys.executable, str(REPO / "benchmarks/peak_memory.py"), "--interval", "0.1",
                           "--log", str(log), "--", sys.executable, "-c", holder],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    peak = int(done.stdout.split("peak PSS ")[1].split()[0])
    assert 80 <= peak < 200, done.stdout
    samples = [line.split() for line in log.read_text(encoding="utf-8").splitlines()]
    assert samples and max(int(s[3]) for s in samples) == 2 and max(int(s[1]) for s in samples) == peak
