"""Hugo's built-in shortcodes and Jekyll's highlight rendered: checked in the parsed HTML."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import lxml.html
import pytest

from builder.content.config import MarkdownSettings
from builder.content.model import Article, FrozenDict
from builder.text.markdown import create_markdown, render_body
from builder.text.shortcodes import Context, Preprocessed, SiteTemplates, preprocess

SOURCE = "content/articles/genf.md"
ARTICLE = Article(slug="genf", source=SOURCE, folder="articles", title="Treffen in Genf",
                  date=datetime(2022, 1, 21, 17, 30, tzinfo=timezone.utc), body="", url="/articles/genf/",
                  tags=("NATO", "OSZE"), extra=FrozenDict({"Ort": "Genf", "delegation": {"leitung": "Blinken"}}))


def render(body: str, templates: SiteTemplates | None = None, body_line: int = 1,
           document: Any = ARTICLE) -> tuple[lxml.html.HtmlElement, Preprocessed, dict[str, Any]]:
    md = create_markdown(MarkdownSettings())
    pre = preprocess(body, body_line, Context(templates=templates or SiteTemplates(), source=SOURCE,
                                              document=document, url="/articles/genf/", markdown=md))
    env: dict[str, Any] = {"fragments": pre.fragments}
    html = render_body(md, pre.text, env).html
    return lxml.html.fragment_fromstring(html, create_parent="div"), pre, env


# -- highlight -----------------------------------------------------------------

def test_hugo_highlight_is_a_code_block_with_its_language_and_escaped_code() -> None:
    root, pre, _ = render('Vorher.\n\n{{< highlight html >}}\n<script>alert("{{ x }}")</script>\n'
                          '<b>*fett*</b>\n{{< /highlight >}}\nNachher.\n')

    code = root.xpath("//pre/code")[0]
    assert code.get("class") == "language-html"
    assert code.text == '<script>alert("{{ x }}")</script>\n<b>*fett*</b>\n'   # decoded: was escaped
    assert not root.xpath("//script | //b | //em")
    assert [p.text for p in root.xpath("/div/p")] == ["Vorher.", "Nachher."]
    assert (pre.tags, pre.errors) == ([], [])


def test_hugo_highlight_options_number_and_mark_lines() -> None:
    root, _, _ = render('{{< highlight go "linenos=table, hl_lines=2 4-5, linenostart=10" >}}\n'
                        "a\nb\nc\nd\ne\n{{< /highlight >}}\n")

    block = root.xpath("//pre")[0]
    assert block.get("class") == "code-lines code-linenos"
    assert block.get("style") == "counter-reset: line 9"   # the first line is number 10
    lines = block.xpath("code/span")
    assert [line.text for line in lines] == ["a\n", "b\n", "c\n", "d\n", "e\n"]
    assert [line.get("class") for line in lines] == ["line", "line hl", "line", "line hl", "line hl"]


def test_jekyll_highlight_with_linenos_and_marked_lines() -> None:
    root, pre, _ = render('{% highlight ruby linenos mark_lines="1" %}\nputs "{{ page.title }}" if x < 3\n'
                          "{%- endhighlight %}\n")

    code = root.xpath("//pre[@class='code-lines code-linenos']/code[@class='language-ruby']")[0]
    assert [span.text for span in code] == ['puts "{{ page.title }}" if x < 3\n']
    assert code[0].get("class") == "line hl"
    assert pre.tags == []


def test_highlight_in_a_list_item_stays_in_it_and_loses_the_items_indentation() -> None:
    root, _, _ = render('- Beispiel:\n  {{< highlight go >}}\n  fmt.Println("```")\n  {{< /highlight >}}\n'
                        "- Zweiter Punkt\n")

    items = root.xpath("//ul/li")
    assert len(items) == 2
    assert items[0].xpath("pre/code")[0].text == 'fmt.Println("```")\n'
    assert items[1].text_content().strip() == "Zweiter Punkt"


def test_highlight_within_a_line_is_inline_code() -> None:
    root, pre, _ = render("Kurz: {% highlight sh %}ls -l{% endhighlight %} und {{< highlight go >}}x{{< /highlight >}}.\n")

    assert [(c.get("class"), c.text) for c in root.xpath("//p/code")] == [("language-sh", "ls -l"),
                                                                          ("language-go", "x")]
    assert pre.tags == []


def test_an_unclosed_highlight_is_an_error_at_its_line() -> None:
    _, pre, _ = render("Text\n\n{% highlight sh %}\nls -l\n", body_line=6)

    assert pre.errors == [(8, 1, "'{% highlight sh %}' is never closed by '{% endhighlight %}'")]


# -- details, param, comment ---------------------------------------------------

def test_details_wraps_its_markdown_with_summary_open_and_class() -> None:
    root, _, _ = render('Davor.\n{{< details summary="Mehr *zum* Treffen" open=true class="kasten" name="g" >}}\n'
                        "Die **Delegationen** trafen sich.\n\n- eins\n- zwei\n{{< /details >}}\nDanach.\n")

    details = root.xpath("//details")[0]
    assert (details.get("class"), details.get("name"), details.get("open")) == ("kasten", "g", "")
    assert lxml.html.tostring(details.xpath("summary")[0], encoding="unicode", with_tail=False) == (
        "<summary>Mehr <em>zum</em> Treffen</summary>")
    assert details.xpath("p/strong")[0].text == "Delegationen"
    assert [li.text for li in details.xpath("ul/li")] == ["eins", "zwei"]
    assert [p.text for p in root.xpath("/div/p")] == ["Davor.", "Danach."]


def test_details_is_closed_with_a_default_summary() -> None:
    root, _, _ = render("{{< details >}}\nText\n{{< /details >}}\n")

    details = root.xpath("//details")[0]
    assert details.get("open") is None and details.xpath("string(summary)") == "Details"


def test_param_shows_front_matter_then_site_params() -> None:
    templates = SiteTemplates(params={"redaktion": "Politik", "ort": "wird überschrieben"})

    root, pre, _ = render('Ort: {{< param "ort" >}}, Leitung: {{< param delegation.leitung >}}, '
                          'Titel: {{% param title %}}, Themen: {{< param tags >}}, '
                          'Ressort: {{< param redaktion >}}.\n', templates)

    assert pre.errors == []
    assert root.text_content().strip() == ("Ort: Genf, Leitung: Blinken, Titel: Treffen in Genf, Themen: NATO, OSZE, "
                                   "Ressort: Politik.")


def test_a_missing_param_is_an_error_at_file_line_and_column() -> None:
    _, pre, _ = render("Absatz.\n\nDie Quelle: {{< param quelle >}}\n", body_line=5)

    assert pre.errors == [(7, 13, "'{{< param quelle >}}': 'quelle' is neither in the front matter nor "
                           "under 'extra:' in config.yaml")]


def test_comment_leaves_nothing() -> None:
    root, pre, _ = render("A\n\n{{< comment >}}\nGeheim *notiert*\n{{< /comment >}}\n\nB\n")

    assert root.text_content().split() == ["A", "B"]
    assert pre.tags == []


# -- embeds and figure (more in test_embeds.py) -------------------------------------

@pytest.mark.parametrize("shortcode, provider", [
    ("{{< twitter user=\"SanDiegoZoo\" id=\"1453110110599868418\" >}}", "x"),
    ("{{< tweet 1453110110599868418 >}}", "x"),
    ("{{< vimeo_simple 146022717 >}}", "vimeo"),
    ("{{< instagram_simple BWNjjyYFxVx >}}", "instagram"),
])
def test_every_embed_name_hugo_knows_is_a_placeholder(shortcode: str, provider: str) -> None:
    root, pre, _ = render(f"{shortcode}\n")

    assert root.xpath("//span[@class='embed']/@data-embed-provider") == [provider]
    assert not root.xpath("//iframe") and pre.tags == []


def test_youtube_start_and_end_reach_the_player_after_the_click() -> None:
    root, _, _ = render('{{< youtube id="dQw4w9WgXcQ" start=30 end=90 >}}\n')

    assert root.xpath("//button/@data-embed-src") == [
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=30&end=90"]


def test_a_linked_figure_keeps_its_caption_outside_the_link() -> None:
    root, _, _ = render('{{< figure src="https://example.org/saal.jpg" alt="Der Saal" caption="Im Saal" '
                        'link="https://example.org/saal-gross.jpg" >}}\n')

    figure = root.xpath("//figure")[0]
    assert [child.tag for child in figure] == ["a", "figcaption"]
    assert figure.xpath("a/@href") == ["https://example.org/saal-gross.jpg"]
    assert figure.xpath("a/img/@alt") == ["Der Saal"]


# -- forms ---------------------------------------------------------------------------

def test_escaped_shortcodes_in_code_show_as_hugo_shows_them() -> None:
    root, pre, _ = render("```\n{{</* youtube abc */>}}\n{{%/* hinweis */%}}\n```\n\n"
                          "Im Text: `{{</* figure src=\"x.jpg\" */>}}`\n")

    assert root.xpath("//pre/code")[0].text == "{{< youtube abc >}}\n{{% hinweis %}}\n"
    assert root.xpath("//p/code")[0].text == '{{< figure src="x.jpg" >}}'
    assert pre.tags == []


def test_raw_blocks_in_code_show_what_jekyll_shows() -> None:
    root, _, _ = render("```liquid\n{% raw %}{{ page.title }}{% endraw %}\n```\n")

    assert root.xpath("//pre/code")[0].text == "{{ page.title }}\n"


def test_shortcodes_spanning_lines_keep_the_lines_after_them_in_place() -> None:
    _, pre, env = render('{{< figure\n  src="https://example.org/a.jpg"\n  alt="A" >}}\n\n'
                         "{{< details\n summary=\"x\" >}}\nText\n{{< /details >}}\n\n"
                         "Ein [Link](fehlt.md) in Zeile 10.\n", body_line=1)

    assert pre.text.count("\n") == 10
    assert env["link_errors"] == [(9, "link to 'fehlt.md' points to no article or term")]   # 0-based line 9
