"""Feeds: Atom 1.0 (`feed.xml`) and JSON Feed 1.1 (`feed.json`) of a listing's newest articles.

Both are made from the same `FeedEntry` values: the article, its body as clean
feed HTML (`feed_content.clean_feed_html`: plain term links, absolute URLs,
plain images), its byline with the profile pages' URLs, and its categories
(the section's title, then the tags). The site, every section, author and tag
have one of each; listings announce them in their heads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Sequence

from ..content.config import SiteConfig
from ..content.dates import iso
from ..content.model import Article
from ..util.xml_escape import escape, quoteattr

ATOM_TYPE = "application/atom+xml"
JSON_FEED_TYPE = "application/feed+json"
_EPOCH = "1970-01-01T00:00:00+00:00"


@dataclass(frozen=True)
class FeedEntry:
    """One article as feeds show it."""

    article: Article
    url: str                                     # the article's absolute URL
    content: str                                 # clean feed HTML
    authors: tuple[tuple[str, str | None], ...]  # (name, absolute URL of the profile page or None)
    categories: tuple[str, ...]                  # the section's title, then the tags


@dataclass(frozen=True)
class FeedInfo:
    """What a feed says about itself: its listing, its own URLs, title and subtitle."""

    home: str          # absolute URL of the listing it belongs to
    atom_url: str      # absolute URL of feed.xml
    json_url: str      # absolute URL of feed.json
    title: str
    subtitle: str = ""
    logo: str = ""     # absolute URL of the publisher's logo, if any


def json_feed_path(atom_path: str) -> str:
    """The JSON Feed beside an Atom feed: "/politik/feed.xml" → "/politik/feed.json"."""
    return atom_path.removesuffix(".xml") + ".json"


def atom_feed(entries: Sequence[FeedEntry], config: SiteConfig, info: FeedInfo) -> str:
    """An Atom 1.0 feed of `entries` (already sorted newest first and cut to size)."""
    updated = max((e.article.modified for e in entries), default=None)
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(config.language)}>',
        f"  <title>{escape(info.title)}</title>",
    ]
    if info.subtitle:
        lines.append(f"  <subtitle>{escape(info.subtitle)}</subtitle>")
    lines += [
        f"  <id>{escape(info.home)}</id>",
        f'  <link rel="self" type="{ATOM_TYPE}" href={quoteattr(info.atom_url)}/>',
        f'  <link rel="alternate" type="text/html" href={quoteattr(info.home)}/>',
        f'  <link rel="alternate" type="{JSON_FEED_TYPE}" href={quoteattr(info.json_url)}/>',
        f"  <updated>{iso(updated) if updated else _EPOCH}</updated>",
        # Atom wants an author for the feed unless every entry has one: the site's.
        f"  <author><name>{escape(config.author or config.publisher.name or config.title)}</name></author>",
    ]
    if info.logo:
        lines.append(f"  <logo>{escape(info.logo)}</logo>")
    for entry in entries:
        article = entry.article
        lines += [
            "  <entry>",
            f"    <title>{escape(article.title)}</title>",
            f'    <link rel="alternate" type="text/html" href={quoteattr(entry.url)}/>',
            f"    <id>{escape(entry.url)}</id>",
            f"    <published>{iso(article.date)}</published>",
            f"    <updated>{iso(article.modified)}</updated>",
        ]
        for name, uri in entry.authors:
            uri_element = f"<uri>{escape(uri)}</uri>" if uri else ""
            lines.append(f"    <author><name>{escape(name)}</name>{uri_element}</author>")
        for category in entry.categories:
            lines.append(f"    <category term={quoteattr(category)}/>")
        if article.summary:
            lines.append(f"    <summary>{escape(article.summary)}</summary>")
        lines.append(f'    <content type="html">{escape(entry.content)}</content>')
        lines.append("  </entry>")
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def json_feed(entries: Sequence[FeedEntry], config: SiteConfig, info: FeedInfo) -> str:
    """The same feed as JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/)."""
    feed: dict[str, Any] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": info.title,
        "home_page_url": info.home,
        "feed_url": info.json_url,
        "language": config.language,
        "authors": [{"name": config.author or config.publisher.name or config.title}],
    }
    if info.subtitle:
        feed["description"] = info.subtitle
    if info.logo:
        feed["icon"] = info.logo
    items = []
    for entry in entries:
        article = entry.article
        item: dict[str, Any] = {"id": entry.url, "url": entry.url, "title": article.title,
                                "content_html": entry.content, "date_published": iso(article.date),
                                "date_modified": iso(article.modified), "language": config.language}
        if article.summary:
            item["summary"] = article.summary
        if entry.authors:
            item["authors"] = [{"name": name, **({"url": uri} if uri else {})} for name, uri in entry.authors]
        if entry.categories:
            item["tags"] = list(entry.categories)
        items.append(item)
    feed["items"] = items
    return json.dumps(feed, ensure_ascii=False, indent=1) + "\n"
