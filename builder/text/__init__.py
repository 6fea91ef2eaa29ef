"""Text in, text out: Markdown, figures, embeds, shortcodes, glossary forms and matching, annotation, statistics.

In: a Markdown body and the glossary's terms. Out: HTML with annotations and
what the text contains (terms used, links, words). Of pages and the site it
knows only what a body's shortcodes are handed (`shortcodes.Context`); the
only files it reads are the site's shortcode templates and includes
(`shortcodes.read_site_templates`).

May import: `builder.content` (settings and model types), `builder.util`, `builder.errors`.
"""
