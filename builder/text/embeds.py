"""Third-party embeds that respect privacy: a placeholder until the reader asks for the content.

In Germany a page may not contact YouTube, X, Instagram or a chart host before
the reader agrees (TTDSG § 25, GDPR). Every embed therefore renders as a
placeholder that names the content and the provider, links to it (which is
all a browser without JavaScript shows) and has a button that loads the
content: only then does `embeds.js` put the iframe in (YouTube through its
no-cookie domain). A site may allow a provider for good (`embeds.allow` in
config.yaml); its embeds load with the page.

Shortcodes (`{{< youtube ID >}}`, `{{< embed src="…" >}}`) reach this module as
images with an `embed:` address (see `builder.text.shortcodes`), so Markdown
keeps its line numbers and the figure rule puts a lone embed in a `<figure>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Callable
from urllib.parse import quote, unquote, urlsplit

EMBED_SCHEME = "embed:"


@dataclass(frozen=True)
class Provider:
    """How one provider's content is named, linked and framed."""

    label: str                              # "YouTube"
    company: str                            # who receives the reader's data: "Google"
    kind: str                               # "Video", "Beitrag", "Grafik"
    link: Callable[[dict[str, str]], str]   # the content on the provider's own site
    frame: Callable[[dict[str, str]], str] | None   # the iframe's address, None: a link only


PROVIDERS: dict[str, Provider] = {
    "youtube": Provider("YouTube", "Google", "Video",
                        lambda a: f"https://www.youtube.com/watch?v={quote(a['id'])}",
                        lambda a: f"https://www.youtube-nocookie.com/embed/{quote(a['id'])}{_times(a)}"),
    "vimeo": Provider("Vimeo", "Vimeo", "Video",
                      lambda a: f"https://vimeo.com/{quote(a['id'])}",
                      lambda a: f"https://player.vimeo.com/video/{quote(a['id'])}?dnt=1"),
    "x": Provider("X", "X Corp.", "Beitrag",
                  lambda a: f"https://x.com/{quote(a.get('user', 'i'))}/status/{quote(a['id'])}",
                  lambda a: f"https://platform.twitter.com/embed/Tweet.html?id={quote(a['id'])}&dnt=true"),
    "instagram": Provider("Instagram", "Meta", "Beitrag",
                          lambda a: f"https://www.instagram.com/p/{quote(a['id'])}/",
                          lambda a: f"https://www.instagram.com/p/{quote(a['id'])}/embed"),
    "gist": Provider("GitHub Gist", "GitHub", "Code",
                     lambda a: f"https://gist.github.com/{quote(a.get('user', ''))}/{quote(a['id'])}", None),
    "embed": Provider("", "", "Inhalt", lambda a: a["src"], lambda a: a["src"]),
}
ALIASES = {"twitter": "x", "tweet": "x", "twitter_simple": "x", "vimeo_simple": "vimeo",
           "instagram_simple": "instagram"}


def _times(args: dict[str, str]) -> str:
    """Hugo's youtube `start` and `end` (seconds) as the player's query."""
    pairs = [f"{key}={args[key]}" for key in ("start", "end") if args.get(key, "").isdigit()]
    return "?" + "&".join(pairs) if pairs else ""


def embed_address(name: str, args: dict[str, str]) -> str | None:
    """The `embed:` address a shortcode stands for, or None when it lacks what it needs."""
    provider = ALIASES.get(name, name)
    if provider not in PROVIDERS:
        return None
    needed = "src" if provider == "embed" else "id"
    value = args.get(needed, "")
    if not value or (provider == "embed" and urlsplit(value).scheme != "https"):
        return None
    pairs = "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in sorted(args.items()))
    return f"{EMBED_SCHEME}{provider}?{pairs}"


def is_embed(src: str) -> bool:
    return src.startswith(EMBED_SCHEME)


def embed_html(src: str, title: str, allowed: frozenset[str] = frozenset()) -> str:
    """The placeholder (or, for an allowed provider, the iframe) for an `embed:` address."""
    name, _, query = src[len(EMBED_SCHEME):].partition("?")
    args = {unquote(k): unquote(v) for k, _, v in (p.partition("=") for p in query.split("&") if p)}
    provider = PROVIDERS[name]
    label = args.get("provider") or provider.label or urlsplit(args.get("src", "")).hostname or "Anbieter"
    company = provider.company or label
    title = title or args.get("title") or f"{provider.kind} von {label}"
    link = provider.link(args)
    frame = provider.frame(args) if provider.frame else None
    if frame is not None and name in allowed:
        return (f'<span class="embed embed-loaded" data-embed-provider="{escape(name)}">'
                f'<iframe src="{escape(frame)}" title="{escape(title)}" loading="lazy" '
                f'allowfullscreen referrerpolicy="strict-origin-when-cross-origin"></iframe></span>')
    parts = [f'<span class="embed" data-embed-provider="{escape(name)}">',
             f'<span class="embed-title">{escape(provider.kind)}: {escape(title)}</span>',
             f'<span class="embed-note">Dieser Inhalt kommt von {escape(label)}. Erst wenn Sie ihn laden, '
             f'werden Daten an {escape(company)} übertragen.</span>',
             f'<a class="embed-link" href="{escape(link)}" rel="noopener">Bei {escape(label)} öffnen</a>']
    if frame is not None:
        parts.append(f'<button type="button" class="embed-load" hidden data-embed-src="{escape(frame)}" '
                     f'data-embed-title="{escape(title)}">Inhalt von {escape(label)} laden</button>')
    parts.append("</span>")
    return "".join(parts)
