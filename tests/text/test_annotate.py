"""The markdown-it glossary plugin, rendered with a real CommonMark parser."""

from __future__ import annotations

import re
from typing import Any, Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from builder.content.model import Term
from builder.text.annotate import glossary_plugin
from builder.text.glossary import Matcher


def term(slug: str, name: str, *aliases: str, summary: str = "", **options: object) -> Term:
    return Term(slug=slug, term=name, aliases=aliases, summary=summary or f"Erklärung zu {name}",
                body="", source=f"content/glossary/{slug}.md", **options)  # type: ignore[arg-type]


NATO = term("nato", "NATO", summary="Nordatlantisches Verteidigungsbündnis.")
FORMAT = term("normandie-format", "Normandie-Format",
              summary="Gesprächsformat von Deutschland, Frankreich, …")
DPA = term("dpa", "dpa", summary="Deutsche Presse-Agentur.")
TUER = term("politik-der-offenen-tuer", "Politik der offenen Tür", summary="Offene Märkte.")
AMT = term("auswaertiges-amt", "Auswärtiges Amt", "Außenministerium", summary="Das deutsche Außenministerium.")
GLOSSARY = [NATO, FORMAT, DPA, TUER, AMT]


def markdown(terms: Sequence[Term] = GLOSSARY, *, mode: str = "first", inflect: bool = True,
             options: dict[str, Any] | None = None) -> MarkdownIt:
    md = MarkdownIt("commonmark", options or {})
    glossary_plugin(md, Matcher(terms, inflect=inflect), {t.slug: t for t in terms},
                    term_url=lambda slug: f"/glossar/{slug}/", mode=mode)
    return md


def render(text: str, env: dict[str, Any] | None = None, **kwargs: Any) -> str:
    return markdown(**kwargs).render(text, env if env is not None else {})


def annotated(html: str) -> list[str]:
    """The annotated words of rendered HTML, in order."""
    return re.findall(r'<a class="gl-term"[^>]*>(.*?)</a>', html, flags=re.S)


def test_annotation_markup_is_exactly_what_the_theme_expects() -> None:
    html = render("Die Zukunft des Normandie-Formats ist offen.")
    assert html == (
        '<p>Die Zukunft des <span class="gl"><a class="gl-term" href="/glossar/normandie-format/"'
        ' data-term="normandie-format" aria-describedby="gl-tip-normandie-format-1">Normandie-Formats</a>'
        '<span class="gl-tip" role="tooltip" id="gl-tip-normandie-format-1">'
        "Gesprächsformat von Deutschland, Frankreich, …</span></span> ist offen.</p>\n")


def test_tooltip_text_is_escaped() -> None:
    tricky = term("nato", "NATO", summary='Das „Bündnis“ <script>alert("x")</script> & \'mehr\'')
    html = render("Die NATO tagt.", terms=[tricky])
    assert ('id="gl-tip-nato-1">Das „Bündnis“ &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; '
            "&amp; &#x27;mehr&#x27;</span>") in html


def test_href_comes_from_term_url_and_is_escaped() -> None:
    md = MarkdownIt("commonmark")
    glossary_plugin(md, Matcher([NATO]), {"nato": NATO}, term_url=lambda slug: f"/g/?t={slug}&x=1")
    assert 'href="/g/?t=nato&amp;x=1"' in md.render("Die NATO tagt.")


def test_term_without_summary_shows_its_name() -> None:
    bare = Term(slug="nato", term="NATO", aliases=(), summary="", body="", source="content/glossary/nato.md")
    html = render("Die NATO tagt.", terms=[bare])
    assert 'id="gl-tip-nato-1">NATO</span>' in html


# --- how often -------------------------------------------------------------------

def test_mode_first_annotates_first_occurrence_and_counts_all() -> None:
    env: dict[str, Any] = {}
    html = render("Die NATO tagt.\n\nDas Außenministerium und die NATO.\n\n- NATO\n", env)
    assert annotated(html) == ["NATO", "Außenministerium"]
    assert html.count('class="gl"') == 2
    assert env["glossary_terms"] == ["nato", "auswaertiges-amt"]
    assert env["glossary_counts"] == {"nato": 3, "auswaertiges-amt": 1}


def test_mode_all_annotates_every_occurrence_with_unique_ids() -> None:
    env: dict[str, Any] = {}
    # "Auswärtige Amt" is not annotated: inflection only touches the last word.
    html = render("Die NATO und das Auswärtige Amt.\n\nDie NATO, wieder die NATO.", env, mode="all")
    assert annotated(html) == ["NATO", "NATO", "NATO"]
    ids = re.findall(r'id="(gl-tip-[^"]+)"', html)
    assert ids == ["gl-tip-nato-1", "gl-tip-nato-2", "gl-tip-nato-3"]
    assert re.findall(r'aria-describedby="([^"]+)"', html) == ids
    assert env["glossary_terms"] == ["nato"]
    assert env["glossary_counts"] == {"nato": 3}


def test_mode_all_numbers_ids_across_terms() -> None:
    html = render("Die NATO und das Außenministerium und die NATO.", mode="all")
    assert re.findall(r'id="(gl-tip-[^"]+)"', html) == [
        "gl-tip-nato-1", "gl-tip-auswaertiges-amt-2", "gl-tip-nato-3"]


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError) as error:
        markdown(mode="alle")
    assert str(error.value) == "glossary mode must be one of first, all, not 'alle'"


def test_disabled_per_render_annotates_nothing() -> None:
    env: dict[str, Any] = {"glossary_enabled": False}
    html = render("Die NATO tagt.", env)
    assert html == "<p>Die NATO tagt.</p>\n"
    assert env["glossary_terms"] == []
    assert env["glossary_counts"] == {}


def test_each_render_starts_afresh() -> None:
    md = markdown()
    first: dict[str, Any] = {}
    second: dict[str, Any] = {}
    md.render("Die NATO tagt.", first)
    html = md.render("Die NATO tagt wieder.", second)
    assert annotated(html) == ["NATO"]
    assert second["glossary_terms"] == ["nato"]
    assert second["glossary_counts"] == {"nato": 1}


# --- where not --------------------------------------------------------------------

def test_never_in_headings() -> None:
    env: dict[str, Any] = {}
    html = render("# Die NATO\n\n## NATO-Gipfel und NATO\n\nDie NATO tagt.", env)
    assert html.startswith("<h1>Die NATO</h1>\n<h2>NATO-Gipfel und NATO</h2>\n<p>Die <span")
    assert env["glossary_counts"] == {"nato": 1}


def test_never_in_code_spans_or_code_blocks() -> None:
    env: dict[str, Any] = {}
    html = render("Mit `NATO` im Code.\n\n```\nNATO\n```\n\n    NATO eingerückt\n", env)
    assert annotated(html) == []
    assert env["glossary_counts"] == {}


def test_never_inside_links_but_after_them() -> None:
    html = render("Der [Gipfel der NATO](https://example.org/) und die NATO.")
    assert html == (
        '<p>Der <a href="https://example.org/">Gipfel der NATO</a> und die <span class="gl">'
        '<a class="gl-term" href="/glossar/nato/" data-term="nato" aria-describedby="gl-tip-nato-1">NATO</a>'
        '<span class="gl-tip" role="tooltip" id="gl-tip-nato-1">Nordatlantisches Verteidigungsbündnis.</span>'
        "</span>.</p>\n")


def test_never_in_autolinks() -> None:
    assert annotated(render("Siehe <https://NATO.int> und <https://nato.int/NATO>.")) == []


def test_never_in_image_alt_text() -> None:
    html = render("![Ein NATO-Schiff und die NATO](schiff.jpg)")
    assert html == '<p><img src="schiff.jpg" alt="Ein NATO-Schiff und die NATO" /></p>\n'


def test_never_in_raw_html_nor_between_raw_link_tags() -> None:
    html = render('Das <a href="/x/">Bündnis NATO</a> und <abbr title="NATO">Abk.</abbr>, dann NATO.',
                  options={"html": True})
    assert annotated(html) == ["NATO"]
    assert '<a href="/x/">Bündnis NATO</a>' in html
    assert '<abbr title="NATO">Abk.</abbr>' in html
    assert html.index('class="gl"') > html.index("dann")


def test_never_in_the_terms_own_definition() -> None:
    env: dict[str, Any] = {"glossary_exclude": "nato"}
    html = render("Die NATO arbeitet mit dem Außenministerium.", env)
    assert annotated(html) == ["Außenministerium"]
    assert env["glossary_terms"] == ["auswaertiges-amt"]
    assert env["glossary_counts"] == {"auswaertiges-amt": 1}


def test_excluded_term_still_claims_its_text() -> None:
    union = term("union", "Union")
    eu = term("eu", "Europäische Union")
    html = render("Die Europäische Union.", {"glossary_exclude": "eu"}, terms=[union, eu])
    assert annotated(html) == []


def test_never_inside_an_existing_annotation() -> None:
    md = MarkdownIt("commonmark")
    tuer = {TUER.slug: TUER}
    glossary_plugin(md, Matcher(list(tuer.values())), tuer, term_url=lambda s: f"/glossar/{s}/")
    door = term("tuer", "Tür", summary="Eine Tür.")
    glossary_plugin(md, Matcher([door]), {"tuer": door}, term_url=lambda s: f"/glossar/{s}/")
    html = md.render("Die Politik der offenen Tür. Eine Tür.")
    assert annotated(html) == ["Politik der offenen Tür", "Tür"]
    assert html.index('data-term="tuer"') > html.index("Eine")


# --- text across tokens -------------------------------------------------------------

def test_multi_word_term_across_a_soft_line_break() -> None:
    html = render("Sie verteidigt die Politik der offenen\nTür weiter.")
    assert annotated(html) == ["Politik der offenen\nTür"]
    assert "<p>Sie verteidigt die <span" in html


def test_hyphen_after_emphasis_is_still_a_compound() -> None:
    assert annotated(render("Der **NATO**-Gipfel.")) == []
    assert annotated(render("Die **NATO** tagt.")) == ["NATO"]
    assert annotated(render("Der Anti-*NATO* Protest.")) == []


def test_annotation_inside_emphasis_keeps_nesting() -> None:
    html = render("Die *NATO*.")
    assert html.startswith('<p>Die <em><span class="gl"><a class="gl-term"')
    assert html.endswith("</span></span></em>.</p>\n")


# --- sentence starts ---------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Dpa meldet Neues.", ["Dpa"]),
    ("Es regnet. Dpa meldet Neues.", ["Dpa"]),
    ("**Es regnet.** Dpa meldet Neues.", ["Dpa"]),
    ("*Dpa* meldet Neues.", ["Dpa"]),
    ("Es regnet.\nDpa meldet Neues.", ["Dpa"]),
    ("Laut Dpa regnet es.", []),
    ("Es regnet,\nDpa meldet.", []),
    ("Quelle: dpa.", ["dpa"]),
])
def test_capitalised_term_only_at_sentence_start(text: str, expected: list[str]) -> None:
    assert annotated(render(text)) == expected


def test_case_insensitive_term() -> None:
    afd = term("afd", "AfD", case_sensitive=False)
    html = render("Die AFD und die afd.", terms=[afd], mode="all")
    assert annotated(html) == ["AFD", "afd"]


def test_inflection_off_leaves_inflected_forms() -> None:
    assert annotated(render("Die Zukunft des Normandie-Formats.", inflect=False)) == []


def test_runs_after_smartquotes() -> None:
    quoted = term("zeitenwende", "„Zeitenwende“")
    md = MarkdownIt("commonmark", {"typographer": True, "quotes": "„“‚‘"}).enable("smartquotes")
    glossary_plugin(md, Matcher([quoted]), {quoted.slug: quoted}, term_url=lambda s: f"/glossar/{s}/")
    assert md.core.ruler.get_active_rules()[-3:] == ["smartquotes", "text_join", "glossary"]
    assert annotated(md.render('Die "Zeitenwende" kam.')) == ["„Zeitenwende“"]


@given(st.text(alphabet="ab ", min_size=1, max_size=30), st.lists(st.integers(0, 30), max_size=8),
       st.lists(st.booleans(), min_size=8, max_size=8), st.integers(0, 3))
def test_splitting_one_text_token_makes_the_tokens_of_the_general_split(text: str, cuts: list[int],
                                                                         chosen: list[bool], level: int) -> None:
    from markdown_it.token import Token

    from builder.text.annotate import _Annotation, _split_run, _split_text

    # Annotations between chosen neighbouring cut points: in order, not overlapping, some adjacent,
    # some at the start or end of the text, as _choose makes them.
    points = sorted({c for c in cuts if c <= len(text)})
    annotations = [_Annotation(start, end, f"t{n}", n + 1, f"/t{n}/", "Tipp")
                   for n, (start, end) in enumerate(zip(points, points[1:])) if chosen[n]]
    expected = _split_run([Token("text", "", 0, level=level, content=text)], text, annotations)
    assert _split_text(level, text, annotations) == expected
