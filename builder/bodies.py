"""Rendering Markdown bodies (with glossary annotations) and keeping them by content digest."""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from markdown_it import MarkdownIt

from . import __version__
from .annotate import glossary_plugin
from .config import SiteConfig
from .glossary import Matcher
from .markdown import create_markdown, render_body
from .model import Term
from .textstats import term_frequencies


@dataclass(frozen=True)
class BodyInfo:
    """What a rendered body tells the rest of the build; the HTML itself is kept apart."""

    key: str
    terms: tuple[str, ...] = ()                 # annotated term slugs, in order of first use
    term_counts: Mapping[str, int] = field(default_factory=dict)  # every match, per term
    links: tuple[str, ...] = ()                 # internal site paths linked in the text
    headings: tuple[tuple[int, str, str], ...] = ()
    words: Mapping[str, int] = field(default_factory=dict)        # frequent content words
    errors: tuple[tuple[int, str], ...] = ()    # (line in the body, message)


def glossary_digest(terms: tuple[Term, ...], config: SiteConfig) -> str:
    """Everything about the glossary that changes annotated HTML."""
    digest = hashlib.sha256(repr((config.glossary, config.paths.glossary, config.base_path)).encode())
    for term in terms:
        digest.update(repr((term.slug, term.forms, term.summary, term.case_sensitive, term.inflect)).encode())
    return digest.hexdigest()


def body_key(*parts: str) -> str:
    """The cache key of one body: builder version, settings and the text itself."""
    digest = hashlib.sha256(__version__.encode())
    for part in parts:
        digest.update(b"\0")
        digest.update(part.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def make_markdown(config: SiteConfig, terms: tuple[Term, ...], term_url: Callable[[str], str]) -> MarkdownIt:
    """The site's Markdown renderer with the glossary annotator attached."""
    matcher = Matcher(terms, inflect=config.glossary.inflect)
    by_slug = {term.slug: term for term in terms}

    def annotate(md: MarkdownIt) -> None:
        glossary_plugin(md, matcher, by_slug, term_url=term_url, mode=config.glossary.mode)

    return create_markdown(config.markdown, [annotate] if terms else [])


def render(md: MarkdownIt, key: str, text: str, *, resolve_link: Callable[[str], str | None],
           url_for: Callable[[str], str], glossary: bool = True,
           exclude: str | None = None) -> tuple[str, BodyInfo]:
    """Render one body; returns its HTML and what it tells the rest of the build."""
    env = {
        "resolve_link": resolve_link,
        "url_for": url_for,
        "glossary_enabled": glossary,
        "glossary_exclude": exclude,
        "base_path": url_for("/"),
        "docId": "n",  # footnote ids become "fn-n-1": prefixed like every generated id
    }
    rendered = render_body(md, text, env)
    info = BodyInfo(
        key=key,
        terms=rendered.terms,
        term_counts=rendered.term_counts,
        links=rendered.links,
        headings=rendered.headings,
        words=term_frequencies(rendered.text),
        errors=tuple(env.get("link_errors", ())),
    )
    return rendered.html, info


class BodyStore:
    """Rendered body HTML and infos by key: in memory, and on disk when given a folder."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.memory: dict[str, str] = {}
        self.infos: dict[str, BodyInfo] = {}
        if folder is not None:
            self._load_index()

    def _index(self) -> Path:
        assert self.folder is not None
        return self.folder / "bodies.pickle"

    def _load_index(self) -> None:
        try:
            with open(self._index(), "rb") as handle:
                self.infos = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
            self.infos = {}  # a missing or stale cache is only slower, never wrong

    def _html_path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / "html" / key[:2] / f"{key}.html"


    def has(self, key: str) -> bool:
        if key not in self.infos:
            return False
        return key in self.memory or (self.folder is not None and self._html_path(key).exists())

    @staticmethod
    def write_html(folder: Path, key: str, html: str) -> None:
        """Store one body's HTML on disk (called from worker processes)."""
        path = folder / "html" / key[:2] / f"{key}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")

    def remember(self, info: BodyInfo, html: str | None) -> None:
        """Record a body rendered by a worker; its HTML is in memory or already on disk."""
        self.infos[info.key] = info
        if html is not None:
            self.memory[info.key] = html

    def html(self, key: str) -> str:
        if key in self.memory:
            return self.memory[key]
        assert self.folder is not None
        return self._html_path(key).read_text(encoding="utf-8")

    def save(self, keep: set[str]) -> None:
        """Write the index of the bodies this build used; forget the rest."""
        self.infos = {key: info for key, info in self.infos.items() if key in keep}
        self.memory = {key: html for key, html in self.memory.items() if key in keep}
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self._index().with_suffix(".tmp")
        with open(tmp, "wb") as handle:
            pickle.dump(self.infos, handle, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(self._index())
