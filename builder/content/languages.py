"""What a site's language decides when config.yaml does not: locale, URL segments, quotes.

`language: en` gives English URL folders (`/glossary/`, `/page/2/`), English
quotes (“…” and ‘…’) and the `en_US` locale for dates; `language: de` gives
`/glossar/`, `/seite/2/`, „…“ and ‚…‘, and `de_DE`. Settings the site writes
itself always win. Languages without an entry here get English URL folders
and the quotes below (English ones when the language is not listed).
"""

from __future__ import annotations

from babel.core import LOCALE_ALIASES, Locale, UnknownLocaleError

# URL folders of the listing pages, and the folder of a listing's later pages ("/politik/seite/2/").
PATHS: dict[str, dict[str, str]] = {
    "de": {"glossary": "glossar", "tags": "themen", "search": "suche", "authors": "autoren",
           "archive": "archiv", "page": "seite"},
    "en": {"glossary": "glossary", "tags": "tags", "search": "search", "authors": "authors",
           "archive": "archive", "page": "page"},
}

# Double open/close, single open/close, as the CLDR's delimiters for each language.
QUOTES: dict[str, str] = {
    "de": "„“‚‘", "de-ch": "«»‹›", "en": "“”‘’", "fr": "«»“”", "it": "«»“”", "es": "«»“”",
    "pt": "“”‘’", "nl": "‘’“”", "pl": "„”«»", "cs": "„“‚‘", "da": "“”‘’", "sv": "””’’",
    "nb": "«»‘’", "no": "«»‘’", "fi": "””’’", "ru": "«»„“", "uk": "«»„“", "ja": "「」『』",
}


def _variants(language: str) -> list[str]:
    """"de-CH" → ["de-ch", "de"]: the language as written (lower case, '-'), then its base."""
    tag = language.strip().lower().replace("_", "-")
    base = tag.split("-", 1)[0]
    return [tag, base] if base != tag else [tag]


def default_paths(language: str) -> dict[str, str]:
    """The URL folders for `language` (English ones for a language without its own)."""
    return next((PATHS[v] for v in _variants(language) if v in PATHS), PATHS["en"])


def default_quotes(language: str) -> str:
    """The typographic quotes of `language` ("“”‘’" for a language not listed)."""
    return next((QUOTES[v] for v in _variants(language) if v in QUOTES), QUOTES["en"])


def default_locale(language: str) -> str:
    """The locale dates are written in: "de" → "de_DE", "en" → "en_US", "de-AT" → "de_AT"."""
    tag = language.strip().replace("-", "_")
    if "_" in tag:
        base, _, region = tag.partition("_")
        return f"{base.lower()}_{region.upper() if len(region) == 2 else region}"
    return LOCALE_ALIASES.get(tag.lower(), tag.lower())


def known_locale(locale: str) -> bool:
    """Whether Babel has the CLDR data to write dates in `locale`."""
    try:
        Locale.parse(locale)
    except (ValueError, TypeError, UnknownLocaleError):
        return False
    return True
