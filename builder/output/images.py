"""Images: what a source image is, which derivatives a page needs, and how each is made with Pillow.

A derivative is one width of one format of one image, or of one crop of it
(16:9, 4:3, 1:1 around the focus point); its file name carries a digest of
the source, so it can be cached forever. `image_info` reads only the header
(size, orientation, format) and refuses what is not an image or has more
pixels than allowed; `make_derivatives` decodes, applies the EXIF orientation,
crops, scales down (never up) and encodes without metadata, so no GPS
position leaves the newsroom. Encoded derivatives are kept in a cache folder
by their name, so a warm build encodes nothing.
"""

from __future__ import annotations

import hashlib
import io
import os
import posixpath
from html import escape
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Sequence

from ..content.config import ImageSettings

BODY_SIZES = "(min-width: 42rem) 40rem, 100vw"
# (source, digest, width, height, format, alpha, folder): how a rendered body keeps an image it shows
ImageRecord = tuple[str, str, int, int, str, bool, str]
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif")
MIME = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "avif": "image/avif"}
CROPS = {"16x9": (16, 9), "4x3": (4, 3), "1x1": (1, 1)}
_ORIENTATION = 0x0112
_GPS_IFD = 0x8825


class ImageProblem(Exception):
    """An image that cannot be used: missing, not an image, truncated or too large."""


@dataclass(frozen=True)
class ImageInfo:
    """A source image as a page shows it: size after EXIF orientation, and its format."""

    source: str          # site-relative path of the file ("content/articles/x/foto.jpg", "static/a.png")
    digest: str          # sha256 of the file's bytes
    width: int
    height: int
    format: str          # "jpeg", "png", "webp", "gif", "avif"
    alpha: bool = False

    @property
    def fallback(self) -> str:
        """The format every browser reads: PNG for images with transparency, else JPEG."""
        return "png" if self.alpha else "jpeg"


class Derivative(NamedTuple):
    """One file to make from a source image (a tuple: a site of photos plans tens of thousands)."""

    url: str             # site path of the derivative
    source: str
    digest: str
    width: int
    height: int
    format: str
    crop: str = ""       # "", or a key of CROPS
    focus: tuple[float, float] = (0.5, 0.5)
    quality: int = 80
    cache_name: str = ""  # its file in the cache: everything that decides its bytes


@dataclass(frozen=True)
class Picture:
    """What a `<picture>` needs: sources per modern format, the fallback and the intrinsic size."""

    sources: tuple[tuple[str, str], ...]   # (MIME type, srcset)
    src: str                               # the fallback's largest width
    srcset: str                            # the fallback's srcset
    width: int
    height: int
    derivatives: tuple[Derivative, ...]


def file_digest(path: Path | str) -> str:
    """sha256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def image_info(path: Path | str, source: str, digest: str, max_pixels: int) -> ImageInfo:
    """Read an image's header: its displayed size and format. Raises ImageProblem."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise ImageProblem(f"image has {width} × {height} pixels, more than the limit of "
                                   f"{max_pixels:,} ('images.max_pixels' in config.yaml)")
            orientation = image.getexif().get(_ORIENTATION, 1)
            if orientation in (5, 6, 7, 8):
                width, height = height, width
            alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
            return ImageInfo(source, digest, width, height, (image.format or "").lower(), alpha)
    except FileNotFoundError:
        raise ImageProblem("image file not found") from None
    except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise ImageProblem(f"not an image Pillow can read ({exc.__class__.__name__})") from None
    except OSError as exc:
        raise ImageProblem(f"cannot read image: {exc}") from None


def _extension(fmt: str) -> str:
    return {"jpeg": "jpg"}.get(fmt, fmt)


def _widths(settings: ImageSettings, width: int) -> list[int]:
    """The srcset widths for an image `width` pixels wide: never wider than it is."""
    found = sorted({w for w in settings.widths if w < width})
    if width <= max(settings.widths, default=width):
        found.append(width)
    else:
        found.append(max(settings.widths))
    return sorted(set(found))


def crop_box(width: int, height: int, ratio: tuple[int, int], focus: tuple[float, float]
             ) -> tuple[int, int, int, int]:
    """The largest box of `ratio` inside width × height, centred on the focus point where it can be."""
    rw, rh = ratio
    if width * rh > height * rw:            # too wide: full height
        box_w, box_h = height * rw // rh, height
    else:                                    # too tall: full width
        box_w, box_h = width, width * rh // rw
    left = min(max(round(focus[0] * width - box_w / 2), 0), width - box_w)
    top = min(max(round(focus[1] * height - box_h / 2), 0), height - box_h)
    return left, top, left + box_w, top + box_h


def picture(info: ImageInfo, folder: str, settings: ImageSettings, *, crop: str = "",
            focus: tuple[float, float] = (0.5, 0.5), widths: Sequence[int] | None = None,
            fallback_only: bool = False) -> Picture:
    """The derivatives and srcsets of one image (or crop of it), published under `folder` ("/x/y/")."""
    width, height = info.width, info.height
    if crop:
        left, top, right, bottom = crop_box(width, height, CROPS[crop], focus)
        width, height = right - left, bottom - top
    stem = posixpath.splitext(posixpath.basename(info.source))[0]
    chosen = sorted({min(w, width) for w in widths}) if widths else _widths(settings, width)
    tag = f"-{crop}" if crop else ""
    formats = [] if fallback_only else [f for f in settings.formats if f in MIME and f != info.fallback]
    formats.append(info.fallback)
    derivatives: list[Derivative] = []
    sets: dict[str, list[str]] = {}
    name = f"{info.digest[:16]}-{crop or 'full'}-{focus[0]:.3f}-{focus[1]:.3f}-"
    for fmt in formats:
        quality = settings.quality - 20 if fmt == "avif" else settings.quality
        extension = _extension(fmt)
        for w in chosen:
            h = max(1, round(height * w / width))
            url = f"{folder}{stem}.{info.digest[:8]}{tag}-{w}.{extension}"
            derivatives.append(Derivative(url, info.source, info.digest, w, h, fmt, crop, focus, quality,
                                          f"{name}{w}x{h}-q{quality}.{extension}"))
            sets.setdefault(fmt, []).append(f"{url} {w}w")
    largest = chosen[-1]
    return Picture(
        sources=tuple((MIME[f], ", ".join(sets[f])) for f in formats[:-1]),
        src=sets[info.fallback][-1].split(" ")[0], srcset=", ".join(sets[info.fallback]),
        width=largest, height=max(1, round(height * largest / width)), derivatives=tuple(derivatives),
    )


def make_derivatives(derivatives: Sequence[Derivative], path: Path | str, cache: Path | None) -> list[bytes]:
    """The encoded bytes of a photo's derivatives, in order: from the cache folder where it holds
    them, the others from one decoding of the photo (and then cached)."""
    found: dict[Derivative, bytes] = {}
    if cache is not None:
        for derivative in derivatives:
            try:
                found[derivative] = (cache / derivative.cache_name).read_bytes()
            except OSError:
                pass
    missing = [d for d in derivatives if d not in found]
    if missing:
        made = encode_all(missing, path)
        found.update(made)
        if cache is not None:
            cache.mkdir(parents=True, exist_ok=True)
            for item, data in made.items():
                target = cache / item.cache_name
                tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")   # whole files for a build beside
                tmp.write_bytes(data)
                tmp.replace(target)
    return [found[d] for d in derivatives]


def encode_all(derivatives: Sequence[Derivative], path: Path | str) -> dict[Derivative, bytes]:
    """Several derivatives of one source image from one decoding of it."""
    from PIL import Image, ImageOps

    largest = max(max(d.width, d.height) for d in derivatives)
    try:
        with Image.open(path) as opened:
            if opened.format == "JPEG":  # decode at a fraction of the size where that still suffices
                opened.draft("RGB", (largest, largest))  # either way round: EXIF may rotate
            image = ImageOps.exif_transpose(opened)
            image.load()
    except (OSError, Image.DecompressionBombError) as exc:
        raise ImageProblem(f"cannot decode image (truncated or damaged?): {exc}") from None
    made: dict[Derivative, bytes] = {}
    for crop in dict.fromkeys(d.crop for d in derivatives):
        group = sorted((d for d in derivatives if d.crop == crop), key=lambda d: -d.width)
        # The crop is planned on the displayed size; a draft-decoded image is smaller by a factor.
        scaled = image.crop(crop_box(*image.size, CROPS[crop], group[0].focus)) if crop else image
        for derivative in group:
            size = (derivative.width, derivative.height)
            if scaled.size != size:
                scaled = scaled.resize(size, Image.LANCZOS, reducing_gap=3.0)
            made[derivative] = _save(scaled, derivative.format, derivative.quality)
    return made


def _save(image: Any, fmt: str, quality: int) -> bytes:
    buffer = io.BytesIO()
    if fmt == "jpeg":
        image.convert("RGB").save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
    elif fmt == "png":
        image.save(buffer, "PNG", optimize=True)
    elif fmt == "webp":
        image.save(buffer, "WEBP", quality=quality, method=4)
    else:
        image.save(buffer, "AVIF", quality=quality, speed=8)
    return buffer.getvalue()


def published_original(path: Path | str) -> bytes:
    """An image file as a bundle publishes it: as it is, unless its EXIF data holds a GPS
    position; then the same pixels without it (JPEG's own quantisation kept)."""
    data = Path(path).read_bytes()
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            exif = image.getexif()
            if not exif.get_ifd(_GPS_IFD) and _GPS_IFD not in exif:
                return data
            del exif[_GPS_IFD]
            buffer = io.BytesIO()
            options: dict[str, Any] = {"exif": exif.tobytes()}
            if image.format == "JPEG":
                options["quality"] = "keep"
            image.save(buffer, image.format, **options)
            return buffer.getvalue()
    except (OSError, Image.DecompressionBombError, KeyError):
        return data


SHARE_CROPS = ("16x9", "4x3", "1x1")
# Bump when lead_pictures plans other files: rendered bodies keep the derivatives they planned.
PICTURES_VERSION = "2"


def lead_pictures(record: ImageRecord, focus: tuple[float, float], settings: ImageSettings) -> dict[str, Picture]:
    """Every picture a lead image needs: the full image, three share crops (JPEG only: for
    og:image and JSON-LD, read by every client), the small crop listings show and the wide
    one of the front page's lead story."""
    pictures = {"full": picture_of(record, settings)}
    for crop in SHARE_CROPS:
        pictures[crop] = picture_of(record, settings, crop=crop, focus=focus, widths=(settings.lead_width,),
                                    fallback_only=True)
    pictures["teaser"] = teaser_picture(record, focus, settings)
    pictures["wide"] = wide_picture(record, focus, settings)
    return pictures


def wide_picture(record: ImageRecord, focus: tuple[float, float], settings: ImageSettings) -> Picture:
    """The 16:9 crop the front page shows large for its lead story, in every format, up to `lead_width`."""
    widths = tuple(w for w in settings.widths if w <= settings.lead_width) or (settings.lead_width,)
    return picture_of(record, settings, crop="16x9", focus=focus, widths=widths)


def teaser_picture(record: ImageRecord, focus: tuple[float, float], settings: ImageSettings) -> Picture:
    """The small 4:3 crop of a lead image that listings show (and twice its width for sharp screens)."""
    return picture_of(record, settings, crop="4x3", focus=focus,
                      widths=(settings.teaser_width, settings.teaser_width * 2))


def info_of(record: ImageRecord) -> ImageInfo:
    source, digest, width, height, fmt, alpha, _ = record
    return ImageInfo(source, digest, width, height, fmt, alpha)


def picture_of(record: ImageRecord, settings: ImageSettings, **options: Any) -> Picture:
    return picture(info_of(record), record[6], settings, **options)


def picture_html(pic: Picture, alt: str, url_for: Any, *, sizes: str = BODY_SIZES, lazy: bool = True,
                 css_class: str = "") -> str:
    """`<picture>` with a `<source>` per modern format and the fallback `<img>`, sized from real pixels."""
    def srcset(value: str) -> str:
        return ", ".join(f"{url_for(url)} {w}" for url, w in (item.rsplit(" ", 1) for item in value.split(", ")))

    parts = [f'<picture class="{css_class}">' if css_class else "<picture>"]
    for mime, value in pic.sources:
        parts.append(f'<source type="{mime}" srcset="{escape(srcset(value))}" sizes="{sizes}">')
    loading = ' loading="lazy" decoding="async"' if lazy else ' fetchpriority="high" decoding="async"'
    parts.append(f'<img src="{escape(url_for(pic.src))}" srcset="{escape(srcset(pic.srcset))}" sizes="{sizes}" '
                 f'width="{pic.width}" height="{pic.height}" alt="{escape(alt)}"{loading}>')
    parts.append("</picture>")
    return "".join(parts)
