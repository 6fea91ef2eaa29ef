"""Finding the page a link tag names: Hugo's `ref`/`relref` rules, and Jekyll's `link`/`post_url`.

Hugo (`ref`, `relref`), after its `getContentNode`: a path without a leading
slash is first taken relative to the linking page (a leaf bundle's
`x/index.md` links from its section's folder, `../` with an extension from
its own), then as the file it names beside the linking file, then from
`content/`; a path with a leading slash only from `content/`. `x.md`, `x`,
`x/index.md` and `x/_index.md` all name the page `x`; case does not matter.
Only a bare name (no slash) may then match a page by its name anywhere, and
only when one page has that name. A path that names no page matches none:
never a page that only shares its file name.

Jekyll (`link`, `post_url`): a path relative to the site folder, to
`content/` or to the linking file, then — as migrated sites move `_posts/`
around — the file name, with or without its date.
"""

from __future__ import annotations

import posixpath
import re
from typing import Mapping

_DATED = re.compile(r"^\d{4}-\d{2}-\d{2}-(.+)$")
SUFFIXES = (".md", ".markdown", ".html", ".htm")


class Ambiguous(LookupError):
    """A name that fits several pages."""


class PageIndex:
    """Pages by what Hugo and Jekyll link tags name (pure: built from a mapping).

    url_of_source maps source paths relative to the site folder
    ("content/articles/2022-01-21-genf.md") to page URLs.
    """

    def __init__(self, url_of_source: Mapping[str, str], content_dir: str = "content") -> None:
        self.urls = dict(url_of_source)
        self.content_dir = content_dir
        self.by_path: dict[str, str | None] = {}     # Hugo's page path, lower case: "articles/genf"
        self.by_name: dict[str, list[str]] = {}      # file name, stem, undated stem → sources
        for source in sorted(self.urls):
            key = self._hugo_path(source)
            if key is not None:
                self.by_path[key] = None if key in self.by_path else source
            folder, name = posixpath.split(source)
            stem, suffix = posixpath.splitext(name)
            if stem in ("index", "_index") and suffix in SUFFIXES:
                stem = posixpath.basename(folder)  # Hugo page bundle: the folder names the page
                name = stem + suffix
            undated = _DATED.match(stem)
            for key in {name, stem, *((undated.group(1),) if undated else ())}:
                self.by_name.setdefault(key.lower(), []).append(source)

    def _hugo_path(self, source: str) -> str | None:
        """"content/Articles/x/index.md" → "articles/x" (None outside content/)."""
        prefix = self.content_dir + "/"
        if not source.startswith(prefix):
            return None
        return _page_path(source[len(prefix):])

    # -- Hugo ----------------------------------------------------------------

    def resolve_hugo(self, ref: str, source: str | None = None) -> str | None:
        """The URL of the page a `ref`/`relref` names (anchor not included), or None.

        Raises Ambiguous for a bare name that several pages have.
        """
        ref = ref.strip().replace("\\", "/").rstrip("/") or "/"
        has_suffix = posixpath.splitext(ref)[1].lower() in SUFFIXES
        if source is not None and not ref.startswith("/"):
            home = self._hugo_path(source)
            if home is not None:
                folder = posixpath.dirname(source[len(self.content_dir) + 1:])
                stem = posixpath.splitext(posixpath.basename(source))[0]
                # A section's _index.md, and "../x.md" from a bundle, go from the file's own folder;
                # anything else from the folder that holds the page (a bundle's parent).
                if stem == "index" and not (has_suffix and ref.startswith("../")):
                    folder = posixpath.dirname(folder)
                found = self._by_hugo_path(posixpath.join(folder, ref))
                if found is None and has_suffix:
                    beside = posixpath.normpath(posixpath.join(posixpath.dirname(source), ref))
                    found = self.urls.get(beside)
                if found is not None:
                    return found
        if ref.startswith("."):
            return None   # relative to the page only
        found = self._by_hugo_path(ref)
        if found is not None or "/" in ref:
            return found
        return self._by_name(posixpath.splitext(ref)[0] if has_suffix else ref)

    def _by_hugo_path(self, path: str) -> str | None:
        path = posixpath.normpath("/" + path).lstrip("/")
        if path.startswith("../"):
            return None
        source = self.by_path.get(_page_path(path) or "")
        return self.urls[source] if source is not None else None

    def _by_name(self, name: str) -> str | None:
        sources = self.by_name.get(name.lower(), [])
        if len(sources) > 1:
            raise Ambiguous(f"the name '{name}' fits {len(sources)} pages: " + ", ".join(sources[:3])
                            + (", …" if len(sources) > 3 else ""))
        return self.urls[sources[0]] if sources else None

    # -- Jekyll --------------------------------------------------------------

    def resolve_jekyll(self, target: str, source: str | None = None) -> str | None:
        """The URL of the page a `{% link %}` or `{% post_url %}` names, or None (also when ambiguous)."""
        target = target.strip()
        if not target:
            return None
        relative = target.lstrip("/")
        candidates = [posixpath.join(self.content_dir, relative), relative]
        if source is not None and not target.startswith("/"):
            candidates.insert(0, posixpath.join(posixpath.dirname(source), target))
        for candidate in candidates:
            candidate = posixpath.normpath(candidate)
            for path in (candidate, *(candidate + s for s in SUFFIXES)):
                if path in self.urls:
                    return self.urls[path]
        name = posixpath.basename(relative.removeprefix("_posts/"))
        stem = posixpath.splitext(name)[0] if name.lower().endswith(SUFFIXES) else name
        for key in (name, stem, *((m.group(1),) if (m := _DATED.match(stem)) else ())):
            sources = self.by_name.get(key.lower(), [])
            if len(sources) == 1:
                return self.urls[sources[0]]
            if sources:
                return None  # ambiguous
        return None

    def resolve(self, target: str, source: str | None = None, style: str = "jekyll") -> str | None:
        """resolve_hugo or resolve_jekyll, by `style` ("hugo" or "jekyll")."""
        if style == "hugo":
            return self.resolve_hugo(target, source)
        return self.resolve_jekyll(target, source)


def _page_path(path: str) -> str | None:
    """A content-relative file or page path as Hugo names the page: no suffix, no index, lower case."""
    stem, suffix = posixpath.splitext(path)
    if suffix.lower() in SUFFIXES:
        path = stem
    folder, name = posixpath.split(path)
    if name in ("index", "_index"):
        path = folder
    return path.strip("/").lower()
