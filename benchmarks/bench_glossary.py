"""Benchmark: glossary matching cost against glossary size (100 / 1,000 / 10,000 terms).

Generates deterministic German-like articles (~800 words each) and synthetic
glossaries with aliases; the first 100 terms are mentioned in the articles, the
rest are random names from the same syllables (so some occur by chance, as in
real text). Times `Matcher.find` per article (inflection off and on), the full
markdown-it render with the glossary plugin per article, building the matcher and
a pickle round trip (what each build process pays). Prints medians.

    .venv/bin/python benchmarks/bench_glossary.py [--articles 200] [--repeats 5]
"""

from __future__ import annotations

import argparse
import gc
import pickle
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from markdown_it import MarkdownIt  # noqa: E402

from builder.content.model import Term  # noqa: E402
from builder.text.annotate import glossary_plugin  # noqa: E402
from builder.text.glossary import Matcher  # noqa: E402
from builder.util.slug import slugify  # noqa: E402

# German-like syllables: onset + vowel + coda, about 4,000 of them.
ONSETS = ("", "b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "w", "z",
          "sch", "st", "sp", "br", "kr", "tr", "gr", "pf", "fl", "bl", "schw")
VOWELS = ("a", "e", "i", "o", "u", "ä", "ö", "ü", "ei", "au", "ie", "eu")
CODAS = ("", "n", "r", "s", "t", "ch", "ng", "nd", "rt", "st", "l", "m", "ck", "tz", "ß")
SYLLABLES = tuple(o + v + c for o in ONSETS for v in VOWELS for c in CODAS)
# The stress test (--dense): 70 syllables, so terms are prefixes of many text words.
DENSE_SYLLABLES = ("ber lin ge sche ung keit ver hand lung stadt rat haus mi nis ter wahl kampf bund "
                   "tag land kreis po li tik ost west wirt schaft recht fra zei tung markt preis ar beit "
                   "frie den krieg trag setz rung gren ze bahn netz werk stoff kraft feld volk amt gut "
                   "reich see berg dorf mann frau kind schul wald meer au ö ü ä ßen").split()
FUNCTION_WORDS = ("der die das und in mit von den zu für auf ist nicht sich dem auch es ein eine "
                  "als wie nach bei aus hat sind wird wurde noch über vor durch gegen um").split()
SIZES = (100, 1_000, 10_000)
HOT_TERMS = 100


_syllables: Sequence[str] = SYLLABLES


def _word(rng: random.Random, low: int = 2, high: int = 4) -> str:
    return "".join(rng.choice(_syllables) for _ in range(rng.randint(low, high)))


def make_terms(count: int, rng: random.Random) -> list[Term]:
    """Distinct synthetic terms: nouns, two-word names, hyphen compounds, acronyms; most with aliases."""
    terms: list[Term] = []
    seen: set[str] = set()
    while len(terms) < count:
        kind = rng.random()
        noun = _word(rng).capitalize()
        if kind < 0.5:
            name = noun
        elif kind < 0.75:
            name = f"{_word(rng, 2, 3)}e {noun}".capitalize()
        elif kind < 0.9:
            name = f"{noun}-{_word(rng, 1, 3).capitalize()}"
        else:
            name = "".join(rng.choice("ABCDEFGHKLMNPRSTUVWZ") for _ in range(rng.randint(2, 5)))
        slug = slugify(name)
        if name in seen or not slug or slug in seen:
            continue
        seen.update((name, slug))
        aliases = tuple(a for a in (name + "s", "".join(w[0] for w in name.replace("-", " ").split()).upper())
                        if rng.random() < 0.6 and a not in seen and len(a) > 2)
        seen.update(aliases)
        terms.append(Term(slug=slug, term=name, aliases=aliases, summary=f"Synthetische Erklärung {slug}.",
                          body="", source=f"content/glossary/{slug}.md"))
    return terms


def make_article(rng: random.Random, vocabulary: Sequence[str], weights: Sequence[float],
                 hot: Sequence[Term], words: int = 800) -> str:
    """Markdown paragraphs of German-like sentences mentioning some of the hot terms."""
    mentions = [t.term for t in rng.sample(list(hot), 15)]
    paragraphs: list[str] = []
    sentences: list[str] = []
    total = 0
    while total < words:
        length = rng.randint(8, 16)
        sentence = []
        for _ in range(length):
            r = rng.random()
            if r < 0.45:
                sentence.append(rng.choice(FUNCTION_WORDS))
            elif r < 0.5 and mentions:
                sentence.append(mentions.pop())
            elif r < 0.55:
                sentence.append(f"{rng.choices(vocabulary, weights)[0]}-{rng.choice(vocabulary)}")
            else:
                sentence.append(rng.choices(vocabulary, weights)[0])
        total += length
        text = " ".join(sentence)
        sentences.append(text[0].upper() + text[1:] + rng.choice(".....?!:"))
        if len(sentences) == 5:
            paragraphs.append(" ".join(sentences))
            sentences = []
    if sentences:
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs) + "\n"


def medians_per_item(funcs: Sequence[Callable[[str], object]], items: Sequence[str],
                     repeats: int) -> list[float]:
    """For each function, the median over items of each item's median time, in µs.

    The functions take turns on every item, so a machine busy with other work
    slows them alike and the ratios between them stay fair.
    """
    per_item = [[[] for _ in items] for _ in funcs]  # type: list[list[list[int]]]
    gc.disable()
    try:
        for _ in range(repeats):
            for index, item in enumerate(items):
                for number, func in enumerate(funcs):
                    start = time.perf_counter_ns()
                    func(item)
                    per_item[number][index].append(time.perf_counter_ns() - start)
    finally:
        gc.enable()
    return [statistics.median(statistics.median(times) for times in timings) / 1_000
            for timings in per_item]


def median_time(func: Callable[[], object], repeats: int) -> float:
    """Median wall time of `func()`, in milliseconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter_ns()
        func()
        times.append(time.perf_counter_ns() - start)
    return statistics.median(times) / 1_000_000


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--dense", action="store_true",
                        help="stress test: 70 syllables, so many text words start with some term")
    args = parser.parse_args(argv)
    global _syllables
    _syllables = DENSE_SYLLABLES if args.dense else SYLLABLES

    rng = random.Random(args.seed)
    all_terms = make_terms(max(SIZES), rng)
    vocabulary = sorted({_word(rng).capitalize() if rng.random() < 0.6 else _word(rng, 1, 3)
                         for _ in range(4000)})
    rng.shuffle(vocabulary)
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    articles = [make_article(rng, vocabulary, weights, all_terms[:HOT_TERMS]) for _ in range(args.articles)]
    words = statistics.mean(len(a.split()) for a in articles)
    print(f"{'dense' if args.dense else 'normal'} vocabulary ({len(_syllables)} syllables), "
          f"{len(articles)} articles, {words:.0f} words and {statistics.mean(map(len, articles)):.0f} "
          f"characters each on average; {args.repeats} repeats; medians")

    builds, builds_inflect, unpickles, sizes_kb, finders, inflecting, renderers, matches = [], [], [], [], [], [], [], []
    for size in SIZES:
        terms = all_terms[:size]
        by_slug = {t.slug: t for t in terms}
        builds.append(median_time(lambda: Matcher(terms), 3))
        builds_inflect.append(median_time(lambda: Matcher(terms, inflect=True), 3))
        matcher = Matcher(terms)
        data = pickle.dumps(matcher)
        unpickles.append(median_time(lambda: pickle.loads(data), 3))
        sizes_kb.append(len(data) / 1024)
        finders.append(matcher.find)
        inflecting.append(Matcher(terms, inflect=True).find)
        md = MarkdownIt("commonmark")
        glossary_plugin(md, matcher, by_slug, term_url=lambda slug: f"/glossar/{slug}/", mode="all")
        renderers.append(lambda text, md=md: md.render(text, {}))
        matches.append(statistics.mean(len(matcher.find(a)) for a in articles))
    find = medians_per_item(finders, articles, args.repeats)
    find_inflect = medians_per_item(inflecting, articles, args.repeats)
    plain = MarkdownIt("commonmark")
    *render, baseline = medians_per_item([*renderers, lambda text: plain.render(text, {})],
                                         articles, args.repeats)
    rows = list(zip(SIZES, builds, unpickles, sizes_kb, find, find_inflect, render, matches, builds_inflect))

    header = (f"{'terms':>7} {'build ms':>9} {'unpickle ms':>12} {'pickle kB':>10} {'find µs':>9} "
              f"{'find+infl µs':>13} {'render µs':>10} {'matches':>8} {'build+infl ms':>14}")
    print(header)
    print("-" * len(header))
    for row in rows:
        print(f"{row[0]:>7,} {row[1]:>9.1f} {row[2]:>12.1f} {row[3]:>10.0f} {row[4]:>9.0f} "
              f"{row[5]:>13.0f} {row[6]:>10.0f} {row[7]:>8.1f} {row[8]:>14.1f}")
    first, last = rows[0], rows[-1]
    print(f"ratio {last[0]:,}/{first[0]:,}: find {last[4] / first[4]:.2f}x, "
          f"find with inflection {last[5] / first[5]:.2f}x, render {last[6] / first[6]:.2f}x")
    print(f"render without glossary plugin: {baseline:.0f} µs per article")


if __name__ == "__main__":
    main()
