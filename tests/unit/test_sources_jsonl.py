"""JSON Lines sources: every compression, field mapping, damaged streams, deep nesting."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
from pathlib import Path

import pytest
import zstandard

from corpus_qa.documents import Document
from corpus_qa.sources import FieldMap, InputProblem, SourceCounts, iter_corpus
from corpus_qa.sources.write import write_records

SUFFIXES = [".jsonl", ".jsonl.gz", ".jsonl.zst", ".jsonl.bz2", ".jsonl.xz", ".json.gz"]
COMPRESS = {".gz": lambda b: gzip.compress(b, mtime=0), ".zst": zstandard.compress,
            ".bz2": lambda b: bz2.compress(b, 1), ".xz": lzma.compress}  # 100 kB bz2 blocks

RECORDS = [
    {"id": "a", "text": "First text.\nSecond line.", "metadata": {"date": "2024-01-02"}},
    {"text": "No id here.", "source": "Wire", "tags": ["x", "y"]},
    {"id": 3, "text": "caf\u00e9 \U0001f600", "metadata": {"author": None}},
]


def _items(path: Path, **kwargs: object) -> list:
    return list(iter_corpus([path], **kwargs))  # type: ignore[arg-type]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_records_read_back_in_every_compression(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"part{suffix}"
    write_records(path, RECORDS)
    counts = SourceCounts()
    docs = _items(path, counts=counts)
    shown = path.as_posix()
    assert [d.id for d in docs] == ["a", f"{shown}#2", "3"]
    assert [d.text for d in docs] == [r["text"] for r in RECORDS]
    assert [d.line for d in docs] == [1, 2, 3]
    assert {k: f.value for k, f in docs[0].fields.items()} == {"date": "2024-01-02"}
    assert {k: f.value for k, f in docs[1].fields.items()} == {"source": "Wire",
                                                               "tags": '["x", "y"]'}
    assert docs[2].fields == {}
    assert all(d.raw is None and d.path == shown for d in docs)
    assert [c.to_json() for c in counts.files] == [
        {"path": shown, "format": "jsonl" + {".jsonl": ""}.get(suffix, "." + {
            ".jsonl.gz": "gzip", ".jsonl.zst": "zstd", ".jsonl.bz2": "bz2",
            ".jsonl.xz": "xz", ".json.gz": "gzip"}.get(suffix, "")),
         "records": 3, "documents": 3, "problems": 0}]


def test_field_map_with_dotted_names(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    write_records(path, [{"doc": {"key": "k1"}, "content": "Body text.",
                          "attributes": {"meta": {"date": "2020-05-06", "source": "AP"}},
                          "lang": "en"}])
    fields = FieldMap(text="content", id="doc.key", metadata="attributes.meta")
    (doc,) = _items(path, fields=fields)
    assert (doc.id, doc.text) == ("k1", "Body text.")
    values = {k: f.value for k, f in doc.fields.items()}
    assert values == {"date": "2020-05-06", "source": "AP", "doc": '{"key": "k1"}',
                      "lang": "en"}


def test_a_key_with_a_dot_is_found_before_a_path(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    write_records(path, [{"meta.id": "flat", "meta": {"id": "nested"}, "text": "T."}])
    (doc,) = _items(path, fields=FieldMap(id="meta.id"))
    assert doc.id == "flat"


@pytest.mark.parametrize(
    ("record", "fields", "message"),
    [
        ({"content": "The text.", "id": "r"}, FieldMap(),
         "record has no string 'text' field (fields: content, id) — pass --text-field content"),
        ({"text": 12, "body": "words", "id": "r"}, FieldMap(),
         "record's 'text' field is a number, not a string (fields: body, id, text) — "
         "pass --text-field body"),
        ({"id": "r", "n": 1}, FieldMap(),
         "record has no string 'text' field (fields: id, n) — add the text or remove the record"),
        ({"text": "here", "id": "r"}, FieldMap(text="body"),
         "record has no string 'body' field (fields: id, text) — pass --text-field text"),
    ],
    ids=["text-in-other-field", "text-not-a-string", "no-string-at-all", "custom-field-missing"],
)
def test_record_without_text_names_the_fields(tmp_path: Path, record: dict, fields: FieldMap,
                                              message: str) -> None:
    path = tmp_path / "a.jsonl.gz"
    write_records(path, [record])
    (problem,) = _items(path, fields=fields)
    assert problem == InputProblem(path.as_posix(), 1, "missing_text", message, document="r")


def test_deep_nesting_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    deep = '{"text": "t", "x": ' + "[" * 200_000 + "]" * 200_000 + "}"
    path.write_text(f'{{"id": "ok", "text": "fine"}}\n{deep}\n{{"id": "z", "text": "after"}}\n')
    items = _items(path)
    assert [getattr(i, "id", None) for i in items] == ["ok", None, "z"]
    problem = items[1]
    assert (problem.line, problem.reason) == (2, "invalid_json")
    assert "nested too deeply" in problem.message


def _lines(n: int) -> bytes:
    return b"".join(json.dumps({"id": f"d{i}", "text": f"text {i} " * 20}).encode() + b"\n"
                    for i in range(n))


@pytest.mark.parametrize("suffix", [".gz", ".zst", ".bz2", ".xz"])
def test_truncated_stream_keeps_the_documents_before_the_break(tmp_path: Path,
                                                              suffix: str) -> None:
    data = _lines(3000)
    whole = COMPRESS[suffix](data)
    path = tmp_path / f"cut.jsonl{suffix}"
    path.write_bytes(whole[: len(whole) * 2 // 3])
    counts = SourceCounts()
    items = _items(path, counts=counts)
    docs = [i for i in items if isinstance(i, Document)]
    problems = [i for i in items if isinstance(i, InputProblem)]
    assert len(problems) == 1 and problems[0].reason == "truncated_stream"
    assert 0 < len(docs) < 3000
    assert [d.id for d in docs] == [f"d{i}" for i in range(len(docs))]  # nothing lost before
    assert all(d.text == f"text {i} " * 20 for i, d in enumerate(docs))
    assert problems[0].line == len(docs) + 1
    assert f"breaks at line {len(docs) + 1} near compressed byte" in problems[0].message
    assert counts.files[0].to_json()["documents"] == len(docs)
    assert counts.files[0].problems == 1


def test_gzip_byte_offset_is_inside_the_file(tmp_path: Path) -> None:
    whole = gzip.compress(_lines(2000), mtime=0)
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(whole[:5000])
    problem = _items(path)[-1]
    offset = int(problem.message.split("near compressed byte ")[1].split(" ")[0].replace(",", ""))
    assert 0 < offset <= 5000


@pytest.mark.parametrize("suffix", [".gz", ".zst", ".bz2", ".xz"])
def test_not_compressed_as_named_is_one_problem(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"plain.jsonl{suffix}"
    path.write_bytes(_lines(3))
    (problem,) = _items(path)
    assert (problem.line, problem.reason) == (1, "truncated_stream")
    assert problem.message.startswith("the ")


def test_corrupt_zstd_block_is_reported(tmp_path: Path) -> None:
    whole = bytearray(zstandard.compress(_lines(3000)))
    whole[len(whole) // 2] ^= 0xFF
    path = tmp_path / "bad.jsonl.zst"
    path.write_bytes(bytes(whole))
    items = _items(path)
    assert isinstance(items[-1], InputProblem) and items[-1].reason == "truncated_stream"
    assert "Data corruption" in items[-1].message or "invalid JSON" in items[-1].message


def test_multi_frame_zstd_and_multi_member_gzip(tmp_path: Path) -> None:
    a, b = _lines(2), b'{"id": "last", "text": "end"}\n'
    (tmp_path / "m.jsonl.zst").write_bytes(zstandard.compress(a) + zstandard.compress(b))
    (tmp_path / "m.jsonl.gz").write_bytes(gzip.compress(a) + gzip.compress(b))
    for name in ("m.jsonl.zst", "m.jsonl.gz"):
        assert [d.id for d in _items(tmp_path / name)] == ["d0", "d1", "last"]


def test_duplicate_ids_across_shards_are_renamed_and_reported(tmp_path: Path) -> None:
    write_records(tmp_path / "a.jsonl", [{"id": "x", "text": "one"}])
    write_records(tmp_path / "b.parquet", [{"id": "x", "text": "two"}])
    counts = SourceCounts()
    items = _items(tmp_path, counts=counts)
    first, problem, second = items
    b = (tmp_path / "b.parquet").as_posix()
    assert (first.id, second.id, second.text) == ("x", f"{b}#row1", "two")
    assert problem == InputProblem(
        b, 1, "duplicate_id", f"id 'x' is already used at {(tmp_path / 'a.jsonl').as_posix()}:1;"
        f" validated as '{b}#row1' — give every record its own id", document=f"{b}#row1",
        loaded=True)
    assert [c.problems for c in counts.files] == [0, 1]


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz", ".jsonl.zst"])
def test_a_record_over_the_limit_is_read_through_not_held(tmp_path: Path, suffix: str) -> None:
    # a 40 MB line compresses to a few kB: the limit (1 MB here) must bound what is held
    # while reading it, not only what becomes a document
    import tracemalloc

    huge = b'{"id": "big", "text": "' + b"a" * 40_000_000 + b'"}\n'
    after = json.dumps({"id": "next", "text": "Read after the big one."}).encode() + b"\n"
    data = b'{"id": "first", "text": "Short."}\n' + huge + b"\n" + after
    path = tmp_path / f"part{suffix}"
    compress = COMPRESS.get("." + suffix.rsplit(".", 1)[-1])
    path.write_bytes(compress(data) if compress else data)
    size = len(huge)
    del data, huge
    tracemalloc.start()
    try:
        items = _items(path, fields=FieldMap(max_document_bytes=1_000_000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8_000_000
    docs = [i for i in items if isinstance(i, Document)]
    problems = [i for i in items if isinstance(i, InputProblem)]
    assert [d.id for d in docs] == ["first", "next"]
    assert docs[1].line == 4  # the blank line 3 still counts
    (problem,) = problems
    assert (problem.reason, problem.line) == ("document_too_large", 2)
    assert f"{size:,} bytes" in problem.message
    if suffix == ".jsonl":
        # the offset of the record after the big one is where it starts in the file
        assert path.read_bytes()[docs[1].offset:].startswith(b'{"id": "next"')
