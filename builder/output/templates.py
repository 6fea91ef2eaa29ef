"""Turning the linked site into HTML pages with the Jinja2 theme."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import jinja2
from markupsafe import Markup

from ..content.config import SiteConfig
from ..content.dates import datetime_text, day_text, iso
from ..content.site_structure import current_marks
from ..content.urls import Urls
from ..errors import Diagnostic
from ..text.i18n import Messages, catalogs_digest, list_separator, messages_for, number_text
from .structured_data import headline, publisher_ld
from .template_runtime import ThemeEnvironment


def _theme_dir() -> Path:
    """The default theme: this checkout's layouts/, or the copy an installed wheel carries."""
    package = Path(__file__).resolve().parent.parent
    checkout = package.parent / "layouts"
    return checkout if (checkout / "base.html").is_file() else package / "theme"


THEME_DIR = _theme_dir()
TEMPLATE_SUFFIX = ".html"


@dataclass(frozen=True)
class SiteInfo:
    """What templates see as `site`."""

    title: str
    description: str
    language: str
    base_url: str
    author: str
    search: bool
    publisher: str = ""       # who publishes: `publisher.name`, else the title
    locale: str = "de_DE"     # dates and og:locale


class TemplateProblem(Exception):
    """A template failed; carries a diagnostic naming the template and line."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic


def template_folders(site: Path) -> list[Path]:
    """The site's own layouts first, then the default theme."""
    own = site / "layouts"
    return [own, THEME_DIR] if own.is_dir() and own.resolve() != THEME_DIR else [THEME_DIR]


def theme_digest(site: Path) -> str:
    """A digest of every template and asset and of the message catalogs, so caches notice theme edits."""
    digest = hashlib.sha256(catalogs_digest().encode())
    for folder in template_folders(site):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(folder)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


class FragmentMemo:
    """`{% call remember(key …) %}…{% endcall %}` in a template: the block rendered once per key.

    One memo per build: the key must name everything the block shows that a build can change
    (the teaser macro's: the article's slug and the macro's arguments). Past LIMIT fragments it
    starts again, so a page writer's memory stays bounded on a site of any size. Fragments made
    before the pages are written (`first`, see `pipeline.teaser_pass`) are never forgotten."""

    LIMIT = 20_000

    def __init__(self) -> None:
        self.kept: dict[tuple[Any, ...], str] = {}
        self.first: dict[tuple[Any, ...], str] = {}
        self.made: list[tuple[tuple[Any, ...], str]] | None = None   # when a list: what the memo made is added

    def __call__(self, *key: Any, caller: Callable[[], str]) -> str:
        try:
            found = self.first.get(key) or self.kept.get(key)
        except TypeError:   # a value that cannot be a key (a list a theme passed): made, not kept
            return caller()
        if found is None:
            if len(self.kept) >= self.LIMIT:
                self.kept.clear()
            found = self.kept[key] = caller()
            if self.made is not None:
                self.made.append((key, found))
        return found

    def get(self, *key: Any) -> str | None:
        """The block kept for `key`, or None. `{{ remember.get(key …) or teaser(…) }}` in a listing's
        loop skips the macro call for a kept teaser (2.5 against 8.4 µs)."""
        try:
            return self.first.get(key) or self.kept.get(key)
        except TypeError:
            return None

    def keep_first(self, made: Iterable[tuple[tuple[Any, ...], str]]) -> None:
        """Keep these fragments for good (what `made` recorded)."""
        self.first.update(made)


def _plain_gettext(messages: Messages) -> dict[str, Callable[..., Markup]]:
    """`_`, `gettext` and `pgettext` as Jinja's newstyle i18n makes them, with each message
    without values made once per renderer.

    Jinja's own go through three context calls per message (9.5 µs against 3.3 µs), about 18
    times a page. The result is the same only because every template autoescapes."""
    plain: dict[tuple[str | None, str], Markup] = {}

    def gettext(message: str, **variables: Any) -> Markup:
        if variables:
            return Markup(messages.gettext(message)) % variables
        found = plain.get((None, message))
        if found is None:
            found = plain[None, message] = Markup(messages.gettext(message)) % {}
        return found

    def pgettext(context: str, message: str, **variables: Any) -> Markup:
        if variables:
            return Markup(messages.pgettext(context, message)) % variables
        found = plain.get((context, message))
        if found is None:
            found = plain[context, message] = Markup(messages.pgettext(context, message)) % {}
        return found

    return {"_": gettext, "gettext": gettext, "pgettext": pgettext}


class _ThemeLoader(jinja2.FileSystemLoader):
    """The theme's folders, as Jinja's loader reads them; a template that is not UTF-8 text is a
    syntax error naming its file and the line of the first byte that is not."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError as exc:
            pieces = jinja2.loaders.split_template_path(template)
            path = next(found for folder in self.searchpath if (found := Path(folder, *pieces)).is_file())
            line = path.read_bytes()[:exc.start].count(b"\n") + 1
            raise jinja2.TemplateSyntaxError(f"not UTF-8 text: byte {exc.object[exc.start]:#04x} at offset "
                                             f"{exc.start} cannot be read", line, template, str(path)) from None


class Renderer:
    """The Jinja environment with the theme's globals and filters, and its words in the site's language
    (`_()`, `ngettext()`, `pgettext()` from `builder.text.i18n`; `gettext` for the Python that plans pages)."""

    def __init__(self, site: Path, config: SiteConfig, bytecode: Path | None = None) -> None:
        """`bytecode`: a folder where compiled templates are kept for the next build (by name, file and
        source, and the environment's options, so that a changed template is compiled again)."""
        self.config = config
        self.urls = Urls(config)
        self.folders = template_folders(site)
        self.messages: Messages = messages_for(config)
        self.gettext = self.messages.gettext
        self.env = ThemeEnvironment(
            loader=_ThemeLoader([str(f) for f in self.folders]),
            autoescape=True,  # every template, whatever its extension
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            # No stat of every template on every render: a theme change makes a new Renderer
            # (the settings digest covers the theme), so compiled templates are never stale.
            auto_reload=False,
            extensions=["jinja2.ext.i18n"],
        )
        # newstyle: `_("Page %(number)s", number=n)` escapes its values and formats in every language.
        self.env.install_gettext_translations(self.messages, newstyle=True)  # type: ignore[attr-defined]
        self.env.globals.update(_plain_gettext(self.messages))
        urls, locale = self.urls, config.locale
        self.env.globals.update(
            site=SiteInfo(config.title, config.description, config.language, config.base_url,
                          config.author, config.search, config.publisher.name or config.title, config.locale),
            url=urls.url,
            abs_url=urls.abs_url,
            asset=lambda name: urls.url(f"/assets/{name}"),
            tag_url=urls.tag,
            term_url=urls.term,
            glossary_url=urls.glossary(),
            tags_url=urls.tags(),
            search_url=urls.search(),
            authors_url=urls.authors(),
            archive_url=urls.archive(),
            section_url=urls.section,
            feed_url=urls.feed,
            menus={},
            menu_marks=current_marks,
            byline=lambda article: [(name, None) for name in article.authors],
            teaser_image=lambda article, kind="small": "",
            list_separator=lambda index, length: list_separator(index, length, locale),
            remember=FragmentMemo(),
        )
        self.env.filters.update(
            datetime=lambda value: datetime_text(value, locale),   # "26. Januar 2022, 19:50 Uhr"
            day=lambda value: day_text(value, locale),             # "26. Januar 2022"
            number=lambda value: number_text(value, locale),       # "1.000" / "1,000"
            iso=iso,
        )
        # The names of older themes (they follow the site's locale too).
        self.env.filters.update(de_date=self.env.filters["datetime"], de_day=self.env.filters["day"])
        if bytecode is not None:
            self.env.bytecode_cache = _bytecode_cache(self.env, bytecode)

    def set_globals(self, values: Mapping[str, Any]) -> None:
        """Give the templates another build's globals (menus, bylines, the fragment memo, …).

        The theme imports its partials without the page's context, so Jinja makes each partial's
        module once and keeps it with the values the globals had then; those are dropped here, and
        the next import makes them again from these globals."""
        self.env.globals.update(values)
        for template in list(self.env.cache.values()) if self.env.cache is not None else ():
            template._module = None   # Jinja's cached module (`Template.module`)

    def compile_all(self) -> None:
        """Compile every template now (workers forked afterwards share them); a broken or unreadable
        one is reported when a page renders it."""
        for name in self.env.list_templates(filter_func=lambda name: name.endswith(".html")):
            try:
                self.env.get_template(name)
            except (jinja2.TemplateError, OSError):
                continue

    def has_template(self, name: str) -> bool:
        """Whether the theme (or the site's own layouts) has this template."""
        return any((folder / name).is_file() for folder in self.folders)

    def render(self, template: str, **context: Any) -> str:
        """Render one template; failures become a TemplateProblem naming template and line."""
        try:
            return self.env.get_template(template).render(context)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateProblem(Diagnostic(self._display(exc.filename, exc.name), exc.lineno,
                                             exc.message or "template syntax error")) from None
        except jinja2.TemplateNotFound as exc:
            raise TemplateProblem(Diagnostic(f"layouts/{exc.name}", None, "template not found")) from None
        except jinja2.UndefinedError as exc:
            filename, line = _template_frame(exc)
            raise TemplateProblem(Diagnostic(self._display(filename, template), line,
                                             f"{exc.message}", hint="check the variable's spelling")) from None

    def _display(self, filename: str | None, fallback: str | None) -> str:
        if filename:
            path = Path(filename)
            for folder in self.folders:
                if path.is_relative_to(folder):
                    return "layouts/" + path.relative_to(folder).as_posix()
        return f"layouts/{fallback}"


def _bytecode_cache(env: jinja2.Environment, folder: Path) -> jinja2.BytecodeCache | None:
    """Jinja's cache of compiled templates, in a folder of `folder` for these compile options."""
    options = repr((jinja2.__version__, env.block_start_string, env.block_end_string, env.variable_start_string,
                    env.variable_end_string, env.comment_start_string, env.comment_end_string,
                    env.line_statement_prefix, env.line_comment_prefix, env.trim_blocks, env.lstrip_blocks,
                    env.newline_sequence, env.keep_trailing_newline, env.autoescape, env.optimized,
                    sorted(env.extensions), sorted(env.filters), sorted(env.tests),
                    getattr(env, "newstyle_gettext", None)))
    path = folder / hashlib.sha256(options.encode()).hexdigest()[:16]
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None   # compiled in every build, as without a cache
    return jinja2.FileSystemBytecodeCache(str(path))


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The innermost template file and line in a traceback (Jinja rewrites frames to templates)."""
    found: tuple[str | None, int | None] = (None, None)
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(TEMPLATE_SUFFIX):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def news_article_ld(article: Any, urls: Urls, config: SiteConfig, section: Any = None,
                    byline: Sequence[tuple[str, Any]] = (), lead: Any = None,
                    logo_size: tuple[int, int] = (0, 0)) -> dict[str, Any]:
    """JSON-LD for a NewsArticle (rendered with |tojson, so it is escaped for <script>).

    `byline` pairs each author's name with their profile (or None): a profile gives
    the Person a `url` and `sameAs`, as Google's Article documentation asks. The
    headline is cut to 110 characters (`structured_data.headline_problems` warns).
    """
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": headline(article.title),
        "datePublished": iso(article.date),
        "dateModified": iso(article.modified),
        "mainEntityOfPage": urls.abs_url(article.url),
        "url": urls.abs_url(article.url),
        "inLanguage": config.language,
        "isAccessibleForFree": True,
        "publisher": publisher_ld(config, urls, logo_size),
    }
    if article.summary:
        data["description"] = article.summary
    if article.authors:
        people = []
        for name, profile in byline or [(name, None) for name in article.authors]:
            person: dict[str, Any] = {"@type": "Person", "name": profile.name if profile else name}
            if profile is not None:
                person["url"] = urls.abs_url(profile.url)
                if profile.links:
                    person["sameAs"] = list(profile.links)
            people.append(person)
        data["author"] = people
    if article.tags:
        data["keywords"] = list(article.tags)
    if section is not None:
        data["articleSection"] = section.title
    if lead is not None:
        images = []
        for crop in lead.crops:
            image: dict[str, Any] = {"@type": "ImageObject", "url": urls.abs_url(crop.url),
                                     "width": crop.width, "height": crop.height}
            if lead.image.caption:
                image["caption"] = lead.image.caption
            if lead.image.credit:
                image["creditText"] = lead.image.credit
            if lead.image.licence:
                image["copyrightNotice"] = lead.image.licence
            images.append(image)
        data["image"] = images
    if article.corrections:
        data["correction"] = [{"@type": "CorrectionComment", "datePublished": iso(c.date), "text": c.text}
                              for c in article.corrections]
    return data


def breadcrumb_ld(crumbs: Sequence[tuple[str, str]], urls: Urls) -> dict[str, Any]:
    """JSON-LD BreadcrumbList for (name, site path) pairs from the front page down."""
    return {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
        {"@type": "ListItem", "position": n, "name": name, "item": urls.abs_url(path)}
        for n, (name, path) in enumerate(crumbs, 1)]}


def markup(html: str) -> Markup:
    """HTML that the Markdown renderer produced and escaped already."""
    return Markup(html)


ContextFn = Callable[[], Mapping[str, Any]]
