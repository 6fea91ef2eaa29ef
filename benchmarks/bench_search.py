"""Search at scale (issue 21): builds with `search: true` and queries in Chromium.

Run: .venv/bin/python benchmarks/bench_search.py [--articles 10000] [--terms 1000] [--runs 3]
         [--budgets 1000000 2000000 4000000] [--no-search-off] [--no-browser] [--workdir DIR]

On the corpus of benchmarks/corpus.py with `search: true` it measures, as medians of --runs:
  cold      `python -m builder build --no-cache` into an empty folder
  edit      after editing one article (cache and previous output), which must then be found
  nothing   the same build again with nothing changed
and the peak memory summed over the build and all its processes, Pagefind's included
(RSS, and PSS which counts pages shared by forked workers once), in cold and edit builds of
their own. Beside it the same builds with search off, in the same run. Then, served from
127.0.0.1 (by nginx where it is installed, else Python's HTTP/1.1 server) to headless Chromium:
  init      the search page loaded until every shard is merged
  query     Pagefind's search() until the first result's data is loaded, for five words
  typed     a word typed into the search box until the first result is shown (includes the
            page's 150 ms debounce)
With --budgets it repeats edit, memory and query figures for other shard budgets (bytes of
body HTML per shard, `builder.output.search_shards.BUDGET`): fewer, bigger shards make
queries faster and edits slower.

On an idle machine (2026-12-06, --runs 3 --no-search-off, 10,000 articles / 1,000 terms,
32 shards, queries served by nginx), beside `run.py`'s search-off figures of the same day:

                          search on    search off (run.py)
    cold build              43.8 s       18.6 s
    one article edited      2.79 s       1.63 s
    nothing changed         1.48 s       0.28 s    (search on: 0.29 s in run.py, where the build
                                                    before it was not within 2 s of an edit)
    peak PSS, cold         577 MiB      253 MiB    (RSS 772 MiB, search on)
    peak PSS, one edit     328 MiB
    search page ready       420 ms
    query, median of 15     291 ms                 (the slowest 653 ms)
    typed query             393 ms
    incremental == fresh       yes

An earlier run on a busy machine (load 5-10) compared shard budgets.
Search on; the first column is the then default, 3 MB:

                          3 MB       1.5 MB       6 MB        12 MB
    shards                   92          174         32           16
    one article edited   3.85 s       6.52 s     9.53 s      10.16 s
    peak PSS, one edit  230 MiB      205 MiB    327 MiB      427 MiB
    search page ready   2238 ms      3919 ms    1023 ms       670 ms
    query (median)      1349 ms      2208 ms     540 ms       389 ms
    typed query         1215 ms      2308 ms     676 ms       441 ms

A query costs each shard a fetch, a gunzip and a load of one index chunk in Pagefind's worker
(about 10 ms of the worker's time here), so its time grows with the number of shards; an edit
costs Pagefind time and memory in proportion to its shard.
The default budget became 6 MB (`builder.output.search_shards.BUDGET`). Past 64 budgets' worth of
bodies it doubles (`site_budget`): at 10,000 articles it stays 6 MB; at 100,000 it is 24 MB, 92
shards, and a query took 634 ms instead of 1,515 ms with 366 (benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import shutil
import statistics
import subprocess
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from corpus import generate  # noqa: E402
from run import peak_memory_of_tree, tree_digest  # noqa: E402

# The builder with another shard budget: the CLI, after setting the module's constant.
LAUNCH = ("import sys; import builder.output.search_shards as s; s.BUDGET = int(sys.argv[1]); "
          "from builder.commands.cli import main; sys.exit(main(sys.argv[2:]))")


def build_command(site: Path, out: Path, budget: int | None, *extra: str) -> list[str]:
    args = ["build", "--source", str(site), "--destination", str(out), *extra]
    if budget is None:
        return [sys.executable, "-m", "builder", *args]
    return [sys.executable, "-c", LAUNCH, str(budget), *args]


def timed(command: list[str], memory: list[tuple[int, int]] | None = None) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO)
    watcher = None
    if memory is not None:
        watcher = threading.Thread(target=peak_memory_of_tree, args=(process, memory))
        watcher.start()
    _, err = process.communicate()
    elapsed = time.perf_counter() - started
    if watcher:
        watcher.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{err.decode()}")
    return elapsed


def corpus(workdir: Path, articles: int, terms: int, search: bool) -> Path:
    site = workdir / f"corpus-{articles}-{terms}-{'search' if search else 'plain'}"
    if not (site / "config.yaml").exists():
        generate(site, articles, terms)
        with (site / "config.yaml").open("a", encoding="utf-8") as config:
            config.write(f"search: {'true' if search else 'false'}\n")
    return site


GENERATED: dict[Path, str] = {}   # the edited articles' text before the first edit of this run


def edited_article(site: Path, articles: int) -> Path:
    return site / "content" / "articles" / f"artikel-{articles // 2:05d}.md"


@contextlib.contextmanager
def as_generated() -> Iterator[None]:
    """Put the edited articles back as they were once the benchmark is done: a corpus is reused."""
    try:
        yield
    finally:
        for path, text in GENERATED.items():
            path.write_text(text, encoding="utf-8")


def edit(path: Path, original: str, word: str) -> None:
    """The article as generated with one paragraph more. Each edit starts from the generated text, so
    its new word occurs once whatever came before: two paragraphs of "eingefügt" made that word one of
    the article's top words, and the whole pipeline ran instead of a text edit."""
    path.write_text(original.replace("\n\n", f"\n\n{word} eingefügt.\n\n", 1), encoding="utf-8")


def fresh_folder(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    return folder


def builds(site: Path, articles: int, workdir: Path, runs: int, budget: int | None, tag: str,
           cold: bool = True) -> dict[str, float]:
    """Cold, edit and nothing-changed times and peak memory of one corpus and budget. The edited
    article keeps the last edit (the caller searches for it); `as_generated` puts it back."""
    times: dict[str, list[float]] = {"cold": [], "edit": [], "nothing": []}
    memory: dict[str, list[tuple[int, int]]] = {"cold": [], "edit": []}
    out = workdir / f"out-{tag}"
    path = edited_article(site, articles)
    original = GENERATED.setdefault(path, path.read_text(encoding="utf-8"))
    for run in range(runs):
        path.write_text(original, encoding="utf-8")
        shutil.rmtree(site / ".builder-cache", ignore_errors=True)
        if cold:
            times["cold"].append(timed(build_command(site, fresh_folder(workdir / "cold"), budget, "--no-cache")))
            timed(build_command(site, fresh_folder(workdir / "cold"), budget, "--no-cache"), memory["cold"])
        timed(build_command(site, fresh_folder(out), budget))
        edit(path, original, f"Zwetschgendatschi{tag}{run}a")
        times["edit"].append(timed(build_command(site, out, budget)))
        times["nothing"].append(timed(build_command(site, out, budget)))
        edit(path, original, f"Zwetschgendatschi{tag}{run}b")
        timed(build_command(site, out, budget), memory["edit"])
    result = {name: statistics.median(values) for name, values in times.items() if values}
    for name, samples in memory.items():
        if samples:
            result[f"{name} RSS MiB"] = statistics.median(rss for rss, _ in samples) / 2**20
            result[f"{name} PSS MiB"] = statistics.median(pss for _, pss in samples) / 2**20
    if (out / "pagefind" / "shards.js").exists():
        text = (out / "pagefind" / "shards.js").read_text(encoding="utf-8")
        result["shards"] = len(json.loads(text[text.index("["):text.rindex("]") + 1]))
    return result


class _Handler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive, as any real server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


@contextlib.contextmanager
def serve(root: Path) -> Iterator[str]:
    """The folder over HTTP on 127.0.0.1: by nginx where it is installed (what a reader's host
    does), else by Python's HTTP/1.1 server, which sends the 32 index chunks of a query one
    after the other at about 8 ms each and so measures itself more than the search."""
    if shutil.which("nginx"):
        with _nginx(root) as url:
            yield url
        return
    server = _Server(("127.0.0.1", 0), functools.partial(_Handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        thread.join()


NGINX = """daemon off; user {user}; worker_processes 1; pid {tmp}/nginx.pid; error_log {tmp}/error.log;
events {{ worker_connections 256; }}
http {{
  include /etc/nginx/mime.types;
  access_log off; sendfile on; keepalive_timeout 65;
  client_body_temp_path {tmp}; proxy_temp_path {tmp}; fastcgi_temp_path {tmp};
  uwsgi_temp_path {tmp}; scgi_temp_path {tmp};
  server {{ listen 127.0.0.1:{port}; root {root}; index index.html; }}
}}
"""


@contextlib.contextmanager
def _nginx(root: Path) -> Iterator[str]:
    import getpass
    import socket
    import tempfile
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "nginx.conf"
        config.write_text(NGINX.format(user=getpass.getuser(), tmp=tmp, port=port, root=root.resolve()))
        process = subprocess.Popen(["nginx", "-c", str(config), "-p", tmp], stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 10
            while True:   # until it accepts connections
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit(f"nginx did not start: {(Path(tmp) / 'error.log').read_text()}")
                    time.sleep(0.05)
            yield f"http://127.0.0.1:{port}/"
        finally:
            process.terminate()
            process.wait()


QUERY = """async (word) => {
    const pagefind = await window.builderSearchReady;
    const started = performance.now();
    const found = await pagefind.search(word);
    if (found.results.length) await found.results[0].data();
    return [performance.now() - started, found.results.length];
}"""
TYPED = """async (word) => {
    await window.builderSearchReady;
    const input = document.querySelector('.pagefind-ui__search-input');
    const started = performance.now();
    input.value = word;
    input.dispatchEvent(new Event('input', {bubbles: true}));
    await new Promise(resolve => {
        const check = () => document.querySelector('.pagefind-ui__result-link') ? resolve() : requestAnimationFrame(check);
        check();
    });
    return performance.now() - started;
}"""


def query_words(site: Path, articles: int) -> list[str]:
    """The first word of five articles' titles: topic words, each in a few hundred articles."""
    words = []
    for index in (articles // 10, 3 * articles // 10, articles // 2 + 1, 7 * articles // 10, 9 * articles // 10):
        text = (site / "content" / "articles" / f"artikel-{index:05d}.md").read_text(encoding="utf-8")
        words.append(text.split('title: "', 1)[1].split()[0])
    return words


def browser_figures(out: Path, words: list[str], runs: int, check: str | None = None) -> dict[str, float]:
    from playwright.sync_api import sync_playwright
    init, query, typed, hits = [], [], [], []
    page_path = next(f"{name}/" for name in ("suche", "search") if (out / name / "index.html").is_file())
    with sync_playwright() as playwright, serve(out) as url:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                             args=["--no-sandbox", "--disable-gpu"])
        try:
            if check:   # the edited article is found
                page = browser.new_page()
                page.goto(url + page_path)
                count = page.evaluate(QUERY, check)[1]
                page.close()
                if count != 1:
                    raise SystemExit(f"the edited word {check} was found {count} times, not once")
            for _ in range(runs):
                for word in words:
                    page = browser.new_page()
                    page.goto(url + page_path)
                    init.append(page.evaluate("async () => { await window.builderSearchReady; return performance.now(); }"))
                    ms, count = page.evaluate(QUERY, word)
                    query.append(ms)
                    hits.append(count)
                    page.close()
                    page = browser.new_page()
                    page.goto(url + page_path)
                    typed.append(page.evaluate(TYPED, word))
                    page.close()
        finally:
            browser.close()
    return {"init ms": statistics.median(init), "query ms": statistics.median(query),
            "query max ms": max(query), "typed ms": statistics.median(typed), "hits": statistics.median(hits)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--terms", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--budgets", type=int, nargs="*", default=[],
                        help="other shard budgets to compare (edit, memory and query figures)")
    parser.add_argument("--no-search-off", action="store_true", help="skip the builds with search off")
    parser.add_argument("--no-browser", action="store_true", help="skip the query times")
    parser.add_argument("--workdir", type=Path, default=HERE / "corpus" / "search")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"search benchmark: {args.articles} articles, {args.terms} terms, medians of {args.runs}", flush=True)
    with as_generated():
        _measure(args)


def _measure(args: argparse.Namespace) -> None:
    site = corpus(args.workdir, args.articles, args.terms, True)
    on = builds(site, args.articles, args.workdir, args.runs, None, "on")
    out = args.workdir / "out-on"
    on["incremental == fresh"] = float(tree_digest(out) == tree_digest(_fresh(site, args.workdir)))
    rows = {"search on": on}
    print(f"search on: {on}", flush=True)
    if not args.no_search_off:
        plain = corpus(args.workdir, args.articles, args.terms, False)
        rows["search off"] = builds(plain, args.articles, args.workdir, args.runs, None, "off")
    if not args.no_browser:
        print(f"queries served by {'nginx' if shutil.which('nginx') else 'Python'}", flush=True)
        on.update(browser_figures(out, query_words(site, args.articles), args.runs,
                                  check=f"Zwetschgendatschion{args.runs - 1}b"))
    for budget in args.budgets:
        row = builds(site, args.articles, args.workdir, 1, budget, f"b{budget}", cold=False)
        if not args.no_browser:
            row.update(browser_figures(args.workdir / f"out-b{budget}", query_words(site, args.articles), 1))
        rows[f"budget {budget:,}"] = row
        print(f"budget {budget:,}: {row}", flush=True)
    names = sorted({name for row in rows.values() for name in row}, key=_order)
    print()
    print(f"{'':24}" + "".join(f"{title:>18}" for title in rows))
    for name in names:
        print(f"{name:24}" + "".join(f"{_show(row.get(name)):>18}" for row in rows.values()))


def _fresh(site: Path, workdir: Path) -> Path:
    """A cold build of the site as it is now: what the incremental output must equal."""
    out = fresh_folder(workdir / "fresh")
    timed(build_command(site, out, None, "--no-cache"))
    return out


ORDER = ["cold", "edit", "nothing", "cold RSS MiB", "cold PSS MiB", "edit RSS MiB", "edit PSS MiB", "shards",
         "init ms", "query ms", "query max ms", "typed ms", "hits", "incremental == fresh"]


def _order(name: str) -> int:
    return ORDER.index(name) if name in ORDER else len(ORDER)


def _show(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if value < 100 else f"{value:.0f}"


if __name__ == "__main__":
    main()
