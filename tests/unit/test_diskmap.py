"""DiskMap and SeenIds answer exactly as a dict would, whatever the ids (undecodable file
names carry lone surrogates) and however the writes fall around the buffer."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_qa.diskmap import DiskMap, SeenIds

IDS = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(IDS, st.integers()), max_size=40), st.lists(IDS, max_size=10),
       st.integers(1, 5))
def test_diskmap_is_a_dict(items: list[tuple[str, int]], probes: list[str], buffer: int) -> None:
    expected = dict(items)
    stored = DiskMap(buffer=buffer)
    try:
        stored.update(items)
        assert len(stored) == len(expected)
        assert sorted(stored) == sorted(expected)
        for key in [*expected, *probes]:
            assert stored.get(key) == expected.get(key)
            assert (key in stored) == (key in expected)
    finally:
        stored.close()


@settings(max_examples=60, deadline=None)
@given(st.lists(IDS, max_size=40), st.integers(1, 5))
def test_seen_ids_tell_a_repeated_id_and_where_it_was_first(ids: list[str], every: int) -> None:
    seen, first = SeenIds(merge_every=every), {}
    for n, doc_id in enumerate(ids):
        assert seen.get(doc_id) == first.get(doc_id)
        assert (doc_id in seen) == (doc_id in first)
        if doc_id not in first:
            first[doc_id] = f"c.jsonl:{n + 1}"
            seen[doc_id] = first[doc_id]


@settings(max_examples=60, deadline=None)
@given(st.lists(IDS, max_size=30), st.lists(IDS, max_size=10), st.integers(1, 5))
def test_seen_ids_any_of_is_any_id_seen(ids: list[str], probes: list[str], every: int) -> None:
    seen = SeenIds(merge_every=every)
    for n, doc_id in enumerate(ids):
        seen[doc_id] = n
        # Every prefix: hashes merged into the sorted array and the recent ones alike.
        assert seen.any_of(probes) == any(p in ids[:n + 1] for p in probes)
    assert seen.any_of(probes) == any(p in ids for p in probes)
    assert seen.any_of([*probes, *ids[-1:]]) == bool(ids or set(probes) & set(ids))
