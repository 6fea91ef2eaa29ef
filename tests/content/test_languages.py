"""What the site's language decides when config.yaml does not: locale and dates, URL folders, quotes, UTC."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from lxml import html as lxml_html

from builder.content.config import parse_config
from builder.content.dates import datetime_text, day_text
from builder.content.languages import default_locale, default_paths, default_quotes
from builder.pipeline.build import BuildOptions, build
from conftest import write_site


def test_the_language_gives_locale_url_folders_quotes_and_utc() -> None:
    german, _ = parse_config({}, {})
    assert (german.language, german.locale, german.timezone, german.markdown.quotes) == ("de", "de_DE", "UTC", "„“‚‘")
    assert (german.paths.glossary, german.paths.tags, german.paths.search, german.paths.authors,
            german.paths.archive, german.paths.page) == ("glossar", "themen", "suche", "autoren", "archiv", "seite")
    english, _ = parse_config({"language": "en"}, {})
    assert (english.locale, english.markdown.quotes) == ("en_US", "“”‘’")
    assert (english.paths.glossary, english.paths.tags, english.paths.search, english.paths.authors,
            english.paths.archive, english.paths.page) == ("glossary", "tags", "search", "authors", "archive", "page")
    french, _ = parse_config({"language": "fr"}, {})
    assert (french.locale, french.markdown.quotes, french.paths.page) == ("fr_FR", "«»“”", "page")
    swiss, _ = parse_config({"language": "de-CH"}, {})
    assert (swiss.locale, swiss.markdown.quotes, swiss.paths.tags) == ("de_CH", "«»‹›", "themen")


def test_languages_are_matched_by_their_base_and_unknown_ones_get_english_defaults() -> None:
    assert default_paths("de_AT") == default_paths("de") and default_paths("EN-gb") == default_paths("en")
    assert default_paths("tlh") == default_paths("en") and default_quotes("tlh") == "“”‘’"
    assert (default_locale("en-GB"), default_locale("pt"), default_locale("de")) == ("en_GB", "pt_PT", "de_DE")


def test_what_config_yaml_says_wins_over_the_language() -> None:
    config, problems = parse_config({"language": "en", "locale": "en_GB", "timezone": "Europe/London",
                                     "paths": {"tags": "topics", "page": "p"}, "markdown": {"quotes": "„“‚‘"}}, {})
    assert problems == []
    assert (config.locale, config.timezone, config.markdown.quotes) == ("en_GB", "Europe/London", "„“‚‘")
    assert (config.paths.tags, config.paths.page, config.paths.glossary) == ("topics", "p", "glossary")


def test_an_unknown_locale_is_an_error_on_its_line_and_an_unknown_language_a_warning() -> None:
    _, problems = parse_config({"locale": "xx_YY"}, {"locale": 4})
    assert [(p.line, p.severity, p.message) for p in problems] == [
        (4, "error", "'xx_YY' is not a locale Babel knows; dates are written as in 'de_DE'")]
    config, problems = parse_config({"language": "tlh"}, {"language": 2})
    assert [(p.line, p.severity) for p in problems] == [(2, "warning")] and config.locale == "en_US"


def test_dates_follow_the_locale_and_german_ones_stay_as_they_were() -> None:
    berlin = timezone(timedelta(hours=1))
    evening = datetime(2022, 1, 26, 19, 50, tzinfo=berlin)
    assert datetime_text(evening, "de_DE") == "26. Januar 2022, 19:50 Uhr"
    assert day_text(evening, "de_DE") == "26. Januar 2022"
    assert datetime_text(datetime(2022, 1, 26, tzinfo=berlin), "de_DE") == "26. Januar 2022"
    assert datetime_text(evening, "en_US").replace("\u202f", " ") == "January 26, 2022, 7:50 PM"
    assert datetime_text(evening, "en_GB") == "26 January 2022, 19:50"
    assert datetime_text(evening, "fr_FR") == "26 janvier 2022, 19:50"
    assert day_text(evening, "en_US") == "January 26, 2022"


SITE = """
-- config.yaml --
title: "Ledger"
base_url: "https://ledger.example/"
language: en
paginate: 1
-- content/articles/a.md --
---
title: "First"
date: 2017-07-23T21:28:00
tags: [Trade]
---
He said "yes" and 'no'.
-- content/articles/b.md --
---
title: "Second"
date: 2017-07-21T09:00:00+02:00
tags: [Trade]
---
Text.
"""


def test_an_english_site_gets_its_folders_dates_quotes_in_utc(tmp_path: Path) -> None:
    report = build(BuildOptions(source=write_site(tmp_path / "src", SITE), destination=tmp_path / "out", cache=False))
    assert report.ok, report.diagnostics
    out = tmp_path / "out"
    for path in ("archive/page/2/index.html", "tags/trade/page/2/index.html", "glossary/index.html"):
        assert (out / path).is_file(), path
    page = lxml_html.fromstring((out / "articles/a/index.html").read_bytes())
    published = page.xpath("//span[@class='byline-date']/time")[0]
    assert published.get("datetime") == "2017-07-23T21:28:00+00:00"
    assert published.text.replace("\u202f", " ") == "July 23, 2017, 9:28 PM"
    assert "“yes”" in page.xpath("string(//div[@class='article-body'])")
    assert "‘no’" in page.xpath("string(//div[@class='article-body'])")
    assert page.get("lang") == "en" and page.xpath("//meta[@property='og:locale']/@content") == ["en_US"]
    second = lxml_html.fromstring((out / "articles/b/index.html").read_bytes())
    assert second.xpath("string(//span[@class='byline-date']/time)").replace("\u202f", " ") == "July 21, 2017, 9:00 AM"
