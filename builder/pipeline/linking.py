"""The link stage: what needs every article at once — related articles, backlinks, tags, term use."""

from __future__ import annotations

import hashlib
import marshal
from collections import Counter, defaultdict
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any, Mapping

from ..content.bylines import AuthorIndex
from ..content.config import SiteConfig
from ..content.model import Article, BodyInfo, Links, RelatedEntry, TagInfo, Term
from ..related.backlinks import backlinks
from ..related.features import ArticleSignals
from ..related.reranking import FORMAT as RANKING_FORMAT
from ..related.reranking import RankState, rank_related_again
from ..text.collation import german_sort_key
from ..text.textstats import WordCounts
from ..util.digests import fingerprint
from ..util.slug import tag_slug
from .delta_cache import EntryFile
from .pickle_cache import read_pickle, write_pickle
from .term_use import term_articles, term_use_again, terms_together


class RelatedCache:
    """The last link stage's result, by a digest of everything it was computed from,
    and the ranking state that lets the next ranking redo only what an edit affects.

    The key is made of what the stage reads: each article's front matter and a digest of its
    body's signals (`signal_digest`, kept by body key, so computed once per body), so that an
    edit that changes no term use, top word or link keeps the links without a ranking (and
    one that changes no term use keeps the term lists: `terms_key`).

    The state is as large as the links themselves (every article's feature keys), and only a
    build whose links changed reads it: a cache in a folder keeps it in a file of its own, read
    when asked for and written at once; one in memory keeps it only when `keep_state` (the dev
    server, whose next build is in this process), never for a one-off build. In files, the
    related entries are stored once, with the links (the state's results are the same entries),
    and as plain tuples: half a million RelatedEntry objects pickle several times slower.
    """

    def __init__(self, path: Path | None, keep_state: bool = True) -> None:
        self.path = path
        self.keep_state = keep_state and path is None
        self.key: str | None
        self.value: Any
        layout, key, terms_key, value = read_pickle(path, (None, None, None, None))
        self._entry_file: EntryFile[Any] = EntryFile(self._beside("entries"), LAYOUT)
        if layout != LAYOUT:
            key = terms_key = value = None
        self.key, self.terms_key, self.value = key, terms_key, _joined(value, self._entry_file.entries, key)
        self._state: RankState | None = None
        self._signal_file: EntryFile[str] = EntryFile(self._beside("signals"), SIGNALS_LAYOUT)
        self.signals: dict[str, str] = self._signal_file.entries   # body key → signal_digest()
        self._new_signals = False

    @classmethod
    def seeded(cls, path: Path) -> "RelatedCache":
        """A cache in memory (the preview's) that starts with a build's cache files: read once here,
        ranking state included, and never written, since the preview may run beside a build."""
        cache = cls(path, keep_state=False)
        state = cache.rank_state
        cache.path, cache.keep_state, cache._state = None, True, state
        cache._signal_file = EntryFile(None, SIGNALS_LAYOUT)
        return cache

    def _beside(self, name: str) -> Path | None:
        return self.path.with_name(f"{self.path.stem}-{name}.pickle") if self.path else None

    def signal_digest(self, info: BodyInfo) -> str:
        found = self.signals.get(info.key)
        if found is None:
            found = self.signals[info.key] = signal_digest(info)
            self._new_signals = True
        return found

    def keep_signals(self, keys: set[str]) -> None:
        """Keep the signal digests of these bodies only (those of the last build), on disk too."""
        if self._new_signals or len(self.signals) != len(keys):
            self.signals = {key: digest for key, digest in self.signals.items() if key in keys}
            if self.path is not None:
                self._signal_file.save(self.signals)
            self._new_signals = False

    @property
    def state_path(self) -> Path | None:
        return self._beside("state")

    @property
    def rank_state(self) -> RankState | None:
        """The last ranking's state (with its results, which a file's state takes from the links)."""
        if self.path is None:
            return self._state
        layout, key, state = read_pickle(self.state_path, (None, None, None))
        if (layout != LAYOUT or key != self.key or not isinstance(state, RankState)
                or not isinstance(self.value, Links)):
            return None   # (a state written by a put whose links were not: of other links)
        related = self.value.related
        if any(slug not in related for slug in state.slugs):
            return None
        return replace(state, results=tuple(related[slug] for slug in state.slugs))

    def get(self, key: str) -> Any:
        return self.value if key == self.key else None

    def put(self, key: str, value: Any, rank_state: RankState | None, terms_key: str | None = None) -> None:
        self.key, self.value, self.terms_key = key, value, terms_key
        self._state = rank_state if self.keep_state else None
        if self.path is not None and self.state_path is not None:
            write_pickle(self.state_path, (LAYOUT, key, replace(rank_state, results=()) if rank_state else None))
            if isinstance(value, Links):   # the entries first: a key file of another put never reads them
                self._entry_file.save(_split(key, value))
                value = replace(value, related={}, shown={}, term_articles={})
            write_pickle(self.path, (LAYOUT, key, terms_key, value))


LAYOUT = 6   # of the files: entries as plain tuples, the state without its results (6: the state with its key)
SIGNALS_LAYOUT = "signal digests/2"
_entry = partial(tuple.__new__, RelatedEntry)


_KEY = "\0key"   # in the entries file: the key of the put that wrote it


def _split(key: str, links: Links) -> dict[str, Any]:
    """The entries file's entries: each article's related entries (as plain tuples) and shown digest,
    each term's articles, and the key."""
    entries: dict[str, Any] = {_KEY: key}
    entries.update((f"a:{slug}", tuple(map(tuple, found))) for slug, found in links.related.items())
    entries.update((f"s:{slug}", shown) for slug, shown in links.shown.items())
    entries.update((f"t:{slug}", users) for slug, users in links.term_articles.items())
    return entries


def _joined(value: Any, entries: Mapping[str, Any], key: str | None) -> Any:
    """The links of the key file with the entries file's parts; None when the two are of other puts."""
    if not isinstance(value, Links):
        return value
    if entries.get(_KEY) != key:
        return None
    related: dict[str, Any] = {}
    shown: dict[str, str] = {}
    term_articles: dict[str, tuple[str, ...]] = {}
    parts: dict[str, dict[str, Any]] = {"a": related, "s": shown, "t": term_articles}
    for name, found in entries.items():
        if name != _KEY:
            parts[name[0]][name[2:]] = found
    return replace(value, related={slug: tuple(map(_entry, found)) for slug, found in related.items()},
                   shown=shown, term_articles=term_articles)


def shown_digest(related: tuple[RelatedEntry, ...], back: tuple[str, ...]) -> str:
    """What an article's page shows of its related articles and backlinks, but their cards (`Links.shown`)."""
    return _digest(([(entry.slug, entry.reasons, entry.explicit) for entry in related], back))


def _shown_digests(articles: tuple[Article, ...], related: Mapping[str, tuple[RelatedEntry, ...]],
                   back: Mapping[str, tuple[str, ...]], previous: Links | None) -> dict[str, str]:
    """Every article's `shown_digest`; one whose entries and backlinks are those of the last links
    keeps its digest (a new article changes a few hundred lists of 100,000)."""
    old_shown = previous.shown if previous is not None else {}
    old_related = previous.related if previous is not None else {}
    old_back = previous.backlinks if previous is not None else {}
    shown: dict[str, str] = {}
    for article in articles:
        slug = article.slug
        entries, linked = related.get(slug, ()), back.get(slug, ())
        digest = old_shown.get(slug)
        if digest is None or old_related.get(slug) != entries or old_back.get(slug, ()) != linked:
            digest = shown_digest(entries, linked)
        shown[slug] = digest
    return shown


def signal_digest(info: BodyInfo) -> str:
    """A digest of everything the link stage reads of a body: the terms it annotates and how
    often it uses each (the first 32 characters, which are all the term lists read), then its
    top words and its links (in their order, which ranking follows)."""
    return _digest((info.terms, info.term_counts)) + _digest((_packed(info.words), info.links))


def _packed(words: Mapping[str, int]) -> Any:
    """Top words in a form marshal takes, the same for a dict and its `WordCounts`."""
    packed = WordCounts.of(words)
    return (packed.words, packed.counts) if isinstance(packed, WordCounts) else packed


def _digest(parts: tuple[Any, ...]) -> str:
    try:
        data = b"m" + marshal.dumps(parts, 2)
    except ValueError:   # a mapping of another type than dict
        data = b"r" + repr(parts).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def link_site(articles: tuple[Article, ...], infos: Mapping[str, BodyInfo], terms: tuple[Term, ...],
              config: SiteConfig, slug_of_path: Mapping[str, str], cache: RelatedCache | None = None,
              jobs: int = 1) -> Links:
    """Related articles, backlinks, tags and term usage for articles sorted newest first."""
    names = {term.slug: term.term for term in terms}
    settings = config.related
    cache = cache or RelatedCache(None)
    # Everything below follows from these: settings, term names, URLs, each article's front
    # matter and what its body tells (see RelatedCache).
    digest = cache.signal_digest
    # Dates as text (ranking reads their moments; a datetime would send all of it to repr, 0.3 s at
    # 100,000 articles), the rest usually plain data for marshal.
    signal_digests = [digest(infos[a.slug]) for a in articles]
    key = fingerprint(RANKING_FORMAT, repr(settings), sorted(names.items()), sorted(slug_of_path.items()),
                      [(a.slug, a.date.isoformat(), a.tags, a.related, found)
                       for a, found in zip(articles, signal_digests)])
    cache.keep_signals({infos[a.slug].key for a in articles})
    links = cache.get(key)
    if not isinstance(links, Links):  # everything below follows from the signals (term use is their `terms`)
        signals = article_signals(articles, infos, slug_of_path)
        related: Mapping[str, tuple[RelatedEntry, ...]] = {a.slug: () for a in articles}
        before = state = cache.rank_state   # of the last links
        # The term lists follow from the articles' order and each one's term use alone.
        terms_key = hashlib.sha256(repr([(a.slug, found[:32]) for a, found in zip(articles, signal_digests)])
                                   .encode("utf-8", "surrogatepass")).hexdigest()
        previous = cache.value if isinstance(cache.value, Links) else None
        unranked: list[Any] = []   # what does not depend on the ranking: made while the rankers work

        def make_unranked() -> None:
            if previous is not None and cache.terms_key == terms_key:
                users, together = previous.term_articles, previous.related_terms
            else:
                changed = _changed_term_use(articles, signal_digests, before) if previous is not None else None
                again = None if changed is None else term_use_again(
                    articles, infos, previous.term_articles, previous.related_terms, changed)  # type: ignore[union-attr]
                users, together = again or (term_articles(articles, infos), terms_together(articles, infos))
            unranked.extend((users, together, backlinks(signals), collect_tags(articles)))

        if settings.count:
            # What the features read of an article: its body's terms and words, and its tags.
            feature_digests = {a.slug: found + repr(a.tags) for a, found in zip(articles, signal_digests)}
            related, state = rank_related_again(signals, settings, names, state, jobs=jobs, digests=feature_digests,
                                                meanwhile=make_unranked)
        else:
            state = None
        if not unranked:   # ranked without workers, or not at all
            make_unranked()
        users, together, back, tags = unranked
        links = Links(
            related=related,
            backlinks=back,
            tags=tags,
            term_articles=users,
            related_terms=together,
            shown=_shown_digests(articles, related, back, previous),
        )
        cache.put(key, links, state, terms_key)
    return links


def article_signals(articles: tuple[Article, ...], infos: Mapping[str, BodyInfo],
                    slug_of_path: Mapping[str, str]) -> list[ArticleSignals]:
    """What ranking related articles and backlinks need of each article and its body."""
    return [
        ArticleSignals(
            slug=a.slug, date=a.date, tags=a.tags, terms=infos[a.slug].term_counts,
            words=infos[a.slug].words, related=a.related,
            links=tuple(dict.fromkeys(s for s in (slug_of_path.get(link) for link in infos[a.slug].links)
                                      if s is not None and s != a.slug)),
        )
        for a in articles
    ]


def collect_tags(articles: tuple[Article, ...]) -> tuple[TagInfo, ...]:
    """Tags by slug; "NATO" and "Nato" are one tag shown as its most used spelling."""
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    members: dict[str, dict[str, None]] = defaultdict(dict)   # insertion-ordered set
    slug_of: dict[str, str] = {}
    for article in articles:
        for tag in article.tags:
            slug = slug_of.get(tag)
            if slug is None:
                slug = slug_of[tag] = tag_slug(tag)
            if not slug:
                continue
            spellings[slug][tag] += 1
            members[slug][article.slug] = None
    tags = [TagInfo(min(spellings[slug].items(), key=lambda kv: (-kv[1], kv[0]))[0], slug, tuple(members[slug]))
            for slug in spellings]
    return tuple(sorted(tags, key=lambda t: german_sort_key(t.name)))


def _changed_term_use(articles: tuple[Article, ...], signal_digests: list[str], before: RankState | None
                      ) -> set[str] | None:
    """The slugs of articles whose term use or date differs from those of the ranking `before` (which
    was made with the last links), and of those gone since; None when `before` cannot tell."""
    built = before.built if before is not None else None
    if before is None or built is None or len(built.digests) != len(built.slugs):
        return None
    # A feature digest starts with the signal digest, whose first 32 characters are the term use's.
    old = {slug: (digest[:32], moment) for slug, digest, moment in zip(built.slugs, built.digests, before.times)}
    changed: set[str] = set()
    for article, found in zip(articles, signal_digests):
        last = old.pop(article.slug, None)
        if last is None or last[0] != found[:32] or last[1] != article.date.timestamp():
            changed.add(article.slug)
    changed.update(old)
    return changed


def group_by_section(articles: tuple[Article, ...]) -> dict[str, tuple[str, ...]]:
    """Section slug → its articles' slugs, newest first (as `articles` are)."""
    groups: dict[str, list[str]] = defaultdict(list)
    for article in articles:
        if article.section:
            groups[article.section].append(article.slug)
    return {slug: tuple(found) for slug, found in groups.items()}


def group_by_author(articles: tuple[Article, ...], authors: AuthorIndex) -> dict[str, tuple[str, ...]]:
    """Author profile slug → the slugs of the articles whose byline names them, newest first."""
    groups: dict[str, list[str]] = defaultdict(list)
    for article in articles:
        for profile in dict.fromkeys(p for p in map(authors.profile, article.authors) if p is not None):
            groups[profile.slug].append(article.slug)
    return {slug: tuple(found) for slug, found in groups.items()}
