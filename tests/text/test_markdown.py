"""Markdown rendering: unsafe URLs never reach the HTML, raw HTML is escaped or sanitised, ids are prefixed."""

from __future__ import annotations

import re
import time

import html5lib
import pytest

from builder.content.config import MarkdownSettings
from builder.text.markdown import create_markdown, is_safe_url, render_body, sanitize_html

PLAIN = create_markdown(MarkdownSettings())
WITH_HTML = create_markdown(MarkdownSettings(html=True))
_SCHEME_NOISE = re.compile(r"[\x00-\x20\x7f]")
_UNSAFE = re.compile(r"^(?:javascript|vbscript|data):", re.IGNORECASE)

# Spellings of "javascript:" a browser would still follow, or that look like it.
SCHEMES = [
    "javascript:alert(1)", "JavaScript:alert(1)", "JAVASCRIPT:alert(1)", "javascript&colon;alert(1)",
    "&#106;avascript:alert(1)", "&#x6A;avascript:alert(1)", "&#X6a&#x61;vascript:alert(1)",
    "java&#x09;script:alert(1)", "java&Tab;script:alert(1)", "java&NewLine;script:alert(1)",
    "%6Aavascript:alert(1)", "java%0Ascript:alert(1)", "java%09script:alert(1)", "javascript%3Aalert(1)",
    "&#0000106avascript:alert(1)", "vbscript:msgbox(1)", "VbScRiPt:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "DATA:text/html,%3Cscript%3Ealert(1)%3C/script%3E",
    "data&colon;text/html,x",
]


def elements(html: str) -> list[tuple[str, dict[str, str]]]:
    """Every element of an HTML fragment as a browser would build it: (name, attributes)."""
    fragment = html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)
    found = []
    for element in fragment.iter():
        if isinstance(element.tag, str) and element is not fragment:
            found.append((element.tag.split("}")[-1], {k.split("}")[-1]: v for k, v in element.attrib.items()}))
    return found


def assert_harmless(html: str) -> None:
    """No script element, no event handler, no URL attribute with an unsafe scheme."""
    for name, attributes in elements(html):
        assert name != "script", html
        for attribute, value in attributes.items():
            assert not attribute.lower().startswith("on"), html
            plain = _SCHEME_NOISE.sub("", value)
            assert not _UNSAFE.match(plain), html
            assert "javascript:" not in plain.lower(), html


# -- links in Markdown --------------------------------------------------------

@pytest.mark.parametrize("md", [PLAIN, WITH_HTML], ids=["html-off", "html-on"])
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("form", [
    "[Klick]({})", "![Bild]({})", "[Klick](<{}>)", "[Klick]({} \"Titel\")", "[Klick][ref]\n\n[ref]: {}",
    "![Bild][ref]\n\n[ref]: <{}>", "<{}>",
])
def test_unsafe_link_spellings_never_become_links(md: object, scheme: str, form: str) -> None:
    assert_harmless(md.render(form.format(scheme)))  # type: ignore[attr-defined]


@pytest.mark.parametrize("text", ["[Klick](javascript:alert(1))", "![Bild](JAVASCRIPT:alert(1))",
                                  "[Klick](java&#x09;script:alert(1))", "<javascript:alert(1)>",
                                  "[Klick][r]\n\n[r]: data:text/html,x", "[Klick](%6Aavascript:x)"])
def test_unsafe_links_stay_text(text: str) -> None:
    assert {name for name, _ in elements(PLAIN.render(text))} == {"p"}


@pytest.mark.parametrize("url", ["https://example.org/", "/artikel/genf/", "#h-abschnitt", "mailto:redaktion@example.org",
                                 "genf.html?x=1&y=2", "tel:+49301234"])
def test_ordinary_links_stay(url: str) -> None:
    assert 'href="' in PLAIN.render(f"[Link]({url})")


@pytest.mark.parametrize(("url", "safe"), [
    ("javascript:alert(1)", False), (" \tjavascript:alert(1)", False), ("\x01javascript:x", False),
    ("java\nscript:x", False), ("%6A%61vascript:x", False), ("file:///etc/passwd", False),
    ("https://example.org/javascript:x", True), ("/data:x", True), ("javascript", True),
])
def test_is_safe_url(url: str, safe: bool) -> None:
    assert is_safe_url(url) is safe


# -- raw HTML -----------------------------------------------------------------

def test_raw_html_is_escaped_by_default() -> None:
    html = PLAIN.render('Vorher <script>alert(1)</script> <img src=x onerror="alert(2)">\n\n<div onclick="x">Block</div>\n')
    assert elements(html) == [("p", {}), ("p", {})]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;div onclick=" in html


def test_raw_html_stays_with_html_on() -> None:
    html = WITH_HTML.render('<figure class="grafik"><img src="karte.png" alt="Karte der Ukraine"></figure>\n\n'
                            'Text mit <abbr title="Organisation für Sicherheit">OSZE</abbr>.\n')
    assert elements(html) == [("figure", {"class": "grafik"}), ("img", {"src": "karte.png", "alt": "Karte der Ukraine"}),
                              ("p", {}), ("abbr", {"title": "Organisation für Sicherheit"})]


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("form", [
    '<a href="{}">Klick</a>', "<a href='{}'>Klick</a>", "<a href={}>Klick</a>", '<img src="{}" alt="x">',
    'Text <a href="{}">Klick</a> Text', 'Text <img src="{}"> Text', '<a href = "{}">Klick</a>',
    '<A HREF="{}">Klick</A>', '<iframe src="{}"></iframe>', '<form action="{}"><button formaction="{}">x</button></form>',
    '<object data="{}"></object>', '<svg><a xlink:href="{}"><text>x</text></a></svg>',
    '<img srcset="bild.png 1x, {} 2x">', '<embed src="{}">', '<video poster="{}"></video>',
])
def test_raw_html_cannot_carry_unsafe_urls(scheme: str, form: str) -> None:
    assert_harmless(WITH_HTML.render(form.format(scheme, scheme) + "\n"))


@pytest.mark.parametrize("source", [
    "<img src=x onerror=alert(1)>", "<img src=x ONERROR=alert(1)>", "<img src=x onerror = 'alert(1)'>",
    "<img/src=x/onerror=alert(1)>", '<img src="x"/onerror=alert(1)>', "<svg onload=alert(1)>",
    "<body onpageshow=alert(1)>", "<details open ontoggle=alert(1)>", "<input autofocus onfocus=alert(1)>",
    "Text <b onmouseover=alert(1)>fett</b> Text", "<div\nonclick=\"alert(1)\">x</div>",
    '<a title="--><img src=x onerror=alert(1)>">x</a>', "<!-- <img src=x onerror=alert(1)> -->",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>', '<a style="background:url(javascript:alert(1))">x</a>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<svg><animate attributeName="href" values="javascript:alert(1)"/></svg>',
    '<math><mi href="javascript:alert(1)">x</mi></math>',
])
def test_raw_html_event_handlers_are_dropped(source: str) -> None:
    assert_harmless(WITH_HTML.render(source + "\n"))


def test_unterminated_tag_at_the_end_of_a_block_is_escaped() -> None:
    # The blank line ends the HTML block; a browser would read the paragraph as the tag's attributes.
    html = WITH_HTML.render('<div>\n<img src=x\n\nonerror=alert(1)> Absatz\n')
    assert_harmless(html)
    assert "&lt;img src=x" in html


def test_sanitize_keeps_ordinary_html() -> None:
    source = ('<p class="info" id="kasten">Siehe <a href="https://example.org/?a=1&amp;b=2" '
              'title="Quelle &quot;dpa&quot;">Quelle</a><br/><img src="/bilder/genf.jpg" alt="Genf"></p>')
    assert sanitize_html(source) == source


@pytest.mark.parametrize(("source", "expected"), [
    ('<a href="?a=1&copy=2">', '<a href="?a=1&copy=2">'),          # "&copy" before "=" is no reference
    ("<a href='x' title=\"it's\">", "<a href='x' title=\"it's\">"),
    ("<a title=a<b>", "<a title=a&lt;b>"),
    ('<a title="--><img src=x onerror=alert(1)>">', '<a title="--&gt;&lt;img src=x onerror=alert(1)&gt;">'),
    ("<input  disabled\nvalue=x >", "<input disabled value=x>"),
    ("<img src=x />", "<img src=x />"),
    ("<img src=x onerror=y />", "<img src=x />"),
    ("<br/>", "<br/>"),
    ("<a href=x href=javascript:alert(1)>", "<a href=x>"),    # browsers keep the first
    ("<A HREF=x onClick=y>", "<A HREF=x>"),
    ("</a onclick=alert(1)>", "</a>"),
    ("<a title=\"x", "&lt;a title=\"x"),
    ('<b>fett</b> <a title="x <i>kursiv</i>', '<b>fett</b> &lt;a title="x &lt;i>kursiv&lt;/i>'),
    ("<script>el.innerHTML = \"<b class='x'>\" + y; if (a<b && c>d) go()</script><img src=x onerror=y>",
     "<script>el.innerHTML = \"<b class='x'>\" + y; if (a<b && c>d) go()</script><img src=x>"),
    ("<textarea><script></textarea><img src=x onerror=alert(1)></script>",
     "<textarea><script></textarea><img src=x></script>"),
    ("<!-- <script> --><img src=x onerror=alert(1)>", "<!-- <script> --><img src=x>"),
    ("1 < 2 und 3 > 2", "1 < 2 und 3 > 2"),
])
def test_sanitize_html(source: str, expected: str) -> None:
    assert sanitize_html(source) == expected


# -- ids ----------------------------------------------------------------------

def render(text: str, md: object = PLAIN) -> object:
    return render_body(md, text, {})  # type: ignore[arg-type]


def test_heading_ids_are_prefixed_and_numbered() -> None:
    body = render("# location\n\n## location\n\n# location 2\n\n# Außenministerium\n\n# !!!\n")
    assert body.headings == (  # type: ignore[attr-defined]
        (1, "h-location", "location"), (2, "h-location-2", "location"), (1, "h-location-2-2", "location 2"),
        (1, "h-aussenministerium", "Außenministerium"), (1, "h-abschnitt", "!!!"))
    assert [attrs["id"] for name, attrs in elements(body.html) if "id" in attrs] == [  # type: ignore[attr-defined]
        "h-location", "h-location-2", "h-location-2-2", "h-aussenministerium", "h-abschnitt"]


def test_author_text_cannot_clobber_dom_globals() -> None:
    body = render("# document\n\n# cookie\n\n# alert\n")
    ids = [attrs["id"] for _, attrs in elements(body.html) if "id" in attrs]  # type: ignore[attr-defined]
    assert ids == ["h-document", "h-cookie", "h-alert"]


def test_footnote_ids_are_prefixed() -> None:
    body = render("Die NATO[^1] tagt.\n\n[^1]: Nordatlantikvertrags-Organisation\n")
    ids = [attrs["id"] for _, attrs in elements(body.html) if "id" in attrs]  # type: ignore[attr-defined]
    assert ids == ["fnref-n-1", "fn-n-1"]


def test_carriage_returns_and_nul_are_still_normalised() -> None:
    # The normalize rule is skipped for text without them; text with them must render as before.
    assert PLAIN.render("Zeile eins\r\nZeile zwei\rZeile drei\x00\n") == "<p>Zeile eins\nZeile zwei\nZeile drei\ufffd</p>\n"
    assert PLAIN.render("Zeile eins\nZeile zwei\n") == "<p>Zeile eins\nZeile zwei</p>\n"


@pytest.mark.parametrize("text, expected", [
    ('Er sagte "Frieden" und ging.\n\nOhne Anführungszeichen.\n',
     "<p>Er sagte „Frieden“ und ging.</p>\n<p>Ohne Anführungszeichen.</p>\n"),
    ("Ohne Anführungszeichen.\n\nDas 'Format' -- und so weiter...\n",
     "<p>Ohne Anführungszeichen.</p>\n<p>Das ‚Format‘ – und so weiter…</p>\n"),
    ("Schon „typografisch“ gesetzt -- ganz ohne gerade Zeichen.\n",
     "<p>Schon „typografisch“ gesetzt – ganz ohne gerade Zeichen.</p>\n"),
])
def test_typographer_quotes_and_replacements(text: str, expected: str) -> None:
    # The smartquotes rule is skipped for bodies without straight quotes; with them it runs as before.
    assert PLAIN.render(text) == expected


def test_raw_html_ids_are_left_to_the_author() -> None:
    assert elements(WITH_HTML.render('<span id="kasten">x</span>\n')) == [("p", {}), ("span", {"id": "kasten"})]


# -- pathological input -------------------------------------------------------

@pytest.mark.parametrize(("name", "text"), [
    ("quotes", ">" * 10_000 + " Zitat\n"),
    ("brackets", "[" * 10_000 + "x\n"),
    ("links", "[a](" * 10_000 + "\n"),
    ("emphasis", "*a**" * 50_000 + "\n"),
    ("underscores", "_a__" * 50_000 + "\n"),
    ("huge line", "Wort " * 200_000 + "\n"),
    ("lists", "".join("  " * depth + "- x\n" for depth in range(1_000))),
    ("html", "<a " * 20_000 + "\n"),
    ("unterminated tags in an html block", "<div>" + '<a title="' * 20_000 + "\n"),
    ("html block of tags", "<div>\n" + "<b>" * 50_000 + "\n"),
])
def test_pathological_markdown_renders_in_bounded_time(name: str, text: str) -> None:
    for md in (PLAIN, WITH_HTML):
        started = time.perf_counter()
        html = md.render(text)
        assert time.perf_counter() - started < 10.0, name  # a guard against runaway time, not a benchmark
        assert html
