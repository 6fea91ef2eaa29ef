"""Audit the default theme on the demo: Lighthouse (mobile), axe and the Nu HTML Checker per page type.

    .venv/bin/python tools/audit_theme.py [--source .] [--only front,article] [--skip-lighthouse]

Builds the site (by default this repository's German demo) into a temporary folder,
serves it on 127.0.0.1 and checks one page of every type:

- Lighthouse 12 with its mobile defaults (simulated slow 4G, a mid-range phone) on
  Debian's /usr/bin/chromium (CHROME_PATH), headless and without any network but the
  local server: performance, accessibility, best practices and SEO, CLS and LCP;
- axe-core, injected with Playwright, in the light and the dark colour scheme at 390 px
  and in the light one at 1,280 px: violations of every rule axe runs (contrast included);
- the Nu HTML Checker (vnu.jar from the `vnu-jar` package, run with /usr/bin/java) on
  every HTML file of the site, errors per page type and in total.

The npm packages (tools/package.json: lighthouse, axe-core, vnu-jar) are installed into
tools/node_modules on first use (ignored by git; `--ignore-scripts`, since vnu-jar's own
install script would download a JDK that Debian's java replaces). Prints a table and
exits 1 when a page misses a target: Lighthouse 100 in every category (95 for the
performance of pages with photos; SEO is not counted on pages marked noindex on purpose),
no layout shift, no axe violation, no validator error.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

TOOLS = Path(__file__).resolve().parent
REPO = TOOLS.parent
MODULES = TOOLS / "node_modules"
LIGHTHOUSE = MODULES / ".bin" / "lighthouse"
AXE = MODULES / "axe-core" / "axe.min.js"
VNU = MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = "/usr/bin/chromium"
JAVA = "/usr/bin/java"
CHROME_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--headless"]
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


@dataclass(frozen=True)
class PageType:
    name: str
    path: str
    photos: bool = False       # performance may be 95 with photos
    noindex: bool = False      # SEO is not counted: noindex on purpose


# One page of every type of the demo site.
PAGES = (
    PageType("front page", "/", photos=True),
    PageType("archive", "/archiv/"),
    PageType("article with photo", "/nachrichten/us-antwort-an-russland/", photos=True),
    PageType("article, text only", "/erklaerstuecke/offene-tuer-der-nato-erklaert/"),
    PageType("section", "/nachrichten/", photos=True),
    PageType("tag", "/themen/diplomatie/", photos=True),
    PageType("tag index", "/themen/"),
    PageType("term", "/glossar/normandie-format/", photos=True),
    PageType("glossary", "/glossar/"),
    PageType("author", "/autoren/lena-hoffmann/", photos=True),
    PageType("author index", "/autoren/"),
    PageType("page", "/impressum/"),
    PageType("search", "/suche/", noindex=True),
    PageType("not found", "/404.html", noindex=True),
)


@dataclass
class Result:
    page: PageType
    scores: dict[str, int] = field(default_factory=dict)
    cls: float | None = None
    lcp: float | None = None
    axe: dict[str, list[str]] = field(default_factory=dict)   # run → rule ids violated
    vnu: list[str] = field(default_factory=list)              # error messages

    def problems(self) -> list[str]:
        found = []
        for category, score in self.scores.items():
            target = 95 if category == "performance" and self.page.photos else 100
            if category == "seo" and self.page.noindex:
                continue
            if score < target:
                found.append(f"{category} {score} < {target}")
        if self.cls:
            found.append(f"layout shift {self.cls:.3f}")
        found += [f"axe ({run}): {', '.join(rules)}" for run, rules in self.axe.items() if rules]
        found += [f"vnu: {message}" for message in self.vnu]
        return found


def install_tools() -> None:
    """npm install tools/package.json into tools/node_modules, once."""
    if LIGHTHOUSE.exists() and AXE.exists() and VNU.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm is missing: apt-get install npm")
    print("Installing lighthouse, axe-core and vnu-jar into tools/node_modules …", flush=True)
    subprocess.run([npm, "install", "--no-package-lock", "--no-audit", "--no-fund", "--ignore-scripts"],
                   cwd=TOOLS, check=True)


def build_site(source: Path, destination: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "builder", "build", "--source", str(source), "--destination",
                             str(destination)], cwd=REPO, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"the build failed:\n{result.stdout}{result.stderr}")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


def serve(root: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def lighthouse(url: str, report: Path) -> tuple[dict[str, int], float, float]:
    """Scores (0-100), CLS and LCP (seconds) of one page, mobile."""
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    command = [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
               f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={' '.join(CHROME_FLAGS)}"]
    subprocess.run(command, env=env, check=True, timeout=300)
    data = json.loads(report.read_text(encoding="utf-8"))
    scores = {c: round((data["categories"][c]["score"] or 0) * 100) for c in CATEGORIES}
    audits = data["audits"]
    return (scores, audits["cumulative-layout-shift"]["numericValue"],
            audits["largest-contentful-paint"]["numericValue"] / 1000)


def axe_runs(base: str, pages: tuple[PageType, ...]) -> Iterator[tuple[PageType, str, list[str]]]:
    """axe-core's violated rules per page, light and dark at 390 px and light at 1,280 px."""
    from playwright.sync_api import sync_playwright

    script = AXE.read_text(encoding="utf-8")
    runs = (("390 hell", 390, "light"), ("390 dunkel", 390, "dark"), ("1280 hell", 1280, "light"))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROME_FLAGS[:-1])
        try:
            for page_type in pages:
                for name, width, scheme in runs:
                    context = browser.new_context(viewport={"width": width, "height": 844}, color_scheme=scheme,
                                                  locale="de-DE")
                    page = context.new_page()
                    page.goto(base + page_type.path, wait_until="networkidle")
                    page.add_script_tag(content=script)
                    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
                    context.close()
                    yield page_type, name, sorted(f"{v['id']} ×{len(v['nodes'])}" for v in result["violations"])
        finally:
            browser.close()


def vnu(site: Path) -> dict[str, list[str]]:
    """Nu HTML Checker errors of every HTML file, by site path."""
    files = sorted(site.rglob("*.html"))
    result = subprocess.run([JAVA, "-jar", str(VNU), "--format", "json", "--exit-zero-always",
                             *map(str, files)], capture_output=True, text=True, timeout=600)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors: dict[str, list[str]] = {"/" + f.relative_to(site).as_posix(): [] for f in files}
    for message in messages:
        if message.get("type") == "error" or message.get("subType") == "fatal":
            path = "/" + Path(message["url"].removeprefix("file:")).resolve().relative_to(site.resolve()).as_posix()
            errors.setdefault(path, []).append(f"{message.get('lastLine', '?')}: {message['message']}")
    return errors


def file_of(path: str) -> str:
    return path + "index.html" if path.endswith("/") else path


def table(results: list[Result], lighthouse_on: bool) -> str:
    head = ["page type", "path", "perf", "a11y", "bp", "seo", "CLS", "LCP", "axe 390/dark/1280", "vnu"]
    rows = []
    for r in results:
        s = r.scores
        cells = [r.page.name, r.page.path]
        if lighthouse_on:
            seo = f"({s['seo']})" if r.page.noindex else str(s["seo"])
            cells += [str(s["performance"]), str(s["accessibility"]), str(s["best-practices"]), seo,
                      f"{r.cls:.3f}", f"{r.lcp:.1f} s"]
        else:
            cells += ["–"] * 6
        cells += ["/".join(str(len(rules)) for rules in r.axe.values()), str(len(r.vnu))]
        rows.append(cells)
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(head, widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |" for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=REPO, help="the site to build (default: the demo)")
    parser.add_argument("--only", default="", help="comma-separated page type names or paths")
    parser.add_argument("--skip-lighthouse", action="store_true", help="axe and vnu only (fast)")
    parser.add_argument("--reports", type=Path, help="keep Lighthouse's JSON reports in this folder")
    args = parser.parse_args(argv)
    install_tools()
    pages = PAGES
    if args.only:
        wanted = {w.strip() for w in args.only.split(",")}
        pages = tuple(p for p in PAGES if p.name in wanted or p.path in wanted or p.name.split()[0] in wanted)
    with tempfile.TemporaryDirectory(prefix="audit-theme-") as tmp:
        site = Path(tmp) / "site"
        build_site(args.source, site)
        missing = [p.path for p in pages if not (site / file_of(p.path).lstrip("/")).is_file()]
        if missing:
            sys.exit(f"pages missing from the build: {', '.join(missing)}")
        server, base = serve(site)
        try:
            results = {p.path: Result(p) for p in pages}
            if not args.skip_lighthouse:
                for page in pages:
                    print(f"Lighthouse: {page.path}", file=sys.stderr, flush=True)
                    result = results[page.path]
                    report = (args.reports or Path(tmp)) / (page.name.replace(" ", "-").replace(",", "") + ".json")
                    report.parent.mkdir(parents=True, exist_ok=True)
                    result.scores, result.cls, result.lcp = lighthouse(base + page.path, report)
            print("axe …", file=sys.stderr, flush=True)
            for page, run, rules in axe_runs(base, pages):
                results[page.path].axe[run] = rules
            print("Nu HTML Checker …", file=sys.stderr, flush=True)
            errors = vnu(site)
            for page in pages:
                results[page.path].vnu = errors.get(file_of(page.path), [])
        finally:
            server.shutdown()
    print(table(list(results.values()), not args.skip_lighthouse))
    total = sum(len(e) for e in errors.values())
    print(f"\nNu HTML Checker on all {len(errors)} HTML files of the site: {total} errors")
    problems = [(r.page.path, p) for r in results.values() for p in r.problems()]
    problems += [(path, f"vnu: {e}") for path, found in errors.items() if path not in
                 {file_of(p.path) for p in pages} for e in found]
    for path, problem in problems:
        print(f"{path}: {problem}")
    print("all targets met" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
