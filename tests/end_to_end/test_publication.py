"""A real publication: undated pages, sections, author profiles, menus, scheduling and corrections.

Fixture sites are built end to end; feeds are read by feedparser, sitemaps by
lxml, JSON-LD by extruct, pages by html5lib.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import extruct
import feedparser
import html5lib
import pytest
from lxml import etree

from builder.pipeline.build import BuildOptions, build
from builder.pipeline.incremental import IncrementalBuilder
from builder.preview.session import navigate_target
from conftest import write_site

NS = {"h": "http://www.w3.org/1999/xhtml"}
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

CONFIG = """\
title: "Tageblatt"
base_url: "https://zeitung.example/"
paths: {glossary: glossar, tags: themen, authors: autoren}
sections:
  - {slug: politik, title: Politik, description: "Nachrichten aus der Politik"}
  - {slug: wirtschaft, title: Wirtschaft, order: 2}
menus:
  main:
    - {list: home}
    - {section: politik}
    - {section: wirtschaft}
    - {page: ueber-uns, title: "Wir"}
  footer:
    - {page: impressum}
    - {url: "https://verlag.example/", title: "Verlag"}
"""

SITE = f"""
-- config.yaml --
{CONFIG}
-- content/articles/politik/gipfel.md --
---
title: "Gipfel in Genf"
date: 2022-01-21T17:30:00+01:00
authors: [Miriam Schaefer, Gast Autor]
tags: [Diplomatie]
corrections:
  - date: 2022-01-22T09:00:00+01:00
    text: "In einer früheren Fassung stand ein falsches Datum."
---
Die NATO trifft sich in Genf.
-- content/articles/wirtschaft/zoelle.md --
---
title: "Neue Zölle"
date: 2022-01-20T08:00:00+01:00
authors: [miriam-schaefer]
updated: 2022-01-20T12:00:00+01:00
---
Zölle steigen.
-- content/articles/ohne-ressort.md --
---
title: "Ohne Ressort"
date: 2022-01-19T08:00:00+01:00
---
Text.
-- content/pages/impressum.md --
---
title: "Impressum"
summary: "Wer hier schreibt."
---
Verantwortlich nach § 18 MStV. Mitglied der NATO ist niemand hier.
-- content/pages/ueber-uns.md --
---
title: "Über uns"
---
Wir sind eine Redaktion.
-- content/pages/rechtliches/agb.md --
---
title: "AGB"
url: /agb/
---
Bedingungen.
-- content/authors/miriam-schaefer.md --
---
name: "Miriam Schäfer"
role: "Korrespondentin in Genf"
links: ["https://social.example/@miriam"]
---
Miriam Schäfer berichtet aus Genf.
-- content/glossary/nato.md --
---
term: "NATO"
summary: "Das Verteidigungsbündnis."
---
Die Nordatlantikvertrags-Organisation.
"""


def html(out: Path, path: str) -> etree._Element:
    return html5lib.parse((out / path).read_bytes(), treebuilder="lxml", namespaceHTMLElements=True)


def hrefs(doc: etree._Element, xpath: str = "//h:a") -> list[str]:
    return [a.get("href") for a in doc.xpath(xpath, namespaces=NS)]


def json_ld(out: Path, path: str) -> list[dict]:
    data = extruct.extract((out / path).read_text(encoding="utf-8"), base_url="https://zeitung.example/",
                           syntaxes=["json-ld"])
    return data["json-ld"]


def sitemap_urls(out: Path) -> set[str]:
    tree = etree.parse(str(out / "sitemap.xml"))
    return {loc.text for loc in tree.iter(f"{SITEMAP}loc")}


@pytest.fixture
def built(tmp_path: Path) -> Path:
    source = write_site(tmp_path / "src", SITE)
    out = tmp_path / "out"
    report = build(BuildOptions(source=source, destination=out, cache=False))
    assert report.ok, report.diagnostics
    return out


# --- pages ---------------------------------------------------------------------------------

def test_undated_pages_get_their_own_urls_and_layout(built: Path) -> None:
    impressum = html(built, "impressum/index.html")
    assert impressum.xpath("string(//h:h1)", namespaces=NS) == "Impressum"
    assert impressum.xpath("//h:article[contains(@class, 'page')]", namespaces=NS)
    assert not impressum.xpath("//h:time[@datetime]", namespaces=NS)   # no date anywhere on the page
    assert (built / "agb/index.html").is_file() and not (built / "rechtliches").exists()
    assert (built / "ueber-uns/index.html").is_file()


def test_pages_carry_glossary_annotations(built: Path) -> None:
    page = html(built, "impressum/index.html")
    assert "/glossar/nato/" in hrefs(page, "//h:div[@class='article-body']//h:a")


def test_pages_are_in_the_sitemap_but_in_no_feed_listing_or_related_list(built: Path) -> None:
    assert {"https://zeitung.example/impressum/", "https://zeitung.example/agb/"} <= sitemap_urls(built)
    for feed in ("feed.xml", "politik/feed.xml", "autoren/miriam-schaefer/feed.xml"):
        parsed = feedparser.parse((built / feed).read_bytes())
        assert not parsed.bozo, parsed.bozo_exception
        assert all("impressum" not in entry.link for entry in parsed.entries)
    for listing in ("index.html", "politik/index.html", "themen/diplomatie/index.html"):
        assert "/impressum/" not in hrefs(html(built, listing), "//h:main//h:a")
    assert "/impressum/" not in hrefs(html(built, "articles/politik/gipfel/index.html"), "//h:main//h:a")


def test_a_file_outside_articles_without_date_is_a_page_and_with_date_an_article(tmp_path: Path) -> None:
    source = write_site(tmp_path / "src", """
-- content/ueber.md --
---
title: "Über"
---
Seite.
-- content/meldung.md --
---
title: "Meldung"
date: 2022-01-01
---
Zur [Anleitung]({% link _docs/install.md %}).
-- content/_docs/install.md --
---
title: "Installation"
permalink: /doku/installieren/
---
Siehe auch [die Meldung]({% link meldung.md %}).
""")
    out = tmp_path / "out"
    report = build(BuildOptions(source=source, destination=out, cache=False))
    assert report.ok, report.diagnostics
    assert report.articles == 1
    assert (out / "ueber/index.html").is_file() and (out / "meldung/index.html").is_file()
    doc = html(out, "doku/installieren/index.html")
    assert "/meldung/" in hrefs(doc, "//h:div[@class='article-body']//h:a")
    assert "/doku/installieren/" in hrefs(html(out, "meldung/index.html"), "//h:div[@class='article-body']//h:a")
    assert [e.title for e in feedparser.parse((out / "feed.xml").read_bytes()).entries] == ["Meldung"]


def test_an_article_in_content_articles_still_needs_a_date(tmp_path: Path, cli) -> None:
    source = write_site(tmp_path / "src", "-- content/articles/x.md --\n---\ntitle: X\n---\nText.\n")
    run = cli("build", "--source", source, "--destination", tmp_path / "out")
    assert run.code == 1
    assert "content/articles/x.md:1: error: 'date' is required" in run.err


# --- menus ---------------------------------------------------------------------------------

def test_menus_render_in_header_and_footer_with_the_current_item_marked(built: Path) -> None:
    page = html(built, "impressum/index.html")
    main = page.xpath("//h:nav[@class='site-nav']//h:a", namespaces=NS)
    assert [(a.get("href"), a.text) for a in main] == [
        ("/", "Start"), ("/politik/", "Politik"), ("/wirtschaft/", "Wirtschaft"), ("/ueber-uns/", "Wir")]
    footer = page.xpath("//h:nav[@class='footer-nav']//h:a", namespaces=NS)
    assert [(a.get("href"), a.text, a.get("aria-current")) for a in footer] == [
        ("/impressum/", "Impressum", "page"), ("https://verlag.example/", "Verlag", None)]
    article = html(built, "articles/politik/gipfel/index.html")
    marked = article.xpath("//h:nav[@class='site-nav']//h:a[@aria-current]", namespaces=NS)
    assert [(a.get("href"), a.get("aria-current")) for a in marked] == [("/politik/", "true")]


def test_an_unknown_menu_target_is_an_error_on_its_config_line(tmp_path: Path, cli) -> None:
    source = write_site(tmp_path / "src", SITE.replace("{page: impressum}", "{page: impresum}")
                        .replace("{section: wirtschaft}", "{list: archiv}"))
    out = tmp_path / "out"
    run = cli("build", "--source", source, "--destination", out)
    assert run.code == 1
    assert "config.yaml:11: error: unknown list 'archiv'" in run.err
    assert "config.yaml:14: error: menu 'footer': there is no page 'impresum'" in run.err
    assert "did you mean 'impressum'?" in run.err
    assert not out.exists()


# --- sections ------------------------------------------------------------------------------

def test_an_article_in_a_section_folder_is_listed_fed_and_named_in_json_ld(built: Path) -> None:
    listing = html(built, "politik/index.html")
    assert listing.xpath("string(//h:h1)", namespaces=NS) == "Politik"
    assert "/articles/politik/gipfel/" in hrefs(listing, "//h:main//h:a")
    assert "/articles/wirtschaft/zoelle/" not in hrefs(listing, "//h:main//h:a")
    feed = feedparser.parse((built / "politik/feed.xml").read_bytes())
    assert not feed.bozo and [e.title for e in feed.entries] == ["Gipfel in Genf"]
    alternates = listing.xpath("//h:link[@rel='alternate']/@href", namespaces=NS)
    assert alternates == ["/politik/feed.xml", "/politik/feed.json"]   # Atom, then JSON Feed
    items = json_ld(built, "articles/politik/gipfel/index.html")
    article = next(i for i in items if i["@type"] == "NewsArticle")
    assert article["articleSection"] == "Politik"
    crumbs = next(i for i in items if i["@type"] == "BreadcrumbList")
    assert [(c["position"], c["name"], c["item"]) for c in crumbs["itemListElement"]] == [
        (1, "Tageblatt", "https://zeitung.example/"), (2, "Politik", "https://zeitung.example/politik/"),
        (3, "Gipfel in Genf", "https://zeitung.example/articles/politik/gipfel/")]
    page = html(built, "articles/politik/gipfel/index.html")
    assert hrefs(page, "//h:nav[@class='breadcrumb']//h:a") == ["/", "/politik/"]


def test_moving_an_article_into_a_section_keeps_its_old_url(built: Path) -> None:
    redirect = html(built, "articles/gipfel/index.html")
    refresh = redirect.xpath("//h:meta[@http-equiv='refresh']/@content", namespaces=NS)
    assert refresh == ["0; url=/articles/politik/gipfel/"]


def test_permalinks_give_section_urls_and_old_ones_redirect(tmp_path: Path) -> None:
    source = write_site(tmp_path / "src", SITE.replace(
        "paths: {", 'permalinks: {politik: "/:section/:year/:slug/", articles: "/archiv/:slug/"}\npaths: {'))
    out = tmp_path / "out"
    assert build(BuildOptions(source=source, destination=out, cache=False)).ok
    assert (out / "politik/2022/gipfel/index.html").is_file()
    assert (out / "archiv/ohne-ressort/index.html").is_file()
    for old in ("articles/politik/gipfel", "articles/gipfel"):
        content = html(out, f"{old}/index.html").xpath("//h:meta[@http-equiv='refresh']/@content", namespaces=NS)
        assert content == ["0; url=/politik/2022/gipfel/"]


@pytest.mark.parametrize(("change", "message"), [
    (("content/articles/wirtschaft/", "content/articles/wirtschft/"),
     "content/articles/wirtschft/zoelle.md:1: error: the folder 'content/articles/wirtschft/' is not a section"),
    (("title: \"Ohne Ressort\"\n", "title: \"Ohne Ressort\"\nsection: Politk\n"),
     "content/articles/ohne-ressort.md:3: error: section 'Politk' is not a section listed in config.yaml"),
])
def test_an_unknown_section_is_an_error_with_a_suggestion(tmp_path: Path, cli, change: tuple[str, str],
                                                          message: str) -> None:
    source = write_site(tmp_path / "src", SITE.replace(*change))
    run = cli("build", "--source", source, "--destination", tmp_path / "out")
    assert run.code == 1
    assert message in run.err
    assert "did you mean" in run.err


def test_a_section_with_a_reserved_slug_is_refused(tmp_path: Path, cli) -> None:
    source = write_site(tmp_path / "src", SITE.replace("{slug: wirtschaft, title: Wirtschaft, order: 2}",
                                                       "{slug: assets, title: Technik}"))
    run = cli("build", "--source", source, "--destination", tmp_path / "out")
    assert run.code == 1 and "config.yaml:6: error: the section slug 'assets'" in run.err


# --- authors -------------------------------------------------------------------------------

def test_bylines_link_profiles_whatever_the_spelling(built: Path) -> None:
    page = html(built, "articles/politik/gipfel/index.html")
    authors = page.xpath("//h:span[@class='byline-authors']/*", namespaces=NS)
    assert [(a.tag.split("}")[1], a.get("rel"), a.get("href"), a.text) for a in authors] == [
        ("a", "author", "/autoren/miriam-schaefer/", "Miriam Schäfer"), ("span", None, None, "Gast Autor")]
    article = next(i for i in json_ld(built, "articles/politik/gipfel/index.html") if i["@type"] == "NewsArticle")
    assert article["author"] == [
        {"@type": "Person", "name": "Miriam Schäfer", "url": "https://zeitung.example/autoren/miriam-schaefer/",
         "sameAs": ["https://social.example/@miriam"]},
        {"@type": "Person", "name": "Gast Autor"}]


def test_an_author_page_lists_their_articles_newest_first_with_a_feed(built: Path) -> None:
    page = html(built, "autoren/miriam-schaefer/index.html")
    assert page.xpath("string(//h:h1)", namespaces=NS) == "Miriam Schäfer"
    assert "berichtet aus Genf" in page.xpath("string(//h:div[contains(@class, 'author-bio')])", namespaces=NS)
    teasers = hrefs(page, "//h:div[@class='teasers']//h:h3/h:a")
    assert teasers == ["/articles/politik/gipfel/", "/articles/wirtschaft/zoelle/"]
    feed = feedparser.parse((built / "autoren/miriam-schaefer/feed.xml").read_bytes())
    assert not feed.bozo and [e.title for e in feed.entries] == ["Gipfel in Genf", "Neue Zölle"]
    assert "/autoren/miriam-schaefer/" in hrefs(html(built, "autoren/index.html"), "//h:main//h:a")
    assert "https://zeitung.example/autoren/miriam-schaefer/" in sitemap_urls(built)


def test_a_byline_without_profile_warns_with_the_closest_profile(tmp_path: Path, cli) -> None:
    source = write_site(tmp_path / "src", SITE.replace("[miriam-schaefer]", "[Miriam Schäffer]"))
    run = cli("build", "--source", source, "--destination", tmp_path / "out")
    assert run.code == 0
    assert ("content/articles/wirtschaft/zoelle.md:4: warning: the author 'Miriam Schäffer' has no profile"
            in run.err)
    assert "did you mean 'Miriam Schäfer' (content/authors/miriam-schaefer.md)?" in run.err
    strict = cli("build", "--source", source, "--destination", tmp_path / "out2", "--strict")
    assert strict.code == 1


def test_a_profile_without_name_is_an_error(tmp_path: Path, cli) -> None:
    source = write_site(tmp_path / "src", SITE.replace('name: "Miriam Schäfer"\n', 'nme: "Miriam Schäfer"\n'))
    run = cli("build", "--source", source, "--destination", tmp_path / "out")
    assert run.code == 1
    assert "content/authors/miriam-schaefer.md:1: error: 'name' is required" in run.err


# --- scheduling ----------------------------------------------------------------------------

SCHEDULED = """
-- content/articles/frueh.md --
---
title: "Frühmeldung"
date: 2022-01-20T06:00:00+01:00
tags: [Diplomatie]
---
Die NATO berät.
-- content/articles/embargo.md --
---
title: "Sperrfrist Zwölfuhrmeldung"
date: 2022-01-21T12:00:00+01:00
tags: [Diplomatie]
authors: [Miriam Schäfer]
related: [frueh]
---
Die NATO entscheidet. Siehe [Frühmeldung](frueh.md).
-- content/articles/abgelaufen.md --
---
title: "Abgelaufene Aktion Sommerschluss"
date: 2022-01-10T12:00:00+01:00
expiry_date: 2022-01-15T00:00:00+01:00
tags: [Diplomatie]
---
Die NATO.
-- content/authors/miriam-schaefer.md --
---
name: "Miriam Schäfer"
---
Bio.
-- content/glossary/nato.md --
---
term: "NATO"
summary: "Bündnis."
---
Bündnis.
"""
NOW = datetime(2022, 1, 21, 8, 0, tzinfo=timezone.utc)


def every_byte(out: Path) -> bytes:
    return b"\n".join(p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file())


def test_scheduled_and_expired_articles_leak_into_no_file(tmp_path: Path) -> None:
    source = write_site(tmp_path / "src", SCHEDULED)
    out = tmp_path / "out"
    report = build(BuildOptions(source=source, destination=out, cache=False, now=NOW))
    assert report.ok, report.diagnostics
    assert report.articles == 1
    everything = every_byte(out)
    for leak in ("Sperrfrist", "Zwölfuhrmeldung", "embargo", "Sommerschluss", "abgelaufen"):
        assert leak.encode() not in everything, leak
    assert report.scheduled == 1 and report.next_due == datetime(2022, 1, 21, 11, 0, tzinfo=timezone.utc)
    assert "1 scheduled article left out; the next is due 2022-01-21T12:00:00+01:00" in report.summary()


def test_future_and_expired_flags_build_them(tmp_path: Path) -> None:
    source = write_site(tmp_path / "src", SCHEDULED)
    out = tmp_path / "out"
    report = build(BuildOptions(source=source, destination=out, cache=False, now=NOW, future=True, expired=True))
    assert report.ok and report.articles == 3
    assert (out / "articles/embargo/index.html").is_file() and (out / "articles/abgelaufen/index.html").is_file()


def test_a_scheduled_article_appears_once_it_is_due(tmp_path: Path) -> None:
    source = write_site(tmp_path / "src", SCHEDULED)
    out = tmp_path / "out"
    assert build(BuildOptions(source=source, destination=out, now=NOW)).ok
    assert not (out / "articles/embargo").exists()
    later = datetime(2022, 1, 21, 12, 30, tzinfo=timezone.utc)
    assert build(BuildOptions(source=source, destination=out, now=later)).ok
    assert "Sperrfrist" in (out / "articles/embargo/index.html").read_text(encoding="utf-8")
    assert "Sperrfrist" in (out / "index.html").read_text(encoding="utf-8")


def test_hugo_publish_and_expiry_dates_schedule(tmp_path: Path) -> None:
    source = write_site(tmp_path / "src", """
-- content/posts/a.md --
+++
title = "Geplant"
publishDate = 2099-01-01T00:00:00Z
+++
Text.
-- content/posts/b.md --
+++
title = "Vorbei"
date = 2020-01-01T00:00:00Z
expiryDate = 2021-01-01T00:00:00Z
+++
Text.
-- content/posts/c.md --
+++
title = "Jetzt"
date = 2020-01-01T00:00:00Z
+++
Text.
""")
    report = build(BuildOptions(source=source, destination=tmp_path / "out", cache=False))
    assert report.ok and report.articles == 1 and report.scheduled == 1


# --- updates and corrections ---------------------------------------------------------------

def test_a_correction_is_shown_dated_and_in_json_ld_and_the_feed(built: Path) -> None:
    page = html(built, "articles/politik/gipfel/index.html")
    notice = page.xpath("//h:aside[@id='korrekturen']", namespaces=NS)[0]
    assert notice.xpath("string(.//h:h2)", namespaces=NS) == "Korrektur"
    assert "falsches Datum" in notice.xpath("string(.//h:li)", namespaces=NS)
    assert hrefs(page, "//h:span[@class='byline-corrected']/h:a") == ["#korrekturen"]
    article = next(i for i in json_ld(built, "articles/politik/gipfel/index.html") if i["@type"] == "NewsArticle")
    assert article["dateModified"] == "2022-01-22T09:00:00+01:00"
    assert article["correction"] == [{"@type": "CorrectionComment", "datePublished": "2022-01-22T09:00:00+01:00",
                                      "text": "In einer früheren Fassung stand ein falsches Datum."}]
    entry = next(e for e in feedparser.parse((built / "feed.xml").read_bytes()).entries if e.title == "Gipfel in Genf")
    assert entry.updated == "2022-01-22T09:00:00+01:00" and entry.published == "2022-01-21T17:30:00+01:00"
    lastmod = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod")
               for u in etree.parse(str(built / "sitemap.xml")).iter(f"{SITEMAP}url")}
    assert lastmod["https://zeitung.example/articles/politik/gipfel/"] == "2022-01-22T09:00:00+01:00"
    updated = html(built, "articles/wirtschaft/zoelle/index.html")
    assert updated.xpath("string(//h:span[@class='byline-updated'])", namespaces=NS).startswith("Aktualisiert am ")


@pytest.mark.parametrize(("entry", "message"), [
    ("  - text: \"ohne Datum\"\n", "content/articles/politik/gipfel.md:9: error: correction 2 must have exactly"),
    ("  - date: gestern\n    text: \"x\"\n", "content/articles/politik/gipfel.md:9: error: 'date' must be"),
])
def test_a_malformed_correction_is_an_error_on_its_line(tmp_path: Path, cli, entry: str, message: str) -> None:
    source = write_site(tmp_path / "src", SITE.replace("---\nDie NATO trifft", entry + "---\nDie NATO trifft"))
    out = tmp_path / "out"
    run = cli("build", "--source", source, "--destination", out)
    assert run.code == 1
    assert message in run.err


# --- migrated content ----------------------------------------------------------------------

def test_a_jekyll_date_with_trailing_text_falls_back_to_the_file_name(tmp_path: Path, cli) -> None:
    source = write_site(tmp_path / "src", """
-- content/_posts/2023-01-29-release.md --
---
title: "Release"
date: 2023-01-29 18:30:22 2023 -0800
---
Text.
""")
    out = tmp_path / "out"
    run = cli("build", "--source", source, "--destination", out)
    assert run.code == 0, run.err
    assert "content/_posts/2023-01-29-release.md:3: warning: 'date'" in run.err
    assert "the date in the file name (2023-01-29) is used" in run.err
    entry = feedparser.parse((out / "feed.xml").read_bytes()).entries[0]
    assert entry.published.startswith("2023-01-29")


# --- incremental builds --------------------------------------------------------------------

def test_renaming_an_author_changes_every_byline_in_an_incremental_build(tmp_path: Path) -> None:
    source = write_site(tmp_path / "src", SITE)
    preview = IncrementalBuilder(source, jobs=1)
    assert preview.build().ok
    profile = source / "content/authors/miriam-schaefer.md"
    profile.write_text(profile.read_text(encoding="utf-8").replace(
        'name: "Miriam Schäfer"', 'name: "Miriam Schäfer-Lange"\naliases: ["Miriam Schäfer"]'), encoding="utf-8")
    outcome = preview.build()
    assert outcome.ok, outcome.diagnostics
    for path in ("articles/politik/gipfel/index.html", "articles/wirtschaft/zoelle/index.html", "index.html",
                 "politik/index.html", "autoren/miriam-schaefer/index.html", "autoren/index.html"):
        text = outcome.files[path].decode()
        assert "Miriam Schäfer-Lange" in text, path
    fresh = tmp_path / "fresh"
    assert build(BuildOptions(source=source, destination=fresh, cache=False, fingerprint_assets=False)).ok
    assert {p: (fresh / p).read_bytes() for p in outcome.files if (fresh / p).is_file()} == {
        p: data for p, data in outcome.files.items() if (fresh / p).is_file()}
    assert set(outcome.files) == {p.relative_to(fresh).as_posix() for p in fresh.rglob("*")
                                  if p.is_file() and p.name != ".builder-output"}


def test_the_preview_navigates_to_an_edited_page_or_author(tmp_path: Path) -> None:
    source = write_site(tmp_path / "src", SITE)
    preview = IncrementalBuilder(source, jobs=1)
    assert preview.build().ok
    for rel, url in (("content/pages/impressum.md", "/impressum/"),
                     ("content/authors/miriam-schaefer.md", "/autoren/miriam-schaefer/")):
        path = source / rel
        path.write_text(path.read_text(encoding="utf-8") + "\nNeu.\n", encoding="utf-8")
        outcome = preview.build()
        assert outcome.ok and navigate_target(outcome) == url


def test_saving_a_scheduled_article_in_the_preview_shows_nothing_of_it(tmp_path: Path) -> None:
    source = write_site(tmp_path / "src", SITE)
    preview = IncrementalBuilder(source, jobs=1)
    before = preview.build()
    assert before.ok
    (source / "content/articles/politik/vorab.md").write_text(
        "---\ntitle: \"Vorabmeldung Sperrfrist\"\ndate: 2999-01-01T06:00:00+01:00\n"
        "authors: [Miriam Schäfer]\ntags: [Diplomatie]\n---\nDie NATO.\n", encoding="utf-8")
    after = preview.build()
    assert after.ok, after.diagnostics
    assert not any(b"Sperrfrist" in data or b"vorab" in data for data in after.files.values())
    assert set(after.files) == set(before.files)
