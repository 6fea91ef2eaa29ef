"""Sitemaps and robots.txt: sitemap.xml (an index of sitemap-N.xml past 50,000 URLs), the Google News
sitemap and robots.txt naming both.

The sitemap protocol allows 50,000 URLs per file; a larger site gets a sitemap
index at `/sitemap.xml` pointing at `/sitemap-1.xml`, `/sitemap-2.xml` … The
Google News sitemap lists the articles published in the 48 hours before the
build, at most 1,000 of them, with the publication's name and language.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Sequence

from ..content.dates import iso
from ..content.model import Article
from ..util.xml_escape import escape

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
SITEMAP_LIMIT = 50_000          # URLs per sitemap file (sitemaps.org)
NEWS_WINDOW = timedelta(hours=48)
NEWS_LIMIT = 1_000              # URLs per news sitemap (Google)
SitemapEntry = tuple[str, "datetime | None"]   # (absolute URL, last modified)


def sitemap(entries: Sequence[SitemapEntry]) -> str:
    """A `<urlset>` for (absolute URL, last modified) pairs."""
    return _locations("urlset", "url", entries)


def sitemap_index(sitemaps: Sequence[SitemapEntry]) -> str:
    """A `<sitemapindex>` for (absolute URL of a sitemap, newest lastmod in it) pairs."""
    return _locations("sitemapindex", "sitemap", sitemaps)


def _locations(root: str, item: str, entries: Sequence[SitemapEntry]) -> str:
    """The sitemaps.org shape both share: <root> with one <item><loc>…</loc><lastmod>…</lastmod> each."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>', f'<{root} xmlns="{SITEMAP_NS}">']
    for url, modified in entries:
        lastmod = f"<lastmod>{iso(modified)}</lastmod>" if modified else ""
        lines.append(f"  <{item}><loc>{escape(url)}</loc>{lastmod}</{item}>")
    lines.append(f"</{root}>")
    return "\n".join(lines) + "\n"


def newest(entries: Sequence[SitemapEntry]) -> datetime | None:
    """The latest lastmod among entries, if any has one."""
    return max((m for _, m in entries if m is not None), default=None)


def news_articles(articles: Sequence[Article], now: datetime) -> list[Article]:
    """The articles published in the 48 hours up to `now`, newest first, at most 1,000.

    `articles` are the published ones, newest first (drafts, scheduled and expired articles
    are gone before planning); one dated after `now` (built with --future) is left out too.
    """
    since, found = now - NEWS_WINDOW, []
    for article in articles:
        if article.date < since:
            break   # and so are all after it: not a walk through the whole archive
        if article.date <= now:
            found.append(article)
            if len(found) == NEWS_LIMIT:
                break
    return found


def news_sitemap(entries: Sequence[tuple[Article, str]], name: str, language: str) -> str:
    """The Google News sitemap for (article, absolute URL) pairs."""
    publication = (f"<news:publication><news:name>{escape(name)}</news:name>"
                   f"<news:language>{escape(news_language(language))}</news:language></news:publication>")
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             f'<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}">']
    for article, url in entries:
        lines += [f"  <url><loc>{escape(url)}</loc>",
                  f"    <news:news>{publication}",
                  f"      <news:publication_date>{iso(article.date)}</news:publication_date>",
                  f"      <news:title>{escape(article.title)}</news:title></news:news></url>"]
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def news_language(language: str) -> str:
    """An ISO 639 code as Google News wants it: "de-DE" → "de"; Chinese keeps zh-cn / zh-tw."""
    lowered = language.strip().lower().replace("_", "-")
    if lowered in ("zh-cn", "zh-tw"):
        return lowered
    return lowered.split("-", 1)[0] or "de"


def robots_txt(*sitemap_urls: str) -> str:
    """robots.txt allowing everything and naming each sitemap."""
    return "User-agent: *\nAllow: /\n\n" + "".join(f"Sitemap: {url}\n" for url in sitemap_urls)
