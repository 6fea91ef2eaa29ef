"""Jekyll and Hugo sites copied into content/ build as they are, with warnings for what is not run."""

from __future__ import annotations

import contextlib
import io
import json
import re
import tomllib
from datetime import date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import lxml.html
import pytest
import yaml

from builder.commands.cli import main
from builder.content.urls import output_path
from builder.pipeline.build import BuildOptions, build
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
    assert '<time datetime="2019-01-05T00:00:00+00:00"' in page
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
    # As in Hugo: ref gives the absolute URL, relref the one under the site's root.
    assert "Siehe https://example.org/2022/antwort/ und /2022/antwort/#h-kern." in page
    assert 'data-embed-src="https://www.youtube-nocookie.com/embed/abc123"' in page   # a privacy placeholder
    assert "Aktualisiert am" in page and "22. Januar 2022" in page
    assert '<meta name="description" content="Was in Genf besprochen wurde.">' in page
    assert re.search(r'href="/themen/politik/"', page) and re.search(r'href="/themen/diplomatie/"', page)
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


# -- excerpts of real sites (tests/end_to_end/fixtures/README.md) ------------------------------------

FIXTURES = Path(__file__).parent / "fixtures"
SITES = {   # name: (generator, the old site's folder under fixtures/)
    "hugo-docs-news": ("hugo", "hugo-docs-news"),
    "linkerd-blog": ("hugo", "linkerd-blog/linkerd.io"),
    "nats-blog": ("hugo", "nats-blog"),
    "jekyll-news": ("jekyll", "jekyll-news/docs"),
    "hux-blog": ("jekyll", "hux-blog"),
}
# Old URLs as the live sites published them (not computed by the importer).
KNOWN_URLS = {
    "hugo-docs-news": ["/news/0.10-relnotes/", "/news/0.25.1-relnotes/", "/news/2021/0.91.2-relnotes/",
                       "/news/hugo-macos-intel-vs-arm/", "/news/no-more-releasenotes-here/", "/0-20/", "/news/",
                       "/release-notes/"],
    "linkerd-blog": ["/2016/03/16/beyond-round-robin-load-balancing-for-latency/",
                     "/2017/01/24/linkerd-joins-the-cloud-native-computing-foundation/",
                     "/2017/01/23/linkerd-joins-the-cloud-native-computing-foundation/",
                     "/2019/10/03/linkerds-commitment-to-open-governance/",
                     "/2023/08/07/linkerd-edge-release-roundup/", "/2024/03/12/linkerd-edge-release-roundup/",
                     "/2024/07/01/linkerd-edge-release-roundup/", "/blog/"],
    "nats-blog": ["/blog/", "/blog/brosettlement-building-a-wallet-event-backbone-with-nats-jetstream/",
                  "/blog/nats-jetstream-deduplication-for-lfh/", "/blog/nats-server-2.10-release/",
                  "/blog/introducing_nex/", "/nats_connect/"],
    "jekyll-news": ["/news/2013/05/05/jekyll-1-0-0-released/", "/news/2014/11/09/jekyll-2-5-1-released/",
                    "/news/2016/08/24/jekyll-admin-initial-release/", "/news/2018/04/19/development-update/",
                    "/news/2022/12/21/jekyll-sass-converter-3.0-released/"],
    "hux-blog": ["/2015/01/29/hello-2015/", "/2014/10/01/why-alibaba-ux-sucks/", "/2016/09/22/the-open-web/",
                 "/about/"],
}


class Migrated(NamedTuple):
    report: dict
    text: str        # the import's report as printed
    site: Path       # the new site folder
    out: Path        # its build


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Migrated]:
    """Each fixture imported (once as JSON, once as text) and built."""
    found = {}
    for name, (generator, folder) in SITES.items():
        root = tmp_path_factory.mktemp(name)
        runs = []
        for dest, fmt in ((root / "site", "json"), (root / "again", "text")):
            output = io.StringIO()
            with contextlib.redirect_stdout(output):
                code = main(["import", generator, str(FIXTURES / folder), str(dest), "--format", fmt])
            assert code == 0, output.getvalue()
            runs.append(output.getvalue())
        result = build(BuildOptions(source=root / "site", destination=root / "out", cache=False))
        assert result.ok, [str(d) for d in result.diagnostics if d.severity == "error"]
        found[name] = Migrated(json.loads(runs[0]), runs[1], root / "site", root / "out")
    return found


def page(out: Path, url: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((out / output_path(unquote(url))).read_bytes())


def front_matter(path: Path) -> dict:
    """The test's own reading of a file's front matter (YAML or TOML), independent of the builder's."""
    text = path.read_text(encoding="utf-8-sig").lstrip("\n")
    if text.startswith("+++"):
        return tomllib.loads(text.split("+++", 2)[1])
    return yaml.safe_load(text.split("---", 2)[1]) or {}


def expected_date(value: object, name: str, tz: ZoneInfo) -> datetime:
    """When a post says it was published: its `date` (a timestamp, a day, or Jekyll's text with a
    numeric offset), else the date in its file name, a day starting in the site's time zone."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=tz)
    text = str(value or name[:10]).strip()
    match = re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d\d):(\d\d)(?::(\d\d))?\s*([+-]\d\d:?\d\d|Z)?)?$", text)
    assert match, text
    y, m, d, hh, mm, ss, offset = match.groups()
    zone: tzinfo = tz
    if offset and offset != "Z":
        sign = -1 if offset[0] == "-" else 1
        zone = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[-2:])))
    elif offset == "Z":
        zone = timezone.utc
    return datetime(int(y), int(m), int(d), int(hh or 0), int(mm or 0), int(ss or 0), tzinfo=zone)


@pytest.mark.parametrize("name", SITES)
def test_import_reports_every_old_url_as_kept(migrated: dict[str, Migrated], name: str) -> None:
    urls = migrated[name].report["urls"]
    assert [u for u in urls if u["status"] == "lost"] == []
    kept = {u["old"] for u in urls}
    assert set(KNOWN_URLS[name]) <= kept
    count = len(urls)
    assert f"URLs: {count} of {count} old URLs kept:" in migrated[name].text


@pytest.mark.parametrize("name", SITES)
def test_every_old_url_leads_to_its_page_in_the_build(migrated: dict[str, Migrated], name: str) -> None:
    out = migrated[name].out
    for url in migrated[name].report["urls"]:
        doc = page(out, url["old"])
        if url["status"] == "same":
            assert doc.xpath("//h1"), url
        else:
            refresh = doc.xpath("//meta[@http-equiv='refresh']/@content")
            assert refresh == [f"0; url={url['new']}"], url
    for url in KNOWN_URLS[name]:
        assert (out / output_path(unquote(url))).is_file(), url


@pytest.mark.parametrize("name", SITES)
def test_every_post_has_its_page_with_its_title_and_date(migrated: dict[str, Migrated], name: str) -> None:
    result = migrated[name]
    config = yaml.safe_load((result.site / "config.yaml").read_text(encoding="utf-8"))
    tz = ZoneInfo(config["timezone"])
    checked = 0
    for url in result.report["urls"]:
        source = result.site / url["source"] if url["source"] != "listing" else None
        if source is None or source.name.startswith("_index") or url["status"] != "same":
            continue
        data = front_matter(source)
        doc = page(result.out, url["new"])
        title = data.get("title") or ""
        assert " ".join(doc.xpath("string(//h1)").split()) == " ".join(str(title).split()), url
        dated = data.get("date") or re.match(r"\d{4}-\d\d-\d\d-", source.name)
        if dated:
            shown = datetime.fromisoformat(doc.xpath("//time/@datetime")[0])
            assert shown == expected_date(data.get("date"), source.name, tz), url
            checked += 1
    assert checked >= 10


def test_bundle_images_are_published_beside_their_posts(migrated: dict[str, Migrated]) -> None:
    news = FIXTURES / "hugo-docs-news/content/en/news"
    out = migrated["hugo-docs-news"].out
    for image in ("2021/0.91.2-relnotes/featured.png", "0.40-relnotes/featured-hugo-40-poster.png",
                  "0.58.0-relnotes/hugo58-featured.png"):
        assert (out / "news" / image).read_bytes() == (news / image).read_bytes()
    linkerd = migrated["linkerd-blog"].out
    post = page(linkerd, "/2017/01/24/linkerd-joins-the-cloud-native-computing-foundation/")
    sources = post.xpath("//main//img/@src") + [s.split()[0] for srcset in post.xpath("//main//source/@srcset")
                                                for s in srcset.split(",")]
    assert any("buoyant-linkerd-logo" in s for s in sources)
    for src in sources:
        assert (linkerd / unquote(src).lstrip("/")).is_file(), src


def test_section_pages_show_their_index_md(migrated: dict[str, Migrated]) -> None:
    news = page(migrated["hugo-docs-news"].out, "/news/")
    assert " ".join(news.xpath("string(//h1)").split()) == "Hugo News"
    assert len(news.xpath("//main//article")) == 14        # paginate = 100 carried over: every dated post
    nats = page(migrated["nats-blog"].out, "/blog/")
    intro = " ".join(nats.xpath("string(//*[contains(@class, 'listing-intro')])").split())
    assert intro.startswith("Welcome to the NATS Blog. Our blog posts consists of articles from end-users")
    assert nats.xpath("//*[contains(@class, 'listing-intro')]//a/@href") == ["/contributing#contributing-a-blog-post"]
    linkerd = page(migrated["linkerd-blog"].out, "/blog/")
    assert "The latest blog posts on the Linkerd service mesh" in linkerd.text_content()


def test_html_content_files_are_pages_as_written(migrated: dict[str, Migrated]) -> None:
    m1 = page(migrated["hugo-docs-news"].out, "/news/hugo-macos-intel-vs-arm/")
    assert m1.xpath("string(//h1)").strip() == "Hugo on Apple M1"
    assert len(m1.xpath("//main//table//tr")) > 20
    connect = page(migrated["nats-blog"].out, "/nats_connect/")
    assert connect.xpath("//a[@href='https://github.com/derekcollison']/img/@src") == ["/img/social/github.png"]


def test_three_posts_with_one_slug_in_different_years_each_keep_their_url(migrated: dict[str, Migrated]) -> None:
    out = migrated["linkerd-blog"].out
    titles = [" ".join(page(out, f"/{day}/linkerd-edge-release-roundup/").xpath("string(//h1)").split())
              for day in ("2023/08/07", "2024/03/12", "2024/07/01")]
    assert titles == ["Linkerd Edge Release Roundup: August 2023", "Linkerd Edge Release Roundup: March 2024",
                      "Linkerd Edge Release Roundup: July 2024"]


def test_drafts_and_future_posts_stay_out(migrated: dict[str, Migrated], tmp_path: Path) -> None:
    hux = migrated["hux-blog"].out
    everything = "".join(p.read_text(encoding="utf-8") for p in hux.rglob("*") if p.suffix in (".html", ".xml"))
    for unpublished in ("Definition of End to End User Scenarios", "2015/03/31", "2017/06/2"):
        assert unpublished not in everything
    out = tmp_path / "2022"
    assert build(BuildOptions(source=migrated["nats-blog"].site, destination=out, cache=False,
                              now=datetime(2022, 1, 1, tzinfo=timezone.utc))).ok
    later = ["/blog/bitnami-helm-charts-deprecated/", "/blog/nats-server-2.10-release/",
             "/blog/brosettlement-building-a-wallet-event-backbone-with-nats-jetstream/"]
    feed = (out / "feed.xml").read_text(encoding="utf-8") + (out / "sitemap.xml").read_text(encoding="utf-8")
    for url in later:
        assert not (out / output_path(url)).exists() and url not in feed
    assert (out / "blog/cli-benchmark/index.html").is_file() and "/blog/cli-benchmark/" in feed
