"""The site's structure from `config.yaml`: sections, menus and URL patterns, checked line by line.

`sections:` lists the sections (Ressorts) in their order; `menus:` names, per
menu, the pages, sections, authors, built-in lists or URLs it links; and
`permalinks:` maps a section (or a folder under `content/`) to a URL pattern in
Hugo's syntax (`/:section/:year/:slug/`) or one of Jekyll's named styles.
Menu targets that name content (a page, an author) can only be checked once
the content is loaded: `builder.pipeline.linking` does that, with these lines.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from typing import Any, Callable, Sequence

from ..errors import Diagnostic
from ..util.slug import slugify
from . import url_rules

Problem = Callable[..., None]   # problem(key, message, severity="error", hint=None)

# URL folders that the build fills itself: a section there would collide with them.
RESERVED_SLUGS = frozenset({"assets", "pagefind", "seite", "feed.xml", "sitemap.xml", "robots.txt"})
MENU_KINDS = ("page", "section", "author", "list", "url")
LISTS = ("home", "archive", "glossary", "tags", "search", "authors")
PERMALINK_TOKENS = url_rules.TOKENS
# Jekyll's named permalink styles. Under the builder's own `url_rules`, `:categories` is empty
# (categories are folded into tags); under `url_rules: jekyll` it is the post's categories.
JEKYLL_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
}


@dataclass(frozen=True)
class Section:
    """One section (Ressort) from `sections:`: its listing lives at /<slug>/."""

    slug: str
    title: str
    description: str = ""
    order: int = 0
    line: int | None = None            # where config.yaml lists it


@dataclass(frozen=True)
class MenuItem:
    """One entry of a menu: `kind` is page, section, author, list or url; `target` what it names."""

    kind: str
    target: str
    title: str = ""
    line: int | None = None


def parse_sections(value: Any, lines: dict[str, int], problem: Problem) -> tuple[Section, ...]:
    """`sections:` as a list of mappings (slug, title, description, order) or of titles."""
    if not isinstance(value, list):
        problem("sections", "'sections' must be a list of sections", hint="write '- {slug: politik, title: Politik}'")
        return ()
    found: list[tuple[int, int, Section]] = []
    seen: dict[str, str] = {}
    for index, item in enumerate(value):
        key = f"sections[{index}]"
        line = lines.get(key, lines.get("sections"))
        if isinstance(item, str):
            item = {"title": item}
        if not isinstance(item, dict):
            problem(key if key in lines else "sections", f"section {index + 1} must be a mapping with 'slug' and 'title'")
            continue
        for unknown in sorted(set(item) - {"slug", "title", "description", "order"}):
            problem(f"{key}.{unknown}", f"unknown key '{unknown}' in section {index + 1}", "warning",
                    hint="a section has slug, title, description and order")
        title = item.get("title")
        if not isinstance(title, str) or not title.strip():
            problem(f"{key}.title" if f"{key}.title" in lines else key, f"section {index + 1} needs a 'title'")
            continue
        slug = item.get("slug", title)
        slug = slugify(str(slug)) if isinstance(slug, (str, int)) else ""
        order = item.get("order", 0)
        if not slug:
            problem(f"{key}.slug", f"section '{title}' has no slug letters or digits")
            continue
        if isinstance(order, bool) or not isinstance(order, int):
            problem(f"{key}.order", f"'order' of section '{slug}' must be an integer")
            order = 0
        if slug in RESERVED_SLUGS:
            problem(f"{key}.slug" if f"{key}.slug" in lines else key,
                    f"the section slug '{slug}' is a folder the build writes itself", hint="choose another slug")
            continue
        if slug in seen:
            problem(key, f"section '{slug}' is listed twice (first as '{seen[slug]}')")
            continue
        seen[slug] = title
        description = item.get("description", "")
        found.append((order, index, Section(slug, title.strip(), str(description).strip(), order, line)))
    return tuple(section for _, _, section in sorted(found, key=lambda f: (f[0], f[1])))


def with_section_pages(sections: tuple[Section, ...], pages: Sequence[Any]) -> tuple[Section, ...]:
    """The configured sections, then those only a section page (`content/<folder>/_index.md`, Hugo's
    branch bundle) makes, by their `weight` and title. A configured section keeps its title and
    description; its `_index.md` gives the description when config.yaml has none."""
    by_slug = {section.slug: section for section in sections}
    added: list[Section] = []
    for page in pages:
        if not page.listing or page.listing == "/":
            continue
        slug = page.listing.strip("/")
        known = by_slug.get(slug)
        if known is not None:
            if not known.description and page.summary:
                by_slug[slug] = replace(known, description=page.summary)
            continue
        weight = page.extra.get("weight", 0)
        order = weight if isinstance(weight, int) and not isinstance(weight, bool) else 0
        added.append(Section(slug, page.title or slug, page.summary, order))
    added.sort(key=lambda s: (s.order, s.title.casefold(), s.slug))
    return (*(by_slug[s.slug] for s in sections), *added)


def parse_menus(value: Any, lines: dict[str, int], problem: Problem) -> dict[str, tuple[MenuItem, ...]]:
    """`menus:` as menu name → list of items, each naming one target (`page: impressum`)."""
    if not isinstance(value, dict):
        problem("menus", "'menus' must be a mapping of menu names to lists", hint="write 'menus: {main: [...]}'")
        return {}
    menus: dict[str, tuple[MenuItem, ...]] = {}
    for name, items in value.items():
        where = f"menus.{name}"
        if not isinstance(items, list):
            problem(where, f"menu '{name}' must be a list of items")
            continue
        menus[str(name)] = tuple(item for index, raw in enumerate(items)
                                 if (item := _menu_item(raw, f"{where}[{index}]", where, lines, problem)))
    return menus


def _menu_item(raw: Any, key: str, menu_key: str, lines: dict[str, int], problem: Problem) -> MenuItem | None:
    line = lines.get(key, lines.get(menu_key))
    where = key if key in lines else menu_key
    if not isinstance(raw, dict):
        problem(where, "a menu item must be a mapping like '{page: impressum}' or '{url: /x/, title: X}'")
        return None
    kinds = [kind for kind in MENU_KINDS if kind in raw]
    unknown = sorted(set(raw) - set(MENU_KINDS) - {"title"})
    if unknown:
        problem(f"{key}.{unknown[0]}" if f"{key}.{unknown[0]}" in lines else where,
                f"unknown key '{unknown[0]}' in a menu item", hint=f"use one of: {', '.join(MENU_KINDS)}, title")
        return None
    if len(kinds) != 1:
        problem(where, "a menu item names exactly one target: " + ", ".join(MENU_KINDS))
        return None
    kind = kinds[0]
    target, title = raw[kind], raw.get("title", "")
    if not isinstance(target, str) or not target.strip() or not isinstance(title, str):
        problem(f"{key}.{kind}" if f"{key}.{kind}" in lines else where, f"'{kind}' of a menu item must be text")
        return None
    target = target.strip()
    if kind == "list" and target not in LISTS:
        problem(f"{key}.list" if f"{key}.list" in lines else where, f"unknown list '{target}'",
                hint=f"use one of: {', '.join(LISTS)}")
        return None
    if kind == "url":
        if not (target.startswith("/") or target.startswith(("https://", "http://", "mailto:"))):
            problem(f"{key}.url" if f"{key}.url" in lines else where,
                    f"menu URL '{target}' must be a site path ('/x/') or an http(s) or mailto: URL")
            return None
        if not title.strip():
            problem(where, f"the menu item for '{target}' needs a 'title'")
            return None
    return MenuItem(kind, target, title.strip(), line)


def parse_permalinks(value: Any, lines: dict[str, int], problem: Problem) -> dict[str, str]:
    """`permalinks:` as section or folder → pattern; a pattern may be a Jekyll style name."""
    if isinstance(value, str):  # Jekyll: one style for every post
        value = {"*": value}
    if not isinstance(value, dict):
        problem("permalinks", "'permalinks' must map a section or folder to a pattern like '/:section/:slug/'")
        return {}
    patterns: dict[str, str] = {}
    for name, pattern in value.items():
        key = f"permalinks.{name}"
        if not isinstance(pattern, str):
            problem(key, f"the permalink pattern for '{name}' must be text")
            continue
        pattern = JEKYLL_STYLES.get(pattern.strip(), pattern.strip())
        if not pattern.startswith("/"):
            problem(key, f"the permalink pattern '{pattern}' must start with '/'")
            continue
        unknown = [token for token in url_rules.tokens(pattern) if token not in PERMALINK_TOKENS]
        if unknown:
            problem(key, f"unknown placeholder ':{unknown[0]}' in the permalink pattern '{pattern}'",
                    hint="use " + ", ".join(f":{t}" for t in sorted(PERMALINK_TOKENS)))
            continue
        if not url_rules.NAME_TOKENS & set(url_rules.tokens(pattern)):
            problem(key, f"the permalink pattern '{pattern}' gives every article the same URL",
                    hint="add :slug, :title or :filename")
            continue
        patterns[str(name)] = pattern
    return patterns


@dataclass(frozen=True)
class MenuLink:
    """A menu entry as the theme shows it: a title and a site path (or an outside URL)."""

    title: str
    url: str
    external: bool = False


def current_marks(links: Sequence[MenuLink], path: str, nav: str) -> tuple[str, ...]:
    """Each menu entry's `aria-current` on the page at `path` (part `nav` of the site): "page" for
    the page itself, "true" for the part of the site it is in, "" for the others and outside URLs.

    The theme keys its header and footer by them, so a build makes each once per distinct
    marking instead of once per page."""
    marks = []
    for link in links:
        if link.external:
            marks.append("")
        elif link.url == path:
            marks.append("page")
        elif link.url != "/" and path.startswith(link.url) or nav == "section:" + link.url.strip("/"):
            marks.append("true")
        else:
            marks.append("")
    return tuple(marks)


def resolve_menus(config: Any, pages: Sequence[Any], authors: Sequence[Any], urls: Any,
                  gettext: Callable[[str], str] = str) -> tuple[dict[str, tuple[MenuLink, ...]], list[Diagnostic]]:
    """Each configured menu with its targets looked up; an unknown target is an error on its line.

    Without `menus:` the main menu lists the front page, the sections, tags, glossary and search,
    and the footer menu the pages at the top of `content/pages/`, so that every page is linked.
    `gettext` gives the lists' titles in the site's language (`builder.text.i18n`).
    """
    lists = {"home": (gettext("Home"), "/"), "archive": (gettext("Archive"), urls.archive()),
             "glossary": (gettext("Glossary"), urls.glossary()), "tags": (gettext("Topics"), urls.tags()),
             "search": (gettext("Search"), urls.search()), "authors": (gettext("Authors"), urls.authors())}
    menus = dict(config.menus)
    if "main" not in menus:
        menus["main"] = (MenuItem("list", "home"), *(MenuItem("section", s.slug) for s in config.sections),
                         MenuItem("list", "tags"), MenuItem("list", "glossary"),
                         *((MenuItem("list", "search"),) if config.search else ()))
    if "footer" not in menus:
        menus["footer"] = tuple(MenuItem("page", page.url) for page in pages if page.url.count("/") == 2)
    sections = {s.slug: s for s in config.sections}
    page_by = {key: page for page in pages for key in (page.url, page.slug, page.source)}
    author_by = {key: author for author in authors for key in (author.slug, author.name)}
    resolved: dict[str, tuple[MenuLink, ...]] = {}
    problems: list[Diagnostic] = []
    for name, items in menus.items():
        links: list[MenuLink] = []
        for item in items:
            link = _menu_link(item, sections, page_by, author_by, lists, urls)
            if link is None:
                known = {"page": [p.slug for p in pages], "section": list(sections),
                         "author": [a.slug for a in authors]}.get(item.kind, [])
                close = difflib.get_close_matches(item.target, known, n=1, cutoff=0.6)
                problems.append(Diagnostic(
                    "config.yaml", item.line, f"menu '{name}': there is no {item.kind} '{item.target}'",
                    hint=f"did you mean '{close[0]}'?" if close else None))
            elif item.kind == "list" and item.target == "search" and not config.search:
                problems.append(Diagnostic("config.yaml", item.line,
                                           f"menu '{name}' links the search page, but 'search' is off"))
            else:
                links.append(link)
        resolved[name] = tuple(links)
    return resolved, problems


def _menu_link(item: MenuItem, sections: dict[str, Any], page_by: dict[str, Any], author_by: dict[str, Any],
               lists: dict[str, tuple[str, str]], urls: Any) -> MenuLink | None:
    if item.kind == "url":
        return MenuLink(item.title, item.target, not item.target.startswith("/"))
    if item.kind == "list":
        title, url = lists[item.target]
        return MenuLink(item.title or title, url)
    if item.kind == "section":
        section = sections.get(slugify(item.target))
        return MenuLink(item.title or section.title, urls.section(section.slug)) if section else None
    if item.kind == "page":
        target = item.target if item.target.startswith("/") else item.target.strip("/")
        page = page_by.get(target) or page_by.get(f"/{target}/") or page_by.get(f"content/pages/{target}.md")
        return MenuLink(item.title or page.title, page.url) if page else None
    author = author_by.get(item.target) or author_by.get(slugify(item.target))
    return MenuLink(item.title or author.name, author.url) if author else None
