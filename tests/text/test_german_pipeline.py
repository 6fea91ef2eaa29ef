"""German forms in the build: the body cache key covers them, the renderer uses them."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import pytest

from builder.content.config import GlossarySettings, SiteConfig
from builder.content.model import Term
from builder.pipeline.bodies import make_markdown
from builder.pipeline.body_keys import matching_digest
from builder.text import forms as forms_module
from builder.text import lexicon as lexicon_module
from builder.text.forms import CACHE_FILE
from builder.text.markdown import render_body


def term(slug: str, name: str, **options: object) -> Term:
    return Term(slug=slug, term=name, aliases=(), summary=f"Zu {name}", body="",
                source=f"content/glossary/{slug}.md", alias_lines=MappingProxyType({}), **options)  # type: ignore[arg-type]


EU = term("eu", "Europäische Union")


@pytest.fixture(autouse=True)
def needs_lexicon() -> None:
    if lexicon_module.data_file() is None:   # fail under CI, where german-nouns must be installed
        if os.environ.get("CI") == "true":
            pytest.fail("german-nouns is missing on CI")
        pytest.skip("german-nouns not installed: pip install --no-deps german-nouns")
    forms_module.forget()


def annotated(config: SiteConfig, text: str, cache: Path | None = None) -> list[str]:
    md = make_markdown(config, (EU,), lambda slug: f"/glossar/{slug}/", forms_cache=cache)
    env = {"glossary_enabled": True, "resolve_link": lambda target: None, "url_for": lambda path: path,
           "base_path": "/"}
    return list(render_body(md, text, env).terms)


def test_german_sites_annotate_declined_forms_others_do_not(tmp_path: Path) -> None:
    assert annotated(SiteConfig(language="de"), "Die Rolle der Europäischen Union.", tmp_path) == ["eu"]
    assert (tmp_path / CACHE_FILE).is_file()
    assert annotated(SiteConfig(language="en"), "Die Rolle der Europäischen Union.") == []
    off = SiteConfig(language="de", glossary=GlossarySettings(declension=False))
    assert annotated(off, "Die Rolle der Europäischen Union.") == []


@pytest.mark.parametrize("change", [{"listed_forms": ("EU-Gemeinschaft",)}, {"not_forms": ("Europäischer Union",)},
                                    {"exclude": ("Europäische Union der Bürger",)}])
def test_body_cache_key_covers_forms_not_forms_and_exclude(change: dict) -> None:
    config = SiteConfig(language="de")
    assert matching_digest((EU,), config) != matching_digest((replace(EU, **change),), config)


def test_body_cache_key_covers_the_lexicon_version(monkeypatch: pytest.MonkeyPatch) -> None:
    config = SiteConfig(language="de")
    before = matching_digest((EU,), config)
    monkeypatch.setattr(lexicon_module, "lexicon_version", lambda: "german-nouns 9.9")
    assert matching_digest((EU,), config) != before
    assert matching_digest((EU,), SiteConfig(language="en")) == matching_digest((EU,), SiteConfig(language="en"))


def test_the_body_cache_key_never_reads_the_lexicon(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("the lexicon was read")
    monkeypatch.setattr(lexicon_module.Lexicon, "__init__", refuse)
    assert matching_digest((EU,), SiteConfig(language="de"))


def test_the_dev_server_picks_up_edited_forms_and_excludes_at_once(tmp_path: Path) -> None:
    from conftest import write_site
    from builder.pipeline.incremental import IncrementalBuilder

    term_file = '---\nterm: "Rat"\n{extra}---\n\nEin Gremium.\n'
    site = write_site(tmp_path / "site", f"""
-- config.yaml --
title: "Test"
base_url: "https://example.org/"
language: de
glossary:
  mode: all
-- content/glossary/rat.md --
{term_file.format(extra="")}
-- content/articles/a.md --
---
title: "A"
date: 2022-01-26
---
Die Räte der Stadt baten um Rat.
""")
    builder = IncrementalBuilder(site)

    def annotated() -> list[str]:
        outcome = builder.build()
        assert outcome.ok, outcome.diagnostics
        page = outcome.files[outcome.url_of_source["content/articles/a.md"].strip("/") + "/index.html"].decode()
        return re.findall(r'class="gl-term"[^>]* data-term="rat"[^>]*>([^<]*)', page)

    assert annotated() == ["Räte", "Rat"]
    (site / "content/glossary/rat.md").write_text(term_file.format(extra='exclude: ["um Rat"]\n'), encoding="utf-8")
    assert annotated() == ["Räte"]
    (site / "content/glossary/rat.md").write_text(
        term_file.format(extra='exclude: ["um Rat"]\nnot_forms: ["Räte"]\n'), encoding="utf-8")
    assert annotated() == []
