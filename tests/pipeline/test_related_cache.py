"""The related cache: links by digest, and a ranking state that a one-off build does not hold."""

from __future__ import annotations

import pickle
from pathlib import Path

from builder.content.model import Links, RelatedEntry
from builder.pipeline.linking import RelatedCache
from builder.related.reranking import RankState

ENTRIES = {"a": (RelatedEntry("b", 0.5, ("Kreml",), True),), "b": ()}
LINKS = Links(related=ENTRIES, backlinks={"b": ("a",)}, tags=(), term_articles={}, related_terms={})


def _state() -> RankState:
    return RankState("ctx", ("b", "a"), (b"1", b"2"), (("x",), ("y",)), (1.0, 2.0),
                     (ENTRIES["b"], ENTRIES["a"]))


def test_a_folder_cache_writes_at_once_and_reads_the_state_when_asked(tmp_path: Path) -> None:
    cache = RelatedCache(tmp_path / "related.pickle", keep_state=False)
    cache.put("key", LINKS, _state())
    again = RelatedCache(tmp_path / "related.pickle")
    assert again.get("key") == LINKS
    assert type(again.get("key").related["a"][0]) is RelatedEntry
    assert again.get("other") is None
    assert again.rank_state == _state()
    assert again._state is None   # read from its file, not held


def test_the_entries_are_stored_once_as_plain_tuples(tmp_path: Path) -> None:
    """The state's results are the links' entries: its file holds none, and no RelatedEntry is pickled."""
    RelatedCache(tmp_path / "related.pickle").put("key", LINKS, _state())
    for name in ("related.pickle", "related-state.pickle", "related-entries.pickle"):
        assert b"RelatedEntry" not in (tmp_path / name).read_bytes()
    with open(tmp_path / "related-state.pickle", "rb") as handle:
        assert pickle.load(handle)[2].results == ()


def test_a_state_without_the_links_it_was_ranked_with_is_not_used(tmp_path: Path) -> None:
    cache = RelatedCache(tmp_path / "related.pickle")
    cache.put("key", LINKS, _state())
    (tmp_path / "related.pickle").write_bytes(b"not a pickle")
    assert RelatedCache(tmp_path / "related.pickle").rank_state is None
    cache.put("key", Links(related={"a": ()}, backlinks={}, tags=(), term_articles={}, related_terms={}), _state())
    assert RelatedCache(tmp_path / "related.pickle").rank_state is None   # no entries of "b"


def test_a_state_whose_links_were_not_written_is_not_used(tmp_path: Path) -> None:
    """A put writes the state first: one that ended there (a crash, a full disk) leaves links of another put."""
    RelatedCache(tmp_path / "related.pickle").put("key", LINKS, _state())
    links_file = (tmp_path / "related.pickle").read_bytes()
    entries_file = (tmp_path / "related-entries.pickle").read_bytes()
    RelatedCache(tmp_path / "related.pickle").put("next", LINKS, _state())
    (tmp_path / "related.pickle").write_bytes(links_file)   # as though the next put wrote its state alone
    (tmp_path / "related-entries.pickle").write_bytes(entries_file)
    cache = RelatedCache(tmp_path / "related.pickle")
    assert cache.get("key") == LINKS and cache.rank_state is None


def test_a_one_off_build_keeps_no_state_and_the_dev_server_does() -> None:
    one_off = RelatedCache(None, keep_state=False)
    one_off.put("key", "links", _state())
    assert one_off.get("key") == "links" and one_off.rank_state is None
    preview = RelatedCache(None)
    preview.put("key", "links", _state())
    assert preview.rank_state == _state()


def test_a_damaged_state_file_only_costs_a_full_ranking(tmp_path: Path) -> None:
    cache = RelatedCache(tmp_path / "related.pickle")
    cache.put("key", LINKS, _state())
    assert cache.state_path is not None
    cache.state_path.write_bytes(b"not a pickle")
    assert RelatedCache(tmp_path / "related.pickle").rank_state is None


def test_a_put_that_changes_a_few_entries_writes_only_those(tmp_path: Path) -> None:
    many = {f"artikel-{n}": (RelatedEntry(f"artikel-{n + 1}", 0.5, ("Kreml",), False),) for n in range(100)}
    links = Links(related=many, backlinks={}, tags=(), term_articles={"kreml": tuple(many)}, related_terms={},
                  shown={slug: f"digest {slug}" for slug in many})
    RelatedCache(tmp_path / "related.pickle").put("key", links, None)
    base = (tmp_path / "related-entries.pickle").read_bytes()
    changed = dict(many, **{"artikel-7": (RelatedEntry("artikel-9", 0.25, (), False),)})
    edited = Links(related=changed, backlinks={}, tags=(), term_articles=links.term_articles, related_terms={},
                   shown=dict(links.shown, **{"artikel-7": "new digest"}))
    RelatedCache(tmp_path / "related.pickle").put("next key", edited, None)
    assert (tmp_path / "related-entries.pickle").read_bytes() == base   # only a delta was written
    delta = (tmp_path / "related-entries.pickle.delta").read_bytes()
    assert b"artikel-9" in delta and b"artikel-42" not in delta
    again = RelatedCache(tmp_path / "related.pickle")
    assert again.get("next key") == edited and type(again.get("next key").related["artikel-7"][0]) is RelatedEntry


def test_links_whose_entries_file_is_of_another_put_are_not_used(tmp_path: Path) -> None:
    cache = RelatedCache(tmp_path / "related.pickle")
    cache.put("key", LINKS, _state())
    first = (tmp_path / "related.pickle").read_bytes()
    cache.put("other key", Links(related={"a": (), "b": ()}, backlinks={}, tags=(), term_articles={},
                                 related_terms={}), _state())
    (tmp_path / "related.pickle").write_bytes(first)   # as though the second put stopped between its files
    again = RelatedCache(tmp_path / "related.pickle")
    assert again.get("key") is None and again.get("other key") is None and again.rank_state is None
