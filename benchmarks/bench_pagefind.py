"""What Pagefind itself costs per search record, as the search stage feeds it (issue 21).

Run: .venv/bin/python benchmarks/bench_pagefind.py [--articles 1000] [--sizes 100 500 1000]

Generates a corpus (benchmarks/corpus.py), renders its bodies, and hands the first N article
records (`record_html`, the HTML the search stage sends) to one `pagefind --service` per index
(through `PagefindService`'s message calls, so that adding and `GetFiles` are timed apart).
Printed per record: the wall time of adding the records, of Pagefind's `GetFiles` (where it
builds and compresses the index), and Pagefind's CPU time in all; then the same records with
half of each body, to show what the cost follows.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from builder.output.search import PagefindService  # noqa: E402
from builder.output.search_records import EXCLUDE, record_html, search_records  # noqa: E402
from builder.pipeline.build import BuildOptions, prepare  # noqa: E402
from builder.pipeline.caches import Caches  # noqa: E402
from corpus import generate  # noqa: E402


def records_html(site: Path) -> tuple[list[tuple[str, str]], str]:
    """(url, HTML) of every article record of the site, and its language."""
    caches = Caches.in_folder(None)   # bodies in memory
    caches.search = None              # the stage itself is not run: only its records are wanted
    prepared = prepare(BuildOptions(source=site, cache=False), caches)
    linked = prepared.site
    assert linked is not None and not prepared.problems.errors, prepared.problems.items[:5]
    language = linked.config.language
    return [(record.url, record_html(record, caches.bodies, language))
            for record in search_records(linked, lambda key: 0) if record.kind == "article"], language


def index_cost(documents: list[tuple[str, str]], language: str) -> tuple[float, float, float]:
    """Milliseconds per record: adding, GetFiles, and Pagefind's CPU time (user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with PagefindService() as service:
        started = time.perf_counter()
        index_id = service._call({"type": "NewIndex", "config": {"force_language": language,
                                                                  "exclude_selectors": list(EXCLUDE)}})["index_id"]
        for url, html in documents:
            service._send({"type": "AddFile", "index_id": index_id, "url": url, "file_path": None,
                           "file_contents": html})
        assert service.process.stdin is not None
        service.process.stdin.flush()
        for _ in documents:
            service._receive()
        added = time.perf_counter()
        service._call({"type": "GetFiles", "index_id": index_id})
        done = time.perf_counter()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    count = len(documents)
    return (added - started) * 1000 / count, (done - added) * 1000 / count, cpu * 1000 / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 500, 1000],
                        help="records per index (each indexed by its own Pagefind process)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-pagefind-") as tmp:
        site = Path(tmp) / "site"
        generate(site, args.articles, max(1, args.articles * 3 // 10))
        documents, language = records_html(site)
    average = sum(len(html) for _, html in documents) / len(documents) / 1000
    print(f"{len(documents)} article records, {average:.1f} KB of HTML each on average")
    print("  records   add ms/record   GetFiles ms/record   Pagefind CPU ms/record")
    for size in args.sizes:
        add, files, cpu = index_cost(documents[:size], language)
        print(f"  {size:7}   {add:13.2f}   {files:18.2f}   {cpu:22.2f}", flush=True)
    halves = [(url, html[:len(html) // 2] + "</body></html>") for url, html in documents[:max(args.sizes)]]
    add, files, cpu = index_cost(halves, language)
    print(f"  half of each record's HTML, {len(halves)} records: add {add:.2f}, GetFiles {files:.2f}, "
          f"CPU {cpu:.2f} ms/record")


if __name__ == "__main__":
    main()
