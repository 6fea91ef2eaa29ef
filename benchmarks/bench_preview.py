"""How fast the preview reacts: save → new text in Chromium, and incremental vs. full builds.

1. Demo site in the browser: a copy of the demo site (content/, config.yaml,
   static/; the theme is the package's default) is previewed on a free port; an
   article is open in headless Chromium; we append a sentence to the article
   file and time until the reloaded page shows it. Target: < 300 ms (median).
2. A generated 5,000-article site (deterministic German-like text, front matter
   with title, date and tags, a few glossary terms): a full build with a fresh
   IncrementalBuilder vs. build() on a warm one after a one-article edit.
   Target: incremental < 1 s (median). Then edits of the article's text alone
   (no term, top word or link comes or goes: the preview's shortcut,
   builder/pipeline/body_edit.py). Finally the warm builder's output is
   compared with a fresh full build of the edited site.

3. With `--site DIR` (a site of any size, such as benchmarks/corpus.py's 100,000
   articles): the preview's first build, edits of `--edit FILE` (a sentence
   appended to the original each time; then once a paragraph that changes its top
   words, so that related articles are ranked again; the file is restored), edits
   of its title alone (its card changes on every page that lists it), a copy of
   it added as the newest article and deleted again, how many pages each build
   rendered, and the preview process's peak resident memory. Nothing else runs then.

Run:  .venv/bin/python benchmarks/bench_preview.py [--articles 5000] [--runs 7]
      [--skip-browser] [--skip-corpus]
      .venv/bin/python benchmarks/bench_preview.py --site DIR --edit content/articles/x.md [--runs 3]
The working tree is never touched: the first two sites live in a temporary folder.
"""

from __future__ import annotations

import argparse
import io
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from builder.pipeline.incremental import IncrementalBuilder  # noqa: E402
from builder.preview.session import Preview  # noqa: E402

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def summary(label: str, samples: list[float], target: float | None = None) -> None:
    verdict = ""
    if target is not None:
        verdict = "  (target < " + ms(target) + (": met)" if statistics.median(samples) < target else ": MISSED)")
    print(f"{label}: median {ms(statistics.median(samples))}, min {ms(min(samples))}, "
          f"max {ms(max(samples))}, n={len(samples)}{verdict}", flush=True)


# --- 1. save → reload in Chromium ---------------------------------------------------------

def copy_demo_site(target: Path) -> None:
    for name in ("content", "static"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, target / name)
    shutil.copyfile(ROOT / "config.yaml", target / "config.yaml")


class TimedBuilder:
    """Wraps the IncrementalBuilder to record when each build started and ended (wall clock)."""

    def __init__(self, inner: IncrementalBuilder) -> None:
        self.inner = inner
        self.times: list[tuple[float, float]] = []

    def build(self):  # noqa: ANN201 (returns the pipeline's BuildOutcome)
        started = time.time()
        outcome = self.inner.build()
        self.times.append((started, time.time()))
        return outcome

    def ignored(self, path: Path) -> bool:
        return self.inner.ignored(path)

    def close(self) -> None:
        self.inner.close()


def insert_after_front_matter(path: Path, text: str) -> None:
    """Put `text` at the top of the article body, so it is painted above the fold."""
    source = path.read_text(encoding="utf-8")
    head, sep, body = source.partition("\n---\n")
    path.write_text(f"{head}{sep}\n{text}\n{body}", encoding="utf-8")


def bench_browser(runs: int, quiet: float) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        print("browser: skipped, chromium not installed (apt-get install chromium)")
        return
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench-preview-") as tmp:
        site = Path(tmp) / "demo"
        copy_demo_site(site)
        builder = TimedBuilder(IncrementalBuilder(site))
        preview = Preview(site, port=0, out=io.StringIO(), err=io.StringIO(), builder=builder, quiet=quiet)
        preview.start()
        try:
            article = sorted((site / "content/articles").glob("*.md"))[0]
            assert preview.last_outcome is not None and preview.last_outcome.ok
            page_url = preview.url.rstrip("/") + preview.last_outcome.url_of_source[
                article.relative_to(site).as_posix()]
            totals, waits, builds, browsers = [], [], [], []
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
                page = browser.new_page()
                page.set_default_timeout(10_000)
                for run in range(runs + 1):  # the first run warms Chromium's caches and is dropped
                    page.goto(page_url)
                    page.wait_for_function("() => window.__builderLiveReload && window.__builderLiveReload.connected")
                    token = f"Messpunkt{run:02}Kreml"
                    count = preview.builds.count
                    saved = time.time()
                    insert_after_front_matter(article, f"Nachtrag: {token}.")
                    page.wait_for_function(f"() => document.body.innerText.includes({token!r})")
                    # When the reloaded page first painted, on the same wall clock as `saved`
                    # (Playwright's own polling would add its latency to the figure).
                    painted = page.evaluate("""() => performance.timeOrigin / 1000 +
                        performance.getEntriesByName('first-contentful-paint')[0].startTime / 1000""")
                    assert preview.builds.count == count + 1
                    build_started, build_ended = builder.times[-1]
                    if run:
                        totals.append(painted - saved)
                        waits.append(build_started - saved)
                        builds.append(build_ended - build_started)
                        browsers.append(painted - build_ended)
                browser.close()
            summary(f"demo site, save article → reloaded page painted with the new text (quiet {ms(quiet)})",
                    totals, target=0.300)
            summary("  of which: waiting for the burst to go quiet", waits)
            summary("  of which: IncrementalBuilder.build()", builds)
            summary("  of which: message → reload → first paint", browsers)
        finally:
            preview.stop()


# --- 2. the 5,000-article site ------------------------------------------------------------

TERMS = {
    "kreml": ("Kreml", ["Kremls"], "Amtssitz des russischen Präsidenten in Moskau."),
    "nato": ("NATO", [], "Militärbündnis nordamerikanischer und europäischer Staaten."),
    "sanktionen": ("Sanktionen", ["Sanktion"], "Wirtschaftliche oder politische Strafmaßnahmen gegen einen Staat."),
    "ruestungskontrolle": ("Rüstungskontrolle", [], "Vereinbarungen, die Waffenbestände begrenzen und überprüfbar machen."),
    "normandie-format": ("Normandie-Format", ["Normandie-Formats"],
                         "Gesprächsformat von Deutschland, Frankreich, Russland und der Ukraine."),
    "osze": ("OSZE", [], "Organisation für Sicherheit und Zusammenarbeit in Europa."),
    "bundestag": ("Bundestag", ["Bundestages"], "Das Parlament der Bundesrepublik Deutschland."),
    "haushalt": ("Haushalt", ["Haushalts"], "Die geplanten Einnahmen und Ausgaben eines Staates für ein Jahr."),
}
SUBJECTS = ["Die Regierung", "Der Minister", "Die Kommission", "Das Parlament", "Die Opposition",
            "Der Kreml", "Die NATO", "Die Bürgermeisterin", "Der Verband", "Die Gewerkschaft"]
VERBS = ["kündigte", "prüfte", "kritisierte", "verteidigte", "beschloss", "verschob", "begrüßte", "forderte"]
OBJECTS = ["neue Sanktionen", "den Haushalt", "eine Reform der Rente", "Gespräche im Normandie-Format",
           "mehr Rüstungskontrolle", "den Ausbau der Bahn", "einen Kompromiss", "die Vorschläge der OSZE",
           "ein Gesetz zum Klimaschutz", "die Pläne des Bundestages"]
TAILS = ["am Dienstag an", "nach langer Debatte", "in Berlin", "ohne Begründung", "mit deutlicher Mehrheit",
         "trotz heftiger Kritik", "vor Journalisten", "in einer Erklärung"]
TAGS = ["Politik", "Wirtschaft", "Diplomatie", "Sicherheit", "Europa", "Klima", "Verkehr", "Soziales",
        "Haushalt", "Ukraine-Krise", "Bundestag", "Kommunen"]


def sentence(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TAILS)}."


def article_text(n: int, rng: random.Random) -> str:
    day = 1 + n % 28
    month = 1 + (n // 28) % 12
    year = 2015 + n // (28 * 12)
    tags = sorted(rng.sample(TAGS, 2))
    paragraphs = ["## Hintergrund" if i == 2 else " ".join(sentence(rng) for _ in range(rng.randint(3, 6)))
                  for i in range(rng.randint(4, 7))]
    return (f'---\ntitle: "Meldung {n:04}: {rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"\n'
            f"date: {year}-{month:02}-{day:02}T{n % 24:02}:{n % 60:02}:00+01:00\n"
            f"tags: [{', '.join(tags)}]\n---\n\n" + "\n\n".join(paragraphs) + "\n")


def generate_corpus(folder: Path, articles: int) -> None:
    """A deterministic German-like news site with `articles` articles."""
    rng = random.Random(5000)
    (folder / "content/articles").mkdir(parents=True)
    (folder / "content/glossary").mkdir(parents=True)
    (folder / "config.yaml").write_text('title: "Korpus"\nbase_url: "https://korpus.example/"\nlanguage: de\n',
                                        encoding="utf-8")
    for slug, (term, aliases, summary_text) in TERMS.items():
        alias_list = ", ".join(f'"{a}"' for a in aliases)
        (folder / f"content/glossary/{slug}.md").write_text(
            f'---\nterm: "{term}"\naliases: [{alias_list}]\n---\n\n{summary_text}\n\nMehr dazu im Archiv.\n',
            encoding="utf-8")
    for n in range(articles):
        (folder / f"content/articles/meldung-{n:04}.md").write_text(article_text(n, rng), encoding="utf-8")


def timed_build(builder: IncrementalBuilder, changed: set[str] | None = None) -> tuple[float, object]:
    """One build; `changed`: the paths edited since the last, as the preview's file watcher tells them."""
    started = time.perf_counter()
    outcome = builder.build(changed)
    return time.perf_counter() - started, outcome


def bench_corpus(articles: int, runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-corpus-") as tmp:
        site = Path(tmp) / "korpus"
        started = time.perf_counter()
        generate_corpus(site, articles)
        print(f"generated {articles} articles in {time.perf_counter() - started:.1f} s", flush=True)

        jobs = 0  # what the preview uses: the pipeline decides
        try:
            IncrementalBuilder(site, jobs=jobs).build()
        except Exception as exc:  # noqa: BLE001 (report and measure what still works)
            print(f"note: the default parallel build failed ({type(exc).__name__}: {str(exc)[:120]}…); "
                  "measuring with jobs=1", flush=True)
            jobs = 1
        full: list[float] = []
        warm = None
        for _ in range(max(2, runs // 2)):
            warm = IncrementalBuilder(site, jobs=jobs)
            seconds, outcome = timed_build(warm)
            assert outcome.ok, "\n".join(str(d) for d in outcome.diagnostics[:10])  # type: ignore[attr-defined]
            full.append(seconds)
        summary(f"{articles} articles, full build (fresh IncrementalBuilder)", full)
        assert warm is not None

        unchanged = [timed_build(warm)[0] for _ in range(runs)]
        summary(f"{articles} articles, rebuild without changes", unchanged)

        edited = site / "content/articles/meldung-0042.md"
        incremental: list[float] = []
        for run in range(runs):
            with edited.open("a", encoding="utf-8") as handle:
                handle.write(f"\nNachtrag {run}: Der Kreml äußerte sich erneut zu den Sanktionen.\n")
            seconds, outcome = timed_build(warm, {edited.relative_to(site).as_posix()})
            assert outcome.ok and outcome.changed, "the edit changed no output"  # type: ignore[attr-defined]
            incremental.append(seconds)
        summary(f"{articles} articles, rebuild after editing one article", incremental, target=1.0)
        print(f"  of these, edits of the text alone (the preview's shortcut): {warm.body_edits} of {runs}")
        print(f"  pages changed by the last edit: {len(outcome.changed)}")  # type: ignore[attr-defined]

        # Words that are no content words: the article's terms, top words and links stay as they were.
        shortcuts, text_only = warm.body_edits, []
        for _ in range(runs):
            with edited.open("a", encoding="utf-8") as handle:
                handle.write("\nNoch nicht.\n")
            seconds, outcome = timed_build(warm, {edited.relative_to(site).as_posix()})
            assert outcome.ok and outcome.changed, "the edit changed no output"  # type: ignore[attr-defined]
            text_only.append(seconds)
        summary(f"{articles} articles, rebuild after editing one article's text alone", text_only)
        print(f"  of these, edits that took the shortcut: {warm.body_edits - shortcuts} of {runs}")

        fresh = IncrementalBuilder(site, jobs=jobs).build()
        same = dict(fresh.files) == dict(warm.files)
        print(f"incremental output equals a fresh full build: {'yes' if same else 'NO'}", flush=True)


def bench_site(site: Path, edit: str, runs: int) -> None:
    """The preview on an existing site: first build, edits, pages rendered, peak memory."""
    import resource

    from builder.pipeline import incremental
    rendered = [0]
    real = incremental.render_spec

    def counted(specs, index):  # type: ignore[no-untyped-def]
        rendered[0] += 1
        return real(specs, index)
    incremental.render_spec = counted   # type: ignore[assignment]
    builder = IncrementalBuilder(site)
    seconds, outcome = timed_build(builder)
    assert outcome.ok, "\n".join(str(d) for d in outcome.diagnostics[:10])  # type: ignore[attr-defined]
    print(f"{site.name}: first build {seconds:.2f} s, {rendered[0]} pages rendered of "
          f"{len(outcome.files)} files", flush=True)  # type: ignore[attr-defined]
    path = site / edit
    original = path.read_bytes()
    times, counts = [], []
    try:
        for run in range(runs):   # one sentence each time, on the original: ranking reads the same words
            path.write_bytes(original + f"\nNachtrag {run}: Der Kreml äußerte sich erneut.\n".encode())
            rendered[0] = 0
            seconds, outcome = timed_build(builder, {edit})
            assert outcome.ok and outcome.changed, "the edit changed no output"  # type: ignore[attr-defined]
            times.append(seconds)
            counts.append(rendered[0])
        text_shortcuts = builder.body_edits
        # A paragraph whose words become the article's top words: related articles are ranked again.
        path.write_bytes(original + "\nSanktionen gegen Moskau: Sanktionen, Sanktionen, Sanktionen.\n".encode() * 4)
        reranked, outcome = timed_build(builder, {edit})
        assert outcome.ok, "the edit failed"  # type: ignore[attr-defined]
        titled, title_shortcuts, added, deleted = front_matter_edits(builder, site, edit, original.decode("utf-8"),
                                                                     runs)
    finally:
        path.write_bytes(original)
    summary(f"{site.name}: one article edited", times)
    print(f"  of these, edits of the text alone (the preview's shortcut, pipeline/body_edit.py): "
          f"{text_shortcuts} of {runs}; the others: a term or a top word came in with the sentence")
    print(f"  one edit that changes the article's top words (related articles ranked again): {reranked:.2f} s")
    summary("  its title edited", titled)
    print(f"  of these, through the shortcut (its card alone changed): {title_shortcuts} of {runs}")
    summary("  a copy of it added as the newest article", added)
    summary("  that copy deleted", deleted)
    kept = getattr(builder, "rendered", None)
    print(f"  pages rendered per edit: {counts}"
          + (f"; rendered files kept: {kept.size / 2**20:.0f} MiB" if kept is not None else ""))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS of the preview process: {peak:.0f} MiB", flush=True)


def front_matter_edits(builder: IncrementalBuilder, site: Path, edit: str, original: str, runs: int
                       ) -> tuple[list[float], int, list[float], list[float]]:
    """Seconds of builds after `edit`'s title changed (and how many took the shortcut), after a copy of it
    was added (dated an hour ago), and after that copy was deleted again, `runs` times each."""
    path = site / edit

    def with_line(text: str, key: str, value: str) -> str:
        head, _, rest = text.partition("\n---\n")
        lines = [f"{key}: {value}" if line.startswith(f"{key}:") else line for line in head.splitlines()]
        return "\n".join(lines) + "\n---\n" + rest

    path.write_text(original, encoding="utf-8")   # (the text as it was: the title edits change the title alone)
    timed_build(builder, {edit})
    titled: list[float] = []
    shortcuts = builder.body_edits
    for run in range(runs):
        path.write_text(with_line(original, "title", f'"Neu {run}: Nachricht"'), encoding="utf-8")
        seconds, outcome = timed_build(builder, {edit})
        assert outcome.ok and outcome.changed, "the title edit changed no output"  # type: ignore[attr-defined]
        titled.append(seconds)
    shortcuts = builder.body_edits - shortcuts
    path.write_text(original, encoding="utf-8")
    timed_build(builder, {edit})
    copy = str(Path(edit).with_name("eilmeldung-bench.md"))
    added: list[float] = []
    deleted: list[float] = []
    try:
        for run in range(runs):
            published = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() - 3600))
            (site / copy).write_text(with_line(with_line(original, "date", published), "title", f'"Eilmeldung {run}"'),
                                     encoding="utf-8")
            seconds, outcome = timed_build(builder, {copy})
            assert outcome.ok, "the addition failed"  # type: ignore[attr-defined]
            added.append(seconds)
            (site / copy).unlink()
            seconds, outcome = timed_build(builder, {copy})
            assert outcome.ok, "the deletion failed"  # type: ignore[attr-defined]
            deleted.append(seconds)
    finally:
        (site / copy).unlink(missing_ok=True)
    return titled, shortcuts, added, deleted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--skip-corpus", action="store_true")
    parser.add_argument("--quiet", type=float, default=0.05, help="the watcher's quiet window in seconds")
    parser.add_argument("--site", type=Path, help="measure the preview of this site instead (see 3.)")
    parser.add_argument("--edit", default="", help="with --site: the content file to append to")
    args = parser.parse_args(argv)
    if args.site is not None:
        bench_site(args.site, args.edit, args.runs)
        return 0
    if not args.skip_browser:
        bench_browser(args.runs, args.quiet)
    if not args.skip_corpus:
        bench_corpus(args.articles, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
