"""corpus_qa.sources.locate: a document read again by its locator is the document the
run read, without reading the file from the start where the format allows it."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus_qa.documents import Document
from corpus_qa.sources import iter_corpus
from corpus_qa.sources.locate import LocatorError, read_document
from corpus_qa.sources.write import write_records, write_text_tree

SUFFIXES = [".jsonl", ".jsonl.gz", ".jsonl.zst", ".jsonl.bz2", ".jsonl.xz", ".parquet"]
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=120)
RECORDS = st.lists(
    st.fixed_dictionaries({"id": st.uuids().map(str), "text": TEXT,
                           "metadata": st.fixed_dictionaries({"source": st.sampled_from(
                               ["AP", "Reuters", "VOA"])})}),
    min_size=1, max_size=25)


def _docs(path: Path) -> list[Document]:
    return [d for d in iter_corpus([path]) if isinstance(d, Document)]


def _same(a: Document, b: Document) -> None:
    assert (a.id, a.text, a.path, a.line, a.record) == (b.id, b.text, b.path, b.line, b.record)
    assert {k: f.value for k, f in a.fields.items()} == {k: f.value for k, f in b.fields.items()}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=RECORDS, suffix=st.sampled_from(SUFFIXES), with_offset=st.booleans())
def test_every_record_is_read_again_by_its_locator(records, suffix, with_offset) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"shard{suffix}"
        write_records(path, records)
        for doc in _docs(path):
            again = read_document(doc.path, doc.line,
                                  offset=doc.offset if with_offset else None)
            _same(again, doc)


def test_a_plain_jsonl_record_is_found_by_seeking_not_by_reading_the_lines_before(
        tmp_path: Path) -> None:
    path = tmp_path / "part.jsonl"
    write_records(path, [{"id": f"d{i}", "text": f"text {i}"} for i in range(50)])
    last = _docs(path)[-1]
    assert last.offset is not None and last.offset > 0
    # Garble every byte before the record (same length): a reader that counted lines
    # from the start would now land elsewhere or fail; the seek does not read them.
    data = path.read_bytes()
    path.write_bytes(b"x" * last.offset + data[last.offset:])
    assert read_document(path, last.line, offset=last.offset).text == "text 49"
    with pytest.raises(LocatorError, match=r"part\.jsonl:50: no record"):
        read_document(path, last.line)  # counting lines now finds none at 50


def test_a_parquet_row_is_read_from_its_row_group_only(tmp_path: Path) -> None:
    path = tmp_path / "part.parquet"
    table = pa.Table.from_pylist([{"id": f"d{i}", "text": f"text {i}"} for i in range(100)])
    pq.write_table(table, path, row_group_size=16)
    assert pq.ParquetFile(path).metadata.num_row_groups == 7
    for row in (1, 16, 17, 50, 100):
        assert read_document(path, row).text == f"text {row - 1}"
    with pytest.raises(LocatorError, match=r"has 100 rows"):
        read_document(path, 101)


def test_a_text_document_gets_the_id_of_its_corpus_root(tmp_path: Path) -> None:
    write_text_tree(tmp_path, {"wire/a": "---\ndate: 2024-01-02\n---\nBody.\n"})
    first = _docs(tmp_path)[0]
    again = read_document(tmp_path / "wire" / "a.txt", root=tmp_path)
    assert (again.id, again.text) == ("wire/a", first.text)
    assert again.fields["date"].value == "2024-01-02"


@pytest.mark.parametrize(("name", "line", "match"), [
    ("notes.pdf", 1, "not a corpus file"),
    ("part.jsonl", 0, "start at 1"),
    ("part.jsonl", 9, "no record on this line"),
])
def test_a_stale_or_wrong_locator_is_an_error_not_a_wrong_document(
        tmp_path: Path, name: str, line: int, match: str) -> None:
    path = tmp_path / name
    path.write_bytes(b'{"id": "a", "text": "x"}\n')
    with pytest.raises(LocatorError, match=match):
        read_document(path, line)


def test_a_compressed_stream_cut_before_the_record_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "part.jsonl.gz"
    write_records(path, [{"id": f"d{i}", "text": "word " * 200} for i in range(200)])
    last = _docs(path)[-1]
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(LocatorError, match="cannot read up to this record"):
        read_document(path, last.line, offset=last.offset)
