"""Images in Markdown: a paragraph that holds only an image becomes a `<figure>` with a caption.

`![Alt text](foto.jpg "Bildunterschrift"){credit="dpa/Jane Doe" licence="CC BY 4.0"}`:
the title is the caption, `credit` and `licence` come from an attribute list
right after the image (mdit-py-plugins' attrs syntax); `{.decorative}` marks
an image that needs no alt text. The HTML of each image (a `<picture>` with
its derivatives) comes from `env["image_html"]`, which the build provides; an
image it cannot find is an error on its line (`env["link_errors"]`), an image
without alt text a warning (`env["image_warnings"]`). Without that callback
images render as plain `<img>`.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any, Callable, Sequence

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin

from .embeds import embed_html, is_embed

# image_html(src, alt, attrs, in_figure, line) → the HTML, or None for a plain <img>;
# it raises LookupError (with the message) for an image that does not exist.
ImageHtml = Callable[[str, str, dict[str, Any], bool, int], "str | None"]
_LABELLED = re.compile(r"^[\w ]{1,20}:\s")


def figures_plugin(md: MarkdownIt) -> None:
    """Attribute lists after images, lone images as figures, and images rendered by the build."""
    attrs_plugin(md, after=("image",))
    md.core.ruler.push("figures", _figures)
    md.add_render_rule("image", _render_image)
    md.add_render_rule("paragraph_open", _render_figure_open)
    md.add_render_rule("paragraph_close", _render_figure_close)
    md.add_render_rule("link_close", _render_link_close)


def _figures(state: StateCore) -> None:
    """Mark paragraphs whose only content is one image, and note each image's line."""
    tokens = state.tokens
    line = 0
    for index, token in enumerate(tokens):
        if token.map:
            line = token.map[0]
        if token.type != "inline" or not token.children:
            continue
        for child in token.children:
            if child.type == "image":
                child.meta["line"] = line
        content = [c for c in token.children if not (c.type in ("text", "softbreak") and not c.content.strip())]
        # [![…](foto.jpg)](ziel): a linked image is a figure too, its caption after the link.
        linked = [c.type for c in content] == ["link_open", "image", "link_close"]
        if ((len(content) == 1 and content[0].type == "image" or linked) and index > 0
                and tokens[index - 1].type == "paragraph_open" and not tokens[index - 1].hidden):
            image = content[1] if linked else content[0]
            image.meta["figure"] = True
            if linked:
                image.meta["caption_after"] = content[2]
            tokens[index - 1].meta["figure"] = True
            tokens[index + 1].meta["figure"] = True


def _render_figure_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    if tokens[idx].meta.get("figure"):
        return '<figure class="image">\n'
    return self.renderToken(tokens, idx, options, env)


def _render_figure_close(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    if tokens[idx].meta.get("figure"):
        return "</figure>\n"
    return self.renderToken(tokens, idx, options, env)


def _render_link_close(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    return self.renderToken(tokens, idx, options, env) + tokens[idx].meta.get("figcaption", "")


def _render_image(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    attrs = dict(token.attrs)
    src = str(attrs.pop("src", ""))
    attrs.pop("alt", None)
    in_figure = bool(token.meta.get("figure"))
    line = int(token.meta.get("line", 0))
    if is_embed(src):
        return embed_html(src, alt, env.get("embeds_allowed", frozenset()))
    decorative = "decorative" in str(attrs.get("class", "")).split()
    if not alt.strip() and not decorative:
        env.setdefault("image_warnings", []).append(
            (line, f"image '{src}' has no alt text",
             "describe the image in the brackets, or mark it {.decorative} if it only decorates"))
    html: str | None = None
    make = env.get("image_html")
    if make is not None:
        try:
            html = make(src, alt, attrs, in_figure, line)
        except LookupError as exc:
            env.setdefault("link_errors", []).append((line, str(exc.args[0])))
    if html is None:
        title = attrs.get("title")
        html = (f'<img src="{escape(src)}" alt="{escape(alt)}"'
                + (f' title="{escape(str(title))}"' if title and not in_figure else "")
                + ' loading="lazy" decoding="async">')
    caption = figcaption(str(attrs.get("title") or ""), str(attrs.get("credit") or "")) if in_figure else ""
    if "caption_after" in token.meta:   # a linked figure: the caption follows the link
        token.meta["caption_after"].meta["figcaption"] = caption
        return html
    return html + caption


def figcaption(caption: str, credit: str, label: str = "Foto") -> str:
    """The caption and the credit line ("Foto: dpa/Jane Doe"), or nothing when both are empty."""
    if not caption and not credit:
        return ""
    if credit and not _LABELLED.match(credit):   # "Grafik: …" keeps its own label
        credit = f"{label}: {credit}"
    credit_html = f' <span class="credit">{escape(credit)}</span>' if credit else ""
    return f"\n<figcaption>{escape(caption)}{credit_html}</figcaption>"
