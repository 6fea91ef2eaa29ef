"""`remember` in templates: a block rendered once per key and build, in bounded memory."""

from __future__ import annotations

from pathlib import Path

import jinja2
from builder.output.templates import FragmentMemo
from builder.pipeline.incremental import IncrementalBuilder
from conftest import write_site


def test_a_block_is_rendered_once_per_key_and_the_memo_starts_again_when_full(monkeypatch) -> None:
    env = jinja2.Environment(autoescape=True)
    rendered: list[str] = []
    env.globals.update(remember=FragmentMemo(), note=lambda name: rendered.append(name) or "")
    template = env.from_string("{% for n in names %}{% call remember(n) %}<b>{{ n }}</b>{{ note(n) }}"
                               "{% endcall %}{% endfor %}")
    assert template.render(names=["a", "b", "a", "<c>", "b"]) == "<b>a</b><b>b</b><b>a</b><b>&lt;c&gt;</b><b>b</b>"
    assert rendered == ["a", "b", "<c>"]
    monkeypatch.setattr(FragmentMemo, "LIMIT", 2)
    env.globals["remember"] = memo = FragmentMemo()
    rendered.clear()
    template.render(names=["a", "b", "c", "a"])
    assert rendered == ["a", "b", "c", "a"] and len(memo.kept) <= 2


def test_teasers_follow_an_edited_title_in_every_listing_of_the_next_build(tmp_path: Path) -> None:
    """The preview keeps its renderer from build to build; each build has a memo of its own."""
    site = write_site(tmp_path / "site", """
-- config.yaml --
title: "Tageblatt"
base_url: "https://zeitung.example/"
paths: {glossary: glossar, tags: themen}
-- content/glossary/nato.md --
---
term: NATO
---

Ein Bündnis.
-- content/articles/a.md --
---
title: "Alter Titel"
date: 2022-01-26
tags: [Bündnis]
---

Die NATO antwortet.
-- content/articles/b.md --
---
title: "Zweiter Artikel"
date: 2022-01-25
tags: [Bündnis]
related: [a]
---

Auch die NATO.
""")
    preview = IncrementalBuilder(site, jobs=1)
    assert preview.build().ok
    article = site / "content/articles/a.md"
    article.write_text(article.read_text(encoding="utf-8").replace("Alter Titel", "Neuer Titel"), encoding="utf-8")
    outcome = preview.build()
    for page in ("index.html", "archiv/index.html", "themen/buendnis/index.html", "glossar/nato/index.html",
                 "articles/b/index.html"):
        html = outcome.files[page].decode()
        assert "Neuer Titel" in html and "Alter Titel" not in html, page
