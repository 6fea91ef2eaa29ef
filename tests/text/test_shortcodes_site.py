"""Shortcodes in a whole build: the site's templates, warnings and errors at file:line, --strict, and
bodies rendered again (only) when a template they use changes."""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
from conftest import write_site

from builder import BuildOptions, build
from builder.pipeline.incremental import IncrementalBuilder

SITE = """
-- config.yaml --
title: "Die Zeitung"
base_url: "https://example.org/"
extra:
  ressort: Politik
-- layouts/shortcodes/hinweis.html --
<aside class="hinweis">{{ inner }}</aside>
-- layouts/shortcodes/ressort.html --
<span class="ressort">{{ site.params.ressort }}: {{ page.title }}</span>
-- _includes/bild.html --
<figure class="bild"><img src="{{ include.datei }}" alt="{{ include.alt }}"></figure>
-- content/articles/genf.md --
---
title: Treffen in Genf
date: 2022-01-21T17:30:00+01:00
ort: Genf
---

Die Delegationen trafen sich in {{< param ort >}}.

{{% hinweis %}}
Der Text ist **vorläufig**.
{{% /hinweis %}}

{{< highlight python >}}
print("<Genf>")
{{< /highlight >}}

Mehr im [Hintergrund]({{< relref "hintergrund" >}}).

{{< galerie "genf" >}}
-- content/articles/hintergrund.md --
---
title: Hintergrund
date: 2022-01-20T10:00:00+01:00
---

{{< ressort >}}

{% include bild.html datei="https://example.org/genf.jpg" alt="Genf" %}
-- content/articles/ohne.md --
---
title: Ohne Shortcodes
date: 2022-01-19T10:00:00+01:00
---

Nur Text.
"""


def page(out: Path, path: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((out / path).read_bytes())


def test_a_site_with_its_own_shortcodes_and_includes_builds(tmp_path: Path, cli) -> None:
    site = write_site(tmp_path / "src", SITE)
    out = tmp_path / "out"

    run = cli("build", "--source", site, "--destination", out)

    assert run.code == 0, run.err
    genf = page(out, "articles/genf/index.html")
    body = genf.xpath("//aside[@class='hinweis']")[0]
    assert body.xpath("p/strong")[0].text == "vorläufig"
    assert "Die Delegationen trafen sich in Genf." in genf.text_content()
    assert genf.xpath("//pre/code[@class='language-python']")[0].text == 'print("<Genf>")\n'
    assert genf.xpath("//a[text()='Hintergrund']/@href") == ["/articles/hintergrund/"]
    assert '{{< galerie "genf" >}}' in genf.text_content()          # unknown: shown as written
    hintergrund = page(out, "articles/hintergrund/index.html")
    assert hintergrund.xpath("//span[@class='ressort']")[0].text == "Politik: Hintergrund"
    assert hintergrund.xpath("//figure[@class='bild']/img/@alt") == ["Genf"]
    warnings = [line for line in run.err.splitlines() if "warning" in line]
    assert warnings == ["content/articles/genf.md:19:1: warning: Hugo shortcode '{{< galerie \"genf\" >}}' "
                        "is not executed; shown as written"]
    assert "hint: write layouts/shortcodes/galerie.html (a Jinja template)" in run.err


def test_an_unknown_shortcode_is_an_error_under_strict(tmp_path: Path, cli) -> None:
    site = write_site(tmp_path / "src", SITE)

    run = cli("build", "--source", site, "--destination", tmp_path / "out", "--strict", "--format", "json")

    assert run.code == 1
    found = [(d["path"], d["line"], d["severity"]) for d in json.loads(run.out)]
    assert found == [("content/articles/genf.md", 19, "warning")]   # --strict: a warning fails the build
    assert not (tmp_path / "out").exists()


def test_a_relref_to_a_missing_page_fails_the_build_at_its_line(tmp_path: Path, cli) -> None:
    site = write_site(tmp_path / "src", SITE)
    out = tmp_path / "out"
    assert cli("build", "--source", site, "--destination", out).code == 0
    before = (out / "articles/genf/index.html").read_bytes()
    genf = site / "content/articles/genf.md"
    genf.write_text(genf.read_text(encoding="utf-8").replace('relref "hintergrund"', 'relref "/plugins/x.md"'),
                    encoding="utf-8")

    run = cli("build", "--source", site, "--destination", out)

    assert run.code == 1
    assert ("content/articles/genf.md:17:23: error: '{{< relref \"/plugins/x.md\" >}}' points to a page that "
            "does not exist") in run.err
    assert (out / "articles/genf/index.html").read_bytes() == before


def bodies_rendered(site: Path, out: Path) -> int:
    """Build with the cache; how many bodies had to be rendered."""
    counts: list[int] = []

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "Rendering bodies" and done == total:
            counts.append(total)

    report = build(BuildOptions(source=site, destination=out, jobs=1), progress)
    assert report.ok, report.diagnostics
    return sum(counts)


def test_a_changed_template_renders_again_just_the_bodies_that_use_it(tmp_path: Path) -> None:
    site = write_site(tmp_path / "src", SITE)
    out = tmp_path / "out"
    assert bodies_rendered(site, out) == 3
    assert bodies_rendered(site, out) == 0

    (site / "layouts/shortcodes/hinweis.html").write_text('<aside class="neu">{{ inner }}</aside>', encoding="utf-8")
    assert bodies_rendered(site, out) == 1
    assert page(out, "articles/genf/index.html").xpath("//aside[@class='neu']/p/strong")[0].text == "vorläufig"

    (site / "_includes/bild.html").write_text('<img class="neu" src="{{ include.datei }}" alt="x">', encoding="utf-8")
    assert bodies_rendered(site, out) == 1
    assert page(out, "articles/hintergrund/index.html").xpath("//img[@class='neu']")

    (site / "layouts/shortcodes/galerie.html").write_text('<div class="galerie">{{ get(0) }}</div>',
                                                          encoding="utf-8")   # the unknown one appears
    assert bodies_rendered(site, out) == 1
    assert page(out, "articles/genf/index.html").xpath("//div[@class='galerie']")[0].text == "genf"

    (site / "config.yaml").write_text((site / "config.yaml").read_text(encoding="utf-8")
                                      .replace("ressort: Politik", "ressort: Ausland"), encoding="utf-8")
    assert bodies_rendered(site, out) == 3   # site params are settings: every body
    assert page(out, "articles/hintergrund/index.html").xpath("//span[@class='ressort']")[0].text == (
        "Ausland: Hintergrund")


def test_the_dev_server_picks_up_a_changed_shortcode_template(tmp_path: Path) -> None:
    site = write_site(tmp_path / "src", SITE)
    builder = IncrementalBuilder(site, jobs=1)
    first = builder.build()
    assert first.ok, first.diagnostics

    (site / "layouts/shortcodes/ressort.html").write_text('<b class="r">{{ page.title }}</b>', encoding="utf-8")
    second = builder.build()

    assert second.ok
    assert "articles/hintergrund/index.html" in second.changed
    html = lxml.html.fromstring(second.files["articles/hintergrund/index.html"])
    assert html.xpath("//b[@class='r']")[0].text == "Hintergrund"
