"""The pipeline: load → render bodies → link → plan pages → write, with its caches and workers.

`build.build()` runs the stages top to bottom; `incremental` keeps them
warm in memory for the dev server, and `body_edit` is its shortcut for an
edit of an article's text alone; `text_edit` is the same shortcut for a build
from the command line, from what the last build left (`edit_state`). The stages: `loading` (every content file
read and validated on every core), `bodies` (Markdown rendered and annotated,
kept in `body_packs`), `linking` (what needs every article at once: related,
backlinks, tags), then `site_writing` (the planned pages rendered on every core
and committed at once). `caches` names what a build may reuse and where it lives.
Caches on disk: `pickle_cache` (a value per file), `delta_cache` (a large
dict written as base plus changes); `unchanged` lets a build whose inputs are
as the last one found them return at once.

May import: `builder.output`, `builder.related`, `builder.text`, `builder.content`,
`builder.util`, `builder.errors`.
"""
