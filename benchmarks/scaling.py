"""The scaling figures of the build benchmark: CPU time per article of ranking related articles
on each corpus, and of glossary matching with 100 and with 10,000 terms (issue 6's targets).

`benchmarks/run.py` prints them after its tables; `scaling(sizes, runs, workdir)` reads the
corpora that run left in `workdir`.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCALING_RUNS = 11   # the scaling figures are short: more runs for a steadier median
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from bench_glossary import make_terms  # noqa: E402

from builder.content.config import load_config  # noqa: E402
from builder.content.model import Term  # noqa: E402
from builder.errors import Diagnostics  # noqa: E402
from builder.pipeline.bodies import render_bodies  # noqa: E402
from builder.pipeline.body_packs import BodyStore  # noqa: E402
from builder.pipeline.linking import article_signals  # noqa: E402
from builder.pipeline.loading import Visibility, load_site, read_body  # noqa: E402
from builder.related.features import ArticleSignals  # noqa: E402
from builder.related.ranking import rank_related  # noqa: E402
from builder.text.glossary import Matcher  # noqa: E402
from builder.util.parallel import cpu_count  # noqa: E402


def site_signals(site: Path) -> tuple[list[ArticleSignals], list[Term], list[str]]:
    """A corpus's articles as related-ranking signals, its terms and its article bodies (one build's
    load and body stages, in this process)."""
    config, _ = load_config(site)
    loaded = load_site(site, config, Visibility(), Diagnostics(), cpu_count())
    with tempfile.TemporaryDirectory() as scratch:
        store = BodyStore(Path(scratch))
        infos = render_bodies(loaded, store, cpu_count(), None).articles
        store.close()
    articles = tuple(loaded.articles)
    bodies = [read_body(loaded.paths[a.source], a.source, a.body_line, config.markdown.max_file_size)
              for a in articles]
    return article_signals(articles, infos, {a.url: a.slug for a in articles}), list(loaded.terms), bodies


def scaling(sizes: list[str], runs: int, workdir: Path) -> None:
    """Print per-article CPU time of related articles for each corpus and of glossary matching
    at 100 and 10,000 terms, with the ratios the issue sets targets for (1.3x at most)."""
    corpora = {articles: site_signals(workdir / f"corpus-{articles}-{terms}")
               for articles, terms in (map(int, size.split(":")) for size in sizes)}
    config, _ = load_config(workdir / f"corpus-{sizes[0].replace(':', '-')}")  # the same for every size
    cpu: dict[int, list[float]] = {size: [] for size in corpora}
    for _ in range(max(runs, SCALING_RUNS)):   # sizes take turns, so a busy machine slows all alike
        for size, (signals, terms, _) in corpora.items():
            started = time.process_time()
            rank_related(signals, config.related, {t.slug: t.term for t in terms})
            cpu[size].append((time.process_time() - started) / size)
    print("\nscaling (CPU time per article, medians)")
    per_article = {size: statistics.median(times) for size, times in cpu.items()}
    for size, seconds in per_article.items():
        print(f"  related articles, {size:,} articles: {seconds * 1e6:.1f} µs")
    if len(per_article) > 1:
        small, large = min(per_article), max(per_article)
        print(f"  related articles, {large:,} vs {small:,}: {per_article[large] / per_article[small]:.2f}x")
    # Glossary: the largest corpus's first 200 bodies; 100 of its terms, then those and 9,900
    # synthetic ones that the text does not use (as a site whose glossary grew elsewhere).
    _, terms, bodies = corpora[max(corpora)]
    small_glossary = terms[:100]
    large_glossary = small_glossary + make_terms(10_000 - len(small_glossary), random.Random(6))
    finders = [Matcher(small_glossary).find, Matcher(large_glossary).find]
    timings: list[list[float]] = [[], []]
    for _ in range(max(runs, SCALING_RUNS)):
        for number, find in enumerate(finders):
            started = time.process_time()
            for body in bodies[:200]:
                find(body)
            timings[number].append((time.process_time() - started) / len(bodies[:200]))
    small_find, large_find = (statistics.median(t) for t in timings)
    for glossary, seconds, find in ((small_glossary, small_find, finders[0]), (large_glossary, large_find, finders[1])):
        found = statistics.mean(len(find(body)) for body in bodies[:200])
        print(f"  glossary matching, {len(glossary):,} terms: {seconds * 1e6:.1f} µs ({found:.1f} matches)")
    print(f"  glossary matching, {len(large_glossary):,} vs {len(small_glossary):,} terms: "
          f"{large_find / small_find:.2f}x")
