"""How folders, file names, titles and dates become URL paths: the builder's rules, Hugo's and Jekyll's.

`url_rules:` in config.yaml names whose rules apply, so that a migrated site
keeps its URLs:

- `builder` (the default): lower-case ASCII, ä→ae, ß→ss, other runs of
  non-alphanumerics become `-` (`0.10-relnotes` → `0-10-relnotes`).
- `hugo`: Hugo's path sanitizing (`helpers.MakePathSanitized`): letters of any
  script, digits, marks and `. _ ~ + @ -` are kept, spaces become `-`, anything
  else is dropped, and the path is lower-cased (`0.10-relnotes` stays). `:slug`
  falls back to the title, `:year` is not zero-padded, a bundle's `:filename` is
  its folder's name, and a pattern always makes a folder URL.
- `jekyll`: Jekyll's `Utils.slugify`: `:title` is the file name's slug (or
  `slug:`) in "pretty" mode with its case kept (`._~!$&'()+,;=@` survive),
  `:slug` and `:name` in the default mode, lower-cased; `:categories` are the
  post's folders above `_posts` and its categories, lower-cased; dates are in the
  site's time zone; `:output_ext` is `.html`, and a URL ending in it is a file.

Pure functions of their arguments, so the importer can compute the old
generator's URLs with the same rules it configures.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, tzinfo

from ..util.slug import slugify

STYLES = ("builder", "hugo", "jekyll")
DATE_TOKENS = frozenset({"year", "month", "day", "i_month", "i_day", "short_year", "hour", "minute", "second",
                         "y_day", "monthname", "weekday", "weekdayname", "yearday", "short_month", "long_month",
                         "w_year", "week", "w_day", "short_day", "long_day"})
NAME_TOKENS = frozenset({"slug", "title", "filename", "slugorfilename", "contentbasename",
                         "slugorcontentbasename", "name"})
TOKENS = DATE_TOKENS | NAME_TOKENS | frozenset({"section", "sections", "folder", "categories",
                                                "slugified_categories", "output_ext"})
_TOKEN = re.compile(r":([a-z_]+)")
_HUGO_TOKEN = re.compile(r":([A-Za-z0-9_]+)")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def hugo_sanitize(text: str, lower: bool = True) -> str:
    """Hugo's `paths.Sanitize` (then lower-cased as `MakePathSanitized` does): allowed characters stay,
    a run of white space between them becomes one `-`, every other character is dropped."""
    out: list[str] = []
    hyphen_pending = was_hyphen = False
    for index, char in enumerate(text):
        if _hugo_allowed(text, index, char):
            was_hyphen = char == "-"
            if hyphen_pending and not was_hyphen:
                out.append("-")
            hyphen_pending = False
            out.append(char)
        elif out and not was_hyphen and char.isspace():
            hyphen_pending = True
    result = "".join(out)
    return result.lower() if lower else result


def _hugo_allowed(text: str, index: int, char: str) -> bool:
    if char == " ":
        return False
    category = unicodedata.category(char)
    if category[0] in "LM" or category == "Nd" or char in "./\\_#+~-@":
        return True
    return char == "%" and bool(re.match(r"[0-9A-Fa-f]{2}", text[index + 1:index + 3]))


def hugo_path(text: str) -> str:
    """A content path as Hugo normalises it before sanitizing: lower case, spaces as hyphens."""
    return hugo_sanitize(text.lower().replace(" ", "-"))


_JEKYLL_PRETTY = "._~!$&'()+,;=@"


def jekyll_slugify(text: str, mode: str = "default", cased: bool = False) -> str:
    """Jekyll's `Utils.slugify` in its "default" or "pretty" mode: every run of characters other than
    letters, marks and decimal digits (and, pretty, `._~!$&'()+,;=@`) becomes one `-`."""
    out: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if category[0] in "LM" or category == "Nd" or (mode == "pretty" and char in _JEKYLL_PRETTY):
            out.append(char)
        elif not out or out[-1] != "\0":
            out.append("\0")
    slug = "".join(out).replace("\0", "-")
    slug = slug[1:] if slug.startswith("-") else slug
    slug = slug[:-1] if slug.endswith("-") else slug
    return slug if cased else slug.lower()


@dataclass(frozen=True)
class Names:
    """What one content file offers a URL: its folders, names, title and categories."""

    parts: tuple[str, ...]        # folders under content/, as written ("news", "2021")
    name: str                     # the file's name without extension, or a bundle's folder name
    stem: str                     # `name` without a date prefix when dates come from file names
    slug: str                     # the builder's slug (front matter `slug:` or `stem`, slugified)
    slug_given: str = ""          # front matter `slug:`, as written
    title: str = ""
    section: str = ""             # the article's section slug, "" for none
    categories: tuple[str, ...] = ()   # Jekyll: folders above _posts, then `categories`/`category`


def url_folders(style: str, parts: tuple[str, ...]) -> list[str]:
    """The URL folders of a file's folders: `_name` folders (Jekyll's _posts) are no part of URLs."""
    kept = [part for part in parts if not part.startswith("_")]
    if style == "hugo":
        return [hugo_path(part) for part in kept]
    if style == "jekyll":
        return kept
    return [slugify(part) for part in kept]


def default_path(style: str, names: Names, folders: list[str] | None = None) -> str:
    """The URL without a pattern: /<folders>/<slug>/, each part by the style's rules."""
    folders = url_folders(style, names.parts) if folders is None else folders
    if style == "hugo":
        last = hugo_sanitize(names.slug_given) if names.slug_given else hugo_path(names.stem)
    elif style == "jekyll":
        last = jekyll_slugify(names.slug_given or names.stem.rstrip("."), "pretty", cased=True)
    else:
        last = names.slug
    return "/" + "/".join([*folders, last]) + "/"


def values(style: str, names: Names, date: datetime | None, tz: tzinfo) -> dict[str, str]:
    """What each `permalinks:` placeholder stands for, for one file, by the style's rules."""
    found = _date_values(style, date, tz) if date is not None else {}
    folders = url_folders(style, names.parts)
    section_dir = folders[0] if folders else ""
    if style == "hugo":
        title = hugo_sanitize(names.title)
        slug = hugo_sanitize(names.slug_given) if names.slug_given else title
        filename = hugo_sanitize(names.name)
        found.update(title=title, slug=slug, filename=filename, contentbasename=filename,
                     slugorfilename=hugo_sanitize(names.slug_given) if names.slug_given else filename,
                     section=names.section or section_dir, sections="/".join(folders))
        found["slugorcontentbasename"] = found["slugorfilename"]
    elif style == "jekyll":
        source = names.slug_given or names.stem.rstrip(".")
        categories = list(dict.fromkeys(c.lower() for c in names.categories))
        found.update(title=jekyll_slugify(source, "pretty", cased=True), slug=jekyll_slugify(source),
                     name=jekyll_slugify(names.name), categories="/".join(categories),
                     slugified_categories="/".join(dict.fromkeys(jekyll_slugify(c) for c in names.categories)),
                     output_ext=".html", section=names.section or section_dir, filename=names.name)
    else:
        found.update(slug=names.slug, title=slugify(names.title) or names.slug, filename=names.stem,
                     slugorfilename=names.slug or names.stem, contentbasename=names.stem,
                     slugorcontentbasename=names.slug or names.stem, name=names.stem,
                     section=names.section or (names.parts[0] if names.parts else ""),
                     sections="/".join(folders), categories="", output_ext=".html")
    found["folder"] = "/".join(folders)
    return found


def _date_values(style: str, date: datetime, tz: tzinfo) -> dict[str, str]:
    if style == "jekyll":  # Jekyll reads every date into the site's time zone
        date = date.astimezone(tz)
    week = date.isocalendar()
    found = {
        "year": f"{date.year:04}", "month": f"{date.month:02}", "day": f"{date.day:02}",
        "i_month": str(date.month), "i_day": str(date.day), "short_year": f"{date.year % 100:02}",
        "hour": f"{date.hour:02}", "minute": f"{date.minute:02}", "second": f"{date.second:02}",
        "y_day": f"{date.timetuple().tm_yday:03}", "monthname": _MONTHS[date.month - 1],
        "short_month": _MONTHS[date.month - 1][:3], "long_month": _MONTHS[date.month - 1],
        "w_year": str(week[0]), "week": f"{week[1]:02}", "w_day": str(week[2]),
        "short_day": _DAYS[date.weekday()][:3], "long_day": _DAYS[date.weekday()],
        "weekday": str(date.isoweekday() % 7), "weekdayname": _DAYS[date.weekday()],
        "yearday": str(date.timetuple().tm_yday),
    }
    if style == "hugo":
        found["year"] = str(date.year)   # Go's strconv.Itoa: year 1 is "1"
    return found


def expand(style: str, pattern: str, found: dict[str, str]) -> str:
    """A pattern with its placeholders filled in, cleaned up the way the style's generator does."""
    if style == "hugo":
        path = _HUGO_TOKEN.sub(lambda m: found.get(m.group(1).lower(), ""), pattern)
        path = "/" + "/".join(part for part in hugo_sanitize(path).split("/") if part)
        return path if path == "/" else path + "/"   # Hugo writes <path>/index.html
    if style == "jekyll":
        path = _TOKEN.sub(lambda m: _jekyll_token(m.group(1), found), pattern)
        path = ("/" + path).replace("..", "/").replace("./", "")
        return re.sub(r"/{2,}", "/", path)
    path = _TOKEN.sub(lambda m: found.get(m.group(1), ""), pattern)
    return re.sub(r"/{2,}", "/", path)


def _jekyll_token(name: str, found: dict[str, str]) -> str:
    """Jekyll reads `:month_:day` as :month, "_" and :day: a name ending in "_" may lose it."""
    if name in found:
        return found[name]
    if name.endswith("_") and name[:-1] in found:
        return found[name[:-1]] + "_"
    return ""


def has_date(pattern: str) -> bool:
    return any(token.lower() in DATE_TOKENS for token in _HUGO_TOKEN.findall(pattern))


def tokens(pattern: str) -> list[str]:
    """The placeholders of a pattern (Jekyll's `:month_` counts as `:month`)."""
    found = [token.lower() for token in _HUGO_TOKEN.findall(pattern)]
    return [t[:-1] if t not in TOKENS and t.endswith("_") and t[:-1] in TOKENS else t for t in found]
