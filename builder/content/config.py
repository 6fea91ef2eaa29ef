"""The site's configuration: typed settings from `config.yaml`, errors that name the line."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import Diagnostic
from . import date_sources, url_rules
from .front_page import FrontBlock, check_front_page, default_front_page, parse_front_page
from .languages import default_locale, default_paths, default_quotes, known_locale
from .site_structure import MenuItem, Section, parse_menus, parse_permalinks, parse_sections
from .sources import unix_line_ends
from .strict_yaml import YamlProblem, load_mapping

CONFIG_FILE = "config.yaml"
EMBED_PROVIDERS = ("youtube", "vimeo", "x", "instagram", "embed")


@dataclass(frozen=True)
class MarkdownSettings:
    html: bool = False                 # raw HTML in Markdown (off, as in Hugo)
    typographer: bool = True
    quotes: str = "„“‚‘"               # double open/close, single open/close; default: the language's
    max_file_size: int = 2_000_000     # bytes; larger content files are errors


@dataclass(frozen=True)
class GlossarySettings:
    mode: str = "first"                # "first" occurrence per article, or "all"
    inflect: bool = False              # match German suffixes of the last word
    declension: bool = True            # German sites: match declined forms from the noun lexicon


@dataclass(frozen=True)
class RelatedSettings:
    """The site's `related:` section: how many related articles, and how their score is weighed."""

    count: int = 5
    min_score: float = 0.15
    weight_terms: float = 1.0
    weight_tags: float = 0.5
    weight_text: float = 1.0
    weight_date: float = 0.2
    date_half_life_days: float = 30.0


@dataclass(frozen=True)
class PathSettings:
    """`paths:` in config.yaml; what it leaves out comes from the language (`languages.PATHS`)."""

    glossary: str = "glossar"          # URL folder of term pages
    tags: str = "themen"               # URL folder of tag pages
    search: str = "suche"              # URL folder of the search page
    authors: str = "autoren"           # URL folder of author pages
    archive: str = "archiv"            # URL folder of the archive: every article, newest first, paginated
    page: str = "seite"                # a listing's later pages: /<listing>/seite/2/


@dataclass(frozen=True)
class ImageSettings:
    """`images:` in config.yaml: the derivatives made of every image."""

    widths: tuple[int, ...] = (480, 800, 1200, 1600)   # srcset widths, never more than the original
    formats: tuple[str, ...] = ("webp",)                # modern formats before the JPEG/PNG fallback
    quality: int = 80                                   # JPEG and WebP; AVIF uses quality - 20
    max_pixels: int = 40_000_000                        # larger images are refused (decompression bombs)
    lead_width: int = 1200                              # width of the lead image's crops (og:image, JSON-LD)
    teaser_width: int = 480                             # width of the small crop in listings


@dataclass(frozen=True)
class PublisherSettings:
    """`publisher:` in config.yaml: who publishes the site (JSON-LD, the Google News sitemap)."""

    name: str = ""                     # default: the site's title
    logo: str = ""                     # site path (or URL) of a raster logo, e.g. /logo.png (from static/)
    logo_width: int = 0                # pixels; 0: read from the file when it is under static/ or assets
    logo_height: int = 0


@dataclass(frozen=True)
class EmbedSettings:
    """`embeds:` in config.yaml: providers whose embeds load with the page, without a placeholder."""

    allow: tuple[str, ...] = ()        # e.g. [youtube]: the site has its readers' consent another way


@dataclass(frozen=True)
class DateSettings:
    """`dates:` in config.yaml: where an article's date and update come from, first found wins
    (see `builder.content.date_sources`)."""

    date: tuple[str, ...] = date_sources.DEFAULT_DATE
    updated: tuple[str, ...] = date_sources.DEFAULT_UPDATED


@dataclass(frozen=True)
class SiteConfig:
    title: str = "Untitled site"
    description: str = ""
    base_url: str = "http://localhost:8000/"
    language: str = "de"
    locale: str = "de_DE"              # dates; default: the language's (`languages.default_locale`)
    timezone: str = "UTC"              # for dates without an offset; Hugo's default too
    author: str = ""
    paginate: int = 10
    stable_pagination: bool = False    # pages counted from the oldest (`output.pagination`)
    feed_entries: int = 20
    search: bool = False
    fold_categories: bool = True
    url_rules: str = "builder"         # whose rules make URLs of file names and titles: builder, hugo, jekyll
    markdown: MarkdownSettings = field(default_factory=MarkdownSettings)
    glossary: GlossarySettings = field(default_factory=GlossarySettings)
    related: RelatedSettings = field(default_factory=RelatedSettings)
    paths: PathSettings = field(default_factory=PathSettings)
    images: ImageSettings = field(default_factory=ImageSettings)
    embeds: EmbedSettings = field(default_factory=EmbedSettings)
    publisher: PublisherSettings = field(default_factory=PublisherSettings)
    dates: DateSettings = field(default_factory=DateSettings)
    sections: tuple[Section, ...] = ()                          # in listing order
    menus: dict[str, tuple[MenuItem, ...]] = field(default_factory=dict)
    permalinks: dict[str, str] = field(default_factory=dict)   # section or folder → URL pattern
    front_page: tuple[FrontBlock, ...] | None = None            # None: lead, a block per section, latest
    publish: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    strings: dict[str, Any] = field(default_factory=dict)      # msgid → the theme's text (a list: plurals)
    string_lines: dict[str, int] = field(default_factory=dict, repr=False, compare=False)  # msgid → line

    @property
    def base_path(self) -> str:
        """The URL path the site lives under: "/" or e.g. "/zeitung/"."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def front_blocks(self) -> tuple[FrontBlock, ...]:
        """The front page's blocks: configured, or the default for the site's sections."""
        return self.front_page if self.front_page is not None else default_front_page(self.sections)


_SECTIONS: dict[str, type] = {
    "markdown": MarkdownSettings,
    "glossary": GlossarySettings,
    "related": RelatedSettings,
    "paths": PathSettings,
    "images": ImageSettings,
    "embeds": EmbedSettings,
    "publisher": PublisherSettings,
    "dates": DateSettings,
}
_DICT_KEYS = {"publish", "extra", "strings"}
_STRUCTURED = {"sections", "menus", "permalinks", "front_page"}   # site_structure, front_page


def load_config(site: Path, *, base_url: str | None = None) -> tuple[SiteConfig, list[Diagnostic]]:
    """Read `config.yaml` from the site folder; a missing file gives the defaults."""
    path = site / CONFIG_FILE
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return _finish(SiteConfig(), base_url, [])
    except (UnicodeDecodeError, OSError) as exc:
        return SiteConfig(), [Diagnostic(CONFIG_FILE, None, f"cannot read the configuration: {exc}")]
    try:
        loaded = load_mapping(unix_line_ends(text))
    except YamlProblem as exc:
        return SiteConfig(), [Diagnostic(CONFIG_FILE, exc.line, exc.message, col=exc.col, hint=exc.hint)]
    config, problems = parse_config(loaded.data, loaded.key_lines)
    return _finish(config, base_url, problems)


def _finish(config: SiteConfig, base_url: str | None, problems: list[Diagnostic]
            ) -> tuple[SiteConfig, list[Diagnostic]]:
    if base_url is not None:
        config = replace(config, base_url=base_url)
    if not config.base_url.endswith("/"):
        config = replace(config, base_url=config.base_url + "/")
    return config, problems


def parse_config(data: dict[str, Any], lines: dict[str, int]) -> tuple[SiteConfig, list[Diagnostic]]:
    """Validate a config mapping against SiteConfig's fields; unknown keys are warnings."""
    problems: list[Diagnostic] = []

    def problem(key: str, message: str, severity: str = "error", hint: str | None = None) -> None:
        problems.append(Diagnostic(CONFIG_FILE, lines.get(key), message, severity, hint=hint))  # type: ignore[arg-type]

    values: dict[str, Any] = {}
    top = {f.name: f for f in fields(SiteConfig)}
    for key, value in data.items():
        if key in _SECTIONS:
            if not isinstance(value, dict):
                problem(key, f"'{key}' must be a mapping")
                continue
            values[key] = _section(_SECTIONS[key], key, value, problem)
        elif key in _STRUCTURED:
            parse = {"sections": parse_sections, "menus": parse_menus, "permalinks": parse_permalinks,
                     "front_page": parse_front_page}[key]
            values[key] = parse(value, lines, problem)
        elif key in _DICT_KEYS:
            if not isinstance(value, dict):
                problem(key, f"'{key}' must be a mapping")
                continue
            values[key] = value
        elif key in top:
            checked = _check(key, value, type(getattr(SiteConfig(), key)), problem)
            if checked is not None:
                values[key] = checked
        else:
            close = difflib.get_close_matches(key, list(top), n=1)
            problem(key, f"unknown setting '{key}'", "warning",
                    hint=f"did you mean '{close[0]}'?" if close else None)
    config = _language_defaults(SiteConfig(**values), data, lines, problem)
    if config.front_page is not None:
        config = replace(config, front_page=check_front_page(
            config.front_page, config.sections,
            lambda line, message, hint: problems.append(Diagnostic(CONFIG_FILE, line, message, hint=hint))))
    try:
        ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problem("timezone", f"'timezone' must be an IANA time zone like 'Europe/Berlin', got '{config.timezone}'")
        config = replace(config, timezone="UTC")
    if urlsplit(config.base_url).scheme not in ("http", "https"):
        problem("base_url", f"'base_url' must be an absolute http(s) URL, got '{config.base_url}'")
    if config.glossary.mode not in ("first", "all"):
        problem("glossary.mode", f"'glossary.mode' must be 'first' or 'all', got '{config.glossary.mode}'")
    for name in ("paginate", "feed_entries"):
        if getattr(config, name) < 1:
            problem(name, f"'{name}' must be a positive integer")
    if config.related.count < 0:
        problem("related.count", "'related.count' must be a positive integer")
    images = config.images
    if not all(isinstance(w, int) and 16 <= w <= 10_000 for w in images.widths):
        problem("images.widths", "'images.widths' must be pixel widths between 16 and 10000")
        config = replace(config, images=replace(images, widths=ImageSettings().widths))
    unknown = [f for f in images.formats if f not in ("webp", "avif")]
    if unknown:
        problem("images.formats", f"'images.formats' may list webp and avif, got '{unknown[0]}'",
                hint="JPEG or PNG is always added as the fallback")
        config = replace(config, images=replace(config.images, formats=ImageSettings().formats))
    if not 1 <= images.quality <= 100:
        problem("images.quality", "'images.quality' must be between 1 and 100")
    logo = config.publisher.logo
    if logo and not (logo.startswith("/") or urlsplit(logo).scheme in ("http", "https")):
        problem("publisher.logo", f"'publisher.logo' must be a site path like '/assets/logo.png' or an "
                f"absolute URL, got '{logo}'")
        config = replace(config, publisher=replace(config.publisher, logo=""))
    unknown_providers = [p for p in config.embeds.allow if p not in EMBED_PROVIDERS]
    if unknown_providers:
        problem("embeds.allow", f"'embeds.allow' names an unknown provider '{unknown_providers[0]}'",
                hint="known: " + ", ".join(EMBED_PROVIDERS))
    if config.url_rules not in url_rules.STYLES:
        problem("url_rules", f"'url_rules' must be one of {', '.join(url_rules.STYLES)}, got '{config.url_rules}'")
        config = replace(config, url_rules="builder")
    for name in ("date", "updated"):
        given = getattr(config.dates, name)
        known = tuple(date_sources.normalize(str(source)) for source in given)
        if None in known:
            unknown = given[known.index(None)]
            problem(f"dates.{name}", f"'dates.{name}' names an unknown source '{unknown}'",
                    hint="use " + ", ".join(date_sources.SOURCES))
            known = getattr(DateSettings(), name)
        config = replace(config, dates=replace(config.dates, **{name: known}))
    if len(config.markdown.quotes) != 4:
        problem("markdown.quotes", "'markdown.quotes' must be four characters, e.g. '„“‚‘'")
    return config, problems


def _language_defaults(config: SiteConfig, data: dict[str, Any], lines: dict[str, int],
                       problem: Callable[..., None]) -> SiteConfig:
    """Locale, URL folders and quotes from the language where config.yaml leaves them out;
    `strings:` checked to be texts (or lists of texts, for plurals)."""
    language = config.language
    paths = data.get("paths") if isinstance(data.get("paths"), dict) else {}
    markdown = data.get("markdown") if isinstance(data.get("markdown"), dict) else {}
    path_defaults = {k: v for k, v in default_paths(language).items() if k not in paths}
    config = replace(config, paths=replace(config.paths, **path_defaults))
    if "quotes" not in markdown:
        config = replace(config, markdown=replace(config.markdown, quotes=default_quotes(language)))
    if "locale" not in data:
        config = replace(config, locale=default_locale(language))
    if not known_locale(config.locale):
        fallback = default_locale(language) if known_locale(default_locale(language)) else "en_US"
        problem("locale" if "locale" in data else "language",
                f"'{config.locale}' is not a locale Babel knows; dates are written as in '{fallback}'",
                "error" if "locale" in data else "warning", hint="a locale looks like 'de_DE' or 'en_US'")
        config = replace(config, locale=fallback)
    strings: dict[str, Any] = {}
    for msgid, text in config.strings.items():
        if isinstance(text, str) or (isinstance(text, list) and text and all(isinstance(t, str) for t in text)):
            strings[str(msgid)] = text
        else:
            problem(f"strings.{msgid}", f"'strings' must give a text (or a list of texts for plurals) for "
                    f"'{msgid}', got {text!r}")
    return replace(config, strings=strings,
                   string_lines={m: lines[f"strings.{m}"] for m in strings if f"strings.{m}" in lines})


def _section(cls: type, name: str, data: dict[str, Any],
             problem: Callable[..., None]) -> Any:
    known = {f.name for f in fields(cls)}
    defaults = cls()
    values: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{name}.{key}"
        if key not in known:
            close = difflib.get_close_matches(str(key), sorted(known), n=1)
            problem(dotted, f"unknown setting '{dotted}'", "warning",
                    hint=f"did you mean '{name}.{close[0]}'?" if close else None)
            continue
        checked = _check(dotted, value, type(getattr(defaults, key)), problem)
        if checked is not None:
            values[key] = checked
    return cls(**values)


_TYPE_NAMES = {str: "text", bool: "true or false", int: "an integer", float: "a number"}


def _check(key: str, value: Any, expected: type, problem: Callable[..., None]) -> Any:
    """Return the value coerced to `expected`, or None after reporting a problem."""
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if expected is tuple:  # a list of widths or of names
        items = value if isinstance(value, list) else [value]
        if not items or not all(isinstance(i, (int, str)) and not isinstance(i, bool) for i in items):
            problem(key, f"'{key}' must be a list of numbers or names, got {value!r}")
            return None
        return tuple(items)
    if expected is int and isinstance(value, bool):
        problem(key, f"'{key}' must be an integer, got {value!r}")
        return None
    if isinstance(value, expected):
        return value
    problem(key, f"'{key}' must be {_TYPE_NAMES.get(expected, expected.__name__)}, got {value!r}")
    return None
