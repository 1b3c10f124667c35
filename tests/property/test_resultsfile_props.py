"""Sharded and inline results files give back the same items, whatever the items hold
(line separators, any text, nesting) and however the shards are cut."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_qa.resultsfile import ResultsFile, write_results

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
LEAVES = st.none() | st.booleans() | st.integers() | TEXT | st.floats(allow_nan=False)
VALUES = st.recursive(LEAVES, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(TEXT, inner, max_size=3), max_leaves=12)
ITEMS = st.lists(st.dictionaries(TEXT, VALUES, max_size=4), max_size=12)


@settings(max_examples=60, deadline=None)
@given(documents=ITEMS, findings=ITEMS, per_shard=st.integers(1, 5),
       above=st.integers(0, 30))
def test_either_form_reads_back_the_items_written(documents: list, findings: list,
                                                  per_shard: int, above: int) -> None:
    data = {"schema_version": 1, "run": {"started": "x"}, "stories": [],
            "documents": documents, "findings": findings}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "results.json"
        written = write_results(data, path, shard_above=above, shard_items=per_shard)
        read = ResultsFile(path)
        assert read.sharded == (len(documents) + len(findings) > above)
        expected = json.loads(json.dumps(data))  # what JSON keeps of the items
        assert list(read.documents()) == expected["documents"]
        assert list(read.findings()) == expected["findings"]
        assert read.summary == {k: v for k, v in expected.items()
                                if k not in ("documents", "findings")}
        on_disk = sorted(p.name for p in Path(tmp).iterdir())
        assert on_disk == sorted(p.name for p in written)  # nothing else left behind
