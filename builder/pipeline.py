"""The whole build in one story: load → render bodies → link → plan pages → write.

`build()` writes a site folder atomically; `IncrementalBuilder` keeps the same
pipeline's results in memory between calls for the dev server. Both run the
same stages, so an incremental result always equals a full build.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Mapping

from . import __version__
from .bodies import BodyInfo, BodyStore, body_key, glossary_digest, make_markdown, render
from .config import SiteConfig, load_config
from .content import LoadOptions, load_article, load_term
from .errors import Diagnostic, Diagnostics
from .glossary import check_glossary, german_sort_key, summary_from_markdown
from .linking import link_site
from .model import Article, Term
from .pages import LinkedSite, PageSpec, plan_pages
from .parallel import cpu_count, map_indices
from .related import validate_related
from .render import Renderer, TemplateProblem, Urls, template_folders, theme_digest
from .sources import SourceFile, discover, is_ignored_name, read_text
from .templating import PageIndex, preprocess
from .write import MARKER, OutputError, StagedOutput, check_destination

CACHE_DIR = ".builder-cache"
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class BuildOptions:
    """What the command line (or a test) asks of one build."""

    source: Path
    destination: Path | None = None     # default: <source>/site
    drafts: bool = False
    base_url: str | None = None
    jobs: int = 0                       # 0: every core
    cache: bool = True                  # the persistent cache in <source>/.builder-cache
    strict: bool = False                # warnings count as errors

    @property
    def output(self) -> Path:
        return self.destination if self.destination is not None else self.source / "site"


@dataclass(frozen=True)
class BuildReport:
    """How a build went."""

    ok: bool
    diagnostics: tuple[Diagnostic, ...]
    articles: int = 0
    terms: int = 0
    tags: int = 0
    pages: int = 0
    rendered: int = 0
    seconds: float = 0.0
    sources: Mapping[str, str] = field(default_factory=dict)   # output path → content file

    def summary(self) -> str:
        return (f"Built {self.pages} pages: {self.articles} articles, {self.terms} terms, "
                f"{self.tags} tags in {self.seconds:.1f} s")


@dataclass
class Loaded:
    """The load stage's result."""

    config: SiteConfig
    articles: list[Article] = field(default_factory=list)
    drafts: list[Article] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)


def _load_one(state: tuple[list[SourceFile], LoadOptions, int], index: int
              ) -> tuple[str, Article | Term | None, list[Diagnostic], str | None]:
    """Worker: read, split and validate one content file."""
    files, options, max_size = state
    file = files[index]
    text, problem = read_text(file, max_size=max_size)
    if problem is not None or text is None:
        return file.kind, None, [problem] if problem else [], None
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    if file.kind == "term":
        term, found = load_term(file.rel, text, options)
        if term is not None and not term.summary:
            term = replace(term, summary=summary_from_markdown(term.body))
        return file.kind, term, found, digest
    article, found = load_article(file.rel, text, options)
    return file.kind, article, found, digest


def load_site(source: Path, config: SiteConfig, drafts: bool, problems: Diagnostics, jobs: int = 1) -> Loaded:
    """Read and validate every content file; collect every problem."""
    files, found = discover(source)
    problems.extend(found)
    options = LoadOptions(config.tz, config.fold_categories)
    loaded = Loaded(config)
    results = map_indices(_load_one, (files, options, config.markdown.max_file_size), len(files), jobs)
    for file, (kind, item, found_here, digest) in zip(files, results):
        problems.extend(found_here)
        if digest is not None:
            loaded.digests[file.rel] = digest
        if isinstance(item, Term):
            loaded.terms.append(item)
        elif isinstance(item, Article):
            (loaded.drafts if item.draft and not drafts else loaded.articles).append(item)
    _check_unique(loaded.articles + loaded.drafts, "article slug", lambda a: a.slug, problems)
    _check_unique(loaded.terms, "term slug", lambda t: t.slug, problems)
    problems.extend(check_glossary(loaded.terms))
    problems.extend(validate_related(loaded.articles + loaded.drafts))
    published = {a.slug for a in loaded.articles}
    loaded.articles = [replace(a, related=tuple(s for s in a.related if s in published))
                       if any(s not in published for s in a.related) else a for a in loaded.articles]
    loaded.articles.sort(key=lambda a: (a.date, a.slug), reverse=True)
    loaded.terms.sort(key=lambda t: (german_sort_key(t.term), t.slug))
    return loaded


def _check_unique(items: list[Any], what: str, key: Callable[[Any], str], problems: Diagnostics) -> None:
    seen: dict[str, Any] = {}
    for item in items:
        value = key(item)
        if value in seen:
            first = seen[value]
            problems.error(item.source, 1, f"{what} '{value}' is already used by {first.source}",
                           hint="rename one of the files or set a different 'slug:'")
        else:
            seen[value] = item


@dataclass(frozen=True)
class BodyJob:
    """Shared state for rendering bodies in worker processes (inherited by fork, never pickled)."""

    md: Any                    # the MarkdownIt instance with the glossary matcher, built once
    items: tuple[tuple[str, str, str, bool, str | None, str], ...]  # (key, source, text, glossary, exclude, slug)
    config: SiteConfig
    url_of_source: Mapping[str, str]
    keep_html: bool
    store_folder: Path | None


def _render_one(job: BodyJob, index: int) -> tuple[BodyInfo, str | None]:
    """Worker: render one body, store its HTML on disk, return its info (and HTML if kept)."""
    key, source, text, glossary, exclude, _ = job.items[index]

    def resolve(target: str) -> str | None:
        base = "content" if target.startswith("/") else posixpath.dirname(source)
        return job.url_of_source.get(posixpath.normpath(posixpath.join(base, target.lstrip("/"))))

    html, info = render(job.md, key, text, resolve_link=resolve, url_for=lambda p: _url_for(job.config, p),
                        glossary=glossary, exclude=exclude)
    if job.store_folder is not None:
        BodyStore.write_html(job.store_folder, key, html)
    return info, html if job.keep_html or job.store_folder is None else None


def _url_for(config: SiteConfig, path: str) -> str:
    return config.base_path + path.lstrip("/")


def render_bodies(loaded: Loaded, store: BodyStore, settings: str, jobs: int, keep_html: bool,
                  progress: Progress | None) -> tuple[dict[str, BodyInfo], dict[str, BodyInfo], list[Diagnostic]]:
    """Render every article and term body that the store does not hold yet."""
    config, terms = loaded.config, tuple(loaded.terms)
    url_of_source = {a.source: a.url for a in loaded.articles}
    url_of_source.update({t.source: f"/{config.paths.glossary}/{t.slug}/" for t in terms})
    links_digest = hashlib.sha256(repr(sorted(url_of_source.items())).encode()).hexdigest()
    base = (settings, glossary_digest(terms, config), links_digest)
    problems: list[Diagnostic] = []
    texts = expand_template_tags(loaded.articles, terms, url_of_source, config, problems)
    items = [(body_key(*base, a.source, texts[a.source], str(a.glossary)), a.source, texts[a.source],
              a.glossary, None, a.slug) for a in loaded.articles]
    items += [(body_key(*base, t.source, texts[t.source], "term"), t.source, texts[t.source], True, t.slug, t.slug)
              for t in terms]
    missing = tuple(item for item in items if not store.has(item[0]))
    if missing:
        term_url = Urls(config).term
        md = make_markdown(config, terms, lambda slug: _url_for(config, term_url(slug)))
        job = BodyJob(md, missing, config, url_of_source, keep_html, store.folder)
        done = map_indices(_render_one, job, len(missing), jobs,
                           (lambda n, total: progress("Rendering bodies", n, total)) if progress else None)
        for info, html in done:
            store.remember(info, html)
    article_infos = {slug: store.infos[key] for key, _, _, _, exclude, slug in items if exclude is None}
    term_infos = {slug: store.infos[key] for key, _, _, _, exclude, slug in items if exclude is not None}
    lines = {a.slug: a.body_line for a in loaded.articles} | {t.slug: t.body_line for t in terms}
    sources = {a.slug: a.source for a in loaded.articles} | {t.slug: t.source for t in terms}
    for infos in (article_infos, term_infos):
        for slug, info in infos.items():
            for line, message in info.errors:
                problems.append(Diagnostic(sources[slug], lines[slug] + line, message))
    return article_infos, term_infos, problems


def expand_template_tags(articles: list[Article], terms: tuple[Term, ...], url_of_source: Mapping[str, str],
                         config: SiteConfig, problems: list[Diagnostic]) -> dict[str, str]:
    """Bodies with Jekyll/Hugo link tags resolved and other tags kept literal (one warning each)."""
    index = PageIndex(url_of_source)
    texts: dict[str, str] = {}
    for item in (*articles, *terms):
        def resolve(target: str, source: str = item.source) -> str | None:
            url = index.resolve(target, source)
            return None if url is None else _url_for(config, url)
        text, tags, errors = preprocess(item.body, item.body_line, resolve)
        texts[item.source] = text
        problems.extend(Diagnostic(item.source, tag.line, tag.message, "warning", col=tag.col) for tag in tags)
        problems.extend(Diagnostic(item.source, line, message, col=col) for line, col, message in errors)
    return texts


def settings_digest(source: Path, config: SiteConfig) -> str:
    """Builder version, configuration and theme: what changes every page when it changes."""
    digest = hashlib.sha256(__version__.encode())
    digest.update(repr(config).encode())
    digest.update(theme_digest(source).encode())
    return digest.hexdigest()


def static_files(source: Path) -> tuple[tuple[str, Path, str], ...]:
    """Theme assets (→ /assets/) and the site's static/ folder (→ /), with digests."""
    found: dict[str, tuple[str, Path, str]] = {}
    folders = [(folder / "assets", "assets/") for folder in reversed(template_folders(source))]
    folders.append((source / "static", ""))
    root = source.resolve()
    for folder, prefix in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if not path.is_file() or any(is_ignored_name(part) for part in rel.parts):
                continue
            if folder.parent != root.parent and not path.resolve().is_relative_to(root) and prefix == "":
                continue  # a symlink in static/ that leaves the site
            data = path.read_bytes()
            out = prefix + rel.as_posix()
            found[out] = (out, path, hashlib.sha256(data).hexdigest())
    return tuple(found[k] for k in sorted(found))


@dataclass
class Prepared:
    """Everything up to the list of pages, or the problems that stop the build."""

    problems: Diagnostics
    digests: Mapping[str, str] = field(default_factory=dict)
    site: LinkedSite | None = None
    specs: list[PageSpec] = field(default_factory=list)
    renderer: Renderer | None = None


def prepare(options: BuildOptions, store_for: Callable[[SiteConfig], BodyStore], keep_html: bool,
            progress: Progress | None = None) -> tuple[Prepared, BodyStore | None]:
    """Load, render bodies, link and plan pages; stop early when content has errors."""
    problems = Diagnostics()
    config, found = load_config(options.source, base_url=options.base_url)
    problems.extend(found)
    if problems.errors:
        return Prepared(problems), None
    jobs = options.jobs or cpu_count()
    loaded = load_site(options.source, config, options.drafts, problems, jobs)
    settings = settings_digest(options.source, config)
    store = store_for(config)
    infos, term_infos, found = render_bodies(loaded, store, settings, jobs, keep_html, progress)
    problems.extend(found)
    if problems.errors or (options.strict and problems.warnings):
        return Prepared(problems, loaded.digests), store
    articles = tuple(loaded.articles)
    slug_of_path = {a.url: a.slug for a in articles}
    links = link_site(articles, infos, tuple(loaded.terms), config, slug_of_path)
    renderer = Renderer(options.source, config)
    site = LinkedSite(
        config=config, articles=articles, article_by_slug={a.slug: a for a in articles},
        terms=tuple(loaded.terms), term_by_slug={t.slug: t for t in loaded.terms},
        infos=infos, term_infos=term_infos, links=links, digests=loaded.digests,
        settings_digest=settings, static_files=static_files(options.source),
    )
    specs = plan_pages(site, renderer, store)
    seen: dict[str, PageSpec] = {}
    for spec in specs:
        if spec.path in seen:
            first = seen[spec.path].source or "a generated page"
            problems.error(spec.source or "content", 1 if spec.source else None,
                           f"output path '{spec.path}' is also produced by {first}",
                           hint="change the slug, url or alias of one of them")
        else:
            seen[spec.path] = spec
    return Prepared(problems, loaded.digests, site, specs, renderer), store


def _render_spec(specs: list[PageSpec], index: int) -> tuple[str, bytes | None, Diagnostic | None]:
    spec = specs[index]
    try:
        return spec.path, spec.make(), None
    except TemplateProblem as exc:
        return spec.path, None, exc.diagnostic


def _render_to_folder(state: tuple[list[PageSpec], StagedOutput], index: int) -> tuple[str, Diagnostic | None]:
    specs, staged = state
    path, data, problem = _render_spec(specs, index)
    if data is not None:
        staged.write(path, data)
    return path, problem


def cache_folder(source: Path) -> Path:
    return source / CACHE_DIR / __version__


def _manifest_path(source: Path, destination: Path) -> Path:
    key = hashlib.sha256(str(destination.resolve()).encode()).hexdigest()[:16]
    return cache_folder(source) / f"manifest-{key}.json"


def build(options: BuildOptions, progress: Progress | None = None) -> BuildReport:
    """Build the site into its destination; on errors the previous output stays as it was."""
    started = time.perf_counter()
    destination = options.output
    try:
        check_destination(options.source, destination)
    except OutputError as exc:
        return BuildReport(False, (Diagnostic(str(destination), None, str(exc)),))
    folder = cache_folder(options.source) if options.cache else None
    prepared, store = prepare(options, lambda config: BodyStore(folder), keep_html=False, progress=progress)
    problems, site = prepared.problems, prepared.site
    if problems.errors or site is None or (options.strict and problems.warnings):
        return BuildReport(False, tuple(problems.items), seconds=time.perf_counter() - started)
    assert store is not None
    manifest_file = _manifest_path(options.source, destination)
    previous = _read_manifest(manifest_file) if options.cache and (destination / MARKER).exists() else {}
    staged = StagedOutput(destination)
    rendered = 0
    try:
        todo: list[PageSpec] = []
        for spec in prepared.specs:
            if previous.get(spec.path) == spec.fingerprint and staged.reuse(spec.path):
                continue
            todo.append(spec)
        results = map_indices(_render_to_folder, (todo, staged), len(todo), options.jobs or cpu_count(),
                              (lambda n, total: progress("Writing pages", n, total)) if progress else None)
        rendered = len(todo)
        for _, problem in results:
            if problem is not None:
                problems.items.append(problem)
        if site.config.search:
            _index_for_search(staged.staging, site.config.language, problems)
        if problems.errors:
            staged.abort()
            return BuildReport(False, tuple(_unique(problems.items)), seconds=time.perf_counter() - started)
        staged.commit()
    except BaseException:
        staged.abort()
        raise
    if options.cache:
        keep = {info.key for info in (*site.infos.values(), *site.term_infos.values())}
        store.save(keep)
        _write_manifest(manifest_file, {spec.path: spec.fingerprint for spec in prepared.specs})
    return BuildReport(True, tuple(problems.items), len(site.articles), len(site.terms), len(site.links.tags),
                       sum(1 for s in prepared.specs if s.path.endswith(".html")), rendered,
                       time.perf_counter() - started, {s.path: s.source for s in prepared.specs if s.source})


def _index_for_search(folder: Path, language: str, problems: Diagnostics) -> None:
    """Pagefind's index for the search page; without Pagefind the site builds, search stays empty."""
    from .search import SearchIndexError, index_site
    try:
        index_site(folder, language=language)
    except SearchIndexError as exc:
        problems.warning("config.yaml", None, f"search index not built: {exc}")


def _unique(items: list[Diagnostic]) -> list[Diagnostic]:
    return list(dict.fromkeys(items))


def _read_manifest(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_manifest(path: Path, manifest: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, sort_keys=True), encoding="utf-8")
    tmp.replace(path)


@dataclass(frozen=True)
class BuildOutcome:
    """One dev-server build: the whole site in memory and what changed."""

    ok: bool
    diagnostics: tuple[Diagnostic, ...]
    files: Mapping[str, bytes]              # the site of the last good build
    changed: frozenset[str]                 # output paths whose bytes differ from the previous good build
    sources_changed: tuple[str, ...]        # content files whose text changed since the last call
    url_of_source: Mapping[str, str]        # content file → site path of its page
    base_path: str
    summary: str


class IncrementalBuilder:
    """The pipeline kept warm in memory: each build() redoes only what changed inputs need."""

    def __init__(self, source: Path, *, drafts: bool = False, base_url: str | None = None,
                 jobs: int = 0) -> None:
        self.options = BuildOptions(source=source, drafts=drafts, base_url=base_url, jobs=jobs, cache=False)
        self.store = BodyStore(None)
        self.files: dict[str, bytes] = {}
        self.fingerprints: dict[str, str] = {}
        self.digests: dict[str, str] = {}
        self.url_of_source: dict[str, str] = {}
        self.base_path = "/"

    def ignored(self, path: Path) -> bool:
        """Paths that never affect the build: output, caches, VCS, hidden and editor files."""
        try:
            rel = path.resolve().relative_to(self.options.source.resolve())
        except ValueError:
            return True
        parts = rel.parts
        if not parts:
            return False
        return (parts[0] in ("site", CACHE_DIR, ".git", "__pycache__", ".venv", "tests", "benchmarks")
                or any(is_ignored_name(part) for part in parts))

    def build(self) -> BuildOutcome:
        """Rebuild from the site folder; never raises for content or template errors."""
        started = time.perf_counter()
        prepared, _ = prepare(self.options, lambda config: self.store, keep_html=True)
        changed_sources = tuple(sorted(
            path for path in set(prepared.digests) | set(self.digests)
            if prepared.digests.get(path) != self.digests.get(path)))
        if prepared.digests:
            self.digests = dict(prepared.digests)
        site = prepared.site
        if prepared.problems.errors or site is None:
            return self._outcome(False, prepared.problems.items, frozenset(), changed_sources, started, site)
        files: dict[str, bytes] = {}
        fingerprints: dict[str, str] = {}
        problems = list(prepared.problems.items)
        for index, spec in enumerate(prepared.specs):
            old = self.files.get(spec.path)
            if old is not None and self.fingerprints.get(spec.path) == spec.fingerprint:
                files[spec.path] = old
            else:
                _, data, problem = _render_spec(prepared.specs, index)
                if problem is not None:
                    problems.append(problem)
                    continue
                files[spec.path] = data  # type: ignore[assignment]
            fingerprints[spec.path] = spec.fingerprint
        if any(p.severity == "error" for p in problems):
            return self._outcome(False, problems, frozenset(), changed_sources, started, site)
        changed = frozenset(path for path in set(files) | set(self.files)
                            if files.get(path) != self.files.get(path))
        self.files, self.fingerprints = files, fingerprints
        self.store.save({info.key for info in (*site.infos.values(), *site.term_infos.values())})
        self.url_of_source = {a.source: a.url for a in site.articles}
        self.url_of_source.update({t.source: f"/{site.config.paths.glossary}/{t.slug}/" for t in site.terms})
        self.base_path = site.config.base_path
        return self._outcome(True, problems, changed, changed_sources, started, site)

    def _outcome(self, ok: bool, diagnostics: list[Diagnostic], changed: frozenset[str],
                 sources_changed: tuple[str, ...], started: float, site: LinkedSite | None) -> BuildOutcome:
        seconds = time.perf_counter() - started
        if ok and site is not None:
            summary = (f"Built {sum(1 for p in self.files if p.endswith('.html'))} pages: {len(site.articles)} "
                       f"articles, {len(site.terms)} terms, {len(site.links.tags)} tags in {seconds:.2f} s")
        else:
            summary = f"Build failed with {sum(1 for d in diagnostics if d.severity == 'error')} error(s)"
        return BuildOutcome(ok, tuple(_unique(diagnostics)), self.files, changed, sources_changed,
                            dict(self.url_of_source), self.base_path, summary)
