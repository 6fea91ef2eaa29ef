"""Property-based tests: whatever the content, the build ends in a site or in located errors.

Hypothesis writes sites with random front matter (YAML-ish noise and valid or
invalid values), Markdown made of hostile fragments, and glossaries of German
terms with umlauts, hyphens and aliases. The invariants:

- the build returns (no exception escapes) and either succeeds or reports
  errors that each name a file and a line;
- every page of a successful build parses as HTML without a parse error;
- every annotation's text is a written form of its term (the term or an alias,
  at a sentence start capitalised, with inflection plus a suffix);
- raw HTML, sanitised, carries no event handler and no javascript: URL.

`benchmarks/fuzz_long.py` runs the same properties with many more examples.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import html5lib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.pipeline.build import BuildOptions, build
from builder.text.glossary import SUFFIXES
from builder.text.markdown import sanitize_html

FUZZ_SETTINGS = settings(max_examples=30, deadline=None,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

CONFIG = ('title: "Fuzz"\nbase_url: "https://example.org/"\nglossary:\n  declension: false\n  inflect: {inflect}\n  mode: {mode}\n'
          "markdown:\n  html: {html}\n")

TERMS: list[tuple[str, list[str]]] = [
    ("NATO", ["Nato", "Nordatlantikpakt"]), ("Bündnis", []), ("Außenministerium", ["Auswärtiges Amt"]),
    ("Politik der offenen Tür", ["offene Tür"]), ("NATO-Osterweiterung", ["Osterweiterung"]),
    ("Minsker Abkommen", ["Minsk II"]), ("Élysée-Palast", ["Élysée"]), ("Kreml", []), ("dpa", []),
    ("Straße", ["Strasse"]), ("Übereinkunft", ["Ü-Kunft"]), ("Normandie-Format", []), ("Krim", []),
    ("Abrüstung", ["Rüstungskontrolle"]), ("Freie Bündniswahl", ["Bündnisfreiheit"]),
]
GERMAN_LETTERS = "abcdefghijklmnopqrstuvwxyzäöüßABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÜ"
WORDS = [form for name, aliases in TERMS for form in (name, *aliases)]
INFLECTED = ["NATOs", "Bündnisses", "Kremls", "Abkommens", "Normandie-Formats", "Straßen", "Krim-Krise",
             "Kremlchef", "NATO-Gipfel", "nato", "BÜNDNIS", "dpa-Meldung", "Dpa"]
# Pieces that make a build fail on purpose; clean sites leave them out.
FAILING = {"[Artikel](a1.md)", "[fehlt](fehlt.md)", "{% raw %}", "{{< ref x >}}", "\x00"}
MARKUP = ["**", "*", "_", "__", "`", "``", "~~", "# ", "## ", "> ", ">>>>>", "- ", "1. ", "[", "]", "(", ")",
          "](", "[Link](https://example.org/)", "[böse](javascript:alert(1))", "![Bild](data:x)",
          "<javascript:alert(1)>", "[Artikel](a1.md)", "[fehlt](fehlt.md)", "<b>", "</b>", "<script>",
          "</script>", '"><img src=x onerror=alert(1)>', "&amp;", "&", "&#x6a;", "<", ">", "\\", "---", "```",
          "    Code", "[^1]", "\n\n[^1]: Fußnote", "| a | b |\n|---|---|\n| c | d |", "„", "“", ".", "!", "?",
          ": ", "…", "-", "\u00a0", "\u00ad", "Term\n: Definition", "\t", "{{< ref x >}}", "{% raw %}",
          "<!--", "-->", "\u2028", "\x00", "\r", '<a href="javascript:alert(1)">', "<div onclick=\"x\">\n",
          "<textarea>", '<a title="', "<svg onload=alert(1)>", '<img src="data:image/png,x">', "</div>",
          "<div>\n", '<a href="jav&#x09;ascript:x">']
FILE_CHARS = GERMAN_LETTERS + "0123456789 -_.,'()&+~#é\u0308"
PRINTABLE = st.characters(blacklist_categories=("Cc", "Cs"))
YAML_NOISE = ":-[]{}&*!|>'\"#%@,?\n ~" + "abcxyzäöü0123"
RAW_VALUES = ["nato, eu", "2024-13-45", "2022-02-30", "on", "NO", "yes", "&a x", "*a", "!!python/object:os.system",
              "!foo bar", "[", "{", "|\n  Block", ">", "'offen", '"offen', "10:30", "007", "1_000", "~", "",
              "[NATO, [EU]]", "{a: 1}", "- x", "2022-01-26T19:50:00+01:00", "@x", "`x`", "'../../etc'",
              "'/../x'", "'\\\\..\\\\x'", '"\\0"', '"\\e[2J"', "Überlänge" * 30, "/" + "ö" * 120 + "/",
              "[" + "Gesprächsformat" * 15 + "]"]
KEYS = ["title", "date", "summary", "kicker", "tags", "authors", "slug", "draft", "related", "aliases",
        "url", "glossary", "updated", "tgas", "layout"]


@dataclass(frozen=True)
class TermSpec:
    slug: str
    name: str
    aliases: tuple[str, ...]
    case_sensitive: bool
    inflect: bool | None


@dataclass(frozen=True)
class Site:
    files: dict[str, bytes]
    terms: tuple[TermSpec, ...]
    inflect: bool
    html: bool = False        # raw HTML on: pages may hold the author's broken HTML, never a handler


def words() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(WORDS), st.sampled_from(INFLECTED),
                     st.text(GERMAN_LETTERS + "-", min_size=1, max_size=12))


def markdown(clean: bool = False, forms: tuple[str, ...] = ()) -> st.SearchStrategy[str]:
    """Hostile Markdown, rich in term forms (those of the site's own glossary too)."""
    markup = [m for m in MARKUP if not (clean and m in FAILING)]
    noise = st.text(max_size=8).filter(lambda t: "\x00" not in t) if clean else st.text(max_size=8)
    known = st.sampled_from([*WORDS, *forms])
    piece = st.one_of(known, known, words(), st.sampled_from(markup), st.sampled_from(markup), noise)
    separator = st.sampled_from([" ", " ", " ", "\n", "\n\n", ""])
    return st.lists(st.tuples(piece, separator), max_size=40).map(
        lambda parts: "".join(p + s for p, s in parts))


def json_value() -> st.SearchStrategy[str]:
    plain = st.one_of(st.text(max_size=20), st.integers(-5, 3000), st.booleans(), st.none(),
                      st.sampled_from(WORDS))
    return st.one_of(plain, st.lists(plain, max_size=4)).map(lambda v: json.dumps(v, ensure_ascii=False))


@st.composite
def front_matter(draw: st.DrawFn, required: tuple[str, ...]) -> str:
    """Front matter lines: mostly valid keys, sometimes wrong values or YAML noise."""
    lines = []
    if draw(st.integers(0, 9)) > 0:  # usually start from a valid article or term
        lines += [f"{key}: {value}" for key, value in zip(required, ("Genf", "2022-01-21"))]
    for key in draw(st.lists(st.sampled_from(KEYS), max_size=5)):
        value = draw(st.one_of(json_value(), st.sampled_from(RAW_VALUES), st.text(YAML_NOISE, max_size=30)))
        lines.append(f"{key}: {value}")
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), draw(st.text(YAML_NOISE, max_size=40)))
    return "\n".join(lines)


@st.composite
def wrap(draw: st.DrawFn, front: str, body: str) -> bytes:
    """A whole file: delimiters (sometimes broken), line endings, sometimes a BOM."""
    closing = draw(st.sampled_from(["---", "---", "---", "--- ", "", "..."]))
    text = f"---\n{front}\n{closing}\n{body}\n" if draw(st.integers(0, 19)) else body
    text = text.replace("\n", draw(st.sampled_from(["\n", "\n", "\r\n", "\r"])))
    data = text.encode("utf-8", "surrogatepass")
    return (b"\xef\xbb\xbf" if draw(st.integers(0, 9)) == 0 else b"") + data


def generated_term() -> st.SearchStrategy[tuple[str, list[str]]]:
    return st.tuples(st.text(GERMAN_LETTERS + "- ", min_size=2, max_size=15).map(str.strip).filter(bool),
                     st.lists(st.text(GERMAN_LETTERS + "-", min_size=2, max_size=10), max_size=2))


def _forms(term: tuple[str, list[str]]) -> set[str]:
    return {" ".join(form.split()).lower() for form in (term[0], *term[1])}


@st.composite
def clean_article(draw: st.DrawFn) -> str:
    """Valid front matter with varied values."""
    lines = [f"title: {json.dumps(draw(st.one_of(words(), st.text(PRINTABLE, min_size=1, max_size=30))), ensure_ascii=False)}",
             f"date: {draw(st.dates()).isoformat()}"]
    if draw(st.booleans()):
        lines.append(f"tags: {json.dumps(draw(st.lists(words(), max_size=3)), ensure_ascii=False)}")
    if draw(st.booleans()):
        lines.append(f"summary: {json.dumps(draw(st.text(PRINTABLE, max_size=40)), ensure_ascii=False)}")
    return "\n".join(lines)


@st.composite
def article_path(draw: st.DrawFn, number: int) -> str:
    """Usually content/articles/a<n>.md; sometimes a name with umlauts, spaces, NFD or punctuation."""
    name = draw(st.one_of(st.just(f"a{number}"), st.just(f"a{number}"), st.text(FILE_CHARS, min_size=1, max_size=24)))
    folder = draw(st.sampled_from(["articles", "articles", "", "Meinung & Analyse", "a/b/c", "Über", "U\u0308ber"]))
    return f"content/{folder}/{name}.md" if folder else f"content/{name}.md"


@st.composite
def sites(draw: st.DrawFn) -> Site:
    """Most sites are valid (so pages get checked), the rest hostile (so errors do)."""
    clean = draw(st.integers(0, 9)) < 6
    files: dict[str, bytes] = {}
    terms: list[TermSpec] = []
    chosen = draw(st.lists(st.one_of(st.sampled_from(TERMS), generated_term()), max_size=5))
    if clean:  # no two terms may claim the same form
        unique: list[tuple[str, list[str]]] = []
        for term in chosen:
            if all(not (_forms(term) & _forms(other)) for other in unique):
                unique.append(term)
        chosen = unique
    forms = tuple(form for name, aliases in chosen for form in (name, *aliases))
    for number, (name, aliases) in enumerate(chosen):
        case_sensitive = draw(st.booleans())
        inflect = draw(st.sampled_from([None, True, False]))
        front = [f"term: {json.dumps(name, ensure_ascii=False)}",
                 f"aliases: {json.dumps(list(aliases), ensure_ascii=False)}",
                 f"case_sensitive: {json.dumps(case_sensitive)}"]
        if inflect is not None:
            front.append(f"inflect: {json.dumps(inflect)}")
        if not clean and draw(st.integers(0, 4)) == 0:
            front.append(draw(front_matter(("term",))))
        body = draw(markdown(clean, forms))
        files[f"content/glossary/t{number}.md"] = (
            f"---\n{chr(10).join(front)}\n---\n{body}\n".encode() if clean else draw(wrap("\n".join(front), body)))
        terms.append(TermSpec(f"t{number}", name, tuple(aliases), case_sensitive, inflect))
    for number in range(draw(st.integers(1, 4))):
        path = draw(article_path(number))
        if path in files:
            path = f"content/articles/a{number}.md"
        if clean:
            text = f"---\n{draw(clean_article())}\n---\n{draw(markdown(True, forms))}\n"
            ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
            files[path] = text.replace("\n", ending).encode()
        else:
            files[path] = draw(wrap(draw(front_matter(("title", "date"))), draw(markdown(False, forms))))
    inflect = draw(st.booleans())
    html = draw(st.integers(0, 3)) == 0
    config = CONFIG.format(inflect=json.dumps(inflect), mode=draw(st.sampled_from(["first", "all"])),
                           html=json.dumps(html))
    files["config.yaml"] = config.encode()
    return Site(files, tuple(terms), inflect, html)


def build_site(site: Site, root: Path):  # type: ignore[no-untyped-def]
    for rel, data in site.files.items():
        path = root / "src" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return build(BuildOptions(source=root / "src", destination=root / "out", cache=False, jobs=1))


def is_form_of(text: str, term: TermSpec, site_inflect: bool) -> bool:
    """Whether annotated text is a written form of the term."""
    seen = " ".join(text.split())
    inflect = site_inflect if term.inflect is None else term.inflect
    for form in (term.name, *term.aliases):
        base = " ".join(form.split())
        if not base:
            continue
        for candidate in [base, *([base + s for s in SUFFIXES] if inflect else [])]:
            if seen == candidate or seen == candidate[:1].upper() + candidate[1:]:
                return True
            if not term.case_sensitive and seen.lower() == candidate.lower():
                return True
    return False


URL_ATTRIBUTES = ("href", "src", "action", "formaction", "data", "poster", "xlink:href", "srcset", "background")


def assert_no_script_attributes(tree: object, where: object, anywhere: bool = False) -> None:
    """No event handler, no URL with javascript:, vbscript: or data: (the theme uses none).

    With `anywhere`, no attribute value may name javascript: at all (what the
    sanitiser promises for raw HTML; page text such as a description may).
    """
    for element in tree.iter():  # type: ignore[attr-defined]
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            name = name.split("}")[-1].lower()
            plain = "".join(value.split()).lower()
            assert not name.startswith("on"), (where, name, value)
            if anywhere or name in URL_ATTRIBUTES:
                assert "javascript:" not in plain and "vbscript:" not in plain, (where, name, value)
            if name in URL_ATTRIBUTES:
                assert not plain.startswith("data:"), (where, name, value)


def check_build(site: Site) -> tuple[bool, int]:
    """The invariants of one build (see the module docstring); returns (built, annotations checked)."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        report = build_site(site, root)  # an exception here fails the property
        errors = [d for d in report.diagnostics if d.severity == "error"]
        for diagnostic in errors:
            assert diagnostic.path and diagnostic.line is not None, diagnostic
            assert diagnostic.path in site.files or diagnostic.path.startswith("content/"), diagnostic
        if not report.ok:
            assert errors, report.diagnostics
            assert not (root / "out").exists()
            return False, 0
        terms = {t.slug: t for t in site.terms}
        checked = 0
        for page in (root / "out").rglob("*.html"):
            parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=False)
            document = parser.parse(page.read_text(encoding="utf-8"))
            if site.html:
                assert_no_script_attributes(document, page)
            else:
                assert [error[1] for error in parser.errors] == [], page
            for element in document.iter("a"):
                if element.get("class") != "gl-term":
                    continue
                term = terms[element.get("data-term", "")]
                text = "".join(element.itertext())
                assert is_form_of(text, term, site.inflect), (text, term)
                checked += 1
        return True, checked


@FUZZ_SETTINGS
@given(sites())
def test_any_site_builds_or_reports_located_errors(site: Site) -> None:
    check_build(site)


def check_sanitized(source: str) -> None:
    """Sanitised raw HTML, as a browser parses it, has no handler and no script URL."""
    html = sanitize_html(source)
    assert_no_script_attributes(html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False),
                                (source, html), anywhere=True)


HTML_PIECES = ["<a", "<img", "<svg", "<iframe", "<form", "<math", "<script>", "</script>", "<style>", "</style>",
               "<textarea>", "</textarea>", "<title>", "<noscript>", "<xmp>", "<!--", "-->", "--!>", "<![CDATA[",
               " href=", " src=", " onerror=", " ONLOAD=", " xlink:href=", " srcset=", " formaction=", " style=",
               "javascript:", "JaVa&#x09;Script:", "java&Tab;script&colon;", "&#106;avascript:", "data:text/html,",
               "vbscript:", "%6Aavascript:", '"', "'", "=", "/", ">", " ", "\n", "alert(1)", "x", "&", "&amp;", "<"]


@FUZZ_SETTINGS
@given(st.lists(st.one_of(st.sampled_from(HTML_PIECES), st.text(max_size=5)), max_size=30).map("".join))
def test_sanitised_raw_html_carries_no_script_urls(source: str) -> None:
    check_sanitized(source)


YAML_PIECES = ["title: ", "date: ", "tags: ", "- ", "  ", "\n", "[", "]", "{", "}", ", ", "&a ", "*a", "!!python/name:x ",
               "!x ", "? ", ": ", "'", '"', "|", ">", "#", "%YAML 1.1\n", "---\n", "...\n", "<<: ", "2024-13-45", "on",
               "NO", "1:30", "007", "\\e", "\t", "\x07", "\u2028", "\x85", "\ufeff", "\ud7ff", "ä", "ß", "~", "=",
               "@", "`", "\\", "0x1F", ".inf", "9" * 30, "[" * 60, "{a: " * 60]


def check_front_matter(text: str) -> None:
    """Splitting and loading front matter gives data or one error inside the file."""
    from builder.content.frontmatter import FrontMatterError, parse
    lines = text.count("\n") + 1
    try:
        fm = parse(text)
    except FrontMatterError as exc:
        assert 1 <= exc.line <= lines + 1, (text, exc.line, exc.message)
        assert exc.col is None or exc.col >= 1, (text, exc.col)
        assert exc.message and "\n" not in exc.message, exc.message
        return
    assert 1 <= fm.body_line <= lines + 1
    assert all(1 <= line <= lines for line in fm.key_lines.values()), fm.key_lines


@FUZZ_SETTINGS
@given(st.lists(st.one_of(st.sampled_from(YAML_PIECES), st.text(max_size=4)), max_size=40)
       .map(lambda parts: "---\n" + "".join(parts) + "\n---\nText\n"))
def test_front_matter_is_data_or_one_located_error(text: str) -> None:
    check_front_matter(text)
