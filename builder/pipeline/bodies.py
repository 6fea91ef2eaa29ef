"""Rendering Markdown bodies (with glossary annotations) and keeping them by content digest."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Mapping

from markdown_it import MarkdownIt

from ..content.config import SiteConfig
from ..content.model import Article, BodyInfo, LeadImage, Term
from ..content.sources import HTML_SUFFIXES
from ..content.urls import Urls
from ..errors import Diagnostic
from ..output.images import (PICTURES_VERSION, Derivative, ImageRecord, Picture, lead_pictures, picture_html,
                             picture_of)
from ..text.annotate import GlossaryRules
from ..text.forms import glossary_forms, uses_declension
from ..text.glossary import Matcher
from ..text.html_content import html_body, template_tags
from ..text.i18n import catalogs_digest, messages_for
from ..text.markdown import create_markdown, render_body
from ..text.shortcodes import Context, Fragment, PageIndex, SiteTemplates, preprocess
from ..text.textstats import WordCounts, term_frequencies
from ..util.parallel import map_indices
from ..output.image_files import DerivativeGroup, derivative_group
from .body_images import folder_of, image_source, read_image
from .body_keys import CONTENT_FILE, body_keys, matching_digest, summary_digests, tooltip_digest
from .body_packs import BodyStore, Location, append_html, close_writer
from .loading import Loaded, read_body
from .resources import SiteFile


def make_markdown(config: SiteConfig, terms: tuple[Term, ...], term_url: Callable[[str], str],
                  forms_cache: Path | None = None) -> MarkdownIt:
    """The site's Markdown renderer with the glossary annotator attached.

    German sites match the terms' declined forms, generated once per glossary and kept in
    `forms_cache` (a folder) and in the process; other sites match them as written.
    """
    forms = glossary_forms(terms, declension=uses_declension(config), cache_dir=forms_cache) if terms else {}
    matcher = Matcher(terms, inflect=config.glossary.inflect, forms=forms)
    rules = GlossaryRules(matcher, {term.slug: term for term in terms}, term_url, config.glossary.mode) if terms else None
    return create_markdown(config.markdown, messages=messages_for(config), glossary=rules)


def render(md: MarkdownIt, key: str, text: str, *, resolve_link: Callable[[str], str | None],
           url_for: Callable[[str], str], glossary: bool = True,
           exclude: str | None = None, source: str = "", body_line: int = 1,
           notes: tuple[Diagnostic, ...] = (), summaries: Mapping[str, str] | None = None,
           count_words: bool = True, image_html: Callable[..., str | None] | None = None,
           embeds_allowed: frozenset[str] = frozenset(), fragments: tuple[Fragment, ...] = (),
           images: tuple[ImageRecord, ...] = (), lead: ImageRecord | None = None,
           raw_html: bool = False) -> tuple[str, BodyInfo]:
    """Render one body; returns its HTML and what it tells the rest of the build.

    With the glossary's `summary_digests`, the info carries the tooltip digest of the terms it annotates.
    Word counts feed only the ranking of related articles: term bodies go without (`count_words`).
    """
    env = {
        "resolve_link": resolve_link,
        "url_for": url_for,
        "base_path": url_for("/"),
        "glossary_enabled": glossary,
        "glossary_exclude": exclude,
        "docId": "n",  # footnote ids become "fn-n-1": prefixed like every generated id
        "image_html": image_html,
        "embeds_allowed": embeds_allowed,
        "fragments": fragments,   # the HTML of the shortcodes, put in by placeholder
    }
    rendered = html_body(text) if raw_html else render_body(md, text, env)
    link_errors = tuple(Diagnostic(source, body_line + line, message) for line, message in env.get("link_errors", ()))
    link_errors += tuple(Diagnostic(source, body_line + line, message, "warning", hint=hint)
                         for line, message, hint in env.get("image_warnings", ()))
    info = BodyInfo(
        key=key,
        terms=rendered.terms,
        term_counts=rendered.term_counts,
        links=rendered.links,
        words=WordCounts.of(term_frequencies(rendered.text)) if count_words else WordCounts(),
        notes=notes + link_errors,
        tooltips=tooltip_digest(rendered.terms, summaries) if summaries is not None else "",
        images=images, lead=lead,
    )
    return rendered.html, info


# The body stage ------------------------------------------------------------------------------

# (key, source, body line, glossary, excluded term, slug, kind: article, term, page or author)
BodyItem = tuple[str, str, int, bool, "str | None", str, str]


@dataclass(frozen=True)
class RenderedBodies:
    """The body stage's result: each body's info, by article, term and author slug, and by page source."""

    articles: dict[str, BodyInfo]
    terms: dict[str, BodyInfo]
    pages: dict[str, BodyInfo]
    authors: dict[str, BodyInfo]
    problems: list[Diagnostic]
    context: "BodyContext | None" = None   # to render an edited article's body again (`render_article`)

    def keys(self) -> set[str]:
        """Every body key in use, for the store to keep."""
        return {info.key for infos in (self.articles, self.terms, self.pages, self.authors)
                for info in infos.values()}


@dataclass(frozen=True)
class BodyJob:
    """Shared state for rendering bodies in worker processes (inherited by fork, never pickled)."""

    md: Any                      # the MarkdownIt instance with the glossary matcher, built once
    items: tuple[BodyItem, ...]
    summaries: Mapping[str, str]   # term slug → summary_digests(), for the tooltip digests
    config: SiteConfig
    url_of_source: Mapping[str, str]
    pages: "_LazyPageIndex"      # resolves Jekyll/Hugo link tags
    paths: Mapping[str, str | Path]    # article source → file, to read its body again
    term_bodies: Mapping[str, str]
    store_folder: Path | None        # pack files for the HTML (None: sent back to the parent)
    files: Mapping[str, SiteFile]            # what bodies may show: bundle files and static/
    bundles: Mapping[str, str]               # content file → its bundle folder
    leads: Mapping[str, LeadImage]           # article source → its lead image
    templates: SiteTemplates                 # the site's shortcode templates and includes
    documents: Mapping[str, Any]             # source → its Article, Page, Term or Author (for `param`)


class _LazyPageIndex:
    """A PageIndex built on first use: only bodies with Jekyll/Hugo link tags need one."""

    def __init__(self, url_of_source: Mapping[str, str]) -> None:
        self.url_of_source = url_of_source
        self.index: PageIndex | None = None

    def resolve(self, target: str, source: str | None = None, style: str = "jekyll") -> str | None:
        if self.index is None:
            self.index = PageIndex(self.url_of_source)
        return self.index.resolve(target, source, style)


def url_under_base(config: SiteConfig, path: str) -> str:
    return config.base_path + path.lstrip("/")


def _render_one(job: BodyJob, index: int) -> tuple[BodyInfo, str | None, Location | None]:
    """Worker: read and render one body, store its HTML, return its info and where the HTML is."""
    key, source, body_line, glossary, exclude, _, kind = job.items[index]
    config = job.config
    raw = (job.term_bodies[source] if kind == "term"
           else read_body(job.paths[source], source, body_line, config.markdown.max_file_size))

    # Every URL of another page the body looks up, and what it found: a stored body is rendered
    # again when one of them moves (`links_moved`), not whenever any page of the site does.
    looked_up: dict[tuple[str, str], str | None] = {}

    def resolve_tag(target: str, style: str) -> str | None:
        url = looked_up[style, target] = job.pages.resolve(target, source, style)
        return None if url is None else url_under_base(config, url)

    page_url = job.url_of_source.get(source, "/")
    raw_html = source.endswith(HTML_SUFFIXES)   # an .html content file: its body is HTML already
    fragments: tuple[Fragment, ...] = ()
    templates: tuple[str, ...] = ()
    if raw_html:
        text, notes = raw, tuple(Diagnostic(source, line, message, "warning", col=col)
                                 for line, col, message in template_tags(raw, body_line))
    else:
        context = Context(resolve_tag, job.templates, source, job.documents.get(source),
                          url_under_base(config, page_url), job.md)
        text, tags, errors, fragments, templates = preprocess(raw, body_line, context)
        notes = tuple(Diagnostic(source, tag.line, tag.message, "warning", col=tag.col, hint=tag.hint) for tag in tags)
        notes += tuple(Diagnostic(source, line, message, col=col) for line, col, message in errors)

    def resolve(target: str) -> str | None:
        base = "content" if target.startswith("/") else posixpath.dirname(source)
        path = posixpath.normpath(posixpath.join(base, target.lstrip("/")))
        url = looked_up[CONTENT_FILE, path] = job.url_of_source.get(path)
        return url

    bundle = job.bundles.get(source, "")
    images: dict[ImageRecord, Picture] = {}   # each image the body shows, with its picture

    def image_html(src: str, alt: str, attrs: dict[str, Any], in_figure: bool, line: int) -> str | None:
        found = image_source(src, source, bundle)
        if found is None or (found.lower().endswith(".svg") and found in job.files):
            return None   # an outside URL, or a drawing that scales itself: the <img> as written
        record = read_image(found, src, job.files, config.images, folder_of(found, bundle, page_url))
        pic = images.setdefault(record, picture_of(record, config.images))
        return picture_html(pic, alt, lambda p: url_under_base(config, p))

    lead, lead_notes = _lead(job, source, bundle, page_url)
    html, info = render(job.md, key, text, resolve_link=resolve, url_for=lambda p: url_under_base(config, p),
                        glossary=glossary, exclude=exclude, source=source, body_line=body_line,
                        notes=notes + lead_notes, summaries=job.summaries, count_words=kind == "article",
                        image_html=image_html if kind != "term" else None, lead=lead,
                        embeds_allowed=frozenset(config.embeds.allow), fragments=fragments, raw_html=raw_html)
    info = replace(info, images=tuple(images), templates=tuple((t, job.templates.digest_of(t)) for t in templates),
                   resolved=tuple((style, target, url) for (style, target), url in looked_up.items()),
                   derivatives=_derivatives(list(images.values()), lead, job.leads.get(source), config))
    location = append_html(job.store_folder, html) if job.store_folder is not None else None
    return info, html if job.store_folder is None else None, location


def _derivatives(pictures: list[Picture], lead: ImageRecord | None, image: LeadImage | None,
                 config: SiteConfig) -> tuple[DerivativeGroup, ...]:
    """Every image file the body's pictures and its lead image make, one group per photo, planned
    once with the body and kept with it, so that a warm build lists them without planning them again."""
    found: dict[str, dict[str, Derivative]] = {}
    if lead is not None and image is not None:
        pictures += lead_pictures(lead, image.focus, config.images).values()
    for pic in pictures:
        for derivative in pic.derivatives:
            found.setdefault(derivative.source, {}).setdefault(derivative.url, derivative)
    return tuple(derivative_group(list(batch.values())) for batch in found.values())


def _lead(job: BodyJob, source: str, bundle: str, page_url: str) -> tuple[ImageRecord | None, tuple[Diagnostic, ...]]:
    """The article's lead image, read; an error or warnings on its `image:` line."""
    image = job.leads.get(source)
    if image is None:
        return None, ()
    found = image_source(image.src, source, bundle)
    try:
        record = read_image(found, image.src, job.files, job.config.images,
                            folder_of(found, bundle, page_url) if found else "/")
    except LookupError as exc:
        return None, (Diagnostic(source, image.line, str(exc.args[0])),)
    notes: list[Diagnostic] = []
    if image.alt is None:
        notes.append(Diagnostic(source, image.line, "the lead image has no alt text", "warning",
                                hint="add 'alt: \"…\"' to 'image:', or 'alt: \"\"' if it only decorates"))
    if not image.credit:
        notes.append(Diagnostic(source, image.line, "the lead image has no credit", "warning",
                                hint="add 'credit: \"Name/Agentur\"' to 'image:' (§ 13 UrhG)"))
    return record, tuple(notes)


@dataclass(frozen=True)
class BodyContext:
    """What the body stage knew of the site, for rendering one article's body again after an edit of its
    text (`pipeline.body_edit`): the body comes out as the stage would have rendered it."""

    config: SiteConfig
    terms: tuple[Term, ...]
    key_parts: tuple[str, ...]           # what every body's key holds (`body_keys`)
    summaries: Mapping[str, str]
    url_of_source: Mapping[str, str]
    pages: "_LazyPageIndex"
    files: Mapping[str, SiteFile]
    templates: SiteTemplates
    store: BodyStore
    markdown: "MarkdownMemo | None"

    @cached_property
    def key(self) -> Callable[..., str]:
        return body_keys(*self.key_parts)

    def md(self) -> MarkdownIt:
        """The site's Markdown renderer (the memo's, while the terms and the settings are the same)."""
        config, term_url = self.config, Urls(self.config).term

        def make() -> MarkdownIt:   # the German forms are kept beside the bodies
            return make_markdown(config, self.terms, lambda slug: url_under_base(config, term_url(slug)),
                                 forms_cache=self.store.folder)

        return make() if self.markdown is None else self.markdown.get((repr(config), self.terms,
                                                                       self.store.folder), make)


def render_article(context: BodyContext, article: Article, digest: str, path: str | Path) -> BodyInfo:
    """Render one article's body (its file's text has `digest`) into the store, as the body stage would."""
    source = article.source
    item: BodyItem = (context.key(source, digest, str(article.glossary), article.url), source, article.body_line,
                      article.glossary, None, article.slug, "article")
    job = BodyJob(context.md(), (item,), context.summaries, context.config, context.url_of_source, context.pages,
                  {source: path}, {}, context.store.folder, context.files,
                  {source: article.bundle} if article.bundle else {},
                  {source: article.image} if article.image is not None else {}, context.templates, {source: article})
    info, html, location = _render_one(job, 0)
    close_writer()
    context.store.remember(info, html, location)
    return info


class MarkdownMemo:
    """The site's Markdown renderer, kept from one build to the next in one process (the preview):
    its glossary matcher takes 0.3 s to make for 3,000 terms, and most edits change no term."""

    def __init__(self) -> None:
        self._key: tuple[Any, ...] | None = None
        self._md: MarkdownIt | None = None

    def get(self, key: tuple[Any, ...], make: Callable[[], MarkdownIt]) -> MarkdownIt:
        """The renderer made last, while `key` (everything `make` reads) equals its key; else a new one."""
        if self._md is None or self._key != key:
            self._md, self._key = make(), key
        return self._md


def render_bodies(loaded: Loaded, store: BodyStore, jobs: int,
                  progress: Callable[[str, int, int], None] | None,
                  files: Mapping[str, SiteFile] | None = None,
                  templates: SiteTemplates | None = None, markdown: MarkdownMemo | None = None,
                  meanwhile: Callable[[], None] | None = None) -> RenderedBodies:
    """Render every article, term, page and author body that the store does not hold yet.

    A body's key covers the builder version and settings, where glossary terms
    match, the body's own URL and the file's text; a stored body is reused only
    while the summaries its tooltips show are unchanged, the images it shows
    are, the shortcode templates it used (or looked for) are, and every page it
    links to (or tried to) has the URL it had.
    """
    config, terms = loaded.config, tuple(loaded.terms)
    url_of_source = {a.source: a.url for a in loaded.articles}
    url_of_source.update({t.source: f"/{config.paths.glossary}/{t.slug}/" for t in terms})
    url_of_source.update({p.source: p.url for p in loaded.pages})
    url_of_source.update({a.source: a.url for a in loaded.authors})
    # A body's key holds its own URL; the URLs it links to are checked one by one (`links_moved`),
    # so that a new, moved or deleted page renders again only the bodies that link to it.
    key_parts = (repr(config), matching_digest(terms, config), PICTURES_VERSION, catalogs_digest())
    key = body_keys(*key_parts)
    items: list[BodyItem] = [
        (key(a.source, loaded.digests[a.source], str(a.glossary), a.url), a.source, a.body_line,
         a.glossary, None, a.slug, "article") for a in loaded.articles]
    items += [(key(t.source, loaded.digests[t.source], "term", url_of_source[t.source]), t.source, t.body_line,
               True, t.slug, t.slug, "term") for t in terms]
    items += [(key(p.source, loaded.digests[p.source], f"page {p.glossary}", p.url), p.source, p.body_line,
               p.glossary, None, p.source, "page") for p in loaded.pages]
    items += [(key(a.source, loaded.digests[a.source], "author", a.url), a.source, a.body_line, True, None,
               a.slug, "author") for a in loaded.authors]
    pages = _LazyPageIndex(url_of_source)
    files = files or {}
    templates = templates or SiteTemplates()

    def stale(info: BodyInfo, source: str) -> bool:
        """An image the body (or its lead) shows changed or is gone; a template it used changed;
        a page it links to moved, went or came."""
        shown = (*info.images, *((info.lead,) if info.lead else ()))
        return (any(files.get(record[0]) is None or files[record[0]].digest != record[1] for record in shown)
                or any(templates.digest_of(path) != digest for path, digest in info.templates)
                or links_moved(info, source))

    def links_moved(info: BodyInfo, source: str) -> bool:
        for style, target, url in info.resolved:
            if url != (url_of_source.get(target) if style == CONTENT_FILE else pages.resolve(target, source, style)):
                return True
        return False

    summaries = summary_digests(terms)
    infos, checked, last = store.infos, store.checked, store.summaries
    # Terms whose summaries differ from those the stored bodies were checked against (None: all may).
    changed = None if last is None else {slug for slug in last.keys() | summaries.keys()
                                         if last.get(slug) != summaries.get(slug)}

    def tooltips_differ(key: str, info: BodyInfo) -> bool:
        if changed is not None and key in checked and changed.isdisjoint(info.terms):
            return False
        return info.tooltips != tooltip_digest(info.terms, summaries)

    missing = tuple(item for item in items if not store.has(item[0])
                    or tooltips_differ(item[0], info := infos[item[0]]) or stale(info, item[1]))
    context = BodyContext(config, terms, key_parts, summaries, url_of_source, pages, files, templates, store, markdown)
    if missing:
        md = context.md()
        bundles = {item.source: item.bundle for item in (*loaded.articles, *loaded.pages) if item.bundle}
        leads = {a.source: a.image for a in loaded.articles if a.image is not None}
        documents = {d.source: d for d in (*loaded.articles, *terms, *loaded.pages, *loaded.authors)}
        job = BodyJob(md, missing, summaries, config, url_of_source, pages, loaded.paths,
                      {t.source: t.body for t in terms}, store.folder, files, bundles, leads,
                      templates, documents)
        done = map_indices(_render_one, job, len(missing), jobs,
                           (lambda n, total: progress("Rendering bodies", n, total)) if progress else None,
                           meanwhile=meanwhile)
        close_writer()  # the parent may have appended when working without worker processes
        for info, html, location in done:
            store.remember(info, html, location)
    store.tooltips_checked(summaries, {item[0] for item in items})
    by_kind: dict[str, dict[str, BodyInfo]] = {"article": {}, "term": {}, "page": {}, "author": {}}
    for item_key, _, _, _, _, name, kind in items:
        by_kind[kind][name] = store.infos[item_key]
    problems = [note for infos in by_kind.values() for info in infos.values() for note in info.notes]
    return RenderedBodies(by_kind["article"], by_kind["term"], by_kind["page"], by_kind["author"], problems, context)
