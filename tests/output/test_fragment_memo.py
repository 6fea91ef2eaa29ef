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


def test_fragments_kept_first_are_never_forgotten_and_recording_lists_what_was_made(monkeypatch) -> None:
    """The teaser pass (`pipeline.teaser_pass`) records what the memo makes and keeps it for good:
    a full memo starts again without those."""
    env = jinja2.Environment(autoescape=True)
    rendered: list[str] = []
    env.globals.update(remember=(memo := FragmentMemo()), note=lambda name: rendered.append(name) or "")
    template = env.from_string("{% for n in names %}{% call remember(n) %}<b>{{ n }}</b>{{ note(n) }}"
                               "{% endcall %}{% endfor %}")
    memo.made = made = []
    template.render(names=["a", "b", "a"])
    memo.made = None
    assert [key for key, _ in made] == [("a",), ("b",)] and str(made[0][1]) == "<b>a</b>"
    memo.keep_first(made)
    memo.kept.clear()
    monkeypatch.setattr(FragmentMemo, "LIMIT", 2)
    rendered.clear()
    assert template.render(names=["c", "d", "e", "a", "b", "<f>"]) == \
        "<b>c</b><b>d</b><b>e</b><b>a</b><b>b</b><b>&lt;f&gt;</b>"
    assert rendered == ["c", "d", "e", "<f>"] and len(memo.kept) <= 2
    assert memo.get("a") == "<b>a</b>" and memo.get("c") is None and memo.get(["a"]) is None


def test_a_key_that_cannot_be_kept_renders_its_block_every_time() -> None:
    """A theme may pass a list where the default theme passes a tuple (its `feeds`): the block is
    made each time instead of failing the page."""
    env = jinja2.Environment(autoescape=True)
    rendered: list[str] = []
    env.globals.update(remember=FragmentMemo(), note=lambda name: rendered.append(name) or "")
    template = env.from_string('{% for n in names %}{{ remember.get("x", [n]) or "" }}{% call remember("x", [n]) %}'
                               "<b>{{ n }}</b>{{ note(n) }}{% endcall %}{% endfor %}")
    assert template.render(names=["a", "a"]) == "<b>a</b><b>a</b>"
    assert rendered == ["a", "a"]


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


def test_listings_call_the_teaser_macro_only_for_teasers_not_made_yet(tmp_path: Path, monkeypatch) -> None:
    """The archive and the tag page show the same six teasers: the macro runs (and asks the memo
    through its call block) once for each of them; the second listing takes them from the memo."""
    from builder.pipeline.build import BuildOptions, build

    calls: list[tuple] = []
    real = FragmentMemo.__call__

    def counted(self, *key, caller):
        calls.append(key)
        return real(self, *key, caller=caller)

    monkeypatch.setattr(FragmentMemo, "__call__", counted)
    articles = "".join(f"-- content/articles/a{n}.md --\n---\ntitle: \"Artikel {n}\"\ndate: 2022-01-{10 + n}\n"
                       f"tags: [Bündnis]\n---\n\nText {n}.\n" for n in range(6))
    site = write_site(tmp_path / "site", "-- config.yaml --\ntitle: Tageblatt\nbase_url: https://zeitung.example/\n"
                      "related: {count: 0}\n" + articles)
    report = build(BuildOptions(source=site, destination=tmp_path / "out", cache=False, jobs=1))
    assert report.ok
    archive = (tmp_path / "out/archiv/index.html").read_text(encoding="utf-8")
    tag = (tmp_path / "out/themen/buendnis/index.html").read_text(encoding="utf-8")
    assert all(f"Artikel {n}" in archive and f"Artikel {n}" in tag for n in range(6))
    teasers = [key for key in calls if key[0] == "teaser"]
    assert len(teasers) == len(set(teasers)), teasers


def test_a_teaser_with_a_note_is_the_kept_teaser_with_the_note_before_its_date(tmp_path: Path) -> None:
    """"Mehr zum Thema" notes differ from page to page: the teaser without one is made once and kept."""
    from datetime import datetime, timezone
    from types import SimpleNamespace

    import lxml.html

    from builder.content.config import SiteConfig
    from builder.output.templates import Renderer

    renderer = Renderer(tmp_path, SiteConfig(title="Tageblatt"))
    made: list[tuple] = []

    class Counting(FragmentMemo):
        def __call__(self, *key, caller):
            if key not in self.kept:
                made.append(key)
            return super().__call__(*key, caller=caller)

    renderer.set_globals({"remember": Counting()})
    article = SimpleNamespace(slug="a", url="/a/", title="Gipfel <in> Paris", kicker="Diplomatie", summary="Kurz.",
                              authors=(), date=datetime(2022, 1, 26, 19, 50, tzinfo=timezone.utc))
    template = renderer.env.from_string(
        '{% from "_macros.html" import teaser %}{% for note in notes %}'
        '{{ teaser(a, 3, "compact", summary=False, note=note) }}|{% endfor %}')
    first, second, plain, _ = template.render(a=article, notes=["Auch über: NATO", "Auch über: <EU>", ""]).split("|")
    assert made == [("teaser", "a", 3, "compact", False, "")]
    for html, note in ((first, "Auch über: NATO"), (second, "Auch über: <EU>")):
        teaser = lxml.html.fragment_fromstring(html)
        found = teaser.find_class("teaser-note")
        assert len(found) == 1 and found[0].text_content() == note
        assert found[0].getnext().get("class") == "meta" and found[0].getprevious().tag == "h3"
        assert html.replace(f'<p class="teaser-note">{note.replace("<", "&lt;").replace(">", "&gt;")}</p>', "") \
            == plain


def test_header_and_footer_are_made_once_per_marking_and_each_page_marks_its_own_place(tmp_path: Path,
                                                                                          monkeypatch) -> None:
    """base.html asks the memo for its header and footer by their keys (the menus' aria-current marks,
    front or search page, the page's feeds): a build makes each once per key, and every page still marks
    the menu entries of its own place."""
    import lxml.html

    from builder.pipeline.build import BuildOptions, build

    made: list[tuple] = []
    real = FragmentMemo.__call__

    def counted(self, *key, caller):
        if key[0] in ("header", "footer") and key not in self.kept:
            made.append(key)
        return real(self, *key, caller=caller)

    monkeypatch.setattr(FragmentMemo, "__call__", counted)
    articles = "".join(f"-- content/articles/{section}/a{n}.md --\n---\ntitle: \"Artikel {n}\"\n"
                       f"date: 2022-01-{10 + n}\nsection: {section}\n---\n\nText {n}.\n"
                       for n, section in enumerate(["politik", "politik", "politik", "wirtschaft", "wirtschaft"]))
    site = write_site(tmp_path / "site", """
-- config.yaml --
title: Tageblatt
base_url: https://zeitung.example/
sections: [{slug: politik, title: Politik}, {slug: wirtschaft, title: Wirtschaft}]
menus:
  main: [{section: politik}, {section: wirtschaft}]
  footer: [{page: impressum}]
-- content/impressum.md --
---
title: Impressum
---
Verlag.
""" + articles)
    out = tmp_path / "out"
    assert build(BuildOptions(source=site, destination=out, cache=False, jobs=1)).ok
    pages = sorted(out.rglob("*.html"))
    headers = [key for key in made if key[0] == "header"]
    assert len(headers) == len(set(headers)) and 0 < len(headers) < len(pages) / 2, (len(headers), len(pages))

    def marks(path: str, nav: str) -> list[tuple[str | None, str | None]]:
        doc = lxml.html.fromstring((out / path).read_bytes())
        return [(a.get("href"), a.get("aria-current")) for a in doc.xpath(f"//nav[@class='{nav}']//a")]

    assert marks("articles/politik/a0/index.html", "site-nav") == [("/politik/", "true"), ("/wirtschaft/", None)]
    assert marks("articles/wirtschaft/a4/index.html", "site-nav") == [("/politik/", None), ("/wirtschaft/", "true")]
    assert marks("politik/index.html", "site-nav") == [("/politik/", "page"), ("/wirtschaft/", None)]
    assert marks("impressum/index.html", "footer-nav") == [("/impressum/", "page")]
    assert marks("politik/index.html", "footer-nav") == [("/impressum/", None)]
    front = lxml.html.fromstring((out / "index.html").read_bytes())
    assert front.xpath("//a[@class='site-title']/@aria-current") == ["page"]
    assert lxml.html.fromstring((out / "archiv/index.html").read_bytes()).xpath(
        "//a[@class='site-title']/@aria-current") == []
