"""Feed content's two readers: the builder's own body HTML read by one regular expression gives
exactly what the standard library's HTML parser gives, and anything else goes to the parser."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

import pytest

import builder.output.listings as listings
from builder.output.feed_content import _absolute, _clean_with_parser, _Cleaner, _origin, clean_feed_html
from builder.pipeline.build import BuildOptions, build
from conftest import write_site

PAGE = "https://zeitung.example/ausgabe/politik/x/"

# What markdown-it and the annotator write, in the forms the expression reads.
OWN = [
    '<p>Die <span class="gl"><a class="gl-term" href="/ausgabe/glossar/nato/" data-term="nato" '
    'aria-describedby="gl-tip-nato-1">NATO</a><span class="gl-tip" role="tooltip" id="gl-tip-nato-1">'
    'Das Bündnis.</span></span> tagt.</p>',
    '<p>Fu&szlig; &amp; &quot;Ma&szlig;&quot; &lt;b&gt; &#x27;x&#39; a > b</p>\n<hr />\n<br/>',
    '<p><a href="/a?x=1&amp;y=&quot;2&quot;#f" title="&lt;T&gt;">l</a> <img src="bild.png" alt="">'
    '<input type="checkbox" disabled checked> <IMG SRC="/B.PNG" ALT="Groß"> <EM>laut</EM></p>',
    '<ol class="footnotes-list">\n<li id="fn1" class="footnote-item"><p>Eine Fußnote. '
    '<a href="#fnref1" class="footnote-backref">↩︎</a></p>\n</li>\n</ol>',
    '<figure class="image"><picture><source type="image/webp" srcset="/a-480.webp 480w" sizes="100vw">'
    '<img src="/x/a-1600.jpg" width="1600" height="900" alt="Der Saal" loading="lazy"></picture>'
    '<figcaption>Der Saal <span class="credit">Foto: dpa</span></figcaption></figure>',
    '<table>\n<thead>\n<tr>\n<th style="text-align:right">Jahr</th>\n</tr>\n</thead>\n</table>',
    '<p><a href="/a/../b/">up</a> <a href="//andere.example/x">host</a> <a href="/a/./b">dot</a> '
    '<a href="javascript:alert(1)">js</a> <a href="/ä/ö/">Umlaut</a> <a href="/">home</a></p>',
    '<p>offen <b>fett',
    "",
]
# Forms it leaves to the parser.
OTHER = [
    '<p>Vor<!-- ein Kommentar --> nach</p>',
    '<script>if (a <b) { x("</p>") }</script><p>Text</p>',
    "<p><a href='/einfach/'>einfach</a></p>",
    '<p\u00a0class="x">geschütztes Leerzeichen im Tag</p>',
    '<p>a < b und <3</p>',
    '<p><a href="x>y">spitz</a></p>',
    '<p><img src="/a.png"alt="ohne Abstand"></p>',
    '<style>p { color: red }</style><p>x</p>',
    '<!DOCTYPE html><p>x</p>',
]


@pytest.mark.parametrize("body", OWN)
def test_the_builders_own_html_is_read_by_the_expression_as_the_parser_reads_it(body: str) -> None:
    assert _Cleaner(PAGE).feed_own(body)
    assert clean_feed_html(body, PAGE) == _clean_with_parser(body, PAGE)


@pytest.mark.parametrize("body", OTHER)
def test_other_html_goes_to_the_parser(body: str) -> None:
    assert not _Cleaner(PAGE).feed_own(body)
    assert clean_feed_html(body, PAGE) == _clean_with_parser(body, PAGE)


@pytest.mark.parametrize("value", ["/a/b/", "/", "/a?x=1#y", "/a/b;c", "/a/b.jpg", "/ä/ö", "/a//b", "/a/./b",
                                   "/a/../b", "//evil.example/x", "/a b", "/a\\b", "/a\tb", "/a/.hidden",
                                   "/a?u=http://x", "#fn1", "bild.png", " /a/ ", "../x"])
def test_a_site_path_resolves_as_urljoin_resolves_it(value: str) -> None:
    assert _absolute(value, PAGE, _origin(PAGE)) == urljoin(PAGE, value.strip())


def test_every_body_of_a_built_sites_feeds_takes_the_expression(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, str]] = []

    def recording(body: str, url: str) -> str:
        seen.append((body, url))
        return clean_feed_html(body, url)

    monkeypatch.setattr(listings, "clean_feed_html", recording)
    source = write_site(tmp_path / "src", SITE)
    report = build(BuildOptions(source=source, destination=tmp_path / "out", cache=False, jobs=1))
    assert report.ok, report.diagnostics
    assert len(seen) == 2
    for body, url in seen:
        assert _Cleaner(url).feed_own(body), body
        assert clean_feed_html(body, url) == _clean_with_parser(body, url)


SITE = """
-- config.yaml --
title: "Tageblatt"
base_url: "https://zeitung.example/ausgabe/"
paths: {glossary: glossar}
-- content/articles/gipfel.md --
---
title: "Gipfel in Genf"
date: 2022-01-21T17:30:00+01:00
---
Die NATO trifft sich in [Genf](zoelle.md) & berät über „Zölle“. Siehe auch[^1].

| Jahr | Zoll |
|-----:|------|
| 2021 | 5 %  |

- [ ] offen
- *kursiv* und **fett**, `code <b>`

[^1]: Eine Fußnote.
-- content/articles/zoelle.md --
---
title: "Neue Zölle"
date: 2022-01-20T08:00:00+01:00
---
Zölle steigen, sagt die NATO.

    eingerückter Code & <Zeichen>
-- content/glossary/nato.md --
---
term: "NATO"
summary: "Das Verteidigungsbündnis."
---
Die Nordatlantikvertrags-Organisation.
"""
