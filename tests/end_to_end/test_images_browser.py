"""Images in Chromium: the page does not shift while its photos load, and the browser picks a
derivative that fits the screen."""

from __future__ import annotations


import pytest

from builder.pipeline.build import BuildOptions, build
from conftest import serve_folder
from test_images import make_site

pytestmark = pytest.mark.browser

# Collects every layout shift from the start of the page, including those before this runs.
CLS = """() => new Promise(resolve => {
  let total = 0;
  new PerformanceObserver(list => { for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value; })
    .observe({type: "layout-shift", buffered: true});
  const images = [...document.images];
  Promise.all(images.map(i => i.complete ? null : new Promise(r => { i.onload = i.onerror = r; })))
    .then(() => requestAnimationFrame(() => requestAnimationFrame(() => resolve({total, count: images.length,
      loaded: images.filter(i => i.naturalWidth > 0).length,
      current: images.map(i => i.currentSrc)}))));
})"""


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> object:
    root = tmp_path_factory.mktemp("images-browser")
    source = make_site(root / "src")
    out = root / "out"
    assert build(BuildOptions(source=source, destination=out, cache=False)).ok
    with serve_folder(out) as url:
        yield url


@pytest.mark.parametrize("width", [390, 1280])
def test_the_article_does_not_shift_while_its_images_load(browser: object, site_url: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800})  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        # Slow every image down, so that they arrive after the first layout.
        page.route("**/*.{jpg,webp,png}", lambda route: (page.wait_for_timeout(150), route.continue_()))
        page.goto(site_url + "articles/gipfel/")
        result = page.evaluate(CLS)
        assert result["count"] == 3 and result["loaded"] == 3
        assert result["total"] == 0
        lead = result["current"][0]
        assert lead.endswith(".webp")                      # Chromium takes the modern format
        chosen = int(lead.rsplit("-", 1)[1].split(".")[0])  # …/saal.<digest>-800.webp
        assert chosen <= (1600 if width > 1000 else 1200)   # not the largest file for a phone
    finally:
        context.close()
