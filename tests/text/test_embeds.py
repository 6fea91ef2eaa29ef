"""Hugo's figure and embed shortcodes: Markdown images, and embeds as privacy placeholders."""

from __future__ import annotations

import html5lib
import pytest

from builder.content.config import MarkdownSettings
from builder.text.markdown import create_markdown, render_body
from builder.text.shortcodes import Context, preprocess

NS = {"h": "http://www.w3.org/1999/xhtml"}


def render(body: str, allowed: frozenset[str] = frozenset()) -> tuple[str, list]:
    md = create_markdown(MarkdownSettings())
    text, tags, errors, fragments, _ = preprocess(body, 1, Context(markdown=md))
    assert errors == []
    html = render_body(md, text, {"embeds_allowed": allowed, "fragments": fragments}).html
    return html, tags


def parse(html: str):
    return html5lib.parse(html, treebuilder="lxml", namespaceHTMLElements=True)


@pytest.mark.parametrize(("shortcode", "link", "frame"), [
    ("{{< youtube dQw4w9WgXcQ >}}", "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ('{{< youtube id="dQw4w9WgXcQ" title="Pressekonferenz" >}}', "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ("{{< vimeo 146022717 >}}", "https://vimeo.com/146022717", "https://player.vimeo.com/video/146022717?dnt=1"),
    ('{{< x user="SanDiegoZoo" id="1453110110599868418" >}}', "https://x.com/SanDiegoZoo/status/1453110110599868418",
     "https://platform.twitter.com/embed/Tweet.html?id=1453110110599868418&dnt=true"),
    ("{{< instagram BWNjjyYFxVx >}}", "https://www.instagram.com/p/BWNjjyYFxVx/",
     "https://www.instagram.com/p/BWNjjyYFxVx/embed"),
    ('{{< embed src="https://datawrapper.dwcdn.net/Ab1/2/" title="Umfrage" provider="Datawrapper" >}}',
     "https://datawrapper.dwcdn.net/Ab1/2/", "https://datawrapper.dwcdn.net/Ab1/2/"),
])
def test_an_embed_is_a_placeholder_that_contacts_nobody(shortcode: str, link: str, frame: str) -> None:
    html, tags = render(f"Vorher.\n\n{shortcode}\n\nNachher.\n")
    assert tags == []                                   # built in: no "not executed" warning
    doc = parse(html)
    box = doc.xpath("//h:figure/h:span[@class='embed']", namespaces=NS)[0]
    assert box.xpath("h:a/@href", namespaces=NS) == [link]
    button = box.xpath("h:button", namespaces=NS)[0]
    assert button.get("data-embed-src") == frame and button.get("hidden") is not None
    # Nothing in the page makes a browser fetch from the provider: no src, no srcset, no iframe.
    assert not doc.xpath("//*[@src] | //*[@srcset] | //h:iframe", namespaces=NS)
    assert "übertragen" in box.xpath("string(h:span[@class='embed-note'])", namespaces=NS)


def test_an_allowed_provider_loads_with_the_page() -> None:
    html, _ = render("{{< youtube dQw4w9WgXcQ >}}\n", frozenset({"youtube"}))
    frames = parse(html).xpath("//h:iframe/@src", namespaces=NS)
    assert frames == ["https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"]


def test_a_gist_is_a_link_only() -> None:
    html, _ = render("{{< gist spf13 7896402 >}}\n")
    doc = parse(html)
    assert doc.xpath("//h:a/@href", namespaces=NS) == ["https://gist.github.com/spf13/7896402"]
    assert not doc.xpath("//h:button", namespaces=NS)


def test_hugo_figure_becomes_a_figure_with_caption_and_credit() -> None:
    html, tags = render('{{< figure src="https://example.org/foto.jpg" alt="Der Saal" caption="Im Saal" '
                        'attr="dpa" >}}\n')
    assert tags == []
    figure = parse(html).xpath("//h:figure", namespaces=NS)[0]
    assert figure.xpath("string(h:figcaption)", namespaces=NS) == "Im Saal Foto: dpa"
    assert figure.xpath(".//h:img/@alt", namespaces=NS) == ["Der Saal"]


def test_an_embed_without_what_it_needs_stays_a_warning() -> None:
    html, tags = render('{{< youtube >}}\n\n{{< embed src="http://unsicher.example/" >}}\n')
    assert [t.text for t in tags] == ["{{< youtube >}}", '{{< embed src="http://unsicher.example/" >}}']
    assert "data-embed-src" not in html
