"""`glossary-report`: runs the build's stages without writing and reports on the glossary."""

from __future__ import annotations

from pathlib import Path

from .cli_output import print_diagnostics
from .glossary_report import format_report_json, format_report_text, glossary_report
from .markdown import create_markdown, render_body
from .loading import read_body
from .pipeline import BuildOptions, Caches, prepare


def run_glossary_report(source: Path, *, drafts: bool = False, fmt: str = "text") -> int:
    """Print the report; exit code 1 when the build has errors (alias collisions among them)."""
    options = BuildOptions(source=source, drafts=drafts, cache=False)
    prepared = prepare(options, Caches.in_folder(None), keep_html=False)
    site = prepared.site
    if site is None:
        print_diagnostics(prepared.problems.items)
        return 1
    plain = create_markdown(site.config.markdown)
    max_size = site.config.markdown.max_file_size
    texts = {a.source: render_body(plain, read_body(source / a.source, a.source, a.body_line, max_size), {}).text
             for a in site.articles}
    usage = {a.source: dict(site.infos[a.slug].term_counts) for a in site.articles}
    annotated = {a.source: list(site.infos[a.slug].terms) for a in site.articles}
    report = glossary_report(site.terms, usage, annotated, texts)
    print(format_report_json(report) if fmt == "json" else format_report_text(report), end="")
    return 0
