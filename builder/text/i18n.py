"""The theme's words in the site's language: gettext catalogs, read as .po files with Babel.

Every word a reader sees — in templates, in the Python that writes titles,
feeds, JSON-LD and menus, in figure credits and embed placeholders — is a
message of `builder/locales/<language>/LC_MESSAGES/messages.po`. Message ids
are English; the German and English catalogs translate all of them. The .po
files are parsed directly (no compiled .mo files in the repository), once per
process and language.

A site changes single texts with `strings:` in config.yaml, keyed by message
id (`context|id` for a message with a context); a list gives the plural
forms in the catalog's order. A language without a catalog gets the English
texts, which `strings:` can translate one by one.
"""

from __future__ import annotations

import difflib
import gettext as _gettext
import hashlib
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping

from babel import Locale
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from ..content.config import SiteConfig
from ..errors import Diagnostic

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
REFERENCE = "en"                    # the catalog whose ids are the theme's messages
CONTEXT_SEPARATOR = "|"             # `strings:` keys: "button|Search"
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
_PLURAL_FORMS = re.compile(r'"Plural-Forms:\s*nplurals=(?P<count>\d+);\s*plural=(?P<expr>[^;"]+);?')

Key = tuple[str | None, str]        # (context, msgid)


def catalog_file(language: str) -> Path | None:
    """The .po file for `language` ("de-AT" → de_AT, else de), or None."""
    tag = language.strip().replace("-", "_")
    base = tag.split("_", 1)[0].lower()
    for name in (tag, base):
        path = LOCALES_DIR / name / "LC_MESSAGES" / f"{DOMAIN}.po"
        if path.is_file():
            return path
    return None


def catalog_languages() -> tuple[str, ...]:
    """The languages the theme has catalogs for."""
    return tuple(sorted(p.parent.parent.name for p in LOCALES_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")))


@lru_cache(maxsize=1)
def catalogs_digest() -> str:
    """A digest of every catalog, for the caches of pages and bodies."""
    digest = hashlib.sha256()
    for path in sorted(LOCALES_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        digest.update(path.relative_to(LOCALES_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class CatalogData:
    """What the theme needs of one .po file."""

    ids: Mapping[Key, str | tuple[str, ...]]        # (context, msgid) → the msgid, or (singular, plural)
    texts: Mapping[Key, str | tuple[str, ...]]      # the translations, without empty or fuzzy ones
    plural_expr: str                                # gettext's C expression, e.g. "(n != 1)"
    num_plurals: int


@lru_cache(maxsize=8)
def read_catalog(path: Path) -> CatalogData:
    """A .po file read with Babel's parser (once per process).

    Babel reads a catalog's header entry with the `email` package, whose import
    costs more than the whole catalog (10 ms); the header gives only the plural
    forms, found here with a pattern, so the parser gets the entries after it.
    """
    text = path.read_text(encoding="utf-8")
    header, _sep, entries = text.partition("\n\n")
    if 'msgid ""\nmsgstr ""' not in header:
        header, entries = "", text
    plural = _PLURAL_FORMS.search(header)
    expr, count = ((plural["expr"].strip(), int(plural["count"])) if plural
                   else _plural_rule(path.parent.parent.name))
    ids: dict[Key, str | tuple[str, ...]] = {}
    texts: dict[Key, str | tuple[str, ...]] = {}
    for message in read_po(io.StringIO(entries), abort_invalid=True):
        if not message.id:
            continue
        key = (message.context, message.id[0] if isinstance(message.id, tuple) else message.id)
        ids[key] = tuple(message.id) if isinstance(message.id, tuple) else message.id
        if message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            forms = tuple(message.string or ())
            if forms and all(forms):
                texts[key] = forms
        elif message.string:
            texts[key] = message.string
    return CatalogData(ids, texts, expr, count)


def override_key(name: str) -> Key:
    """A `strings:` key as (context, msgid): "button|Search" → ("button", "Search")."""
    context, separator, msgid = name.partition(CONTEXT_SEPARATOR)
    return (context, msgid) if separator else (None, name)


class Messages:
    """gettext, ngettext, pgettext and npgettext in one language (what Jinja's i18n extension calls)."""

    def __init__(self, language: str, overrides: Mapping[str, Any] = ()) -> None:  # type: ignore[assignment]
        path = catalog_file(language)
        catalog = read_catalog(path) if path is not None else None
        self.language = language
        self.has_catalog = catalog is not None
        self.texts: dict[Key, str | tuple[str, ...]] = dict(catalog.texts) if catalog is not None else {}
        expression, self.num_plurals = ((catalog.plural_expr, catalog.num_plurals) if catalog is not None
                                        else _plural_rule(language))
        self.plural: Callable[[int], int] = _gettext.c2py(expression)
        for name, text in dict(overrides).items():
            self.texts[override_key(name)] = text if isinstance(text, str) else tuple(text)

    def _text(self, key: Key, fallback: str) -> str:
        found = self.texts.get(key)
        if found is None:
            return fallback
        return found if isinstance(found, str) else found[0]

    def _plural_text(self, key: Key, singular: str, plural: str, n: int) -> str:
        found = self.texts.get(key)
        if found is None:
            return singular if n == 1 else plural
        if isinstance(found, str):
            return found
        index = self.plural(n)
        return found[index] if index < len(found) else found[-1]

    def gettext(self, message: str) -> str:
        return self._text((None, message), message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._plural_text((None, singular), singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return self._text((context, message), message)

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        return self._plural_text((context, singular), singular, plural, n)


def _plural_rule(language: str) -> tuple[str, int]:
    """The gettext plural expression and number of forms of a language without a catalog."""
    try:
        rule = get_plural(language.replace("-", "_"))
    except (ValueError, TypeError):
        return "(n != 1)", 2
    return rule.plural_expr, rule.num_plurals


@lru_cache(maxsize=16)
def _messages(language: str, overrides: tuple[tuple[str, Any], ...]) -> Messages:
    return Messages(language, {name: list(text) if isinstance(text, tuple) else text for name, text in overrides})


def messages_in(language: str) -> Messages:
    """The catalog's messages for `language`, without a site's `strings:`."""
    return _messages(language, ())


def default_messages() -> Messages:
    """The messages of the default language (`SiteConfig().language`), for renderers made without a site."""
    return _messages(SiteConfig.language, ())


def messages_for(config: SiteConfig) -> Messages:
    """The theme's messages for the site: its language's catalog with its `strings:` (kept per process)."""
    overrides = tuple(sorted((name, tuple(text) if isinstance(text, list) else text)
                             for name, text in config.strings.items()))
    return _messages(config.language, overrides)


@lru_cache(maxsize=64)
def list_separator(index: int, length: int, locale: str) -> str:
    """What goes before item `index` (from 1) of a list of `length` names in `locale`, as CLDR joins
    lists: German "A, B und C", English "A, B, and C" and "A and B"."""
    patterns = Locale.parse(locale).list_patterns["standard"]
    if length == 2:
        pattern = patterns["2"]
    else:
        pattern = patterns["end"] if index == length - 1 else patterns["middle"] if index > 1 else patterns["start"]
    return pattern.split("{0}", 1)[-1].split("{1}", 1)[0]


def number_text(value: int | float, locale: str) -> str:
    """A number as `locale` writes it: "1.000" in German, "1,000" in English."""
    from babel.numbers import format_decimal   # only for templates that count
    return format_decimal(value, locale=locale)


def _name(key: Key) -> str:
    return f"{key[0]}{CONTEXT_SEPARATOR}{key[1]}" if key[0] else key[1]


def string_problems(config: SiteConfig) -> list[Diagnostic]:
    """`strings:` entries that name no message or cannot be used, on their lines of config.yaml;
    and a warning when the language has no catalog and `strings:` leaves texts English."""
    if not config.strings and catalog_file(config.language) is not None:
        return []
    reference_path = catalog_file(REFERENCE)
    assert reference_path is not None, "the English catalog is part of the package"
    ids = read_catalog(reference_path).ids
    forms_wanted = Messages(config.language).num_plurals
    problems: list[Diagnostic] = []

    def problem(name: str, message: str, severity: str = "error", hint: str | None = None) -> None:
        problems.append(Diagnostic("config.yaml", config.string_lines.get(name), f"'strings': {message}",
                                   severity, hint=hint))  # type: ignore[arg-type]

    for name, text in config.strings.items():
        msgid = ids.get(override_key(name))
        if msgid is None:
            close = difflib.get_close_matches(name, [_name(k) for k in ids], n=1, cutoff=0.6)
            problem(name, f"the theme has no text '{name}'", "warning",
                    f"did you mean '{close[0]}'?" if close else
                    "the ids are the msgid lines of builder/locales/en/LC_MESSAGES/messages.po")
            continue
        if isinstance(text, list) and (not isinstance(msgid, tuple) or len(text) != forms_wanted):
            problem(name, f"'{name}' takes {forms_wanted if isinstance(msgid, tuple) else 1} "
                    f"form{'s' if isinstance(msgid, tuple) and forms_wanted > 1 else ''} in "
                    f"'{config.language}', got a list of {len(text)}",
                    hint="a plural text is a list of its forms in the catalog's order (or one text for all)")
            continue
        allowed = set(_PLACEHOLDER.findall(" ".join(msgid) if isinstance(msgid, tuple) else msgid))
        for form in [text] if isinstance(text, str) else text:
            used = set(_PLACEHOLDER.findall(form))
            try:
                form % {placeholder: "" for placeholder in used}
            except (ValueError, TypeError, KeyError):
                problem(name, f"'{form}' is not a valid text for '{name}'", hint="write a percent sign as '%%'")
                continue
            if used - allowed:
                problem(name, f"'{form}' uses %({sorted(used - allowed)[0]})s, which '{name}' does not have",
                        hint="placeholders: " + (", ".join(f"%({p})s" for p in sorted(allowed)) or "none"))
    if catalog_file(config.language) is None:
        given = {override_key(name) for name in config.strings}
        missing = [key for key in ids if key not in given]
        if missing:
            problems.append(Diagnostic(
                "config.yaml", None, f"the theme has no texts in '{config.language}': {len(missing)} of its "
                f"{len(ids)} texts stay English", "warning",
                hint="translate them with 'strings:' (the ids are the msgid lines of "
                     "builder/locales/en/LC_MESSAGES/messages.po)"))
    return problems
