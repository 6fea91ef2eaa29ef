"""The preview's own words (its fallback 404 page and its error overlay) in the site's language."""

from __future__ import annotations

from functools import lru_cache
from types import MappingProxyType
from typing import Mapping

from ..text.i18n import messages_in


@lru_cache(maxsize=8)
def preview_texts(language: str) -> Mapping[str, str]:
    """The words the preview shows in a browser tab, from the theme's catalog for `language`."""
    messages = messages_in(language)   # called as `.gettext(…)`, so that Babel's extractor finds the ids
    return MappingProxyType({
        "not_found": messages.gettext("Page not found"),
        "failed": messages.gettext("Build failed"),
        "kept": messages.gettext("The preview shows the last version without errors. Once the error is fixed, "
                                 "the page reloads."),
        "hint": messages.gettext("Hint: %(hint)s"),
        "close": messages.gettext("Close"),
    })
