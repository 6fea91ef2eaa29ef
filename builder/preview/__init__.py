"""The dev server beside the pipeline: serve the in-memory site, watch the folder, reload open tabs.

`session` wires an incremental build, the HTTP `server` (answers decided by
the pure `responses`) and the file `watch`er. Calls `builder.pipeline`; nothing
in the pipeline imports this package.

May import: `builder.pipeline` and everything below it.
"""
