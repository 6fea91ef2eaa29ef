"""Where every page lives: site paths ("/artikel/x/") and the file each path is written to."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote, urlsplit

from .config import SiteConfig
from ..util.slug import tag_slug


@lru_cache(maxsize=4096)
def _slug(name: str) -> str:
    return tag_slug(name)


class Urls:
    """Site paths ("/artikel/x/") for every kind of page, and URLs under the base path."""

    def __init__(self, config: SiteConfig) -> None:
        self.base_path = config.base_path
        parts = urlsplit(config.base_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.paths = config.paths
        self._urls: dict[str, str] = {}  # every page asks for the same few dozen URLs

    def url(self, path: str) -> str:
        """A site path under the base path: "/x/" → "/zeitung/x/"."""
        found = self._urls.get(path)
        if found is None:
            found = self._urls[path] = self.base_path + quote(path.lstrip("/"), safe="/#?=&%~+@:")
        return found

    def abs_url(self, path: str) -> str:
        return self.origin + self.url(path)

    def term(self, slug: str) -> str:
        return f"/{self.paths.glossary}/{slug}/"

    def tag(self, name: str) -> str:
        return f"/{self.paths.tags}/{_slug(name)}/"

    def glossary(self) -> str:
        return f"/{self.paths.glossary}/"

    def tags(self) -> str:
        return f"/{self.paths.tags}/"

    def search(self) -> str:
        return f"/{self.paths.search}/"

    def archive(self, number: int = 1) -> str:
        """Page `number` of the archive: every article, newest first."""
        return self.numbered(f"/{self.paths.archive}/", number)

    def home_page(self, number: int) -> str:
        return self.numbered("/", number)

    def tag_page(self, name: str, number: int) -> str:
        return self.numbered(self.tag(name), number)

    def section(self, slug: str) -> str:
        return f"/{slug}/"

    def authors(self) -> str:
        return f"/{self.paths.authors}/"

    def author(self, slug: str) -> str:
        return f"/{self.paths.authors}/{slug}/"

    def numbered(self, base: str, number: int) -> str:
        """Page `number` of the listing at `base`: "/politik/" → "/politik/seite/2/" (`paths.page`:
        "seite" on German sites, "page" on English ones)."""
        return base if number == 1 else f"{base}{self.paths.page}/{number}/"

    @staticmethod
    def feed(base: str) -> str:
        """The Atom feed of the listing at `base`: "/politik/" → "/politik/feed.xml"."""
        return f"{base}feed.xml"


def output_path(site_path: str) -> str:
    """Where a site path's file lives under the destination: "/x/" → "x/index.html"."""
    path = site_path.lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path
