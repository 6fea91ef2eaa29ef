"""A deterministic synthetic news site: N German-like articles, M glossary terms, tags.

Run: .venv/bin/python benchmarks/corpus.py DEST --articles 1000 --terms 300

Words are built from German syllables with a Zipf-like frequency; each
article belongs to a topic whose own words and terms it uses more often, so
related articles are meaningful. Terms have inflected aliases (genitive -s,
plural -en) and the text uses those forms. The same arguments always give the
same files, byte for byte.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

SYLLABLES = ["ver", "be", "ge", "ent", "an", "aus", "ein", "vor", "nach", "zu", "ab", "auf", "mit",
             "hand", "kauf", "bau", "wahl", "recht", "schutz", "kraft", "stadt", "land", "markt",
             "zug", "werk", "spiel", "weg", "grenz", "steuer", "fried", "streit", "arbeit", "wirt",
             "schul", "haus", "feld", "berg", "wasser", "strom", "flug", "bahn", "geld", "preis",
             "lohn", "klima", "wald", "hafen", "zoll", "macht", "volk", "rat", "amt", "dienst", "kunst",
             "bild", "wort", "druck", "schiff", "brück", "straß", "ung", "heit", "keit", "schaft", "er",
             "nis", "tum", "en", "lich", "isch", "ig", "ä", "ö", "ü", "ß"]
FUNCTION_WORDS = ["der", "die", "das", "und", "in", "den", "von", "zu", "mit", "sich", "des", "auf",
                  "für", "ist", "im", "dem", "nicht", "ein", "eine", "als", "auch", "es", "an", "werden",
                  "aus", "er", "hat", "dass", "sie", "nach", "wird", "bei", "einer", "um", "am", "sind",
                  "noch", "wie", "einem", "über", "einen", "so", "zum", "war", "haben", "nur", "oder"]
TAGS = ["Außenpolitik", "Innenpolitik", "Wirtschaft", "Energie", "Klima", "Verteidigung", "Bildung",
        "Gesundheit", "Verkehr", "Justiz", "Europa", "Osteuropa", "Nahost", "Handel", "Finanzen",
        "Landwirtschaft", "Migration", "Digitales", "Kultur", "Sport", "Ukraine-Krise", "Diplomatie",
        "Sanktionen", "Wahlen", "Parteien", "Sicherheit", "Forschung", "Medien", "Soziales", "Arbeit"]
WORDS_PER_ARTICLE = 800
TOPICS = 60


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    words: dict[str, None] = {}
    while len(words) < size:
        word = _word(rng)
        words[word.capitalize() if rng.random() < 0.35 else word] = None
    return list(words)


def _terms(rng: random.Random, count: int) -> list[tuple[str, list[str]]]:
    names: dict[str, list[str]] = {}
    folded: set[str] = set()   # "IGBE" and "Igbe" are one term to the glossary
    while len(names) < count:
        kind = rng.random()
        base = _word(rng).capitalize()
        if kind < 0.2:
            name = f"{base}-{_word(rng).capitalize()}"
        elif kind < 0.35:
            name = f"{_word(rng)}e {base}"
        elif kind < 0.45:
            name = base.upper()[:4]
        else:
            name = base
        if name.casefold() in folded or len(name) < 3:
            continue
        folded.add(name.casefold())
        aliases = [] if name.isupper() else [name + "s", name + "en"]
        names[name] = aliases
    return list(names.items())


def minutes_apart(articles: int) -> int:
    """Every article in the past (a scheduled one is left out of the build): 6.6 hours apart up
    to 10,000 articles, as always, closer for larger archives, all within about eight years."""
    return max(1, min(397, 4_000_000 // max(articles, 1)))


def generate(dest: Path, articles: int, terms: int, seed: int = 2022) -> None:
    """Write config.yaml and content/ for a synthetic site into `dest`."""
    rng = random.Random(seed)
    vocab = _vocabulary(rng, 8000)
    weights = list(itertools.accumulate(1 / (rank + 1) ** 1.05 for rank in range(len(vocab))))
    glossary = _terms(rng, terms)
    topics = [(rng.sample(vocab[200:], 40), rng.sample(range(len(glossary)), min(12, len(glossary))),
               rng.sample(TAGS, 3)) for _ in range(TOPICS)]
    (dest / "content" / "articles").mkdir(parents=True, exist_ok=True)
    (dest / "content" / "glossary").mkdir(parents=True, exist_ok=True)
    (dest / "config.yaml").write_text(
        'title: "Synthetische Zeitung"\nbase_url: "https://example.org/"\npaginate: 20\n'
        "glossary:\n  inflect: false\n", encoding="utf-8")
    for index, (name, aliases) in enumerate(glossary):
        summary = " ".join(rng.choices(vocab, cum_weights=weights, k=18))
        body = " ".join(rng.choices(vocab, cum_weights=weights, k=60))
        alias_list = ", ".join(f'"{a}"' for a in aliases)
        (dest / "content" / "glossary" / f"begriff-{index:05d}.md").write_text(
            f'---\nterm: "{name}"\naliases: [{alias_list}]\n---\n\n{summary.capitalize()}.\n\n{body}.\n',
            encoding="utf-8")
    start = datetime(2015, 1, 1, 6, 0, tzinfo=timezone(timedelta(hours=1)))
    step = minutes_apart(articles)
    for index in range(articles):
        topic_words, topic_terms, topic_tags = topics[rng.randrange(TOPICS)]
        paragraphs = []
        words_left = WORDS_PER_ARTICLE
        while words_left > 0:
            sentence_words = []
            for _ in range(rng.randint(60, 110)):
                roll = rng.random()
                if roll < 0.35:
                    sentence_words.append(rng.choice(FUNCTION_WORDS))
                elif roll < 0.45:
                    sentence_words.append(rng.choice(topic_words))
                elif roll < 0.47 and glossary:
                    name, aliases = glossary[rng.choice(topic_terms)]
                    sentence_words.append(rng.choice([name, *aliases]))
                else:
                    sentence_words.append(vocab[bisect.bisect(weights, rng.random() * weights[-1])])
            words_left -= len(sentence_words)
            text = " ".join(sentence_words)
            paragraphs.append(text[0].upper() + text[1:] + ".")
        if len(paragraphs) > 3:
            paragraphs.insert(2, f"## {' '.join(rng.choices(topic_words, k=3)).capitalize()}")
        tags = rng.sample(topic_tags, 2) + ([rng.choice(TAGS)] if rng.random() < 0.3 else [])
        date = start + timedelta(minutes=index * step + rng.randrange(min(300, step)))
        title = " ".join(rng.choices(topic_words, k=4)).capitalize()
        summary = " ".join(rng.choices(vocab, cum_weights=weights, k=20)).capitalize() + "."
        (dest / "content" / "articles" / f"artikel-{index:05d}.md").write_text(
            f'---\ntitle: "{title}"\ndate: {date.isoformat()}\nsummary: "{summary}"\n'
            f"tags: [{', '.join(dict.fromkeys(tags))}]\nauthors: [Redaktion]\n---\n\n"
            + "\n\n".join(paragraphs) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--terms", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2022)
    args = parser.parse_args()
    generate(args.dest, args.articles, args.terms, args.seed)


if __name__ == "__main__":
    main()
