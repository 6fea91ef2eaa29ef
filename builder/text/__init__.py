"""Text in, text out: Markdown, figures, embeds, shortcodes, glossary forms and matching, annotation, statistics.

In: a Markdown body and the glossary's terms. Out: HTML with annotations and
what the text contains (terms used, links, words). Knows nothing of pages,
sites or files.

May import: `builder.content` (settings and model types), `builder.util`, `builder.errors`.
"""
