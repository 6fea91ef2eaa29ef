"""Publishing to S3-compatible object storage with boto3: only what changed, in a safe order.

What the bucket holds is known from a manifest the publish keeps beside the site
(`<prefix>/.builder-manifest.json`: path → fingerprint of bytes and headers), so a publish
with nothing changed costs one GET. Without a manifest (a first publish) the prefix is
listed instead. Uploads run in parallel, in three phases so a reader never gets a page
that points at a file not yet there: new and changed assets, then pages (new ones before
the listings and feeds that link to them), then deletions. The manifest is written after
the uploads (old and new entries) and again after the deletions.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence
from urllib.parse import urlsplit

from .common import BUILD_MARKER, PublishError, PublishPlan, existing_site, site_files
from .extras import extra_files
from .headers import cache_control, content_type, is_page, is_text
from .redirects import refresh_target
from .settings import S3Settings

MANIFEST = ".builder-manifest.json"
_HEAD = 8192


@dataclass(frozen=True)
class LocalFile:
    """One file to publish and the headers it gets; `data` for files the publish adds."""

    rel: str
    path: Path | None
    data: bytes | None
    sha256: str
    content_type: str
    cache_control: str
    gzip: bool = False
    redirect: str | None = None
    alias_of: str | None = None     # for an alias page: the target its meta refresh names

    @property
    def fingerprint(self) -> str:
        """Changes when the bytes or any header change: then the object is uploaded again."""
        text = "\0".join((self.sha256, self.content_type, self.cache_control, str(self.gzip),
                          self.redirect or ""))
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def body(self) -> bytes:
        data = self.data if self.data is not None else self.path.read_bytes()  # type: ignore[union-attr]
        return gzip.compress(data, compresslevel=6, mtime=0) if self.gzip else data


@dataclass(frozen=True)
class S3Result:
    """The plan, and the keys in the order they were (or would be) uploaded."""

    plan: PublishPlan
    order: tuple[str, ...] = ()
    bucket: str = ""
    prefix: str = ""
    unchanged: int = 0


def parse_s3_url(url: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix` → ("bucket", "some/prefix/"); prefix "" for the whole bucket."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise PublishError(f"{url!r} is not an S3 location: write it as s3://BUCKET or s3://BUCKET/PREFIX")
    prefix = parts.path.strip("/")
    return parts.netloc, prefix + "/" if prefix else ""


def collect(site: Path, settings: S3Settings, *, base_path: str = "/", redirect_files: bool = True,
            precompress: bool = False) -> dict[str, LocalFile]:
    """Every file to publish (the built site and the extras) with digest and headers.

    One pass reads each file: its digest, its type and, for an alias page, its target
    (which the redirect files are made from).
    """
    # One thread: threads only add GIL contention to these small reads and digests.
    files = [_describe(rel, path, None, settings) for rel, path in site_files(site)
             if rel != BUILD_MARKER and not path.is_symlink()]
    found = {f.rel: f.alias_of for f in files if f.alias_of}
    extras = extra_files(site, base_path=base_path, redirects=redirect_files, precompress=precompress, found=found)
    files += [_describe(rel, None, data, settings) for rel, data in extras.items()]
    return {f.rel: f for f in files}


def _describe(rel: str, path: Path | None, data: bytes | None, settings: S3Settings) -> LocalFile:
    raw = data if data is not None else path.read_bytes()  # type: ignore[union-attr]
    head = raw[:_HEAD]
    ctype = content_type(rel, head)
    alias_of = refresh_target(head) if rel.endswith(".html") else None
    redirect = _website_redirect(alias_of) if settings.website_redirects else None
    return LocalFile(rel, path, data, hashlib.sha256(raw).hexdigest(), ctype, cache_control(rel, settings.cache),
                     settings.gzip and is_text(ctype), redirect, alias_of)


def _website_redirect(target: str | None) -> str | None:
    """S3 takes a redirect to a path on the same site or to an http(s) URL, nothing else."""
    if target and (target.startswith("/") or target.startswith(("http://", "https://"))):
        return target
    return None


def make_plan(local: dict[str, LocalFile], remote: dict[str, str | None]) -> PublishPlan:
    """Compare local fingerprints with the bucket's (None: present, fingerprint unknown)."""
    added = sorted(rel for rel in local if rel not in remote)
    changed = sorted(rel for rel in local if rel in remote and remote[rel] != local[rel].fingerprint)
    removed = sorted(rel for rel in remote if rel not in local)
    return PublishPlan(tuple(added), tuple(changed), tuple(removed))


def upload_order(plan: PublishPlan) -> list[str]:
    """Assets first; then new pages, changed pages, and feeds and sitemaps last."""
    added = set(plan.added)
    paths = [*plan.added, *plan.changed]
    return sorted(paths, key=lambda rel: (is_page(rel), rel.endswith(".xml"), rel not in added, rel))


def publish_s3(site_dir: Path, url: str, settings: S3Settings, *, base_path: str = "/",
               redirect_files: bool = True, precompress: bool = False, dry_run: bool = False,
               max_deletes: int | None = None, client: Any = None) -> S3Result:
    """Make s3://bucket/prefix hold exactly the built site and its extras (redirect files,
    `.gz` siblings with `precompress`); see the module doc."""
    site = existing_site(site_dir)
    bucket, prefix = parse_s3_url(url)
    client = client or make_client(settings)
    _check_bucket(client, bucket, settings)
    manifest = _read_manifest(client, bucket, prefix)
    remote: dict[str, str | None] = dict(manifest) if manifest is not None else _list(client, bucket, prefix)
    local = collect(site, settings, base_path=base_path, redirect_files=redirect_files, precompress=precompress)
    plan = make_plan(local, remote)
    limit = settings.max_deletes if max_deletes is None else max_deletes
    if len(plan.removed) > limit:
        raise PublishError(
            f"refusing to delete {len(plan.removed)} objects from s3://{bucket}/{prefix} (more than {limit}): "
            "is this the right bucket and prefix for this site? Check with --dry-run, then allow it with "
            f"--max-deletes {len(plan.removed)} (or publish.s3.max_deletes)")
    order = upload_order(plan)
    result = S3Result(plan, tuple(order), bucket, prefix, len(local) - len(order))
    if dry_run or plan.empty and manifest is not None:
        return result
    state = dict(remote)
    try:
        assets = [rel for rel in order if not is_page(rel)]
        pages = [rel for rel in order if is_page(rel)]
        _upload(client, bucket, prefix, [local[r] for r in assets], settings.workers, state)
        _upload(client, bucket, prefix, [local[r] for r in pages], settings.workers, state)
    except BaseException:
        _write_manifest_quietly(client, bucket, prefix, state)
        raise
    _write_manifest(client, bucket, prefix, state)   # the deletions below may be cut short
    _delete(client, bucket, prefix, plan.removed)
    _write_manifest(client, bucket, prefix, {rel: f.fingerprint for rel, f in local.items()})
    return result


def make_client(settings: S3Settings) -> Any:
    """A boto3 S3 client; credentials only from the environment and the AWS config files."""
    import boto3
    import botocore.config
    import botocore.exceptions
    try:
        session = boto3.session.Session(profile_name=settings.profile)
    except botocore.exceptions.ProfileNotFound as exc:
        raise PublishError(f"{exc}: check 'publish.s3.profile' and ~/.aws/credentials") from None
    if session.get_credentials() is None:
        raise PublishError(
            "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) in the "
            "environment, or add a profile to ~/.aws/credentials and name it in 'publish.s3.profile'")
    style = settings.addressing_style or ("path" if settings.endpoint else "auto")
    config = botocore.config.Config(
        max_pool_connections=max(10, settings.workers), connect_timeout=5, read_timeout=60,
        retries={"max_attempts": 3, "mode": "standard"}, s3={"addressing_style": style},
        # Several S3-compatible stores reject the CRC headers newer boto3 sends by default.
        request_checksum_calculation="when_required", response_checksum_validation="when_required")
    region = settings.region or session.region_name or "us-east-1"
    return session.client("s3", endpoint_url=settings.endpoint, region_name=region, config=config)


def _check_bucket(client: Any, bucket: str, settings: S3Settings) -> None:
    """Fail before anything is uploaded: credentials, endpoint and bucket, in one request."""
    try:
        client.head_bucket(Bucket=bucket)
    except Exception as exc:  # noqa: BLE001 - every botocore failure becomes an explained PublishError
        raise explain(exc, bucket, settings.endpoint) from None


def explain(exc: BaseException, bucket: str, endpoint: str | None) -> PublishError:
    """A botocore failure as a message that says what is wrong and what to do."""
    import botocore.exceptions as bx
    where = endpoint or "AWS S3"
    if isinstance(exc, bx.NoCredentialsError):
        return PublishError("no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
    if isinstance(exc, (bx.EndpointConnectionError, bx.ConnectTimeoutError)):
        return PublishError(f"cannot reach the S3 endpoint {where}: check 'publish.s3.endpoint' and the network "
                            f"({exc})")
    if isinstance(exc, bx.ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in ("404", "NoSuchBucket"):
            return PublishError(f"the bucket {bucket!r} does not exist at {where}: create it first, or fix the "
                                "bucket name in the s3:// location")
        if code in ("403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
            return PublishError(f"access to the bucket {bucket!r} at {where} was denied ({code}): check the "
                                "credentials in the environment or ~/.aws and the bucket's permissions")
        return PublishError(f"S3 refused the request for bucket {bucket!r} at {where}: {exc}")
    if isinstance(exc, bx.BotoCoreError):
        return PublishError(f"S3 request to {where} failed: {exc}")
    if isinstance(exc, PublishError):
        return exc
    return PublishError(f"S3 upload failed: {exc!r}")


def _read_manifest(client: Any, bucket: str, prefix: str) -> dict[str, str] | None:
    try:
        body = client.get_object(Bucket=bucket, Key=prefix + MANIFEST)["Body"].read()
    except Exception as exc:  # noqa: BLE001
        if getattr(exc, "response", {}).get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            return None
        raise explain(exc, bucket, None) from None
    try:
        files = json.loads(body)["files"]
        assert isinstance(files, dict)
        return {str(k): str(v) for k, v in files.items()}
    except (ValueError, KeyError, TypeError, AssertionError):
        return None   # unreadable: list the bucket as for a first publish


def _list(client: Any, bucket: str, prefix: str) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    try:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                rel = item["Key"][len(prefix):]
                if rel and rel != MANIFEST:
                    found[rel] = None
    except Exception as exc:  # noqa: BLE001
        raise explain(exc, bucket, None) from None
    return found


def _upload(client: Any, bucket: str, prefix: str, files: Sequence[LocalFile], workers: int,
            state: dict[str, str | None]) -> None:
    """Upload in parallel; the first failure cancels what has not started and is raised."""
    if not files:
        return

    def put(item: LocalFile) -> LocalFile:
        extra: dict[str, str] = {}
        if item.gzip:
            extra["ContentEncoding"] = "gzip"
        if item.redirect:
            extra["WebsiteRedirectLocation"] = item.redirect
        client.put_object(Bucket=bucket, Key=prefix + item.rel, Body=item.body(), ContentType=item.content_type,
                          CacheControl=item.cache_control, **extra)
        return item

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(put, f) for f in files]
        done, pending = wait(futures, return_when=FIRST_EXCEPTION)
        for future in pending:
            future.cancel()
        failure = None
        for future in futures:
            if future.cancelled() or not future.done():
                continue
            error = future.exception()
            if error is None:
                item = future.result()
                state[item.rel] = item.fingerprint
            elif failure is None:
                failure = error
    if failure is not None:
        raise explain(failure, bucket, None) from None


def _delete(client: Any, bucket: str, prefix: str, rels: Iterable[str]) -> None:
    keys = [prefix + rel for rel in rels]
    for start in range(0, len(keys), 1000):
        batch = keys[start:start + 1000]
        try:
            answer = client.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in batch],
                                                                  "Quiet": True})
        except Exception as exc:  # noqa: BLE001
            raise explain(exc, bucket, None) from None
        if answer.get("Errors"):
            first = answer["Errors"][0]
            raise PublishError(f"S3 did not delete {len(answer['Errors'])} object(s), e.g. {first.get('Key')}: "
                               f"{first.get('Message')}")


def _write_manifest(client: Any, bucket: str, prefix: str, files: dict[str, str | None]) -> None:
    known = {rel: fp for rel, fp in sorted(files.items()) if fp is not None}
    # Entries without a fingerprint (listed, never uploaded by us) must stay known for deletion.
    known.update({rel: "" for rel, fp in files.items() if fp is None})
    body = json.dumps({"version": 1, "files": dict(sorted(known.items()))}, separators=(",", ":")).encode()
    try:
        client.put_object(Bucket=bucket, Key=prefix + MANIFEST, Body=body, ContentType="application/json",
                          CacheControl="no-store")
    except Exception as exc:  # noqa: BLE001
        raise explain(exc, bucket, None) from None


def _write_manifest_quietly(client: Any, bucket: str, prefix: str, files: dict[str, str | None]) -> None:
    """After a failure: remember what did get uploaded, but never hide the first error."""
    try:
        _write_manifest(client, bucket, prefix, files)
    except Exception:  # noqa: BLE001
        pass

