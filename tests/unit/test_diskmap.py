"""DiskMap and SeenIds answer exactly as a dict would, whatever the ids (undecodable file
names carry lone surrogates) and however the writes fall around the buffer."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_qa.diskmap import DiskMap, SeenIds, SignatureFile

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


def test_signature_rows_read_back_across_page_boundaries(tmp_path: Path) -> None:
    """Slices starting anywhere (not at a page) read the rows written, as plain arrays."""
    import numpy as np

    rows = np.random.default_rng(3).integers(0, 2**32, size=(700, 128), dtype=np.uint32)
    signatures = SignatureFile(tmp_path / "sig.bin", 128, buffer=64)
    for row in rows:
        signatures.append(row)
    for start, stop in [(0, 700), (7, 8), (8, 9), (63, 650), (699, 700)]:
        mapped = signatures._mapped(start, stop)
        assert type(mapped) is np.ndarray and not mapped.flags.writeable
        assert np.array_equal(mapped, rows[start:stop])
    picked = np.array([[5, 640, 9], [699, 0, 8]])
    for wanted in picked:
        assert np.array_equal(signatures.take(wanted), rows[wanted])
    assert np.array_equal(signatures.columns(2, 5), rows[:, 2:5])
    assert np.array_equal(signatures.matrix(), rows)
