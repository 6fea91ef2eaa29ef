"""A site's own shortcodes and includes: Jinja templates from its folder, compiled once, digested for caches.

Hugo sites keep shortcodes in `layouts/shortcodes/NAME.html` (Hugo 0.146 on:
`layouts/_shortcodes/`), Jekyll sites their includes in `_includes/`. Here
both are Jinja templates (autoescaped; a parameter is text, `inner` is
HTML). Shortcode templates may include partials from `layouts/partials/`
(`{% include "partials/x.html" %}`), includes each other by name.

A body that used a template is rendered again when that template changes:
`digest_of` covers the template and every template it includes.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import Any, Callable, Mapping
from urllib.parse import urljoin, urlsplit

import jinja2
import jinja2.meta
from markupsafe import Markup, escape

from ...content.sources import is_ignored_name
from ...util.slug import slugify

LAYOUT_FOLDERS = ("shortcodes", "_shortcodes", "partials", "_partials")
INCLUDES = "_includes"
_TAG = re.compile(r"<[^>]*>")


MARKER = "\ue003"   # stands for `inner` while a template is split around Markdown left in the body


class HtmlInner(Markup):
    """Inner content that is HTML already (of a {{% %}} shortcode): markdownify leaves it alone."""


class RawInner(Markup):
    """Inner content as written (of a {{< >}} shortcode): printed as it is, markdownify renders it."""


class TemplateFailure(Exception):
    """A template that cannot be compiled or rendered; the message names its file and line."""


@dataclass(frozen=True, eq=False)
class SiteTemplates:
    """The site's shortcode templates and includes (site-relative path → text) and what they may show."""

    files: Mapping[str, str] = field(default_factory=dict)   # "layouts/shortcodes/note.html" → its text
    params: Mapping[str, Any] = field(default_factory=dict)  # `extra:` of config.yaml: Hugo's site params
    title: str = ""
    base_url: str = "http://localhost:8000/"
    language: str = "de"

    def shortcode(self, name: str) -> str | None:
        """The site path of shortcode `name`'s template ("layouts/shortcodes/note.html"), or None."""
        for folder in ("shortcodes", "_shortcodes"):
            path = f"layouts/{folder}/{name}.html"
            if path in self.files:
                return path
        return None

    def include(self, name: str) -> str | None:
        """The site path of `_includes/<name>`, or None."""
        path = f"{INCLUDES}/{name}"
        return path if path in self.files and ".." not in name.split("/") else None

    def takes_inner(self, path: str) -> bool:
        """Whether a template uses `inner`: then its shortcode has a closing tag, as in Hugo."""
        return "inner" in jinja2.meta.find_undeclared_variables(self._parse(path))

    def digest_of(self, path: str) -> str:
        """A digest of the template at path and of every template it includes; "" when absent."""
        if path not in self.files:
            return ""
        if path not in self._digests:
            self._digests[path] = self._closure_digest(path)
        return self._digests[path]

    def render(self, path: str, variables: Mapping[str, Any],
               markdownify: Callable[[str, bool], str] | None = None) -> str:
        """The template's output; TemplateFailure with the template's file and line."""
        environment = self._environments[path.split("/")[0]]
        name = _name(path)
        try:
            template = environment.get_template(name)
            return template.render({**variables, "_markdownify": markdownify})
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateFailure(f"{_site_path(exc.name, path)}:{exc.lineno}: {exc.message}") from None
        except Exception as exc:   # a template's runtime errors are the site's, reported on its line
            raise TemplateFailure(f"{_where(exc.__traceback__, path)}: {type(exc).__name__}: {exc}") from None

    # -- internals ----------------------------------------------------------

    @cached_property
    def _digests(self) -> dict[str, str]:
        return {}

    @cached_property
    def _environments(self) -> dict[str, jinja2.Environment]:
        return {"layouts": self._environment("layouts/"), INCLUDES: self._environment(INCLUDES + "/")}

    def _environment(self, prefix: str) -> jinja2.Environment:
        def load(name: str) -> tuple[str, str, Callable[[], bool]] | None:
            text = self.files.get(prefix + name)
            return None if text is None else (text, prefix + name, lambda: True)

        environment = jinja2.Environment(loader=jinja2.FunctionLoader(load), autoescape=True,
                                         undefined=jinja2.ChainableUndefined, keep_trailing_newline=False,
                                         finalize=lambda value: "" if value is None else value)
        base_path = urlsplit(self.base_url).path or "/"

        def rel_url(value: Any) -> str:
            text = str(value)
            if urlsplit(text).scheme or text.startswith("//"):
                return text
            return base_path.rstrip("/") + "/" + text.lstrip("/")

        def abs_url(value: Any) -> str:
            return urljoin(self.base_url, rel_url(value))

        @jinja2.pass_context
        def markdownify(context: Any, value: Any) -> Markup:
            if isinstance(value, HtmlInner) or MARKER in str(value):
                return Markup(value)
            render = context.get("_markdownify")
            return Markup(render(str(value), False) if render else escape(value))

        environment.filters.update({
            "markdownify": markdownify, "plainify": lambda v: _TAG.sub("", str(v)),
            "strip_html": lambda v: _TAG.sub("", str(v)), "jsonify": lambda v: Markup(json.dumps(v, default=str)),
            "slugify": lambda v: slugify(str(v)), "safeHTML": Markup,
            "relURL": rel_url, "rel_url": rel_url, "relative_url": rel_url,
            "absURL": abs_url, "abs_url": abs_url, "absolute_url": abs_url,
        })
        return environment

    def _parse(self, path: str) -> Any:
        try:
            return self._environments[path.split("/")[0]].parse(self.files[path], _name(path), path)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateFailure(f"{path}:{exc.lineno}: {exc.message}") from None

    def _closure_digest(self, path: str) -> str:
        prefix = path.split("/")[0] + "/"
        seen, todo = set(), [path]
        while todo:
            current = todo.pop()
            if current in seen or current not in self.files:
                continue
            seen.add(current)
            try:
                names = list(jinja2.meta.find_referenced_templates(self._parse(current)))
            except TemplateFailure:
                names = []
            if any(name is None for name in names):   # a name computed at run time: any of them
                todo += [p for p in self.files if p.startswith(prefix)]
            todo += [prefix + name for name in names if name is not None]
        digest = hashlib.sha256()
        for current in sorted(seen):
            digest.update(f"{current}\0{self.files[current]}\0".encode("utf-8", "surrogatepass"))
        return digest.hexdigest()


def _name(path: str) -> str:
    """"layouts/shortcodes/x.html" → "shortcodes/x.html"; "_includes/a/b.html" → "a/b.html"."""
    return path.split("/", 1)[1]


def _site_path(name: str | None, fallback: str) -> str:
    if not name:
        return fallback
    return name if name.startswith(("layouts/", INCLUDES + "/")) else fallback


def _where(trace: TracebackType | None, fallback: str) -> str:
    """The template file and line a runtime error came from (Jinja maps frames to template lines)."""
    found = fallback
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if filename.startswith(("layouts/", INCLUDES + "/")):
            found = f"{filename}:{trace.tb_lineno}"
        trace = trace.tb_next
    return found


def read_site_templates(site: Path, params: Mapping[str, Any], title: str, base_url: str,
                        language: str) -> SiteTemplates:
    """The shortcode templates, partials and includes in a site folder (none: an empty set)."""
    files: dict[str, str] = {}
    folders = [site / "layouts" / name for name in LAYOUT_FOLDERS] + [site / INCLUDES]
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(site)
            if path.is_file() and not any(is_ignored_name(part) for part in rel.parts):
                files[rel.as_posix()] = path.read_text(encoding="utf-8", errors="replace")
    return SiteTemplates(files, dict(params), title, base_url, language)
