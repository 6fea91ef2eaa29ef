"""Liquid tags and Hugo shortcodes: resolved, unwrapped, or shown as written and reported."""

from __future__ import annotations

from html.parser import HTMLParser

import html5lib
import pytest
from markdown_it import MarkdownIt

from builder.text.shortcodes import Context, PageIndex, TemplateTag, literal
from builder.text.shortcodes import preprocess as run

PAGES = {
    "_posts/2022-01-21-krisentreffen-genf.md": "/artikel/krisentreffen-genf/",
    "2022-01-21-krisentreffen-genf": "/artikel/krisentreffen-genf/",
    "russland-vertragsentwurf.md": "/artikel/russland-vertragsentwurf/",
    "russland-vertragsentwurf": "/artikel/russland-vertragsentwurf/",
    "/artikel/us-antwort.md": "/artikel/us-antwort/",
}


class Resolver:
    """The lead's resolver stand-in: a lookup that remembers what it was asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, target: str, style: str) -> str | None:
        self.asked.append(target)
        return PAGES.get(target)


def no_pages(target: str, style: str) -> str | None:
    raise AssertionError(f"nothing should be resolved, asked for {target!r}")


def preprocess(body: str, body_line: int, resolve) -> tuple[str, list[TemplateTag], list]:  # type: ignore[no-untyped-def]
    """The body, the tags left as written and the errors (shortcode HTML aside: test_shortcode_html.py)."""
    text, tags, errors, _, _ = run(body, body_line, Context(resolve=resolve))
    return text, tags, errors


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def shown(markdown: str, md: MarkdownIt | None = None) -> str:
    """The text a reader sees when the Markdown is rendered."""
    parser = _Text()
    parser.feed((md or MarkdownIt("commonmark")).render(markdown))
    return "".join(parser.parts)


JEKYLL_BODY = """\
Die Außenminister trafen sich in Genf.
{% include bild.html datei="genf.jpg" titel="Das *Hotel* am See" %}

Mehr dazu im [Bericht vom Freitag]({% link _posts/2022-01-21-krisentreffen-genf.md %})
und im [Vertragsentwurf]({% post_url russland-vertragsentwurf %}#artikel-1).

Gezeichnet: {{ page.author | upcase }}, {{site.title}}.
"""


# ---------------------------------------------------------------------------
# tags that are not executed

def test_liquid_tags_are_reported_with_file_line_and_column() -> None:
    _, tags, errors = preprocess(JEKYLL_BODY, 9, Resolver())

    assert tags == [
        TemplateTag(10, 1, '{% include bild.html datei="genf.jpg" titel="Das *Hotel* am See" %}',
                    "liquid", "there is no file _includes/bild.html in the site folder"),
        TemplateTag(15, 13, "{{ page.author | upcase }}", "liquid"),
        TemplateTag(15, 41, "{{site.title}}", "liquid"),
    ]
    assert errors == []


def test_warning_messages_name_the_tag_as_written() -> None:
    assert TemplateTag(3, 1, "{% include bild.html %}", "liquid").message == (
        "Liquid tag '{% include bild.html %}' is not executed; shown as written")
    assert TemplateTag(3, 1, '{{< youtube id="abc"\n  title="Genf" >}}', "shortcode").message == (
        "Hugo shortcode '{{< youtube id=\"abc\" title=\"Genf\" >}}' is not executed; "
        "shown as written")


def test_liquid_tags_are_shown_as_written_after_rendering() -> None:
    body, _, _ = preprocess(JEKYLL_BODY, 9, Resolver())

    text = shown(body)

    assert '{% include bild.html datei="genf.jpg" titel="Das *Hotel* am See" %}' in text
    assert "Gezeichnet: {{ page.author | upcase }}, {{site.title}}." in text
    assert "<em>" not in MarkdownIt("commonmark").render(body)


HUGO_BODY = """\
{{< figure src="/bilder/genf.jpg" caption="Blinken und Lawrow" >}}

{{% hinweis %}}
Dieser Text ist **vorläufig**.
{{% /hinweis %}}

Ein Video: {{<youtube id="dQw4w9WgXcQ"
  title="Pressekonferenz_in_Genf">}} – danach Fragen.
"""


def test_shortcodes_are_reported_with_file_line_and_column() -> None:
    _, tags, errors = preprocess(HUGO_BODY, 7, Resolver())

    assert tags == [   # figure and youtube are built in (test_embeds.py): no warning for them
        TemplateTag(9, 1, "{{% hinweis %}}", "shortcode", "write layouts/shortcodes/hinweis.html (a Jinja "
                    "template) to run it; see the README's 'Shortcodes'"),
        TemplateTag(11, 1, "{{% /hinweis %}}", "shortcode"),
    ]
    assert errors == []


def test_shortcodes_are_shown_as_written_and_never_become_html() -> None:
    body, _, _ = preprocess(HUGO_BODY, 7, Resolver())
    html = MarkdownIt("commonmark").render(body)

    text = shown(body)

    assert "{{% hinweis %}}\nDieser Text ist vorläufig.\n{{% /hinweis %}}" in text
    assert "<strong>vorläufig</strong>" in html  # the text between tags is still Markdown
    # The built-in ones became Markdown: a figure, and an embed address (see test_embeds.py).
    assert '<img src="/bilder/genf.jpg" alt="" title="Blinken und Lawrow"' in html
    assert 'src="embed:youtube?id=dQw4w9WgXcQ&amp;title=Pressekonferenz_in_Genf"' in html


def test_line_breaks_are_kept_so_lines_still_match_the_file() -> None:
    for source in (JEKYLL_BODY, HUGO_BODY):
        body, _, _ = preprocess(source, 1, Resolver())
        assert body.count("\n") == source.count("\n")


def test_typographer_does_not_touch_tags() -> None:
    md = MarkdownIt("commonmark", {"typographer": True, "quotes": "„“‚‘"})
    md.enable(["replacements", "smartquotes"])
    body, _, _ = preprocess('Er sagte "Genf" -- {{< zitat quelle="dpa" -- >}}\n', 1, Resolver())

    assert shown(body, md) == 'Er sagte „Genf“ – {{< zitat quelle="dpa" -- >}}\n'


def test_tags_in_raw_html_are_shown_as_written_by_the_browser() -> None:
    source = '<div class="kasten">\n{{<figure src="genf.jpg">}} {% include x.html %}\n</div>\n'
    body, tags, _ = preprocess(source, 1, Resolver())

    document = html5lib.parse(MarkdownIt("commonmark").render(body), namespaceHTMLElements=False)

    assert [t.text for t in tags] == ['{{<figure src="genf.jpg">}}', "{% include x.html %}"]
    assert document.find(".//figure") is None
    assert "".join(document.find(".//div").itertext()) == (
        '\n{{<figure src="genf.jpg">}} {% include x.html %}\n')


def test_liquid_whitespace_control_is_a_tag_too() -> None:
    body, tags, _ = preprocess("Vorher {%- include kasten.html -%} nachher\n", 1, Resolver())

    assert tags == [TemplateTag(1, 8, "{%- include kasten.html -%}", "liquid",
                                "there is no file _includes/kasten.html in the site folder")]
    assert shown(body) == "Vorher {%- include kasten.html -%} nachher\n"


@pytest.mark.parametrize("source", [
    "Mengenklammern {{ ohne Ende.\n",
    "Prozent {% ohne Ende\n",
    "Ein {{ Absatz\n\nund noch einer }}\n",
    "Einfache {Klammern} und 100 % Zustimmung\n",
])
def test_unclosed_or_paragraph_spanning_braces_are_no_tags(source: str) -> None:
    assert preprocess(source, 1, no_pages) == (source, [], [])


def test_hugo_comment_syntax_shows_the_shortcode_itself() -> None:
    source = "So bindet man ein Video ein: {{</* youtube abc */>}} oder {{%/* hinweis */%}}\n"

    body, tags, errors = preprocess(source, 1, no_pages)

    assert (tags, errors) == ([], [])
    assert shown(body) == "So bindet man ein Video ein: {{< youtube abc >}} oder {{% hinweis %}}\n"


def test_literal_encodes_markdown_and_html_punctuation() -> None:
    assert literal("{% a_b *c* <d> %}") == (
        "&#123;&#37; a&#95;b &#42;c&#42; &#60;d&#62; &#37;&#125;")


# ---------------------------------------------------------------------------
# raw blocks

def test_raw_blocks_are_unwrapped_without_warnings() -> None:
    source = ("Jekyll schreibt Titel als {% raw %}{{ page.title }}{% endraw %} in Vorlagen.\n"
              "{% raw %}\n"
              "Mehrzeilig: {% if user %}{{ user.name }}{% endif %}\n"
              "{%- endraw %}\n"
              "Danach {{ wieder.ein_tag }}\n")

    body, tags, errors = preprocess(source, 3, no_pages)

    assert body == ("Jekyll schreibt Titel als {{ page.title }} in Vorlagen.\n"
                    "\n"
                    "Mehrzeilig: {% if user %}{{ user.name }}{% endif %}\n"
                    "\n"
                    "Danach " + literal("{{ wieder.ein_tag }}") + "\n")
    assert tags == [TemplateTag(7, 8, "{{ wieder.ein_tag }}", "liquid")]
    assert errors == []


def test_unclosed_raw_block_is_an_error_at_its_start() -> None:
    source = "Text\n\nHier {% raw %}{{ x }} und nie zu.\n"

    body, tags, errors = preprocess(source, 4, no_pages)

    assert errors == [(6, 6, "'{% raw %}' is never closed by '{% endraw %}'")]
    assert tags == []
    assert body == "Text\n\nHier {{ x }} und nie zu.\n"


# ---------------------------------------------------------------------------
# code is left alone

CODE_BODY = """\
So sieht eine Vorlage aus:

```liquid
{% include bild.html %}
{{< figure src="x.jpg" >}}
```

~~~
{{ page.title }}
~~~

    {% link _posts/fehlt.md %}
    {{< ref "fehlt.md" >}}

Im Text: `{{ site.title }}` und ``{% post_url fehlt %}`` sowie `` `{{< ref x >}}` ``.

- Liste
  ```
  {{% hinweis %}}
  ```
> Zitat mit `{% raw %}`
> und `{{ x }}
> über zwei Zeilen}}`
"""


def test_code_blocks_and_spans_are_left_alone() -> None:
    body, tags, errors = preprocess(CODE_BODY, 1, no_pages)

    assert (body, tags, errors) == (CODE_BODY, [], [])


def test_tags_next_to_code_are_still_found() -> None:
    source = "`{{ code }}` und {{ text }} und \\`{{ auch_text }}\\`\n\n```\nx\n```\n{% nach %}\n"

    _, tags, _ = preprocess(source, 1, no_pages)

    assert tags == [TemplateTag(1, 18, "{{ text }}", "liquid"),
                    TemplateTag(1, 35, "{{ auch_text }}", "liquid"),
                    TemplateTag(6, 1, "{% nach %}", "liquid")]


def test_an_unclosed_backtick_is_no_code_span() -> None:
    _, tags, _ = preprocess("Ein ` einzelner Backtick und {{ tag }}\n", 1, no_pages)

    assert tags == [TemplateTag(1, 30, "{{ tag }}", "liquid")]


def test_indented_lines_in_a_paragraph_are_not_code() -> None:
    _, tags, _ = preprocess("Absatz\n    {{ fortsetzung }}\n", 1, no_pages)

    assert tags == [TemplateTag(2, 5, "{{ fortsetzung }}", "liquid")]


# ---------------------------------------------------------------------------
# links between pages

def test_jekyll_link_and_post_url_resolve_inside_markdown_links() -> None:
    resolver = Resolver()

    body, tags, errors = preprocess(JEKYLL_BODY, 9, resolver)
    html = MarkdownIt("commonmark").render(body)

    assert resolver.asked == ["_posts/2022-01-21-krisentreffen-genf.md",
                              "russland-vertragsentwurf"]
    assert '<a href="/artikel/krisentreffen-genf/">Bericht vom Freitag</a>' in html
    assert '<a href="/artikel/russland-vertragsentwurf/#artikel-1">Vertragsentwurf</a>' in html
    assert errors == []
    assert all("link" not in t.text and "post_url" not in t.text for t in tags)


@pytest.mark.parametrize("tag, target, url", [
    # ref gives the absolute URL, relref the path, as in Hugo
    ('{{< ref "russland-vertragsentwurf.md" >}}', "russland-vertragsentwurf.md",
     "http://localhost:8000/artikel/russland-vertragsentwurf/"),
    ('{{< relref "russland-vertragsentwurf" >}}', "russland-vertragsentwurf",
     "/artikel/russland-vertragsentwurf/"),
    ('{{% ref "russland-vertragsentwurf.md#forderungen" %}}', "russland-vertragsentwurf.md",
     "http://localhost:8000/artikel/russland-vertragsentwurf/#forderungen"),
    ('{{< relref path="/artikel/us-antwort.md" lang="de" >}}', "/artikel/us-antwort.md",
     "/artikel/us-antwort/"),
    ("{{<relref russland-vertragsentwurf>}}", "russland-vertragsentwurf",
     "/artikel/russland-vertragsentwurf/"),
    ("{% link _posts/2022-01-21-krisentreffen-genf.md %}",
     "_posts/2022-01-21-krisentreffen-genf.md", "/artikel/krisentreffen-genf/"),
    ("{%- post_url 2022-01-21-krisentreffen-genf -%}", "2022-01-21-krisentreffen-genf",
     "/artikel/krisentreffen-genf/"),
])
def test_link_tags_resolve_with_the_target_as_written(tag: str, target: str, url: str) -> None:
    resolver = Resolver()

    body, tags, errors = preprocess(f"Siehe [den Beitrag]({tag}).\n", 1, resolver)

    assert resolver.asked == [target]
    assert body == f"Siehe [den Beitrag]({url}).\n"
    assert (tags, errors) == ([], [])


def test_site_base_before_a_link_tag_is_dropped_because_our_urls_have_it() -> None:
    source = ("[Genf]({{ site.baseurl }}{% post_url 2022-01-21-krisentreffen-genf %}) und\n"
              "[Entwurf]({{ site.url }}{{site.baseurl}}{% link russland-vertragsentwurf.md %}),\n"
              "aber ![Bild]({{ site.baseurl }}/bilder/genf.jpg) bleibt.\n")

    body, tags, errors = preprocess(source, 1, Resolver())

    assert body.split("\n")[:2] == ["[Genf](/artikel/krisentreffen-genf/) und",
                                    "[Entwurf](/artikel/russland-vertragsentwurf/),"]
    assert tags == [TemplateTag(3, 14, "{{ site.baseurl }}", "liquid")]
    assert errors == []


def test_ref_to_an_anchor_on_the_same_page_needs_no_page() -> None:
    body, _, errors = preprocess('Zum [Abschnitt]({{< ref "#hintergrund" >}})\n', 1, no_pages)

    assert (body, errors) == ("Zum [Abschnitt](#hintergrund)\n", [])


def test_missing_link_targets_are_errors_with_file_line_and_column() -> None:
    source = ("Zuerst [alt]({% link _posts/2019-01-01-weg.md %}).\n"
              "\n"
              "Dann  {{< ref \"weg.md#teil\" >}} und {% post_url 2019-01-01-weg %}\n"
              "und {{% relref %}}\n")

    body, tags, errors = preprocess(source, 6, Resolver())

    assert errors == [
        (6, 14, "'{% link _posts/2019-01-01-weg.md %}' points to a page that does not exist"),
        (8, 7, "'{{< ref \"weg.md#teil\" >}}' points to a page that does not exist"),
        (8, 37, "'{% post_url 2019-01-01-weg %}' points to a page that does not exist"),
        (9, 5, "'{{% relref %}}' names no page"),
    ]
    assert tags == []
    assert "{% link _posts/2019-01-01-weg.md %}" in shown(body)


def test_link_with_a_liquid_variable_is_not_executed() -> None:
    _, tags, errors = preprocess("[x]({% link {{ page.ziel }} %})\n", 1, no_pages)

    assert errors == []
    assert tags == [TemplateTag(1, 5, "{% link {{ page.ziel }} %}", "liquid")]


def test_bodies_without_tags_come_back_unchanged() -> None:
    source = "Nur Text mit {einer} Klammer und 50 % Wahrscheinlichkeit.\n"

    assert preprocess(source, 1, no_pages) == (source, [], [])


# ---------------------------------------------------------------------------
# PageIndex: what the names in link tags refer to

SITE = {
    "content/articles/2022-01-21-krisentreffen-genf.md": "/artikel/krisentreffen-genf/",
    "content/articles/russland-vertragsentwurf.md": "/artikel/russland-vertragsentwurf/",
    "content/articles/nato-antwort/index.md": "/artikel/nato-antwort/",
    "content/articles/hintergrund/sanktionen.md": "/artikel/hintergrund/sanktionen/",
    "content/dossiers/sanktionen.md": "/dossiers/sanktionen/",
    "content/glossary/osze.md": "/glossar/osze/",
}


@pytest.mark.parametrize("target, url", [
    # link to the post's path, post_url by the dated name
    ("_posts/2022-01-21-krisentreffen-genf.md", "/artikel/krisentreffen-genf/"),
    ("2022-01-21-krisentreffen-genf", "/artikel/krisentreffen-genf/"),
    # the editor dropped the date from the file name, or the link from the target
    ("2022-01-21-russland-vertragsentwurf", "/artikel/russland-vertragsentwurf/"),
    ("krisentreffen-genf", "/artikel/krisentreffen-genf/"),
    # paths under content/ or the site folder, relative to the linking file
    ("articles/hintergrund/sanktionen.md", "/artikel/hintergrund/sanktionen/"),
    ("content/glossary/osze.md", "/glossar/osze/"),
    ("../glossary/osze.md", "/glossar/osze/"),
    ("hintergrund/sanktionen.md", "/artikel/hintergrund/sanktionen/"),
    # nothing, or more than one page
    ("_posts/2019-01-01-weg.md", None),
    ("sanktionen.md", None),
    ("", None),
])
def test_page_index_finds_pages_the_way_jekyll_names_them(target: str, url: str | None) -> None:
    assert PageIndex(SITE).resolve(target, "content/articles/x.md", "jekyll") == url


def test_page_index_resolves_link_tags_in_a_body() -> None:
    index = PageIndex(SITE)
    source = ("Nach dem [Treffen]({% post_url 2022-01-21-krisentreffen-genf %}) kam die\n"
              "[Antwort]({{< relref \"nato-antwort#brief\" >}}); siehe [OSZE]({{< ref \"osze\" >}})\n"
              "und [Sanktionen]({{< relref \"sanktionen.md\" >}}).\n")

    body, tags, errors = preprocess(source, 8, lambda t, style: index.resolve(t, "content/articles/x.md", style))

    assert body.split("\n")[:2] == [
        "Nach dem [Treffen](/artikel/krisentreffen-genf/) kam die",
        "[Antwort](/artikel/nato-antwort/#brief); siehe [OSZE](http://localhost:8000/glossar/osze/)",
    ]
    assert errors == [(10, 18, "'{{< relref \"sanktionen.md\" >}}' is ambiguous: the name 'sanktionen' fits 2 "
                       "pages: content/articles/hintergrund/sanktionen.md, content/dossiers/sanktionen.md")]
    assert tags == []
