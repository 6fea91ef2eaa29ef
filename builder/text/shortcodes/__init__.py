"""Hugo shortcodes and Jekyll Liquid tags in Markdown bodies: run, resolved, or shown as written.

`preprocess(body, body_line, context)` runs before Markdown. Hugo's built-in
shortcodes (`hugo`), the site's own shortcode templates and Jekyll includes
(`templates`: Jinja, from `layouts/shortcodes/` and `_includes/`) and the
Liquid tags Jekyll posts use (`liquid`) become Markdown, URLs (`pages`) or
HTML, which travels as placeholders in the Markdown and is put back by the
Markdown renderer (`fragments`). A tag nothing runs is left in the text as
written and reported for a warning. Code is shown as written (`code`).

Template variables (README, "Shortcodes"): `params`, `get(0)`/`get("x")`,
`inner`, `name`, `is_named_params`, `ordinal`, `position`, `page`
(`title`, `url`, `permalink`, `date`, `params`, `param("x")`) and `site`
(`title`, `base_url`, `params`); includes see `include`, `page` and `site`.
"""

from __future__ import annotations

from .context import Context, PageView, SiteView, front_matter
from .dispatch import preprocess
from .fragments import Fragment, fragments_plugin
from .pages import Ambiguous, PageIndex
from .scanner import Preprocessed, TemplateTag, literal
from .templates import SiteTemplates, TemplateFailure, read_site_templates

__all__ = ["Ambiguous", "Context", "Fragment", "PageIndex", "PageView", "Preprocessed", "SiteTemplates",
           "SiteView", "TemplateFailure", "TemplateTag", "fragments_plugin", "front_matter",
           "literal", "preprocess", "read_site_templates"]
