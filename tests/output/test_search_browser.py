"""Search: Pagefind as a service; in Chromium the demo's search page finds the term page first."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from builder.output.search import PagefindService, SearchIndexError
from conftest import REPO, serve_folder

# Each result's own link, not the links to its sections (sub-results) nested below it.
RESULT_LINKS = (".pagefind-ui__result > .pagefind-ui__result-inner > .pagefind-ui__result-title"
                " > .pagefind-ui__result-link")


def test_service_indexes_documents_in_german() -> None:
    with PagefindService() as service:
        files = service.index([("/a/", '<html lang="de"><body><h1>Gipfel</h1><p>Verhandlungen</p></body></html>')],
                              "de")
    assert "pagefind-entry.json" in files and "pagefind.js" in files
    assert [name.split("_")[0] for name in files if name.endswith(".pf_meta")] == ["pagefind.de"]


def test_service_without_binary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "kein-pagefind"))
    with pytest.raises(SearchIndexError) as caught:
        PagefindService()
    assert str(caught.value) == ("the Pagefind binary was not found: install it with: "
                                 "pip install 'pagefind[bin]' (the extra `builder[search]`)")


def test_service_failure_is_reported() -> None:
    with PagefindService() as service, pytest.raises(SearchIndexError) as caught:
        service.index([("", "<html></html>")], "de", exclude=["::kein-selektor("])
    assert str(caught.value).startswith("Pagefind failed: ")


# --- in the browser -----------------------------------------------------------

def search(page: object, url: str, query: str) -> list[str]:
    """Type the query into Pagefind's UI and return the result URLs (paths), in order."""
    page.goto(url)  # type: ignore[attr-defined]
    field = page.locator(".pagefind-ui__search-input")  # type: ignore[attr-defined]
    field.fill(query)
    # Results first appear as loading placeholders; wait until every one has its link.
    page.wait_for_function(  # type: ignore[attr-defined]
        """([links]) => {
            const results = document.querySelectorAll('.pagefind-ui__result');
            return results.length > 0 && document.querySelectorAll(links).length === results.length;
        }""", arg=[RESULT_LINKS], timeout=15_000)
    hrefs = page.locator(RESULT_LINKS).evaluate_all("links => links.map(a => a.getAttribute('href'))")  # type: ignore[attr-defined]
    return [urlsplit(href).path for href in hrefs]


# --- the demo site ------------------------------------------------------------

def build_demo_site(destination: Path) -> Path:
    done = subprocess.run([sys.executable, "-m", "builder", "build", "--source", str(REPO),
                           "--destination", str(destination)], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, f"building the demo site failed:\n{done.stdout}\n{done.stderr}"
    return destination


def url_of(site: Path, file: Path) -> str:
    """The clean URL path of a built page, relative to the site: `glossar/x/`, `404.html`."""
    rel = file.relative_to(site)
    if rel.name != "index.html":
        return rel.as_posix()
    return "" if rel.parent == Path(".") else rel.parent.as_posix() + "/"


def pages_of(site: Path) -> dict[str, str]:
    """URL path (relative to the site) → HTML of every page."""
    return {url_of(site, p): p.read_text(encoding="utf-8") for p in site.rglob("*.html")
            if "pagefind" not in p.relative_to(site).parts}


WEIGHTED_HEADING = re.compile(r'<h1[^>]*data-pagefind-weight="10"[^>]*>(.*?)</h1>', re.DOTALL)
HEADLINE = re.compile(r"<h1[^>]*>(.*?)</h1>", re.DOTALL)
PAGE_BODY = re.compile(r"data-pagefind-body[^>]*>(.*)", re.DOTALL)


@pytest.mark.browser
def test_demo_site_search_for_normandie(tmp_path: Path, browser_page: object) -> None:
    site = build_demo_site(tmp_path / "site")
    search_page = site / "suche" / "index.html"
    assert search_page.is_file(), "the theme's search page /suche/ was not built"
    script = re.search(r'src="([^"]*)pagefind/pagefind-ui\.js"', search_page.read_text(encoding="utf-8"))
    assert script, "the search page does not load pagefind/pagefind-ui.js"
    base_path = script.group(1)   # the site's base path, as the theme writes URLs

    # What the search must find, read from the built pages: the term page
    # (its heading weighted by the theme) and every article mentioning the word.
    pages = pages_of(site)
    term_pages = [url for url, html in pages.items()
                  if any("Normandie" in h for h in WEIGHTED_HEADING.findall(html))]
    assert len(term_pages) == 1, f"expected one term page titled Normandie…, found {term_pages}"
    articles = [url for url, html in pages.items() if url not in term_pages
                and 'property="og:type" content="article"' in html
                and "Normandie" in (PAGE_BODY.search(html) or [""])[0]]
    assert articles, "no article of the demo site mentions Normandie"

    with serve_folder(site, base_path) as root:
        found = search(browser_page, root + "suche/", "Normandie")
        # Pagefind titles its field only; the theme gives it a label screen readers announce (axe).
        label = browser_page.locator(".pagefind-ui__search-input").get_attribute("aria-label")  # type: ignore[attr-defined]
        assert label == "Website durchsuchen"
    found = [path[len(base_path):] for path in found]
    assert found[0] == term_pages[0]
    # Articles with the word in their headline must be among the first results shown,
    # and every result must really mention it.
    headlined = {url for url in articles if "Normandie" in (HEADLINE.search(pages[url]) or [""])[0]}
    assert headlined, "no article of the demo site has Normandie in its headline"
    assert headlined <= set(found), f"results {found} miss articles {headlined - set(found)}"
    assert all("Normandie" in pages[url] for url in found), found
