"""The pure parts of publishing: headers, redirect files, settings, target words, URLs, order."""

from __future__ import annotations

import gzip
from pathlib import Path

import brotli
import pytest

from builder.commands.publish.command import UsageError, changed_urls, resolve_target
from builder.commands.publish.common import PublishError, PublishPlan
from builder.commands.publish.extras import extra_files, gzipped
from builder.commands.publish.headers import CacheRule, cache_control, content_type, headers_file
from builder.commands.publish.redirects import find_redirects, redirect_files, refresh_target
from builder.commands.publish.s3 import parse_s3_url, upload_order
from builder.commands.publish.settings import PublishSettings, load_publish_settings

REDIRECT_PAGE = ('<!doctype html><html lang="de"><head><meta charset="utf-8"><title>x</title>\n'
                 '<meta name="robots" content="noindex">\n'
                 '<meta http-equiv="refresh" content="0; url=/zeitung/nachrichten/gipfel/?a=1&amp;b=2">'
                 '<link rel="canonical" href="https://example.org/zeitung/nachrichten/gipfel/"></head>'
                 '<body>umgezogen</body></html>')


@pytest.mark.parametrize("rel, expected", [
    ("index.html", "text/html; charset=utf-8"),
    ("assets/style.css", "text/css; charset=utf-8"),
    ("assets/glossary.js", "text/javascript; charset=utf-8"),
    ("pagefind/pagefind-entry.json", "application/json"),
    ("assets/favicon.svg", "image/svg+xml"),
    ("bilder/a.webp", "image/webp"), ("bilder/a.avif", "image/avif"), ("bilder/a.jpg", "image/jpeg"),
    ("bilder/a.png", "image/png"), ("schrift/a.woff2", "font/woff2"), ("schrift/a.woff", "font/woff"),
    ("pagefind/pagefind.de_61e05daecc.pf_meta", "application/octet-stream"),
    ("pagefind/index/de_1.pf_index", "application/octet-stream"),
    ("pagefind/fragment/de_1.pf_fragment", "application/octet-stream"),
    ("pagefind/wasm.de.pagefind", "application/octet-stream"),
    ("robots.txt", "text/plain; charset=utf-8"), ("_redirects", "text/plain; charset=utf-8"),
])
def test_content_type_of_every_file_the_build_writes(rel: str, expected: str) -> None:
    assert content_type(rel) == expected


def test_xml_type_tells_feeds_from_sitemaps() -> None:
    assert content_type("feed.xml", b'<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">') \
        == "application/atom+xml; charset=utf-8"
    assert content_type("rss.xml", b'<?xml version="1.0"?><rss version="2.0">').startswith("application/rss+xml")
    assert content_type("sitemap.xml", b'<?xml version="1.0"?><urlset>') == "application/xml; charset=utf-8"


def test_cache_control_configured_rules_come_first() -> None:
    rules = (CacheRule("assets/*", "public, max-age=600"),)
    assert cache_control("assets/style.3fa2c1d0.css", rules) == "public, max-age=600"
    assert cache_control("assets/style.3fa2c1d0.css") == "public, max-age=31536000, immutable"  # named by digest
    assert cache_control("artikel/x/index.html") == "public, max-age=300"
    assert cache_control("feed.xml") == "public, max-age=300"
    assert "immutable" in cache_control("pagefind/fragment/de_1.pf_fragment")
    assert cache_control("bilder/a.webp") == "public, max-age=3600"


def test_refresh_target_reads_only_real_meta_refresh_tags() -> None:
    assert refresh_target(REDIRECT_PAGE.encode()) == "/zeitung/nachrichten/gipfel/?a=1&b=2"
    text = '<html><head><title>t</title></head><body>&lt;meta http-equiv="refresh"&gt;</body></html>'
    assert refresh_target(text.encode()) is None


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_redirect_files_for_a_site_under_a_sub_path(tmp_path: Path) -> None:
    site = write(tmp_path / "site", {"alt/gipfel/index.html": REDIRECT_PAGE, "index.html": "<html></html>",
                                     "_redirects": "/feed /feed.xml 301\n"})
    assert find_redirects(site) == {"alt/gipfel/index.html": "/zeitung/nachrichten/gipfel/?a=1&b=2"}
    files = redirect_files(site, "/zeitung/")
    assert files["_redirects"].decode().splitlines() == [
        "/feed /feed.xml 301",
        "# Old URLs (aliases:) of this site, written by builder's publish step.",
        "/zeitung/alt/gipfel/ /zeitung/nachrichten/gipfel/?a=1&b=2 301"]
    nginx = files["redirects.nginx.conf"].decode()
    assert "map $uri $builder_redirect {" in nginx
    assert '"/zeitung/alt/gipfel/" "/zeitung/nachrichten/gipfel/?a=1&b=2";' in nginx
    assert '"/zeitung/alt/gipfel/index.html" "/zeitung/nachrichten/gipfel/?a=1&b=2";' in nginx
    assert redirect_files(write(tmp_path / "ohne", {"index.html": "<html></html>"})) == {}


def test_extra_files_precompress_text_only_and_deterministically(tmp_path: Path) -> None:
    site = write(tmp_path / "site", {"index.html": "<p>Lagebild</p>" * 100, "a.webp": "x" * 1000,
                                     "klein.css": "a{}"})
    extras = extra_files(site, precompress=True)
    assert set(extras) == {"index.html.gz", "index.html.br", "_headers"}
    page = (site / "index.html").read_bytes()
    assert extras["index.html.gz"] == gzipped("index.html", page)
    assert gzip.decompress(extras["index.html.gz"]) == page and brotli.decompress(extras["index.html.br"]) == page


def test_upload_order_assets_then_new_pages_then_listings_then_feeds() -> None:
    plan = PublishPlan(added=("articles/neu/index.html", "bilder/neu.webp"),
                       changed=("index.html", "feed.xml", "assets/style.css"))
    assert upload_order(plan) == ["bilder/neu.webp", "assets/style.css", "articles/neu/index.html",
                                  "index.html", "feed.xml"]


def test_changed_urls_name_folders_and_quote() -> None:
    plan = PublishPlan(added=("articles/ä/index.html",), changed=("index.html",), removed=("feed.xml",))
    assert changed_urls(plan, "https://example.org/zeitung/") == [
        "https://example.org/zeitung/", "https://example.org/zeitung/articles/%C3%A4/",
        "https://example.org/zeitung/feed.xml"]


def test_parse_s3_url() -> None:
    assert parse_s3_url("s3://zeitung/www/") == ("zeitung", "www/")
    assert parse_s3_url("s3://zeitung") == ("zeitung", "")
    with pytest.raises(PublishError, match="s3://BUCKET"):
        parse_s3_url("https://zeitung/www")


def test_resolve_target_from_words_and_config() -> None:
    settings = load_publish_settings(Path("/nonexistent"), {"target": "s3", "s3": {"url": "s3://z/www"}})
    assert resolve_target([], settings).location == "s3://z/www"
    assert resolve_target(["ssh", "u@h:/srv"], settings).kind == "ssh"
    assert resolve_target(["rollback", "ssh", "u@h:/srv"], settings).rollback
    with pytest.raises(UsageError):
        resolve_target(["ftp", "x"], settings)
    with pytest.raises(UsageError):
        resolve_target(["rollback", "s3", "s3://z"], settings)
    with pytest.raises(UsageError):
        resolve_target([], PublishSettings())


def test_settings_errors_name_config_line_and_key(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(
        "title: x\npublish:\n  s3:\n    workers: 0\n    cache:\n      - {pattern: 'a/*'}\n  ssh:\n    prot: 22\n",
        encoding="utf-8")
    section = {"s3": {"workers": 0, "cache": [{"pattern": "a/*"}]}, "ssh": {"prot": 22}}
    with pytest.raises(PublishError) as caught:
        load_publish_settings(tmp_path, section)
    message = str(caught.value)
    assert "config.yaml:4: 'publish.s3.workers' must be a whole number of at least 1" in message
    assert "config.yaml:6: 'publish.s3.cache[0]' must have exactly the keys" in message
    assert "config.yaml:8: 'publish.ssh.prot' is not a known setting" in message


@pytest.mark.parametrize("section", [
    {"s3": {"aws_secret_access_key": "x"}},
    {"s3": {"endpoint": "https://AKIAABCDEFGHIJKLMNOP@example.org"}},
    {"ssh": {"password": "geheim"}},
    {"purge_command": "purge --api-key abc", "api_token": "abc"},
])
def test_secret_looking_settings_are_refused(section: dict) -> None:
    with pytest.raises(PublishError, match="looks like a credential"):
        load_publish_settings(Path("/nonexistent"), section)


def test_the_headers_file_caches_files_named_by_their_digest_for_good() -> None:
    text = headers_file("/zeitung/", "/extra\n  X-Own: 1\n").decode()
    lines = text.splitlines()
    assert lines[:2] == ["/extra", "  X-Own: 1"]      # the site's own rules come first
    block = lines[lines.index("/zeitung/assets/*") + 1]
    assert block == "  Cache-Control: public, max-age=31536000, immutable"
    assert "/zeitung/*" in lines and "  X-Content-Type-Options: nosniff" in lines
