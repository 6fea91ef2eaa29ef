"""Publishing the sharded search index: chunks named by their digest are cached for good, the
shard list (which changes when a shard is split or added) only briefly."""

from __future__ import annotations

from builder.commands.publish.headers import IMMUTABLE, SHORT, cache_control


def test_shard_chunks_are_immutable_and_the_shard_list_is_not() -> None:
    assert cache_control("pagefind/2022-q1/fragment/de_1a2b3c4.pf_fragment") == IMMUTABLE
    assert cache_control("pagefind/begriffe/index/de_1a2b3c4.pf_index") == IMMUTABLE
    assert cache_control("pagefind/2022-q1/pagefind.de_61e05daecc.pf_meta") == IMMUTABLE
    assert cache_control("pagefind/2022-q1/pagefind-entry.json") == SHORT
    assert cache_control("pagefind/shards.js") == SHORT
