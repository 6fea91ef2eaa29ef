"""The Jinja renderer: compiled templates kept for the next build's Renderer, never stale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import jinja2.runtime
import pytest

from builder.content.config import SiteConfig
from builder.output.templates import Renderer, TemplateProblem
from conftest import write_site


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates Jinja compiles from their source."""
    names: list[str] = []
    real = jinja2.Environment.compile

    def compile(self: jinja2.Environment, source: Any, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        names.append(name or "")
        return real(self, source, name, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", compile)
    return names


def test_a_new_renderer_loads_compiled_templates_and_compiles_a_changed_one(tmp_path: Path,
                                                                            compiled: list[str]) -> None:
    site = write_site(tmp_path / "site", "-- layouts/404.html --\n<title>Eigene 404</title>{{ site.title }}\n")
    config, cache = SiteConfig(title="Zeitung"), tmp_path / "templates"
    first = Renderer(site, config, cache).render("404.html")
    assert first == "<title>Eigene 404</title>Zeitung\n" and compiled == ["404.html"]
    assert Renderer(site, config, cache).render("404.html") == first and compiled == ["404.html"]
    (site / "layouts/404.html").write_text("<title>Verlaufen</title>{{ site.title }}\n", encoding="utf-8")
    assert Renderer(site, config, cache).render("404.html") == "<title>Verlaufen</title>Zeitung\n"
    assert compiled == ["404.html", "404.html"]
    assert Renderer(site, config).render("404.html") == "<title>Verlaufen</title>Zeitung\n"   # no cache


def test_a_template_loaded_compiled_names_its_line_on_errors(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", "-- layouts/404.html --\n<!doctype html>\n<title>{{ site.titel }}</title>\n")
    for _ in range(2):
        with pytest.raises(TemplateProblem) as raised:
            Renderer(site, SiteConfig(), tmp_path / "templates").render("404.html")
        assert (raised.value.diagnostic.path, raised.value.diagnostic.line) == ("layouts/404.html", 2)


def test_an_unwritable_cache_folder_only_costs_compiling(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", "-- layouts/404.html --\nVerlaufen\n")
    (tmp_path / "datei").write_text("", encoding="utf-8")
    assert Renderer(site, SiteConfig(), tmp_path / "datei" / "templates").render("404.html") == "Verlaufen\n"


class _Shout:
    """A callable object whose __call__ wants the context (Jinja asks `__call__` too)."""

    @jinja2.pass_context
    def __call__(self, context: Any, text: str) -> str:
        return f"{text}!{context['suffix']}"


def _stop() -> str:
    raise StopIteration


@pytest.mark.parametrize("jinja_own", [False, True])
def test_calls_from_templates_get_what_jinja_gives_them(tmp_path: Path, jinja_own: bool) -> None:
    """The renderer's shortened call path: plain functions and methods are called directly, with
    the arguments Jinja would pass; whatever asks for the context, its evaluation context or the
    environment gets it, inside loops and blocks too; a StopIteration is an undefined value."""
    site = write_site(tmp_path / "site", """
-- layouts/calls.html --
{% set prefix = "v" %}{% for n in [1, 2] %}{{ plain(n, sep="-") }}|{{ with_context(n) }}|{{ shout("a") }}|{% endfor %}
{{ with_eval(3) }}|{{ with_env(4) }}|{{ method(5) }}|{{ len("abc") }}|{{ stop() is undefined }}|{{ "x"|wrap }}
""")
    renderer = Renderer(site, SiteConfig(title="Zeitung"))
    if jinja_own:   # the same template with Jinja's own context gives the same text
        renderer.env.context_class = jinja2.runtime.Context

    @jinja2.pass_context
    def with_context(context: Any, n: int) -> str:
        return f"c{context['suffix']}{n}"

    renderer.env.filters["wrap"] = lambda value: f"[{value}]"
    html = renderer.render("calls.html", plain=lambda n, sep: f"p{sep}{n}", with_context=with_context,
                           with_eval=jinja2.pass_eval_context(lambda ctx, n: f"e{ctx.autoescape}{n}"),
                           with_env=jinja2.pass_environment(lambda env, n: f"n{env is renderer.env}{n}"),
                           method="{}m".format, shout=_Shout(), stop=_stop, len=len, suffix="s")
    assert html == "p-1|cs1|a!s|p-2|cs2|a!s|eTrue3|nTrue4|5m|3|True|[x]\n"


class _Safe:
    def __html__(self) -> str:
        return "<em>sicher</em>"


ESCAPING = """{% macro box(x) %}<b>{{ x }}</b>{% endmacro %}{% set held %}<i>{{ text }}</i>{% endset %}
{% macro frame() %}<p>{{ caller() }}</p>{% endmacro %}
{{ text }}|{{ number }}|{{ nothing }}|{{ markup }}|{{ safe }}|{{ text|safe }}|{{ text ~ markup }}|{{ box(text) }}
{% call frame() %}{{ text }}{% endcall %}|{{ held }}|{{ held|upper }}|{% filter upper %}{{ text }}{% endfilter %}
{% for item in [text, markup, number] %}[{{ item }}]{% endfor %}|{% trans %}Hallo {{ text }}{% endtrans %}
{% autoescape false %}{{ text }}{% endautoescape %}|{{ "'quoted' & \\"double\\"" }}
"""


def test_printed_values_are_escaped_as_markupsafe_escapes_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """Templates compiled with the renderer's output escape print what markupsafe's escape prints,
    in every place a value is printed: plain, in macros, call and set blocks, filters, loops, trans
    blocks and where autoescaping is switched off."""
    import markupsafe

    from builder.output import template_runtime

    values = dict(text="<a href='x'>K&K</a>", number=7, nothing=None, markup=markupsafe.Markup("<br>"),
                  safe=_Safe())

    def render() -> str:
        env = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
        env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
        return env.from_string(ESCAPING).render(values)

    assert jinja2.runtime.escape is template_runtime.output_escape   # what compiled templates print with
    ours = render()
    monkeypatch.setattr(jinja2.runtime, "escape", markupsafe.escape)
    theirs = render()
    assert ours == theirs
    assert "&lt;a href=&#39;x&#39;&gt;K&amp;K&lt;/a&gt;|7|None|<br>|<em>sicher</em>|<a href='x'>K&K</a>|" in ours


def test_the_theme_makes_its_partials_once_per_build_not_once_per_page(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Imported `with context`, a partial's module is made again for every page that imports it
    (four times for a term page); the theme imports them without, once per build."""
    from builder.pipeline.build import BuildOptions, build

    made: list[str] = []
    real = jinja2.Template.make_module

    def make_module(self: jinja2.Template, *args: Any, **kwargs: Any) -> Any:
        made.append(self.name or "")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Template, "make_module", make_module)
    articles = "".join(f"-- content/articles/a{n}.md --\n---\ntitle: \"Artikel {n}\"\ndate: 2022-01-{10 + n}\n"
                       f"tags: [Bündnis]\n---\n\nText {n}.\n" for n in range(6))
    site = write_site(tmp_path / "site", "-- config.yaml --\ntitle: Tageblatt\nbase_url: https://zeitung.example/\n"
                      + articles)
    report = build(BuildOptions(source=site, destination=tmp_path / "out", cache=False, jobs=1))
    assert report.ok and report.pages >= 10
    assert made.count("_macros.html") == 1 and made.count("_paths.html") == 1, made


def test_an_overridden_partial_that_reads_a_page_variable_gets_an_error_naming_it(tmp_path: Path) -> None:
    from builder.pipeline.build import BuildOptions, build

    site = write_site(tmp_path / "site", """
-- config.yaml --
title: Tageblatt
-- layouts/_macros.html --
{% macro byline_names(pairs) %}{% endmacro %}
{% macro teaser(a, level=2, variant="", summary=True, note="") %}
<p>{{ a.title }} auf {{ path }}</p>
{% endmacro %}
-- content/articles/a.md --
---
title: "Erster"
date: 2022-01-10
---

Text.
-- content/articles/b.md --
---
title: "Zweiter"
date: 2022-01-11
related: [a]
---

Text.
""")
    report = build(BuildOptions(source=site, destination=tmp_path / "out", cache=False, jobs=1))
    assert not report.ok
    found = [d for d in report.diagnostics if "'path' is undefined" in d.message]
    assert found and found[0].path == "layouts/_macros.html" and found[0].line == 3, report.diagnostics


def test_importing_a_partial_does_not_walk_the_globals_name_by_name(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Jinja checks each import of a partial against the template's globals, a ChainMap: through its
    key view that was one Python-level lookup per global and import (56 µs an import)."""
    import collections

    site = write_site(tmp_path / "site", """
-- layouts/_teile.html --
{% macro gruss(name) %}Hallo {{ name }} auf {{ site.title }}{% endmacro %}
-- layouts/seite.html --
{% from "_teile.html" import gruss %}{{ gruss(name) }}
""")
    renderer = Renderer(site, SiteConfig(title="Tageblatt"))
    assert renderer.render("seite.html", name="Anna") == "Hallo Anna auf Tageblatt\n"
    looked_up: list[object] = []
    real = collections.ChainMap.__contains__
    monkeypatch.setattr(collections.ChainMap, "__contains__",
                        lambda self, key: looked_up.append(key) or real(self, key))
    pages = [renderer.render("seite.html", name=name) for name in ("Berta", "Carl", "Dora")]
    assert pages == [f"Hallo {name} auf Tageblatt\n" for name in ("Berta", "Carl", "Dora")]
    assert len(looked_up) < 3, len(looked_up)
    renderer.set_globals({"site": SiteConfig(title="Abendblatt")})   # globals still reach the partials
    assert renderer.render("seite.html", name="Emil") == "Hallo Emil auf Abendblatt\n"


def test_a_template_that_is_not_utf8_is_an_error_naming_its_file_and_line_once_a_page_uses_it(
        tmp_path: Path) -> None:
    from builder.pipeline.build import BuildOptions, build

    site = write_site(tmp_path / "site", """
-- config.yaml --
title: Tageblatt
-- content/articles/a.md --
---
title: "Erster"
date: 2022-01-10
---

Text.
""")
    layouts = site / "layouts"
    layouts.mkdir(exist_ok=True)
    (layouts / "unbenutzt.html").write_bytes(b"Caf\xe9\n")   # Latin-1, and no page uses it
    out = tmp_path / "out"
    assert build(BuildOptions(source=site, destination=out, cache=False, jobs=1)).ok
    before = (out / "404.html").read_bytes()
    (layouts / "404.html").write_bytes(b"<!doctype html>\n<title>Caf\xe9</title>\n")
    report = build(BuildOptions(source=site, destination=out, cache=False, jobs=1))
    assert not report.ok
    assert [(d.path, d.line) for d in report.diagnostics if "not UTF-8" in d.message] == [("layouts/404.html", 2)]
    assert (out / "404.html").read_bytes() == before   # the previous output stays
