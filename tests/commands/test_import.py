"""`python -m builder import hugo|jekyll`: configuration read, files placed, old URLs kept, the to-do list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from builder.commands.importer.common import add_aliases, read_front_matter
from builder.commands.importer.hugo import read_config
from builder.pipeline.build import BuildOptions, build
from conftest import write_site


def imported(cli, generator: str, src: Path, dest: Path) -> dict:
    run = cli("import", generator, src, dest, "--format", "json")
    assert run.code in (0, 1), run.err
    return json.loads(run.out)


def statuses(report: dict) -> dict[str, str]:
    return {url["old"]: url["status"] for url in report["urls"]}


# -- aliases written into front matter ------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("---\ntitle: A\n---\nText\n", "---\naliases: [\"/alt/\", \"/a.html\"]\ntitle: A\n---\nText\n"),
    ("\n---\ntitle: A\naliases: [/x/]\n---\n", "\n---\nredirect_from: [\"/alt/\", \"/a.html\"]\ntitle: A\n"
                                             "aliases: [/x/]\n---\n"),
    ('+++\ntitle = "A"\n[params]\nx = 1\n+++\n', '+++\naliases = ["/alt/", "/a.html"]\ntitle = "A"\n[params]\n'
                                                 'x = 1\n+++\n'),
    ('{\n  "title": "A"\n}\nText\n', '{\n  "aliases": ["/alt/", "/a.html"],\n  "title": "A"\n}\nText\n'),
    ("Nur Text\n", "---\naliases: [\"/alt/\", \"/a.html\"]\n---\nNur Text\n"),
])
def test_aliases_go_to_the_top_of_front_matter_in_its_own_format(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "a.md"
    path.write_text(text, encoding="utf-8")
    assert add_aliases(path, ["/alt/", "/a.html"])
    assert path.read_text(encoding="utf-8") == expected
    data = read_front_matter(path)
    assert data is not None and ({"/alt/", "/a.html"} <= set(data.get("aliases", []) + data.get("redirect_from", [])))


def test_a_file_with_both_alias_keys_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("---\naliases: [/x/]\nredirect_from: [/y/]\n---\n", encoding="utf-8")
    assert not add_aliases(path, ["/z/"])
    assert path.read_text(encoding="utf-8") == "---\naliases: [/x/]\nredirect_from: [/y/]\n---\n"


# -- Hugo -------------------------------------------------------------------------------------------

def test_hugo_configuration_files_are_merged_with_keys_in_any_case(tmp_path: Path) -> None:
    write_site(tmp_path, """
-- hugo.toml --
baseURL = "https://example.org/"
Title = "Alt"
[permalinks]
  posts = "/:year/:title/"
-- config/_default/params.yaml --
description: Beschreibung
-- config/_default/menus/menus.de.toml --
[[main]]
name = "Blog"
url = "/blog/"
-- config.yaml --
title: ignored, hugo.toml comes first
""")
    config, read = read_config(tmp_path)
    assert read == ["hugo.toml", "config/_default/menus/menus.de.toml", "config/_default/params.yaml"]
    assert config["baseurl"] == "https://example.org/" and config["title"] == "Alt"
    assert config["permalinks"] == {"posts": "/:year/:title/"}
    assert config["params"] == {"description": "Beschreibung"}
    assert config["languages"]["de"]["menus"] == {"main": [{"name": "Blog", "url": "/blog/"}]}


HUGO_SITE = """
-- config.toml --
baseURL = "https://blog.example.org/"
languageCode = "de-de"
title = "Altes Blog"
theme = "ananke"
timeZone = "Europe/Berlin"
paginate = 5
[permalinks]
  posts = "/:year/:month/:title/"
[taxonomies]
  tag = "tags"
  series = "series"
[[menu.main]]
  name = "Archiv"
  url = "/posts/"
  weight = 2
[[menu.main]]
  name = "Über"
  pageRef = "/about"
  weight = 1
-- content/posts/_index.md --
---
title: Beiträge
---
-- content/posts/erster-beitrag.md --
+++
title = "Erster Beitrag: Hallo!"
date = 2021-03-04T10:00:00+01:00
+++
{{< gallery dir="/img" >}}
-- content/posts/entwurf.md --
---
title: Entwurf
date: 2021-05-01
draft: true
---
-- content/posts/ohne-datum.md --
---
title: Ohne Datum
---
-- content/about.md --
---
title: Über
---
-- content/posts/_content.gotmpl --
{{ range }}{{ end }}
-- layouts/shortcodes/gallery.html --
<div class="gallery"></div>
-- static/img/logo.png --
PNG
-- data/team.yaml --
- name: A
"""


def test_a_hugo_site_is_imported_with_its_urls_kept(tmp_path: Path, cli) -> None:
    src = write_site(tmp_path / "alt", HUGO_SITE)
    (src / "config.yaml").unlink()
    dest = tmp_path / "neu"
    report = imported(cli, "hugo", src, dest)
    assert report["copied"] == {"content files": 5, "static files": 1, "data files": 1}
    assert (dest / "static/img/logo.png").read_text() == "PNG\n" and (dest / "data/team.yaml").is_file()
    assert not (dest / "content/posts/_content.gotmpl").exists()
    config = yaml.safe_load((dest / "config.yaml").read_text(encoding="utf-8"))
    assert config == {
        "title": "Altes Blog", "base_url": "https://blog.example.org/", "language": "de", "locale": "de_DE",
        "timezone": "Europe/Berlin", "url_rules": "hugo", "paginate": 5,
        "dates": {"date": ["date", "updated"], "updated": ["updated"]},
        "permalinks": {"posts": "/:year/:month/:title/"},
        "sections": [{"slug": "posts", "title": "Beiträge"}],
        "menus": {"main": [{"url": "/about/", "title": "Über"}, {"url": "/posts/", "title": "Archiv"}]}}
    assert statuses(report) == {
        "/posts/": "same", "/2021/03/erster-beitrag-hallo/": "same", "/about/": "same",
        "/1/01/ohne-datum/": "alias written"}    # Hugo dated an undated page in year 1
    assert "aliases: [\"/1/01/ohne-datum/\"]" in (dest / "content/posts/ohne-datum.md").read_text(encoding="utf-8")
    todo = "\n".join(report["todo"])
    assert "theme 'ananke'" in todo
    assert "content/posts/_content.gotmpl: a content adapter" in todo
    assert ("shortcode 'gallery' (layouts/shortcodes/gallery.html) is used in 1 file(s), e.g. "
            "content/posts/erster-beitrag.md") in todo
    assert "taxonomy 'series'" in todo
    out = tmp_path / "site"
    assert build(BuildOptions(source=dest, destination=out, cache=False)).ok
    assert "0; url=/posts/ohne-datum/" in (out / "1/01/ohne-datum/index.html").read_text(encoding="utf-8")
    assert not (out / "posts/entwurf").exists()


def test_hugo_ugly_urls_redirect_to_folder_urls(tmp_path: Path, cli) -> None:
    src = write_site(tmp_path / "alt", """
-- hugo.toml --
baseURL = "https://example.org/"
uglyURLs = true
-- content/posts/gipfel.md --
---
title: Gipfel
date: 2022-01-21
---
""")
    dest = tmp_path / "neu"
    report = imported(cli, "hugo", src, dest)
    assert statuses(report) == {"/posts/gipfel.html": "alias written", "/posts/": "same"}
    out = tmp_path / "site"
    assert build(BuildOptions(source=dest, destination=out, cache=False)).ok
    assert "0; url=/posts/gipfel/" in (out / "posts/gipfel.html").read_text(encoding="utf-8")


def test_an_import_never_writes_into_a_folder_with_files(tmp_path: Path, cli) -> None:
    src = write_site(tmp_path / "alt", HUGO_SITE)
    dest = tmp_path / "neu"
    (dest / "content").mkdir(parents=True)
    (dest / "content/wichtig.md").write_text("behalten\n", encoding="utf-8")
    run = cli("import", "hugo", src, dest)
    assert run.code == 2 and "exists and is not empty" in run.err
    assert [p.name for p in dest.rglob("*")] == ["content", "wichtig.md"]


# -- Jekyll -----------------------------------------------------------------------------------------

JEKYLL_SITE = """
-- _config.yml --
title: Altes Jekyll-Blog
url: https://jekyll.example.org
baseurl: /blog
timezone: Europe/Berlin
paginate: 8
plugins: [jekyll-feed, jekyll-archives]
exclude: [notes]
collections:
  rezepte:
    output: true
    permalink: /:collection/:path/
  intern:
    output: false
-- _posts/2020-02-03-Gipfel_Treffen.md --
---
title: Gipfel
categories: Politik Europa
---
Text mit {% include hinweis.html %}.
-- politik/_posts/2020-02-04-nachlese.markdown --
---
title: Nachlese
date: 2020-02-04 23:30:00 -0500
---
-- _posts/2020-03-01-unfertig.md --
---
title: Unfertig
published: false
---
-- _drafts/idee.md --
---
title: Idee
---
-- about.md --
---
title: Über uns
---
-- index.html --
---
layout: home
---
{% for post in paginator.posts %}{% endfor %}
-- archiv.html --
---
title: Archiv
---
{% for post in site.posts %}{{ post.title }}{% endfor %}
-- _rezepte/kuchen.md --
---
title: Kuchen
---
-- _intern/geheim.md --
---
title: Geheim
---
-- css/main.scss --
---
---
body { color: red; }
-- assets/logo.png --
PNG
-- notes/todo.txt --
nicht kopieren
-- _layouts/post.html --
{{ content }}
-- _data/menu.yml --
- x
"""


def test_a_jekyll_site_is_imported_with_its_urls_kept(tmp_path: Path, cli) -> None:
    src = write_site(tmp_path / "alt", JEKYLL_SITE)
    (src / "config.yaml").unlink()
    dest = tmp_path / "neu"
    report = imported(cli, "jekyll", src, dest)
    assert sorted(p.relative_to(dest).as_posix() for p in (dest / "content").rglob("*") if p.is_file()) == [
        "content/_drafts/idee.md", "content/_posts/2020-02-03-Gipfel_Treffen.md",
        "content/_posts/2020-03-01-unfertig.md", "content/_rezepte/kuchen.md", "content/about.md",
        "content/politik/_posts/2020-02-04-nachlese.markdown"]
    assert sorted(p.relative_to(dest).as_posix() for p in (dest / "static").rglob("*") if p.is_file()) == [
        "static/assets/logo.png"]
    assert (dest / "data/menu.yml").is_file()
    config = yaml.safe_load((dest / "config.yaml").read_text(encoding="utf-8"))
    assert config == {"title": "Altes Jekyll-Blog", "base_url": "https://jekyll.example.org/blog/", "language": "en",
                      "timezone": "Europe/Berlin", "url_rules": "jekyll",
                      "permalinks": {"*": "date"},
                      "markdown": {"html": True}, "paginate": 8}
    assert statuses(report) == {
        "/politik/europa/2020/02/03/Gipfel_Treffen.html": "same",
        "/politik/2020/02/05/nachlese.html": "same",       # 23:30 in New York is the next day in Berlin
        "/about.html": "alias written", "/rezepte/kuchen/": "same"}
    todo = "\n".join(report["todo"])
    for expected in ("index.html: the theme's front page", "archiv.html: a listing made with Liquid",
                     "css/main.scss: Jekyll runs this file through Liquid or Sass", "_layouts/: 1 layouts",
                     "plugin 'jekyll-archives'", "collection 'intern' has no pages of its own",
                     "{% include hinweis.html %} is used in 1 file(s)"):
        assert expected in todo
    assert "jekyll-feed" not in todo
    out = tmp_path / "site"
    result = build(BuildOptions(source=dest, destination=out, cache=False))
    assert result.ok, [str(d) for d in result.diagnostics]
    assert (out / "politik/europa/2020/02/03/Gipfel_Treffen.html").is_file()
    assert "0; url=/blog/about/" in (out / "about.html").read_text(encoding="utf-8")
    assert not (out / "2020/03/01").exists() and not any("idee" in p.name.lower() for p in out.rglob("*"))


def test_import_text_report_names_moved_and_lost_urls(tmp_path: Path, cli) -> None:
    src = write_site(tmp_path / "alt", JEKYLL_SITE)
    (src / "config.yaml").unlink()
    run = cli("import", "jekyll", src, tmp_path / "neu")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert lines[:3] == ['Imported the Jekyll site "Altes Jekyll-Blog"',
                         "Copied: 6 content files, 1 static files, 1 data files",
                         "URLs: 4 of 4 old URLs kept: 3 the same, 1 redirect (aliases written for 1)"]
    assert "  alias written /about.html → /about/  (content/about.md)" in lines
    assert "To do:" in lines and lines[-1] == f"Next: python -m builder build --source {tmp_path / 'neu'}"
