"""Feed content: an article's rendered body turned into clean reading for feed readers.

The page shows each glossary term with a tooltip holding its definition; a
feed reader (or a browser's reader mode) shows no CSS, so the definition would
stand in the middle of the sentence. `clean_feed_html` keeps the term as a plain
link to its term page and drops the tooltip, scripts, buttons and form
controls, every `data-*`/`aria-*`/`role` attribute, turns `<picture>` into one
plain `<img src alt>` (the fallback's largest width) and makes every `href`
and `src` absolute against the article's URL (the base URL may have a sub path,
and feeds have no `xml:base` readers honour). It parses with html5lib, so
whatever the body holds, the output is well-formed.
"""

from __future__ import annotations

from typing import Callable
from urllib.parse import urljoin
from xml.etree import ElementTree as ET

import html5lib
from html5lib.serializer import HTMLSerializer

# Elements dropped with everything inside them.
_DROP = frozenset({"script", "noscript", "style", "template", "button", "input", "select", "textarea",
                   "form", "iframe", "object", "embed", "dialog"})
# Attributes dropped from every element (the annotator's, the theme's, lazy loading, responsive images).
_DROP_ATTRIBUTES = frozenset({"class", "role", "id", "style", "tabindex", "srcset", "sizes", "loading",
                              "decoding", "fetchpriority", "hidden", "onclick", "onload", "onerror"})
_URL_ATTRIBUTES = ("href", "src", "cite", "poster")
_IMG_ATTRIBUTES = ("src", "alt", "width", "height", "title")
_SERIALIZER = HTMLSerializer(quote_attr_values="always", omit_optional_tags=False, use_trailing_solidus=True,
                             minimize_boolean_attributes=False, resolve_entities=False)


def clean_feed_html(body: str, page_url: str) -> str:
    """Body HTML → feed HTML: plain term links, no tooltip or script markup, absolute URLs, plain images.

    `page_url` is the article's absolute URL; relative links (and `#footnote`
    anchors) resolve against it.
    """
    root = html5lib.parseFragment(body, treebuilder="etree", namespaceHTMLElements=False)
    _clean(root, lambda value: _absolute(value, page_url))
    walker = html5lib.getTreeWalker("etree")
    return "".join(_SERIALIZER.serialize(walker(root))).strip()


def _absolute(value: str, page_url: str) -> str:
    value = value.strip()
    if value.lower().startswith(("javascript:", "vbscript:", "data:text")):
        return ""
    return urljoin(page_url, value)


def _clean(parent: ET.Element, absolute: Callable[[str], str]) -> None:
    """Clean `parent`'s children in place, depth first."""
    index = 0
    while index < len(parent):
        child = parent[index]
        tag = child.tag if isinstance(child.tag, str) else ""
        classes = (child.get("class") or "").split()
        if not tag or tag in _DROP or "gl-tip" in classes or child.get("role") == "tooltip":
            _remove(parent, index)
            continue
        if tag == "picture":
            img = child.find(".//img")
            replacement = _plain_img(img, absolute) if img is not None else None
            _replace(parent, index, replacement)
            if replacement is None:
                continue
        elif tag == "span" and "gl" in classes:
            _unwrap(parent, index)     # the term's link stays, the tooltip goes on the next pass
            continue
        elif tag == "figcaption":
            child.text, child.tail = "".join(child.itertext()).strip(), child.tail
            for grandchild in list(child):
                child.remove(grandchild)
            _strip_attributes(child, absolute)
        elif tag == "img":
            parent[index] = _plain_img(child, absolute)
        else:
            _strip_attributes(child, absolute)
            _clean(child, absolute)
        index += 1


def _strip_attributes(element: ET.Element, absolute: Callable[[str], str]) -> None:
    for name in list(element.attrib):
        lowered = name.lower()
        if lowered in _DROP_ATTRIBUTES or lowered.startswith(("data-", "aria-", "on")):
            del element.attrib[name]
        elif lowered in _URL_ATTRIBUTES:
            element.set(name, absolute(element.get(name) or ""))


def _plain_img(img: ET.Element, absolute: Callable[[str], str]) -> ET.Element:
    """A plain `<img src alt>` (with its size, if known) in place of a responsive one."""
    plain = ET.Element("img")
    for name in _IMG_ATTRIBUTES:
        value = img.get(name)
        if value is not None:
            plain.set(name, absolute(value) if name == "src" else value)
    if plain.get("alt") is None:
        plain.set("alt", "")
    plain.tail = img.tail
    return plain


def _remove(parent: ET.Element, index: int) -> None:
    """Remove a child, keeping the text after it."""
    child = parent[index]
    _append_text(parent, index, child.tail)
    del parent[index]


def _replace(parent: ET.Element, index: int, replacement: ET.Element | None) -> None:
    if replacement is None:
        _remove(parent, index)
        return
    replacement.tail = parent[index].tail
    parent[index] = replacement


def _unwrap(parent: ET.Element, index: int) -> None:
    """Replace a child by its own children (its text and tail kept where they were)."""
    child = parent[index]
    _append_text(parent, index, child.text)
    inner = list(child)
    if inner:
        inner[-1].tail = (inner[-1].tail or "") + (child.tail or "")
    else:
        _append_text(parent, index, child.tail)
    del parent[index]
    for offset, element in enumerate(inner):
        parent.insert(index + offset, element)


def _append_text(parent: ET.Element, index: int, text: str | None) -> None:
    """Add `text` after whatever precedes child `index` (the previous child's tail, or the parent's text)."""
    if not text:
        return
    if index == 0:
        parent.text = (parent.text or "") + text
    else:
        parent[index - 1].tail = (parent[index - 1].tail or "") + text
