"""Full-text search with Pagefind: finding its binary and talking to it as a service.

What is indexed is in `search_records`, how it is split in `search_shards`;
the pipeline's search stage (`pipeline.search_stage`) runs one service per
shard to index and writes the bundles under `<site>/pagefind/`.
"""

from __future__ import annotations

import base64
import importlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

OUTPUT_SUBDIR = "pagefind"
INSTALL_HINT = "install it with: pip install 'pagefind[bin]' (the extra `builder[search]`)"


class SearchIndexError(Exception):
    """Pagefind is missing or could not index the site."""


def pagefind_executable() -> Path:
    """The Pagefind binary: PAGEFIND_BINARY_PATH, the `pagefind_bin` wheels, or PATH (Pagefind's own
    order). Looked up without `pagefind.service`, whose asyncio import costs 50 ms every build."""
    configured = os.getenv("PAGEFIND_BINARY_PATH")
    candidates: list[Path] = [Path(configured)] if configured else []   # when set, the only one
    for module in () if configured else ("pagefind_bin_extended", "pagefind_bin"):
        try:
            candidates.append(Path(importlib.import_module(module).get_executable()))
        except ImportError:
            continue
    found = None if configured else shutil.which("pagefind_extended") or shutil.which("pagefind")
    candidates += [Path(found)] if found else []
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    if not candidates:
        raise SearchIndexError(f"Pagefind is not installed: {INSTALL_HINT}")
    raise SearchIndexError(f"the Pagefind binary was not found: {INSTALL_HINT}")


def search_available() -> str | None:
    """None when Pagefind can index a site, else why it cannot (with how to install it)."""
    try:
        pagefind_executable()
    except SearchIndexError as exc:
        return str(exc)
    return None


class PagefindService:
    """A `pagefind --service` process (Pagefind's Python API speaks the same protocol): an index
    built from HTML documents in memory, its files read back without touching the disk.

    Pagefind's own client waits 0.1 s for every answer; this one sends all documents of an index
    at once and then reads the answers, so a shard of 300 pages costs Pagefind's time only.
    """

    def __init__(self) -> None:
        try:
            self.process = subprocess.Popen([str(pagefind_executable()), "--service"], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError as exc:   # e.g. a binary for another platform
            raise SearchIndexError(f"could not run Pagefind: {exc}") from exc
        self._next_id = 0
        self._buffer = bytearray()

    def __enter__(self) -> "PagefindService":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """End the process. Not by closing its input alone: page workers forked while it ran hold
        that pipe too, so it would not see the end of its input until they exit."""
        if self.process.poll() is None:
            try:
                assert self.process.stdin is not None
                self.process.stdin.close()
            except OSError:
                pass
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()

    def _send(self, payload: dict[str, Any]) -> None:
        self._next_id += 1
        message = json.dumps({"message_id": self._next_id, "payload": payload}, ensure_ascii=False)
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(base64.b64encode(message.encode("utf-8", "surrogatepass")) + b",")
        except OSError as exc:
            raise SearchIndexError(f"Pagefind stopped: {exc}") from exc

    def _receive(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        while (end := self._buffer.find(b",")) < 0:
            chunk = self.process.stdout.read1(1 << 20)
            if not chunk:
                raise SearchIndexError(f"Pagefind stopped unexpectedly (exit code {self.process.wait()})")
            self._buffer += chunk
        message = json.loads(base64.b64decode(bytes(self._buffer[:end])))
        del self._buffer[:end + 1]
        payload: dict[str, Any] = message.get("payload") or {}
        if payload.get("type") == "Error":
            raise SearchIndexError(f"Pagefind failed: {payload.get('message')}")
        return payload

    def _call(self, payload: dict[str, Any]) -> dict[str, Any]:
        self._send(payload)
        assert self.process.stdin is not None
        self.process.stdin.flush()
        return self._receive()

    def index(self, documents: Iterable[tuple[str, str]], language: str,
              exclude: Sequence[str] = ()) -> dict[str, bytes]:
        """Index (url, html) documents in one language; return the bundle's files by relative path."""
        config = {"force_language": language, "exclude_selectors": list(exclude)}
        index_id = self._call({"type": "NewIndex", "config": config})["index_id"]
        sent = 0
        for url, html in documents:
            self._send({"type": "AddFile", "index_id": index_id, "url": url, "file_path": None,
                        "file_contents": html})
            sent += 1
        assert self.process.stdin is not None
        self.process.stdin.flush()
        for _ in range(sent):
            self._receive()
        files = self._call({"type": "GetFiles", "index_id": index_id})["files"]
        self._call({"type": "DeleteIndex", "index_id": index_id})
        return {file["path"]: base64.b64decode(file["content"]) for file in files}


# Pagefind's browser files: the UI goes to pagefind/ itself (the search page links it there), the
# search runtime into the primary shard's folder (the bundle the others merge into), and
# every shard keeps its index data.
UI_FILES = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.")
RUNTIME_FILES = ("pagefind.js", "pagefind-worker.js")
SHARD_LIST = "shards.js"


def place_bundle(name: str, primary: bool, files: Mapping[str, bytes]) -> dict[str, bytes]:
    """A shard's bundle as files under pagefind/: its index data in `name/`, and for the primary
    shard the runtime beside it and the UI in pagefind/ itself."""
    placed: dict[str, bytes] = {}
    for path, data in files.items():
        if path.startswith(UI_FILES):
            if primary:
                placed[path] = data
        elif path in RUNTIME_FILES or path.startswith("wasm."):
            if primary:
                placed[f"{name}/{path}"] = data
        elif not path.startswith("playground"):
            placed[f"{name}/{path}"] = data
    return placed


def shard_list(names: Sequence[str]) -> bytes:
    """pagefind/shards.js: the shards' folders, the primary first, for the search page's script."""
    listing = json.dumps([f"{name}/" for name in names])
    return f"window.builderSearchShards = {listing};\n".encode()


def pagefind_identity() -> str:
    """Which Pagefind builds the index (its binary's path, size and time): a new one indexes again."""
    path = pagefind_executable()
    status = path.stat()
    return f"{path}:{status.st_size}:{status.st_mtime_ns}"
