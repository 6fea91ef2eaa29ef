"""`publish s3` against moto's S3 server on 127.0.0.1, through the real boto3 client."""

from __future__ import annotations

import gzip
import itertools
import json
import re
from pathlib import Path
from typing import Any, Iterator

import pytest

from conftest import TWO_ARTICLES, write_site

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")

from builder.commands.publish.command import run_purge  # noqa: E402
from builder.commands.publish.common import PublishError  # noqa: E402
from builder.commands.publish.s3 import MANIFEST, make_client, publish_s3  # noqa: E402
from builder.commands.publish.settings import S3Settings  # noqa: E402

SITE = TWO_ARTICLES + """-- static/bilder/karte.webp --
RIFF-nicht-wirklich-webp
-- static/schrift/serif.woff2 --
wOF2-nicht-wirklich
"""
_names = itertools.count()


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """moto's S3 server in this process on a free loopback port."""
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Test credentials in the environment; no real AWS config files, no instance metadata."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def bucket(endpoint: str, aws: None) -> str:
    name = f"zeitung-{next(_names)}"
    client(endpoint).create_bucket(Bucket=name)
    return name


def client(endpoint: str) -> Any:
    return make_client(S3Settings(endpoint=endpoint, region="us-east-1"))


def objects(endpoint: str, bucket: str, prefix: str = "") -> dict[str, dict[str, Any]]:
    """Key (without prefix) → head_object answer of every object but the manifest."""
    s3 = client(endpoint)
    keys = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
            for o in page.get("Contents", [])]
    return {k[len(prefix):]: s3.head_object(Bucket=bucket, Key=k) for k in keys if not k.endswith(MANIFEST)}


def body(endpoint: str, bucket: str, key: str) -> bytes:
    return client(endpoint).get_object(Bucket=bucket, Key=key)["Body"].read()


def config(endpoint: str, extra: str = "") -> str:
    return (f'title: "Testseite"\nbase_url: "https://example.org/"\npublish:\n  s3:\n    endpoint: "{endpoint}"\n'
            f'    region: us-east-1\n{extra}')


def make_site(tmp_path: Path, endpoint: str, extra: str = "") -> Path:
    return write_site(tmp_path / "s", SITE + f"-- config.yaml --\n{config(endpoint, extra)}")


def publish(cli, site: Path, tmp_path: Path, bucket: str, *more: str):
    return cli("publish", "s3", f"s3://{bucket}/www", "--source", site, "--destination", tmp_path / "out", *more)


def uploaded(run_out: str) -> list[str]:
    return [line for line in run_out.splitlines() if line.startswith("https://")]


def test_first_publish_uploads_everything_with_types_and_cache_headers(tmp_path: Path, cli, endpoint: str,
                                                                     bucket: str) -> None:
    site = make_site(tmp_path, endpoint, '    cache:\n      - {pattern: "bilder/*", cache_control: "max-age=7"}\n')
    run = publish(cli, site, tmp_path, bucket)
    assert run.code == 0, run.err
    found = objects(endpoint, bucket, "www/")
    built = {p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*") if p.is_file()}
    assert set(found) >= built - {".builder-output"}
    assert ".builder-output" not in found
    assert found["index.html"]["ContentType"] == "text/html; charset=utf-8"
    assert found["index.html"]["CacheControl"] == "public, max-age=300"
    assert found["feed.xml"]["ContentType"].startswith("application/atom+xml")
    assert found["sitemap.xml"]["ContentType"].startswith("application/xml")
    assert found["bilder/karte.webp"]["ContentType"] == "image/webp"
    assert found["bilder/karte.webp"]["CacheControl"] == "max-age=7"            # configured rule first
    assert found["schrift/serif.woff2"]["ContentType"] == "font/woff2"
    css = next(k for k in found if k.endswith(".css"))
    assert found[css]["ContentType"] == "text/css; charset=utf-8"
    assert "https://example.org/articles/a/" in uploaded(run.out)
    assert "publish changed" in run.out


def test_second_publish_uploads_nothing(tmp_path: Path, cli, endpoint: str, bucket: str) -> None:
    site = make_site(tmp_path, endpoint)
    assert publish(cli, site, tmp_path, bucket).code == 0
    before = {k: v["LastModified"] for k, v in objects(endpoint, bucket, "www/").items()}
    again = publish(cli, site, tmp_path, bucket)
    assert again.code == 0, again.err
    assert uploaded(again.out) == []
    assert "0 added, 0 changed, 0 removed" in again.out
    assert {k: v["LastModified"] for k, v in objects(endpoint, bucket, "www/").items()} == before


def test_changed_article_uploads_that_page_and_what_else_changed(tmp_path: Path, cli, endpoint: str,
                                                                bucket: str) -> None:
    site = make_site(tmp_path, endpoint)
    assert publish(cli, site, tmp_path, bucket).code == 0
    out = tmp_path / "out"
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    b = site / "content/articles/b.md"
    b.write_text(b.read_text(encoding="utf-8").replace("Text.", "Neuer Text."), encoding="utf-8")
    run = publish(cli, site, tmp_path, bucket)
    assert run.code == 0, run.err
    changed = {p.relative_to(out).as_posix() for p in out.rglob("*")
               if p.is_file() and before.get(p) != p.read_bytes()} - {".builder-output"}
    urls = uploaded(run.out)
    assert "https://example.org/articles/b/" in urls
    assert len(urls) == len(changed), (urls, changed)        # exactly the files whose bytes changed
    assert b"Neuer Text." in body(endpoint, bucket, "www/articles/b/index.html")


def test_removed_article_is_deleted(tmp_path: Path, cli, endpoint: str, bucket: str) -> None:
    site = make_site(tmp_path, endpoint)
    assert publish(cli, site, tmp_path, bucket).code == 0
    assert "articles/b/index.html" in objects(endpoint, bucket, "www/")
    (site / "content/articles/b.md").unlink()
    (site / "content/articles/a.md").write_text("---\ntitle: Erster\ndate: 2022-01-26\n---\nText.\n",
                                                encoding="utf-8")
    run = publish(cli, site, tmp_path, bucket)
    assert run.code == 0, run.err
    assert "articles/b/index.html" not in objects(endpoint, bucket, "www/")
    assert "https://example.org/articles/b/" in uploaded(run.out)


def test_alias_pages_carry_the_redirect_metadata_and_redirect_files_are_published(
        tmp_path: Path, cli, endpoint: str, bucket: str) -> None:
    site = make_site(tmp_path, endpoint)
    assert publish(cli, site, tmp_path, bucket).code == 0
    found = objects(endpoint, bucket, "www/")
    assert found["alt/erster-artikel/index.html"]["WebsiteRedirectLocation"] == "/articles/a/"
    assert "WebsiteRedirectLocation" not in found["articles/a/index.html"]
    assert b"/alt/erster-artikel/ /articles/a/ 301" in body(endpoint, bucket, "www/_redirects")
    assert b'"/alt/erster-artikel/" "/articles/a/";' in body(endpoint, bucket, "www/redirects.nginx.conf")


def test_gzip_sets_content_encoding_for_text_only(tmp_path: Path, cli, endpoint: str, bucket: str) -> None:
    site = make_site(tmp_path, endpoint, "    gzip: true\n")
    assert publish(cli, site, tmp_path, bucket).code == 0
    found = objects(endpoint, bucket, "www/")
    assert found["index.html"].get("ContentEncoding") == "gzip"
    assert "ContentEncoding" not in found["bilder/karte.webp"]
    raw = client(endpoint).get_object(Bucket=bucket, Key="www/index.html")["Body"].read()
    assert gzip.decompress(raw) == (tmp_path / "out/index.html").read_bytes()


def test_dry_run_lists_and_changes_nothing(tmp_path: Path, cli, endpoint: str, bucket: str) -> None:
    site = make_site(tmp_path, endpoint)
    run = publish(cli, site, tmp_path, bucket, "--dry-run")
    assert run.code == 0, run.err
    assert "+ articles/a/index.html" in run.out and "publish would change" in run.out
    assert client(endpoint).list_objects_v2(Bucket=bucket).get("KeyCount") == 0


def test_max_deletes_refuses_to_empty_the_bucket(tmp_path: Path, cli, endpoint: str, bucket: str) -> None:
    site = make_site(tmp_path, endpoint)
    assert publish(cli, site, tmp_path, bucket).code == 0
    before = objects(endpoint, bucket, "www/")
    other = write_site(tmp_path / "anders", f"-- content/articles/x.md --\n---\ntitle: X\ndate: 2022-01-01\n---\n"
                                            f"Nur einer.\n-- config.yaml --\n{config(endpoint)}")
    run = cli("publish", "s3", f"s3://{bucket}/www", "--source", other, "--destination", tmp_path / "out2",
              "--max-deletes", "3")
    assert run.code == 1
    assert "refusing to delete" in run.err and "--max-deletes" in run.err
    assert {k: v["ETag"] for k, v in objects(endpoint, bucket, "www/").items()} == \
        {k: v["ETag"] for k, v in before.items()}


def test_failure_after_the_assets_leaves_no_page_pointing_at_a_missing_object(
        tmp_path: Path, cli, endpoint: str, bucket: str) -> None:
    """A publish cut off before the pages: every page in the bucket finds what it links to."""
    site = make_site(tmp_path, endpoint)
    assert publish(cli, site, tmp_path, bucket).code == 0
    write_site(site, "-- content/articles/c.md --\n---\ntitle: Dritter\ndate: 2022-01-28\n---\n"
                     "[Karte](/bilder/neu.pdf) und [zurück](a.md)\n-- static/bilder/neu.pdf --\nneu\n")
    from builder.pipeline.build import BuildOptions, build
    assert build(BuildOptions(source=site, destination=tmp_path / "out")).ok
    s3 = client(endpoint)
    seen: list[str] = []

    def cut_off(params: dict[str, Any], **_: Any) -> None:
        seen.append(params["Key"])
        if params["Key"].endswith((".html", ".xml")):
            raise ConnectionError("the network went away")
    s3.meta.events.register("before-parameter-build.s3.PutObject", cut_off)
    with pytest.raises(PublishError, match="network went away"):
        publish_s3(tmp_path / "out", f"s3://{bucket}/www", S3Settings(endpoint=endpoint, workers=1), client=s3)
    assert "www/bilder/neu.pdf" in seen                       # the asset phase ran
    found = objects(endpoint, bucket, "www/")
    assert "articles/c/index.html" not in found                 # no page of the new state
    for key in (k for k in found if k.endswith(".html")):
        for link in re.findall(r'(?:src|href)="(/[^"#?]*)"', body(endpoint, bucket, "www/" + key).decode()):
            target = link.lstrip("/")
            assert target in found or target + "index.html" in found or not target, (key, link)
    manifest = json.loads(body(endpoint, bucket, "www/" + MANIFEST))["files"]
    assert "bilder/neu.pdf" in manifest                        # remembered for the next publish
    assert publish(cli, site, tmp_path, bucket).code == 0
    assert "articles/c/index.html" in objects(endpoint, bucket, "www/")


def test_missing_bucket_is_explained(tmp_path: Path, cli, endpoint: str, aws: None) -> None:
    site = make_site(tmp_path, endpoint)
    run = cli("publish", "s3", "s3://gibt-es-nicht/www", "--source", site, "--destination", tmp_path / "out")
    assert run.code == 1
    assert "'gibt-es-nicht' does not exist" in run.err


def test_missing_credentials_are_explained(tmp_path: Path, cli, endpoint: str, bucket: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    site = make_site(tmp_path, endpoint)
    run = publish(cli, site, tmp_path, bucket)
    assert run.code == 1
    assert "no AWS credentials found" in run.err and "AWS_ACCESS_KEY_ID" in run.err


def test_unreachable_endpoint_is_explained(tmp_path: Path, cli, aws: None) -> None:
    import socket
    with socket.socket() as probe:      # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    site = make_site(tmp_path, f"http://127.0.0.1:{port}")
    run = publish(cli, site, tmp_path, "zeitung")
    assert run.code == 1
    assert "cannot reach the S3 endpoint" in run.err


def test_a_secret_in_config_is_refused_before_building(tmp_path: Path, cli, endpoint: str, aws: None) -> None:
    site = make_site(tmp_path, endpoint, '    secret_access_key: "abc"\n')
    run = publish(cli, site, tmp_path, "zeitung")
    assert run.code == 1
    assert "config.yaml:7: 'publish.s3.secret_access_key' looks like a credential" in run.err
    assert not (tmp_path / "out").exists()


def test_purge_command_gets_the_changed_urls(tmp_path: Path, cli, endpoint: str, bucket: str) -> None:
    log = tmp_path / "purged.txt"
    site = make_site(tmp_path, endpoint)
    with (site / "config.yaml").open("a", encoding="utf-8") as handle:
        handle.write(f"  purge_command: \"sh -c 'cat > {log}'\"\n")
    assert publish(cli, site, tmp_path, bucket).code == 0
    assert "https://example.org/articles/a/" in log.read_text(encoding="utf-8").splitlines()


def test_purge_command_with_urls_placeholder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_purge("printf '%s|' {urls}", ["https://a/", "https://b/"])
    assert capsys.readouterr().out == "https://a/|https://b/|"
    with pytest.raises(PublishError, match="exited with 3"):
        run_purge("sh -c 'exit 3'", ["https://a/"])
