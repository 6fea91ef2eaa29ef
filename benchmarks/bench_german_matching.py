"""Benchmark: German term matching — quality on the evaluation set, cost per article, cost of forms.

Quality: precision and recall, overall and per tag, on benchmarks/data/german_eval/
(331 German news sentences written for this repository, 45 politics terms, gold
spans), for three matchers: exact forms, today's `inflect` suffixes, and the new
German forms (noun lexicon + adjective declension, `builder.text.forms`).

Cost: the time `Matcher.find` takes per article for today's `inflect` matcher and
the new one (interleaved in one run, median, and their ratio), and the time and
memory of computing the forms of 300 and 3,000 terms cold (lexicon read), warm
from the forms file (a new build process) and warm from the process memo (a
live-reload edit).

    .venv/bin/python benchmarks/bench_german_matching.py [--repeats 7] [--no-cost]

The functions `load_glossary`, `load_sentences`, `evaluate` and `MATCHERS` are also used by
tests/text/test_german_eval.py, which fails when the new matching drops below its targets.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import random
import re
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Callable, Iterable, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml  # noqa: E402

from builder.content.model import Term  # noqa: E402
from builder.text import forms as forms_module  # noqa: E402
from builder.text.forms import glossary_forms  # noqa: E402
from builder.text.glossary import Matcher  # noqa: E402

DATA = Path(__file__).resolve().parent / "data" / "german_eval"
_GOLD = re.compile(r"\[([^\[\]|]+)\|([^\]]+)\]")
_ESCAPES = {"{shy}": "\u00ad", "{nbsp}": "\u00a0"}
TARGETS = {"precision": 0.98, "recall": 0.95, "tag_recall": 0.90}
# The commit before German forms: "exact" and "inflect (today)" run its matcher, read with `git show`.
TODAY_COMMIT = "ff8c6b29f67ad8558ce3fa2657772a9689603ed6"
_today_module: list[ModuleType | None] = []


def today_glossary_module() -> ModuleType | None:
    """builder/text/glossary.py as it was at TODAY_COMMIT, or None without git (then today's
    matchers are approximated by the current Matcher without generated forms)."""
    if not _today_module:
        repo = Path(__file__).resolve().parent.parent
        try:
            source = subprocess.run(["git", "-C", str(repo), "show", f"{TODAY_COMMIT}:builder/text/glossary.py"],
                                    capture_output=True, text=True, check=True, timeout=30).stdout
        except (OSError, subprocess.SubprocessError):
            _today_module.append(None)
        else:
            spec = importlib.util.spec_from_loader("builder.text._glossary_before_forms", loader=None)
            assert spec is not None
            module = importlib.util.module_from_spec(spec)
            module.__package__ = "builder.text"
            exec(compile(source, f"glossary.py@{TODAY_COMMIT[:8]}", "exec"), module.__dict__)
            _today_module.append(module)
    return _today_module[0]


@dataclass(frozen=True)
class Sentence:
    tag: str
    text: str
    gold: frozenset[tuple[int, int, str]]   # (start, end, slug)


def load_glossary(path: Path = DATA / "glossary.yaml") -> list[Term]:
    """The evaluation glossary as terms (no Markdown files: only what matching needs)."""
    terms = []
    for item in yaml.safe_load(path.read_text(encoding="utf-8")):
        terms.append(Term(slug=item["slug"], term=item["term"], aliases=tuple(item.get("aliases", ())),
                          summary="", body="", source=f"glossary/{item['slug']}.md",
                          listed_forms=tuple(item.get("forms", ())), not_forms=tuple(item.get("not_forms", ())),
                          exclude=tuple(item.get("exclude", ()))))
    return terms


def parse_line(tag: str, marked: str) -> Sentence:
    """A sentence with [text|slug] gold markup → its plain text and gold spans."""
    for escape, char in _ESCAPES.items():
        marked = marked.replace(escape, char)
    text, gold, position = [], set(), 0
    length = 0
    for m in _GOLD.finditer(marked):
        before = marked[position:m.start()]
        text.append(before)
        length += len(before)
        text.append(m.group(1))
        gold.add((length, length + len(m.group(1)), m.group(2)))
        length += len(m.group(1))
        position = m.end()
    text.append(marked[position:])
    return Sentence(tag, "".join(text), frozenset(gold))


def load_sentences(path: Path = DATA / "sentences.txt") -> list[Sentence]:
    sentences = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        tag, _, marked = line.partition("\t")
        if not marked:
            raise ValueError(f"{path}:{number}: expected TAG<TAB>sentence")
        sentences.append(parse_line(tag, marked))
    return sentences


def _as_today(terms: Sequence[Term]) -> list[Term]:
    """The terms as today's matcher sees them: without forms:, not_forms: and exclude:."""
    return [replace(t, listed_forms=(), not_forms=(), exclude=()) for t in terms]


def exact_matcher(terms: Sequence[Term]) -> Matcher:
    module = today_glossary_module()
    return (module.Matcher if module else Matcher)(_as_today(terms), inflect=False)


def inflect_matcher(terms: Sequence[Term]) -> Matcher:
    module = today_glossary_module()
    return (module.Matcher if module else Matcher)(_as_today(terms), inflect=True)


def german_matcher(terms: Sequence[Term], cache_dir: Path | None = None) -> Matcher:
    return Matcher(terms, forms=glossary_forms(terms, declension=True, cache_dir=cache_dir))


MATCHERS: dict[str, Callable[[Sequence[Term]], Matcher]] = {
    "exact": exact_matcher,
    "inflect (today)": inflect_matcher,
    "german forms (new)": german_matcher,
}


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def gold(self) -> int:
        return self.tp + self.fn


def evaluate(matcher: Matcher, sentences: Iterable[Sentence]) -> tuple[Score, dict[str, Score]]:
    """Overall and per-tag scores; a span counts only with the same start, end and term."""
    overall, by_tag = Score(), {}
    for sentence in sentences:
        found = {(m.start, m.end, m.slug) for m in matcher.find(sentence.text)}
        tag = by_tag.setdefault(sentence.tag, Score())
        for score in (overall, tag):
            score.tp += len(found & sentence.gold)
            score.fp += len(found - sentence.gold)
            score.fn += len(sentence.gold - found)
        for start, end, slug in sorted(found ^ sentence.gold):
            kind = "false positive" if (start, end, slug) in found else "missed"
            overall.errors.append(f"{sentence.tag}: {kind} '{sentence.text[start:end]}' ({slug}) in: {sentence.text}")
    return overall, by_tag


# --- cost ------------------------------------------------------------------------------------

def _articles(sentences: Sequence[Sentence], count: int, rng: random.Random) -> list[list[str]]:
    """Articles of 8 paragraphs of 4 sentences from the evaluation set (about 450 words each)."""
    texts = [s.text for s in sentences]
    return [[" ".join(rng.choice(texts) for _ in range(4)) for _ in range(8)] for _ in range(count)]


def _time_per_article(find: Callable[[str], object], articles: Sequence[Sequence[str]]) -> float:
    start = time.perf_counter()
    for paragraphs in articles:
        for paragraph in paragraphs:
            find(paragraph)
    return (time.perf_counter() - start) / len(articles)


def demo_site() -> tuple[list[Term], list[list[str]]]:
    """The demo's glossary and its articles' paragraphs (the repository root is the demo site)."""
    from builder.content.validate import LoadOptions, load_term
    from zoneinfo import ZoneInfo
    root = Path(__file__).resolve().parent.parent
    terms = []
    for path in sorted((root / "content" / "glossary").glob("*.md")):
        term, _ = load_term(path.relative_to(root).as_posix(), path.read_text(encoding="utf-8"),
                            LoadOptions(tz=ZoneInfo("Europe/Berlin")))
        if term is not None:
            terms.append(term)
    articles = []
    for path in sorted((root / "content" / "articles").rglob("*.md")):
        body = path.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
        articles.append([" ".join(p.split()) for p in body.split("\n\n") if p.strip()])
    return terms, articles


def matching_cost(terms: Sequence[Term], articles: Sequence[Sequence[str]], repeats: int) -> tuple[float, float]:
    """Seconds per article for today's `inflect` matcher and the new one: runs interleaved, the
    fastest of `repeats` (the least disturbed by other processes) of each."""
    today, new = inflect_matcher(terms).find, german_matcher(terms).find
    times: dict[str, list[float]] = {"today": [], "new": []}
    gc.disable()
    try:
        for _ in range(repeats):
            times["today"].append(_time_per_article(today, articles))
            times["new"].append(_time_per_article(new, articles))
    finally:
        gc.enable()
    return min(times["today"]), min(times["new"])


ADJECTIVES = ("Europäische", "Nationale", "Internationale", "Gemeinsame", "Vereinte", "Neue", "Kalte",
              "Freie", "Soziale", "Föderale", "Atlantische", "Östliche", "Westliche", "Zentrale")
_STRONG = {"m": "r", "f": "", "n": "s"}


def lexicon_terms(count: int) -> list[Term]:
    """`count` distinct terms from the lexicon: nouns, every fifth with an adjective, some compounds."""
    from builder.text.lexicon import Lexicon
    lexicon = Lexicon()
    nouns: list[tuple[str, str]] = []
    for line in lexicon.path.read_text(encoding="utf-8").splitlines()[1::7]:
        lemma, _, rest = line.partition(",")
        if rest.startswith("Substantiv,") and lemma.isalpha() and lemma[:1].isupper() and len(lemma) > 4:
            gender = rest.split(",")[1]
            if gender in _STRONG:
                nouns.append((lemma, gender))
    rng = random.Random(3)
    rng.shuffle(nouns)
    terms, seen = [], set()
    for index, (noun, gender) in enumerate(nouns):
        name = (f"{ADJECTIVES[index % len(ADJECTIVES)]}{_STRONG[gender]} {noun}" if index % 5 == 0
                else f"{noun}{nouns[index - 1][0].lower()}" if index % 7 == 0 else noun)
        if name not in seen:
            seen.add(name)
            terms.append(Term(slug=f"t{index}", term=name, aliases=(), summary="", body="", source=f"g/{index}.md"))
        if len(terms) == count:
            break
    return terms


def forms_cost(count: int) -> dict[str, float]:
    """Seconds (and MB) to compute the forms of `count` terms: cold, warm from the file, warm from the memo."""
    terms = lexicon_terms(count)
    result: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        cache = Path(folder)
        forms_module.forget()
        gc.collect()
        start = time.perf_counter()
        glossary_forms(terms, declension=True, cache_dir=cache)
        result["cold"] = time.perf_counter() - start
        forms_module.forget()
        gc.collect()
        tracemalloc.start()   # a second cold run: tracing slows Python down severalfold
        glossary_forms(terms, declension=True)
        result["cold_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        result["forms"] = sum(len(f.forms) for f in glossary_forms(terms, declension=True).values())
        result["file_kb"] = (cache / forms_module.CACHE_FILE).stat().st_size / 1e3
        warm_file = []
        for _ in range(3):
            forms_module.forget()
            start = time.perf_counter()
            glossary_forms(terms, declension=True, cache_dir=cache)
            warm_file.append(time.perf_counter() - start)
        result["warm_file"] = min(warm_file)
        start = time.perf_counter()
        glossary_forms(terms, declension=True, cache_dir=cache)
        result["warm_memo"] = time.perf_counter() - start
        edited = list(terms)
        edited[0] = replace(edited[0], listed_forms=("Etwas",), not_forms=("Anderes",))
        start = time.perf_counter()
        glossary_forms(edited, declension=True, cache_dir=cache)
        result["edit_forms"] = time.perf_counter() - start
        edited.append(Term(slug="neu", term="Nordatlantische Versammlung", aliases=(), summary="", body="",
                           source="g/neu.md"))
        start = time.perf_counter()
        glossary_forms(edited, declension=True, cache_dir=cache)
        result["new_term"] = time.perf_counter() - start
        forms = glossary_forms(terms, declension=True, cache_dir=cache)
        start = time.perf_counter()
        Matcher(terms, forms=forms)
        result["matcher"] = time.perf_counter() - start
        start = time.perf_counter()
        inflect_matcher(terms)
        result["matcher_today"] = time.perf_counter() - start
    return result


def lexicon_read_cost() -> float:
    from builder.text.lexicon import Lexicon
    start = time.perf_counter()
    Lexicon()
    return time.perf_counter() - start


# --- report ----------------------------------------------------------------------------------

def print_quality(terms: Sequence[Term], sentences: Sequence[Sentence], show_errors: bool) -> None:
    gold = sum(len(s.gold) for s in sentences)
    print(f"German term matching: {len(sentences)} sentences, {gold} gold spans, {len(terms)} terms "
          f"({DATA.relative_to(DATA.parent.parent.parent)})")
    print(f"exact and today's matcher: builder/text/glossary.py at {TODAY_COMMIT[:10]}" if today_glossary_module()
          else "exact and today's matcher: approximated (no git), the current Matcher without generated forms")
    results = {name: evaluate(make(terms), sentences) for name, make in MATCHERS.items()}
    print(f"\n{'matcher':<20} {'precision':>9} {'recall':>7} {'tp':>5} {'fp':>4} {'fn':>4}")
    for name, (overall, _) in results.items():
        print(f"{name:<20} {overall.precision:>9.3f} {overall.recall:>7.3f} {overall.tp:>5} {overall.fp:>4} {overall.fn:>4}")
    tags = list(dict.fromkeys(s.tag for s in sentences))
    names = list(results)
    print("\nby tag: recall (precision)      " + "  ".join(f"{n:>18}" for n in names))
    for tag in tags:
        cells = []
        for name in names:
            score = results[name][1][tag]
            cells.append(f"{score.recall:.2f} ({score.precision:.2f})".rjust(18) if score.gold
                         else f"- ({score.precision:.2f})".rjust(18))
        count = sum(1 for s in sentences if s.tag == tag)
        print(f"  {tag:<15} {count:>3} sent. {results[names[0]][1][tag].gold:>3} gold " + "  ".join(cells))
    if show_errors:
        print("\nerrors of the new matching:")
        for line in results["german forms (new)"][0].errors:
            print("  " + line)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--no-cost", action="store_true", help="only precision and recall")
    parser.add_argument("--errors", action="store_true", help="list the new matching's errors")
    args = parser.parse_args(argv)
    terms, sentences = load_glossary(), load_sentences()
    print_quality(terms, sentences, args.errors)
    if args.no_cost:
        return 0
    print(f"\nper-article matching, Matcher.find over every paragraph (fastest of {args.repeats} interleaved runs):")
    demo_terms, demo_articles = demo_site()
    words = sum(len(p.split()) for a in demo_articles for p in a) // max(1, len(demo_articles))
    dense = _articles(sentences, 200, random.Random(7))
    big = lexicon_terms(3_000)
    for label, glossary, articles in (
            (f"demo site: {len(demo_articles)} articles (~{words} words), {len(demo_terms)} terms", demo_terms, demo_articles),
            (f"demo site, {len(demo_terms) + len(big):,} terms (3,000 from the lexicon)", demo_terms + big, demo_articles),
            ("evaluation sentences (~1 term per 10 words): 200 articles of 32, 45 terms", terms, dense)):
        today, new = matching_cost(glossary, articles, args.repeats)
        found = [sum(len(make(glossary).find(p)) for a in articles for p in a) / len(articles)
                 for make in (inflect_matcher, german_matcher)]
        print(f"  {label}:\n    today's inflect {today * 1e6:8.1f} µs   new {new * 1e6:8.1f} µs   "
              f"ratio new/today {new / today:.2f}   (matches per article: {found[0]:.1f} and {found[1]:.1f})")
    print(f"\nopening the lexicon (nouns.csv, memory-mapped): {lexicon_read_cost() * 1e3:.1f} ms")
    for count in (300, 3_000):
        cost = forms_cost(count)
        print(f"forms of {count:,} terms ({int(cost['forms']):,} forms, forms file {cost['file_kb']:.0f} kB):")
        print(f"  cold (lexicon read)        {cost['cold'] * 1e3:8.1f} ms   peak {cost['cold_peak_mb']:.0f} MB (tracemalloc)")
        print(f"  warm, from the forms file  {cost['warm_file'] * 1e3:8.1f} ms   (a new build process)")
        print(f"  warm, from the memo        {cost['warm_memo'] * 1e3:8.1f} ms   (a live-reload edit)")
        print(f"  forms:/not_forms: edited   {cost['edit_forms'] * 1e3:8.1f} ms   (no lexicon)")
        print(f"  a term added               {cost['new_term'] * 1e3:8.1f} ms   (the lexicon read for its phrase)")
        print(f"  building the matcher       {cost['matcher'] * 1e3:8.1f} ms   (today's: {cost['matcher_today'] * 1e3:.1f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
