"""Related articles: every article's features, their inverted index, ranking, and backlinks.

In: one `ArticleSignals` per article (terms, tags, words, links, dates). Out:
ranked `RelatedEntry` lists with their reasons, re-ranked after an edit only
where the edit can change them; backlinks and the checks of `related:` keys.

May import: `builder.content`, `builder.util`, `builder.errors`.
"""
