"""The theme's layout in Chromium on the German demo: the phone header, its menu disclosure with and
without JavaScript, no sideways scrolling at 320 px, the first screen of an article and of the front
page, and contrast in both colour schemes.

Builds this repository's demo once (with search when Pagefind is installed) and serves it on
127.0.0.1.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from typing import Callable, Iterator

import pytest

from conftest import REPO, serve_folder

pytestmark = pytest.mark.browser

playwright_sync = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Page, expect  # noqa: E402

ARTICLE = "nachrichten/us-antwort-an-russland/"
PAGE_TYPES = ["", "archiv/", ARTICLE, "erklaerstuecke/offene-tuer-der-nato-erklaert/", "nachrichten/",
              "themen/diplomatie/", "themen/", "glossar/normandie-format/", "glossar/nato/seite/2/", "glossar/",
              "autoren/lena-hoffmann/", "autoren/", "impressum/", "404.html"]
PHONE = {"width": 390, "height": 844}
HAS_PAGEFIND = importlib.util.find_spec("pagefind") is not None
needs_search = pytest.mark.skipif(not HAS_PAGEFIND, reason="Pagefind is not installed: pip install 'pagefind[bin]'")


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("demo")
    source = tmp / "demo"
    for name in ("content", "static"):
        shutil.copytree(REPO / name, source / name)
    config = source / "config.yaml"
    shutil.copy(REPO / "config.yaml", config)
    if not HAS_PAGEFIND:
        config.write_text(config.read_text(encoding="utf-8").replace("search: true", "search: false")
                          .replace("    - list: search\n", ""), encoding="utf-8")
    out = tmp / "www"
    result = subprocess.run([sys.executable, "-m", "builder", "build", "--source", str(source), "--destination",
                             str(out)], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    with serve_folder(out) as url:
        yield url


OpenPage = Callable[..., Page]



def _height(page: Page, selector: str) -> float:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    return box["height"]


@pytest.mark.parametrize("path", ["", ARTICLE, "glossar/normandie-format/"])
def test_the_phone_header_is_one_row_of_at_most_64_px(open_page: OpenPage, demo_url: str, path: str) -> None:
    page = open_page(demo_url + path, viewport=PHONE)
    assert _height(page, ".site-header") <= 64
    expect(page.get_by_role("navigation", name="Hauptnavigation")).to_be_hidden()
    expect(page.locator(".header-menu > summary")).to_be_visible()
    title, menu = page.locator(".site-title").bounding_box(), page.locator(".header-menu > summary").bounding_box()
    assert title and menu and abs(title["y"] + title["height"] / 2 - (menu["y"] + menu["height"] / 2)) < 8


def test_the_menu_opens_and_closes_without_javascript(open_page: OpenPage, demo_url: str) -> None:
    page = open_page(demo_url + ARTICLE, viewport=PHONE, java_script_enabled=False)
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    expect(nav).to_be_hidden()
    page.locator(".header-menu > summary").click()
    expect(nav).to_be_visible()
    expect(nav.get_by_role("link", name="Nachrichten")).to_have_attribute("aria-current", "true")
    assert _height(page, ".site-header") <= 64          # the panel hangs below, the header keeps its height
    page.locator(".header-menu > summary").click()
    expect(nav).to_be_hidden()
    page.locator(".header-menu > summary").click()
    nav.get_by_role("link", name="Erklärstücke").click()
    expect(page).to_have_url(demo_url + "erklaerstuecke/")
    expect(page.locator(".site-nav a", has_text="Erklärstücke")).to_have_attribute("aria-current", "page")


def test_the_menu_works_by_keyboard(open_page: OpenPage, demo_url: str) -> None:
    page = open_page(demo_url, viewport=PHONE)
    summary = page.locator(".header-menu > summary")
    for _ in range(5):
        page.keyboard.press("Tab")
        if summary.evaluate("el => el === document.activeElement"):
            break
    expect(summary).to_be_focused()
    expect(summary).to_have_accessible_name("Menü")
    page.keyboard.press("Enter")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    expect(nav).to_be_visible()
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Start")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")
    expect(nav).to_be_hidden()
    expect(page.locator(".header-menu")).not_to_have_attribute("open", re.compile(".*"))


@needs_search
def test_opening_one_disclosure_closes_the_other(open_page: OpenPage, demo_url: str) -> None:
    page = open_page(demo_url + "glossar/", viewport=PHONE)
    page.locator(".header-menu > summary").click()
    page.locator(".header-search > summary").click()
    expect(page.get_by_role("searchbox", name="Suchbegriff")).to_be_visible()
    expect(page.get_by_role("navigation", name="Hauptnavigation")).to_be_hidden()


@needs_search
def test_on_a_desktop_menu_and_search_are_shown_without_buttons(open_page: OpenPage, demo_url: str) -> None:
    page = open_page(demo_url + ARTICLE, viewport={"width": 1280, "height": 800})
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    expect(nav.get_by_role("link")).to_have_text(["Start", "Nachrichten", "Erklärstücke", "Themen", "Glossar", "Suche"])
    expect(nav.get_by_role("link", name="Nachrichten")).to_be_visible()
    expect(page.get_by_role("searchbox", name="Suchbegriff")).to_be_visible()
    expect(page.locator(".header-button")).to_have_count(2)
    for button in page.locator(".header-button").all():
        expect(button).to_be_hidden()


@pytest.mark.parametrize("path", PAGE_TYPES)
def test_nothing_scrolls_sideways_at_320_px(open_page: OpenPage, demo_url: str, path: str) -> None:
    page = open_page(demo_url + path, viewport={"width": 320, "height": 640})
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.locator(".header-menu > summary").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert _height(page, ".site-header") <= 64


def test_an_articles_first_phone_screen_shows_headline_and_lead_image(open_page: OpenPage, demo_url: str) -> None:
    page = open_page(demo_url + ARTICLE, viewport=PHONE)
    headline = page.locator("h1.headline").bounding_box()
    image = page.locator("figure.lead-image img").bounding_box()
    assert headline and image
    assert headline["y"] + headline["height"] <= PHONE["height"]
    assert image["y"] < PHONE["height"] - 100                # the picture, not a sliver of it
    teaser = page.locator(".article-header .lead")
    assert teaser.evaluate("el => getComputedStyle(el).fontWeight") == "400"   # regular, not bold


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 800}])
def test_the_lead_story_and_its_image_are_above_the_fold(open_page: OpenPage, demo_url: str,
                                                         viewport: dict[str, int]) -> None:
    page = open_page(demo_url, viewport=viewport)
    lead = page.locator(".teaser--lead")
    image, title = lead.locator("img").bounding_box(), lead.locator("h2").bounding_box()
    assert image and title
    assert image["y"] + image["height"] <= viewport["height"]
    assert title["y"] < viewport["height"]
    assert lead.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    expect(page.locator("section.front-section")).to_have_count(2)


def _luminance(rgb: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    la, lb = (_luminance(tuple(float(x) for x in re.findall(r"[\d.]+", c)[:3])) for c in (a, b))
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


# (selector, minimum contrast with the page's background): text 4.5, large or non-text 3
CONTRASTS = [("main p.teaser-summary", 4.5), ("main .meta", 4.5), ("main .kicker", 4.5), (".block-more a", 4.5),
             (".site-footer p", 4.5), (".front-updated", 4.5), (".teaser-title a", 4.5)]


def test_dark_mode_changes_every_colour_and_keeps_aa_contrast(open_page: OpenPage, demo_url: str) -> None:
    seen = {}
    for scheme in ("light", "dark"):
        page = open_page(demo_url, viewport={"width": 1280, "height": 800}, color_scheme=scheme)
        body = page.evaluate("getComputedStyle(document.body).backgroundColor")
        footer = page.locator(".site-footer").evaluate("el => getComputedStyle(el).backgroundColor")
        colours = {}
        for selector, minimum in CONTRASTS:
            colour = page.locator(selector).first.evaluate("el => getComputedStyle(el).color")
            background = footer if selector.startswith(".site-footer") else body
            assert _contrast(colour, background) >= minimum, (scheme, selector, colour, background)
            colours[selector] = colour
        seen[scheme] = (body, footer, colours)
    assert seen["light"][0] != seen["dark"][0] and seen["light"][1] != seen["dark"][1]
    assert all(seen["light"][2][s] != seen["dark"][2][s] for s, _ in CONTRASTS)
