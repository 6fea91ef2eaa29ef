"""The images a body or a lead image shows: found in the bundle or static/, read, turned into `<picture>`.

Runs in the body stage's workers: each image's header is read there (size,
orientation, format), so the HTML carries the real width and height; the
derivatives themselves are made later, as output files of their own.
"""

from __future__ import annotations

import posixpath
from typing import Mapping
from urllib.parse import unquote

from ..content.config import ImageSettings
from ..output.images import IMAGE_SUFFIXES, ImageProblem, ImageRecord, image_info
from .resources import SiteFile



def image_source(src: str, owner: str, bundle: str) -> str | None:
    """The site-relative file an image `src` names: relative to the bundle (or the content file's
    folder), or under static/ for a site path; None for an outside URL."""
    if src.startswith(("http://", "https://", "//", "data:")) or ":" in src.split("/")[0]:
        return None
    target = unquote(src.split("#")[0].split("?")[0])
    if target.startswith("/"):
        return posixpath.normpath("static" + target)
    return posixpath.normpath(posixpath.join(bundle or posixpath.dirname(owner), target))


def folder_of(source: str, bundle: str, page_url: str) -> str:
    """Where an image's derivatives are published: beside the page for a bundle's file (keeping
    its sub folder), beside the original for a file under static/."""
    if bundle and source.startswith(bundle + "/"):
        base = page_url if page_url.endswith("/") else posixpath.dirname(page_url) + "/"
        inner = posixpath.dirname(source[len(bundle) + 1:])
        return base + (inner + "/" if inner else "")
    inner = posixpath.dirname(source[len("static/"):]) if source.startswith("static/") else ""
    return "/" + (inner + "/" if inner else "")


def read_image(source: str | None, src: str, files: Mapping[str, SiteFile], settings: ImageSettings,
               folder: str) -> ImageRecord:
    """The record of an image a body or front matter names; LookupError with the reason otherwise."""
    if source is None or source not in files:
        raise LookupError(f"image '{src}' not found" + (f" (looked for {source})" if source else ""))
    if not source.lower().endswith(IMAGE_SUFFIXES):
        raise LookupError(f"'{src}' is not an image (jpg, png, webp, gif or avif)")
    file = files[source]
    try:
        info = image_info(file.path, source, file.digest, settings.max_pixels)
    except ImageProblem as exc:
        raise LookupError(f"image '{src}': {exc}") from None
    return (source, file.digest, info.width, info.height, info.format, info.alpha, folder)
