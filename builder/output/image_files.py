"""The files images add to a site: bundle files published beside their page, and every derivative.

Also what templates show of a lead image: the picture at the top of the
article (`fetchpriority="high"`), its crops in 16:9, 4:3 and 1:1 for
`og:image` and JSON-LD, and the small crop teasers in listings show.
"""

from __future__ import annotations

import hashlib
import marshal
import posixpath
from dataclasses import dataclass
from pathlib import Path
from functools import partial
from typing import Callable, Iterator

from ..content.model import Article, LeadImage
from ..content.urls import output_path
from .images import (
    IMAGE_SUFFIXES,
    SHARE_CROPS,
    Derivative,
    lead_pictures,
    make_derivatives,
    picture_html,
    published_original,
    teaser_picture,
    wide_picture,
)
from .specs import FileGroup, LinkedSite, PageSpec

LEAD_SIZES = "(min-width: 42rem) 40rem, 100vw"
# As wide as style.css shows them: a thumbnail in a list or a cell of a section block; the front
# page's lead story, large beside (or, on a phone, above) its headline.
TEASER_SIZES = "(min-width: 48rem) 15rem, 7.5rem"
WIDE_SIZES = "(min-width: 68rem) 40rem, (min-width: 48rem) 60vw, calc(100vw - 2rem)"


@dataclass(frozen=True)
class Crop:
    """One crop of a lead image as an absolute-URL-ready file: for og:image and JSON-LD."""

    url: str
    width: int
    height: int


@dataclass(frozen=True)
class Lead:
    """A lead image as the article template shows it."""

    image: LeadImage
    html: str                 # the <picture>
    crops: tuple[Crop, ...]   # 16:9, 4:3, 1:1; the first is og:image


def lead_of(article: Article, site: LinkedSite, url_for: Callable[[str], str]) -> Lead | None:
    """The lead image of an article, ready for its template, or None."""
    record = site.infos[article.slug].lead
    if record is None or article.image is None:
        return None
    pictures = lead_pictures(record, article.image.focus, site.config.images)
    crops = tuple(Crop(p.src, p.width, p.height) for p in (pictures[c] for c in SHARE_CROPS))
    html = picture_html(pictures["full"], article.image.alt or "", url_for, sizes=LEAD_SIZES, lazy=False)
    return Lead(article.image, html, crops)


def teaser_html(site: LinkedSite, url_for: Callable[[str], str]) -> Callable[..., str]:
    """For templates: `teaser_image(article)`, the small 4:3 crop of an article's lead image, or "";
    `teaser_image(article, "wide")`, the large 16:9 crop of the front page's lead story, loaded first."""
    def teaser(article: Article, kind: str = "small") -> str:
        info = site.infos.get(article.slug)
        if info is None or info.lead is None or article.image is None:
            return ""
        settings = site.config.images
        if kind == "wide":
            picture = wide_picture(info.lead, article.image.focus, settings)
            return picture_html(picture, "", url_for, sizes=WIDE_SIZES, lazy=False, css_class="teaser-image")
        picture = teaser_picture(info.lead, article.image.focus, settings)   # one per teaser shown
        return picture_html(picture, "", url_for, sizes=TEASER_SIZES, css_class="teaser-image")
    return teaser


def image_files(site: LinkedSite) -> Iterator[PageSpec]:
    """Bundle files beside their pages, then every derivative any page shows, each once."""
    for item in (*site.articles, *site.pages):
        if not item.bundle:
            continue
        base = item.url if item.url.endswith("/") else posixpath.dirname(item.url) + "/"
        for file in site.bundle_files.get(item.bundle, ()):
            inner = file.source[len(item.bundle) + 1:]
            reader: Callable[[], bytes] = ((lambda f=file: published_original(f.path))
                                           if file.source.lower().endswith(IMAGE_SUFFIXES)
                                           else (lambda f=file: Path(f.path).read_bytes()))
            yield PageSpec(output_path(base + inner), "file:" + file.digest, item.source, reader)
    # Planned by the body stage and kept with the body, one group per photo and body: a warm
    # build only lists them. A photo several bodies show gets one group of all their derivatives.
    by_source: dict[str, list[DerivativeGroup]] = {}
    for infos in (site.infos, site.page_infos, site.author_infos):
        for info in infos.values():
            for group in info.derivatives:
                by_source.setdefault(group[0], []).append(group)
    for source, groups in by_source.items():
        file = site.files.get(source)
        if file is None:
            continue
        if any(group[1] != groups[0][1] for group in groups[1:]):
            merged = {d.url: d for group in groups for d in group_derivatives(group)}
            groups = [derivative_group(list(merged.values()))]
        group = groups[0]
        yield FileGroup(DERIVATIVES_KEY + source, group[1], source, _not_alone, joined=group[2],
                        make_parts=partial(_make, group, file.path, site.image_cache))


DERIVATIVES_KEY = "/derivatives/"   # + the photo's source: a group's key, never an output path
DerivativeGroup = tuple[str, str, str, bytes]   # source, fingerprint, output paths, marshalled fields


def derivative_group(derivatives: list[Derivative]) -> DerivativeGroup:
    """One photo's derivatives as the body stage keeps them (see BodyInfo.derivatives): what they
    share (source, digest) once, the URLs in the paths, the rest of each in a row."""
    batch = sorted(derivatives, key=lambda d: d.url)
    # The URL is a file's site path ("/x/foto.3fa2c1d0-800.webp"); the cache name covers the
    # photo's digest and every setting of the derivative.
    print_ = hashlib.sha256("\n".join(f"{d.url}\t{d.cache_name}" for d in batch).encode()).hexdigest()
    rows = tuple((d.width, d.height, d.format, d.crop, d.focus, d.quality, d.cache_name) for d in batch)
    return (batch[0].source, "derivatives:" + print_, "\n".join(d.url[1:] for d in batch),
            marshal.dumps((batch[0].digest, rows)))


def group_derivatives(group: DerivativeGroup) -> list[Derivative]:
    """The derivatives of a group as `derivative_group` keeps them."""
    source, _, paths, blob = group
    digest, rows = marshal.loads(blob)
    return [Derivative("/" + path, source, digest, *row) for path, row in zip(paths.split("\n"), rows, strict=True)]


def _not_alone() -> bytes:
    raise TypeError("a photo's derivatives are made together, by make_parts")


def _make(group: DerivativeGroup, path: str, cache: Path | None) -> list[bytes]:
    return make_derivatives(group_derivatives(group), path, cache)
