"""JSON-LD beyond the article: the publisher, glossary terms, the glossary and the site's search.

Google's Article documentation wants a `headline` of at most 110 characters
and a `publisher` with a raster `logo`; schema.org's `DefinedTerm` and
`DefinedTermSet` describe a glossary; a `WebSite` with a `SearchAction` tells
search engines where the site's own search lives. Every function returns a
plain dict for `|tojson` (which escapes it for `<script>`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Sequence

from ..content.config import SiteConfig
from ..content.model import Article, Term
from ..content.urls import Urls
from ..errors import Diagnostic

SCHEMA = "https://schema.org"
HEADLINE_LIMIT = 110


def headline(title: str) -> str:
    """The title cut to at most 110 characters, at a word boundary, with "…" when cut."""
    if len(title) <= HEADLINE_LIMIT:
        return title
    cut = title[:HEADLINE_LIMIT - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > HEADLINE_LIMIT // 2 else cut).rstrip(" ,;:–-") + "…"


def headline_problems(articles: Iterable[Article]) -> list[Diagnostic]:
    """A warning naming the title's line for every article whose title is too long for a headline."""
    return [Diagnostic(a.source, a.key_lines.get("title"),
                       f"the title has {len(a.title)} characters; Google shows at most {HEADLINE_LIMIT} "
                       "as a headline (JSON-LD gets a shortened one)", "warning",
                       hint="shorten the title, or keep it and accept the cut in search results")
            for a in articles if len(a.title) > HEADLINE_LIMIT]


def logo_size(config: SiteConfig, static_files: Sequence[tuple[str, Path, str]]) -> tuple[int, int]:
    """The logo's pixel size: from config.yaml, else read from the static file it names, else (0, 0)."""
    publisher = config.publisher
    if publisher.logo_width and publisher.logo_height:
        return publisher.logo_width, publisher.logo_height
    wanted = publisher.logo.lstrip("/")
    for path, file, _ in static_files:
        if path == wanted:
            from PIL import Image, UnidentifiedImageError
            try:
                with Image.open(file) as image:
                    return image.size
            except (OSError, UnidentifiedImageError):
                return 0, 0
    return 0, 0


def publisher_ld(config: SiteConfig, urls: Urls, size: tuple[int, int] = (0, 0)) -> dict[str, Any]:
    """The site's publisher as a NewsMediaOrganization, with its logo if config.yaml names one."""
    data: dict[str, Any] = {"@type": "NewsMediaOrganization", "name": config.publisher.name or config.title,
                            "url": urls.abs_url("/")}
    logo = config.publisher.logo
    if logo:
        image: dict[str, Any] = {"@type": "ImageObject",
                                 "url": logo if "://" in logo else urls.abs_url(logo)}
        if size[0] and size[1]:
            image["width"], image["height"] = size
        data["logo"] = image
    return data


def defined_term_ld(term: Term, urls: Urls, config: SiteConfig,
                    aliases: Sequence[str] | None = None) -> dict[str, Any]:
    """A glossary term as a DefinedTerm in the site's DefinedTermSet; `aliases` are its other names
    (`builder.text.aliases`: without inflected forms), by default all of them."""
    names = term.aliases if aliases is None else aliases
    data: dict[str, Any] = {"@context": SCHEMA, **_term(term, urls), "inLanguage": config.language,
                            "inDefinedTermSet": {"@type": "DefinedTermSet", "name": "Glossar",
                                                 "url": urls.abs_url(urls.glossary())}}
    if names:
        data["alternateName"] = list(names)
    return data


def defined_term_set_ld(terms: Sequence[Term], urls: Urls, config: SiteConfig) -> dict[str, Any]:
    """The glossary page as a DefinedTermSet listing every term."""
    return {"@context": SCHEMA, "@type": "DefinedTermSet", "name": f"Glossar – {config.title}",
            "url": urls.abs_url(urls.glossary()), "inLanguage": config.language,
            "hasDefinedTerm": [_term(t, urls) for t in terms]}


def website_ld(config: SiteConfig, urls: Urls) -> dict[str, Any]:
    """The front page's WebSite, with a SearchAction on the search page when search is on."""
    data: dict[str, Any] = {"@context": SCHEMA, "@type": "WebSite", "name": config.title,
                            "url": urls.abs_url("/"), "inLanguage": config.language,
                            "publisher": publisher_ld(config, urls)}
    if config.description:
        data["description"] = config.description
    if config.search:
        data["potentialAction"] = {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint",
                       "urlTemplate": urls.abs_url(urls.search()) + "?q={search_term_string}"},
            "query-input": "required name=search_term_string"}
    return data


def _term(term: Term, urls: Urls) -> dict[str, Any]:
    data: dict[str, Any] = {"@type": "DefinedTerm", "name": term.term, "url": urls.abs_url(urls.term(term.slug))}
    if term.summary:
        data["description"] = term.summary
    return data
