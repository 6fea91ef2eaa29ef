"""Jekyll and Hugo sites copied into content/ build as they are, with warnings for what is not run."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import write_site

JEKYLL = """
-- content/articles/_posts/2019-01-05-gipfel-in-paris.markdown --
---
layout: post
title: "Gipfel in Paris"
categories: politik europa
excerpt: "Treffen im Élysée-Palast."
author: Lena Hoffmann
redirect_from: /2019/01/05/gipfel.html
---

Mehr im [Rückblick]({{ site.baseurl }}{% link _posts/2019-02-01-rueckblick.md %}) und
im [Nachgang]({% post_url 2019-02-01-rueckblick %}).

{% include figure.html src="paris.jpg" %}

```liquid
{% include nicht-anfassen.html %}
```

{% raw %}Vorlage: {{ page.title }}{% endraw %}
-- content/articles/_posts/2019-02-01-rueckblick.md --
---
title: Rückblick
date: 2019-02-01 18:30:00 +0100
published: true
---

Ein Rückblick.
-- content/articles/_posts/2019-03-01-unfertig.md --
---
title: Unfertig
published: false
---

Noch nicht.
"""

HUGO = """
-- content/articles/verhandlungen.md --
+++
title = "Verhandlungen in Genf"
date = 2022-01-21T17:30:00+01:00
lastmod = 2022-01-22T09:00:00+01:00
description = "Was in Genf besprochen wurde."
tags = ["Diplomatie"]
categories = ["Politik"]
aliases = ["/alt/genf/"]
+++

Siehe {{< ref "antwort.md" >}} und {{< relref "antwort#h-kern" >}}.

{{< youtube abc123 >}}
-- content/articles/antwort.md --
{
  "title": "Die Antwort",
  "date": "2022-01-26T19:50:00+01:00",
  "url": "/2022/antwort/"
}

## Kern

Die Antwort kam schriftlich.
"""


def test_jekyll_posts_build_with_dates_urls_and_warnings(tmp_path: Path, cli) -> None:
    site = write_site(tmp_path / "jekyll", JEKYLL)
    out = tmp_path / "out"
    run = cli("build", "--source", site, "--destination", out)
    assert run.code == 0, run.err
    page = (out / "articles/gipfel-in-paris/index.html").read_text(encoding="utf-8")
    assert 'href="/articles/rueckblick/"' in page
    assert page.count('href="/articles/rueckblick/"') >= 2
    assert "{% include figure.html src=&quot;paris.jpg&quot; %}" in page
    assert "{% include nicht-anfassen.html %}" in page      # code left alone
    assert "Vorlage: {{ page.title }}" in page               # raw block unwrapped
    assert '<time datetime="2019-01-05T00:00:00+01:00"' in page
    assert "Lena Hoffmann" in page and "Treffen im Élysée-Palast." in page
    assert (out / "themen/politik/index.html").exists() or (out / "tags/politik/index.html").exists()
    assert (out / "2019/01/05/gipfel.html").exists()
    rueckblick = (out / "articles/rueckblick/index.html").read_text(encoding="utf-8")
    assert '<time datetime="2019-02-01T18:30:00+01:00"' in rueckblick
    assert not (out / "articles/unfertig").exists()
    warnings = [line for line in run.err.splitlines() if "warning" in line]
    assert warnings == [
        "content/articles/_posts/2019-01-05-gipfel-in-paris.markdown:13:1: warning: Liquid tag "
        "'{% include figure.html src=\"paris.jpg\" %}' is not executed; shown as written"]


def test_missing_jekyll_link_target_is_an_error_with_line(tmp_path: Path, cli) -> None:
    site = write_site(tmp_path / "jekyll", JEKYLL.replace("2019-02-01-rueckblick.md %}", "2019-02-01-weg.md %}"))
    run = cli("build", "--source", site, "--destination", tmp_path / "out", "--format", "json")
    assert run.code == 1
    errors = [d for d in json.loads(run.out) if d["severity"] == "error"]
    assert len(errors) == 1
    assert errors[0]["path"] == "content/articles/_posts/2019-01-05-gipfel-in-paris.markdown"
    assert errors[0]["line"] == 10
    assert "2019-02-01-weg.md" in errors[0]["message"]


def test_hugo_content_builds_with_toml_json_refs_and_shortcode_warnings(tmp_path: Path, cli) -> None:
    site = write_site(tmp_path / "hugo", HUGO)
    out = tmp_path / "out"
    run = cli("build", "--source", site, "--destination", out)
    assert run.code == 0, run.err
    page = (out / "articles/verhandlungen/index.html").read_text(encoding="utf-8")
    assert "Siehe /2022/antwort/ und /2022/antwort/#h-kern." in page
    assert 'data-embed-src="https://www.youtube-nocookie.com/embed/abc123"' in page   # a privacy placeholder
    assert "Aktualisiert am" in page and "22. Januar 2022" in page
    assert '<meta name="description" content="Was in Genf besprochen wurde.">' in page
    assert re.search(r'href="/tags/politik/"', page) and re.search(r'href="/tags/diplomatie/"', page)
    assert (out / "2022/antwort/index.html").exists()
    assert (out / "alt/genf/index.html").exists()
    assert run.err.strip() == ""   # youtube is built in now


HUGO_SECTIONS = """
-- config.yaml --
title: "Testseite"
base_url: "https://example.org/"
url_rules: hugo
dates: {date: [date]}
-- content/_index.md --
---
title: Start
---
Willkommen auf der **Startseite**.
-- content/news/_index.md --
---
title: Neuigkeiten
description: Was es Neues gibt.
aliases: [/release-notes/]
---
Alle *Meldungen* im Überblick.
-- content/news/0.10-relnotes/index.md --
---
title: Version 0.10
date: 2014-03-01T17:21:33Z
---
Neu in 0.10.
-- content/news/0.10-relnotes/bild.png --
PNG
-- content/news/0.25.1-relnotes/index.md --
---
title: Version 0.25.1
---
Ohne Datum.
-- content/news/m1/index.html --
---
title: Auf dem M1
date: 2020-12-10
---
<table class="bench"><tr><td>schnell</td></tr></table>
{{ .Site.Title }}
"""


def test_section_pages_bundles_html_and_undated_posts_build_as_hugo_publishes_them(tmp_path: Path, cli) -> None:
    site = write_site(tmp_path / "hugo", HUGO_SECTIONS)
    out = tmp_path / "out"
    run = cli("build", "--source", site, "--destination", out)
    assert run.code == 0, run.err
    listing = (out / "news/index.html").read_text(encoding="utf-8")
    assert "<h1 class=\"listing-title\">Neuigkeiten" in listing and "Was es Neues gibt." in listing
    assert '<div class="listing-intro"><p>Alle <em>Meldungen</em> im Überblick.</p>' in listing
    assert 'href="/news/0.10-relnotes/"' in listing and 'href="/news/m1/"' in listing
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "Willkommen auf der <strong>Startseite</strong>." in home
    assert 'href="/news/"' in home                      # a section of its own, in the main menu
    assert (out / "news/0.10-relnotes/bild.png").read_text() == "PNG\n"
    assert "Ohne Datum." in (out / "news/0.25.1-relnotes/index.html").read_text(encoding="utf-8")
    html_post = (out / "news/m1/index.html").read_text(encoding="utf-8")
    assert '<table class="bench"><tr><td>schnell</td></tr></table>' in html_post
    assert "0; url=/news/" in (out / "release-notes/index.html").read_text(encoding="utf-8")
    assert run.err.splitlines() == [
        "content/news/m1/index.html:6:1: warning: template tag '{{ .Site.Title }}' is not executed in an .html "
        "content file; shown as written"]
