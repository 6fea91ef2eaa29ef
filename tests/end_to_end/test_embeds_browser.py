"""Embeds in Chromium: not one request to the provider before the reader asks, then the iframe."""

from __future__ import annotations

from typing import Iterator

import pytest

from builder.pipeline.build import BuildOptions, build
from conftest import serve_folder, write_site

pytestmark = pytest.mark.browser

SITE = """
-- content/articles/video.md --
---
title: "Die Pressekonferenz im Video"
date: 2022-01-26T19:50:00+01:00
---
Blinken erklärte die Antwort der USA.

{{< youtube id="dQw4w9WgXcQ" title="Pressekonferenz in Washington" >}}

Danach beantwortete er Fragen.
"""
PROVIDER_HOSTS = ("youtube.com", "youtube-nocookie.com", "ytimg.com", "googlevideo.com", "google")


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("embeds")
    source = write_site(root / "src", SITE)
    out = root / "out"
    assert build(BuildOptions(source=source, destination=out, cache=False)).ok
    with serve_folder(out) as url:
        yield url


def test_no_request_reaches_the_provider_before_the_click(browser: object, site_url: str) -> None:
    context = browser.new_context()  # type: ignore[attr-defined]
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    # Answer the provider ourselves: this machine has no network, and we only need to see the request.
    context.route("https://www.youtube-nocookie.com/**",
                  lambda route: route.fulfill(status=200, content_type="text/html", body="<p>Video</p>"))
    try:
        page = context.new_page()
        page.goto(site_url + "articles/video/")
        page.wait_for_load_state("networkidle")
        assert not [url for url in requests if any(host in url for host in PROVIDER_HOSTS)]
        button = page.get_by_role("button", name="Inhalt von YouTube laden")
        button.focus()
        page.keyboard.press("Enter")          # works with the keyboard
        frame = page.locator(".embed iframe")
        frame.wait_for()
        assert frame.get_attribute("src") == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
        assert frame.get_attribute("title") == "Pressekonferenz in Washington"
        page.wait_for_load_state("networkidle")
        provider = [url for url in requests if any(host in url for host in PROVIDER_HOSTS)]
        assert provider and all(url.startswith("https://www.youtube-nocookie.com/") for url in provider)
    finally:
        context.close()


def test_without_javascript_the_placeholder_is_a_plain_link(browser: object, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        page.goto(site_url + "articles/video/")
        assert not page.get_by_role("button", name="Inhalt von YouTube laden").is_visible()
        link = page.get_by_role("link", name="Bei YouTube öffnen")
        assert link.get_attribute("href") == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    finally:
        context.close()
