"""The command line: `python -m builder build|serve|new|check|publish|glossary-report|import`."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence, TextIO

from .. import __version__
from ..pipeline.build import BuildOptions, BuildReport, build, build_handing_off
from .printing import print_diagnostics

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m builder",
                     description="Static site generator for annotated articles: glossary tooltips, "
                                 "related articles, German first.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def schedule_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--future", action="store_true", help="include articles dated in the future (scheduled)")
        p.add_argument("--expired", action="store_true", help="include articles past their 'expiry_date'")

    def site_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--source", type=Path, default=Path("."), help="the site folder (default: .)")
        p.add_argument("--drafts", action="store_true", help="include articles with 'draft: true'")
        schedule_args(p)
        p.add_argument("--base-url", help="override 'base_url' from config.yaml")
        p.add_argument("--jobs", type=int, default=0, help="processes to use (default: every core)")

    def build_args(p: argparse.ArgumentParser) -> None:
        site_args(p)
        p.add_argument("--destination", type=Path, help="output folder (default: <source>/site)")
        p.add_argument("--strict", action="store_true", help="treat warnings as errors")
        p.add_argument("--no-cache", action="store_true", help="ignore and do not write the build cache")
        p.add_argument("--format", choices=("text", "json"), default="text", help="how to print diagnostics")

    build_command = commands.add_parser("build", help="build the site", description="Build the site into a folder.")
    build_args(build_command)
    build_command.add_argument("--timings", action="store_true", help="print how long each stage of the build took")

    serve = commands.add_parser("serve", help="preview with live reload",
                                description="Build, serve and rebuild on every change, reloading open tabs.")
    serve.add_argument("--source", type=Path, default=Path("."), help="the site folder (default: .)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--bind", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--drafts", action="store_true", help="include drafts")
    schedule_args(serve)
    serve.add_argument("--open", action="store_true", help="open the site in a browser")
    serve.add_argument("--navigate", action="store_true", help="open tabs follow the article just edited")

    new = commands.add_parser("new", help="create an article or a glossary term",
                              description="Create a content file with its front matter filled in.")
    new.add_argument("kind", choices=("article", "term"))
    new.add_argument("title", help='the title or term, e.g. "Politik der offenen Tür"')
    new.add_argument("--source", type=Path, default=Path("."))

    check = commands.add_parser("check", help="build and verify links, HTML, feed and sitemap",
                                description="Build the site (or read an existing build) and verify it.")
    build_args(check)
    check.add_argument("--no-build", action="store_true", help="check the existing output without building")

    publish = commands.add_parser("publish", help="build, check and publish",
                                  description="Build, check and publish the site: to a git branch, a folder, "
                                              "S3-compatible storage or an SSH server (or roll an SSH server back).")
    build_args(publish)
    publish.add_argument("target", nargs="*", metavar="TARGET",
                         help="git REMOTE | directory PATH | s3 s3://BUCKET/PREFIX | ssh USER@HOST:/PATH | "
                              "rollback ssh USER@HOST:/PATH (default: the 'publish:' section of config.yaml)")
    publish.add_argument("--branch", help="git branch (default: gh-pages)")
    publish.add_argument("--dry-run", action="store_true", help="only list what would change")
    publish.add_argument("--max-deletes", type=int, help="s3: refuse to delete more objects (default: 256)")
    publish.add_argument("--precompress", action="store_true", help="s3, ssh: add .gz and .br files beside text files")
    publish.add_argument("--port", type=int, help="ssh: the server's port")
    publish.add_argument("--identity-file", help="ssh: the private key to log in with")
    publish.add_argument("--ssh-option", action="append", default=[], metavar="KEY=VALUE",
                         help="ssh: an option for ssh -o (repeatable)")
    publish.add_argument("--keep", type=int, help="ssh: releases to keep on the server (default: 5)")

    importer = commands.add_parser("import", help="turn a Hugo or Jekyll site into a builder site",
                                   description="Copy a Hugo or Jekyll site's content, static files and data into a "
                                               "new site folder, write its config.yaml, keep every old URL (aliases "
                                               "where a page moved) and list what could not be carried over.")
    importer.add_argument("generator", choices=("hugo", "jekyll"))
    importer.add_argument("source", type=Path, metavar="SRC", help="the old site's folder")
    importer.add_argument("destination", type=Path, metavar="DEST", help="the new site's folder (new or empty)")
    importer.add_argument("--urls", action="store_true", help="list every old URL, not just those that moved")
    importer.add_argument("--format", choices=("text", "json"), default="text")

    report = commands.add_parser("glossary-report", help="how the glossary is used",
                                 description="Unused terms, articles without annotations, counts, "
                                             "collisions and candidate terms.")
    site_args(report)
    report.add_argument("--format", choices=("text", "json"), default="text")
    return parser


class _ProgressBar:
    """A one-line progress bar on a terminal; silent elsewhere."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.active = stream.isatty()
        self.shown = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.active or total < 200:
            return
        width = 30
        filled = width * done // max(total, 1)
        self.stream.write(f"\r{stage:<18} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


def _options(args: argparse.Namespace) -> BuildOptions:
    return BuildOptions(source=args.source, destination=args.destination, drafts=args.drafts,
                        base_url=args.base_url, jobs=args.jobs, cache=not args.no_cache, image_cache=not args.no_cache,
                        strict=args.strict,
                        future=args.future, expired=args.expired)


def _run_build(args: argparse.Namespace, keep: list[object] | None = None) -> tuple[int, BuildReport]:
    bar = _ProgressBar(sys.stderr)
    options = _options(args)
    try:
        if args.hand_off and _searches(options):
            report = build_handing_off(options, progress=bar)
            if keep is not None:
                keep.append(report)   # and what indexing the shards here left: freed by the exit
        else:
            report = build(options, progress=bar, keep=keep)
    finally:
        bar.close()
    print_diagnostics(report.diagnostics, args.format)
    if not report.ok:
        errors = sum(1 for d in report.diagnostics if d.severity == "error")
        if args.strict and not errors:
            errors = len(report.diagnostics)
        print(f"Build failed with {errors} error(s); the previous output was left untouched.", file=sys.stderr)
        return EXIT_CONTENT, report
    out = (args.destination or args.source / "site").resolve()
    if args.format == "text":
        print(report.summary())
        if getattr(args, "timings", False):
            print(report.timings())
        print(f"Open {out / 'index.html'}  (or preview: python -m builder serve --source {args.source})")
    return EXIT_OK, report


def _searches(options: BuildOptions) -> bool:
    """Whether the site's configuration turns search on (its errors are the build's to report)."""
    from ..content.config import load_config
    return load_config(options.source, base_url=options.base_url)[0].search


def main(argv: Sequence[str] | None = None, keep: list[object] | None = None, hand_off: bool = False) -> int:
    """Run one command; `keep` holds a build's data for a caller that exits without freeing it;
    `hand_off`: a search build runs in a child process, which leaves a large site's search shards to
    this one (`build_handing_off`): for the process of `python -m builder`, not a caller that goes on."""
    args = _parser().parse_args(argv)
    args.hand_off = hand_off
    if not args.source.is_dir():
        print(f"python -m builder: error: site folder {args.source} does not exist", file=sys.stderr)
        return EXIT_USAGE
    if getattr(args, "jobs", 0) < 0:
        print("python -m builder: error: --jobs must be 0 or more", file=sys.stderr)
        return EXIT_USAGE
    if args.command == "build":
        return _run_build(args, keep)[0]
    if args.command == "new":
        return _new(args)
    if args.command == "serve":
        from ..preview.session import run_preview
        return run_preview(args.source, port=args.port, bind=args.bind, drafts=args.drafts,
                           future=args.future, expired=args.expired, open_browser=args.open, navigate=args.navigate)
    if args.command == "check":
        return _check(args)
    if args.command == "publish":
        return _publish(args)
    if args.command == "glossary-report":
        return _glossary_report(args)
    if args.command == "import":
        from .importer import run_import
        return run_import(args.generator, args.source, args.destination, list_urls=args.urls, fmt=args.format)
    return EXIT_USAGE


def _new(args: argparse.Namespace) -> int:
    from ..content.config import load_config
    from .scaffold import new_article, new_term
    config, problems = load_config(args.source)
    try:
        path = (new_article(args.source, config, args.title, datetime.now(timezone.utc))
                if args.kind == "article" else new_term(args.source, args.title))
    except FileExistsError as exc:
        print(f"python -m builder: error: {exc.filename} already exists", file=sys.stderr)
        return EXIT_USAGE
    except ValueError as exc:
        print(f"python -m builder: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"Created {path}")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from .check import check_site
    from ..content.config import load_config
    sources = None
    if not args.no_build:
        code, report = _run_build(args)
        if code:
            return code
        sources = report.sources
    config, _ = load_config(args.source, base_url=args.base_url)
    out = args.destination or args.source / "site"
    result = check_site(out, base_path=config.base_path, base_url=config.base_url, sources=sources)
    print_diagnostics(result.problems, args.format)
    for url, page in result.external_links:
        if args.format == "text":
            print(f"external link (not fetched): {url}  on {page}")
    if not result.ok:
        print(f"check found {len(result.problems)} problem(s)", file=sys.stderr)
        return EXIT_CONTENT
    print("check: all links, anchors, pages, feed and sitemap are fine")
    return EXIT_OK


def _publish(args: argparse.Namespace) -> int:
    from .check import check_site
    from ..content.config import load_config
    from .publish.command import Options, UsageError, publish_built, resolve_target, run_rollback
    from .publish.settings import load_publish_settings
    from .publish import PublishError
    config, _ = load_config(args.source, base_url=args.base_url)
    options = Options(dry_run=args.dry_run, branch=args.branch, max_deletes=args.max_deletes,
                      precompress=args.precompress, port=args.port, identity_file=args.identity_file,
                      ssh_options=tuple(args.ssh_option), keep=args.keep)
    try:
        settings = load_publish_settings(args.source, config.publish)
        target = resolve_target(args.target, settings)
    except UsageError as exc:
        print(f"python -m builder: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except PublishError as exc:
        print(f"publish refused: {exc}", file=sys.stderr)
        return EXIT_CONTENT
    if target.rollback:
        return run_rollback(target, settings, options)
    code, report = _run_build(args)
    if code:
        return code
    out = args.destination or args.source / "site"
    checked = check_site(out, base_path=config.base_path, base_url=config.base_url, sources=report.sources)
    if not checked.ok:
        print_diagnostics(checked.problems)
        print("publish refused: the site does not pass 'check'", file=sys.stderr)
        return EXIT_CONTENT
    return publish_built(target, out, settings, options, base_url=config.base_url, base_path=config.base_path)


def _glossary_report(args: argparse.Namespace) -> int:
    from .glossary_report import run_glossary_report
    return run_glossary_report(args.source, drafts=args.drafts, fmt=args.format)
