"""`check_site` on small built sites written by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.commands.check import check_site
from builder.commands.page_scan import scan_page
from builder.errors import Diagnostic


def page(title: str = "Lagebild", body: str = "", *, lang: str = 'lang="de"', head: str = "") -> str:
    """A well-formed HTML5 page; the body starts on line 3."""
    return (
        f"<!DOCTYPE html>\n<html {lang}><head><meta charset=\"utf-8\"><title>{title}</title>{head}</head>\n"
        f"<body>{body}</body></html>\n"
    )


ATOM_FEED = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Lagebild</title>
  <link rel="self" href="https://example.org/feed.xml"/>
  <link rel="alternate" href="https://example.org/"/>
  <entry>
    <title>Gipfel in Paris</title>
    <link rel="alternate" href="https://example.org/artikel/gipfel-in-paris/"/>
  </entry>
</feed>
"""

SITEMAP = """<?xml version="1.0" encoding="utf-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://example.org/</loc></url>
  <url><loc>https://example.org/artikel/gipfel-in-paris/</loc></url>
  <url><loc>https://example.org/glossar/normandie-format/</loc></url>
</urlset>
"""


def clean_site() -> dict[str, str]:
    """A small site with every feature used correctly."""
    return {
        "index.html": page("Lagebild", (
            '<nav><a href="/">Start</a> <a href="/glossar/normandie-format/">Normandie-Format</a></nav>'
            '<a href="artikel/gipfel-in-paris/#verhandlungen">Gipfel in Paris</a>'
            '<a href="mailto:redaktion@example.org">Kontakt</a>'
            '<a href="https://www.auswaertiges-amt.de/">Auswärtiges Amt</a>'
        ), head='<link rel="stylesheet" href="/assets/style.css">'
                '<link rel="alternate" type="application/atom+xml" href="/feed.xml">'),
        "artikel/gipfel-in-paris/index.html": page("Gipfel in Paris", (
            '<h1 id="titel">Gipfel in Paris</h1><h2 id="verhandlungen">Verhandlungen</h2>'
            '<p><a href="../../glossar/normandie-format/">Normandie-Format</a> '
            '<a href="#titel">nach oben</a></p>'
            '<img src="/bilder/elysee.jpg" srcset="/bilder/elysee.jpg 1x, /bilder/elysee-2x.jpg 2x" alt="">'
            '<a href="https://www.auswaertiges-amt.de/">Auswärtiges Amt</a>'
        )),
        "glossar/normandie-format/index.html": page("Normandie-Format", (
            '<h1 data-pagefind-weight="10">Normandie-Format</h1>'
            '<a href="/artikel/gipfel-in-paris/">Gipfel in Paris</a>'
        )),
        "404.html": page("Seite nicht gefunden", '<a href="/">Zur Startseite</a>'),
        "alt/gipfel/index.html": page("Umgezogen", '<a href="/artikel/gipfel-in-paris/">neu</a>',
                                     head='<meta http-equiv="refresh" content="0; url=/artikel/gipfel-in-paris/">'),
        "assets/style.css": "body { color: #222; }",
        "bilder/elysee.jpg": "jpg",
        "bilder/elysee-2x.jpg": "jpg",
        "feed.xml": ATOM_FEED,
        "sitemap.xml": SITEMAP,
    }


def write_site(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def problems(root: Path, **kwargs: object) -> list[str]:
    return [str(p) for p in check_site(root, **kwargs).problems]  # type: ignore[arg-type]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_site(tmp_path / "site", clean_site())


def test_clean_site_passes(site: Path) -> None:
    report = check_site(site)
    assert report.problems == []
    assert report.ok


def test_external_links_are_listed_not_fetched(site: Path) -> None:
    # The URL cannot resolve (.invalid): listing it must not try.
    (site / "artikel/gipfel-in-paris/index.html").write_text(page("Gipfel in Paris", (
        '<a href="https://nirgends.invalid/bericht">Bericht</a><a href="/">Start</a>'
        '<a href="//cdn.invalid/x.js">cdn</a>'
    )))
    report = check_site(site)
    assert report.external_links == [
        ("//cdn.invalid/x.js", "artikel/gipfel-in-paris/index.html"),
        ("https://nirgends.invalid/bericht", "artikel/gipfel-in-paris/index.html"),
        ("https://www.auswaertiges-amt.de/", "index.html"),
    ]


def test_broken_link(site: Path) -> None:
    (site / "glossar/normandie-format/index.html").write_text(page("Normandie-Format", (
        '<a href="/artikel/gipfel-in-paris/">Gipfel</a> <a href="../../artikel/minsk/">Minsk</a>'
    )))
    assert problems(site) == [
        f'{site.as_posix()}/glossar/normandie-format/index.html:3:54: error: '
        'broken link "../../artikel/minsk/": artikel/minsk/index.html does not exist',
    ]


def test_broken_image_stylesheet_and_srcset(site: Path) -> None:
    (site / "bilder/elysee-2x.jpg").unlink()
    (site / "assets/style.css").unlink()
    assert problems(site) == [
        f'{site.as_posix()}/artikel/gipfel-in-paris/index.html:3:183: error: '
        'broken link "/bilder/elysee-2x.jpg": bilder/elysee-2x.jpg does not exist',
        f'{site.as_posix()}/index.html:2:68: error: '
        'broken link "/assets/style.css": assets/style.css does not exist',
    ]


def test_broken_anchor_on_same_and_other_page(site: Path) -> None:
    (site / "glossar/normandie-format/index.html").write_text(page("Normandie-Format", (
        '<a href="/artikel/gipfel-in-paris/#ergebnisse">Ergebnisse</a><a href="#fehlt">hier</a>'
    )))
    assert problems(site) == [
        f'{site.as_posix()}/glossar/normandie-format/index.html:3:7: error: '
        'broken anchor "/artikel/gipfel-in-paris/#ergebnisse": '
        'no id "ergebnisse" in artikel/gipfel-in-paris/index.html',
        f'{site.as_posix()}/glossar/normandie-format/index.html:3:68: error: '
        'broken anchor "#fehlt": no id "fehlt" on this page',
    ]


def test_missing_title_and_lang(site: Path) -> None:
    (site / "glossar/normandie-format/index.html").write_text(
        page(" ", '<a href="/">Start</a>', lang='class="x"'))
    assert problems(site) == [
        f"{site.as_posix()}/glossar/normandie-format/index.html: error: <html> has no lang attribute",
        f"{site.as_posix()}/glossar/normandie-format/index.html: error: missing or empty <title>",
    ]


def test_svg_title_is_not_the_page_title(site: Path) -> None:
    (site / "glossar/normandie-format/index.html").write_text(
        "<!DOCTYPE html>\n<html lang=\"de\"><head><meta charset=\"utf-8\"></head>\n"
        "<body><svg><title>Karte</title></svg></body></html>\n")
    assert problems(site) == [
        f"{site.as_posix()}/glossar/normandie-format/index.html: error: missing or empty <title>",
    ]


def test_duplicate_id(site: Path) -> None:
    (site / "glossar/normandie-format/index.html").write_text(page("Normandie-Format", (
        '<h2 id="geschichte">Geschichte</h2>\n<p>Text</p>\n<h2 id="geschichte">Geschichte, Teil 2</h2>'
    )))
    assert problems(site) == [
        f'{site.as_posix()}/glossar/normandie-format/index.html:5:1: error: '
        'duplicate id "geschichte" (first used on line 3)',
    ]


def test_malformed_html(site: Path) -> None:
    (site / "glossar/normandie-format/index.html").write_text(page("Normandie-Format", (
        '<a href="/">Start</a><p>Verhandlungen <b>in <i>Paris</b></i></p>\n</div>'
    )))
    prefix = f"{site.as_posix()}/glossar/normandie-format/index.html"
    assert problems(site) == [
        f"{prefix}:3:62: error: malformed HTML: End tag (b) violates step 1, "
        "paragraph 3 of the adoption agency algorithm.",
        f"{prefix}:3:66: error: malformed HTML: End tag (i) violates step 1, "
        "paragraph 2 of the adoption agency algorithm.",
        f"{prefix}:4:6: error: malformed HTML: End tag (div) seen too early. Expected other end tag.",
    ]


def test_missing_doctype_is_malformed(site: Path) -> None:
    (site / "404.html").write_text(page("Nicht gefunden").replace("<!DOCTYPE html>\n", ""))
    assert problems(site) == [
        f"{site.as_posix()}/404.html:1:16: error: malformed HTML: Unexpected start tag (html). Expected DOCTYPE.",
    ]


def test_feed_listing_a_missing_page(site: Path) -> None:
    (site / "feed.xml").write_text(ATOM_FEED.replace("gipfel-in-paris", "gipfel-in-moskau"))
    assert problems(site) == [
        f"{site.as_posix()}/feed.xml:8: error: feed lists a missing page: "
        "https://example.org/artikel/gipfel-in-moskau/ (artikel/gipfel-in-moskau/index.html does not exist)",
    ]


def test_feed_with_wrong_root_element(site: Path) -> None:
    (site / "feed.xml").write_text('<rss version="2.0"><channel></channel></rss>')
    assert problems(site) == [
        f'{site.as_posix()}/feed.xml: error: root element is <rss>, '
        'expected <feed xmlns="http://www.w3.org/2005/Atom">',
    ]


def test_sitemap_not_well_formed(site: Path) -> None:
    (site / "sitemap.xml").write_text(SITEMAP.replace("</urlset>", "</url>"))
    assert problems(site) == [
        f"{site.as_posix()}/sitemap.xml:6:3: error: not well-formed XML: mismatched tag",
    ]


def test_sitemap_without_namespace(site: Path) -> None:
    (site / "sitemap.xml").write_text(SITEMAP.replace(' xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"', ""))
    assert problems(site) == [
        f'{site.as_posix()}/sitemap.xml: error: root element is <urlset>, '
        'expected <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]


def test_sitemap_listing_a_missing_page(site: Path) -> None:
    (site / "sitemap.xml").write_text(SITEMAP.replace("glossar/normandie-format", "glossar/minsk-abkommen"))
    assert problems(site) == [
        f"{site.as_posix()}/sitemap.xml:5: error: sitemap lists a missing page: "
        "https://example.org/glossar/minsk-abkommen/ (glossar/minsk-abkommen/index.html does not exist)",
    ]


def test_orphan_page(site: Path) -> None:
    write_site(site, {"artikel/vergessen/index.html": page("Vergessen", '<a href="/">Start</a>')})
    assert problems(site) == [
        f"{site.as_posix()}/artikel/vergessen/index.html: error: "
        "orphan page: no link leads here from the home page (index.html)",
    ]


def test_a_stylesheet_link_does_not_make_a_page_reachable(site: Path) -> None:
    write_site(site, {"artikel/vergessen/index.html": page("Vergessen")})
    (site / "index.html").write_text(page("Lagebild", (
        '<a href="/glossar/normandie-format/">Normandie-Format</a>'
    ), head='<link rel="prefetch" href="/artikel/vergessen/">'))
    assert problems(site) == [
        f"{site.as_posix()}/artikel/vergessen/index.html: error: "
        "orphan page: no link leads here from the home page (index.html)",
    ]


def test_redirect_pages_and_404_are_not_orphans_but_their_links_are_checked(site: Path) -> None:
    (site / "alt/gipfel/index.html").write_text(page("Umgezogen", head=(
        '<meta http-equiv="refresh" content="0; url=/artikel/gipfel-in-riga/">')))
    assert problems(site) == [
        f'{site.as_posix()}/alt/gipfel/index.html:2:69: error: '
        'broken link "/artikel/gipfel-in-riga/": artikel/gipfel-in-riga/index.html does not exist',
    ]


def test_missing_home_page(site: Path) -> None:
    (site / "index.html").unlink()
    assert f"{site.as_posix()}/index.html: error: home page does not exist" in problems(site)


def test_problems_point_at_the_content_file_when_known(site: Path) -> None:
    (site / "glossar/normandie-format/index.html").write_text(page("Normandie-Format", (
        '<a href="/artikel/gipfel-in-paris/">Gipfel</a> <a href="../../artikel/minsk/">Minsk</a>'
    )))
    report = check_site(site, sources={"glossar/normandie-format/index.html": "content/glossary/normandie-format.md"})
    assert report.problems == [Diagnostic(
        "content/glossary/normandie-format.md", None,
        'broken link "../../artikel/minsk/": artikel/minsk/index.html does not exist '
        "(in glossar/normandie-format/index.html:3:54)",
    )]
    assert not report.ok


def test_base_path(tmp_path: Path) -> None:
    files = {name: text.replace('href="/', 'href="/lagebild/').replace('src="/', 'src="/lagebild/')
             .replace(", /bilder/", ", /lagebild/bilder/").replace('srcset="/', 'srcset="/lagebild/')
             .replace("url=/", "url=/lagebild/")
             .replace("https://example.org/", "https://example.org/lagebild/")
             for name, text in clean_site().items()}
    files["index.html"] = files["index.html"].replace(
        "</nav>", '<a href="/andere-anwendung/">andere Anwendung</a></nav>')
    site = write_site(tmp_path / "site", files)
    assert problems(site, base_path="/lagebild/") == []
    # The same site checked as if served at the root breaks every absolute link.
    broken = problems(site, base_path="/")
    assert (f'{site.as_posix()}/index.html:3:12: error: broken link "/lagebild/": '
            "lagebild/index.html does not exist") in broken


def test_base_path_relative_link_leaving_the_site(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {
        "index.html": page("Lagebild", '<a href="../../impressum/">Impressum</a>'),
    })
    assert problems(site, base_path="lagebild") == [
        f'{site.as_posix()}/index.html:3:7: error: broken link "../../impressum/": '
        "leads outside the base path /lagebild/",
    ]


def test_feed_url_outside_the_base_path(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {
        "index.html": page("Lagebild"),
        "feed.xml": '<feed xmlns="http://www.w3.org/2005/Atom">\n<link href="https://example.org/x/"/></feed>',
    })
    assert problems(site, base_path="/lagebild/") == [
        f'{site.as_posix()}/feed.xml:2: error: feed URL "https://example.org/x/" '
        "is outside the base path /lagebild/",
    ]


def test_scan_page_reads_links_ids_and_redirect() -> None:
    scan = scan_page("alt/index.html", page("Umgezogen", '<p id="a"><a name="b" href="#a">x</a>', head=(
        '<meta http-equiv="refresh" content="0;URL=\'/neu/\'">')).encode())
    assert scan.redirect
    assert scan.ids == frozenset({"a", "b"})
    assert [(link.tag, link.url) for link in scan.links] == [("meta", "/neu/"), ("a", "#a")]
    assert scan.title == "Umgezogen" and scan.lang == "de" and scan.parse_errors == ()


def test_base_url_makes_links_to_the_own_host_internal(site: Path) -> None:
    (site / "artikel/gipfel-in-paris/index.html").write_text(page("Gipfel in Paris", (
        '<h2 id="verhandlungen">Verhandlungen</h2><a href="/">Start</a>'
        '<a href="https://www.auswaertiges-amt.de/">Auswärtiges Amt</a>'),
        head='<link rel="canonical" href="https://example.org/artikel/gipfel-in-pariss/">'))
    report = check_site(site, base_url="https://example.org/")
    assert [str(p) for p in report.problems] == [
        f'{site.as_posix()}/artikel/gipfel-in-paris/index.html:2:75: error: broken link '
        '"https://example.org/artikel/gipfel-in-pariss/": artikel/gipfel-in-pariss/index.html does not exist',
    ]
    assert report.external_links == [("https://www.auswaertiges-amt.de/", "artikel/gipfel-in-paris/index.html"),
                                      ("https://www.auswaertiges-amt.de/", "index.html")]


def test_base_url_feed_on_another_host(site: Path) -> None:
    (site / "feed.xml").write_text(ATOM_FEED.replace("https://example.org/artikel/", "http://example.org/artikel/"))
    assert problems(site, base_url="https://example.org/") == [
        f'{site.as_posix()}/feed.xml:8: error: feed URL "http://example.org/artikel/gipfel-in-paris/" '
        "is not on this site (https://example.org)",
    ]


def test_process_pool_gives_the_same_report(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_site(site, {"artikel/vergessen/index.html": page("Vergessen", '<a href="#fehlt">x</a>')})
    serial = check_site(site)
    monkeypatch.setattr("builder.commands.check._PARALLEL_THRESHOLD", 2)
    monkeypatch.setattr("builder.commands.check._cpu_count", lambda: 2)
    parallel = check_site(site)
    assert parallel == serial
    assert [p.message for p in parallel.problems] == [
        'broken anchor "#fehlt": no id "fehlt" on this page',
        "orphan page: no link leads here from the home page (index.html)",
    ]
