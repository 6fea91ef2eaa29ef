"""The theme's message catalogs: complete for every message the code uses, plurals, dates, language
defaults, and a site's own texts (`strings:` in config.yaml)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from lxml import html as lxml_html

from builder.content.config import parse_config
from builder.pipeline.build import BuildOptions, build
from builder.text.i18n import (Messages, catalog_file, catalog_languages, list_separator, messages_for,
                               read_catalog)
from conftest import REPO, write_site

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
LINK = re.compile(r"<a [^>]*>")


def used_messages() -> dict[tuple[str | None, str], str]:
    """(context, msgid) → where, for every message of the templates and the Python code, found by
    Babel's extractor with the repository's babel.cfg (what `pybabel extract` finds)."""
    with (REPO / "babel.cfg").open(encoding="utf-8") as file:
        method_map, options_map = parse_mapping_cfg(file)
    found = {}
    for filename, line, message, _comments, context in extract_from_dir(REPO, method_map, options_map):
        msgid = message[0] if isinstance(message, tuple) else message
        found[(context, msgid)] = f"{filename}:{line}"
    return found


def test_the_theme_has_german_and_english_catalogs() -> None:
    assert set(catalog_languages()) >= {"de", "en"}
    assert catalog_file("de-AT") == catalog_file("de") and catalog_file("en_GB") == catalog_file("en")
    assert catalog_file("fr") is None


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_message_of_templates_and_code_is_in_the_catalog_with_a_text(language: str) -> None:
    used = used_messages()
    assert len(used) > 70 and (None, "More on this topic") in used and ("button", "Search") in used
    assert (None, "Photo: %(credit)s") in used and (None, "Load content from %(provider)s") in used   # Python
    catalog = read_catalog(catalog_file(language))   # type: ignore[arg-type]
    missing = {key: where for key, where in used.items() if key not in catalog.texts}
    assert missing == {}, f"messages without a text in the {language} catalog"
    assert set(catalog.ids) - set(used) == set(), "catalog entries nothing uses any more"


@pytest.mark.parametrize("language", ["de", "en"])
def test_texts_keep_the_placeholders_and_links_of_their_ids(language: str) -> None:
    catalog = read_catalog(catalog_file(language))   # type: ignore[arg-type]
    for key, text in catalog.texts.items():
        msgid = catalog.ids[key]
        wanted = sorted(PLACEHOLDER.findall(msgid if isinstance(msgid, str) else msgid[1]))
        for form in (text,) if isinstance(text, str) else text:
            assert sorted(PLACEHOLDER.findall(form)) == wanted, (key, form)
            assert LINK.findall(form) == LINK.findall(msgid if isinstance(msgid, str) else msgid[0]), (key, form)
            assert "%" not in PLACEHOLDER.sub("", form).replace("%%", ""), (key, form)


def test_plural_forms_come_from_ngettext() -> None:
    german, english = Messages("de"), Messages("en")
    one, many = "%(num)s article", "%(num)s articles"
    assert [english.ngettext(one, many, n) % {"num": n} for n in (1, 3)] == ["1 article", "3 articles"]
    assert [german.ngettext(one, many, n) % {"num": n} for n in (1, 3)] == ["1 Artikel", "3 Artikel"]
    assert [german.ngettext("Correction", "Corrections", n) for n in (1, 2)] == ["Korrektur", "Korrekturen"]
    polish = Messages("pl", {"%(num)s article": ["%(num)s artykuł", "%(num)s artykuły", "%(num)s artykułów"]})
    assert [polish.ngettext(one, many, n) % {"num": n} for n in (1, 3, 5)] == \
        ["1 artykuł", "3 artykuły", "5 artykułów"]
    assert german.pgettext("button", "Search") == "Suchen" and german.gettext("Search") == "Suche"
    assert german.gettext("not a message") == "not a message"


def test_reading_a_catalog_leaves_out_babels_slow_header_parsing() -> None:
    code = ("import sys; from builder.text.i18n import Messages; m = Messages('de'); Messages('en'); "
            "print(m.num_plurals, m.plural(1), m.plural(2), 'email.parser' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["2", "0", "1", "False"]


def test_names_are_joined_as_the_locale_joins_lists() -> None:
    def joined(names: list[str], locale: str) -> str:
        return names[0] + "".join(list_separator(i, len(names), locale) + n for i, n in enumerate(names[1:], 1))

    assert joined(["A", "B"], "de_DE") == "A und B" and joined(["A", "B", "C"], "de_DE") == "A, B und C"
    assert joined(["A", "B"], "en_US") == "A and B" and joined(["A", "B", "C"], "en_US") == "A, B, and C"


OWN_TEXTS = """
-- config.yaml --
title: "Ledger"
base_url: "https://ledger.example/"
language: en
strings:
  "More on this topic": "Read on"
  "%(num)s article": ["%(num)s story", "%(num)s stories"]
  "button|Search": "Go"
-- content/articles/a.md --
---
title: "First"
date: 2017-07-20T09:00:00Z
tags: [Trade]
related: [b]
---
Text.
-- content/articles/b.md --
---
title: "Second"
date: 2017-07-21T09:00:00Z
tags: [Trade]
---
Text.
"""


def test_a_site_changes_single_texts_and_plural_forms_with_strings(tmp_path: Path) -> None:
    source = write_site(tmp_path / "src", OWN_TEXTS)
    report = build(BuildOptions(source=source, destination=tmp_path / "out", cache=False))
    assert report.ok and report.diagnostics == (), report.diagnostics
    article = lxml_html.fromstring((tmp_path / "out/articles/a/index.html").read_bytes())
    assert article.xpath("//h2[@id='more-title']/text()") == ["Read on"]
    tags = lxml_html.fromstring((tmp_path / "out/tags/index.html").read_bytes())
    assert tags.xpath("//span[@class='count']/text()") == ["2 stories"]
    assert "Topics" in tags.xpath("//nav[@class='site-nav']//a/text()")   # the others stay as they were


def test_strings_that_cannot_be_used_are_reported_on_their_lines(tmp_path: Path, cli) -> None:
    source = write_site(tmp_path / "src", OWN_TEXTS.replace('''  "button|Search": "Go"
''', '''  "button|Search": "Go"
  "More on this topik": "Read on"
  "Page %(number)s": "Page %(nummer)s"
  "Correction": ["One", "Two", "Three"]
  "Pages": "100% pages"
'''))
    run = cli("build", "--source", source, "--destination", tmp_path / "out", "--format", "json")
    assert run.code == 1
    found = sorted((d["line"], d["severity"], d["message"], d.get("hint")) for d in json.loads(run.out)
                   if d["path"] == "config.yaml")
    assert found == [
        (8, "warning", "'strings': the theme has no text 'More on this topik'", "did you mean 'More on this topic'?"),
        (9, "error", "'strings': 'Page %(nummer)s' uses %(nummer)s, which 'Page %(number)s' does not have",
         "placeholders: %(number)s"),
        (10, "error", "'strings': 'Correction' takes 2 forms in 'en', got a list of 3",
         "a plural text is a list of its forms in the catalog's order (or one text for all)"),
        (11, "error", "'strings': '100% pages' is not a valid text for 'Pages'", "write a percent sign as '%%'"),
    ]


FRENCH = """
-- config.yaml --
title: "La Gazette"
base_url: "https://gazette.example/"
language: fr
strings:
  "More on this topic": "À lire aussi"
-- content/articles/a.md --
---
title: "Premier"
date: 2017-07-23T21:28:00
---
Il a dit "oui".
"""


def test_a_language_without_a_catalog_gets_english_texts_its_own_dates_and_quotes_and_a_warning(
        tmp_path: Path) -> None:
    source = write_site(tmp_path / "src", FRENCH)
    report = build(BuildOptions(source=source, destination=tmp_path / "out", cache=False))
    assert report.ok
    warnings = [d for d in report.diagnostics if d.path == "config.yaml"]
    assert len(warnings) == 1 and warnings[0].severity == "warning"
    assert re.fullmatch(r"the theme has no texts in 'fr': \d+ of its \d+ texts stay English", warnings[0].message)
    page = lxml_html.fromstring((tmp_path / "out/articles/a/index.html").read_bytes())
    assert page.get("lang") == "fr" and page.xpath("//meta[@property='og:locale']/@content") == ["fr_FR"]
    assert page.xpath("string(//span[@class='byline-date'])") == "23 juillet 2017, 21:28"
    assert "«oui»" in page.xpath("string(//div[@class='article-body'])")
    assert page.xpath("//a[@class='skip-link']/text()") == ["Skip to content"]


def test_messages_are_kept_per_language_and_strings() -> None:
    english, _ = parse_config({"language": "en"}, {})
    assert messages_for(english) is messages_for(english)
    own, _ = parse_config({"language": "en", "strings": {"Menu": "Sections"}}, {})
    assert messages_for(own).gettext("Menu") == "Sections" and messages_for(english).gettext("Menu") == "Menu"


def test_the_renderers_message_functions_match_jinjas_newstyle_gettext(tmp_path: Path) -> None:
    """The renderer makes messages without values once; what templates get must be what Jinja's own
    newstyle gettext gives: values escaped, '%%' a percent sign, contexts kept apart."""
    import jinja2

    from builder.output.templates import Renderer

    config, problems = parse_config({"title": "T", "base_url": "https://example.org/", "strings": {
        "Menu": "Menü 100%%", "Page %(number)s": "Seite %(number)s von <b>"}}, {})
    assert problems == []
    renderer = Renderer(write_site(tmp_path / "site", ""), config)
    stock = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    stock.install_gettext_translations(renderer.messages, newstyle=True)  # type: ignore[attr-defined]
    source = ("{{ _('Menu') }}|{{ _('Menu') }}|{{ gettext('Glossary') }}|{{ _('Page %(number)s', number='<i>') }}|"
              "{{ pgettext('anchor', 'content') }}|{{ pgettext('button', 'Search') }}|{{ _('Search') }}|"
              "{{ ngettext('%(num)s article', '%(num)s articles', 2) }}")
    ours = renderer.env.from_string(source).render()
    assert ours == stock.from_string(source).render()
    assert ours.startswith("Menü 100%|Menü 100%|Glossar|Seite &lt;i&gt; von <b>|inhalt|")
