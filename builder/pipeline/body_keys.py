"""What a stored body is keyed by, and the digests that tell whether its tooltips are current.

A body's key covers the builder version, the settings, where glossary terms
match (`matching_digest`) and the file's text; what its tooltips show is
checked apart (`tooltip_digest`), so that editing a term's summary renders
again only the bodies showing it.
"""

from __future__ import annotations

import hashlib
from typing import Callable, Iterable, Mapping

from .. import __version__
from ..content.config import SiteConfig
from ..content.model import Term
from ..text.forms import forms_key, uses_declension


def matching_digest(terms: tuple[Term, ...], config: SiteConfig) -> str:
    """Everything about the glossary that changes where annotations go (not what tooltips say).

    With German forms that includes the rules' and the lexicon's versions (never the lexicon itself).
    """
    digest = hashlib.sha256(repr((config.glossary, config.paths.glossary, config.base_path,
                                  forms_key(uses_declension(config)))).encode())
    for term in terms:
        digest.update(repr((term.slug, term.forms, term.case_sensitive, term.inflect,
                            term.listed_forms, term.not_forms, term.exclude)).encode())
    return digest.hexdigest()


def summary_digests(terms: Iterable[Term]) -> dict[str, str]:
    """Term slug → a digest of its summary (what its tooltips show), for `tooltip_digest`."""
    return {term.slug: hashlib.blake2b(term.summary.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
            for term in terms}


def tooltip_digest(slugs: tuple[str, ...], summaries: Mapping[str, str]) -> str:
    """The summaries a body's tooltips show: editing one term re-renders only the bodies using it.

    Made of `summary_digests`, not of the summaries: every stored body is checked on every
    build, and hashing each one's summaries again took 1.7 s at 100,000 articles.
    """
    return hashlib.sha256("\n".join([f"{slug} {summaries.get(slug, '-')}" for slug in slugs])
                          .encode("utf-8", "surrogatepass")).hexdigest()


# Changes whenever BodyInfo's fields change shape, so that no cached info of another shape is used
# (and with it the key of the link stage's cache, whose RelatedEntry objects changed shape in 4).
# 6: the top words packed (`textstats.WordCounts`).
INFO_FORMAT = 6
CONTENT_FILE = ""   # the "style" of a content-file link in `BodyInfo.resolved` (shortcodes: "hugo", "jekyll")


def body_keys(*common: str) -> Callable[..., str]:
    """The cache key of a body (the builder version, `common`, then the parts the key is called with:
    the body's own), with `common` hashed once for all of them."""
    prefix = hashlib.sha256(f"{__version__}/{INFO_FORMAT}".encode())
    for part in common:
        prefix.update(b"\0")
        prefix.update(part.encode("utf-8", "surrogatepass"))

    def key(*parts: str) -> str:
        digest = prefix.copy()
        for part in parts:
            digest.update(b"\0")
            digest.update(part.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    return key
