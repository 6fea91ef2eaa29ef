"""What a site is made of: settings, sections and menus, content files, front matter, URLs, the frozen model.

In: the site folder (`config.yaml`, `content/`). Out: a `SiteConfig`, validated
`Article` and `Term` values, the site's URL scheme (`urls`), and the frozen
values later stages hand on (`model`). Each file is read and validated on its
own here; what needs every file at once happens in `builder.pipeline`.

May import: `builder.util`, `builder.errors`.
"""
