"""From the linked site to files: page plan, templates, feeds, sitemaps, JSON-LD, images, search, writing.

In: the linked site (articles, terms, their rendered bodies, related lists,
tags). Out: one `PageSpec` per output file (path, fingerprint, how to render
it), rendered bytes, and an output folder swapped in or patched atomically.

May import: `builder.text`, `builder.content`, `builder.util`, `builder.errors`.
"""
