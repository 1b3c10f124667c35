"""The one answer both metric providers give (pandas, Spark's pandas UDF): row_passes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from corpus_qa.checks import encoding
from corpus_qa.documents import Document
from corpus_qa.expectations.base import plain, row_passes
from corpus_qa.expectations.versions import _diacritics
from corpus_qa.metadata import Metadata, is_metadata_row, resolve

VERSIONS = [{"id": "a", "text": "The mayor, Ana López, said the plan will go ahead."},
            {"id": "b", "text": "The mayor, Ana Lopez, said the plan will go ahead."}]


def test_an_array_of_versions_is_checked_not_passed() -> None:
    """pandas (from Parquet, Arrow) and Spark give list columns as numpy arrays: a check
    reading a sequence must see the versions, not pass the row (a false pass)."""
    assert not row_passes(None, _diacritics, {}, VERSIONS)
    assert not row_passes(None, _diacritics, {}, np.array(VERSIONS, dtype=object))
    assert row_passes(None, _diacritics, {}, np.array(VERSIONS[:1], dtype=object))


def test_predicates_and_checks_answer_as_before() -> None:
    texts = pd.Series(["fine", "CafÃ© broken", "naïve"])
    assert texts.map(lambda v: row_passes(encoding.mojibake_ok, None, {}, v)).tolist() == [
        encoding.mojibake_ok(v) for v in texts]
    assert plain(bytearray(b"x")) == b"x" and plain(np.int64(2)) == 2


def test_a_null_field_of_a_metadata_row_is_an_absent_field() -> None:
    """A struct column (Spark, Arrow) has every field in every row, null where absent."""
    row = resolve(Document(id="d", path="d.txt", text="Reporting by Jane Doe.")).to_row()
    with_nulls = {**row, "date": None, "source": None}
    assert is_metadata_row(with_nulls)
    assert Metadata.from_row(with_nulls) == Metadata.from_row(row)
    assert not is_metadata_row({"date": None})


def test_the_metadata_expectations_read_a_row_once_per_batch(monkeypatch) -> None:
    """While a batch is validated, every expectation reading the metadata column shares
    one Metadata per row (made from the row once); outside a batch each reads its own."""
    import pickle

    from corpus_qa.expectations import metadata as em
    from corpus_qa.expectations.base import recording
    from corpus_qa.results import Finding, place

    rows = [resolve(Document(id=d, path=f"{d}.txt", text=t)).to_row() for d, t in
            [("a", "date: 2023-02-30\n\nReporting by Jane Doe."), ("b", "No header.")]]
    made = []
    from_row = Metadata.from_row.__func__
    monkeypatch.setattr(Metadata, "from_row",
                        classmethod(lambda cls, row: made.append(row) or from_row(cls, row)))
    with recording():
        found = [(em._missing(r, ["date", "source"]), em._invalid_date(r, None, None))
                 for r in rows]
    assert len(made) == 1  # row a (row b has no field: nothing to make)
    alone = [(em._missing(r, ["date", "source"]), em._invalid_date(r, None, None)) for r in rows]
    assert found == alone and len(made) == 3
    assert [len(m) for m, _ in found] == [1, 2] and [len(d) for _, d in found] == [1, 0]
    # the findings made of them cross processes and spools as they are (every field)
    finding = place(found[0][0][0], "e", "error", "a", "a.txt", "date: 2023-02-30", 3, "line")
    assert pickle.loads(pickle.dumps(finding)) == finding
    assert pickle.loads(pickle.dumps([finding] * 2))[1] == finding and isinstance(finding, Finding)
