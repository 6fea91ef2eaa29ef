"""Turning content files into validated Articles, Pages, Authors and Terms, with located errors."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from datetime import tzinfo
from pathlib import PurePosixPath
from sys import intern
from typing import Any

from ..errors import Diagnostic
from ..util.slug import slugify
from . import fields, foreign_keys, frontmatter, url_rules
from .config import SiteConfig
from .dates import parse_date
from .fields import visible
from .media import bundle_folder, lead_image
from .model import Article, Author, Correction, FrozenDict, Page, Term
from .date_sources import DEFAULT_DATE, DEFAULT_UPDATED, FileDates, article_date, updated_date
from .locations import article_location, folder_location, index_role, jekyll_categories, page_location
from .site_structure import RESERVED_SLUGS
from .sources import CONTENT_DIR

ARTICLE_KEYS = ("title", "date", "updated", "kicker", "summary", "tags", "authors", "slug",
                "related", "draft", "aliases", "glossary", "url", "section", "expiry_date", "corrections", "image")

TERM_KEYS = ("term", "aliases", "summary", "slug", "case_sensitive", "inflect", "forms", "not_forms", "exclude")
PAGE_KEYS = ("title", "summary", "updated", "slug", "url", "aliases", "glossary", "draft", "layout")
AUTHOR_KEYS = ("name", "role", "image", "links", "aliases", "slug")


@dataclass(frozen=True)
class LoadOptions:
    """What loading needs to know about the site."""

    tz: tzinfo
    fold_categories: bool = True
    sections: frozenset[str] = frozenset()          # the configured section slugs
    permalinks: tuple[tuple[str, str], ...] = ()    # (section or folder, URL pattern)
    authors_path: str = "authors"                   # URL folder of author pages
    url_rules: str = "builder"                      # whose rules make URLs: builder, hugo or jekyll
    dates: tuple[str, ...] = DEFAULT_DATE           # where an article's date comes from, first found wins
    updated: tuple[str, ...] = DEFAULT_UPDATED      # where its `updated` comes from
    builtin_folders: tuple[str, ...] = ()           # URL folders of the built-in lists (tags, glossary …)

    @classmethod
    def from_config(cls, config: SiteConfig) -> "LoadOptions":
        paths = config.paths
        return cls(config.tz, config.fold_categories, frozenset(s.slug for s in config.sections),
                   tuple(config.permalinks.items()), paths.authors, config.url_rules, config.dates.date,
                   config.dates.updated, (paths.tags, paths.glossary, paths.search, paths.authors))


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
                 undated_is_page: bool = False, file_dates: FileDates = FileDates()
                 ) -> tuple[Article | Page | None, list[Diagnostic]]:
    """Validate an article's front matter; None when it has errors. Without `keep_body` its body is "".

    With `undated_is_page` (files outside `content/articles/`), a file for which none of the
    configured date sources (`dates.date`) has a date is an undated page.
    """
    fm, problems = _front_matter(rel, text, "'title:' and 'date:'")
    if fm is None:
        return None, problems
    if _unrendered(fm.data):
        return None, problems
    categories = jekyll_categories(rel, fm.data) if options.url_rules == "jekyll" else ()
    data, lines = dict(fm.data), dict(fm.key_lines)
    p = fields.Problems(rel, lines)
    data, lines = _foreign_keys(p, data, lines, options)
    bundle = bundle_folder(rel)
    name = fields.nfc(PurePosixPath(bundle).name if bundle else PurePosixPath(rel).stem)  # a bundle: its folder
    file_date, stem = (foreign_keys.date_from_filename(name) if ":filename" in options.dates
                       else (None, name))
    in_drafts = "/_drafts/" in rel   # Jekyll's drafts: not published, dated by the file when undated
    date = article_date(p, data, file_date, file_dates, options.dates, options.tz)
    if date is None and in_drafts:
        date = file_dates.get(":filemodtime", first=True)
    date_failed = any(d.severity == "error" for d in p.items)
    # Jekyll's pages are pages even with a date: only files in a _posts folder are posts.
    jekyll_page = options.url_rules == "jekyll" and "/_posts/" not in rel and not in_drafts
    if undated_is_page and (date is None or jekyll_page) and not date_failed:
        return _page(rel, fm, data, p, options, keep_body, problems)

    title = _title(p, data, stem, options)
    if date is None and not date_failed:
        p.error(None, "'date' is required", hint=fields.typo_hint(p, data, "date") or "add e.g. 'date: 2022-01-26T19:50:00+01:00'", line=1)
    updated = updated_date(p, data, date, file_dates, options.updated, options.tz)
    slug_given = fields.text_of(p, data, "slug")
    slug = slugify(slug_given or stem)
    if not slug:
        p.error("slug" if "slug" in data else None, f"cannot make a URL slug from '{slug_given or stem}'",
                hint="set 'slug:' to letters and digits")
    fields.check_slug_length(p, data, slug)
    parts = [part for part in PurePosixPath(bundle or rel).parent.relative_to(CONTENT_DIR).parts if part != "."]
    # Folders starting with "_" (Jekyll's _posts, _drafts) group files but are no part of URLs.
    folder = "/".join(slugify(fields.nfc(part)) for part in parts if not part.startswith("_"))
    section = _section(p, data, parts, options)
    url, aliases = "", ()
    if date is not None:
        names = url_rules.Names(tuple(fields.nfc(part) for part in parts), name, stem, slug, slug_given,
                                title or "", section, categories)
        url, aliases = article_location(p, data, options.url_rules, dict(options.permalinks), names, date,
                                        options.tz)
    # Strings many articles share are interned: results come back from worker processes in
    # pickled chunks, which send each string object once, so the parent keeps fewer copies.
    article = Article(
        slug=slug, source=rel, folder=intern(folder), title=title or "", date=date,  # type: ignore[arg-type]
        body=fm.body if keep_body else "", body_line=fm.body_line, updated=updated,
        kicker=fields.text_of(p, data, "kicker"), summary=fields.text_of(p, data, "summary"),
        tags=tuple(map(intern, fields.tags_of(p, data))),
        authors=tuple(map(intern, fields.strings_of(p, data, "authors"))),
        related=tuple(slugify(s) for s in fields.strings_of(p, data, "related")),
        draft=fields.bool_of(p, data, "draft", in_drafts), aliases=aliases,
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


def _title(p: fields.Problems, data: dict[str, Any], name: str, options: LoadOptions) -> str:
    """The title; required under the builder's own rules. Under Hugo's or Jekyll's a file without one
    is titled by its name, as Jekyll does ("rendering-process" → "Rendering Process")."""
    if options.url_rules == "builder" or "title" in data:
        return fields.text_of(p, data, "title", required=True)
    return " ".join(word[:1].upper() + word[1:] for word in re.split(r"[-_\s]+", name) if word)


def _unrendered(data: dict[str, Any]) -> bool:
    """Hugo's headless bundles (`headless: true`, `build: {render: never}`) are never published."""
    build = data.get("_build", data.get("build"))
    return data.get("headless") is True or (isinstance(build, dict) and build.get("render") in ("never", False))


def _foreign_keys(p: fields.Problems, data: dict[str, Any], lines: dict[str, int],
                  options: LoadOptions) -> tuple[dict[str, Any], dict[str, int]]:
    """Jekyll's and Hugo's key names mapped onto ours, with a warning for each that needs one."""
    data, lines, notes = foreign_keys.normalize_keys(data, lines, fold_categories=options.fold_categories)
    p.lines = lines
    for line, message in notes:
        p.warning(None, message, line=line)
    return data, lines


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
    if fm is None or _unrendered(fm.data):
        return None, problems
    p = fields.Problems(rel, dict(fm.key_lines))
    data, _ = _foreign_keys(p, dict(fm.data), dict(fm.key_lines), options)
    return _page(rel, fm, data, p, options, keep_body, problems)


def _page(rel: str, fm: frontmatter.FrontMatter, data: dict[str, Any], p: fields.Problems, options: LoadOptions,
          keep_body: bool, problems: list[Diagnostic], listing: str | None = None
          ) -> tuple[Page | None, list[Diagnostic]]:
    """An undated page: `content/pages/impressum.md` → /impressum/, nested folders nest.
    With `listing` (an `_index.md`), the page is the text of the listing at that URL."""
    bundle = bundle_folder(rel)
    path = PurePosixPath(bundle or rel)
    index = listing is not None
    parts = tuple(fields.nfc(part) for part in path.parent.relative_to(CONTENT_DIR).parts if part != ".")
    name = parts[-1] if index and parts else fields.nfc(path.stem if not bundle else path.name)
    title = fields.text_of(p, data, "title") if index else _title(p, data, name, options)
    if index and not title:  # Hugo titles a section by its folder: "news" → "News"
        title = parts[-1][:1].upper() + parts[-1][1:] if parts else ""
    slug_given = fields.text_of(p, data, "slug")
    slug = slugify(slug_given or name) or ("index" if index else "")
    if not slug:
        p.error("slug" if "slug" in data else None, f"cannot make a URL slug from '{slug_given or name}'")
    fields.check_slug_length(p, data, slug)
    if listing:
        url = listing
    elif index:
        url = folder_location(options.url_rules, parts)
    else:
        names = url_rules.Names(parts, name, name, slug, slug_given, title or "")
        url = page_location(p, data, options.url_rules, dict(options.permalinks), names, options.tz)
    page = Page(
        slug=slug, source=rel, title=title or "", body=fm.body if keep_body else "",
        url=url, body_line=fm.body_line, summary=fields.text_of(p, data, "summary"),
        updated=fields.date_of(p, data, "updated", options.tz) if "updated" in data else None,
        layout=str(data.get("layout") or ""), aliases=fields.urls_of(p, data, "aliases"),
        glossary=fields.bool_of(p, data, "glossary", True), draft=fields.bool_of(p, data, "draft", False),
        key_lines=FrozenDict(p.lines), extra=fields.frozen({k: v for k, v in data.items() if k not in PAGE_KEYS}),
        bundle=bundle, listing=listing or "",
    )
    if any(d.severity == "error" for d in p.items):
        return None, problems + p.items
    return page, problems + p.items


def load_index(rel: str, text: str, options: LoadOptions,
               keep_body: bool = True) -> tuple[Page | None, list[Diagnostic]]:
    """An `_index.md` (Hugo's branch bundle): the text shown on the front page (`content/_index.md`)
    or on a section's listing (`content/<section>/_index.md`; the folder is a section even when
    config.yaml does not list it), or a deeper folder's own page at /<folders>/. It may be empty."""
    role, slug = index_role(rel, options.builtin_folders)
    if role == "none":
        return None, [Diagnostic(rel, 1, f"content/{slug}/ has no listing that could show this text; "
                                 "the file is not used", "warning", hint="move its text to a page")]
    if role == "section" and slug in RESERVED_SLUGS:
        return None, [Diagnostic(rel, 1, f"the folder makes a section '{slug}', a folder the build writes itself",
                                 hint="rename the folder")]
    text, problems = replace_invalid_characters(rel, text)
    fm, found = read_front_matter(rel, text) if text.strip() else (frontmatter.FrontMatter({}, {}, "", 1), [])
    problems += found
    if fm is None:
        return None, problems
    problems += [Diagnostic(rel, line or 1, visible(message) or "", "warning") for line, message in fm.warnings]
    p = fields.Problems(rel, dict(fm.key_lines))
    data, _ = _foreign_keys(p, dict(fm.data), dict(fm.key_lines), options)
    listing = {"home": "/", "section": f"/{slug}/"}.get(role)
    return _page(rel, fm, data, p, options, keep_body, problems, listing if listing is not None else "")


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
