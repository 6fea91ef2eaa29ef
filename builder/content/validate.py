"""Turning content files into validated Articles and Terms, with located errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from pathlib import PurePosixPath
from sys import intern

from ..errors import Diagnostic
from ..util.slug import slugify
from . import fields, frontmatter
from .dates import parse_date
from .fields import visible
from .model import Article, FrozenDict, Term
from .sources import CONTENT_DIR

ARTICLE_KEYS = ("title", "date", "updated", "kicker", "summary", "tags", "authors", "slug",
                "related", "draft", "aliases", "glossary", "url")
TERM_KEYS = ("term", "aliases", "summary", "slug", "case_sensitive", "inflect")


@dataclass(frozen=True)
class LoadOptions:
    """What loading needs to know about the site."""

    tz: tzinfo
    fold_categories: bool = True


def read_front_matter(rel: str, text: str) -> tuple[frontmatter.FrontMatter | None, list[Diagnostic]]:
    """Split and parse front matter, turning failures into a located error."""
    try:
        return frontmatter.parse(text), []
    except frontmatter.FrontMatterError as exc:
        return None, [Diagnostic(rel, exc.line, visible(exc.message) or "", col=exc.col, hint=visible(exc.hint))]


def _empty_file(rel: str, text: str, what: str) -> list[Diagnostic]:
    """One clear error for a file with nothing in it, instead of one per missing key."""
    if text.strip():
        return []
    return [Diagnostic(rel, 1, "the file is empty",
                       hint=f"write front matter with {what}, or delete the file")]


def replace_invalid_characters(rel: str, text: str) -> tuple[str, list[Diagnostic]]:
    """Text with characters HTML forbids replaced by U+FFFD, and one warning saying where the first was.

    They come from copy and paste (vertical tabs from word processors,
    stray escape codes) and would make every page invalid HTML.
    """
    first = fields.INVALID.search(text)
    if first is None:
        return text, []
    count = len(fields.INVALID.findall(text))
    before = text[:first.start()]
    code = f"U+{ord(first.group()):04X}"
    message = (f"control character {code} replaced by U+FFFD" if count == 1 else
               f"{count} control characters replaced by U+FFFD, the first is {code}")
    return fields.INVALID.sub("\ufffd", text), [Diagnostic(
        rel, before.count("\n") + 1, message, "warning", col=first.start() - before.rfind("\n"),
        hint="delete it; such characters usually come from copy and paste")]


def _front_matter(rel: str, text: str, required: str
                  ) -> tuple[frontmatter.FrontMatter | None, list[Diagnostic]]:
    """The file's front matter, after refusing an empty file and cleaning forbidden characters.

    The diagnostics include the front matter reader's own warnings.
    """
    empty = _empty_file(rel, text, required)
    if empty:
        return None, empty
    text, problems = replace_invalid_characters(rel, text)
    fm, found = read_front_matter(rel, text)
    problems += found
    if fm is not None:
        problems += [Diagnostic(rel, line or 1, visible(message) or "", "warning") for line, message in fm.warnings]
    return fm, problems


def load_article(rel: str, text: str, options: LoadOptions,
                 keep_body: bool = True) -> tuple[Article | None, list[Diagnostic]]:
    """Validate an article's front matter; None when it has errors. Without `keep_body` its body is ""."""
    fm, problems = _front_matter(rel, text, "'title:' and 'date:'")
    if fm is None:
        return None, problems
    data, lines = dict(fm.data), dict(fm.key_lines)
    p = fields.Problems(rel, lines)
    stem = fields.nfc(PurePosixPath(rel).stem)
    file_date = None
    try:
        from . import foreign_formats
        data, lines, notes = foreign_formats.normalize_keys(data, lines, fold_categories=options.fold_categories)
        p.lines = lines
        for line, message in notes:
            p.warning(None, message, line=line)
        file_date, stem = foreign_formats.date_from_filename(stem)
    except ImportError:
        pass
    fields.warn_typos(p, data, ARTICLE_KEYS)

    title = fields.text_of(p, data, "title", required=True)
    if "date" in data:
        date = fields.date_of(p, data, "date", options.tz)
    elif file_date is not None:
        date = parse_date(file_date, options.tz)
    else:
        p.error(None, "'date' is required", hint="add e.g. 'date: 2022-01-26T19:50:00+01:00'", line=1)
        date = None
    updated = fields.date_of(p, data, "updated", options.tz) if "updated" in data else None
    slug_source = fields.text_of(p, data, "slug") or stem
    slug = slugify(slug_source)
    if not slug:
        p.error("slug" if "slug" in data else None, f"cannot make a URL slug from '{slug_source}'",
                hint="set 'slug:' to letters and digits")
    fields.check_slug_length(p, data, slug)
    section = fields.nfc(str(PurePosixPath(rel).parent.relative_to(CONTENT_DIR)))
    # Folders starting with "_" (Jekyll's _posts, _drafts) group files but are no part of URLs.
    section = "/".join(slugify(part) for part in section.split("/") if part != "." and not part.startswith("_"))
    url = fields.url_of(p, data, "url") if "url" in data else f"/{section}/{slug}/" if section else f"/{slug}/"
    if len(url.encode()) > fields.MAX_URL:  # folders nested deep enough make a path no file system takes
        p.error(None, f"the page's URL would be {len(url.encode()):,} bytes long, at most {fields.MAX_URL:,} fit",
                hint="move the file to a shallower folder or set 'url:'")
    # Strings many articles share are interned: results come back from worker processes in
    # pickled chunks, which send each string object once, so the parent keeps fewer copies.
    article = Article(
        slug=slug, source=rel, section=intern(section), title=title or "", date=date,  # type: ignore[arg-type]
        body=fm.body if keep_body else "", body_line=fm.body_line, updated=updated,
        kicker=fields.text_of(p, data, "kicker"), summary=fields.text_of(p, data, "summary"),
        tags=tuple(map(intern, fields.tags_of(p, data))), authors=tuple(map(intern, fields.strings_of(p, data, "authors"))),
        related=tuple(slugify(s) for s in fields.strings_of(p, data, "related")),
        draft=fields.bool_of(p, data, "draft", False), aliases=fields.urls_of(p, data, "aliases"),
        glossary=fields.bool_of(p, data, "glossary", True), url=url,
        key_lines=FrozenDict({intern(key): line for key, line in lines.items()}),
        extra=fields.frozen({k: v for k, v in data.items() if k not in ARTICLE_KEYS}),
    )
    if any(d.severity == "error" for d in p.items):
        return None, problems + p.items
    return article, problems + p.items


def load_term(rel: str, text: str, options: LoadOptions) -> tuple[Term | None, list[Diagnostic]]:
    """Validate a glossary entry; None when it has errors. Summary is filled in later."""
    fm, problems = _front_matter(rel, text, "'term:'")
    if fm is None:
        return None, problems
    data, lines = fm.data, fm.key_lines
    p = fields.Problems(rel, lines)
    fields.warn_typos(p, data, TERM_KEYS)
    name = fields.text_of(p, data, "term", required=True)
    aliases = fields.strings_of(p, data, "aliases")
    slug_source = fields.text_of(p, data, "slug") or fields.nfc(PurePosixPath(rel).stem)
    slug = slugify(slug_source)
    if not slug:
        p.error("slug" if "slug" in data else None, f"cannot make a URL slug from '{slug_source}'")
    fields.check_slug_length(p, data, slug)
    inflect = fields.bool_of(p, data, "inflect", None) if "inflect" in data else None
    alias_line = lines.get("aliases", 1)
    term = Term(
        slug=slug, term=name, aliases=aliases, summary=fields.text_of(p, data, "summary"), body=fm.body,
        source=rel, line=lines.get("term", 1), body_line=fm.body_line,
        case_sensitive=fields.bool_of(p, data, "case_sensitive", True), inflect=inflect,
        alias_lines=FrozenDict({a: alias_line for a in aliases}),
        extra=FrozenDict({k: v for k, v in data.items() if k not in TERM_KEYS}),
    )
    if any(d.severity == "error" for d in p.items):
        return None, problems + p.items
    return term, problems + p.items
