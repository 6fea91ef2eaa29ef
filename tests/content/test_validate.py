"""Validating articles and terms: every wrong value is an error on its own line."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builder.content.fields import safe_url_path, visible
from builder.content.typos import typo_warnings
from builder.content.validate import LoadOptions, load_article, load_term

BERLIN = ZoneInfo("Europe/Berlin")
OPTIONS = LoadOptions(BERLIN)
REL = "content/articles/genf.md"


def article_errors(front: str, rel: str = REL) -> list[str]:
    article, problems = load_article(rel, f"---\n{front}---\nText.\n", OPTIONS)
    assert article is None
    return [str(p) for p in problems]


def good_article(front: str, rel: str = REL):  # type: ignore[no-untyped-def]
    article, problems = load_article(rel, f"---\ntitle: Genf\ndate: 2022-01-21\n{front}---\nText.\n", OPTIONS)
    assert [str(p) for p in problems] == []
    assert article is not None
    return article


def test_a_valid_article() -> None:
    article = good_article("tags: [NATO, Russland]\nauthors: [Anna Berg]\n")
    assert (article.slug, article.url, article.title, article.tags, article.authors, article.body_line) == (
        "genf", "/articles/genf/", "Genf", ("NATO", "Russland"), ("Anna Berg",), 7)
    assert article.date == datetime(2022, 1, 21, tzinfo=BERLIN)


@pytest.mark.parametrize("text", ["", "\n\n", "  \n\t\n", "\ufeff"])
def test_an_empty_article_is_one_error(text: str) -> None:
    assert [str(p) for p in load_article(REL, text.lstrip("\ufeff"), OPTIONS)[1]] == [
        f"{REL}:1: error: the file is empty\n  hint: write front matter with 'title:' and 'date:', or delete the file"]


def test_an_empty_term_is_one_error() -> None:
    term, problems = load_term("content/glossary/nato.md", "", OPTIONS)
    assert term is None
    assert [str(p) for p in problems] == [
        "content/glossary/nato.md:1: error: the file is empty\n"
        "  hint: write front matter with 'term:', or delete the file"]


def test_front_matter_only_without_keys() -> None:
    assert article_errors("") == [
        f"{REL}:1: error: 'title' is required\n  hint: add 'title: \"…\"' to the front matter",
        f"{REL}:1: error: 'date' is required\n  hint: add e.g. 'date: 2022-01-26T19:50:00+01:00'"]


def test_a_required_key_without_value_points_at_the_key() -> None:
    assert article_errors("date: 2022-01-21\ntitle:\n") == [
        f"{REL}:3: error: 'title' is required\n  hint: add 'title: \"…\"' to the front matter"]


@pytest.mark.parametrize(("front", "expected"), [
    ("title: Genf\ndate: 2022-01-21\ntags: nato, eu\n",
     "4: error: 'tags' must be a list, got the text \"nato, eu\"\n  hint: write a list: tags: [nato, eu]"),
    ("title: [Genf]\ndate: 2022-01-21\n", "2: error: 'title' must be text, got a list"),
    ("title: ''\ndate: 2022-01-21\n", "2: error: 'title' must not be empty"),
    ("title: Genf\ndate: 2022-01-21\ndraft: yes\n", "4: error: 'draft' must be true or false, got \"yes\""),
    ("title: Genf\ndate: 2022-01-21\nglossary: off\n", "4: error: 'glossary' must be true or false, got \"off\""),
    ("title: Genf\ndate: 2022-01-21\ntags: {NATO: 1}\n",
     "4: error: 'tags' must be a list of text, got a mapping"),
    ("title: Genf\ndate: 2022-01-21\ntags: [NATO, [EU]]\n",
     "4: error: 'tags' must be a list of text, got an item a list"),
    ("title: Genf\ndate: '2024-13-45'\n", "3: error: 'date' must be an ISO 8601 date, got \"2024-13-45\" "
     "(month must be in 1..12)\n  hint: write e.g. 2022-01-26 or 2022-01-26T19:50:00+01:00"),
    ("title: Genf\ndate: morgen\n", "3: error: 'date' must be an ISO 8601 date, got \"morgen\"\n"
     "  hint: write e.g. 2022-01-26 or 2022-01-26T19:50:00+01:00"),
    ("title: Genf\ndate: 2024-13-45\n", "3:7: error: impossible date '2024-13-45': month must be in 1..12\n"
     "  hint: write a real date, e.g. 2022-01-26"),
])
def test_wrong_values(front: str, expected: str) -> None:
    assert article_errors(front) == [f"{REL}:{expected}"]


def test_yaml_11_values_stay_text() -> None:
    article = good_article("kicker: NO\nsummary: 10:30\n")
    assert (article.kicker, article.summary) == ("NO", "10:30")
    article = good_article("tags: [on, 007]\n")
    assert article.tags == ("on", "007")


def test_numbers_as_titles_are_text() -> None:
    article, problems = load_article(REL, "---\ntitle: 1989\ndate: 2022-01-21\n---\n", OPTIONS)
    assert problems == [] and article is not None and article.title == "1989"


@pytest.mark.parametrize(("slug", "expected"), [
    ("'../../etc'", "etc"), ("/etc/passwd", "etc-passwd"), ("'a\\b\\..\\c'", "a-b-c"),
    ("C:/Windows", "c-windows"), ("Über uns", "ueber-uns"), ("'%2e%2e/x'", "2e-2e-x"),
])
def test_slugs_never_escape(slug: str, expected: str) -> None:
    assert good_article(f"slug: {slug}\n").slug == expected


def test_a_slug_with_nothing_left() -> None:
    assert article_errors("title: Genf\ndate: 2022-01-21\nslug: '../'\n") == [
        f"{REL}:4: error: cannot make a URL slug from '../'\n  hint: set 'slug:' to letters and digits"]


def test_a_slug_with_a_nul_byte() -> None:
    assert article_errors('title: Genf\ndate: 2022-01-21\nslug: "a\\0b"\n') == [
        f"{REL}:4: error: 'slug' contains the control character U+0000\n"
        "  hint: remove the escape sequence from the value"]


@pytest.mark.parametrize("url", ["/../x", "/a/../../x", "..", "/./x", "/%2e%2e/x", "/%2E./x", "/a/.git/x",
                                 "/.builder-output", "/a\\b", "/a?b=1", "/a#b", "/a%2fb/", "/a\tb/"])
def test_urls_that_could_escape_are_refused(url: str) -> None:
    errors = article_errors(f'title: Genf\ndate: 2022-01-21\nurl: "{url}"\n'.replace("\t", "\\t"))
    assert len(errors) == 1
    assert errors[0].startswith(f"{REL}:4: error: 'url' must be a site path like '/alt/pfad/', got ")


def test_url_message_names_the_value() -> None:
    assert article_errors('title: Genf\ndate: 2022-01-21\nurl: "/../x"\n') == [
        f"{REL}:4: error: 'url' must be a site path like '/alt/pfad/', got \"/../x/\""]


def test_aliases_that_could_escape_are_refused() -> None:
    assert article_errors('title: Genf\ndate: 2022-01-21\naliases: ["../../x", "/gut/", "/%2e%2e/y"]\n') == [
        f"{REL}:4: error: 'aliases' entries must be site paths like '/alt/pfad/', got \"/../../x/\"",
        f"{REL}:4: error: 'aliases' entries must be site paths like '/alt/pfad/', got \"/%2e%2e/y/\""]


def test_good_urls_and_aliases() -> None:
    article = good_article('url: "/nachrichten/genf/"\naliases: ["/alt/genf.html", "alt/genf-2"]\n')
    assert (article.url, article.aliases) == ("/nachrichten/genf/", ("/alt/genf.html", "/alt/genf-2/"))


@pytest.mark.parametrize(("value", "expected"), [
    ("/", "/"), ("a/b", "/a/b/"), ("/a//b/", "/a/b/"), ("/a/b.html", "/a/b.html"), ("/über-uns/", "/über-uns/"),
    ("/a%20b/", "/a%20b/"), ("", None), ("//evil.example/", None), ("/a/./b", None), ("/.well-known/x", None),
    ("javascript:alert(1)", None), ("/a\x00b", None),
])
def test_safe_url_path(value: str, expected: str | None) -> None:
    assert safe_url_path(value) == expected


def test_decomposed_file_name_slugs_like_composed() -> None:
    composed = good_article("", rel="content/articles/Über.md")
    decomposed = good_article("", rel="content/articles/U\u0308ber.md")
    assert (composed.slug, decomposed.slug) == ("ueber", "ueber")
    assert good_article("", rel="content/Meinung\u0301/x.md").folder == "meinung"


def test_control_characters_in_messages_are_shown_escaped() -> None:
    assert article_errors('title: Genf\ndate: 2022-01-21\ndraft: "\\e[2J"\n') == [
        f"{REL}:4: error: 'draft' must be true or false, got \"\\x1b[2J\""]
    assert visible("a\x1b]0;titel\x07b\x9b") == "a\\x1b]0;titel\\x07b\\x9b"


def test_typo_in_a_key_is_a_warning_of_the_site_not_of_the_file() -> None:
    article, problems = load_article(REL, "---\ntitle: Genf\ndate: 2022-01-21\ntgas: [NATO]\n---\n", OPTIONS)
    assert article is not None and problems == []   # whether 'tgas' is a typo depends on the other files
    assert [str(p) for p in typo_warnings([article])] == [
        f"{REL}:4: warning: unknown key 'tgas'\n  hint: did you mean 'tags'?"]


def test_term_errors() -> None:
    term, problems = load_term("content/glossary/nato.md",
                               "---\nterm: NATO\naliases: Nato, Bündnis\ncase_sensitive: ja\n---\n", OPTIONS)
    assert term is None
    assert [str(p) for p in problems] == [
        "content/glossary/nato.md:3: error: 'aliases' must be a list, got the text \"Nato, Bündnis\"\n"
        "  hint: write a list: aliases: [Nato, Bündnis]",
        "content/glossary/nato.md:4: error: 'case_sensitive' must be true or false, got \"ja\""]


def test_term_without_name() -> None:
    term, problems = load_term("content/glossary/nato.md", "---\nsummary: Bündnis\n---\n", OPTIONS)
    assert term is None
    assert [str(p) for p in problems] == [
        "content/glossary/nato.md:1: error: 'term' is required\n  hint: add 'term: \"…\"' to the front matter"]


def test_characters_html_forbids_are_replaced_with_a_warning() -> None:
    article, problems = load_article(REL, "---\ntitle: Genf\ndate: 2022-01-21\n---\nAus Word\x0b kopiert\x1f.\n",
                                     OPTIONS)
    assert article is not None and article.body == "Aus Word\ufffd kopiert\ufffd.\n"
    assert [str(p) for p in problems] == [
        f"{REL}:5:9: warning: 2 control characters replaced by U+FFFD, the first is U+000B\n"
        "  hint: delete it; such characters usually come from copy and paste"]


def test_one_forbidden_character_in_front_matter() -> None:
    article, problems = load_article(REL, "---\ntitle: Genf\x07\ndate: 2022-01-21\n---\n", OPTIONS)
    assert article is not None and article.title == "Genf\ufffd"
    assert [str(p) for p in problems] == [
        f"{REL}:2:12: warning: control character U+0007 replaced by U+FFFD\n"
        "  hint: delete it; such characters usually come from copy and paste"]


def test_tab_line_feed_and_form_feed_are_allowed() -> None:
    article, problems = load_article(REL, "---\ntitle: Genf\ndate: 2022-01-21\n---\na\tb\x0cc\n", OPTIONS)
    assert problems == [] and article is not None and article.body == "a\tb\x0cc\n"


@pytest.mark.parametrize(("front", "expected"), [
    ('title: "Genf\\e[31m"\ndate: 2022-01-21\n', "2: error: 'title' contains the control character U+001B"),
    ('title: Genf\ndate: 2022-01-21\ntags: ["NATO\\x85"]\n', "4: error: 'tags' contains the control character U+0085"),
    ('title: Genf\ndate: 2022-01-21\nsummary: "\\uFFFF"\n', "4: error: 'summary' contains the control character U+FFFF"),
])
def test_forbidden_characters_from_yaml_escapes_are_errors(front: str, expected: str) -> None:
    assert article_errors(front) == [f"{REL}:{expected}\n  hint: remove the escape sequence from the value"]


def test_slugs_tags_and_urls_must_fit_in_file_names() -> None:
    long_name = "Sicherheitsgarantien" * 11  # 220 letters
    assert article_errors(f"title: Genf\ndate: 2022-01-21\nslug: {long_name}\ntags: [NATO, {long_name}]\n") == [
        f"{REL}:4: error: the URL slug is 220 characters long; at most 200 fit in a file name\n"
        "  hint: set a shorter 'slug:'",
        f"{REL}:5: error: the tag '{long_name[:30]}…' makes a URL slug of 220 characters; "
        "at most 200 fit in a file name\n  hint: shorten the tag"]
    assert safe_url_path("/" + "ü" * 100 + "/") == "/" + "ü" * 100 + "/"
    assert safe_url_path("/" + "ü" * 101 + "/") is None  # 202 bytes in one segment
    assert safe_url_path("/a" * 400) == "/a" * 400 + "/"
    assert safe_url_path("/ab" * 400) is None  # 1,200 bytes in all


def test_a_long_file_name_is_an_error_not_a_crash() -> None:
    term, problems = load_term("content/glossary/" + "ä" * 120 + ".md", "---\nterm: Ä\n---\n", OPTIONS)
    assert term is None
    assert [str(p) for p in problems] == [
        "content/glossary/" + "ä" * 120 + ".md:1: error: the URL slug is 240 characters long; "
        "at most 200 fit in a file name\n  hint: set a shorter 'slug:'"]


def test_a_tag_without_letters_or_digits() -> None:
    assert article_errors("title: Genf\ndate: 2022-01-21\ntags: [NATO, '!!!', '—']\n") == [
        f"{REL}:4: error: the tag '!!!' has no letters or digits to make its URL from\n  hint: use a word as the tag",
        f"{REL}:4: error: the tag '—' has no letters or digits to make its URL from\n  hint: use a word as the tag"]


def test_urls_in_the_search_index_folder_are_refused() -> None:
    assert article_errors("title: Genf\ndate: 2022-01-21\nurl: /pagefind/pagefind.js\naliases: [/pagefind/]\n") == [
        f"{REL}:4: error: 'url' must not be under /pagefind/, which the search index uses\n  hint: choose another path",
        f"{REL}:5: error: 'aliases' must not be under /pagefind/, which the search index uses\n"
        "  hint: choose another path"]
    assert good_article("url: /pagefinder/\n").url == "/pagefinder/"


def test_yaml_messages_quoting_content_are_shown_escaped() -> None:
    assert article_errors('"a\\eb": 1\ntitle: Genf\n"a\\eb": 2\n') == [
        f"{REL}:4:1: error: duplicate key 'a\\x1bb' (first on line 2)"]


def test_a_url_from_deeply_nested_folders_must_fit() -> None:
    rel = "content/" + "ordner/" * 150 + "genf.md"
    article, problems = load_article(rel, "---\ntitle: Genf\ndate: 2022-01-21\n---\n", OPTIONS)
    assert article is None
    assert [str(p) for p in problems] == [
        f"{rel}:1: error: the page's URL would be 1,056 bytes long, at most 1,000 fit\n"
        "  hint: move the file to a shallower folder or set 'url:'"]


@given(st.text(alphabet=st.one_of(
    st.sampled_from("aäß\t\n\r\x0b\x1f\x7f\x80\x9f\xa0\xad€\ufdd0\ufdef\ufffe\uffff\ufeff\U0001f600\U0001fffe\U0010ffff"),
    st.characters()), max_size=40))
def test_the_fast_check_finds_every_invalid_character(text: str) -> None:
    """search() skips the scan when no byte of a suspect character is present; it must agree with the scan."""
    from builder.content.fields import INVALID as _INVALID

    scanned = next(_INVALID.finditer(text), None)
    found = _INVALID.search(text)
    assert (found and found.start()) == (scanned and scanned.start())
