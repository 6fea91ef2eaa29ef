"""Machine-readable outputs: the Atom feed, sitemap.xml and robots.txt."""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from ..content.config import SiteConfig
from ..content.dates import iso
from ..content.model import Article


def atom_feed(articles: Sequence[Article], bodies: Sequence[str], config: SiteConfig,
              abs_url: "callable", *, home: str = "/", title: str | None = None,  # type: ignore[valid-type]
              subtitle: str | None = None) -> str:
    """An Atom 1.0 feed of the newest articles (already sorted and cut to size) of the listing at
    `home` (the site's front page, a section, an author); the feed lives at `<home>feed.xml`."""
    # Imported here: xml.sax.saxutils pulls in urllib.request, 12 ms of every command's start.
    from xml.sax.saxutils import escape, quoteattr
    feed_url = abs_url(f"{home}feed.xml")
    updated = max((a.modified for a in articles), default=None)
    subtitle = config.description if subtitle is None else subtitle
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(config.language)}>',
        f"  <title>{escape(title or config.title)}</title>",
    ]
    if subtitle:
        lines.append(f"  <subtitle>{escape(subtitle)}</subtitle>")
    lines += [
        f"  <id>{escape(abs_url(home))}</id>",
        f'  <link rel="self" type="application/atom+xml" href={quoteattr(feed_url)}/>',
        f'  <link rel="alternate" type="text/html" href={quoteattr(abs_url(home))}/>',
        f"  <updated>{iso(updated) if updated else '1970-01-01T00:00:00+00:00'}</updated>",
    ]
    if config.author:
        lines.append(f"  <author><name>{escape(config.author)}</name></author>")
    for article, body in zip(articles, bodies):
        url = abs_url(article.url)
        lines += [
            "  <entry>",
            f"    <title>{escape(article.title)}</title>",
            f'    <link rel="alternate" type="text/html" href={quoteattr(url)}/>',
            f"    <id>{escape(url)}</id>",
            f"    <published>{iso(article.date)}</published>",
            f"    <updated>{iso(article.modified)}</updated>",
        ]
        for name in article.authors or ((config.author,) if config.author else ()):
            lines.append(f"    <author><name>{escape(name)}</name></author>")
        for tag in article.tags:
            lines.append(f"    <category term={quoteattr(tag)}/>")
        if article.summary:
            lines.append(f"    <summary>{escape(article.summary)}</summary>")
        lines.append(f'    <content type="html">{escape(body)}</content>')
        lines.append("  </entry>")
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def sitemap(entries: Sequence[tuple[str, datetime | None]]) -> str:
    """sitemap.xml for (absolute URL, last modified) pairs."""
    from xml.sax.saxutils import escape
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for url, modified in entries:
        lastmod = f"<lastmod>{iso(modified)}</lastmod>" if modified else ""
        lines.append(f"  <url><loc>{escape(url)}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def robots_txt(sitemap_url: str) -> str:
    return f"User-agent: *\nAllow: /\n\nSitemap: {sitemap_url}\n"
