"""Term use across the site: which articles use each term, and which terms occur together.

Both follow from each article's terms alone. After a build in which few
articles' term use changed (one was added, deleted, edited or dated anew),
`term_use_again` takes the last links' lists and makes again only those of
the terms those articles use or used; counting every article's terms again
takes about a second at 100,000 articles.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Mapping

from ..content.model import Article, BodyInfo
from ..related.term_pairs import companions, related_terms

TermLists = dict[str, tuple[str, ...]]


def term_articles(articles: tuple[Article, ...], infos: Mapping[str, BodyInfo]) -> TermLists:
    """Term slug → the slugs of the articles that use it, in the order of `articles` (newest first)."""
    users: dict[str, list[str]] = defaultdict(list)
    for article in articles:
        for slug in terms_used(infos[article.slug]):
            users[slug].append(article.slug)
    return {slug: tuple(found) for slug, found in users.items()}


def terms_together(articles: tuple[Article, ...], infos: Mapping[str, BodyInfo]) -> TermLists:
    """Term slug → the terms that occur together with it in the most articles."""
    return related_terms(_counted(infos[article.slug]) for article in articles)


def term_use_again(articles: tuple[Article, ...], infos: Mapping[str, BodyInfo], users: Mapping[str, tuple[str, ...]],
                   together: Mapping[str, tuple[str, ...]], changed: set[str]) -> tuple[TermLists, TermLists] | None:
    """`term_articles` and `terms_together` from the last ones (`users`, `together`), where only the
    articles `changed` (new, gone, with other terms or another date) differ; None when that is most of them."""
    if len(changed) * 2 > len(articles):
        return None
    position = {article.slug: index for index, article in enumerate(articles)}
    now = {slug: set(terms_used(infos[slug])) for slug in changed if slug in position}
    touched = {term for term, found in users.items() if not changed.isdisjoint(found)}
    touched.update(*now.values())
    lists = dict(users)
    for term in touched:
        found = [slug for slug in users.get(term, ()) if slug not in changed]
        found += [slug for slug, used in now.items() if term in used]
        found.sort(key=position.__getitem__)
        if found:
            lists[term] = tuple(found)
        else:
            lists.pop(term, None)
    # A term's companions count the terms of every article using it: the terms no changed article
    # uses, or used, keep theirs. Past a pass over the site's articles, counting all is cheaper.
    if sum(len(lists.get(term, ())) for term in touched) > len(articles):
        return lists, terms_together(articles, infos)
    pairs = dict(together)
    for term in touched:
        counts: Counter[str] = Counter()
        for slug in lists.get(term, ()):
            counted = set(_counted(infos[slug]))
            if term in counted and len(counted) > 1:
                counts.update(counted)
        if counts:
            pairs[term] = companions(term, counts)
        else:
            pairs.pop(term, None)
    return lists, pairs


def terms_used(info: BodyInfo) -> list[str]:
    """The terms a body annotates or counts, in code-point order."""
    return sorted(set(info.terms) | {slug for slug, count in info.term_counts.items() if count})


def _counted(info: BodyInfo) -> list[str]:
    return [slug for slug, count in info.term_counts.items() if count]
