"""A site's own shortcodes (layouts/shortcodes/*.html) and Jekyll includes (_includes/) as Jinja templates."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from builder.content.config import MarkdownSettings
from builder.content.model import Article, FrozenDict
from builder.text.markdown import create_markdown, render_body
from builder.text.shortcodes import Context, Preprocessed, SiteTemplates, preprocess, read_site_templates

SOURCE = "content/articles/genf.md"
ARTICLE = Article(slug="genf", source=SOURCE, folder="articles", title="Treffen in Genf",
                  date=datetime(2022, 1, 21, tzinfo=timezone.utc), body="", url="/articles/genf/",
                  extra=FrozenDict({"ort": "Genf"}))
TEMPLATES = {
    # named and positional parameters, typed values
    "layouts/shortcodes/wert.html": (
        '<span class="wert" data-named="{{ is_named_params }}">{{ get(0) }}|{{ get("x") }}|'
        '{{ params | length }}|{{ get(1) is sameas true }}</span>'),
    # inner content: Markdown for {{% %}}, as written for {{< >}}
    "layouts/shortcodes/hinweis.html": '<aside class="hinweis {{ get("typ") }}">{{ inner }}</aside>',
    "layouts/shortcodes/roh.html": '<pre class="roh">{{ inner }}</pre>',
    "layouts/shortcodes/kasten.html": '<div class="kasten">{{ inner | markdownify }}</div>',
    "layouts/shortcodes/doppelt.html": '<div class="a">{{ inner }}</div><div class="b">{{ inner }}</div>',
    "layouts/shortcodes/seite.html": ('<span class="seite">{{ page.title }}|{{ page.params.ort }}|{{ page.url }}|'
                                      '{{ site.title }}|{{ site.params.ressort }}|{{ name }}|{{ position }}</span>'),
    "layouts/shortcodes/mit-partial.html": '{% include "partials/rahmen.html" %}',
    "layouts/partials/rahmen.html": '<div class="rahmen">{{ get(0) }}</div>',
    "layouts/shortcodes/kaputt.html": "<p>\n{% if %}\n</p>",
    "layouts/shortcodes/fehler.html": "<p>\n{{ get(0) + 1 }}</p>",
    "layouts/_shortcodes/neu.html": "<em>neu</em>",
    # a site template wins over a built-in one, as in Hugo
    "layouts/shortcodes/youtube.html": '<a class="yt" href="https://youtu.be/{{ get(0) }}">Video</a>',
    "_includes/bild.html": '<figure class="bild"><img src="{{ include.datei }}" alt="{{ include.alt }}">'
                           "<figcaption>{{ include.titel }} – {{ page.title }}</figcaption></figure>",
    "_includes/notiz.md": "**Notiz:** {{ include.text }}",
}


def render(body: str, files: dict[str, str] | None = None, body_line: int = 1
           ) -> tuple[lxml.html.HtmlElement, Preprocessed, dict[str, Any]]:
    md = create_markdown(MarkdownSettings())
    templates = SiteTemplates(files if files is not None else TEMPLATES, {"ressort": "Politik"}, "Die Zeitung",
                              "https://example.org/zeitung/")
    pre = preprocess(body, body_line, Context(templates=templates, source=SOURCE, document=ARTICLE,
                                              url="/zeitung/articles/genf/", markdown=md))
    env: dict[str, Any] = {"fragments": pre.fragments}
    html = render_body(md, pre.text, env).html
    return lxml.html.fragment_fromstring(html, create_parent="div"), pre, env


def test_positional_and_named_parameters_as_hugo_reads_them() -> None:
    root, pre, _ = render('A {{< wert "eins zwei" true 3 >}} B {{< wert x=`roh "x"` >}} C {{% wert 5 %}}\n')

    spans = root.xpath("//span[@class='wert']")
    assert [s.text for s in spans] == ['eins zwei||3|True', '|roh "x"|1|False', "5||1|False"]
    assert [s.get("data-named") for s in spans] == ["False", "True", "False"]
    assert (pre.tags, pre.errors) == ([], [])


def test_a_slash_ends_a_shortcode_only_as_a_word_of_its_own() -> None:
    root, pre, _ = render("{{< wert https://example.org/ >}} {{< hinweis />}} {{< /hinweis >}}\n")

    assert root.xpath("//span[@class='wert']")[0].text.startswith("https://example.org/|")
    assert root.xpath("//aside")[0].text is None
    assert [(t.text, t.hint) for t in pre.tags] == [("{{< /hinweis >}}", "a closing tag without its opening tag")]


def test_mixed_parameters_are_an_error_as_in_hugo() -> None:
    _, pre, _ = render("Text\n{{< wert 1 x=2 >}}\n", body_line=4)

    assert pre.errors == [(5, 1, "'{{< wert 1 x=2 >}}' mixes named and positional parameters; "
                           "Hugo takes one kind or the other")]


def test_markdown_inner_content_is_rendered_in_place() -> None:
    root, pre, env = render('Davor\n{{% hinweis typ="warnung" %}}\nDas ist **vorläufig**.\n\n- eins\n- zwei\n'
                            "{{% /hinweis %}}\nDanach [fehlt](fehlt.md).\n")

    aside = root.xpath("//aside")[0]
    assert aside.get("class") == "hinweis warnung"
    assert aside.xpath("p/strong")[0].text == "vorläufig"
    assert [li.text for li in aside.xpath("ul/li")] == ["eins", "zwei"]
    assert [p.text for p in root.xpath("/div/p")] == ["Davor", "Danach "]
    assert env["link_errors"] == [(7, "link to 'fehlt.md' points to no article or term")]   # still line 8
    assert pre.tags == []


def test_markdown_inner_content_inside_a_paragraph() -> None:
    root, _, _ = render('Ein {{% hinweis typ="kurz" %}}*kleiner*{{% /hinweis %}} Hinweis.\n')

    assert lxml.html.tostring(root.xpath("//p")[0], encoding="unicode", with_tail=False) == (
        '<p>Ein <aside class="hinweis kurz"><em>kleiner</em></aside> Hinweis.</p>')


def test_a_template_that_shows_inner_twice_gets_it_rendered_apart() -> None:
    root, _, _ = render("{{% doppelt %}}\n*zweimal*\n{{% /doppelt %}}\n")

    assert [em.text for em in root.xpath("//div[@class='a']/p/em | //div[@class='b']/p/em")] == ["zweimal"] * 2


def test_raw_inner_content_is_as_written_and_markdownify_renders_it() -> None:
    root, pre, _ = render("{{< roh >}}\n*nicht kursiv* <b>\n{{< /roh >}}\n\n"
                          "{{< kasten >}}\n*kursiv* mit {{< wert 7 >}}\n{{< /kasten >}}\n")

    assert root.xpath("//pre[@class='roh']")[0].text_content() == "\n*nicht kursiv* \n"   # <b>: an HTML tag
    kasten = root.xpath("//div[@class='kasten']")[0]
    assert kasten.xpath("em")[0].text == "kursiv"
    assert kasten.xpath("span[@class='wert']")[0].text.startswith("7|")       # nested shortcodes run first
    assert (pre.tags, pre.errors) == ([], [])


def test_a_shortcode_with_inner_content_must_be_closed_or_self_closing() -> None:
    root, pre, _ = render("{{< hinweis />}}\n\nText\n\n{{< hinweis >}}\nnie geschlossen\n", body_line=3)

    assert root.xpath("//aside")[0].text is None
    assert pre.errors == [(7, 1, "'{{< hinweis >}}' is never closed by '{{< /hinweis >}}' "
                           "(or written self-closing: {{< hinweis /<}})")]


def test_templates_see_the_page_and_the_site() -> None:
    root, _, _ = render("Text\n\n  {{< seite >}}\n")

    assert root.xpath("//span[@class='seite']")[0].text == (
        f"Treffen in Genf|Genf|/zeitung/articles/genf/|Die Zeitung|Politik|seite|{SOURCE}:3:3")


def test_partials_new_folders_and_overridden_built_ins() -> None:
    root, pre, _ = render("{{< mit-partial Rahmen >}}\n\n{{< neu >}}\n\n{{< youtube abc >}}\n")

    assert root.xpath("//div[@class='rahmen']")[0].text == "Rahmen"
    assert root.xpath("//em")[0].text == "neu"
    assert root.xpath("//a[@class='yt']/@href") == ["https://youtu.be/abc"] and not root.xpath("//button")
    assert "layouts/partials/rahmen.html" not in pre.templates   # its digest counts in mit-partial's
    assert {"layouts/shortcodes/mit-partial.html", "layouts/_shortcodes/neu.html"} <= set(pre.templates)


def test_template_errors_name_the_template_file_and_line() -> None:
    _, pre, _ = render("{{< kaputt >}}\n\nText\n\n{{< fehler x >}}\n", body_line=10)

    assert [(line, col) for line, col, _ in pre.errors] == [(10, 1), (14, 1)]
    assert pre.errors[0][2].startswith("shortcode 'kaputt': layouts/shortcodes/kaputt.html:2: ")
    assert pre.errors[1][2].startswith("shortcode 'fehler': layouts/shortcodes/fehler.html:2: TypeError")


def test_a_failed_template_around_content_is_one_error_and_keeps_the_content() -> None:
    root, pre, _ = render("{{< kaputt >}}\nDer *Inhalt* bleibt.\n{{</ kaputt >}}\n", body_line=3)

    assert [(line, col) for line, col, _ in pre.errors] == [(3, 1)] and pre.tags == []
    assert root.xpath("//em")[0].text == "Inhalt"
    assert root.text_content().split()[:3] == ["{{<", "kaputt", ">}}"]


# -- Jekyll includes ---------------------------------------------------------------

def test_an_include_gets_its_parameters_page_and_site() -> None:
    root, pre, _ = render('Vorher.\n\n{% include bild.html datei="genf.jpg" alt=\'Saal <1>\' titel=page.ort %}\n')

    figure = root.xpath("/div/figure[@class='bild']")[0]
    assert figure.xpath("img/@src") == ["genf.jpg"] and figure.xpath("img/@alt") == ["Saal <1>"]
    assert figure.xpath("string(figcaption)") == "Genf – Treffen in Genf"
    assert (pre.tags, pre.errors) == ([], [])
    assert pre.templates == ("_includes/bild.html",)


def test_an_unknown_variable_is_liquids_nil_not_an_error() -> None:
    files = {"_includes/liste.html": "<ul>{% for x in include.eintraege %}<li>{{ x }}</li>{% endfor %}</ul>"}
    root, pre, _ = render("{% include liste.html eintraege=site.data.fehlt %}\n", files)

    assert pre.errors == [] and root.xpath("//ul") and not root.xpath("//li")


def test_a_markdown_include_is_rendered_as_markdown() -> None:
    root, _, _ = render('{% include notiz.md text="Bitte *lesen*." %}\n')

    assert lxml.html.tostring(root.xpath("//p")[0], encoding="unicode", with_tail=False) == (
        "<p><strong>Notiz:</strong> Bitte <em>lesen</em>.</p>")


def test_a_missing_include_is_a_warning_and_stays_as_written() -> None:
    root, pre, _ = render("{% include fehlt.html %}\n", body_line=4)

    assert [(t.line, t.col, t.hint) for t in pre.tags] == [
        (4, 1, "there is no file _includes/fehlt.html in the site folder")]
    assert root.text_content().strip() == "{% include fehlt.html %}"
    assert pre.templates == ("_includes/fehlt.html",)   # a body to render again when it appears


# -- files and digests -------------------------------------------------------------

def test_templates_are_read_from_the_site_folder(tmp_path: Path) -> None:
    for name, text in {"layouts/shortcodes/a.html": "A", "layouts/_shortcodes/b.html": "B",
                       "layouts/partials/p.html": "P", "layouts/article.html": "page template",
                       "_includes/x/y.html": "Y", "_includes/.z.html.swp": "swap"}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")

    templates = read_site_templates(tmp_path, {}, "T", "https://example.org/", "de")

    assert sorted(templates.files) == ["_includes/x/y.html", "layouts/_shortcodes/b.html",
                                       "layouts/partials/p.html", "layouts/shortcodes/a.html"]
    assert templates.include("x/y.html") == "_includes/x/y.html" and templates.include("../a") is None


def test_a_digest_covers_the_template_and_what_it_includes() -> None:
    def digest(files: dict[str, str]) -> str:
        return SiteTemplates(files).digest_of("layouts/shortcodes/mit-partial.html")

    base = {key: TEMPLATES[key] for key in ("layouts/shortcodes/mit-partial.html", "layouts/partials/rahmen.html")}
    changed_partial = {**base, "layouts/partials/rahmen.html": "<div>anders</div>"}
    unrelated = {**base, "layouts/shortcodes/wert.html": "anders"}

    assert digest(base) != digest(changed_partial)
    assert digest(base) == digest(unrelated)
    assert SiteTemplates(base).digest_of("layouts/shortcodes/fehlt.html") == ""


@pytest.mark.parametrize("body", ["{{< hinweis >}}x{{< /hinweis >}}\n", "{% include bild.html %}\n"])
def test_without_templates_site_shortcodes_and_includes_are_warnings(body: str) -> None:
    _, pre, _ = render(body, files={})

    assert pre.tags and pre.errors == []
