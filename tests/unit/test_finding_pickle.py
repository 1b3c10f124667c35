"""Findings are pickled as their fields (the runner's findings spool): every field
survives, in order, and a field added later cannot be forgotten silently."""

from __future__ import annotations

import dataclasses
import pickle

from corpus_qa.findings import Related
from corpus_qa.results import Finding, Occurrence


def test_every_field_survives_pickling() -> None:
    finding = Finding(
        "expect_x", "warning", "doc", "c/doc.jsonl", "reason", "message", (3, 9), 4, 1,
        "excerpt", related=Related("other", (1, 2)), suggestion="s", key="date",
        record="line", text_line=2, text_column=5,
        also=(Occurrence((10, 12), 4, 1, "e", "m", "s2", 3, 1),))
    values = [getattr(finding, f.name) for f in dataclasses.fields(Finding)]
    assert len(set(map(repr, values))) == len(values)  # distinct: a swap would show
    _, args = finding.__reduce__()
    assert list(args) == values
    for protocol in (2, 5):
        again = pickle.loads(pickle.dumps(finding, protocol=protocol))
        assert again == finding and type(again) is Finding
        assert [getattr(again, f.name) for f in dataclasses.fields(Finding)] == values
