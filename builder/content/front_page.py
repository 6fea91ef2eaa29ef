"""The front page's blocks from `config.yaml` (`front_page:`), checked line by line.

```yaml
front_page:                  # top to bottom
  - lead                     # the lead story: the newest article, or the newest one marked `featured: true`
  - section: nachrichten     # a section's newest articles, each with a small crop of its lead image
    count: 4
  - latest                   # the newest articles not shown above, then a link to the archive
```

Without `front_page:` the front page shows the lead story, a block per section
and the latest articles. Which articles a block shows is decided later
(`builder.output.front_page`); here only the shape and the section names are checked.
Titles are optional: the theme's templates hold the default wording.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from .site_structure import Section

Problem = Callable[..., None]   # problem(key, message, severity="error", hint=None)

BLOCK_KINDS = ("lead", "section", "latest")
SECTION_COUNT = 4               # articles in a section block unless `count:` says otherwise


@dataclass(frozen=True)
class FrontBlock:
    """One block of the front page: `kind` is lead, section or latest."""

    kind: str
    section: str = ""              # the section's slug (kind "section")
    count: int = 0                 # 0: the default (1 for the lead, 4 per section, `paginate` for latest)
    title: str = ""                # "": the theme's wording
    line: int | None = None


def default_front_page(sections: Sequence[Section]) -> tuple[FrontBlock, ...]:
    """The front page of a site without `front_page:`: lead, a block per section, the latest articles."""
    return (FrontBlock("lead"), *(FrontBlock("section", s.slug) for s in sections), FrontBlock("latest"))


def parse_front_page(value: Any, lines: dict[str, int], problem: Problem) -> tuple[FrontBlock, ...]:
    """`front_page:` as a list of blocks: `lead`, `latest`, or mappings naming one kind."""
    if not isinstance(value, list):
        problem("front_page", "'front_page' must be a list of blocks", hint="write '- lead', '- section: politik', "
                "'- latest'")
        return ()
    blocks: list[FrontBlock] = []
    for index, raw in enumerate(value):
        key = f"front_page[{index}]"
        block = _block(raw, key, lines, problem)
        if block is None:
            continue
        if block.kind == "lead" and any(b.kind == "lead" for b in blocks):
            problem(key if key in lines else "front_page", f"front page block {index + 1}: the front page has "
                    "one lead story", hint="remove one 'lead'")
            continue
        blocks.append(block)
    return tuple(blocks)


def _block(raw: Any, key: str, lines: dict[str, int], problem: Problem) -> FrontBlock | None:
    # YAML gives lines to mappings only: a plain `- lead` is told by its number
    line = lines.get(key, lines.get("front_page"))
    where = key if key in lines else "front_page"
    number = int(key[key.index("[") + 1:-1]) + 1
    if isinstance(raw, str):
        raw = {raw.strip(): True}
    if not isinstance(raw, dict):
        problem(where, f"front page block {number} must be 'lead', 'latest' or a mapping like "
                "'{section: politik}'")
        return None
    kinds = [kind for kind in BLOCK_KINDS if kind in raw]
    unknown = sorted(set(raw) - set(BLOCK_KINDS) - {"count", "title"}, key=str)
    if unknown:
        problem(f"{key}.{unknown[0]}" if f"{key}.{unknown[0]}" in lines else where,
                f"front page block {number}: unknown block or key '{unknown[0]}'",
                hint=f"a block is one of {', '.join(BLOCK_KINDS)}, with 'count' and 'title'")
        return None
    if len(kinds) != 1:
        problem(where, f"front page block {number} names exactly one of: " + ", ".join(BLOCK_KINDS))
        return None
    kind = kinds[0]
    target, count, title = raw[kind], raw.get("count", 0), raw.get("title", "")
    if kind == "section":
        if not isinstance(target, str) or not target.strip():
            problem(f"{key}.section" if f"{key}.section" in lines else where,
                    "'section' of a front page block must name a section's slug")
            return None
        target = target.strip()
    elif target is not True:
        problem(f"{key}.{kind}" if f"{key}.{kind}" in lines else where, f"write '- {kind}' or '{kind}: true'")
        return None
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        problem(f"{key}.count" if f"{key}.count" in lines else where, "'count' of a front page block must be a "
                "positive integer")
        count = 0
    if kind == "lead" and count > 1:
        problem(f"{key}.count" if f"{key}.count" in lines else where, "the lead block shows one article",
                "warning", hint="leave 'count' out")
        count = 0
    if not isinstance(title, str):
        problem(f"{key}.title" if f"{key}.title" in lines else where, "'title' of a front page block must be text")
        title = ""
    return FrontBlock(kind, target if kind == "section" else "", count, title.strip(), line)


def check_front_page(blocks: Sequence[FrontBlock], sections: Sequence[Section],
                     problem_at: Callable[[int | None, str, str | None], None]) -> tuple[FrontBlock, ...]:
    """The blocks whose section exists; an unknown one is an error on its line, with a did-you-mean."""
    import difflib

    from ..util.slug import slugify

    known = {s.slug for s in sections}
    kept: list[FrontBlock] = []
    for block in blocks:
        if block.kind != "section":
            kept.append(block)
            continue
        slug = slugify(block.section)
        if slug in known:
            kept.append(FrontBlock(block.kind, slug, block.count, block.title, block.line))
            continue
        close = difflib.get_close_matches(slug, sorted(known), n=1)
        problem_at(block.line, f"front page block: there is no section '{block.section}'",
                   f"did you mean '{close[0]}'?" if close else "add it to 'sections:' in config.yaml")
    return tuple(kept)
