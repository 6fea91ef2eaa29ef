"""Real redirects from the alias pages of a built site.

The build writes an old URL (`aliases:`) as a small HTML page with
`<meta http-equiv="refresh" content="0; url=/new/">` (layouts/redirect.html). Hosts can
answer such URLs with a `301` if told: `_redirects` (Netlify, Cloudflare Pages), an nginx
`map` include, or S3's `WebsiteRedirectLocation`. The pages stay as the fallback.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import quote

from .common import site_files

REDIRECTS = "_redirects"
NGINX_MAP = "redirects.nginx.conf"
# Within the head, where layouts/redirect.html puts it; a page mentioning the tag in its text
# has it escaped (&lt;meta ...), so only real refresh tags match.
_REFRESH = re.compile(rb'<meta http-equiv="refresh" content="0; url=([^"]+)">')
_HEAD_BYTES = 8192


def refresh_target(head: bytes) -> str | None:
    """The URL an alias page redirects to, read from the page's first bytes; None for other pages."""
    end = head.find(b"</head>")
    found = _REFRESH.search(head if end < 0 else head[:end])
    return html.unescape(found.group(1).decode("utf-8", "replace")) if found else None


def find_redirects(site: Path) -> dict[str, str]:
    """Site-relative path of every alias page → its target URL, sorted by path."""
    found = {}
    for rel, path in sorted(site_files(site)):
        if rel.endswith(".html") and not path.is_symlink():
            with path.open("rb") as handle:
                target = refresh_target(handle.read(_HEAD_BYTES))
            if target is not None:
                found[rel] = target
    return found


def source_url(rel: str, base_path: str = "/") -> str:
    """The URL path an output file answers: `a/index.html` is `<base>a/`."""
    path = rel[: -len("index.html")] if rel == "index.html" or rel.endswith("/index.html") else rel
    return base_path + path


def redirect_files(site_folder: Path, base_path: str = "/",
                   redirects: dict[str, str] | None = None) -> dict[str, bytes]:
    """`_redirects` and `redirects.nginx.conf` for the alias pages of a built site.

    Empty when the site has no alias pages. A `_redirects` the site already has (from
    `static/`) comes first, so its own rules win. Pure apart from reading the folder.
    """
    found = find_redirects(site_folder) if redirects is None else redirects
    if not found:
        return {}
    pairs = [(source_url(rel, base_path), target) for rel, target in sorted(found.items())]
    return {REDIRECTS: _netlify(site_folder, pairs), NGINX_MAP: _nginx(pairs)}


def _netlify(site: Path, pairs: list[tuple[str, str]]) -> bytes:
    own = site / REDIRECTS
    lines = [own.read_text(encoding="utf-8").rstrip("\n")] if own.is_file() else []
    lines.append("# Old URLs (aliases:) of this site, written by builder's publish step.")
    lines += [f"{_encode(source)} {_encode(target)} 301" for source, target in pairs]
    return ("\n".join(lines) + "\n").encode()


def _nginx(pairs: list[tuple[str, str]]) -> bytes:
    lines = [
        "# Old URLs (aliases:) of this site, written by builder's publish step.",
        "# Include this file inside `http { }` and answer with the redirect inside `server { }`:",
        "#     if ($builder_redirect) { return 301 $builder_redirect; }",
        "map $uri $builder_redirect {",
        '    default "";',
    ]
    for source, target in pairs:
        lines.append(f"    {_nginx_quote(source)} {_nginx_quote(target)};")
        if source.endswith("/"):   # nginx's $uri for a folder request may carry index.html
            lines.append(f"    {_nginx_quote(source + 'index.html')} {_nginx_quote(target)};")
    lines.append("}")
    return ("\n".join(lines) + "\n").encode()


def _encode(url: str) -> str:
    """Percent-encode what _redirects cannot carry raw (spaces, non-ASCII), keep URL syntax."""
    return quote(url, safe="/:?#&=%~+@!$,;*'()")


def _nginx_quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") + '"'
