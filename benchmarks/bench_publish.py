"""How fast `publish s3` is on a big site: first upload, nothing changed, one article changed.

Generates the synthetic corpus (benchmarks/corpus.py), builds it, and publishes it to
moto's S3 server, started in this process on a free loopback port, with the real boto3
client. Targets: a publish with nothing changed ≤ 3 s; with one article changed ≤ 3 s,
uploading only the pages whose bytes changed. The publish times include everything the
`publish` command does after the build and check: reading and hashing every file, the
redirect files, the manifest, the uploads and deletions.

Run:  .venv/bin/python benchmarks/bench_publish.py [--articles 10000] [--terms 300] [--workers 16]
Everything lives in a temporary folder; the working tree is never touched.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from corpus import generate  # noqa: E402

from builder.commands.publish.s3 import S3Result, make_client, publish_s3  # noqa: E402
from builder.commands.publish.settings import S3Settings  # noqa: E402
from builder.pipeline.build import BuildOptions, build  # noqa: E402


def timed_build(source: Path, out: Path) -> float:
    start = time.perf_counter()
    report = build(BuildOptions(source=source, destination=out))
    if not report.ok:
        raise SystemExit(f"build failed: {report.diagnostics[:3]}")
    return time.perf_counter() - start


def timed_publish(out: Path, url: str, settings: S3Settings) -> tuple[float, S3Result]:
    start = time.perf_counter()
    result = publish_s3(out, url, settings, max_deletes=10**6)
    return time.perf_counter() - start, result


def verdict(seconds: float, target: float) -> str:
    return f"{seconds:7.2f} s  (target ≤ {target:.0f} s: {'ok' if seconds <= target else 'MISSED'})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--terms", type=int, default=300)
    parser.add_argument("--workers", type=int, default=16, help="parallel uploads (publish.s3.workers)")
    args = parser.parse_args(argv)
    from moto.server import ThreadedMotoServer
    import logging
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_EC2_METADATA_DISABLED="true")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    settings = S3Settings(endpoint=f"http://{host}:{port}", region="us-east-1", workers=args.workers)
    make_client(settings).create_bucket(Bucket="bench")
    url = "s3://bench/www"
    try:
        with tempfile.TemporaryDirectory(prefix="bench-publish-") as temp:
            source, out = Path(temp) / "site", Path(temp) / "out"
            generate(source, args.articles, args.terms)
            print(f"corpus: {args.articles} articles, {args.terms} terms")
            print(f"build (cold)                 {timed_build(source, out):7.2f} s")
            files = sum(1 for p in out.rglob("*") if p.is_file())
            size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
            print(f"site: {files} files, {size / 1e6:.0f} MB")

            seconds, first = timed_publish(out, url, settings)
            print(f"first publish                {seconds:7.2f} s  ({len(first.order)} objects uploaded, "
                  f"{args.workers} workers)")

            seconds, same = timed_publish(out, url, settings)
            print(f"publish, nothing changed     {verdict(seconds, 3)}  ({len(same.order)} uploaded)")

            article = source / "content" / "articles" / f"artikel-{args.articles // 2:05d}.md"
            article.write_text(article.read_text(encoding="utf-8") + "\nEin neuer Absatz.\n", encoding="utf-8")
            print(f"build (one article edited)   {timed_build(source, out):7.2f} s")
            seconds, one = timed_publish(out, url, settings)
            print(f"publish, one article changed {verdict(seconds, 3)}  ({len(one.order)} uploaded, "
                  f"{len(one.plan.removed)} deleted)")
            for rel in one.order[:12]:
                print(f"    {rel}")
            if len(one.order) > 12:
                print(f"    … and {len(one.order) - 12} more")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
