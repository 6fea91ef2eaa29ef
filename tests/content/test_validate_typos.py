"""Typo warnings that help: a key close to a known one is a typo only when few files of the site use it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from builder.content.typos import typo_warnings
from builder.content.validate import LoadOptions, load_article, load_author, load_page, load_term

OPTIONS = LoadOptions(ZoneInfo("Europe/Berlin"))


def article(number: int, extra: str = ""):  # type: ignore[no-untyped-def]
    found, problems = load_article(f"content/articles/a{number:03}.md",
                                   f"---\ntitle: Nummer {number}\ndate: 2022-01-21\n{extra}---\nText.\n", OPTIONS)
    assert found is not None, problems
    return found


def test_a_field_most_posts_share_is_the_sites_own_not_a_typo() -> None:
    """The TOML blog of issue 26: 'release' in 80 of 111 posts sits next to 'related', but is no typo."""
    posts = [article(n, "release: '1.2'\n" if n < 80 else "") for n in range(111)]
    posts.append(article(111, "tgas: [NATO]\n"))

    warnings = typo_warnings(posts)

    assert [(w.path, w.line, w.message, w.hint) for w in warnings] == [
        ("content/articles/a111.md", 4, "unknown key 'tgas'", "did you mean 'tags'?")]


def test_a_typo_copied_into_a_few_files_is_still_flagged_in_each() -> None:
    posts = [article(n) for n in range(40)] + [article(n, "summmary: x\n") for n in (40, 41)]

    warnings = typo_warnings(posts)

    assert [(w.path, w.line, w.severity) for w in warnings] == [
        ("content/articles/a040.md", 4, "warning"), ("content/articles/a041.md", 4, "warning")]
    assert {w.hint for w in warnings} == {"did you mean 'summary'?"}


def test_rare_means_at_most_two_files_or_under_five_percent() -> None:
    three_of_ten = [article(n, "tgas: [x]\n" if n < 3 else "") for n in range(10)]
    three_of_hundred = [article(n, "tgas: [x]\n" if n < 3 else "") for n in range(100)]
    two_of_three = [article(n, "tgas: [x]\n" if n < 2 else "") for n in range(3)]

    assert typo_warnings(three_of_ten) == []
    assert len(typo_warnings(three_of_hundred)) == 3
    assert len(typo_warnings(two_of_three)) == 2


def test_keys_far_from_known_ones_and_theme_keys_are_never_typos() -> None:
    posts = [article(1, "quelle: dpa\nweight: 3\nlayout: post\ncategories: [x]\n")]

    assert typo_warnings(posts) == []


def test_each_kind_of_file_is_checked_against_its_own_keys_and_lines() -> None:
    term, _ = load_term("content/glossary/osze.md", "---\nterm: OSZE\nalias: [Organisation]\n---\nText\n", OPTIONS)
    page, _ = load_page("content/pages/impressum.md", "---\ntitle: Impressum\n\nlayot: wide\n---\n", OPTIONS)
    author, _ = load_author("content/authors/anna.md", "---\nname: Anna\nrolle: x\nrole: Redaktion\n---\n",
                            OPTIONS)
    assert term is not None and page is not None and author is not None

    warnings = typo_warnings([term, page, author])

    assert [(w.path, w.line, w.hint) for w in warnings] == [
        ("content/authors/anna.md", 3, "did you mean 'role'?"),
        ("content/glossary/osze.md", 3, "did you mean 'aliases'?"),
        ("content/pages/impressum.md", 4, "did you mean 'layout'?"),
    ]


def test_a_missing_required_key_names_the_key_that_looks_like_it() -> None:
    found, problems = load_article("content/articles/x.md", "---\ntitel: Genf\ndatum: 2022-01-21\n---\n", OPTIONS)

    assert found is None
    assert [str(p) for p in problems] == [
        "content/articles/x.md:1: error: 'title' is required\n  hint: 'titel' (line 2) looks like a typo of 'title'",
        "content/articles/x.md:1: error: 'date' is required\n"
        "  hint: add e.g. 'date: 2022-01-26T19:50:00+01:00'",
    ]


def test_a_build_warns_of_the_rare_typo_and_not_of_the_sites_own_field(tmp_path, cli) -> None:  # type: ignore[no-untyped-def]
    from conftest import write_site

    posts = "".join(f"-- content/articles/beitrag-{n}.md --\n---\ntitle: Beitrag {n}\ndate: 2022-01-{n + 1:02}\n"
                    + ("release: '0.{n}'\n" if n < 20 else "tgas: [NATO]\n" if n == 26 else "")
                    + "---\nText.\n" for n in range(27))
    site = write_site(tmp_path / "src", posts)

    run = cli("build", "--source", site, "--destination", tmp_path / "out")

    assert run.code == 0, run.err
    assert [line for line in run.err.splitlines() if "warning" in line] == [
        "content/articles/beitrag-26.md:4: warning: unknown key 'tgas'"]
