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
