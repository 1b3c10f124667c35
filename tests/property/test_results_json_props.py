"""The streaming results writer writes exactly the text of the one-object dump."""

from __future__ import annotations

import io
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_qa.results import dump_json, stream_json, write_json

KEYS = st.text(max_size=6)
LEAVES = (st.none() | st.booleans() | st.integers() | st.text(max_size=8)
          | st.floats(allow_nan=False, allow_infinity=False))
VALUES = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, VALUES, max_size=6))
def test_streamed_json_is_byte_identical_to_the_dump(data: dict) -> None:
    out: list[str] = []
    stream_json(data, out.append)
    assert "".join(out) == dump_json(data)
    assert json.loads("".join(out)) == data


def test_results_are_written_item_by_item(tmp_path: Path) -> None:
    """No piece is the whole file: a finding at a time, not one big string."""
    findings = [{"document": f"d{i}", "excerpt": "x" * 100, "span": [i, i + 1]}
                for i in range(1000)]
    data = {"findings": findings, "statistics": {"documents": 1000}}
    pieces: list[str] = []
    stream_json(data, pieces.append)
    text = "".join(pieces)
    assert text == dump_json(data)
    assert max(map(len, pieces)) < 300 < len(text) // 100
    write_json(data, tmp_path / "r.json")
    assert (tmp_path / "r.json").read_bytes() == dump_json(data).encode("utf-8")
    buffer = io.StringIO()
    stream_json([], buffer.write)
    assert buffer.getvalue() == "[]\n"
