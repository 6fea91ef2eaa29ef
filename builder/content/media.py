"""Bundles and images as content files describe them.

A bundle is a folder with an `index.md`: one article or page, named by the
folder, whose other files are its own and are published next to it. Its lead
image (`image:`) is a file of the bundle or under `static/`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any, Iterable

from . import fields
from .model import LeadImage
from .sources import CONTENT_DIR

BUNDLE_INDEX = ("index.md", "index.markdown", "index.html", "index.htm")
# Folders whose index.md is a file of their own, not a bundle.
_NOT_BUNDLES = frozenset({"", "articles", "pages", "authors", "glossary", "_posts", "_drafts"})


def bundle_folder(rel: str) -> str:
    """The folder of a bundle ("content/articles/gipfel") when `rel` is its index.md, else "".

    Every file beside index.md (and in folders below it) belongs to the bundle and is
    published next to its page; `content/articles/index.md` and the like are no bundles.
    """
    path = PurePosixPath(rel)
    if path.name not in BUNDLE_INDEX:
        return ""
    inner = path.parent.relative_to(CONTENT_DIR).as_posix()
    return "" if inner in _NOT_BUNDLES or inner == "." else path.parent.as_posix()


def bundle_resources(rels: Iterable[str]) -> set[str]:
    """Content files inside a leaf bundle other than its index: Hugo's page resources, which are
    neither pages nor published (`url_rules: hugo`; elsewhere they are pages of their own)."""
    rels = list(rels)
    bundles = {folder for folder in map(bundle_folder, rels) if folder}
    found: set[str] = set()
    for rel in rels:
        own, parent = bundle_folder(rel), PurePosixPath(rel).parent
        if any(folder.as_posix() in bundles and folder.as_posix() != own for folder in (parent, *parent.parents)):
            found.add(rel)
    return found


def lead_image(p: fields.Problems, data: dict[str, Any]) -> LeadImage | None:
    """`image:` as a path, or a mapping with src, alt, caption, credit, licence and focus."""
    value = data.get("image")
    if value is None:
        return None
    line = p.lines.get("image", 1)
    if isinstance(value, str):
        return LeadImage(src=value.strip(), line=line) if value.strip() else None
    if not isinstance(value, dict):
        p.error("image", "'image' must be a file name or a mapping with 'src'",
                hint="write 'image: {src: foto.jpg, alt: \"…\", credit: \"…\"}'")
        return None
    value = dict(value)
    if "license" in value and "licence" not in value:
        value["licence"] = value.pop("license")
    known = ("src", "alt", "caption", "credit", "licence", "focus")
    for key in value:
        if key not in known:
            p.warning("image", f"unknown key '{key}' in 'image'", hint="use " + ", ".join(known))
    sub = fields.Problems(p.rel, {k: line for k in value})
    src = fields.text_of(sub, value, "src", required=True)
    alt = fields.text_of(sub, value, "alt") if "alt" in value else None
    focus = _focus(sub, value.get("focus"))
    p.items.extend(replace(d, line=line) for d in sub.items)
    if not src:
        return None
    return LeadImage(src=src, alt=alt, caption=fields.text_of(sub, value, "caption"),
                     credit=fields.text_of(sub, value, "credit"), licence=fields.text_of(sub, value, "licence"),
                     focus=focus, line=line)


def _focus(p: fields.Problems, value: Any) -> tuple[float, float]:
    """`focus: [0.3, 0.4]` (fractions of width and height, from the top left); the centre when absent."""
    if value is None:
        return (0.5, 0.5)
    if (isinstance(value, list) and len(value) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1 for v in value)):
        return (float(value[0]), float(value[1]))
    p.error("focus", "'focus' must be two numbers between 0 and 1, like [0.5, 0.3] (left to right, top to bottom)")
    return (0.5, 0.5)
