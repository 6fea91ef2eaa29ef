"""Benchmark: rank_related on synthetic sites of 1,000 and 10,000 articles.

Run: .venv/bin/python benchmarks/bench_related.py [--runs 5] [--recall] [--memory] [--again] [--fixed-themes]
                                                   [SIZES...]

The corpus is deterministic (fixed seed) and German-like. Words are built from
German syllables. Each article belongs to a story (about a dozen articles each,
so the number of stories grows with the site, as it does in a newsroom) and a
story to one of 40 themes. Its words mix a fixed general vocabulary (Zipf law),
its theme's vocabulary and its story's own words (names, places: the vocabulary
grows with the site, Heaps' law). Glossary terms and tags are drawn by story
and globally (Zipf), dates cluster by story, about eight articles a day.
`--fixed-themes` is the harsher model where only the 40 themes exist: every
feature's document frequency grows tenfold from 1,000 to 10,000 articles.

Runs alternate between the sizes (a busy machine then slows all alike) and
the medians are printed: wall-clock and CPU time (and the fastest run), CPU
time per article and the per-article ratio of the largest size to the
smallest. `--recall` also compares each sampled article's top 5 with an
exhaustive all-pairs ranking; `--memory` prints what the ranker keeps per
article (traced by tracemalloc: its features and index, not the signals);
`--again` times building the features after one new article from scratch and
from the last features, in turns.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from builder.related.features import ArticleSignals, build_features  # noqa: E402
from builder.related.ranking import (TEXT_FEATURES, RelatedSettings, rank_related, Ranker,  # noqa: E402
                                     canonical_order)
from builder.text.textstats import GERMAN_STOP_WORDS  # noqa: E402

PREFIXES = ["", "", "ver", "be", "ge", "ent", "über", "unter", "aus", "ein", "vor", "nach",
            "zu", "ab", "auf", "rück", "mit", "gegen", "haupt", "bundes", "landes"]
STEMS = ["hand", "kauf", "bau", "wahl", "recht", "schutz", "kraft", "stadt", "land", "markt",
         "zug", "werk", "spiel", "weg", "grenz", "steuer", "krieg", "fried", "streit", "arbeit",
         "wirt", "kirch", "schul", "haus", "feld", "berg", "wasser", "strom", "gas", "öl", "flug",
         "bahn", "post", "geld", "bank", "preis", "lohn", "rent", "pfleg", "klima", "wald", "hafen",
         "zoll", "gericht", "polizei", "wehr", "macht", "volk", "rat", "amt", "vertrag", "dienst",
         "forsch", "wissen", "kunst", "bild", "wort", "druck", "schiff", "brück", "straß", "gesetz"]
SUFFIXES = ["ung", "ungen", "heit", "keit", "schaft", "er", "ler", "nis", "tum", "en", "e",
            "lich", "isch", "ig", "s", "", "ment", "ation", "ismus"]
TAG_WORDS = ["Außenpolitik", "Innenpolitik", "Wirtschaft", "Energie", "Klima", "Verteidigung",
             "Bildung", "Gesundheit", "Verkehr", "Justiz", "Europa", "Osteuropa", "Nahost",
             "Handel", "Finanzen", "Landwirtschaft", "Migration", "Digitales", "Kultur", "Sport"]
GENERAL_VOCABULARY = 8_000
THEMES = 40
THEME_VOCABULARY = 400
STORY_WORDS = 40
ARTICLES_PER_STORY = 12
GLOSSARY = 500
NAME_SYLLABLES = ["ka", "ra", "mat", "orsk", "lin", "berg", "wo", "dim", "ir", "scholz", "mer",
                  "kel", "ha", "bek", "lind", "ner", "sel", "ens", "ky", "pol", "tav", "ost",
                  "wa", "gner", "brun", "mü", "ller", "sch", "ulz", "tor", "gau", "dorf", "hau",
                  "sen", "ro", "stock", "ze", "len", "ski", "vic", "bach", "feld", "ingen"]


def _words(rng: random.Random, size: int, taken: set[str]) -> list[str]:
    """`size` new compound words, none in `taken` (which grows)."""
    found: list[str] = []
    while len(found) < size:
        stems = rng.choice(STEMS) + (rng.choice(STEMS) if rng.random() < 0.6 else "")
        word = rng.choice(PREFIXES) + stems + rng.choice(SUFFIXES)
        if rng.random() < 0.05:
            word += "-" + rng.choice(STEMS) + rng.choice(SUFFIXES)
        if len(word) > 2 and word not in GERMAN_STOP_WORDS and word not in taken:
            taken.add(word)
            found.append(word)
    return found


def _names(rng: random.Random, size: int, taken: set[str]) -> list[str]:
    """`size` new name-like words (people, places) for one story."""
    found: list[str] = []
    while len(found) < size:
        word = "".join(rng.choice(NAME_SYLLABLES) for _ in range(rng.randrange(2, 5)))
        if rng.random() < 0.3:
            word += "-" + rng.choice(STEMS) + rng.choice(SUFFIXES)
        if len(word) > 2 and word not in GERMAN_STOP_WORDS and word not in taken:
            taken.add(word)
            found.append(word)
    return found


def _zipf(size: int, exponent: float = 1.07) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank ** exponent) for rank in range(1, size + 1)))


def corpus(size: int, seed: int = 4, fixed_themes: bool = False) -> list[ArticleSignals]:
    """A deterministic synthetic site of `size` articles."""
    rng = random.Random(seed)
    taken: set[str] = set()
    general = _words(rng, GENERAL_VOCABULARY, taken)
    themes = [_words(rng, THEME_VOCABULARY, taken) for _ in range(THEMES)]
    glossary = [f"begriff-{i}" for i in range(GLOSSARY)]
    tags = TAG_WORDS + [f"{a} und {b}" for a, b in itertools.permutations(TAG_WORDS, 2)][:130]
    general_weights, theme_weights = _zipf(GENERAL_VOCABULARY), _zipf(THEME_VOCABULARY)
    story_weights = {STORY_WORDS: _zipf(STORY_WORDS, 0.8),   # a story's names: flatter
                     THEME_VOCABULARY: theme_weights}         # --fixed-themes: the theme's
    term_weights, tag_weights = _zipf(GLOSSARY), _zipf(len(tags))
    start = datetime(2020, 1, 1, tzinfo=timezone.utc)
    span = max(1, size // 8)
    stories = 0 if fixed_themes else max(1, size // ARTICLES_PER_STORY)
    story_list = []
    for _ in range(stories or THEMES):
        theme = rng.randrange(THEMES)
        story_words = themes[theme] if fixed_themes else _names(rng, STORY_WORDS, taken)
        story_list.append((
            theme, story_words,
            rng.choices(glossary, cum_weights=term_weights, k=4),
            rng.choices(tags, cum_weights=tag_weights, k=2),
            rng.uniform(0, span),
        ))
    signals = []
    for index in range(size):
        theme, story_words, story_terms, story_tags, center = story_list[
            rng.randrange(len(story_list))]
        tokens = rng.choices(general, cum_weights=general_weights, k=150)
        tokens += rng.choices(themes[theme], cum_weights=theme_weights, k=60)
        tokens += rng.choices(story_words, cum_weights=story_weights[len(story_words)], k=60)
        counts = sorted(Counter(tokens).items(), key=lambda item: (-item[1], item[0]))[:30]
        terms: dict[str, int] = {}
        for _ in range(rng.randrange(0, 9)):
            term = (rng.choice(story_terms) if rng.random() < 0.6
                    else rng.choices(glossary, cum_weights=term_weights)[0])
            terms[term] = terms.get(term, 0) + rng.randrange(1, 5)
        article_tags = {rng.choice(story_tags) if rng.random() < 0.6
                        else rng.choices(tags, cum_weights=tag_weights)[0]
                        for _ in range(rng.randrange(1, 5))}
        earlier = range(max(0, index - 200), index)
        related = tuple(f"artikel-{i}" for i in rng.sample(earlier, min(len(earlier), 2))
                        ) if index and rng.random() < 0.05 else ()
        links = tuple(f"artikel-{rng.randrange(size)}" for _ in range(rng.randrange(0, 4))
                      ) if rng.random() < 0.1 else ()
        day = min(span, max(0.0, rng.gauss(center, 10)))
        signals.append(ArticleSignals(
            slug=f"artikel-{index}",
            date=start + timedelta(days=day),
            tags=tuple(sorted(article_tags)),
            terms=terms,
            words=dict(counts),
            related=related,
            links=links,
        ))
    return signals


def measure(signals: list[ArticleSignals]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one call of rank_related."""
    names = {f"begriff-{i}": f"Begriff {i}" for i in range(GLOSSARY)}
    started, started_cpu = time.perf_counter(), time.process_time()
    rank_related(signals, RelatedSettings(), names)
    return time.perf_counter() - started, time.process_time() - started_cpu


def recall(signals: list[ArticleSignals], sample: int = 200) -> float:
    """Share of the exhaustive top `count` (all pairs scored) that the index finds too.

    Explicit `related:` entries are left out on both sides: they need no search.
    """
    settings = RelatedSettings()
    ranker = Ranker(canonical_order(signals), settings, {})
    size = len(signals)
    found = wanted = 0
    by_slug = sorted(range(size), key=lambda position: ranker.slugs[position])
    for a in by_slug[::max(1, size // sample)]:  # the same sample whatever the ranker's order
        exhaustive = [(score, b) for b in range(size) if b != a
                      for score in [ranker.pair_score(a, b)]
                      if score > 0 and score >= settings.min_score]
        best = {b for _, b in sorted(exhaustive, key=ranker._order)[:settings.count]}
        indexed = {b for _, b in ranker.candidates(a, settings.count)[:settings.count]}
        wanted += len(best)
        found += len(best & indexed)
    return found / wanted if wanted else 1.0


def memory(signals: list[ArticleSignals]) -> float:
    """Bytes per article that a Ranker keeps (allocated while it is built and still held)."""
    ordered = canonical_order(signals)
    tracemalloc.start()
    try:
        ranker = Ranker(ordered, RelatedSettings(), {})
        kept = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del ranker
    return kept / len(signals)


def features_again(signals: list[ArticleSignals], runs: int) -> tuple[float, float]:
    """Median seconds of building the features of `signals` and one new article (a copy of the first,
    dated after the last) from scratch, and from the features of `signals` alone (`build_features`'s
    `previous`), timed in turns."""
    settings = RelatedSettings()
    digests = {s.slug: repr((tuple(s.terms.items()), s.tags, tuple(s.words.items()))) for s in signals}
    last = build_features(canonical_order(signals), settings, TEXT_FEATURES, None, digests)
    newest = max(s.date for s in signals)
    added = canonical_order([*signals, replace(signals[0], slug="neu", date=newest + timedelta(hours=1))])
    digests["neu"] = digests[signals[0].slug]
    scratch: list[float] = []
    again: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        build_features(added, settings, TEXT_FEATURES)
        scratch.append(time.perf_counter() - started)
        started = time.perf_counter()
        build_features(added, settings, TEXT_FEATURES, last, digests)
        again.append(time.perf_counter() - started)
    return statistics.median(scratch), statistics.median(again)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1_000, 10_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--recall", action="store_true",
                        help="also compare with an exhaustive ranking on 200 articles")
    parser.add_argument("--memory", action="store_true", help="also print the ranker's bytes per article")
    parser.add_argument("--again", action="store_true",
                        help="also time the features after one new article, from scratch and from the last ones")
    parser.add_argument("--fixed-themes", action="store_true",
                        help="no stories: 40 themes only, every feature grows with the site")
    args = parser.parse_args()
    corpora = {size: corpus(size, fixed_themes=args.fixed_themes) for size in args.sizes}
    # Runs alternate between the sizes so that a busy machine slows all alike.
    wall: dict[int, list[float]] = {size: [] for size in args.sizes}
    cpu: dict[int, list[float]] = {size: [] for size in args.sizes}
    for _ in range(args.runs):
        for size, signals in corpora.items():
            seconds, cpu_seconds = measure(signals)
            wall[size].append(seconds)
            cpu[size].append(cpu_seconds)
    per_article = {}
    for size, signals in corpora.items():
        median_wall, median_cpu = statistics.median(wall[size]), statistics.median(cpu[size])
        per_article[size] = median_cpu / size
        print(f"{size:>7,} articles: {median_wall * 1000:7.1f} ms wall, "
              f"{median_cpu * 1000:7.1f} ms CPU (fastest {min(cpu[size]) * 1000:.1f}), "
              f"{per_article[size] * 1e6:5.1f} µs CPU per article (medians of {args.runs})"
              + (f", recall of the exhaustive top 5: {recall(signals):.3f}" if args.recall else "")
              + (f", ranker keeps {memory(signals):,.0f} bytes per article" if args.memory else ""),
              flush=True)
        if args.again:
            scratch, again = features_again(signals, args.runs)
            print(f"{'':>7}  features after one new article: {scratch * 1000:7.1f} ms from scratch, "
                  f"{again * 1000:7.1f} ms from the last features (medians of {args.runs} in turns)", flush=True)
    if len(per_article) > 1:
        small, large = min(per_article), max(per_article)
        print(f"CPU time per article, {large:,} vs {small:,} articles: "
              f"{per_article[large] / per_article[small]:.2f}x")

if __name__ == "__main__":
    main()
