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


@settings(max_examples=40, deadline=None)
@given(count=st.integers(0, 70), in_memory=st.integers(0, 80), data=st.data())
def test_signature_file_reads_back_what_was_appended(count: int, in_memory: int,
                                                     data: st.DataObject) -> None:
    """Rows held in memory, in the file, or first one then the other (they move to the file
    when ``in_memory`` is passed): ``columns``, ``take`` and ``matrix`` give the rows
    appended."""
    import tempfile

    import numpy as np

    from corpus_qa.diskmap import SignatureFile

    rows = np.random.default_rng(count).integers(0, 2**32, size=(count, 6), dtype=np.uint32)
    with tempfile.TemporaryDirectory() as tmp:
        store = SignatureFile(Path(tmp) / "sig.bin", 6, buffer=7, in_memory=in_memory)
        for row in rows:
            store.append(row)
        picked = np.array(data.draw(st.lists(st.integers(0, max(count - 1, 0)), max_size=20)
                                    if count else st.just([])), dtype=np.int64)
        assert len(store) == count
        assert store.columns(2, 5).tolist() == rows[:, 2:5].tolist()
        assert store.take(picked).tolist() == rows[picked].tolist()
        assert np.asarray(store.matrix()).tolist() == rows.tolist()
        store.close(delete=True)


def test_taking_rows_of_a_signature_file_maps_none_of_it(tmp_path) -> None:
    """Random rows of a large signature file are read with positioned reads: the process's
    resident memory does not grow with the file's pages (a mapped file's page faults
    bring in up to 2 MB each where the page cache holds large folios, and 64 KB around
    each elsewhere: 4,096 rows of a 64 MB file would make ~64–256 MB resident)."""
    import numpy as np
    import pytest

    from corpus_qa.diskmap import SignatureFile

    status, clear = Path("/proc/self/status"), Path("/proc/self/clear_refs")
    if not status.exists():
        pytest.skip("resident memory is read from /proc")

    def memory(field: str) -> int:
        line = next(x for x in status.read_text().splitlines() if x.startswith(field))
        return int(line.split()[1]) * 1024

    rows = 131_072  # 64 MB of 128-column signatures
    store = SignatureFile(tmp_path / "sig.bin", 128, in_memory=0)
    block = np.arange(128, dtype=np.uint32)
    for row in range(rows):
        block[0] = row
        store.append(block)
    picked = np.random.default_rng(1).integers(0, rows, size=4096)
    store.take(picked[:10])  # the code paths warmed up
    try:
        clear.write_text("5")  # the peak (VmHWM) starts again from the resident size
    except OSError:
        pytest.skip("the peak resident memory cannot be reset here")
    before = memory("VmRSS:")
    taken = store.take(picked)
    grew = memory("VmHWM:") - before
    assert taken[:, 0].tolist() == picked.tolist()
    # the mapped version peaked 66 MB higher on this machine
    assert grew < 8 * 2**20 + taken.nbytes, grew
    store.close(delete=True)


def test_signature_rows_read_back_across_page_boundaries(tmp_path: Path) -> None:
    """Slices starting anywhere (not at a page) read the rows written, as plain arrays."""
    import numpy as np

    rows = np.random.default_rng(3).integers(0, 2**32, size=(700, 128), dtype=np.uint32)
    signatures = SignatureFile(tmp_path / "sig.bin", 128, buffer=64, in_memory=0)
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
