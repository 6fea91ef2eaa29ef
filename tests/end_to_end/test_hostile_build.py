"""Whole builds on hostile and broken input: clear located errors, safe output, the last good site kept."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import html5lib
import pytest

from builder.output.write import MARKER, recover_interrupted
from conftest import write_site

GOOD = """\
-- content/articles/genf.md --
---
title: "Krisentreffen in Genf"
date: 2022-01-21T17:30:00+01:00
summary: "Blinken und Lawrow reden weiter."
tags: [Diplomatie]
---
# Lage

Die NATO und Russland reden in Genf.
-- content/articles/paris.md --
---
title: "Normandie-Format in Paris"
date: 2022-01-26
---
Berater treffen sich im Élysée-Palast.
-- content/glossary/nato.md --
---
term: NATO
aliases: [Nordatlantikpakt]
summary: "Das westliche Verteidigungsbündnis."
---
Die North Atlantic Treaty Organization.
"""

ARTICLE = "---\ntitle: \"{title}\"\ndate: 2022-01-21\n---\nText.\n"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_site(tmp_path / "lagebild", GOOD)


def build(cli, site: Path, *extra: str):  # type: ignore[no-untyped-def]
    return cli("build", "--source", site, "--no-cache", "--jobs", "1", *extra)


def write(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def error_lines(err: str) -> list[str]:
    """The diagnostic lines of stderr (hints and the summary left out)."""
    return [line for line in err.splitlines() if ": error: " in line or ": warning: " in line]


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root with its bytes."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# -- encodings and line endings ---------------------------------------------

def test_bom_crlf_and_cr_files_build(site: Path, cli) -> None:
    write(site / "content/articles/bom.md", b"\xef\xbb\xbf" + ARTICLE.format(title="Mit BOM").encode())
    write(site / "content/articles/crlf.md", ARTICLE.format(title="Windows").replace("\n", "\r\n"))
    write(site / "content/articles/cr.md", ARTICLE.format(title="Altes Mac OS").replace("\n", "\r"))
    run = build(cli, site)
    assert run.code == 0, run.err
    for slug, title in (("bom", "Mit BOM"), ("crlf", "Windows"), ("cr", "Altes Mac OS")):
        page = (site / f"site/articles/{slug}/index.html").read_text(encoding="utf-8")
        assert f'<h1 class="headline">{title}</h1>' in page


@pytest.mark.parametrize(("ending", "name"), [("\r\n", "crlf"), ("\r", "cr"), ("\n", "lf")])
def test_error_lines_count_the_original_lines(site: Path, cli, ending: str, name: str) -> None:
    text = "---\ntitle: Genf\nkicker: Ukraine\ndate: 2024-13-45\n---\nText.\n"
    write(site / f"content/articles/{name}.md", b"\xef\xbb\xbf" + text.replace("\n", ending).encode())
    run = build(cli, site)
    assert run.code == 1
    assert error_lines(run.err) == [
        f"content/articles/{name}.md:4:7: error: impossible date '2024-13-45': month must be in 1..12"]


@pytest.mark.parametrize(("ending", "name"), [("\r\n", "crlf"), ("\r", "cr")])
def test_body_error_lines_count_the_original_lines(site: Path, cli, ending: str, name: str) -> None:
    text = "---\ntitle: Genf\ndate: 2022-01-21\n---\nEins.\n\nZwei.\n\nSiehe [dort](fehlt.md).\n"
    write(site / f"content/articles/{name}.md", text.replace("\n", ending))
    run = build(cli, site)
    assert error_lines(run.err) == [
        f"content/articles/{name}.md:9: error: link to 'fehlt.md' points to no article or term"]


def test_empty_file_is_one_error(site: Path, cli) -> None:
    write(site / "content/articles/leer.md", b"")
    write(site / "content/glossary/leer.md", b"\r\n")
    run = build(cli, site)
    assert run.code == 1
    assert error_lines(run.err) == [
        "content/articles/leer.md:1: error: the file is empty",
        "content/glossary/leer.md:1: error: the file is empty"]


def test_binary_and_non_utf8_files_are_named_without_a_traceback(site: Path, cli) -> None:
    write(site / "content/articles/bild.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    write(site / "content/articles/latin1.md", "---\ntitle: Grüße\n---\n".encode("latin-1"))
    write(site / "content/articles/utf16.md", ARTICLE.format(title="Genf").encode("utf-16"))
    run = build(cli, site)
    assert run.code == 1
    assert "Traceback" not in run.err
    assert error_lines(run.err) == [
        "content/articles/bild.md:3:1: error: file is binary (it contains a NUL byte), not UTF-8 text",
        "content/articles/latin1.md:2:10: error: file is not valid UTF-8 (byte 0xfc)",
        "content/articles/utf16.md:1:1: error: file is UTF-16, not UTF-8"]


def test_editor_litter_is_ignored(site: Path, cli) -> None:
    articles = site / "content/articles"
    write(articles / ".genf.md.swp", b"b0VIM 8.2\x00\x00\xff")
    write(articles / "genf.md~", "kaputt: [\n")
    write(articles / "#genf.md#", "kaputt: [\n")
    write(articles / ".entwurf.md", "kaputt: [\n")
    write(articles / "4913", b"")
    write(site / "content/.obsidian/notiz.md", "kaputt: [\n")
    run = build(cli, site)
    assert run.code == 0, run.err
    assert sorted(p.name for p in (site / "site/articles").iterdir()) == ["genf", "paris"]


# -- front matter -------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("---\ntitle: Genf\ndate: 2022-01-21\nText ohne Ende.\n",
     "1:1: error: front matter opened with '---' on line 1 is never closed"),
    ("---\n- Genf\n- Paris\n---\n", "2:1: error: front matter must be a mapping of keys to values"),
    ("---\ntitle: Genf\ndate: 2022-01-21\ntags: [NATO\n---\n",
     "5:1: error: invalid YAML: did not find expected ',' or ']'"),
    ("---\ntitle: Genf\ndate: 2024-13-45\n---\n", "3:7: error: impossible date '2024-13-45': month must be in 1..12"),
    ("---\ntitle: Genf\ndate: 2022-01-21\nx: " + "[" * 5000 + "\n---\n", "4:53: error: YAML is nested too deeply"),
    ("---\ntitle: &t Genf\nkicker: *t\ndate: 2022-01-21\n---\n",
     "2:8: error: YAML anchors and aliases (&name, *name) are not allowed here"),
    ("---\ntitle: !!python/object/apply:os.system [ls]\ndate: 2022-01-21\n---\n",
     "2:8: error: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed here"),
    ("---\ntitle: Genf\ndate: 2022-01-21\ntags: nato, eu\n---\n",
     "4: error: 'tags' must be a list, got the text \"nato, eu\""),
    ("---\ntitle: Genf\ndate: 2022-01-21\ndraft: no\n---\n", "4: error: 'draft' must be true or false, got \"no\""),
])
def test_front_matter_problems_name_file_and_line(site: Path, cli, text: str, expected: str) -> None:
    write(site / "content/articles/kaputt.md", text)
    run = build(cli, site)
    assert run.code == 1
    assert "Traceback" not in run.err
    assert error_lines(run.err) == [f"content/articles/kaputt.md:{expected}"]


def test_billion_laughs_build_finishes_fast(site: Path, cli) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"{c}: &{c} [{', '.join(['*' + p] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi")]
    write(site / "content/articles/lol.md", "---\ntitle: lol\ndate: 2022-01-21\n" + "\n".join(lines) + "\n---\n")
    started = time.perf_counter()
    run = build(cli, site)
    assert time.perf_counter() - started < 10.0
    assert error_lines(run.err) == [
        "content/articles/lol.md:4:4: error: YAML anchors and aliases (&name, *name) are not allowed here"]


def test_yaml_11_words_stay_words(site: Path, cli) -> None:
    write(site / "content/articles/norwegen.md",
          "---\ntitle: NO\nkicker: on\ndate: 2022-01-21\ntags: [yes, 10:30]\n---\nText.\n")
    run = build(cli, site)
    assert run.code == 0, run.err
    page = (site / "site/articles/norwegen/index.html").read_text(encoding="utf-8")
    assert '<h1 class="headline">NO</h1>' in page
    assert (site / "site/themen/yes/index.html").exists() and (site / "site/themen/10-30/index.html").exists()


def test_all_errors_of_a_build_are_reported_together(site: Path, cli) -> None:
    write(site / "content/articles/a.md", "---\ntitle: A\n---\n")
    write(site / "content/articles/b.md", "---\ntitle: [B]\ndate: 2022-01-21\n---\n")
    write(site / "content/glossary/c.md", "---\nterm: C\ncase_sensitive: vielleicht\n---\n")
    run = build(cli, site)
    assert run.code == 1
    assert error_lines(run.err) == [
        "content/articles/a.md:1: error: 'date' is required",
        "content/articles/b.md:2: error: 'title' must be text, got a list",
        "content/glossary/c.md:3: error: 'case_sensitive' must be true or false, got \"vielleicht\""]
    assert "Build failed with 3 error(s); the previous output was left untouched." in run.err


def test_load_errors_come_with_the_warnings_later_stages_can_still_give(site: Path, cli) -> None:
    """One build, one round: a broken file does not hide a body's or a headline's warnings."""
    write(site / "content/articles/a.md", "---\ntitle: A\n---\n")
    long_title = "Sehr lange Überschrift " * 6
    write(site / "content/articles/lang.md",
          f"---\ntitle: \"{long_title.strip()}\"\ndate: 2022-01-21\n---\n{{{{< unbekannt >}}}}\n")
    run = build(cli, site)
    assert run.code == 1
    assert "content/articles/a.md:1: error: 'date' is required" in run.err
    assert "content/articles/lang.md:2: warning: the title has" in run.err      # checked after linking before
    assert "content/articles/lang.md:5:" in run.err and "unbekannt" in run.err  # a body's warning


def test_load_errors_come_with_collisions_and_template_errors(site: Path, cli) -> None:
    """A broken file does not hide an output path two pages claim, nor a template's error."""
    write(site / "content/articles/a.md", "---\ntitle: A\n---\n")
    write(site / "content/impressum.md", "---\ntitle: Impressum\nurl: /themen/\n---\nText\n")
    write(site / "layouts/404.html", "<!doctype html>\n<title>{{ site.titel }}</title>\n")
    run = build(cli, site)
    assert run.code == 1
    errors = [line for line in error_lines(run.err) if ": error: " in line]
    assert errors[0] == "content/articles/a.md:1: error: 'date' is required"
    assert any(line.startswith("content/impressum.md:3: error: output path 'themen/index.html'") for line in errors)
    assert any(line.startswith("layouts/404.html:2: error:") and "titel" in line for line in errors)
    assert len(errors) == 3
    assert not (site / "site").exists()


# -- symbolic links -----------------------------------------------------------

def test_symlinks_leaving_the_site_are_refused_and_loops_end(site: Path, cli, tmp_path: Path) -> None:
    secret = tmp_path / "geheim.md"
    secret.write_text(ARTICLE.format(title="Geheim"), encoding="utf-8")
    articles = site / "content/articles"
    (articles / "geheim.md").symlink_to(secret)
    (articles / "schleife").symlink_to(articles, target_is_directory=True)
    (articles / "selbst.md").symlink_to(articles / "selbst.md")
    run = build(cli, site)
    assert run.code == 1
    assert error_lines(run.err) == [
        "content/articles/geheim.md: error: symbolic link points outside the site folder",
        "content/articles/selbst.md: error: symbolic link loop"]
    assert not (site / "site").exists()


# -- raw HTML and unsafe URLs -------------------------------------------------

HOSTILE_BODY = """\
<script>alert(1)</script>

<img src=x onerror="alert(2)">

Text mit <a href="javascript:alert(3)">Link</a> und <a href="jav&#x09;ascript:alert(4)">noch einem</a>.

[Markdown](javascript:alert(5)) ![Bild](data:image/svg+xml,x) <vbscript:msgbox(6)>

[ref]: JAVASCRIPT:alert(7)

[Referenz][ref]
"""


def body_elements(page: str) -> list[tuple[str, dict[str, str]]]:
    document = html5lib.parse(page, treebuilder="etree", namespaceHTMLElements=False)
    body = document.find(".//div[@class='article-body']")
    assert body is not None
    return [(e.tag, dict(e.attrib)) for e in body.iter() if e is not body]


def test_raw_html_is_escaped_by_default(site: Path, cli) -> None:
    write(site / "content/articles/roh.md", "---\ntitle: Roh\ndate: 2022-01-21\n---\n" + HOSTILE_BODY)
    run = build(cli, site)
    assert run.code == 0, run.err
    page = (site / "site/articles/roh/index.html").read_text(encoding="utf-8")
    assert {tag for tag, _ in body_elements(page)} == {"p"}
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_raw_html_with_html_on_is_sanitised(site: Path, cli) -> None:
    (site / "config.yaml").write_text('title: "Lagebild"\nbase_url: "https://example.org/"\n'
                                      "markdown:\n  html: true\n", encoding="utf-8")
    write(site / "content/articles/roh.md", "---\ntitle: Roh\ndate: 2022-01-21\n---\n" + HOSTILE_BODY
          + '\n<figure><img src="karte.png" alt="Karte"></figure>\n')
    run = build(cli, site)
    assert run.code == 0, run.err
    found = body_elements((site / "site/articles/roh/index.html").read_text(encoding="utf-8"))
    attributes = {(tag, name, value) for tag, attrs in found for name, value in attrs.items()}
    assert ("img", "src", "karte.png") in attributes and ("img", "src", "x") in attributes
    assert not [a for a in attributes if a[1].startswith("on") or "script:" in a[2].lower()
                or a[2].lower().startswith("data:")]
    # html: true lets the author write a script element; it stays an explicit choice.
    assert [tag for tag, _ in found].count("script") == 1


# -- escaping every value for its context --------------------------------------

PAYLOAD = '"><script>alert(1)</script> </script> & \'x\' <!--'


def test_every_value_is_escaped_for_its_context(site: Path, cli) -> None:
    quoted = json.dumps(PAYLOAD)
    write(site / "content/articles/boese.md", f"""---
title: {quoted}
summary: {quoted}
kicker: {quoted}
tags: [{quoted}, "A & B"]
authors: [{quoted}]
date: 2022-01-21
---
Die NATO tagt.
""")
    write(site / "content/glossary/nato.md", f"---\nterm: NATO\nsummary: {quoted}\n---\nBündnis.\n")
    run = build(cli, site)
    assert run.code == 0, run.err
    pages = [p for p in (site / "site").rglob("*.html")]
    assert len(pages) > 8
    for page in pages:
        text = page.read_text(encoding="utf-8")
        parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=False)
        document = parser.parse(text)
        for element in document.iter():
            if not isinstance(element.tag, str):
                continue
            assert not [name for name in element.attrib if name.lower().startswith("on")], page
            if element.tag == "script":
                assert element.get("type") == "application/ld+json" or (
                    element.get("src", "").startswith("/assets/") and not (element.text or "").strip()), page
    article = (site / "site/articles/boese/index.html").read_text(encoding="utf-8")
    document = html5lib.parse(article, treebuilder="etree", namespaceHTMLElements=False)
    ld = [e for e in document.iter("script") if e.get("type") == "application/ld+json"]
    assert len(ld) == 1
    data = json.loads(ld[0].text)
    assert data["headline"] == PAYLOAD and data["description"] == PAYLOAD
    assert data["keywords"] == [PAYLOAD, "A & B"]
    assert data["author"] == [{"@type": "Person", "name": PAYLOAD}]
    assert document.find(".//h1").text == PAYLOAD
    assert document.find(".//meta[@name='description']").get("content") == PAYLOAD
    tip = document.find(".//span[@role='tooltip']")
    assert tip is not None and tip.text == PAYLOAD


# -- ids ------------------------------------------------------------------------

def test_heading_and_footnote_ids_are_prefixed_in_the_page(site: Path, cli) -> None:
    write(site / "content/articles/ids.md", "---\ntitle: Ids\ndate: 2022-01-21\n---\n"
          "# location\n\n# location\n\n# location 2\n\nDie NATO[^1].\n\n[^1]: Bündnis\n")
    run = build(cli, site)
    assert run.code == 0, run.err
    document = html5lib.parse((site / "site/articles/ids/index.html").read_text(encoding="utf-8"),
                              treebuilder="etree", namespaceHTMLElements=False)
    body = document.find(".//div[@class='article-body']")
    ids = [e.get("id") for e in body.iter() if e.get("id")]
    assert ids == ["h-location", "h-location-2", "h-location-2-2", "gl-tip-nato-1", "fnref-n-1", "fn-n-1"]
    all_ids = [e.get("id") for e in document.iter() if isinstance(e.tag, str) and e.get("id")]
    assert len(all_ids) == len(set(all_ids))


# -- pathological Markdown ------------------------------------------------------

@pytest.mark.parametrize(("name", "body"), [
    ("zitate", ">" * 10_000 + " Tief\n"),
    ("klammern", "[" * 10_000 + "NATO\n"),
    ("zeile", "Die NATO tagt in Genf. " * 40_000 + "\n"),
    ("betonung", "*a**a" * 50_000 + "\n"),
])
def test_pathological_markdown_builds_in_bounded_time(tmp_path: Path, cli, name: str, body: str) -> None:
    # Without a glossary: this bounds the Markdown layer. (With terms, the annotator's own
    # scan is what takes longest on the emphasis case; see the report on builder/text/annotate.py.)
    site = write_site(tmp_path / "grenzfall", f"-- content/articles/{name}.md --\n"
                      "---\ntitle: Grenzfall\ndate: 2022-01-21\n---\n" + body)
    started = time.perf_counter()
    run = build(cli, site)
    assert time.perf_counter() - started < 10.0  # a timeout guard, not a benchmark
    assert run.code == 0, run.err
    assert (site / f"site/articles/{name}/index.html").exists()


def test_file_over_max_file_size_is_an_error(site: Path, cli) -> None:
    (site / "config.yaml").write_text('title: "Lagebild"\nbase_url: "https://example.org/"\n'
                                      "markdown:\n  max_file_size: 1000\n", encoding="utf-8")
    text = ARTICLE.format(title="Lang") + "Wort " * 300
    write(site / "content/articles/lang.md", text)
    size = len(text.encode())
    assert size > 1000
    run = build(cli, site)
    assert run.code == 1
    assert error_lines(run.err) == [f"content/articles/lang.md: error: file is {size:,} bytes, over the limit of 1,000"]
    assert "  hint: raise 'markdown.max_file_size' in config.yaml if this is intended" in run.err


# -- glossary and related --------------------------------------------------------

def test_duplicate_terms_and_aliases_name_both_places(site: Path, cli) -> None:
    write(site / "content/glossary/nato-2.md", "---\nterm: Nato\n---\nNoch einmal.\n")
    write(site / "content/glossary/pakt.md", "---\nterm: Pakt\naliases: [Nordatlantikpakt]\n---\nPakt.\n")
    run = build(cli, site)
    assert run.code == 1
    assert error_lines(run.err) == [
        "content/glossary/nato.md:2: error: duplicate term 'NATO', already defined in content/glossary/nato-2.md:2",
        "content/glossary/pakt.md:3: error: alias 'Nordatlantikpakt' is already claimed by "
        "content/glossary/nato.md:3"]


def test_unknown_related_slug_names_the_line(site: Path, cli) -> None:
    write(site / "content/articles/kiew.md",
          "---\ntitle: Kiew\ndate: 2022-01-21\nrelated: [genf, pariss]\n---\nText.\n")
    run = build(cli, site)
    assert run.code == 1
    assert error_lines(run.err) == ["content/articles/kiew.md:4: error: related article 'pariss' does not exist"]
    assert "  hint: did you mean 'paris'?" in run.err


# -- slugs and output paths --------------------------------------------------------

def test_slugs_never_escape_the_destination(site: Path, cli, tmp_path: Path) -> None:
    write(site / "content/articles/flucht.md",
          "---\ntitle: Flucht\ndate: 2022-01-21\nslug: '../../../etc/passwd'\n---\nText.\n")
    write(site / "content/glossary/flucht.md", "---\nterm: Flucht\nslug: '..\\\\..\\\\x'\n---\nText.\n")
    run = build(cli, site)
    assert run.code == 0, run.err
    assert (site / "site/articles/etc-passwd/index.html").exists()
    assert (site / "site/glossar/x/index.html").exists()
    outside = {p for p in tmp_path.rglob("*") if not p.is_relative_to(site)}
    assert outside == set()


@pytest.mark.parametrize(("front", "expected"), [
    ('url: "/../x"', "'url' must be a site path like '/alt/pfad/', got \"/../x/\""),
    ('url: "/%2e%2e/%2e%2e/x"', "'url' must be a site path like '/alt/pfad/', got \"/%2e%2e/%2e%2e/x/\""),
    ('url: "/.git/hooks/"', "'url' must be a site path like '/alt/pfad/', got \"/.git/hooks/\""),
    ('aliases: ["../../x"]', "'aliases' entries must be site paths like '/alt/pfad/', got \"/../../x/\""),
    ('aliases: ["/a\\\\b"]', "'aliases' entries must be site paths like '/alt/pfad/', got \"/a\\b/\""),
])
def test_urls_and_aliases_that_escape_are_errors(site: Path, cli, front: str, expected: str) -> None:
    write(site / "content/articles/flucht.md", f"---\ntitle: Flucht\ndate: 2022-01-21\n{front}\n---\nText.\n")
    run = build(cli, site)
    assert run.code == 1
    assert error_lines(run.err) == [f"content/articles/flucht.md:4: error: {expected}"]


def test_slug_collision_after_slugification_names_both(site: Path, cli) -> None:
    write(site / "content/articles/ueber.md", ARTICLE.format(title="Über A"))
    write(site / "content/articles/Über.md", ARTICLE.format(title="Über B"))
    run = build(cli, site)
    assert run.code == 1
    assert error_lines(run.err) == [
        "content/articles/Über.md:1: error: URL '/articles/ueber/' is also the URL of content/articles/ueber.md:1"]


def test_output_path_collisions_name_both_sources(site: Path, cli) -> None:
    write(site / "content/articles/umzug.md",
          "---\ntitle: Umzug\ndate: 2022-01-20\nurl: /articles/genf/\n---\nText.\n")
    write(site / "content/articles/alt.md",
          "---\ntitle: Alt\ndate: 2022-01-20\naliases: [/articles/paris/]\n---\nText.\n")
    run = build(cli, site)
    assert run.code == 1
    assert error_lines(run.err) == [
        "content/articles/alt.md:4: error: alias '/articles/paris/' is also the URL of content/articles/paris.md:1",
        "content/articles/umzug.md:4: error: URL '/articles/genf/' is also the URL of content/articles/genf.md:1",
    ]


def test_an_article_taking_a_generated_pages_path_is_blamed_on_its_url_line(site: Path, cli) -> None:
    write(site / "content/articles/feed.md", "---\ntitle: Feed\ndate: 2022-01-20\nurl: /feed.xml\n---\nText.\n")
    run = build(cli, site)
    assert run.code == 1
    assert error_lines(run.err) == [
        "content/articles/feed.md:4: error: output path 'feed.xml' is also produced by the generated page 'feed.xml'"]


# -- the last good site is kept ------------------------------------------------------

def test_failed_build_leaves_the_previous_site_byte_identical(site: Path, cli) -> None:
    assert build(cli, site).code == 0
    before = tree(site / "site")
    stat_before = {p: os.stat(site / "site" / p).st_mtime_ns for p in before}
    write(site / "content/articles/genf.md", "---\ntitle: Genf\ndate: 2024-13-45\n---\nNeu.\n")
    write(site / "content/articles/neu.md", ARTICLE.format(title="Neu"))
    run = build(cli, site)
    assert run.code == 1
    assert tree(site / "site") == before
    assert {p: os.stat(site / "site" / p).st_mtime_ns for p in before} == stat_before
    assert [p.name for p in site.iterdir() if p.name.startswith(".site")] == []


def test_interrupted_build_leftovers_are_cleaned_up(site: Path, cli) -> None:
    assert build(cli, site).code == 0
    # Killed during the swap: the old output was renamed away, the new one not yet in place.
    os.rename(site / "site", site / ".site.old-abc123")
    staging = site / ".site.tmp-xyz"
    write(staging / MARKER, b"")
    write(staging / "index.html", "halb fertig")
    empty = site / ".site.tmp-leer"
    empty.mkdir()
    foreign = site / ".site.tmp-fremd"
    write(foreign / "notizen.txt", "nicht vom Builder")
    run = build(cli, site)
    assert run.code == 0, run.err
    assert (site / "site" / MARKER).exists() and (site / "site/articles/genf/index.html").exists()
    assert sorted(p.name for p in site.iterdir() if p.name.startswith(".site")) == [".site.tmp-fremd"]
    assert (foreign / "notizen.txt").read_text(encoding="utf-8") == "nicht vom Builder"


def test_foreign_destination_is_refused_and_untouched(site: Path, cli, tmp_path: Path) -> None:
    destination = tmp_path / "fremd"
    write(destination / "wichtig.txt", "Steuererklärung")
    run = build(cli, site, "--destination", destination)
    assert run.code == 1
    assert error_lines(run.err) == [
        f"{destination}: error: destination {destination} is not empty and was not made by this builder; "
        "empty it or choose another folder"]
    assert tree(destination) == {"wichtig.txt": "Steuererklärung".encode()}


# -- exit codes and formats -------------------------------------------------------------

def test_exit_codes(site: Path, cli, tmp_path: Path) -> None:
    assert build(cli, site).code == 0
    assert cli("build", "--source", tmp_path / "gibt-es-nicht").code == 2
    assert cli("build", "--source", site, "--gibt-es-nicht").code == 2
    assert cli("build", "--source", site, "--jobs", "-1").code == 2
    write(site / "content/articles/kaputt.md", "---\ntitle: [\n---\n")
    assert build(cli, site).code == 1


def test_strict_turns_warnings_into_errors(site: Path, cli) -> None:
    write(site / "content/articles/tippfehler.md",
          "---\ntitle: Tippfehler\ndate: 2022-01-21\ntgas: [NATO]\n---\nText.\n")
    relaxed = build(cli, site)
    assert relaxed.code == 0
    assert error_lines(relaxed.err) == ["content/articles/tippfehler.md:4: warning: unknown key 'tgas'"]
    strict = build(cli, site, "--strict")
    assert strict.code == 1
    assert error_lines(strict.err) == ["content/articles/tippfehler.md:4: warning: unknown key 'tgas'"]


def test_json_diagnostics_for_ci(site: Path, cli) -> None:
    write(site / "content/articles/kaputt.md", "---\ntitle: Genf\ndate: 2024-13-45\n---\n")
    write(site / "content/articles/tippfehler.md",
          "---\ntitle: Tippfehler\ndate: 2022-01-21\ntgas: [NATO]\n---\nText.\n")
    run = build(cli, site, "--format", "json")
    assert run.code == 1
    assert json.loads(run.out) == [
        {"path": "content/articles/kaputt.md", "line": 3, "col": 7, "severity": "error",
         "message": "impossible date '2024-13-45': month must be in 1..12",
         "hint": "write a real date, e.g. 2022-01-26"},
        {"path": "content/articles/tippfehler.md", "line": 4, "col": None, "severity": "warning",
         "message": "unknown key 'tgas'", "hint": "did you mean 'tags'?"},
    ]


def test_pasted_control_characters_never_reach_a_page(site: Path, cli) -> None:
    write(site / "content/articles/word.md",
          "---\ntitle: Aus Word\ndate: 2022-01-21\n---\nEingefügt\x0b aus\x1b[31m Word.\n")
    run = build(cli, site)
    assert run.code == 0, run.err
    assert error_lines(run.err) == [
        "content/articles/word.md:5:10: warning: 2 control characters replaced by U+FFFD, the first is U+000B"]
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=False)
    parser.parse((site / "site/articles/word/index.html").read_text(encoding="utf-8"))
    assert parser.errors == []


def test_names_too_long_for_the_file_system_are_errors_not_crashes(site: Path, cli) -> None:
    long_tag = "Gesprächsformat" * 15
    write(site / "content/articles/lang.md",
          f"---\ntitle: Lang\ndate: 2022-01-21\ntags: [{long_tag}]\nurl: /{'ö' * 150}/\n---\nText.\n")
    run = build(cli, site)
    assert run.code == 1
    assert "Traceback" not in run.err
    assert error_lines(run.err) == [
        f"content/articles/lang.md:4: error: the tag '{long_tag[:30]}…' makes a URL slug of 240 characters; "
        "at most 200 fit in a file name",
        f"content/articles/lang.md:5: error: 'url' must be a site path like '/alt/pfad/', got \"/{'ö' * 150}/\""]


def test_interrupted_patch_is_finished_and_hostile_journals_are_dropped(site: Path, cli, tmp_path: Path) -> None:
    assert cli("build", "--source", site, "--jobs", "1").code == 0
    # Killed after the journal of a patch was written: genf's new page is staged, not yet moved in.
    patch = site / ".site.patch-abc"
    write(patch / MARKER, b"")
    write(patch / "files/articles/genf/index.html", "neu")
    write(patch / "files" / MARKER, b"")
    write(patch / "journal.json", json.dumps({"replace": [["articles/genf/index.html", True], [MARKER, True]],
                                              "delete": [["articles/paris/index.html", True]]}))
    # A journal that points outside the destination is not one this builder wrote.
    victim = tmp_path / "opfer.txt"
    write(victim, "bleibt")
    hostile = site / ".site.patch-boese"
    write(hostile / MARKER, b"")
    write(hostile / "files/x", "x")
    write(hostile / "journal.json", json.dumps({"replace": [["../../opfer.txt", False]], "delete": [["../x", False]]}))
    recover_interrupted(site / "site")
    assert (site / "site/articles/genf/index.html").read_text(encoding="utf-8") == "neu"
    assert not (site / "site/articles/paris").exists()
    assert victim.read_text(encoding="utf-8") == "bleibt"
    assert [p.name for p in site.iterdir() if p.name.startswith(".site")] == []
    # The next build sees a destination its manifest does not describe, and rebuilds it whole.
    assert cli("build", "--source", site, "--jobs", "1").code == 0
    assert "Krisentreffen in Genf" in (site / "site/articles/genf/index.html").read_text(encoding="utf-8")
    assert (site / "site/articles/paris/index.html").exists()
