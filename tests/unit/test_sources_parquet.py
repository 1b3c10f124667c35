"""Parquet source: rows across row groups, ids and locators, bad files as input problems."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from corpus_qa.documents import Document
from corpus_qa.sources import FieldMap, InputProblem, SourceCounts, iter_corpus
from corpus_qa.sources.write import write_records


def _items(path: Path, **kwargs: object) -> list:
    return list(iter_corpus([path], **kwargs))  # type: ignore[arg-type]


def test_rows_across_row_groups_keep_order_and_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "p.parquet"
    table = pa.table({"id": [f"r{i}" if i % 2 else None for i in range(2500)],
                      "text": [f"row {i}" for i in range(2500)]})
    pq.write_table(table, path, row_group_size=700)
    assert pq.ParquetFile(path).num_row_groups == 4
    counts = SourceCounts()
    docs = _items(path, counts=counts)
    shown = path.as_posix()
    assert [d.text for d in docs] == [f"row {i}" for i in range(2500)]
    assert [d.line for d in docs] == list(range(1, 2501))
    assert docs[0].id == f"{shown}#row1" and docs[1].id == "r1"
    assert counts.to_json() == [{"path": shown, "format": "parquet", "records": 2500,
                                 "documents": 2500, "problems": 0}]


def test_metadata_columns_and_struct(tmp_path: Path) -> None:
    path = tmp_path / "m.parquet"
    pq.write_table(pa.table({
        "text": ["Body."],
        "metadata": [{"source": "AP", "date": "2024-02-03"}],
        "published": [dt.date(2024, 2, 3)],
        "score": [0.5],
    }), path)
    (doc,) = _items(path)
    assert {k: f.value for k, f in doc.fields.items()} == {
        "source": "AP", "date": "2024-02-03", "published": "2024-02-03", "score": "0.5"}


def test_field_map_on_parquet(tmp_path: Path) -> None:
    path = tmp_path / "f.parquet"
    write_records(path, [{"content": "Hello.", "doc_id": "k", "meta": {"date": "2020-01-01"}}])
    (doc,) = _items(path, fields=FieldMap(text="content", id="doc_id", metadata="meta"))
    assert (doc.id, doc.text, doc.fields["date"].value) == ("k", "Hello.", "2020-01-01")


def test_no_text_column_is_one_problem_naming_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "n.parquet"
    write_records(path, [{"id": "a", "content": "x"}, {"id": "b", "content": "y"}])
    counts = SourceCounts()
    assert _items(path, counts=counts) == [InputProblem(
        path.as_posix(), 1, "missing_text",
        "no 'text' column (columns: id, content) — pass --text-field content")]
    assert counts.files[0].to_json()["problems"] == 1


def test_non_string_text_column(tmp_path: Path) -> None:
    path = tmp_path / "i.parquet"
    pq.write_table(pa.table({"text": [1, 2], "id": ["a", "b"]}), path)
    (problem,) = _items(path)
    assert problem.message == ("column 'text' holds int64, not strings (columns: text, id) — "
                               "pass --text-field NAME of a string column")


def test_null_text_in_a_row_is_a_row_problem(tmp_path: Path) -> None:
    path = tmp_path / "null.parquet"
    pq.write_table(pa.table({"text": ["a", None, "c"], "body": ["x", "longer body", "z"]}), path)
    items = _items(path)
    shown = path.as_posix()
    assert [type(i).__name__ for i in items] == ["Document", "InputProblem", "Document"]
    assert items[1] == InputProblem(
        shown, 2, "missing_text",
        "record has no string 'text' field (fields: body, text) — pass --text-field body",
        document=f"{shown}#row2")


@pytest.mark.parametrize(
    "damage",
    [lambda b: b"PAR1" + b"\0" * 20, lambda b: b[:-12], lambda b: b[: len(b) // 2],
     lambda b: b""],
    ids=["garbage", "footer-cut", "half-file", "empty"],
)
def test_corrupt_file_is_one_problem(tmp_path: Path, damage: object) -> None:
    good = tmp_path / "good.parquet"
    write_records(good, [{"text": f"t{i}"} for i in range(50)])
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(damage(good.read_bytes()))  # type: ignore[operator]
    items = _items(bad)
    assert len(items) == 1 and isinstance(items[0], InputProblem)
    assert items[0].reason == "invalid_parquet" and items[0].line == 1
    assert items[0].message.startswith("not a readable Parquet file (")
    assert items[0].message.endswith("— re-create or re-download it")


def test_corrupt_page_after_good_row_groups_keeps_the_rows_before(tmp_path: Path) -> None:
    path = tmp_path / "pages.parquet"
    texts = [f"document number {i} " * 5 for i in range(3000)]
    pq.write_table(pa.table({"text": texts}), path, row_group_size=1000, compression="NONE")
    meta = pq.ParquetFile(path).metadata
    start = meta.row_group(2).column(0).data_page_offset
    data = bytearray(path.read_bytes())
    data[start:start + 64] = b"\xff" * 64  # the last row group's page header
    path.write_bytes(bytes(data))
    items = _items(path)
    docs = [i for i in items if isinstance(i, Document)]
    assert [d.text for d in docs] == texts[: len(docs)]
    assert len(docs) == 2000
    problem = items[-1]
    assert (problem.reason, problem.line) == ("invalid_parquet", 2001)
    assert "cannot be read past row 2000" in problem.message
