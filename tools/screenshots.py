"""Render the README's screenshots of the demo into docs/screenshots/: renew them after theme changes.

    .venv/bin/python tools/screenshots.py [--out docs/screenshots]

Builds the demo into a temporary folder, serves it on 127.0.0.1 and takes, in Debian's
Chromium through Playwright, the front page, an article with a glossary tooltip open and a
term page, each at desktop (1,280 px) and phone (390 px) width, in the light colour scheme.
Each PNG is reduced to a palette of 256 colours (text stays sharp; a shot stays well under
200 KB), so the repository does not grow much when they are renewed.
"""

from __future__ import annotations

import argparse
import functools
import io
import subprocess
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARTICLE = "/nachrichten/us-antwort-an-russland/"
TERM = "/glossar/normandie-format/"
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
# the article from its headline down to the first paragraph, where the tooltip opens
ARTICLE_HEIGHT = {"desktop": 1080, "phone": 1380}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


def shoot(base: str, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            for device, viewport in SIZES.items():
                phone = device == "phone"
                context = browser.new_context(viewport=viewport, device_scale_factor=1, locale="de-DE",
                                              color_scheme="light", has_touch=phone, is_mobile=phone)
                page = context.new_page()
                page.goto(base + "/", wait_until="networkidle")
                written.append(save(page.screenshot(), out / f"front-{device}.png"))
                page.set_viewport_size({"width": viewport["width"], "height": ARTICLE_HEIGHT[device]})
                page.goto(base + ARTICLE, wait_until="networkidle")
                term = page.locator(".article-body .gl-term").first
                term.tap() if phone else term.hover()
                page.locator(".gl--open .gl-tip, .gl:hover .gl-tip").first.wait_for(state="visible")
                page.evaluate("document.activeElement && document.activeElement.blur()")   # no tap highlight
                written.append(save(page.screenshot(), out / f"article-tooltip-{device}.png"))
                page.set_viewport_size(viewport)
                page.goto(base + TERM, wait_until="networkidle")
                written.append(save(page.screenshot(), out / f"term-{device}.png"))
                context.close()
        finally:
            browser.close()
    return written


def save(png: bytes, path: Path) -> Path:
    """The screenshot with a palette of 256 colours, optimised."""
    with Image.open(io.BytesIO(png)) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        small.save(path, "PNG", optimize=True)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="screenshots-") as tmp:
        site = Path(tmp) / "site"
        result = subprocess.run([sys.executable, "-m", "builder", "build", "--source", str(REPO), "--destination",
                                 str(site)], cwd=REPO, capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"the build failed:\n{result.stdout}{result.stderr}")
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            written = shoot(f"http://127.0.0.1:{server.server_port}", args.out)
        finally:
            server.shutdown()
    for path in written:
        print(f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path}  {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
