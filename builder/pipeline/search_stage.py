"""The search stage: the site's records into Pagefind shards, only the shards whose records changed.

Runs after the body stage, fed from the body store (no page HTML is read
back): `index_search` assigns records to shards (`output.search_shards`),
indexes the shards the `ShardStore` does not hold with this digest, one
Pagefind process per shard and up to one per core, and lists every file the
search index adds to the site. Each shard's files are kept in the store
between builds (in the build cache, or in memory for the dev server) until
its digest changes; a build writes into the output only the files whose
bytes changed. Memory stays bounded: one shard per Pagefind process, its
files written to the store as soon as they come back.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Mapping

from ..errors import Diagnostics
from ..output.search import (OUTPUT_SUBDIR, SHARD_LIST, PagefindService, SearchIndexError, pagefind_identity,
                             place_bundle, shard_list)
from ..output.search_records import EXCLUDE, Searchable, SearchRecord, record_html, search_records
from ..output.search_shards import BUDGET, Shard, assign_shards, cost
from ..output.write import PatchOutput, StagedOutput, write_files
from .body_packs import BodyStore

OUTPUT = OUTPUT_SUBDIR
STATE = "state.json"
PENDING = "pending"          # the fingerprint of a search file whose shard is being indexed
Progress = Callable[[str, int, int], None]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class KeptShard:
    """An indexed shard in the store."""

    digest: str
    files: dict[str, str]            # path under pagefind/ → sha256 of its bytes
    folder: str = ""                 # on disk: the folder under the store holding them


class ShardStore:
    """Indexed shards by name: their digest and files, in a folder (the build cache) or in memory."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.kept: dict[str, KeptShard] = {}
        self.memory: dict[str, dict[str, bytes]] = {}
        self._lock = threading.Lock()
        self._changed = False   # whether the state on disk no longer says what `kept` holds
        if folder is not None:
            self.kept = self._read_state(folder)

    @classmethod
    def resumed(cls, folder: Path, kept: dict[str, KeptShard]) -> "ShardStore":
        """The store in `folder` as another process left it: `kept`, not yet written as its state."""
        store = cls(None)
        store.folder, store.kept, store._changed = folder, kept, True
        return store

    @staticmethod
    def _read_state(folder: Path) -> dict[str, KeptShard]:
        try:
            data = json.loads((folder / STATE).read_text(encoding="utf-8"))
            kept = {name: KeptShard(entry["digest"], dict(entry["files"]), entry["folder"])
                    for name, entry in data.items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}
        return {name: entry for name, entry in kept.items()
                if entry.folder and (folder / entry.folder).is_dir()}

    def has(self, shard: Shard) -> bool:
        entry = self.kept.get(shard.name)
        return entry is not None and entry.digest == shard.digest

    def put(self, shard: Shard, files: Mapping[str, bytes]) -> None:
        """Keep a freshly indexed shard (written to disk at once: memory holds one shard at a time)."""
        hashes = {path: _sha(data) for path, data in files.items()}
        if self.folder is None:
            with self._lock:
                self.memory[shard.name] = dict(files)
                self.kept[shard.name] = KeptShard(shard.digest, hashes)
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        target = Path(tempfile.mkdtemp(prefix=f"{shard.name}-", dir=self.folder))
        write_files(target, files)   # a shard has a file per page: each folder made once
        with self._lock:
            self.kept[shard.name] = KeptShard(shard.digest, hashes, target.name)
            self._changed = True

    def read(self, name: str, path: str) -> bytes:
        if self.folder is None:
            return self.memory[name][path]
        return (self.folder / self.kept[name].folder / path).read_bytes()

    def source(self, name: str, path: str) -> Path | None:
        """The stored file, when the store is a folder (to be hard-linked rather than copied)."""
        return None if self.folder is None else self.folder / self.kept[name].folder / path

    def keep_only(self, names: set[str]) -> None:
        """Forget shards the site no longer has; on disk, write the state and remove stale folders."""
        kept = {name: entry for name, entry in self.kept.items() if name in names}
        self._changed |= len(kept) != len(self.kept)
        self.kept = kept
        self.memory = {name: files for name, files in self.memory.items() if name in names}
        if self.folder is None or not self._changed or not self.folder.is_dir():
            return   # a build that indexed nothing and dropped nothing: the state on disk stands
        self._changed = False
        state = {name: {"digest": e.digest, "files": e.files, "folder": e.folder} for name, e in self.kept.items()}
        tmp = self.folder / f"{STATE}.tmp"
        tmp.write_text(json.dumps(state, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.folder / STATE)
        used = {entry.folder for entry in self.kept.values()}
        for child in self.folder.iterdir():
            if child.is_dir() and child.name not in used:
                shutil.rmtree(child, ignore_errors=True)


@dataclass
class SearchIndex:
    """The search index's part of the site: every file under pagefind/ and where its bytes are."""

    files: dict[str, str]                          # output path → fingerprint (a digest of its bytes)
    where: dict[str, tuple[str, str]]              # output path → (shard, path in its bundle)
    store: ShardStore
    extra: dict[str, bytes] = field(default_factory=dict)   # files made by the stage itself (shards.js)
    indexed: tuple[str, ...] = ()                  # the shards indexed by this build

    def data(self, path: str) -> bytes:
        if path in self.extra:
            return self.extra[path]
        return self.store.read(*self.where[path])

    def contents(self) -> Iterator[tuple[str, bytes]]:
        """Every file with its bytes, one at a time (the dev server keeps the site in memory)."""
        for path in self.files:
            yield path, self.data(path)

    def write(self, staged: StagedOutput | PatchOutput, old: Mapping[str, str]) -> list[str]:
        """Put the files into the output: into a new tree all of them (hard links where the
        destination or the store has them), into a patch those that changed. Returns those written."""
        written = []
        for path, digest in self.files.items():
            unchanged = old.get(path) == digest
            if isinstance(staged, PatchOutput) and unchanged:
                continue
            if isinstance(staged, StagedOutput) and unchanged and staged.reuse(path):
                continue
            staged.write(path, self.data(path))
            written.append(path)
        return written


def _body_size(bodies: BodyStore) -> Callable[[str], int]:
    def size(key: str) -> int:
        location = bodies.locations.get(key)
        if location is not None:
            return location[2]
        html = bodies.memory.get(key)
        return len(html.encode("utf-8", "surrogatepass")) if html is not None else 0
    return size


class _LockedBodies:
    """The body store read from several threads (it opens pack files on first use)."""

    def __init__(self, bodies: BodyStore) -> None:
        self.bodies = bodies
        self.lock = threading.Lock()

    def html(self, key: str) -> str:
        with self.lock:
            return self.bodies.html(key)


def search_store(folder: Path | None) -> ShardStore:
    """The shards kept beside the bodies: in the build cache, in a build's scratch folder, or in memory."""
    return ShardStore(folder / "search" if folder is not None else None)


# Pagefind holds a shard's whole index until it is written: 165 MiB for 6.3 MB of bodies, 637 MiB
# for 25 MB (peak RSS of `pagefind --service` fed that much of the benchmark corpus's bodies).
# At most this many bytes of bodies are indexed at once, so shards grown past the budget (a large
# site, see search_shards.site_budget) are indexed one at a time.
INDEXED_AT_ONCE = 2 * BUDGET


# A process that holds nothing else (the one that started a build from the command line, see
# `search_tail`) may index more at once: two shards of a 100,000-article site (up to 24 MB of bodies
# each), less than a build's process, its workers and one Pagefind process hold together.
INDEXED_ALONE = 8 * BUDGET


def lanes(todo: list[Shard], jobs: int, at_once: int | None = None) -> int:
    """How many Pagefind processes index `todo` side by side: one per core, within `at_once` bytes of
    bodies (INDEXED_AT_ONCE when not given)."""
    biggest = max((cost(shard.records) for shard in todo), default=0)
    return max(1, min(jobs, len(todo), (INDEXED_AT_ONCE if at_once is None else at_once) // max(biggest, 1)))


def better_alone(shards: list[Shard], jobs: int) -> bool:
    """Whether a process holding nothing else would index `shards` with more Pagefind processes side by
    side than a build's process may (the shards of a large site)."""
    return len(shards) > 1 and lanes(shards, jobs) < lanes(shards, jobs, INDEXED_ALONE)


def on_disk(shards: list[Shard], store: ShardStore, bodies: BodyStore) -> bool:
    """Whether another process can index `shards`: the store is a folder, and their bodies are in packs."""
    return (store.folder is not None and bodies.folder is not None
            and all(record.body_key in bodies.locations for shard in shards for record in shard.records))


class SearchJob:
    """The search stage under way beside linking, planning and writing: Pagefind indexes in its own
    processes, fed by one thread per process; `result()` waits for it in the build's thread."""

    def __init__(self, shards: list[Shard], store: ShardStore, bodies: BodyStore, language: str, jobs: int,
                 records: list[SearchRecord] | None = None, settings: str = "", budget: int | None = None,
                 alone: bool = False, deferred: bool = False) -> None:
        """`records`, `settings` and `budget`: what the shards were assigned from (`edit_state` keeps them);
        `alone`: this process holds nothing else (INDEXED_ALONE bytes are indexed side by side);
        `deferred`: the shards are left for another process (`search_tail`), or until `result()`."""
        self.shards = shards
        self.records, self.settings, self.budget = records or [], settings, budget
        self.store = store
        self.todo = [shard for shard in shards if not store.has(shard)]
        self.language = language
        self._reader = _LockedBodies(bodies)
        self._stopped = threading.Event()
        self.jobs = jobs
        self.deferred = deferred
        self._pool = ThreadPoolExecutor(lanes(self.todo, jobs, INDEXED_ALONE if alone else None),
                                        thread_name_prefix="search")
        self._futures: list[Future[None]] = []
        if not deferred:
            self._start()

    def _start(self) -> None:
        if self._futures or self._stopped.is_set():
            return
        # Biggest first, so that no thread starts a big shard while the other has run out of work.
        self._futures = [self._pool.submit(self._index, shard)
                         for shard in sorted(self.todo, key=lambda s: -cost(s.records))]

    def _index(self, shard: Shard) -> None:
        if self._stopped.is_set():
            return
        documents = ((record.url, record_html(record, self._reader, self.language)) for record in shard.records)
        with PagefindService() as service:
            files = service.index(documents, self.language, EXCLUDE)
        self.store.put(shard, place_bundle(shard.name, shard.primary, files))

    def expected(self, old: Mapping[str, str]) -> dict[str, str]:
        """The search files as the previous build listed them (`old`), those of the shards under way
        marked as changing: their new names are known only once Pagefind is done. Enough to choose
        how to update the output before then."""
        busy = tuple(f"{OUTPUT}/{shard.name}/" for shard in self.todo)
        files = {path: PENDING if path.startswith(busy) else print_
                 for path, print_ in old.items() if path.startswith(f"{OUTPUT}/")}
        files[f"{OUTPUT}/{SHARD_LIST}"] = PENDING   # never "unchanged" while a shard is under way
        return files

    def cancel(self) -> None:
        """Stop after the shards under way (a build that failed): the store keeps what was indexed."""
        self._stopped.set()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def result(self, problems: Diagnostics, progress: Progress | None = None) -> SearchIndex | None:
        """Wait for every shard; list every file of the search index. When Pagefind fails that is
        an error (None is returned); the store keeps the shards indexed before."""
        self._start()
        try:
            for done, future in enumerate(as_completed(self._futures), start=1):
                future.result()
                if progress:
                    progress("Indexing for search", done, len(self._futures))
        except SearchIndexError as exc:
            self.cancel()
            _not_built(problems, exc)
            return None
        self._pool.shutdown()
        return _listing(self.shards, self.store, self.todo)


def _not_built(problems: Diagnostics, exc: SearchIndexError) -> None:
    problems.error("config.yaml", None, f"search index not built: {exc}",
                   hint="set 'search: false' to build the site without search")


def start_search(source: Searchable, bodies: BodyStore, store: ShardStore, jobs: int, problems: Diagnostics,
                 budget: int | None = None, hand_off: bool = False) -> SearchJob | None:
    """Start indexing the shards whose records changed (they need the bodies, not the linked site);
    None, with the error, when Pagefind cannot be found. `hand_off`: the build may leave the shards to
    the process that started it, once its pages are written (`search_tail`): it does when that
    process, holding nothing else, would index more of them side by side (a large site's shards;
    at 100,000 articles the build with one Pagefind process beside it held 1.6 GiB, alone 1.2 GiB)."""
    language = source.config.language
    try:
        settings = search_settings(language)
    except SearchIndexError as exc:
        _not_built(problems, exc)
        return None
    records = list(search_records(source, _body_size(bodies)))
    shards = assign_shards(records, settings, budget)
    todo = [shard for shard in shards if not store.has(shard)]
    later = hand_off and better_alone(todo, jobs) and on_disk(todo, store, bodies)
    return SearchJob(shards, store, bodies, language, jobs, records, settings, budget, deferred=later)


def search_settings(language: str) -> str:
    """Everything besides the records that the index files depend on (SearchIndexError without Pagefind)."""
    return json.dumps([language, EXCLUDE, pagefind_identity()])


def _listing(shards: list[Shard], store: ShardStore, indexed: list[Shard]) -> SearchIndex:
    store.keep_only({shard.name for shard in shards})
    files: dict[str, str] = {}
    where: dict[str, tuple[str, str]] = {}
    for shard in shards:
        for path, digest in sorted(store.kept[shard.name].files.items()):
            files[f"{OUTPUT}/{path}"] = digest
            where[f"{OUTPUT}/{path}"] = (shard.name, path)
    listing = shard_list([shard.name for shard in shards])
    files[f"{OUTPUT}/{SHARD_LIST}"] = _sha(listing)
    return SearchIndex(files, where, store, {f"{OUTPUT}/{SHARD_LIST}": listing},
                       tuple(shard.name for shard in indexed))


def lists_search_files(files: Mapping[str, str], search: bool) -> bool:
    """Whether a manifest lists the search index's files (a build before shards did not): only
    then may a build patch the destination in place."""
    return not search or any(path.startswith(f"{OUTPUT}/") for path in files)
