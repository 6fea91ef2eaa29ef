"""The related cache: links by digest, and a ranking state that a one-off build does not hold."""

from __future__ import annotations

from pathlib import Path

from builder.content.model import RelatedEntry
from builder.pipeline.linking import RelatedCache
from builder.related.reranking import RankState


def _state() -> RankState:
    return RankState("ctx", ("a", "b"), (b"1", b"2"), (("x",), ("y",)), (1.0, 2.0),
                     ((RelatedEntry("b", 0.5),), ()))


def test_a_folder_cache_writes_at_once_and_reads_the_state_when_asked(tmp_path: Path) -> None:
    cache = RelatedCache(tmp_path / "related.pickle", keep_state=False)
    cache.put("key", {"links": 1}, _state())
    again = RelatedCache(tmp_path / "related.pickle")
    assert again.get("key") == {"links": 1}
    assert again.get("other") is None
    assert again.rank_state == _state()
    assert again._state is None   # read from its file, not held


def test_a_one_off_build_keeps_no_state_and_the_dev_server_does() -> None:
    one_off = RelatedCache(None, keep_state=False)
    one_off.put("key", "links", _state())
    assert one_off.get("key") == "links" and one_off.rank_state is None
    preview = RelatedCache(None)
    preview.put("key", "links", _state())
    assert preview.rank_state == _state()


def test_a_damaged_state_file_only_costs_a_full_ranking(tmp_path: Path) -> None:
    cache = RelatedCache(tmp_path / "related.pickle")
    cache.put("key", "links", _state())
    assert cache.state_path is not None
    cache.state_path.write_bytes(b"not a pickle")
    assert RelatedCache(tmp_path / "related.pickle").rank_state is None
