"""What a body's shortcodes may know: the page they are on, the site's templates and params, other pages.

`Context` is built once per body by the pipeline; `preprocess` hands it to
every shortcode. `PageView` and `SiteView` are what templates see as `page`
and `site` (Hugo's `.Page.Params`, Jekyll's `page.x` and `site.x` alike).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Callable, Mapping
from urllib.parse import urljoin, urlsplit

from .templates import SiteTemplates

# (target, style) → the page's URL under the site's base path, or None; style is "hugo" or "jekyll".
# May raise LookupError with a message (a name several pages share).
Resolver = Callable[[str, str], "str | None"]
_NOT_PARAMS = frozenset({"body", "body_line", "key_lines", "extra", "source", "folder", "alias_lines",
                         "file_date", "bundle", "image"})


def no_pages(target: str, style: str) -> str | None:
    return None


@dataclass(frozen=True)
class Context:
    """Everything outside the body that its shortcodes use."""

    resolve: Resolver = no_pages
    templates: SiteTemplates = field(default_factory=SiteTemplates)
    source: str = ""                  # the content file, for positions ("content/x.md:4:1")
    document: Any = None              # its Article, Page, Term or Author: front matter for `param`
    url: str = ""                     # its page's URL under the base path
    markdown: Any = None              # the site's MarkdownIt, for `markdownify` and Markdown inner content

    def absolute(self, path: str) -> str:
        """A URL under the base path ("/zeitung/x/") as an absolute one, as Hugo's `ref` gives."""
        return urljoin(self.templates.base_url, path)


def front_matter(document: Any) -> dict[str, Any]:
    """A document's front matter as Hugo's `.Params` (keys lower case): known fields, then the rest."""
    if document is None:
        return {}
    params: dict[str, Any] = {}
    for item in fields(document):
        if item.name not in _NOT_PARAMS:
            value = getattr(document, item.name)
            params[item.name] = list(value) if isinstance(value, tuple) else value
    if "summary" in params:
        params.setdefault("description", params["summary"])
    for key, value in (getattr(document, "extra", None) or {}).items():
        params[str(key)] = value
    return {key.lower(): value for key, value in params.items()}


def lookup(params: Mapping[str, Any], key: str) -> Any:
    """Hugo's `.Param`: a key (or dotted path) in params, case-insensitively; None when absent."""
    value: Any = params
    for part in key.split("."):
        if not isinstance(value, Mapping):
            return None
        if part in value:
            value = value[part]
            continue
        lowered = {str(k).lower(): v for k, v in value.items()}
        if part.lower() not in lowered:
            return None
        value = lowered[part.lower()]
    return value


class ParamsView:
    """`x["key"]` and `x.key` (Jekyll's `page.custom_key`, `site.custom_key`) read `params`."""

    params: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return lookup(self.params, key)

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        found = lookup(self.params, key)
        if found is None:
            raise AttributeError(key)
        return found


class PageView(ParamsView):
    """`page` in a template: `page.title`, `page.url`, `page.params.x`, `page.x`, `page.param("x")`."""

    def __init__(self, context: Context) -> None:
        self.params = front_matter(context.document)
        self._site = context.templates.params
        self.url = self.relpermalink = context.url
        self.permalink = context.absolute(context.url) if context.url else ""
        self.source = self.file = context.source
        self.title = str(self.params.get("title") or self.params.get("name") or self.params.get("term") or "")
        date = self.params.get("date")
        self.date = date if isinstance(date, datetime) else None

    def param(self, key: str) -> Any:
        """The page's front matter value, else the site's (Hugo's `.Page.Param`)."""
        found = lookup(self.params, key)
        return found if found is not None else lookup(self._site, key)


class SiteView(ParamsView):
    """`site` in a template: title, base_url, params; Jekyll's `site.url`, `site.baseurl`, `site.x`."""

    def __init__(self, templates: SiteTemplates) -> None:
        self.title = templates.title
        self.base_url = self.baseURL = templates.base_url
        split = urlsplit(templates.base_url)
        self.url = f"{split.scheme}://{split.netloc}" if split.netloc else ""
        self.baseurl = split.path.rstrip("/")
        self.language = templates.language
        self.params = dict(templates.params)
