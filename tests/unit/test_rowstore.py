"""The row store: every row comes back as stored, small rows are kept as pickled."""

from __future__ import annotations

import pickle
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from corpus_qa.engine.rowstore import SMALLEST_COMPRESSED, RowStore

plain = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(), st.binary()),
    lambda inner: st.one_of(st.lists(inner, max_size=6),
                            st.dictionaries(st.text(max_size=8), inner, max_size=6)),
    max_leaves=30,
)


@given(st.lists(st.one_of(plain, st.text(min_size=600)), min_size=1, max_size=8))
def test_rows_come_back_as_stored(tmp_path_factory, rows) -> None:
    directory = tmp_path_factory.mktemp("rows")
    store = RowStore(directory)
    with store.writer(3) as put:
        refs = [put(row) for row in rows]
    assert [store.get(ref) for ref in refs] == rows
    store.close()


def test_a_small_row_is_kept_as_pickled_a_large_one_compressed(tmp_path: Path) -> None:
    store = RowStore(tmp_path)
    small = {"lines": [[2**63 + n, n, n + 40] for n in range(8)], "credits": []}
    large = {"text": "The mayor said the plan will go ahead. " * 100}
    with store.writer(0) as put:
        small_ref, large_ref = put(small), put(large)
    assert len(pickle.dumps(small, protocol=5)) < SMALLEST_COMPRESSED
    assert small_ref[2] == len(pickle.dumps(small, protocol=5))  # no compression frame
    assert large_ref[2] < len(pickle.dumps(large, protocol=5)) // 4
    assert store.get(small_ref) == small and store.get(large_ref) == large
    store.close()
