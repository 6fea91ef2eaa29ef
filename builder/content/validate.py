"""Turning content files into validated Articles, Pages, Authors and Terms, with located errors."""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from pathlib import PurePosixPath
from sys import intern
from typing import Any, Iterable

from ..errors import Diagnostic
from ..util.slug import slugify
from . import fields, foreign_formats, frontmatter
from .config import SiteConfig
from .dates import parse_date
from .fields import visible
from .media import bundle_folder, lead_image
from .model import Article, Author, Correction, FrozenDict, Page, Term
from .site_structure import expand_permalink
from .sources import CONTENT_DIR, PAGES_DIR

ARTICLE_KEYS = ("title", "date", "updated", "kicker", "summary", "tags", "authors", "slug",
                "related", "draft", "aliases", "glossary", "url", "section", "expiry_date", "corrections", "image")

TERM_KEYS = ("term", "aliases", "summary", "slug", "case_sensitive", "inflect", "forms", "not_forms", "exclude")
PAGE_KEYS = ("title", "summary", "updated", "slug", "url", "aliases", "glossary", "draft", "layout")
AUTHOR_KEYS = ("name", "role", "image", "links", "aliases", "slug")
# A key at most this many files use, or under this share of them, is rare: a typo, if it looks like one.
RARE_FILES = 2
RARE_SHARE = 0.05


@dataclass(frozen=True)
class LoadOptions:
    """What loading needs to know about the site."""

    tz: tzinfo
    fold_categories: bool = True
    sections: frozenset[str] = frozenset()          # the configured section slugs
    permalinks: tuple[tuple[str, str], ...] = ()    # (section or folder, URL pattern)
    authors_path: str = "authors"                   # URL folder of author pages

    @classmethod
    def from_config(cls, config: SiteConfig) -> "LoadOptions":
        return cls(config.tz, config.fold_categories, frozenset(s.slug for s in config.sections),
                   tuple(config.permalinks.items()), config.paths.authors)


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


def load_article(rel: str, text: str, options: LoadOptions, keep_body: bool = True,
                 undated_is_page: bool = False) -> tuple[Article | Page | None, list[Diagnostic]]:
    """Validate an article's front matter; None when it has errors. Without `keep_body` its body is "".

    With `undated_is_page` (files outside `content/articles/`), a file without a date,
    neither in its front matter nor in its name, is an undated page.
    """
    fm, problems = _front_matter(rel, text, "'title:' and 'date:'")
    if fm is None:
        return None, problems
    data, lines = dict(fm.data), dict(fm.key_lines)
    p = fields.Problems(rel, lines)
    data, lines = _foreign_keys(p, data, lines, options)
    bundle = bundle_folder(rel)
    name = PurePosixPath(bundle).name if bundle else PurePosixPath(rel).stem  # a bundle is named by its folder
    file_date, stem = foreign_formats.date_from_filename(fields.nfc(name))
    if undated_is_page and "date" not in data and file_date is None:
        return _page(rel, fm, data, p, options, keep_body, problems)

    title = fields.text_of(p, data, "title", required=True)
    date = _article_date(p, data, file_date, options)
    updated = fields.date_of(p, data, "updated", options.tz) if "updated" in data else None
    slug_source = fields.text_of(p, data, "slug") or stem
    slug = slugify(slug_source)
    if not slug:
        p.error("slug" if "slug" in data else None, f"cannot make a URL slug from '{slug_source}'",
                hint="set 'slug:' to letters and digits")
    fields.check_slug_length(p, data, slug)
    parts = [part for part in PurePosixPath(bundle or rel).parent.relative_to(CONTENT_DIR).parts if part != "."]
    # Folders starting with "_" (Jekyll's _posts, _drafts) group files but are no part of URLs.
    folder = "/".join(slugify(fields.nfc(part)) for part in parts if not part.startswith("_"))
    section = _section(p, data, parts, options)
    url, aliases = _article_url(p, data, options, parts, folder, section, slug, title, stem, date)
    # Strings many articles share are interned: results come back from worker processes in
    # pickled chunks, which send each string object once, so the parent keeps fewer copies.
    article = Article(
        slug=slug, source=rel, folder=intern(folder), title=title or "", date=date,  # type: ignore[arg-type]
        body=fm.body if keep_body else "", body_line=fm.body_line, updated=updated,
        kicker=fields.text_of(p, data, "kicker"), summary=fields.text_of(p, data, "summary"),
        tags=tuple(map(intern, fields.tags_of(p, data))),
        authors=tuple(map(intern, fields.strings_of(p, data, "authors"))),
        related=tuple(slugify(s) for s in fields.strings_of(p, data, "related")),
        draft=fields.bool_of(p, data, "draft", False), aliases=aliases,
        glossary=fields.bool_of(p, data, "glossary", True), url=url,
        key_lines=FrozenDict({intern(key): line for key, line in lines.items()}),
        extra=fields.frozen({k: v for k, v in data.items() if k not in ARTICLE_KEYS}),
        section=intern(section),
        expiry=fields.date_of(p, data, "expiry_date", options.tz) if "expiry_date" in data else None,
        corrections=_corrections(p, data, options),
        file_date=parse_date(file_date, options.tz) if file_date is not None else None,
        image=lead_image(p, data), bundle=bundle,
    )
    if any(d.severity == "error" for d in p.items):
        return None, problems + p.items
    return article, problems + p.items


def _foreign_keys(p: fields.Problems, data: dict[str, Any], lines: dict[str, int],
                  options: LoadOptions) -> tuple[dict[str, Any], dict[str, int]]:
    """Jekyll's and Hugo's key names mapped onto ours, with a warning for each that needs one."""
    data, lines, notes = foreign_formats.normalize_keys(data, lines, fold_categories=options.fold_categories)
    p.lines = lines
    for line, message in notes:
        p.warning(None, message, line=line)
    return data, lines


def _article_date(p: fields.Problems, data: dict[str, Any], file_date: Any, options: LoadOptions) -> Any:
    """The front matter's date; the file name's when there is none, or when Jekyll would have
    tolerated what the front matter says ("2023-01-29 18:30:22 2023 -0800")."""
    if "date" not in data:
        if file_date is not None:
            return parse_date(file_date, options.tz)
        p.error(None, "'date' is required",
                hint=fields.typo_hint(p, data, "date") or "add e.g. 'date: 2022-01-26T19:50:00+01:00'", line=1)
        return None
    if file_date is not None:
        try:
            return parse_date(data["date"], options.tz)
        except ValueError as exc:
            p.warning("date", f"'date' {exc}; the date in the file name ({file_date.isoformat()}) is used",
                      hint="write e.g. 2022-01-26T19:50:00+01:00")
            return parse_date(file_date, options.tz)
    return fields.date_of(p, data, "date", options.tz)


def _section(p: fields.Problems, data: dict[str, Any], parts: list[str], options: LoadOptions) -> str:
    """The article's section: its `section:` key, else its folder (the one under content/articles/,
    or the first under content/ as in Hugo) when that folder is a configured section."""
    if "section" in data:
        name = fields.text_of(p, data, "section")
        slug = slugify(name)
        if slug not in options.sections:
            _unknown_section(p, "section", name, options)
            return ""
        return slug
    if not options.sections or not parts:
        return ""
    in_articles = parts[0] == "articles"
    candidate = parts[1] if in_articles and len(parts) > 1 else parts[0]
    slug = slugify(fields.nfc(candidate))
    if slug in options.sections:
        return slug
    if in_articles and len(parts) > 1:
        _unknown_section(p, None, candidate, options, folder=True)
    return ""


def _unknown_section(p: fields.Problems, key: str | None, name: str, options: LoadOptions,
                     folder: bool = False) -> None:
    close = difflib.get_close_matches(slugify(name), sorted(options.sections), n=1, cutoff=0.6)
    what = f"the folder 'content/articles/{name}/'" if folder else f"section '{name}'"
    hint = (f"did you mean '{close[0]}'?" if close else
            "add it to 'sections:' in config.yaml" + (f" (known: {', '.join(sorted(options.sections))})"
                                                       if options.sections else ""))
    p.error(key, f"{what} is not a section listed in config.yaml", hint=hint, line=None if key else 1)


def _article_url(p: fields.Problems, data: dict[str, Any], options: LoadOptions, parts: list[str],
                 folder: str, section: str, slug: str, title: str | None, stem: str,
                 date: Any) -> tuple[str, tuple[str, ...]]:
    """The article's URL and its aliases: `url:` wins, then a `permalinks:` pattern for its section
    or folder, then /<folder>/<slug>/. An article moved into a section folder keeps its old URL
    /articles/<slug>/ as an alias, so that moving it never breaks a link."""
    default = f"/{folder}/{slug}/" if folder else f"/{slug}/"
    if "url" in data:
        url = fields.url_of(p, data, "url")
        aliases = list(fields.urls_of(p, data, "aliases"))
    else:
        aliases = list(fields.urls_of(p, data, "aliases"))
        patterns = dict(options.permalinks)
        pattern = next((patterns[k] for k in (section, parts[0] if parts else "", "*") if k in patterns), None)
        url = default
        if pattern is not None and date is not None:
            values = permalink_values(date, slug, title or "", stem, section or (parts[0] if parts else ""), folder)
            url = fields.safe_url_path(expand_permalink(pattern, values)) or ""
            if not url or url == "/":
                p.error(None, f"the permalink pattern '{pattern}' gives no usable URL for this article", line=1)
                url = default
        for old in (default, f"/articles/{slug}/" if parts and parts[0] == "articles" else ""):
            if old and old != url and old not in aliases:
                aliases.append(old)
    if len(url.encode()) > fields.MAX_URL:  # folders nested deep enough make a path no file system takes
        p.error(None, f"the page's URL would be {len(url.encode()):,} bytes long, at most {fields.MAX_URL:,} fit",
                hint="move the file to a shallower folder or set 'url:'")
    return url, tuple(aliases)


def permalink_values(date: datetime, slug: str, title: str, stem: str, section: str, folder: str) -> dict[str, str]:
    """What each `permalinks:` placeholder stands for, for one article."""
    return {
        "year": f"{date.year:04}", "month": f"{date.month:02}", "day": f"{date.day:02}",
        "i_month": str(date.month), "i_day": str(date.day), "short_year": f"{date.year % 100:02}",
        "hour": f"{date.hour:02}", "minute": f"{date.minute:02}", "second": f"{date.second:02}",
        "y_day": f"{date.timetuple().tm_yday:03}",
        "slug": slug, "title": slugify(title) or slug, "filename": stem, "slugorfilename": slug or stem,
        "section": section, "folder": folder, "categories": "", "output_ext": ".html",
    }


def _corrections(p: fields.Problems, data: dict[str, Any], options: LoadOptions) -> tuple[Correction, ...]:
    """`corrections:` as a list of {date, text}, oldest first."""
    value = data.get("corrections")
    if value is None:
        return ()
    if not isinstance(value, list):
        p.error("corrections", "'corrections' must be a list of entries with 'date' and 'text'",
                hint="write '- {date: 2022-01-27, text: \"…\"}'")
        return ()
    found: list[Correction] = []
    for index, item in enumerate(value):
        key = f"corrections[{index}]"
        line = p.lines.get(key, p.lines.get("corrections"))
        if not isinstance(item, dict) or set(item) - {"date", "text"} or "date" not in item or "text" not in item:
            p.error(None, f"correction {index + 1} must have exactly 'date' and 'text'", line=line,
                    hint="write '- {date: 2022-01-27, text: \"…\"}'")
            continue
        sub = fields.Problems(p.rel, {k[len(key) + 1:]: v for k, v in p.lines.items() if k.startswith(key + ".")})
        date = fields.date_of(sub, item, "date", options.tz)
        text = fields.text_of(sub, item, "text", required=True)
        for problem in sub.items:
            p.items.append(problem if problem.line != 1 else replace(problem, line=line))
        if date is not None and text:
            found.append(Correction(date, text))
    return tuple(sorted(found, key=lambda c: c.date))


def load_page(rel: str, text: str, options: LoadOptions,
              keep_body: bool = True) -> tuple[Page | None, list[Diagnostic]]:
    """Validate an undated page (`content/pages/`, a Jekyll collection); None when it has errors."""
    fm, problems = _front_matter(rel, text, "'title:'")
    if fm is None:
        return None, problems
    p = fields.Problems(rel, dict(fm.key_lines))
    data, _ = _foreign_keys(p, dict(fm.data), dict(fm.key_lines), options)
    return _page(rel, fm, data, p, options, keep_body, problems)


def _page(rel: str, fm: frontmatter.FrontMatter, data: dict[str, Any], p: fields.Problems, options: LoadOptions,
          keep_body: bool, problems: list[Diagnostic]) -> tuple[Page | None, list[Diagnostic]]:
    """An undated page: `content/pages/impressum.md` → /impressum/, nested folders nest."""
    title = fields.text_of(p, data, "title", required=True)
    bundle = bundle_folder(rel)
    path = PurePosixPath(bundle + ".md" if bundle else rel)
    slug_source = fields.text_of(p, data, "slug") or fields.nfc(path.stem)
    slug = slugify(slug_source)
    if not slug:
        p.error("slug" if "slug" in data else None, f"cannot make a URL slug from '{slug_source}'")
    fields.check_slug_length(p, data, slug)
    parts = [part for part in path.parent.relative_to(CONTENT_DIR).parts if part != "."]
    if parts and parts[0] in (PAGES_DIR,):
        parts = parts[1:]
    # A Jekyll collection (content/_docs/) keeps its name in the URL, without the underscore.
    folder = "/".join(slugify(fields.nfc(part.lstrip("_"))) for part in parts)
    default = f"/{folder}/{slug}/" if folder else f"/{slug}/"
    page = Page(
        slug=slug, source=rel, title=title or "", body=fm.body if keep_body else "",
        url=fields.url_of(p, data, "url") if "url" in data else default, body_line=fm.body_line,
        summary=fields.text_of(p, data, "summary"),
        updated=fields.date_of(p, data, "updated", options.tz) if "updated" in data else None,
        layout=str(data.get("layout") or ""), aliases=fields.urls_of(p, data, "aliases"),
        glossary=fields.bool_of(p, data, "glossary", True), draft=fields.bool_of(p, data, "draft", False),
        key_lines=FrozenDict(p.lines), extra=fields.frozen({k: v for k, v in data.items() if k not in PAGE_KEYS}),
        bundle=bundle,
    )
    if any(d.severity == "error" for d in p.items):
        return None, problems + p.items
    return page, problems + p.items


def load_term(rel: str, text: str, options: LoadOptions) -> tuple[Term | None, list[Diagnostic]]:
    """Validate a glossary entry; None when it has errors. Summary is filled in later."""
    fm, problems = _front_matter(rel, text, "'term:'")
    if fm is None:
        return None, problems
    data, lines = fm.data, fm.key_lines
    p = fields.Problems(rel, lines)
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
        extra=FrozenDict({k: v for k, v in data.items() if k not in TERM_KEYS}), key_lines=FrozenDict(lines),
        listed_forms=fields.strings_of(p, data, "forms"), not_forms=fields.strings_of(p, data, "not_forms"),
        exclude=fields.strings_of(p, data, "exclude"),
    )
    if any(d.severity == "error" for d in p.items):
        return None, problems + p.items
    return term, problems + p.items


def load_author(rel: str, text: str, options: LoadOptions,
                keep_body: bool = True) -> tuple[Author | None, list[Diagnostic]]:
    """Validate an author's profile (`content/authors/<slug>.md`); the body is the biography."""
    fm, problems = _front_matter(rel, text, "'name:'")
    if fm is None:
        return None, problems
    data, lines = fm.data, fm.key_lines
    p = fields.Problems(rel, dict(lines))
    name = fields.text_of(p, data, "name", required=True)
    slug = slugify(fields.text_of(p, data, "slug") or fields.nfc(PurePosixPath(rel).stem))
    if not slug:
        p.error("slug" if "slug" in data else None, "cannot make a URL slug for this author")
    fields.check_slug_length(p, data, slug)
    links = fields.strings_of(p, data, "links")
    for link in links:
        if not link.startswith(("https://", "http://")):
            p.error("links", f"'links' must hold full http(s) URLs of profiles, got \"{link}\"")
    author = Author(
        slug=slug, source=rel, name=name, body=fm.body if keep_body else "", url=f"/{options.authors_path}/{slug}/",
        body_line=fm.body_line, role=fields.text_of(p, data, "role"), image=fields.text_of(p, data, "image"),
        links=links, aliases=fields.strings_of(p, data, "aliases"), key_lines=FrozenDict(lines),
        extra=fields.frozen({k: v for k, v in data.items() if k not in AUTHOR_KEYS}),
    )
    if any(d.severity == "error" for d in p.items):
        return None, problems + p.items
    return author, problems + p.items


_KNOWN_KEYS: dict[type, tuple[str, ...]] = {Article: ARTICLE_KEYS, Page: PAGE_KEYS, Term: TERM_KEYS, Author: AUTHOR_KEYS}


def typo_warnings(documents: Iterable[Article | Page | Term | Author]) -> list[Diagnostic]:
    """Front matter keys that look like a typo: close to a known key, and rare in the site.

    A key many files share is the site's own field (a `release:` in 80 of 111
    posts is no typo of `related`), so this needs every file of the build and
    runs once they are loaded. A file that failed to load gets its hint on the
    error instead ("'title' is required", hint: "'titel' looks like a typo").
    """
    documents = list(documents)
    uses = Counter(key for document in documents for key in document.extra)
    rare = max(RARE_FILES, RARE_SHARE * len(documents))
    found: list[Diagnostic] = []
    for document in documents:
        for key in document.extra:
            close = fields.close_key(key, _KNOWN_KEYS[type(document)]) if uses[key] <= rare else None
            if close is not None:
                found.append(Diagnostic(document.source, document.key_lines.get(key, 1),
                                        visible(f"unknown key '{key}'") or "", "warning",
                                        hint=visible(f"did you mean '{close}'?")))
    return sorted(found, key=lambda d: (d.path, d.line or 0))
