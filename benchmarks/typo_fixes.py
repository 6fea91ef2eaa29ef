"""How many one-word typo fixes leave an article's top words as they were.

Such a fix can take the preview's shortcut for an edit of an article's text
alone (`builder/pipeline/body_edit.py`), unless a glossary term or a link is in
the word. For every article under FOLDER with at least 20 words, ten times: two
neighbouring letters of one word (of four letters or more) are swapped, and the
top words (`textstats.term_frequencies`, what the link stage reads) are compared
with the original's. Fixing the typo is the same edit the other way round.

Run:  .venv/bin/python benchmarks/typo_fixes.py content/articles
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from builder.text.textstats import term_frequencies  # noqa: E402

WORD = re.compile(r"\b[^\W\d_]{4,}\b")


def main(folder: Path, per_article: int = 10) -> None:
    rng = random.Random(1)
    kept = total = 0
    files = sorted(folder.rglob("*.md"))
    for path in files:
        text = path.read_text(encoding="utf-8")
        if not text.startswith("---"):
            continue
        body = text.split("---", 2)[2]
        words = list(WORD.finditer(body))
        if len(words) < 20:
            continue
        top = term_frequencies(body)
        for _ in range(per_article):
            found = rng.choice(words)
            word, at = found.group(), rng.randrange(len(found.group()) - 1)
            typo = word[:at] + word[at + 1] + word[at] + word[at + 2:]
            total += 1
            kept += term_frequencies(body[:found.start()] + typo + body[found.end():]) == top
    print(f"{len(files)} files, {total} typo fixes: {kept} ({kept / max(total, 1):.0%}) keep the top words")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "content/articles"))
