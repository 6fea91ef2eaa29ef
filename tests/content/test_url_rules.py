"""URL rules: the builder's own, Hugo's and Jekyll's, as their sources and tests define them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from builder.content.url_rules import Names, default_path, expand, hugo_sanitize, jekyll_slugify, values

UTC = timezone.utc
LOS_ANGELES = ZoneInfo("America/Los_Angeles")


@pytest.mark.parametrize(("text", "expected"), [   # Hugo's own expectations for paths.Sanitize
    ("  Foo bar  ", "Foo-bar"),
    ("Foo.Bar/foo_Bar-Foo", "Foo.Bar/foo_Bar-Foo"),
    ("fOO,bar:foobAR", "fOObarfoobAR"),
    ("FOo/Ba---R.html", "FOo/Ba---R.html"),
    ("FOo/Ba       R.html", "FOo/Ba-R.html"),
    ("Банковский кассир", "Банковский-кассир"),
    ("a%C3%B1ame", "a%C3%B1ame"),
    ("%20 %2", "%20-2"),
    ("this+is+a+test", "this+is+a+test"),
    ("foo- bar", "foo-bar"),
    ("foo@bar", "foo@bar"),
])
def test_hugo_sanitize_keeps_what_hugo_keeps(text: str, expected: str) -> None:
    assert hugo_sanitize(text, lower=False) == expected


@pytest.mark.parametrize(("text", "mode", "cased", "expected"), [   # Jekyll's expectations for Utils.slugify
    ("Working with drafts", "default", False, "working-with-drafts"),
    ("  Working with drafts   ", "default", False, "working-with-drafts"),
    ("So what is Jekyll, exactly?", "default", False, "so-what-is-jekyll-exactly"),
    ("The _config.yml file?", "default", False, "the-config-yml-file"),
    ("The _config.yml file?", "pretty", False, "the-_config.yml-file"),
    ("The _config.yml file?", "pretty", True, "The-_config.yml-file"),
    ("5時〜6時 三・一四", "default", False, "5時-6時-三-一四"),
    ("💎", "default", False, ""),
])
def test_jekyll_slugify_matches_jekyll(text: str, mode: str, cased: bool, expected: str) -> None:
    assert jekyll_slugify(text, mode, cased) == expected


def names(**given: object) -> Names:
    base = dict(parts=("news",), name="0.10-relnotes", stem="0.10-relnotes", slug="0-10-relnotes",
                title="Hugo 0.10: Release Notes!")
    return Names(**{**base, **given})  # type: ignore[arg-type]


def test_default_urls_keep_dots_and_case_where_the_old_generator_did() -> None:
    assert default_path("builder", names()) == "/news/0-10-relnotes/"
    assert default_path("hugo", names()) == "/news/0.10-relnotes/"
    assert default_path("hugo", names(parts=("blog",), stem="BroSettlement Building a Wallet")) == \
        "/blog/brosettlement-building-a-wallet/"
    assert default_path("hugo", names(slug_given="No More Notes")) == "/news/no-more-notes/"
    assert default_path("jekyll", names(parts=("_posts",), stem="e2e_User.Scenarios")) == "/e2e_User.Scenarios/"


def test_hugo_placeholders() -> None:
    date = datetime(2017, 1, 4, 9, 30, tzinfo=timezone(timedelta(hours=-8)))
    found = values("hugo", names(parts=("blog", "2017")), date, UTC)
    assert expand("hugo", "/:year/:month/:day/:slug/", found) == "/2017/01/04/hugo-0.10-release-notes/"
    assert expand("hugo", "/:year/:month/:title", found) == "/2017/01/hugo-0.10-release-notes/"
    assert expand("hugo", "/:section/:filename/", found) == "/blog/0.10-relnotes/"
    assert expand("hugo", "/:sections/:contentbasename/", found) == "/blog/2017/0.10-relnotes/"
    given = values("hugo", names(slug_given="Mein Slug"), date, UTC)
    assert expand("hugo", "/:yearday/:slug/", given) == "/4/mein-slug/"
    assert expand("hugo", "/:slugorfilename/", values("hugo", names(), date, UTC)) == "/0.10-relnotes/"
    assert values("hugo", names(), datetime(1, 1, 1, tzinfo=UTC), UTC)["year"] == "1"


def test_jekyll_placeholders_use_the_sites_time_zone_and_file_names() -> None:
    # "2013-05-06 02:12:52 +0200" is still the 5th in Los Angeles: jekyllrb.com/news/2013/05/05/…
    date = datetime(2013, 5, 6, 2, 12, 52, tzinfo=timezone(timedelta(hours=2)))
    post = names(parts=("_posts",), name="2013-05-06-jekyll-1-0-0-released", stem="jekyll-1-0-0-released",
                 title="Jekyll 1.0.0 Released", categories=("Release",))
    found = values("jekyll", post, date, LOS_ANGELES)
    assert expand("jekyll", "/news/:year/:month/:day/:title/", found) == "/news/2013/05/05/jekyll-1-0-0-released/"
    assert expand("jekyll", "/:categories/:year/:month/:day/:title:output_ext", found) == \
        "/release/2013/05/05/jekyll-1-0-0-released.html"
    assert expand("jekyll", "/:year/:i_month/:i_day/:name/", found) == "/2013/5/5/2013-05-06-jekyll-1-0-0-released/"
    assert expand("jekyll", "/:categories/:title/", values("jekyll", names(title="x"), date, UTC)) == \
        "/0.10-relnotes/"


def test_builder_placeholders_are_ascii_slugs() -> None:
    date = datetime(2022, 1, 26, tzinfo=UTC)
    found = values("builder", names(section="politik"), date, UTC)
    assert expand("builder", "/:section/:year/:title/", found) == "/politik/2022/hugo-0-10-release-notes/"
    assert expand("builder", "/:categories/:slug/", found) == "/0-10-relnotes/"
