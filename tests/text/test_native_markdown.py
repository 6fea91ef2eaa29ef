"""The Rust renderer's fast path gives what markdown-it-py gives, and declines what it cannot."""

from __future__ import annotations

import os
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.content.config import MarkdownSettings
from builder.content.model import RenderedBody, Term
from builder.text import native_markdown
from builder.text.annotate import GlossaryRules
from builder.text.glossary import Matcher
from builder.text.markdown import create_markdown, render_body


@pytest.fixture(autouse=True)
def needs_rust_renderer() -> None:
    if not native_markdown.available():
        if os.environ.get("CI") == "true":   # CI's Python has the wheel
            pytest.fail("markdown-it-pyrs is missing on CI")
        pytest.skip("markdown-it-pyrs has no wheel for this Python")


def term(slug: str, name: str, *aliases: str, summary: str = "") -> Term:
    return Term(slug=slug, term=name, aliases=aliases, summary=summary or f"Zu {name} & „mehr“",
                body="", source=f"content/glossary/{slug}.md", alias_lines=MappingProxyType({}))


TERMS = (term("nato", "NATO"), term("eu", "EU", "Europäische Union"), term("rat", "Rat"),
         term("pdot", "Politik der offenen Tür"), term("normandie", "Normandie-Format"),
         term("dpa", "dpa"), term("code", "Code"))
URLS = {"andere.md": "/artikel/andere/", "ordner/zweite.md": "/artikel/zweite/", "glossar/eu.md": "/glossar/eu/"}


def renderers(settings: MarkdownSettings = MarkdownSettings(), mode: str = "first", terms: tuple[Term, ...] = TERMS,
              inflect: bool = True) -> tuple[Any, Any]:
    def make(native: bool) -> Any:
        rules = GlossaryRules(Matcher(terms, inflect=inflect), {t.slug: t for t in terms},
                              lambda slug: f"/basis/glossar/{slug}/?a=1&b=2", mode) if terms else None
        return create_markdown(settings, glossary=rules, native=native)
    return make(True), make(False)


def under_base(path: str) -> str:
    return "/basis" + path


def env(**extra: Any) -> dict[str, Any]:
    return {"resolve_link": URLS.get, "url_for": under_base, "base_path": "/basis/", "docId": "n", **extra}


def fields(body: RenderedBody) -> tuple[Any, ...]:
    return body.html, body.terms, dict(body.term_counts), body.links, body.headings, body.text


SAME = [
    "",
    "   \n\n  ",
    "Die NATO tagt. Der Rat tagt auch.",
    "Die **NATO**-Gipfel und *NATO*. NATO- und EU-Staaten, die NATO.",
    "Eine Politik der\noffenen Tür, und eine Politik der  \noffenen Tür.",
    "Politik der *offenen* Tür, dann Politik der offenen Tür.",
    "# Titel mit NATO\n\n## Titel mit NATO\n\n## Titel mit ~~alt~~ *und* **mehr**\n\nText\n===\n\nZwei\nZeilen\n---\n",
    "## A\n\n## A\n\n## A 2\n\n#\n\n## Über Straßen: ä, ß & Co.\n",
    "[NATO](andere.md) und [die NATO](andere.md#teil) und [EU](ordner/zweite.md) NATO.",
    "[x](/basis/artikel/a/#b), [y](/artikel/b/), [z](https://example.org/?a=1&b=2 (Titel & mehr)), [w](#anker)",
    "[Ümlaut](/artikel/ärger/) [Leer](/artikel/mit leer/) [Prozent](/a%20b/) [Ref][r]\n\n[r]: andere.md",
    "Im Block:\n\n    eingerückt NATO\n",
    "- NATO\n- EU\n  - Rat\n  - Europäische Union\n\n1. eins NATO\n2. zwei\n\n3) drei\n",
    "- lose NATO\n\n- Liste mit EU\n\n  zweiter Absatz Rat\n",
    "1. # Titel NATO\n   danach EU und *Rat*\n2. ---\n   NATO\n- eins\n  - zwei\n  NATO am Ende",
    "-\n- \n  - verschachtelt\n-\n\n  nach leerer Zeile\n",
    "> Ein Zitat über die NATO\n>\n> > verschachtelt EU\n\n***\n\nNach der Linie: Rat.",
    "Entitäten: &amp; &ouml; &#228; &#x201E;NATO&#x201C; &copy; &nbsp;NATO &unbekannt; A&B & C",
    "Typografie: (c) (r) (tm) +- ... ?.... !!!!! ,, -- --- NATO--EU 1--2",
    "Escapes: \\*NATO\\* \\# \\[EU\\] \\\\ und ~~durchgestrichen NATO~~ ~~EU~~.",
    "Satz. dpa meldet. Dpa meldet. nato klein. Nato am Satzanfang. **Dpa** fett.",
    "Mehrere Sätze! Rat. Rates Räte Rats. Des Normandie-Formats und Normandie-Formate.",
    "Eine sehr lange Zeile " + "mit NATO und EU " * 200 + "am Ende.",
    "Tab\tNATO\tEU\n\nNBSP\u00a0Politik\u00a0der\u00a0offenen\u00a0Tür und weiche\u00adTrennung NA\u00adTO.",
    "hart mit Backslash\\\nNATO",
    "*Betont **verschachtelt** NATO* und _unterstrichen_ __fett__ EU.",
    "Setext mit NATO\n---\n\nText NATO.\n\nSetext mit hartem\\\nUmbruch und *weichem*\nUmbruch\n===",
    "Anti-*NATO* und x*NATO* und *NATO*-Gipfel und *EU*x. Ende: *Dpa* meldet.",
    "- [ ] keine Aufgabenliste NATO\n- [Link in Liste](andere.md) EU",
    'Er sagte "NATO" und "die EU", \\"maskiert\\" "*betont*" "" 5"-Zoll'
    ' "[Link](andere.md)".',
    '"Am Anfang" steht "Dpa". "NATO" sagt: "Rat"\n\n"offen\n\n> "zitiert" **"fett"**',
    '    "eingerückt"\n\n'
    '# "Titel" mit "NATO"\n\n- "eins"\n- *"zwei"*',
    "Geht's der NATO gut? Die Gauß'sche Kurve und Grimm'sche Märchen, gibt's. *Wie's* **geht's**",
    "Geht's \"der NATO\" gut? Das war's \"am Ende\".",
    "[böse](javascript:alert(1)) [auch](VBScript:x) [Datei](file:///etc/passwd)",   # refused by both
    "[böse](java&#115;cript:alert(1)) [kontroll](java\tscript:x)",
]


@pytest.mark.parametrize("text", SAME)
@pytest.mark.parametrize("mode", ["first", "all"])
def test_the_fast_path_gives_what_markdown_it_py_gives(text: str, mode: str) -> None:
    fast, slow = renderers(mode=mode)
    assert fast.options["native"].render(text, env()) is not None   # the fast path took it
    assert fields(render_body(fast, text, env())) == fields(render_body(slow, text, env()))


# Code spans, which the fast path takes only without the typographer.
CODE = [
    "## Titel mit `code` *und* **mehr**\n\nInline `NATO` und NATO, dann `Code` und Code.",
    "```\nNATO im Code\n```\n\nCode über Zeilen `a\nb` NATO `(c) -- \"x\"`",
]


@pytest.mark.parametrize("text", CODE)
def test_code_spans_without_the_typographer(text: str) -> None:
    fast, slow = renderers(MarkdownSettings(typographer=False))
    assert fast.options["native"].render(text, env()) is not None
    assert fields(render_body(fast, text, env())) == fields(render_body(slow, text, env()))


@pytest.mark.parametrize("text", SAME[2:12])
def test_without_typographer_without_glossary_and_on_a_term_page(text: str) -> None:
    for settings, terms, extra in ((MarkdownSettings(typographer=False), TERMS, {}),
                                   (MarkdownSettings(), (), {}),
                                   (MarkdownSettings(), TERMS, {"glossary_exclude": "nato"}),
                                   (MarkdownSettings(), TERMS, {"glossary_enabled": False})):
        fast, slow = renderers(settings, terms=terms)
        assert fast.options["native"].render(text, env(**extra)) is not None
        assert fields(render_body(fast, text, env(**extra))) == fields(render_body(slow, text, env(**extra)))


@pytest.mark.parametrize("settings", [MarkdownSettings(typographer=False), MarkdownSettings(quotes="«»‹›"),
                                      MarkdownSettings(quotes="“”‘’"), MarkdownSettings(quotes="”“’‘")])
def test_quotes_in_other_settings(settings: MarkdownSettings) -> None:
    text = 'Er sagte "NATO" und "EU" und `code`.' if not settings.typographer else 'Er sagte "NATO" und "EU".'
    fast, slow = renderers(settings)
    assert fast.options["native"].render(text, env()) is not None
    assert fields(render_body(fast, text, env())) == fields(render_body(slow, text, env()))


OUTSIDE = [
    "Er sagte 'NATO'.",                           # single quotes that pair, under the typographer
    "Sie sagte: 'Geht's der NATO gut?'",
    "Die '90er und 'n Stück 'schön'",
    'Er sagte "NATO" und `"Code"`.',              # double quotes beside code, or typographic ones
    'Er sagte "NATO" und „EU“.',
    'Er sagte "NATO" &amp; "EU".',
    "Ein ' allein, '90er",
    '| "a" | b |\n|---|---|\n| "c" | d |',         # tables
    "| Begriff | Wert |\n|:--|--:|\n| NATO | 1 |\n- Liste",
    "Roh <b>NATO</b> und <https://example.org>",   # "<"
    "![Bild](foto.jpg)",                          # images and figures
    "Fußnote[^1]\n\n[^1]: NATO",
    "Begriff\n: Definition NATO",                  # a definition list
    "Begriff\n  ~ Definition",
    ": am Anfang",
    "- Liste\n\n  Begriff\n\t: Definition",
    "> Begriff\n> : Definition",
    "Platzhalter \ue0000\ue001 hier",
    "Code `(c)` unter dem Typografen",
    "~~~\nFence\n~~~",              # a shortcode's placeholder
    "[daten](data:image/png;base64,AAAA)",         # the port's check lets these pass, ours does not
    "[kodiert](JAVA%53cript:x)",
    "[fehlt](gibt-es-nicht.md)",                   # an error with its line
]


@pytest.mark.parametrize("text", OUTSIDE)
def test_bodies_outside_the_subset_go_to_markdown_it_py(text: str) -> None:
    fast, slow = renderers()
    scratch = env()
    assert fast.options["native"].render(text, scratch) is None
    assert scratch == env()   # nothing of the attempt is left in env
    got, expected = env(), env()
    assert fields(render_body(fast, text, got)) == fields(render_body(slow, text, expected))
    assert got.get("link_errors") == expected.get("link_errors")


def test_a_missing_link_target_keeps_its_line() -> None:
    fast, _ = renderers()
    scratch = env()
    render_body(fast, "Absatz\n\nnoch einer\n\n[fehlt](weg.md)", scratch)
    assert scratch["link_errors"] == [(4, "link to 'weg.md' points to no article or term")]


def test_shortcode_fragments_go_to_markdown_it_py() -> None:
    fast, _ = renderers()
    assert fast.options["native"].render("NATO", env(fragments=("x",))) is None


def test_without_the_rust_renderer_markdown_it_py_renders_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(native_markdown, "_RustMarkdownIt", None)
    md = create_markdown(MarkdownSettings())
    assert "native" not in md.options
    assert render_body(md, "# NATO", env()).html == '<h1 id="h-nato">NATO</h1>\n'


def test_raw_html_and_extra_plugins_keep_markdown_it_py() -> None:
    assert "native" not in create_markdown(MarkdownSettings(html=True)).options
    assert "native" not in create_markdown(MarkdownSettings(), [lambda md: None]).options
    assert "native" in create_markdown(MarkdownSettings()).options


def test_the_fast_path_annotates_and_rewrites() -> None:
    """Not only equal to markdown-it-py: what the rules are for is there."""
    fast, _ = renderers()
    body = render_body(fast, "## Die NATO\n\nDie NATO und die [EU](andere.md#x). NATO.", env())
    assert body.html.startswith('<h2 id="h-die-nato">Die NATO</h2>\n<p>Die <span class="gl">')
    assert 'href="/basis/glossar/nato/?a=1&amp;b=2"' in body.html
    assert '<a href="/basis/artikel/andere/#x">EU</a>' in body.html
    assert body.terms == ("nato",) and body.term_counts == {"nato": 2}
    assert body.links == ("/artikel/andere/",) and body.headings == ((2, "h-die-nato", "Die NATO"),)


# Markdown made of the pieces news prose and its markup are made of: the terms, words around them,
# inline markers, block starts, breaks, entities, typography, links and the characters that take a
# body out of the subset (so that the test also checks that such bodies are declined).
PIECES = [
    "NATO", "EU", "Rat", "Rates", "Politik der offenen Tür", "Normandie-Formats", "dpa", "Dpa", "Code",
    "Europäische Union", "der Europäischen Union", "Anti-", "-Gipfel", "x", "Wort", "Straße", "ä", "2024",
    " ", " ", "  ", "\t", "\u00a0", "\u00ad", ".", ". ", ",", ":", "!", "?", "…", "(", ")", "-", "–", "/",
    "*", "**", "_", "__", "~~", "`", "\\", "\\*", "\\\\", "#", "[", "]", "](", "](andere.md)", "](/artikel/a/)",
    "](https://example.org/?a=1&b=2)", "](#x)", "](weg.md)", "[NATO](andere.md)", "<", ">", "&", "&amp;",
    "&ouml;", "&#228;", "&quot;", '"', "'", "„", "“", "(c)", "...", "--", "---", "+-",
    "\n", "\n\n", "  \n", "\\\n", "\n# ", "\n## ", "\n- ", "\n1. ", "\n> ", "\n    ", "\n---\n", "\n===\n",
    "\n```\n", "\n~~~\n", "\n| a | b |\n|---|:-:|\n| ", " | ", "\n: ", "![", "[^1]", "\r\n", "\r", "\0",
]


# The same without the pieces that take a body out of the subset: most of these bodies take the fast path.
INSIDE = [piece for piece in PIECES if piece not in
          ("<", "|", '"', "'", "&", "&quot;", "`", "\n```\n", "\n~~~\n", "\n: ", "![", "[^1]", "](weg.md)", " | ",
           "\n| a | b |\n|---|:-:|\n| ")]


@given(st.one_of(st.lists(st.sampled_from(PIECES), max_size=40), st.lists(st.sampled_from(INSIDE), max_size=40)),
       st.sampled_from(["first", "all"]))
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_body_the_fast_path_takes_renders_as_markdown_it_py_renders_it(pieces: list[str], mode: str) -> None:
    text = "".join(pieces)
    fast, slow = MODES[mode]
    fast_env, slow_env = env(), env()
    body = fast.options["native"].render(text, fast_env)
    if body is not None:
        assert fields(body) == fields(render_body(slow, text, slow_env))


MODES = {mode: renderers(mode=mode) for mode in ("first", "all")}
