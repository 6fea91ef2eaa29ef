"""Planning every output file of the site: its path, a fingerprint of its inputs, and how to make it.

Articles, undated pages, terms and the glossary, the special files (404,
search, redirects, sitemaps, the Google News sitemap, robots.txt) and static
files are planned here; paginated listings and every feed in `listings`. See
`specs` for fingerprints.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import partial
from itertools import chain
from typing import Any, Iterator

from ..content.model import Article, BodyInfo, Page, RelatedEntry, Term
from ..errors import Diagnostic
from ..content.urls import Urls, output_path
from ..text.collation import german_sort_key, index_letter
from ..util.digests import fingerprint
from .image_files import image_files, lead_of
from .listings import feed_links, listing_pages
from .more_on_topic import more_on_topic
from .pagination import ListPage, paginate, template_page
from .plan_memo import PlanMemo
from .sitemaps import SITEMAP_LIMIT, news_articles, news_sitemap, newest, robots_txt, sitemap, sitemap_index
from .specs import BodyHtml, LinkedSite, PageSpec, cards_of, page_context
from .structured_data import defined_term_ld, defined_term_set_ld, logo_size
from .templates import Renderer, breadcrumb_ld, markup, news_article_ld

def collision_problems(specs: list[PageSpec], reported: set[str]) -> list[Diagnostic]:
    """Two files for one output path: an error blaming the one whose front matter chose the path.

    Paths in `reported` were named by the load stage already (two content files, one URL)."""
    problems = []
    seen: dict[str, PageSpec] = {}
    for spec in specs:
        first = seen.setdefault(spec.path, spec)
        if first is spec or spec.path in reported:
            continue
        chosen = [s for s in (spec, first) if s.source and s.line is not None]
        culprit = chosen[0] if chosen else (spec if spec.source else first)
        other = first if culprit is spec else spec
        where = other.source or f"the generated page '{other.path}'"
        problems.append(Diagnostic(culprit.source or "content", culprit.line or 1 if culprit.source else None,
                                   f"output path '{spec.path}' is also produced by {where}",
                                   hint="change the slug, url or alias of one of them"))
    return problems


def plan_pages(site: LinkedSite, renderer: Renderer, store: BodyHtml, memo: PlanMemo | None = None
               ) -> list[PageSpec]:
    """Every output file of the site, in a fixed order; `memo` keeps fingerprints for the next plan."""
    if memo is not None:
        memo.start(site.settings_digest, site.cards)
    specs = [*_article_pages(site, renderer, store, memo), *listing_pages(site, renderer, store, memo),
             *_glossary_pages(site, renderer, store, memo), *_undated_pages(site, renderer, store),
             *_special_pages(site, renderer, store), *_static_files(site), *image_files(site)]
    if memo is not None:
        memo.finish()
    return specs


def pages_showing(site: LinkedSite, renderer: Renderer, store: BodyHtml, only: frozenset[str],
                  archive: tuple[str, ...]) -> list[PageSpec]:
    """The listing and term pages that show one of the articles `only` (whose cards an edit changed),
    as `plan_pages` plans them. `site` holds the lists those articles are in and the articles on
    those pages; `archive` is every article's slug, newest first."""
    return [*listing_pages(site, renderer, store, only=only, archive=archive),
            *_glossary_pages(site, renderer, store, None, only)]


def _article_pages(site: LinkedSite, renderer: Renderer, store: BodyHtml, memo: PlanMemo | None
                   ) -> Iterator[PageSpec]:
    planner = ArticlePages(site, renderer, store, memo)
    return map(planner.page, site.articles)


class ArticlePages:
    """Plans article pages: every article's, in a plan; one article's, after an edit of its text
    (`pipeline.body_edit`), with what the planner takes from the site once."""

    def __init__(self, site: LinkedSite, renderer: Renderer, store: BodyHtml, memo: PlanMemo | None) -> None:
        self.site, self.renderer, self.store, self.memo = site, renderer, store, memo
        self.logo = logo_size(site.config, site.static_files)
        self.site_feeds = feed_links(renderer.gettext("All articles"), "/")

    def page(self, article: Article) -> PageSpec:
        site, memo = self.site, self.memo
        info = site.infos[article.slug]
        related = site.links.related.get(article.slug, ())
        back = site.links.backlinks.get(article.slug, ())
        # The inputs of the "more on this" list, not the list: merging it for every article of a
        # large site costs more than the rest of its fingerprint, and only a page rendered needs it.
        # What the page shows of the related entries (their reasons) comes digested with the links.
        path = output_path(article.url)
        ranked = site.links.shown.get(article.slug) or [(entry.slug, entry.reasons, entry.explicit)
                                                        for entry in related]
        # Partials, not closures: a closure would keep a cell for each local it reads, for every page
        # of the site (6 MiB at 10,000 articles).
        compute = partial(self._fingerprint, article, info, related, back, ranked)
        print_ = compute() if memo is None else memo.fingerprint(
            path, ("article", site.digests[article.source], info, site.cards[article.slug], ranked, back, self.logo),
            chain((entry.slug for entry in related), back), compute)
        return PageSpec(path, print_, article.source, partial(self._render, article, info, related, back),
                        article.key_lines.get("url"))

    def _fingerprint(self, article: Article, info: BodyInfo, related: tuple[RelatedEntry, ...],
                     back: tuple[str, ...], ranked: Any) -> str:
        site, cards = self.site, self.site.cards
        return fingerprint(site.settings_digest, site.digests[article.source], info.version, cards[article.slug],
                           ranked, [cards.get(entry.slug) for entry in related], back,
                           [cards.get(slug) for slug in back], self.logo)

    def _render(self, article: Article, info: BodyInfo, related: tuple[RelatedEntry, ...],
                back: tuple[str, ...]) -> bytes:
        site, renderer, urls = self.site, self.renderer, self.renderer.urls
        more = more_on_topic(related, back, site.article_by_slug, site.config.related.count)
        used = [site.term_by_slug[s] for s in info.terms if s in site.term_by_slug]
        section = site.section(article.section)
        byline = site.byline(article)
        crumbs = [(site.config.title, "/")]
        if section is not None:
            crumbs.append((section.title, urls.section(section.slug)))
        crumbs.append((article.title, article.url))
        lead = lead_of(article, site, urls.url)
        context = page_context(renderer, article.url, article.title, article.summary or site.config.description,
                               f"section:{section.slug}" if section else "")
        context["feeds"] = self.site_feeds + (feed_links(f"{section.title} – {site.config.title}",
                                                         urls.section(section.slug)) if section else ())
        html = renderer.render(
            "article.html", **context, article=article, body=markup(self.store.html(info.key)), terms=used,
            more=more, section=section, byline=byline,
            json_ld=news_article_ld(article, urls, site.config, section, byline, lead, self.logo), lead=lead,
            breadcrumb_ld=breadcrumb_ld(crumbs, urls) if section is not None else None,
        )
        return html.encode()


def _undated_pages(site: LinkedSite, renderer: Renderer, store: BodyHtml) -> Iterator[PageSpec]:
    """Impressum, Datenschutz and the like: their own layout, glossary annotations, no date."""
    for page in site.pages:
        info = site.page_infos[page.source]
        used = [site.term_by_slug[s] for s in info.terms if s in site.term_by_slug]
        template = f"{page.layout}.html" if page.layout and renderer.has_template(f"{page.layout}.html") \
            else "page.html"
        print_ = fingerprint(site.settings_digest, site.digests[page.source], info.version, template)

        def make(page: Page = page, info: BodyInfo = info, used: list[Term] = used, template: str = template
                 ) -> bytes:
            context = page_context(renderer, page.url, page.title, page.summary or site.config.description,
                                   f"page:{page.url}")
            return renderer.render(template, **context, page=page, body=markup(store.html(info.key)),
                                   terms=used).encode()

        yield PageSpec(output_path(page.url), print_, page.source, make, page.key_lines.get("url"))


def _glossary_pages(site: LinkedSite, renderer: Renderer, store: BodyHtml, memo: PlanMemo | None,
                    only: frozenset[str] | None = None) -> Iterator[PageSpec]:
    """The glossary and every term's pages; with `only` (article slugs), the term pages showing those."""
    urls, digests = renderer.urls, site.digests
    if only is None:
        groups: dict[str, list[Term]] = {}
        for term in sorted(site.terms, key=lambda t: german_sort_key(t.term)):
            groups.setdefault(index_letter(term.term), []).append(term)
        group_list = list(groups.items())
        # Slugs too: a term file renamed without a change of its text moves the term to another URL.
        yield PageSpec(output_path(urls.glossary()), fingerprint(site.settings_digest,
                                                                 [(t.slug, digests[t.source]) for t in site.terms]),
                       "", lambda: renderer.render(
                           "glossary.html", **page_context(renderer, urls.glossary(), renderer.gettext("Glossary"),
                                                           site.config.description, "glossary"), groups=group_list,
                           json_ld=defined_term_set_ld(site.terms, urls, site.config)).encode())
    cards, by_slug, stable = site.cards, site.article_by_slug, site.config.stable_pagination
    for term in site.terms:
        users = site.links.term_articles.get(term.slug, ())   # slugs: a term of a large site has thousands
        if only is not None and only.isdisjoint(users):
            continue
        info = site.term_infos[term.slug]
        related_terms = [site.term_by_slug[s] for s in site.links.related_terms.get(term.slug, ())
                         if s in site.term_by_slug]
        aliases = site.term_aliases.get(term.slug, term.aliases)
        base = urls.term(term.slug)
        pages = paginate(users, site.config.paginate, stable)
        if only is not None:   # the pages that show these articles, fingerprinted without the memo
            pages, memo = [page for page in pages if not only.isdisjoint(page.slugs)], None
        # Page 1 is the definition; the pages behind it list older articles only, so an
        # edited definition renders page 1 alone. With stable pagination they do not show the
        # number of articles either, so a new article leaves them as they are.
        definition = (digests[term.source], info.version, aliases,
                      [(t.slug, digests[t.source]) for t in related_terms])
        later = (term.term, term.summary)
        group, key = f"term:{term.slug}", ("term", definition, later, users)
        prints = None if memo is None else memo.group(group, key, users)
        if prints is None:
            prints = tuple(fingerprint(site.settings_digest, page.number, page.shape, _total(page, users, stable),
                                       cards_of(cards, page.slugs), *(definition if page.number == 1 else later))
                           for page in pages)
            if memo is not None:
                memo.keep_group(group, key, prints)
        for page, print_ in zip(pages, prints):
            path = output_path(urls.numbered(base, page.number))

            def make(term: Term = term, info: BodyInfo = info, page: ListPage = page,
                     total: int | None = _total(page, users, stable),
                     related_terms: list[Term] = related_terms, aliases: tuple[str, ...] = aliases,
                     base: str = base) -> bytes:
                number = page.number
                url = urls.numbered(base, number)
                items = tuple(by_slug[slug] for slug in page.slugs)
                pager = template_page(page, items, lambda n: urls.numbered(base, n), stable)
                title = term.term if number == 1 else \
                    f"{term.term} – " + renderer.gettext("Page %(number)s") % {"number": number}
                context = page_context(renderer, url, title, term.summary, "glossary")
                first = number == 1
                return renderer.render("term.html", **context, term=term, page=pager, articles=items, total=total,
                                       body=markup(store.html(info.key)) if first else None,
                                       aliases=aliases, related_terms=related_terms if first else [],
                                       json_ld=defined_term_ld(term, urls, site.config, aliases) if first else None
                                       ).encode()

            yield PageSpec(path, print_, term.source, make, newest=page.slugs[0] if page.slugs else "")


def _total(page: ListPage, users: tuple[str, ...], stable: bool) -> int | None:
    """How many articles use the term, for the page to show: not on a stable numbered page, which a
    new article must leave as it is."""
    return len(users) if page.number == 1 or not stable else None


def _special_pages(site: LinkedSite, renderer: Renderer, store: BodyHtml) -> Iterator[PageSpec]:
    config, urls, _ = site.config, renderer.urls, renderer.gettext
    base = site.settings_digest
    yield PageSpec("404.html", fingerprint(base, "404"), "", lambda: renderer.render(
        "404.html", **page_context(renderer, "/404.html", _("Page not found"), config.description, "")
    ).encode())
    if config.search:
        yield PageSpec(output_path(urls.search()), fingerprint(base, "search"), "", lambda: renderer.render(
            "search.html", **page_context(renderer, urls.search(), _("Search"), config.description, "search")
        ).encode())
    for item in (*site.articles, *site.pages, *site.intros.values()):
        if item.aliases:
            yield from redirect_pages(site, renderer, item)
    yield from _sitemaps(site, renderer)
    yield news_sitemap_page(site, renderer, news_articles(site.articles, site.now or datetime.now(timezone.utc)))
    yield PageSpec("robots.txt", fingerprint(base, "robots"), "", lambda: robots_txt(
        urls.abs_url("/sitemap.xml"), urls.abs_url("/news-sitemap.xml")).encode())


def redirect_pages(site: LinkedSite, renderer: Renderer, item: Article | Page) -> Iterator[PageSpec]:
    """The pages the aliases of an article or page leave behind, each sending readers on to it."""
    for alias in item.aliases:
        def make(target: str = item.url, item: Any = item) -> bytes:
            context = page_context(renderer, target, item.title, item.summary, "")
            return renderer.render("redirect.html", **context, target=target).encode()
        # Its title and description are the item's (the page's head), though only its URL is followed.
        yield PageSpec(output_path(alias), fingerprint(site.settings_digest, "redirect", item.url, item.title,
                                                       item.summary), item.source, make,
                       item.key_lines.get("aliases", 1))


def news_sitemap_page(site: LinkedSite, renderer: Renderer, articles: list[Article]) -> PageSpec:
    """The Google News sitemap of `articles` (those of the last 48 hours, `news_articles`)."""
    config, urls = site.config, renderer.urls
    news = [(a, urls.abs_url(a.url)) for a in articles]
    return PageSpec("news-sitemap.xml", fingerprint(site.settings_digest, "news", [
        (site.cards[a.slug], url) for a, url in news]), "", lambda: news_sitemap(
            news, config.publisher.name or config.title, config.language).encode())


def _sitemaps(site: LinkedSite, renderer: Renderer) -> Iterator[PageSpec]:
    """sitemap.xml; past 50,000 URLs a sitemap index of sitemap-1.xml, sitemap-2.xml …

    Each file is fingerprinted by what its entries are made of (`_sitemap_keys`: URLs and the dates
    shown), not by the entries, which only a sitemap written needs. An edit of an article's title or
    text leaves every sitemap as it was, and a new article (listed near the end) the parts before the last.
    """
    base, keys = site.settings_digest, _sitemap_keys(site, renderer.urls)
    size = len(keys)
    if size + 1 <= SITEMAP_LIMIT:   # (one entry to spare, as it always was decided)
        yield PageSpec("sitemap.xml", fingerprint(base, keys), "",
                       lambda: sitemap(_sitemap_entries(site, renderer)).encode())
        return
    numbers = range(1, (size - 1) // SITEMAP_LIMIT + 2)
    prints = [fingerprint(base, "part", keys[(n - 1) * SITEMAP_LIMIT:n * SITEMAP_LIMIT]) for n in numbers]
    urls = renderer.urls

    def part(n: int) -> list[Any]:   # only its own entries: a new article writes the last part alone
        return _sitemap_entries(site, renderer, (n - 1) * SITEMAP_LIMIT, n * SITEMAP_LIMIT)

    def index() -> bytes:   # the newest change in each part, without the parts' URLs
        return sitemap_index([(urls.abs_url(f"/sitemap-{n}.xml"), newest(_sitemap_paths(
            site, urls, (n - 1) * SITEMAP_LIMIT, n * SITEMAP_LIMIT))) for n in numbers]).encode()

    yield PageSpec("sitemap.xml", fingerprint(base, "index", prints), "", index)
    for n, print_ in zip(numbers, prints):
        yield PageSpec(f"sitemap-{n}.xml", print_, "", lambda n=n: sitemap(part(n)).encode())


def _sitemap_keys(site: LinkedSite, urls: Urls) -> list[Any]:
    """What each entry of `_sitemap_entries` is made of, in its order, as plain data: its site path
    (the configuration, in every fingerprint, makes it absolute) and the date it shows as text."""
    head, tail = _sitemap_ends(site, urls)
    return [*((path, date and date.isoformat()) for path, date in head),
            *(a.dated_url for a in reversed(site.articles)),
            *((path, date and date.isoformat()) for path, date in tail)]


def _sitemap_entries(site: LinkedSite, renderer: Renderer, start: int = 0, end: int | None = None
                     ) -> list[tuple[str, Any]]:
    """Every URL with its last change (those from `start` to `end`), in an order a new article leaves
    alone up to the last part of a split sitemap: the pages that rarely change, then the articles
    oldest first, then the front page and the archive, which change with every new one (crawlers read
    no meaning into the order)."""
    abs_url = renderer.urls.abs_url
    return [(abs_url(path), date) for path, date in _sitemap_paths(site, renderer.urls, start, end)]


def _sitemap_paths(site: LinkedSite, urls: Urls, start: int = 0, end: int | None = None
                   ) -> list[tuple[str, Any]]:
    """`_sitemap_entries` from `start` to `end` with site paths: the articles outside them not looked at."""
    head, tail = _sitemap_ends(site, urls)
    articles, count = site.articles, len(site.articles)
    end = len(head) + count + len(tail) if end is None else end
    first, last = max(start - len(head), 0), min(end - len(head), count)   # of the articles, oldest first
    found = head[start:end]
    if first < last:
        found += [(a.url, a.modified) for a in reversed(articles[count - last:count - first])]
    return found + tail[max(start - len(head) - count, 0):max(end - len(head) - count, 0)]


def _sitemap_ends(site: LinkedSite, urls: Urls) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]]]:
    """The sitemap's entries before its articles and after them, as (site path, last change)."""
    head: list[tuple[str, Any]] = [(urls.section(s.slug), None) for s in site.config.sections]
    head += [(p.url, p.updated) for p in site.pages]
    head += [(urls.tags(), None), *((urls.tag(t.name), None) for t in site.links.tags)]
    head += [(urls.glossary(), None), *((urls.term(t.slug), None) for t in site.terms)]
    if site.authors.authors:
        head += [(urls.authors(), None), *((a.url, None) for a in site.authors.authors)]
    newest = site.articles[0].modified if site.articles else None
    return head, [("/", newest), (urls.archive(), newest)]


def _static_files(site: LinkedSite) -> Iterator[PageSpec]:
    for path, file, digest in site.static_files:
        yield PageSpec(path, digest, "", lambda file=file: file.read_bytes())
