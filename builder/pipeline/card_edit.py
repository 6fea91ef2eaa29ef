"""Edits of an article's card: the fields other pages show of it, and the pages a build plans again for them.

An article's card is what listings, term pages, the front page, feeds and the
related lists of other articles show of it (`specs.card_digest`). An edit of
the card's fields alone (`CARD_FIELDS`: its title, summary, kicker, and what
its lead photo's `image:` says) leaves every list it is in, every ranking and
every URL as they were, so a build plans again only the pages that show the
card. The command line's shortcut (`text_edit`) finds those pages from what
the last build kept (`edit_state`): the lists those pages are made of
(`site_lists`) and `CardEdit`, which plans them. The preview's (`body_edit`)
has the last build's site in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from ..content.bylines import AuthorIndex
from ..content.model import Article, BodyInfo, FrozenDict, TagInfo
from ..output.front_page import Block
from ..output.listings import FrontPage, front_page, front_page_of
from ..output.page_plan import ArticlePages, news_sitemap_page, pages_showing, redirect_pages
from ..output.pagination import paginate
from ..output.sitemaps import news_articles
from ..output.specs import LinkedSite, PageSpec
from ..output.templates import Renderer
from ..util.slug import tag_slug
from .body_packs import BodyStore
from .options import BuildReport
from .term_use import terms_used

if TYPE_CHECKING:
    from .edit_state import EditState, Row, Shared


# What a card edit may change: the words shown of the article, the lines they are on, and what its lead
# photo's `image:` says (alt, caption, credit, licence; not which photo, nor its focus).
CARD_FIELDS = ("title", "summary", "kicker", "body_line", "key_lines", "image")


def card_fields(article: Article) -> tuple[Any, ...]:
    """The article's CARD_FIELDS as plain data (a row's `card_fields`)."""
    image = article.image
    return (article.title, article.summary, article.kicker, article.body_line, tuple(article.key_lines.items()),
            None if image is None else (image.alt, image.caption, image.credit, image.licence, image.line))


def with_card_fields(article: Article, fields: tuple[Any, ...]) -> Article:
    """The article with the CARD_FIELDS of a row: as it was loaded then, if nothing else changed since."""
    title, summary, kicker, body_line, lines, said = fields
    image = article.image
    if image is not None and said is not None:
        alt, caption, credit, licence, line = said
        image = image._replace(alt=alt, caption=caption, credit=credit, licence=licence, line=line)
    return replace(article, title=title, summary=summary, kicker=kicker, body_line=body_line,
                   key_lines=FrozenDict(lines), image=image)


def site_lists(site: LinkedSite, locations: Mapping[str, Any]) -> dict[str, Any]:
    """Every list of articles that a listing or term page shows a page of, and what the front page and
    the news sitemap show, by name, as a card edit plans those pages again (`CardEdit`; the edit state keeps them):

    - "archive", "tag:<slug>", "section:<slug>", "author:<slug>": the articles' slugs, newest first;
    - "term:<slug>": its articles' slugs, related terms, aliases shown, its body's key, version and place;
    - "front": its blocks (kind, title, section slug, slugs), newest slugs, pages, newest change;
    - "news": the slugs of the articles in the news sitemap.
    """
    lists: dict[str, Any] = {"archive": tuple(a.slug for a in site.articles)}
    lists.update((f"tag:{tag.slug}", tag.articles) for tag in site.links.tags)
    lists.update((f"section:{slug}", found) for slug, found in site.section_articles.items())
    lists.update((f"author:{slug}", found) for slug, found in site.author_articles.items())
    links = site.links
    for term in site.terms:
        info = site.term_infos[term.slug]
        lists[f"term:{term.slug}"] = (links.term_articles.get(term.slug, ()), links.related_terms.get(term.slug, ()),
                                      site.term_aliases.get(term.slug, term.aliases), info.key, info.version,
                                      locations.get(info.key))
    front = front_page_of(site)
    lists["front"] = (tuple((b.kind, b.title, b.section.slug if b.section else None, tuple(a.slug for a in b.items))
                            for b in front.blocks), tuple(a.slug for a in front.newest), front.pages, front.updated)
    lists["news"] = tuple(a.slug for a in news_articles(site.articles, site.now or datetime.now(timezone.utc)))
    return lists


@dataclass(frozen=True)
class CardEdit:
    """What an edit of articles' cards (`CARD_FIELDS`) reaches beyond their pages and feeds: the
    pages of the articles that show them as related or linking to them, the pages of listings and terms
    that show them, the front page and the news sitemap, and their aliases' pages. `lists` are the lists
    those pages are made of (`site_lists`), `wanted` every article those pages show."""

    carded: frozenset[str]
    sources: frozenset[str]      # their files
    lists: Mapping[str, Any]
    shown_by: set[str]
    wanted: set[str]

    @classmethod
    def of(cls, state: EditState, shared: Shared, rows: Mapping[str, tuple[str, Row]],
           edited: Mapping[str, tuple[Article, BodyInfo, str]], carded: set[str]) -> "CardEdit":
        authors = AuthorIndex(shared.authors)
        names = ["archive", "front", "news"]
        for slug in carded:
            article, info, _ = edited[slug]
            names += [f"tag:{tag_slug(tag)}" for tag in article.tags]
            names += [f"section:{article.section}"] if article.section else []
            names += [f"author:{profile.slug}" for profile in map(authors.profile, article.authors) if profile]
            names += [f"term:{term}" for term in terms_used(info)]
        lists = state.lists(names)
        if not {"archive", "front", "news"} <= lists.keys():
            raise KeyError("the last build kept no lists")
        only, config, wanted = frozenset(carded), shared.config, set()
        for name, value in lists.items():
            if name in ("front", "news"):
                shown = _front_slugs(value) if name == "front" else set(value)
                if not only.isdisjoint(shown):
                    wanted.update(shown)
                continue
            slugs = value[0] if name.startswith("term:") else value
            for page in paginate(slugs, config.paginate, config.stable_pagination):
                if not only.isdisjoint(page.slugs):
                    wanted.update(page.slugs)
        return cls(only, frozenset(rows[slug][0] for slug in carded), lists, state.shown_by(carded), wanted)

    def reported(self, report: BuildReport) -> bool:
        """Whether the last build reported anything about the articles (a title too long for a headline)."""
        return any(note.path in self.sources for note in report.diagnostics)

    def site(self, site: LinkedSite, shared: Shared, store: BodyStore) -> LinkedSite:
        """`site` with the lists, terms, intros and author pages of the pages that show the cards (and the
        store told where the bodies of those terms, intros and authors are)."""
        lists = self.lists
        terms = {name[5:]: value for name, value in lists.items() if name.startswith("term:")}
        for value in terms.values():
            if value[5] is not None:
                store.locations[value[3]] = value[5]
        bodies = [*(found[1:4] for found in shared.intros.values()),
                  *(found[:3] for found in shared.author_bodies.values())]
        store.locations.update((key, location) for key, _, location in bodies if location is not None)
        links = replace(site.links, tags=tuple(TagInfo(t.name, t.slug, lists.get(f"tag:{t.slug}", t.articles))
                                               for t in shared.tags),
                        term_articles={slug: value[0] for slug, value in terms.items()},
                        related_terms={slug: value[1] for slug, value in terms.items()})
        digests = {**site.digests, **shared.term_digests,
                   **{found[0].source: found[4] for found in shared.intros.values()},
                   **{a.source: shared.author_bodies[a.slug][3] for a in shared.authors
                      if a.slug in shared.author_bodies}}
        return replace(
            site, links=links,
            section_articles={**site.section_articles, **{name[8:]: value for name, value in lists.items()
                                                          if name.startswith("section:")}},
            author_articles={**site.author_articles, **{name[7:]: value for name, value in lists.items()
                                                        if name.startswith("author:")}},
            term_aliases={slug: value[2] for slug, value in terms.items()},
            term_infos={slug: StoredInfo(value[3], stored_version=value[4]) for slug, value in terms.items()},
            intros={url: found[0] for url, found in shared.intros.items()},
            page_infos={found[0].source: StoredInfo(found[1], stored_version=found[2])
                        for found in shared.intros.values()},
            author_infos={slug: StoredInfo(found[0], stored_version=found[1])
                          for slug, found in shared.author_bodies.items()},
            digests=digests)

    def pages(self, site: LinkedSite, renderer: Renderer, store: BodyStore, planner: ArticlePages,
              planned: Iterable[str]) -> list[PageSpec]:
        """Every page that shows the cards, but those of `planned` articles (planned already) and feeds."""
        only, by_slug = self.carded, site.article_by_slug
        specs = [planner.page(by_slug[slug]) for slug in sorted(self.shown_by - set(planned))]
        specs += pages_showing(site, renderer, store, only, self.lists["archive"])
        blocks, newest, count, updated = self.lists["front"]
        if not only.isdisjoint(_front_slugs(self.lists["front"])):
            shown = tuple(Block(kind, title, tuple(by_slug[slug] for slug in slugs),
                                site.section(section) if section else None) for kind, title, section, slugs in blocks)
            front = FrontPage(shown, tuple(by_slug[slug] for slug in newest), count, updated)
            specs.append(front_page(site, renderer, store, front))
        if not only.isdisjoint(self.lists["news"]):
            specs.append(news_sitemap_page(site, renderer, [by_slug[slug] for slug in self.lists["news"]]))
        for slug in sorted(only):
            specs += redirect_pages(site, renderer, by_slug[slug])
        return specs


def _front_slugs(front: tuple[Any, ...]) -> set[str]:
    """Every article the front page shows, from its entry in `site_lists`: its blocks' and the newest."""
    blocks, newest = front[0], front[1]
    return {*newest, *(slug for block in blocks for slug in block[3])}


@dataclass(frozen=True)
class StoredInfo(BodyInfo):
    """A body the edit does not render: what its article's teasers and feed entries need of it."""

    stored_version: str = ""

    @property
    def version(self) -> str:
        return self.stored_version
