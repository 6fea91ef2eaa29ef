"""The default theme in a real browser: glossary tooltips (WCAG 1.4.13), print, a11y.

Builds a small German fixture site with `python -m builder build`, serves it on
127.0.0.1 and drives Debian's Chromium through Playwright.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Callable, Iterator

import pytest

from conftest import REPO, serve_folder

pytestmark = pytest.mark.browser

playwright_sync = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Locator, Page, expect  # noqa: E402

BASE_PATH = "/zeitung/"

NORMANDIE_SUMMARY = ("Gesprächsformat von Deutschland, Frankreich, Russland und der Ukraine "
                     "zur Beilegung des Konflikts in der Ostukraine.")
KREML_SUMMARY = "Amtssitz des russischen Präsidenten in Moskau; steht oft für die russische Staatsführung."

SITE_FILES = {
    "config.yaml": """\
        title: "Testzeitung"
        description: "Erklärte Nachrichten zur Ukraine-Krise"
        base_url: "https://zeitung.example/zeitung/"
        language: de
        author: "Redaktion Testzeitung"
        search: false
        paths:
          glossary: glossar
          tags: themen
          search: suche
        """,
    "content/glossary/normandie-format.md": f"""\
        ---
        term: "Normandie-Format"
        aliases: ["Normandie-Formats"]
        ---

        {NORMANDIE_SUMMARY}

        Die vier Staaten trafen sich erstmals im Juni 2014 am Rande der Gedenkfeiern in der Normandie.
        """,
    "content/glossary/kreml.md": f"""\
        ---
        term: "Kreml"
        aliases: ["Kremls"]
        ---

        {KREML_SUMMARY}

        Der Kreml ist eine Festungsanlage im Zentrum Moskaus.
        """,
    "content/glossary/sicherheitsgarantie.md": """\
        ---
        term: "Sicherheitsgarantie"
        aliases: ["Sicherheitsgarantien"]
        ---

        Zusage eines Staates oder Bündnisses, für die Sicherheit eines anderen Staates einzustehen.

        Russland verlangte Ende 2021 schriftliche Garantien von den USA und der NATO.
        """,
    "content/articles/a.md": """\
        ---
        title: "Gespräche in Paris ohne Durchbruch"
        date: 2022-01-26T19:50:00+01:00
        updated: 2022-01-26T21:10:00+01:00
        kicker: "Ukraine-Krise"
        summary: "Berater aus vier Staaten haben in Paris über den Konflikt in der Ostukraine gesprochen."
        tags: [Ukraine-Krise, Diplomatie]
        authors: [Lena Hoffmann, Jonas Weber]
        related: [b]
        aliases: ["/alt/paris-gespraeche/"]
        ---

        In Paris haben politische Berater im Rahmen des Normandie-Formats stundenlang beraten.
        Die Vertreter aus Berlin, Paris, Moskau und Kiew sprachen über die Lage an der Front und
        über einen Austausch von Gefangenen. Eine gemeinsame Erklärung gab es am Abend nicht, wohl
        aber die Zusage, sich bald wieder zu treffen. Ein Sprecher des Kremls nannte das Treffen
        sachlich, aber schwierig.

        ## Forderungen aus Moskau

        Moskau verlangt seit Wochen schriftliche Sicherheitsgarantien von den westlichen Staaten.
        Die Antworten darauf prüfe man sorgfältig, hieß es. Viele Beobachter rechnen nicht mit einer
        schnellen Einigung, denn die Positionen liegen weit auseinander. Auch der Kreml selbst
        äußerte sich zurückhaltend und verwies auf weitere Gespräche in den kommenden Wochen.

        Mehr dazu steht im [Hintergrundtext](b.md).
        """,
    "content/articles/b.md": """\
        ---
        title: "Was ist das Normandie-Format?"
        date: 2022-01-25T08:00:00+01:00
        kicker: "Erklärt"
        summary: "Seit 2014 sprechen Deutschland, Frankreich, Russland und die Ukraine in dieser Runde."
        tags: [Diplomatie]
        authors: [Mira Schulz]
        ---

        Das Normandie-Format ist eine Gesprächsrunde aus vier Staaten. Sie entstand 2014, als sich
        die Staats- und Regierungschefs bei einer Gedenkfeier in der Normandie trafen. Der Kreml
        nimmt bis heute an den Treffen teil.
        """,
}


def _write_site(folder: Path) -> None:
    for name, text in SITE_FILES.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Build the fixture site under /zeitung/ and serve it; yields the site's root URL."""
    yield from _build_and_serve(tmp_path_factory.mktemp("theme"), search=False)


@pytest.fixture(scope="module")
def search_site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The fixture site with `search: true`, indexed by Pagefind."""
    pytest.importorskip("pagefind", reason="Pagefind is not installed: pip install 'pagefind[bin]'")
    yield from _build_and_serve(tmp_path_factory.mktemp("theme-suche"), search=True)


def _build_and_serve(tmp: Path, *, search: bool) -> Iterator[str]:
    source, out = tmp / "quelle", tmp / "www"
    _write_site(source)
    if search:
        config = source / "config.yaml"
        config.write_text(config.read_text(encoding="utf-8").replace("search: false", "search: true"),
                          encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "builder", "build", "--source", str(source), "--destination", str(out)],
        capture_output=True, text=True, cwd=REPO,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    with serve_folder(out, BASE_PATH) as url:
        yield url


@pytest.fixture
def article_url(site_url: str) -> str:
    return site_url + "articles/a/"


OpenPage = Callable[..., Page]



def _term(page: Page, slug: str) -> Locator:
    return page.locator(f'.article-body .gl-term[data-term="{slug}"]').first


def _tip(term: Locator) -> Locator:
    return term.locator("xpath=following-sibling::span[contains(@class, 'gl-tip')]")


@pytest.fixture
def page(open_page: OpenPage, article_url: str) -> Iterator[Page]:
    page = open_page(article_url, viewport={"width": 1100, "height": 900})
    yield page
    assert page.outside_requests == []  # type: ignore[attr-defined]


def test_article_page_has_an_annotation_per_term_with_its_summary(page: Page) -> None:
    term = _term(page, "normandie-format")
    expect(term).to_have_text("Normandie-Formats")
    expect(_tip(term)).to_have_text(NORMANDIE_SUMMARY)
    expect(_tip(term)).to_be_hidden()


def test_hover_shows_tooltip_and_it_stays_while_pointer_moves_onto_it(page: Page) -> None:
    term = _term(page, "normandie-format")
    tip = _tip(term)
    term.hover()
    expect(tip).to_be_visible()
    term_box, tip_box = term.bounding_box(), tip.bounding_box()
    assert term_box is not None and tip_box is not None
    assert tip_box["y"] > term_box["y"] + term_box["height"]  # below the term, with a gap
    # walk straight down from the term across the gap into the tooltip
    x = max(term_box["x"], tip_box["x"]) + 4
    page.mouse.move(x, term_box["y"] + term_box["height"] / 2)
    page.mouse.move(x, tip_box["y"] + tip_box["height"] / 2, steps=12)
    expect(tip).to_be_visible()
    page.mouse.move(5, 5)
    expect(tip).to_be_hidden()


def test_keyboard_focus_by_tab_shows_tooltip(page: Page) -> None:
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('gl-term')"):
            break
    focused = page.locator(".gl-term:focus")
    expect(focused).to_have_count(1)
    expect(_tip(focused)).to_be_visible()


def test_escape_hides_tooltip_and_keeps_focus_on_the_term(page: Page) -> None:
    term = _term(page, "kreml")
    term.focus()
    tip = _tip(term)
    expect(tip).to_be_visible()
    page.keyboard.press("Escape")
    expect(tip).to_be_hidden()
    expect(term).to_be_focused()
    # leaving and coming back shows it again
    page.keyboard.press("Shift+Tab")
    term.focus()
    expect(tip).to_be_visible()


def test_escape_hides_hovered_tooltip(page: Page) -> None:
    term = _term(page, "kreml")
    term.hover()
    expect(_tip(term)).to_be_visible()
    page.keyboard.press("Escape")
    expect(_tip(term)).to_be_hidden()


def test_accessible_description_is_the_term_summary(page: Page) -> None:
    link = page.get_by_role("link", name="Normandie-Formats")
    expect(link).to_have_accessible_description(NORMANDIE_SUMMARY)
    expect(page.get_by_role("link", name="Kremls")).to_have_accessible_description(KREML_SUMMARY)


def _rightmost_term(page: Page) -> Locator:
    """The annotation that starts furthest right on the screen (asserted to be right of centre)."""
    index = page.evaluate("""() => {
        const terms = [...document.querySelectorAll('.article-body .gl-term')];
        let best = 0;
        terms.forEach((t, i) => {
            if (t.getClientRects()[0].left > terms[best].getClientRects()[0].left) best = i;
        });
        return best;
    }""")
    return page.locator(".article-body .gl-term").nth(index)


def test_tooltip_stays_inside_a_narrow_viewport(open_page: OpenPage, article_url: str) -> None:
    page = open_page(article_url, viewport={"width": 340, "height": 640})
    term = _rightmost_term(page)
    term.scroll_into_view_if_needed()
    tip = _tip(term)
    term.hover()
    expect(tip).to_be_visible()
    box, tip_box = term.bounding_box(), tip.bounding_box()
    assert box is not None and tip_box is not None
    assert box["x"] + tip_box["width"] > 340, "fixture: anchored at the term, the tooltip would overflow"
    assert tip_box["x"] >= 0 and tip_box["x"] + tip_box["width"] <= 340
    assert page.evaluate("document.documentElement.scrollWidth") <= 340  # no sideways scrolling


def test_tooltip_flips_above_a_term_at_the_bottom_of_the_viewport(page: Page) -> None:
    page.set_viewport_size({"width": 1100, "height": 420})
    term = _term(page, "sicherheitsgarantie")
    term.scroll_into_view_if_needed()
    # put the term 30 px above the bottom edge
    bottom = page.evaluate("""(el) => {
        window.scrollBy(0, el.getBoundingClientRect().bottom - (window.innerHeight - 30));
        return window.innerHeight - el.getBoundingClientRect().bottom;
    }""", term.element_handle())
    assert bottom < 40, "fixture: the page must be long enough to scroll the term down there"
    term.hover()
    tip = _tip(term)
    expect(tip).to_be_visible()
    term_box, tip_box = term.bounding_box(), tip.bounding_box()
    assert term_box is not None and tip_box is not None
    assert tip_box["y"] + tip_box["height"] <= term_box["y"]
    assert tip_box["y"] >= 0


def test_touch_first_tap_shows_tooltip_second_tap_follows_link(open_page: OpenPage, article_url: str) -> None:
    page = open_page(article_url, viewport={"width": 390, "height": 800}, has_touch=True, is_mobile=True)
    term = _term(page, "normandie-format")
    tip = _tip(term)
    term.tap()
    expect(tip).to_be_visible()
    expect(page).to_have_url(article_url)
    term.tap()
    expect(page).to_have_url(article_url.replace("articles/a/", "glossar/normandie-format/"))
    expect(page.locator("h1")).to_have_text("Normandie-Format")


def test_touch_tap_elsewhere_hides_tooltip(open_page: OpenPage, article_url: str) -> None:
    page = open_page(article_url, viewport={"width": 390, "height": 800}, has_touch=True, is_mobile=True)
    term = _term(page, "kreml")
    tip = _tip(term)
    term.tap()
    expect(tip).to_be_visible()
    page.locator("h1").tap()
    expect(tip).to_be_hidden()
    expect(page).to_have_url(article_url)


def test_print_hides_tooltips_and_chrome_and_lists_the_terms(page: Page) -> None:
    page.emulate_media(media="print")
    term = _term(page, "normandie-format")
    term.hover()
    expect(_tip(term)).to_be_hidden()
    notes = page.locator("ol.gl-notes li")
    expect(notes).to_have_count(3)
    expect(notes.first).to_be_visible()
    expect(notes.first).to_contain_text("Normandie-Format")
    expect(notes.first).to_contain_text(NORMANDIE_SUMMARY)
    expect(page.locator("nav[aria-label='Hauptnavigation']")).to_be_hidden()
    expect(page.locator("[data-related]")).to_be_hidden()
    # each annotation carries the number of its term in the list
    marker = term.evaluate("el => getComputedStyle(el, '::after').content")
    assert marker == '"1"'


def test_notes_list_is_not_shown_on_screen(page: Page) -> None:
    expect(page.locator("ol.gl-notes")).to_be_hidden()
    expect(page.locator("[data-related]")).to_be_visible()


def test_without_javascript_hover_and_focus_still_show_tooltip(open_page: OpenPage, article_url: str) -> None:
    page = open_page(article_url, viewport={"width": 1100, "height": 900}, java_script_enabled=False)
    term = _term(page, "normandie-format")
    tip = _tip(term)
    expect(tip).to_be_hidden()
    term.hover()
    expect(tip).to_be_visible()
    page.mouse.move(5, 5)
    expect(tip).to_be_hidden()
    _term(page, "kreml").focus()
    expect(_tip(_term(page, "kreml"))).to_be_visible()


def test_dark_mode_changes_colours(open_page: OpenPage, article_url: str) -> None:
    colours = {}
    for scheme in ("light", "dark"):
        page = open_page(article_url, color_scheme=scheme)
        term = _term(page, "kreml")
        term.hover()
        colours[scheme] = (page.evaluate("getComputedStyle(document.body).backgroundColor"),
                           _tip(term).evaluate("el => getComputedStyle(el).backgroundColor"))
    assert colours["light"][0] != colours["dark"][0]
    assert colours["light"][1] != colours["dark"][1]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_article_page_has_no_axe_violations(open_page: OpenPage, article_url: str, scheme: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page = open_page(article_url, color_scheme=scheme)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("path", ["", "glossar/", "glossar/normandie-format/", "themen/",
                                  "themen/diplomatie/", "404.html"])
def test_other_pages_have_no_axe_violations(open_page: OpenPage, site_url: str, path: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page = open_page(site_url + path)
    expect(page.locator("main h1")).to_be_visible()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    assert page.outside_requests == []  # type: ignore[attr-defined]


def test_pages_make_no_failed_requests(open_page: OpenPage, article_url: str) -> None:
    page = open_page(article_url)  # loads page, then its style sheet, script and icon
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.reload()
    expect(page.locator("h1")).to_have_text("Gespräche in Paris ohne Durchbruch")
    page.wait_for_load_state("load")
    assert page.evaluate("getComputedStyle(document.body).display") == "flex"  # style.css applied
    assert failed == []


def test_article_page_shows_kicker_headline_byline_dates_tags_and_related(page: Page) -> None:
    header = page.locator(".article-header")
    expect(header.locator(".kicker")).to_have_text("Ukraine-Krise")
    expect(header.locator(".kicker + h1")).to_have_text("Gespräche in Paris ohne Durchbruch")
    expect(header.locator(".lead")).to_have_text(
        "Berater aus vier Staaten haben in Paris über den Konflikt in der Ostukraine gesprochen.")
    expect(header.locator(".byline-authors")).to_have_text("Von Lena Hoffmann und Jonas Weber")
    published = header.locator(".byline-date time")
    expect(published).to_have_attribute("datetime", "2022-01-26T19:50:00+01:00")
    expect(published).to_have_text("26. Januar 2022, 19:50 Uhr")
    expect(header.locator(".byline-updated")).to_have_text("Aktualisiert am 26. Januar 2022, 21:10 Uhr")
    # the topics close the article, after its text
    topics = page.locator(".article-footer")
    expect(topics.get_by_role("link", name="Diplomatie")).to_have_attribute("href", "/zeitung/themen/diplomatie/")
    assert topics.evaluate("el => !!(el.compareDocumentPosition(document.querySelector('.article-body')) & 2)")
    related = page.locator("section[data-related] li")
    expect(related.get_by_role("link")).to_have_text(["Was ist das Normandie-Format?"])
    expect(related.get_by_role("link")).to_have_attribute("href", "/zeitung/articles/b/")
    expect(related.locator(".teaser-note")).to_have_text(re.compile(r"^Auch über: .*Normandie-Format"))
    expect(page.locator("section[data-related] h2")).to_have_text("Mehr zum Thema")


def test_article_page_meta_open_graph_and_json_ld(page: Page) -> None:
    url = "https://zeitung.example/zeitung/articles/a/"
    expect(page).to_have_title("Gespräche in Paris ohne Durchbruch – Testzeitung")
    expect(page.locator('link[rel="canonical"]')).to_have_attribute("href", url)
    expect(page.locator('meta[property="og:url"]')).to_have_attribute("content", url)
    expect(page.locator('meta[property="og:type"]')).to_have_attribute("content", "article")
    expect(page.locator('meta[property="og:title"]')).to_have_attribute("content", "Gespräche in Paris ohne Durchbruch")
    expect(page.locator('meta[property="article:published_time"]')).to_have_attribute(
        "content", "2022-01-26T19:50:00+01:00")
    expect(page.locator('meta[name="description"]')).to_have_attribute(
        "content", "Berater aus vier Staaten haben in Paris über den Konflikt in der Ostukraine gesprochen.")
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content() or "")
    assert (data["@type"], data["headline"]) == ("NewsArticle", "Gespräche in Paris ohne Durchbruch")


def test_backlinks_list_the_linking_article_once(open_page: OpenPage, site_url: str) -> None:
    page = open_page(site_url + "articles/b/")
    more = page.locator("section[data-related]")
    expect(more).to_have_count(1)
    expect(more.locator("h2")).to_have_text("Mehr zum Thema")
    expect(more.get_by_role("link", name="Gespräche in Paris ohne Durchbruch")).to_have_attribute(
        "href", "/zeitung/articles/a/")   # exactly one: a strict locator
    expect(more.locator("li[data-links-here]")).to_contain_text("Gespräche in Paris ohne Durchbruch")


def test_navigation_marks_the_current_section_and_hides_search_when_off(open_page: OpenPage, site_url: str) -> None:
    page = open_page(site_url + "glossar/")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    expect(nav.get_by_role("link")).to_have_text(["Start", "Themen", "Glossar"])
    expect(nav.get_by_role("link", name="Glossar")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Start")).not_to_have_attribute("aria-current", "page")
    expect(page.get_by_role("search")).to_have_count(0)
    # letter jump navigation leads to the group with the term and its summary
    page.get_by_role("navigation", name="Nach Anfangsbuchstaben").get_by_role("link", name="K").click()
    group = page.locator(":target")
    expect(group.get_by_role("link", name="Kreml")).to_be_visible()
    expect(group).to_contain_text(KREML_SUMMARY)


def test_header_search_box_runs_the_query_on_the_search_page(open_page: OpenPage, search_site_url: str) -> None:
    page = open_page(search_site_url + "articles/a/")
    box = page.get_by_role("search").get_by_role("searchbox", name="Suchbegriff")
    box.fill("Kreml")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/zeitung/suche/\?q=Kreml$"))
    first = page.locator(".pagefind-ui__result-link").first
    expect(first).to_have_text("Kreml")  # the term page ranks first (data-pagefind-weight)
    expect(page.locator(".pagefind-ui__message")).to_contain_text("Ergebnis")


def test_old_address_redirects_to_the_article(open_page: OpenPage, site_url: str, article_url: str) -> None:
    page = open_page(site_url + "alt/paris-gespraeche/")
    expect(page).to_have_url(article_url)  # meta refresh
    expect(page.locator("h1")).to_have_text("Gespräche in Paris ohne Durchbruch")


def test_redirect_page_is_noindex_with_canonical_refresh_and_a_link(browser: Browser, site_url: str) -> None:
    import html5lib

    context = browser.new_context()
    try:
        response = context.request.get(site_url + "alt/paris-gespraeche/")  # read it, do not follow the refresh
        doc = html5lib.parse(response.text(), namespaceHTMLElements=False)
    finally:
        context.close()
    assert doc.find(".//meta[@name='robots']").get("content") == "noindex"
    assert doc.find(".//meta[@http-equiv='refresh']").get("content") == "0; url=/zeitung/articles/a/"
    assert doc.find(".//link[@rel='canonical']").get("href") == "https://zeitung.example/zeitung/articles/a/"
    assert doc.find(".//main//a").get("href") == "/zeitung/articles/a/"


def test_print_hides_the_search_box(open_page: OpenPage, search_site_url: str) -> None:
    page = open_page(search_site_url + "articles/a/")
    expect(page.get_by_role("search")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_role("search")).to_be_hidden()
